"""The PDF report of a summary: the same scope and visibility as its page (a hidden
coordination group's answers 404), in the reader's language, drawn once per computed figures."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from projects import selectors
from projects.reports import services as report


@require_GET
def summary_report(request: HttpRequest, key: str) -> HttpResponse:
    """The summary of key as a PDF report; 404 while the job has not computed it yet."""
    ref = selectors.summary_ref(key)
    summary = selectors.summary_get(ref)
    if summary is None:
        raise Http404(_("No participant here yet."))
    language = get_language()
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    pdf = report.summary_report(ref=ref, summary=summary, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="right-choices-{ref.key}-{language}.pdf"'
    )
    return response
