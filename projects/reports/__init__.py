"""The PDF report of a project summary: services.py draws and keeps it (WeasyPrint, through
the syntheses reports' pipeline), views.py serves it (mounted by projects/urls.py)."""

from projects.reports.services import (
    REPORTS_DIRECTORY,
    summary_report,
    summary_report_html,
    summary_report_path,
    summary_report_pdf,
)

__all__ = [
    "REPORTS_DIRECTORY",
    "summary_report",
    "summary_report_html",
    "summary_report_path",
    "summary_report_pdf",
]
