"""What each app records when something followable changes, and what following costs the
person who writes: pages (every revision; writing one makes you follow it), coordination
groups (their profile, a new homogeneous group), actions (published, state, pledge), synthesis
scopes (new figures, once per scope and only when they changed)."""

import pytest
from django.db import transaction

from projects.actions.services import action_create, action_publish, action_update, pledge_create
from syntheses import services as syntheses
from territories.services import coordination_group_update, homogeneous_group_create
from tests.factories import (
    make_coordination_group,
    make_criterion,
    make_page,
    make_user,
)
from tests.notifications.conftest import follow
from wikispiral.notifications.models import Change, Follow, Preference
from wikispiral.notifications.services import change_record
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki import services as wiki

pytestmark = pytest.mark.django_db


def _changes(kind: str, key: object) -> list[Change]:
    return list(Change.objects.filter(kind=kind, key=str(key)).order_by("pk"))


def test_every_revision_of_a_page_is_a_change_with_its_summary_and_kind():
    ana = make_user(display_name="Ana")
    page = make_page(title="Water", author=ana)

    wiki.page_revise(
        page=page,
        actor=ana,
        title="Water",
        body="New text",
        base_revision_id=page.current_revision_id,
        comment="Added\nthe wells",
    )
    wiki.page_move(page=page, actor=ana, title="Water and wells")

    created, edited, moved = _changes("page", page.pk)
    assert (created.verb, edited.verb, moved.verb) == ("create", "edit", "move")
    assert edited.summary == "Added the wells"  # one line
    assert edited.actor_id == ana.pk and edited.title == "Water"
    assert moved.url == page.get_absolute_url() and moved.title == "Water and wells"


def test_writing_a_page_makes_its_author_follow_it_as_mediawiki_does():
    ana, bruno = make_user(), make_user()
    page = make_page(author=ana)

    wiki.page_revise(
        page=page,
        actor=bruno,
        title=page.title,
        body="Bruno's",
        base_revision_id=page.current_revision_id,
    )

    followers = set(
        Follow.objects.filter(kind="page", key=str(page.pk)).values_list("user", flat=True)
    )
    assert followers == {ana.pk, bruno.pk}


def test_moving_or_protecting_a_page_does_not_make_you_follow_it():
    staff = make_user(secretariat=True)
    page = make_page()

    wiki.page_protect(page=page, actor=staff, protected=True)
    wiki.page_move(page=page, actor=staff, title="Elsewhere")

    assert not Follow.objects.filter(user=staff).exists()
    assert len(_changes("page", page.pk)) == 3


def test_who_turned_off_following_what_she_edits_does_not_follow_it():
    ana = make_user()
    Preference.objects.create(user=ana, follow_edits=False)

    make_page(author=ana)

    assert not Follow.objects.filter(user=ana).exists()


def test_an_anonymous_or_system_save_follows_nothing_and_records_no_actor():
    page = make_page(author=None)

    assert not Follow.objects.exists()
    assert _changes("page", page.pk)[0].actor_id is None


def test_a_change_is_part_of_the_callers_transaction():
    page = make_page()

    with pytest.raises(RuntimeError), transaction.atomic():
        wiki.page_revise(
            page=page,
            actor=None,
            title=page.title,
            body="Gone",
            base_revision_id=page.current_revision_id,
        )
        raise RuntimeError("the save fails after the change was recorded")

    assert len(_changes("page", page.pk)) == 1  # the creation only


def test_long_or_odd_texts_are_cut_never_refused():
    change_record(
        kind="page",
        key=1,
        actor=None,
        title="T" * 1000 + "\x00",
        url="/x/",
        summary="a\n\tb\x00" + "s" * 1000,
    )

    change = Change.objects.get()
    assert len(change.title) == 300 and "\x00" not in change.title
    assert change.summary.startswith("a b") and len(change.summary) == 300


def test_an_unregistered_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="not a followable kind"):
        change_record(kind="nonsense", key=1, actor=None, title="x", url="/")


def test_a_groups_profile_update_and_a_new_homogeneous_group_are_changes_of_the_group():
    facilitator = make_user()
    group = make_coordination_group(name="Lyon", facilitator=facilitator)

    coordination_group_update(actor=facilitator, group=group, process_summary="We met twice.")
    coordination_group_update(actor=facilitator, group=group, process_summary="We met twice.")
    with cross_tenant():
        homogeneous_group_create(
            actor=facilitator, group=group, name="Young people", profile_other="Young people"
        )

    updated, formed = _changes("group", group.pk)
    assert (updated.verb, formed.verb, formed.summary) == (
        "updated",
        "homogeneous_group",
        "Young people",
    )
    assert updated.url == f"/cg/{group.slug}/" and updated.title == "Lyon"


def test_an_action_tells_of_its_publication_its_new_state_and_each_pledge():
    facilitator = make_user()
    group = make_coordination_group(facilitator=facilitator)
    action = action_create(tenant=group, actor=facilitator, title="Repair café", language="en")
    assert _changes("action", action.pk) == []  # a draft nobody could follow yet

    action = action_publish(tenant=group, actor=facilitator, action=action)
    action_update(
        tenant=group,
        actor=facilitator,
        action=action,
        title="Repair café",
        language="en",
        status="agreed",
    )
    action_update(
        tenant=group,
        actor=facilitator,
        action=action,
        title="Repair café!",
        language="en",
        status="agreed",
    )
    pledge_create(tenant=group, actor=facilitator, action=action, pledger="person", offer="time")

    assert [change.verb for change in _changes("action", action.pk)] == [
        "published",
        "state:agreed",
        "pledge",
    ]


def test_new_figures_of_a_followed_scope_are_one_change_once_the_recomputation_commits(
    django_capture_on_commit_callbacks,
):
    reader = make_user()
    group = make_coordination_group(name="Porto")
    follow(reader, "scope", f"cg-{group.pk}")
    follow(reader, "scope", "network")
    make_criterion(tenant=group, component="A01")

    with django_capture_on_commit_callbacks(execute=True):
        syntheses.syntheses_recompute_all()
    with django_capture_on_commit_callbacks(execute=True):
        syntheses.syntheses_recompute_all(force=True)  # the same figures: nothing to tell

    changes = list(Change.objects.filter(kind="scope").order_by("key"))
    assert [(change.key, change.verb) for change in changes] == [
        (f"cg-{group.pk}", "figures"),
        ("network", "figures"),
    ]
    assert changes[0].title == "Porto" and changes[0].url == f"/syntheses/cg-{group.pk}/"
    # Scopes nobody follows (the country, the continent...) leave no row.
    assert Change.objects.filter(kind="scope").count() == 2
