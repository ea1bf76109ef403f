"""Fixtures of the notifications tests: digests cut at the clock itself (no settling delay),
and a helper to follow things as the service does."""

import pytest

from wikispiral.accounts.models import User
from wikispiral.notifications.models import Follow


@pytest.fixture(autouse=True)
def _settled_at_once(settings) -> None:
    # Changes are made a moment before the digest in these tests; in production the cut-off
    # stays a minute behind the clock.
    settings.NOTIFICATIONS_SETTLE_SECONDS = 0


def follow(user: User, kind: str, key: object) -> Follow:
    return Follow.objects.create(user=user, kind=kind, key=str(key))
