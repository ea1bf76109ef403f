"""Generation counters and the two caches of the page engine.

Like MediaWiki's parser cache, rendered HTML is kept per revision; whole anonymous responses are
kept per address and interface language. Instead of hunting every key a change could affect,
entries carry the generations they were built under and are ignored once those move on:
- the *structure* generation moves when pages appear, disappear, move or change title (red
  links, breadcrumbs, children lists anywhere may change);
- a *space* generation moves on any save in that space.
A reader fetches the entry and both generations in one round trip (get_many).
"""

import hashlib
import time

from django.core.cache import cache

STRUCTURE_KEY = "wiki:gen:structure"
HOME_SPACE_SLUG = "network"
ANONYMOUS_TTL = 60 * 60
RENDERED_TTL = 60 * 60 * 24


def _space_key(space_slug: str) -> str:
    return f"wiki:gen:space:{space_slug}"


def _initial_generation(key: str) -> int:
    # A clock-based start value: if a counter is evicted, the new one never equals an old value.
    cache.add(key, time.time_ns(), timeout=None)
    return cache.get(key) or 0


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, time.time_ns(), timeout=None)


def bump_structure() -> None:
    _bump(STRUCTURE_KEY)


def bump_space(space_slug: str) -> None:
    _bump(_space_key(space_slug))


def structure_generation() -> int:
    return cache.get(STRUCTURE_KEY) or _initial_generation(STRUCTURE_KEY)


def _guarded_get(key: str, space_slug: str) -> object | None:
    """The entry at key if both generations it was stored under are still current."""
    found = cache.get_many([key, STRUCTURE_KEY, _space_key(space_slug)])
    entry = found.get(key)
    if entry is None:
        return None
    structure_gen, space_gen, value = entry
    if structure_gen != found.get(STRUCTURE_KEY) or space_gen != found.get(_space_key(space_slug)):
        return None
    return value


def _guarded_set(key: str, space_slug: str, value: object, ttl: int) -> None:
    structure_gen = structure_generation()
    space_gen = cache.get(_space_key(space_slug)) or _initial_generation(_space_key(space_slug))
    cache.set(key, (structure_gen, space_gen, value), ttl)


def _anonymous_key(path: str, language: str) -> str:
    digest = hashlib.sha256(path.encode("utf-8")).hexdigest()[:32]
    return f"wiki:anon:{language}:{digest}"


def anonymous_page_get(*, path: str, language: str, space_slug: str) -> bytes | None:
    """The cached response body for an anonymous reader, or None if absent or stale."""
    return _guarded_get(_anonymous_key(path, language), space_slug)  # type: ignore[return-value]


def anonymous_page_set(*, path: str, language: str, space_slug: str, body: bytes) -> None:
    _guarded_set(_anonymous_key(path, language), space_slug, body, ANONYMOUS_TTL)


def _fragments_key(page_id: int, revision_id: int, language: str, variant: str) -> str:
    return f"wiki:frag:{page_id}:{revision_id}:{language}:{variant}"


def page_fragments_get(
    *, page_id: int, revision_id: int, space_slug: str, language: str, variant: str
) -> dict[str, str] | None:
    """The rendered, user-independent parts of a page view for one permission variant."""
    key = _fragments_key(page_id, revision_id, language, variant)
    return _guarded_get(key, space_slug)  # type: ignore[return-value]


def page_fragments_set(
    *,
    page_id: int,
    revision_id: int,
    space_slug: str,
    language: str,
    variant: str,
    fragments: dict[str, str],
) -> None:
    key = _fragments_key(page_id, revision_id, language, variant)
    _guarded_set(key, space_slug, fragments, ANONYMOUS_TTL)


def _rendered_key(revision_id: int, language: str) -> str:
    # The interface language is part of the key: red-link tooltips are translated at render time.
    return f"wiki:html:{revision_id}:{language}"


def rendered_get(revision_id: int, language: str) -> object | None:
    """Rendered markup of a revision, if it was built under the current structure generation."""
    key = _rendered_key(revision_id, language)
    found = cache.get_many([key, STRUCTURE_KEY])
    entry = found.get(key)
    if entry is None or entry[0] != found.get(STRUCTURE_KEY):
        return None
    return entry[1]


def rendered_set(revision_id: int, language: str, rendered: object) -> None:
    cache.set(
        _rendered_key(revision_id, language), (structure_generation(), rendered), RENDERED_TTL
    )
