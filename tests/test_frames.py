"""wikispiral.frames: query results as DataFrames, on SQLite and (COPY) on PostgreSQL."""

import pytest

from tests.factories import make_user
from wikispiral.accounts.models import User
from wikispiral.frames import queryset_frame

pytestmark = pytest.mark.django_db


def test_rows_come_back_as_a_frame():
    first, second = make_user(), make_user()

    frame = queryset_frame(
        User.objects.order_by("pk").values_list("pk", "username"), ["id", "name"]
    )

    assert list(frame["id"]) == [first.pk, second.pk]
    assert list(frame["name"]) == [first.username, second.username]


def test_a_filter_that_can_match_nothing_gives_an_empty_frame():
    # pk__in=[] cannot even be written as SQL (Django raises EmptyResultSet when compiling).
    frame = queryset_frame(User.objects.filter(pk__in=[]).values_list("pk"), ["id"])

    assert frame.empty
    assert list(frame.columns) == ["id"]
