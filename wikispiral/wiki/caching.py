"""Generation counters and the caches of the page engine.

Like MediaWiki's parser cache, rendered HTML is kept per revision; page rows, page parts and
whole anonymous responses are kept per address. Instead of hunting every key a change could
affect, entries carry the generations they were built under and are ignored once those move on:
- the *structure* generation moves when pages appear, disappear, move, change title or
  protection, or attachments appear (red links, breadcrumbs, children lists anywhere may change);
- a *space* generation moves on any save in that space.
A reader fetches an entry and both generations in one round trip (get_many). A writer stores
under the generations read *before* it read the data, so a save that lands in between leaves
the new entry stale at once instead of caching old data under new generations.
"""

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

STRUCTURE_KEY = "wiki:gen:structure"
HOME_SPACE_SLUG = "network"
ENTRY_TTL = 60 * 60
RENDERED_TTL = 60 * 60 * 24


@dataclass(frozen=True)
class Generations:
    structure: int
    space: int


@dataclass(frozen=True)
class Cached:
    key: str
    value: object | None
    generations: Generations


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


def invalidate(*, space_slug: str | None = None, structure: bool = False) -> None:
    """Retire cached entries of a space and/or of the whole structure, now and after commit.

    A reader between the two bumps may cache what it read before the commit; the second bump
    retires that entry too (the "delete twice" pattern).
    """

    def bump() -> None:
        if space_slug is not None:
            bump_space(space_slug)
        if structure:
            bump_structure()

    bump()
    transaction.on_commit(bump)


def lookup(key: str, space_slug: str) -> Cached:
    """The entry at key if still current, with the generations to store a fresh one under."""
    space_key = _space_key(space_slug)
    found = cache.get_many([key, STRUCTURE_KEY, space_key])
    generations = Generations(
        structure=found.get(STRUCTURE_KEY) or _initial_generation(STRUCTURE_KEY),
        space=found.get(space_key) or _initial_generation(space_key),
    )
    entry = found.get(key)
    if entry is None or entry[0] != generations:
        return Cached(key, None, generations)
    return Cached(key, entry[1], generations)


def store(key: str, generations: Generations, value: object, ttl: int = ENTRY_TTL) -> None:
    cache.set(key, (generations, value), ttl)


def anonymous_page_key(path: str, language: str) -> str:
    digest = hashlib.sha256(path.encode("utf-8")).hexdigest()[:32]
    return f"wiki:anon:{language}:{digest}"


def personal_page_key(path: str, language: str, reader: str) -> str:
    digest = hashlib.sha256(f"{path}|{language}|{reader}".encode()).hexdigest()[:40]
    return f"wiki:mine:{digest}"


def page_lookup_key(space_slug: str, language: str, slug: str) -> str:
    digest = hashlib.sha256(f"{space_slug}/{language}/{slug}".encode()).hexdigest()[:32]
    return f"wiki:page:{digest}"


def page_fragments_key(page_id: int, revision_id: int, language: str, variant: str) -> str:
    return f"wiki:frag:{page_id}:{revision_id}:{language}:{variant}"


def _rendered_key(revision_id: int, language: str) -> str:
    # The interface language is part of the key: red-link tooltips are translated at render time.
    return f"wiki:html:{revision_id}:{language}"


def rendered_get(revision_id: int, language: str) -> tuple[object | None, int]:
    """Rendered markup of a revision if built under the current structure generation, and
    that generation (to store a fresh rendering under)."""
    key = _rendered_key(revision_id, language)
    found = cache.get_many([key, STRUCTURE_KEY])
    structure = found.get(STRUCTURE_KEY) or _initial_generation(STRUCTURE_KEY)
    entry = found.get(key)
    if entry is None or entry[0] != structure:
        return None, structure
    return entry[1], structure


def rendered_set(revision_id: int, language: str, structure: int, rendered: object) -> None:
    cache.set(_rendered_key(revision_id, language), (structure, rendered), RENDERED_TTL)
