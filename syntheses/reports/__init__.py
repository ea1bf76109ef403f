"""PDF reports of syntheses: asked for by a group's facilitators or the secretariat, drawn by
a Celery task with WeasyPrint from a frozen copy of the scope's snapshot, listed and downloaded
next to the synthesis, and announced in the feeds once done.

A report is drawn in three steps that can be tested apart: freeze (the snapshot's figures, the
criteria texts behind the main components and the narrative's revision, stored on the report
so it can be reproduced and compared with the next one), HTML (report_html, in the report's
language) and PDF (report_pdf).

services.py asks for and draws reports, current.py starts the current reports of the network,
continents and countries after their figures change (nobody asks; at most once a day each),
document.py writes their HTML and PDF, selectors.py reads them, views.py and urls.py serve
them. The names below are the feature's public surface (`from syntheses import reports`;
`reports.report_render(...)`).
"""

from syntheses.reports.current import (
    CURRENT_EVERY,
    CURRENT_KIND,
    CURRENT_SCOPES,
    CURRENT_SETTLE,
    current_report_key,
    current_report_language,
    current_report_start,
    current_reports_schedule,
)
from syntheses.reports.document import (
    CHART_COMPONENTS,
    TEXTS_PER_COMPONENT,
    TOP_COMPONENTS,
    css_string,
    filters_described,
    page_of_pages,
    report_html,
    report_pdf,
    static_url_fetcher,
)
from syntheses.reports.selectors import (
    PLACE_SCOPES,
    PublishedReport,
    report_download_name,
    report_download_url,
    report_filters,
    report_get,
    report_visible_list,
    reports_published,
)
from syntheses.reports.services import (
    FAILED_GENERIC,
    FAILED_NO_SCOPE,
    FAILED_TOO_LONG,
    IN_PROGRESS,
    RUNNING_TIMEOUT,
    TIME_LIMIT,
    filters_canonical,
    report_freeze,
    report_give_up,
    report_job_key,
    report_render,
    report_request,
    report_requeue,
    report_revive,
    reports_in_progress_ids,
)
from syntheses.selectors import Filters

__all__ = [
    "CHART_COMPONENTS",
    "CURRENT_EVERY",
    "CURRENT_KIND",
    "CURRENT_SCOPES",
    "CURRENT_SETTLE",
    "FAILED_GENERIC",
    "FAILED_NO_SCOPE",
    "FAILED_TOO_LONG",
    "IN_PROGRESS",
    "PLACE_SCOPES",
    "RUNNING_TIMEOUT",
    "TEXTS_PER_COMPONENT",
    "TIME_LIMIT",
    "TOP_COMPONENTS",
    "Filters",
    "PublishedReport",
    "css_string",
    "current_report_key",
    "current_report_language",
    "current_report_start",
    "current_reports_schedule",
    "filters_canonical",
    "filters_described",
    "page_of_pages",
    "report_download_name",
    "report_download_url",
    "report_filters",
    "report_freeze",
    "report_get",
    "report_give_up",
    "report_html",
    "report_job_key",
    "report_pdf",
    "report_render",
    "report_request",
    "report_requeue",
    "report_revive",
    "report_visible_list",
    "reports_in_progress_ids",
    "reports_published",
    "static_url_fetcher",
]
