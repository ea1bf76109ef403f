"""Serve cached anonymous page views before sessions, CSRF and authentication run.

Like Django's FetchFromCacheMiddleware, it sits early in the stack; unlike it, it only answers
requests that cannot belong to anyone (no session cookie, no query string), from entries the
page views store, validated by the generation counters (see caching.py).
"""

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language_from_request

from wikispiral.wiki import caching

_PAGE_PATH = re.compile(r"^/wiki/(?P<space>[-\w]+)/[a-z]{2,8}/[^/]+/$")


def cached_space_for_path(path: str) -> str | None:
    """The space whose generation guards a cacheable page address, or None."""
    if path == "/":
        return caching.HOME_SPACE_SLUG
    match = _PAGE_PATH.match(path)
    return match["space"] if match else None


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method != "GET"
            or request.META.get("QUERY_STRING")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or "messages" in request.COOKIES
        ):
            return self.get_response(request)
        space_slug = cached_space_for_path(request.path_info)
        if space_slug is None:
            return self.get_response(request)
        language = get_language_from_request(request)
        body = caching.lookup(caching.anonymous_page_key(request.path, language), space_slug).value
        if body is None:
            return self.get_response(request)
        response = HttpResponse(body)
        # What LocaleMiddleware, SessionMiddleware and XFrameOptionsMiddleware would have
        # added had the request gone through them.
        response["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
        response["X-Page-Cache"] = "hit"
        return response
