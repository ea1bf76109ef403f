"""Full-text search over wiki pages.

PostgreSQL does the real work: each page keeps a weighted ``search_vector`` (title A, plain text
B) built in the page's own language, so French stemming applies to French pages only. Other
databases (SQLite in development) fall back to case-insensitive substring matching, good
enough to click through the site without a PostgreSQL server.

When the reader's language finds few pages (fewer than ``FEW_RESULTS``), ``page_search_for_reader``
also looks in the other languages, each page still matched with its own language's configuration.

Snippets are built from the database's (or our) highlighting with sentinel characters, then
escaped as a whole and only then given ``<mark>`` tags: page text can never inject markup.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import (
    Case,
    Expression,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Replace
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from wikispiral.wiki.markup import render_plain
from wikispiral.wiki.models import Page, Revision

SEARCH_CONFIGS: dict[str, str] = {"en": "english", "fr": "french", "pt": "portuguese"}
DEFAULT_SEARCH_CONFIG = "simple"
MAX_QUERY_LENGTH = 200
MAX_LIMIT = 100
SNIPPET_LENGTH = 200
# Below this many results in the reader's language, the other languages are searched too.
FEW_RESULTS = 5
# At most this many other-language results are shown; the all-languages search has the rest.
OTHER_LANGUAGES_LIMIT = 10

# Private-use code points: no real text contains them, and we strip them from the text before
# highlighting anyway, so every sentinel in a headline is one the database put there.
_MARK_START = "\ue000"
_MARK_STOP = "\ue001"
_MARKED = re.compile(f"{_MARK_START}([^{_MARK_START}{_MARK_STOP}]*){_MARK_STOP}")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class SearchHit:
    page: Page
    title: str
    url: str
    snippet_html: SafeString
    rank: float
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SearchPage:
    results: list[SearchHit]
    total: int
    query: str


@dataclass(frozen=True, slots=True)
class ReaderSearch:
    """Results in the reader's language, and the other languages' when those were few."""

    main: SearchPage
    # None when not looked for (enough results, or a later page) or when nothing matched.
    other_languages: SearchPage | None


def search_config(language: str) -> str:
    """The PostgreSQL text search configuration for a page language ("simple" if unknown)."""
    return SEARCH_CONFIGS.get(language, DEFAULT_SEARCH_CONFIG)


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def page_search_index_update(*, page_id: int) -> None:
    """Rebuild one page's search vector from its title and current revision; no-op off PostgreSQL.

    Safe to run twice or late: a missing page is ignored, and the UPDATE is conditional on the
    revision we read still being current, so a stale task never overwrites a newer vector (the
    task queued by the newer save writes it).
    """
    if not _is_postgresql():
        return
    page = (
        Page.objects.filter(pk=page_id)
        .select_related("current_revision")
        .only("language", "title", "current_revision__body")
        .first()
    )
    if page is None:
        return
    config = search_config(page.language)
    body = page.current_revision.body if page.current_revision else ""
    vector = SearchVector(Value(page.title), config=config, weight="A") + SearchVector(
        Value(render_plain(body)), config=config, weight="B"
    )
    Page.objects.filter(pk=page_id, current_revision_id=page.current_revision_id).update(
        search_vector=vector
    )


def _visible_pages() -> QuerySet[Page]:
    # Search crosses every space on purpose: it shows public, live pages only, to anyone.
    return (
        Page.objects.filter(space__is_public=True, is_deleted=False, current_revision__isnull=False)
        .select_related("space", "current_revision")
        .defer("search_vector")
    )


def page_search(
    *, query: str, language: str | None, limit: int = 20, offset: int = 0
) -> SearchPage:
    """Public, live pages matching ``query``, best first; ``language=None`` searches them all.

    The query is stripped and cut to 200 characters; a blank one returns an empty page without
    touching the database. ``limit`` is clamped to 1..100. At most two queries (count, page).
    Each hit's page comes with its space and current revision loaded, except on PostgreSQL the
    revision body, which the snippet already summarises.
    """
    return _search(query, [language] if language else None, limit, offset)


def page_search_other_languages(
    *, query: str, language: str, limit: int = OTHER_LANGUAGES_LIMIT, offset: int = 0
) -> SearchPage:
    """As ``page_search``, over the pages in every language but ``language``, best first.

    Each page is matched and ranked with its own language's configuration, so ranks from
    different languages are comparable enough to interleave.
    """
    others = [code for code, _name in settings.LANGUAGES if code != language]
    return _search(query, others, limit, offset)


def page_search_for_reader(
    *, query: str, language: str, limit: int = 20, offset: int = 0
) -> ReaderSearch:
    """``page_search`` in the reader's language; below it, when that found fewer than
    ``FEW_RESULTS`` pages, the first ``OTHER_LANGUAGES_LIMIT`` matches in other languages.

    Other languages are looked at on the first page of results only. At most four queries.
    """
    main = page_search(query=query, language=language, limit=limit, offset=offset)
    other_languages = None
    if offset == 0 and main.total < FEW_RESULTS:
        found = page_search_other_languages(query=query, language=language)
        other_languages = found if found.total else None
    return ReaderSearch(main=main, other_languages=other_languages)


def _search(query: str, languages: list[str] | None, limit: int, offset: int) -> SearchPage:
    # PostgreSQL text cannot hold NUL, and a stray one would turn a search into a 500.
    query = query.replace("\x00", "").strip()[:MAX_QUERY_LENGTH].strip()
    if not query or languages == []:
        return SearchPage(results=[], total=0, query=query)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    if _is_postgresql():
        return _page_search_postgresql(query, languages, limit, offset)
    return _page_search_fallback(query, languages, limit, offset)


def _page_search_postgresql(
    query: str, languages: list[str] | None, limit: int, offset: int
) -> SearchPage:
    if languages is None:
        languages = [code for code, _name in settings.LANGUAGES]
    # One OR branch per language with a constant configuration, so PostgreSQL can use the GIN
    # index on search_vector for each branch (a per-row configuration could not).
    matches = Q()
    for code in languages:
        matches |= Q(
            language=code,
            search_vector=SearchQuery(query, config=search_config(code), search_type="websearch"),
        )
    pages = _visible_pages().filter(matches)
    total = pages.count()
    if total == 0 or offset >= total:
        return SearchPage(results=[], total=total, query=query)

    # Rank and headline run on matched rows only, so a per-row configuration is fine here.
    row_config: Expression
    if len(languages) == 1:
        row_config = Value(search_config(languages[0]))
    else:
        row_config = Case(
            *[When(language=code, then=Value(search_config(code))) for code in languages],
            default=Value(DEFAULT_SEARCH_CONFIG),
        )
    row_query = SearchQuery(query, config=row_config, search_type="websearch")
    # Plain text is not stored, so the headline reads the Markdown source. Sentinels are
    # removed from it first so that only ts_headline's own marks survive.
    body = Replace(
        Replace(F("current_revision__body"), Value(_MARK_START), Value("")),
        Value(_MARK_STOP),
        Value(""),
    )
    # The headline is computed in SQL, so the (possibly long) body need not travel.
    rows = (
        pages.defer("current_revision__body")
        .annotate(
            rank=SearchRank(F("search_vector"), row_query),
            headline=SearchHeadline(
                body,
                row_query,
                config=row_config,
                start_sel=_MARK_START,
                stop_sel=_MARK_STOP,
                max_fragments=2,
                max_words=30,
                min_words=12,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-updated_at", "pk")[offset : offset + limit]
    )
    results = [
        _hit(page, rank=page.rank, snippet_html=_highlight_marked(render_plain(page.headline)))
        for page in rows
    ]
    return SearchPage(results=results, total=total, query=query)


def _page_search_fallback(
    query: str, languages: list[str] | None, limit: int, offset: int
) -> SearchPage:
    words = _words(query)
    if not words:
        return SearchPage(results=[], total=0, query=query)
    pages = _visible_pages()
    if languages is not None:
        pages = pages.filter(language__in=languages)
    title_match = Q()
    for word in words:
        pages = pages.filter(Q(title__icontains=word) | Q(current_revision__body__icontains=word))
        title_match |= Q(title__icontains=word)
    total = pages.count()
    if total == 0 or offset >= total:
        return SearchPage(results=[], total=total, query=query)
    rows = pages.annotate(
        title_match=Case(
            When(title_match, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    ).order_by("-title_match", "-updated_at", "pk")[offset : offset + limit]
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    results = [
        _hit(
            page,
            rank=float(page.title_match),
            # _visible_pages keeps pages that have a current revision only.
            snippet_html=_snippet_around_match(
                render_plain(cast(Revision, page.current_revision).body), pattern
            ),
        )
        for page in rows
    ]
    return SearchPage(results=results, total=total, query=query)


def _words(query: str) -> list[str]:
    # websearch syntax ("quoted phrase", -word, or) means nothing to the fallback: keep words.
    words = (word.strip("\"'").lstrip("-") for word in query.split())
    return [word for word in dict.fromkeys(words) if word and word.lower() != "or"]


def _hit(page: Page, *, rank: float, snippet_html: SafeString) -> SearchHit:
    return SearchHit(
        page=page,
        title=page.title,
        url=page.get_absolute_url(),
        snippet_html=snippet_html,
        rank=float(rank or 0.0),
        updated_at=page.updated_at,
    )


def _highlight_marked(text: str) -> SafeString:
    """Escape ``text`` whole, then turn sentinel pairs into <mark>; stray sentinels vanish."""
    text = _WHITESPACE.sub(" ", text).strip()
    escaped = _MARKED.sub(r"<mark>\1</mark>", escape(text))
    return mark_safe(escaped.replace(_MARK_START, "").replace(_MARK_STOP, ""))  # noqa: S308


def _snippet_around_match(text: str, pattern: re.Pattern[str]) -> SafeString:
    """About 200 characters of ``text`` around the first match, every match marked, escaped."""
    text = _WHITESPACE.sub(" ", text.replace(_MARK_START, "").replace(_MARK_STOP, "")).strip()
    first = pattern.search(text)
    if first is None:
        start, end = 0, SNIPPET_LENGTH
    else:
        start = max(0, first.start() - SNIPPET_LENGTH // 3)
        end = start + SNIPPET_LENGTH
    excerpt = text[start:end]
    marked = pattern.sub(lambda m: f"{_MARK_START}{m.group(0)}{_MARK_STOP}", excerpt)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return _highlight_marked(f"{prefix}{marked.strip()}{suffix}")
