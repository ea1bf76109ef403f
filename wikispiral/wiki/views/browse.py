"""Finding pages across the wiki: recent changes and full-text search."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import (
    require_GET,
)

from wikispiral.wiki import selectors
from wikispiral.wiki.models import Revision
from wikispiral.wiki.search import SearchPage, page_search, page_search_for_reader
from wikispiral.wiki.views._common import _number

SEARCH_PAGE_SIZE = 20


@require_GET
def recent_changes(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    language = request.GET.get("language") or None
    if language not in dict(settings.LANGUAGES):
        language = None
    space_slug = request.GET.get("space") or None
    author = (request.GET.get("user") or "").strip()[:150] or None
    revisions = selectors.recent_changes(
        user=request.user, space_slug=space_slug, language=language, author=author, limit=100
    )
    context = {
        "revisions": revisions,
        "spaces": selectors.space_list(user=request.user),
        "filter_space": space_slug or "",
        "filter_language": language or "",
        "filter_user": author or "",
        "kinds": Revision.Kind,
    }
    return render(request, "wiki/recent_changes.html", context)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:200]
    all_languages = request.GET.get("all") == "1"
    page_number = _number(request.GET.get("page")) or 1
    offset = (page_number - 1) * SEARCH_PAGE_SIZE
    result: SearchPage | None = None
    other_languages: SearchPage | None = None
    if query and all_languages:
        result = page_search(query=query, language=None, limit=SEARCH_PAGE_SIZE, offset=offset)
    elif query:
        # Few results in the reader's language: the other languages' matches go below them.
        found = page_search_for_reader(
            query=query, language=get_language(), limit=SEARCH_PAGE_SIZE, offset=offset
        )
        result, other_languages = found.main, found.other_languages
    from urllib.parse import urlencode

    def page_url(number: int) -> str:
        params = {"q": query, "page": number}
        if all_languages:
            params["all"] = "1"
        return f"{reverse('wiki:search')}?{urlencode(params)}"

    has_next = bool(result and result.total > page_number * SEARCH_PAGE_SIZE)
    context = {
        "search_query": query,
        "search_page": result,
        "other_languages": other_languages,
        "all_languages": all_languages,
        "page_number": page_number,
        "has_next": has_next,
        "has_previous": page_number > 1,
        "next_url": page_url(page_number + 1),
        "previous_url": page_url(page_number - 1),
    }
    return render(request, "wiki/search.html", context)
