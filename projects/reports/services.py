"""The PDF report of a project summary: every table and chart of its page, printed on A4 in the
reader's language with WeasyPrint, through the syntheses reports' pipeline (inline stylesheet,
a URL fetcher that serves only our static files, "Page X of Y" from the page counters).

A report depends only on the summary's scope, the language and when the job computed the
figures, so it is drawn once for each and kept under the private root (never served as media:
a coordination group may be hidden later, and the view checks that on every download). A newer
summary draws a new file and removes the older ones of the same scope and language.
"""

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from criteria.transfer.storage import private_path, write_atomically
from projects.display import SummaryDisplay, summary_display
from projects.models import Summary
from projects.selectors import SummaryRef, summary_ref

# The syntheses' helpers: shares rounded as on every page, a CSS string for the page margins,
# "Page X of Y" translated.
from syntheses import charts
from syntheses.reports import css_string, page_of_pages, report_pdf

logger = logging.getLogger(__name__)

REPORTS_DIRECTORY = "project-reports"
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def summary_report_html(
    *,
    display: SummaryDisplay,
    title: str,
    scope_name: str,
    computed_at: datetime.datetime,
    language: str,
) -> str:
    """The report's HTML in language; display must have been made in that language too."""
    with translation.override(language):
        share = display.below_goal / display.with_footprint if display.with_footprint else 0.0
        header = _("%(project)s · %(scope)s") % {
            "project": _("The right choices"),
            "scope": scope_name,
        }
        context = {
            "display": display,
            "title": title,
            "scope_name": scope_name,
            "computed_at": computed_at,
            "language": language,
            "below_goal_share": charts.share_text(share),
            "site_url": settings.SITE_URL,
            "css_header": mark_safe(css_string(header)),  # noqa: S308 (css_string escapes)
            "css_page_of": mark_safe(page_of_pages()),  # noqa: S308 (css_string escapes)
        }
        return render_to_string("projects/report.html", context)


def summary_report_pdf(
    *,
    display: SummaryDisplay,
    title: str,
    scope_name: str,
    computed_at: datetime.datetime,
    language: str,
) -> bytes:
    """The report as a PDF (WeasyPrint; nothing fetched over the network)."""
    html = summary_report_html(
        display=display,
        title=title,
        scope_name=scope_name,
        computed_at=computed_at,
        language=language,
    )
    pdf, _pages = report_pdf(html)
    return pdf


def _stamp(computed_at: datetime.datetime) -> int:
    """computed_at in microseconds since 1970: two jobs in the same second differ."""
    return (computed_at - _EPOCH) // datetime.timedelta(microseconds=1)


def summary_report_path(*, summary: Summary, language: str) -> Path:
    """Where the report of summary in language is kept (under the private root)."""
    name = f"{summary.scope}-{summary.scope_id}-{language}-{_stamp(summary.computed_at)}.pdf"
    return private_path(REPORTS_DIRECTORY, name)


def summary_report(*, ref: SummaryRef, summary: Summary, language: str) -> bytes:
    """The PDF of summary (of ref) in language: the kept file, or drawn and kept."""
    path = summary_report_path(summary=summary, language=language)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    with translation.override(language):
        scope_name = summary_ref(ref.key).name  # in the report's language
        pdf = summary_report_pdf(
            display=summary_display(summary.figures),
            title=_("The right choices: %(name)s") % {"name": scope_name},
            scope_name=scope_name,
            computed_at=summary.computed_at,
            language=language,
        )
    write_atomically(path, pdf)
    _forget_older(path, summary=summary, language=language)
    return pdf


def _forget_older(path: Path, *, summary: Summary, language: str) -> None:
    """Remove the reports of the same scope and language drawn from older figures (a slow
    request still drawing older figures never removes newer ones)."""
    prefix = f"{summary.scope}-{summary.scope_id}-{language}-"
    stamp = _stamp(summary.computed_at)
    for other in path.parent.glob(f"{prefix}*.pdf"):
        other_stamp = other.name.removeprefix(prefix).removesuffix(".pdf")
        if other_stamp.isdigit() and int(other_stamp) < stamp:
            try:
                other.unlink(missing_ok=True)
            except OSError:
                logger.warning("Could not remove the old project report %s", other.name)
