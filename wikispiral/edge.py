"""Refuse control characters at the edge, before any view or query sees them.

PostgreSQL refuses NUL in text: a NUL in a slug, a key or a form field reached the first query
and answered 500, and XML 1.0 (the feeds) refuses the other control characters. Nothing
legitimate carries one in an address, so a path holding one answers 404, as any other address
that names nothing does, the same whatever it names (nothing leaks about what exists). A form's
values need only tab and line ends (a textarea sends CRLF, pasted text holds tabs), and a query
string is a GET form: one holding any other control character is malformed and answers 400.
Both are the site's plain pages, in the person's language.

It runs on every request, so the checks are one regular expression each on strings Django
already holds: the decoded path, the raw query string (its percent escapes are read as they
are, without parsing it) and, for a POST, the parsed form's names and values. Uploaded files
are never read here, nor their names checked: Django's multipart parser already drops every
non-printable character (controls, bidirectional marks) from a file's name.

Parsing the form here, before the CSRF middleware and the view, changes nothing for them: the
parsed form and files are kept on the request, which both read as before (htmx requests too:
their token comes in a header, their fields in the same form body). Only replacing the upload
handlers must happen before parsing, and nothing in the project does; the CSRF middleware
already parses most forms before any view runs.

The answer's side of the edge is here too: TextCompressionMiddleware, gzip for what compresses.
"""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _

# In a path: C0 controls, DEL and C1 controls (the path comes decoded).
_PATH_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# In a form's fields: C0 controls except tab, LF and CR (pasted text holds those).
_FORM_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A query string is a GET form: the same characters, as themselves or percent-escaped.
_QUERY_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]|%(?:0[0-8BbCcEeFf]|1[0-9A-Fa-f])")


def _form_has_control(request: HttpRequest) -> bool:
    try:
        fields = request.POST
    except OSError:
        # The client went away mid-body: let the CSRF middleware and the view meet it as usual.
        return False
    return any(
        _FORM_CONTROL.search(key) or any(_FORM_CONTROL.search(value) for value in values)
        for key, values in fields.lists()
    )


def _refusal(request: HttpRequest, status: int) -> HttpResponse:
    # The locale and session middlewares have not run yet: the page is rendered in the language
    # of the cookie or the browser, without the request (nothing of it is echoed back).
    with translation.override(translation.get_language_from_request(request)):
        context = {}
        if status == 400:
            context["message"] = _(
                "What you sent contains an invisible control character (a NUL, a vertical tab, "
                "a form feed…, often pasted from another program) that cannot be saved. Nothing "
                "was saved. Go back, paste the text again as plain text or remove that "
                "character, and send it again."
            )
        body = loader.get_template(f"{status}.html").render(context)
    return HttpResponse(body, status=status)


class ControlCharactersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _PATH_CONTROL.search(request.path_info):
            return _refusal(request, 404)
        if _QUERY_CONTROL.search(request.META.get("QUERY_STRING", "")) or (
            request.method == "POST" and _form_has_control(request)
        ):
            return _refusal(request, 400)
        return self.get_response(request)


# Content types already compressed (or not worth it): gzip would only cost CPU and drop the
# Content-Length a download's progress bar needs.
_COMPRESSED_TYPES = (
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/vnd.openxmlformats",
    "application/vnd.oasis.opendocument",
    "image/",
    "audio/",
    "video/",
    "font/",
)


class TextCompressionMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH mitigation: random padding in the gzip header)
    for what compresses: pages, fragments, feeds, CSV and JSON. PDFs, archives, office files,
    images and other media pass as they are, with their Content-Length."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        content_type = response.get("Content-Type", "").lower()
        if content_type.startswith(_COMPRESSED_TYPES):
            return response
        return super().process_response(request, response)
