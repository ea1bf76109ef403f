"""My notifications: the changes of what she follows, by others, after she followed, newest
first, in her time zone; new ones marked until she opens the page; what she can no longer see
left out; a fixed number of queries whatever she follows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from territories.secretariat.services import coordination_group_hide
from tests.factories import make_coordination_group, make_page, make_user
from tests.notifications.conftest import follow
from wikispiral.notifications.models import Change, Preference
from wikispiral.notifications.services import change_record
from wikispiral.wiki import services as wiki

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")


def _edit(page, actor, body: str, comment: str = "") -> None:
    page.refresh_from_db()
    wiki.page_revise(
        page=page,
        actor=actor,
        title=page.title,
        body=body,
        base_revision_id=page.current_revision_id,
        comment=comment,
    )


def test_she_sees_what_others_changed_after_she_followed_newest_first(client_for):
    ana, bruno = make_user(), make_user(display_name="Bruno")
    wells = make_page(title="Wells", body="Before")
    _edit(wells, bruno, "Before she followed")
    follow(ana, "page", wells.pk)
    garden = make_page(title="Garden")
    follow(ana, "page", garden.pk)
    _edit(wells, bruno, "One", comment="fixed the depth")
    _edit(garden, bruno, "Two")
    _edit(garden, ana, "Her own")

    html = client_for(ana).get(LIST).content.decode()

    assert html.count('<li class="notification') == 2
    assert html.index("Garden") < html.index("Wells")  # newest first
    assert "Bruno" in html and "fixed the depth" in html and "Edited" in html
    assert "Her own" not in html


def test_new_ones_are_marked_until_she_opens_the_page(client_for):
    ana, bruno = make_user(), make_user()
    page = make_page()
    follow(ana, "page", page.pk)
    _edit(page, bruno, "One")
    client = client_for(ana)

    first = client.get(LIST).content.decode()
    second = client.get(LIST).content.decode()
    _edit(page, bruno, "Two")
    third = client.get(LIST).content.decode()

    assert "1 new notification on this page." in first
    assert "0 new notifications on this page." in second
    assert third.count("is-new") == 1 and third.count('<li class="notification') == 2
    assert Preference.objects.get(user=ana).seen_until is not None


def test_times_are_shown_in_her_time_zone(client_for):
    ana = make_user(time_zone="Atlantic/Cape_Verde")  # UTC-1
    page = make_page(title="Praia")
    follow(ana, "page", page.pk)
    _edit(page, make_user(), "One")
    at = timezone.now().replace(hour=10, minute=30, second=0, microsecond=0)
    Change.objects.filter(verb="edit").update(created_at=at)

    html = client_for(ana).get(LIST).content.decode()

    assert (
        "09:30" in html
        and 'datetime="'
        + at.astimezone(datetime.timezone(datetime.timedelta(hours=-1))).isoformat()
        in html
    )


def test_what_she_can_no_longer_see_is_left_out(client_for):
    ana, facilitator = make_user(), make_user()
    group = make_coordination_group(name="Soon hidden", facilitator=facilitator)
    follow(ana, "group", group.pk)
    change_record(
        kind="group",
        key=group.pk,
        actor=facilitator,
        title="Soon hidden",
        url="/cg/x/",
        verb="updated",
    )
    visible = client_for(ana).get(LIST).content.decode()
    coordination_group_hide(actor=make_user(secretariat=True), group=group, reason="Test")

    hidden = client_for(ana).get(LIST).content.decode()

    assert "Soon hidden" in visible
    assert "Soon hidden" not in hidden


def test_pages_of_fifty(client_for):
    ana, bruno = make_user(), make_user()
    page = make_page(title="Busy")
    follow(ana, "page", page.pk)
    Change.objects.bulk_create(
        Change(kind="page", key=str(page.pk), actor=bruno, title="Busy", url="/", verb="edit")
        for _number in range(60)
    )
    client = client_for(ana)

    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()
    nonsense = client.get(LIST, {"page": "x\x01"})

    assert first.count('<li class="notification') == 50 and "Page 1 of 2" in first
    assert second.count('<li class="notification') == 10
    assert nonsense.status_code in (200, 400)


@pytest.mark.parametrize("count", [2, 20])
def test_queries_do_not_grow_with_what_she_follows(
    client_for, django_assert_max_num_queries, count
):
    ana, bruno = make_user(), make_user()
    for number in range(count):
        page = make_page(title=f"Page {number}")
        group = make_coordination_group()
        follow(ana, "page", page.pk)
        follow(ana, "group", group.pk)
        change_record(kind="page", key=page.pk, actor=bruno, title="p", url="/", verb="edit")
        change_record(kind="group", key=group.pk, actor=bruno, title="g", url="/", verb="updated")
    client = client_for(ana)
    client.get(LIST)

    # Session and user, her choices, count, the page of changes, per kind on it: who may see
    # (pages: 1; groups: 1) and their names (1 each), then marking them seen.
    with django_assert_max_num_queries(10):
        response = client.get(LIST)

    assert response.content.decode().count('<li class="notification') == 2 * count


def test_anonymous_visitors_are_sent_to_log_in(client):
    for name in ("list", "following", "settings"):
        response = client.get(reverse(f"notifications:{name}"))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
