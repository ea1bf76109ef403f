from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language, get_language_info

from wikispiral.wiki import selectors as wiki_selectors


def site(request: HttpRequest) -> dict:
    return {"SITE_URL": settings.SITE_URL}


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name_local: str
    next: str  # where the switch leads: this address, or the page's translation
    current: bool


def _page_translations(request: HttpRequest) -> dict[str, str]:
    """The translations of the wiki page being read (one query), else nothing (no query)."""
    match = request.resolver_match
    if match is None or match.view_name != "wiki:page":
        return {}
    kwargs = match.kwargs
    return wiki_selectors.page_translation_urls(
        space_slug=kwargs["space"], language=kwargs["lang"], slug=kwargs["slug"], user=request.user
    )


def _language_links(request: HttpRequest) -> list[LanguageLink]:
    cached = getattr(request, "_wikispiral_language_links", None)
    if cached is not None:
        return cached
    here = request.get_full_path()
    translations = _page_translations(request)
    current = get_language()
    links = [
        LanguageLink(
            code=code,
            name_local=get_language_info(code)["name_local"],
            next=translations.get(code, here),
            current=code == current,
        )
        for code, _name in settings.LANGUAGES
    ]
    request._wikispiral_language_links = links  # type: ignore[attr-defined]
    return links


def languages(request: HttpRequest) -> dict:
    """The language switcher's links. On a wiki page that exists in another language, that
    language's link leads to the translation; elsewhere every link comes back here. Computed
    only when a template shows the switcher."""
    return {"language_links": SimpleLazyObject(lambda: _language_links(request))}
