"""A per-person stamp that moves whenever what she follows changes.

Pages kept whole per reader (the wiki's personal page cache) show her follow button: they put
this stamp in their cache key, so a copy made before she followed or unfollowed is never
served again. It lives in the cache only (no query): a lost stamp starts again from the clock,
which retires her copies, never keeps a stale one.
"""

import time

from django.core.cache import cache
from django.db import transaction


def _key(user_id: int) -> str:
    return f"notifications:follows:{user_id}"


def follows_stamp(user_id: int) -> int:
    """Her current stamp (one cache read)."""
    key = _key(user_id)
    stamp = cache.get(key)
    if stamp is None:
        cache.add(key, time.time_ns(), timeout=None)
        stamp = cache.get(key) or 0
    return int(stamp)


def follows_changed(user_id: int) -> None:
    """Move her stamp now and once the transaction commits (a copy made in between, from the
    rows before the commit, is retired by the second move)."""

    def move() -> None:
        cache.set(_key(user_id), time.time_ns(), timeout=None)

    move()
    transaction.on_commit(move)
