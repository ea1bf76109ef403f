"""My wikispiral: each person lands on her own page after login and finds what needs her, for
every role she holds, and nothing of other people's groups."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from criteria.models import GridVersion, ImportBatch
from projects import services as project_services
from syntheses.models import PendingScope, Report, Scope, Snapshot
from territories.services import invitation_create, membership_set
from tests.factories import (
    DEFAULT_PASSWORD,
    make_application,
    make_coordination_group,
    make_criterion,
    make_homogeneous_group,
    make_page,
    make_user,
)
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db

MINE = reverse("mine:home")
LOGIN = reverse("accounts:login")


def _page(client) -> str:
    response = client.get(MINE)
    assert response.status_code == 200
    return response.content.decode()


def _busy_group(facilitator, *, name: str, waiting: int = 2, empty: int = 1):
    """A group facilitated by facilitator, with something of every kind waiting."""
    group = make_coordination_group(facilitator=facilitator, name=name)
    with cross_tenant():
        full = make_homogeneous_group(tenant=group, name=f"{name} full")
        for number in range(waiting):
            make_criterion(tenant=group, group=full, text=f"{name} waiting {number}")
        make_criterion(tenant=group, group=full, component="A01")
        for number in range(empty):
            make_homogeneous_group(tenant=group, name=f"{name} empty {number}")
        ImportBatch.objects.create(
            tenant=group,
            file_sha256=f"{group.pk:064d}",
            filename=f"{name}.csv",
            status=ImportBatch.Status.FAILED,
        )
    invitation_create(group=group, email=f"new-{group.pk}@example.org", role="editor", actor=None)
    Snapshot.objects.create(
        scope=Scope.COORDINATION_GROUP,
        scope_id=group.pk,
        grid_version=GridVersion.objects.get(is_current=True),
        criteria_count=waiting + 1,
        computed_at=timezone.now(),
    )
    Report.objects.create(
        scope=Scope.COORDINATION_GROUP, scope_id=group.pk, language="fr", status=Report.Status.DONE
    )
    return group


# --- Landing ------------------------------------------------------------------------------------


def test_login_lands_on_my_wikispiral(client):
    make_user(username="ana")

    response = client.post(LOGIN, {"username": "ana", "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/my/"


def test_next_still_wins_over_my_wikispiral(client):
    make_user(username="ana")

    response = client.post(
        LOGIN, {"username": "ana", "password": DEFAULT_PASSWORD, "next": "/groups/"}
    )

    assert response["Location"] == "/groups/"


def test_anonymous_visitor_is_sent_to_log_in_and_back(client):
    response = client.get(MINE)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={MINE}"


def test_the_wiki_home_stays_one_click_away(client):
    client.force_login(make_user())

    assert f'href="{reverse("wiki:home")}"' in _page(client)


# --- The facilitator ----------------------------------------------------------------------------


def test_facilitator_sees_what_needs_her_in_each_group(client):
    ana = make_user()
    mulhouse = _busy_group(ana, name="Mulhouse", waiting=3, empty=2)
    charleroi = _busy_group(ana, name="Charleroi", waiting=1, empty=0)
    client.force_login(ana)

    html = _page(client)

    assert "Groups I facilitate" in html
    assert "3 criteria waiting for classification" in html
    assert "1 criterion waiting for classification" in html
    assert f'href="{reverse("classification:queue", kwargs={"cg": mulhouse.slug})}"' in html
    assert "2 homogeneous groups without criteria" in html
    assert "Mulhouse empty 0" in html and "Mulhouse empty 1" in html
    assert "Charleroi empty" not in html
    assert "Every homogeneous group has criteria." in html
    assert html.count("1 pending invitation") == 2
    assert "Mulhouse.csv" in html and "Charleroi.csv" in html
    assert "Failed" in html
    assert "4 criteria, computed" in html and "2 criteria, computed" in html
    assert "Report (FR)" in html
    for group in (mulhouse, charleroi):
        assert f'href="{reverse("syntheses:synthesis", kwargs={"key": f"cg-{group.pk}"})}"' in html
        assert f'href="{reverse("groups:members", kwargs={"cg": group.slug})}"' in html
        assert f'href="{reverse("transfer:import", kwargs={"cg": group.slug})}"' in html


def test_facilitator_sees_a_synthesis_being_recomputed_and_one_never_computed(client):
    ana = make_user()
    group = make_coordination_group(facilitator=ana, name="Quiet")
    PendingScope.objects.create(
        scope=Scope.COORDINATION_GROUP, scope_id=group.pk, marked_at=timezone.now()
    )
    client.force_login(ana)

    html = _page(client)

    assert "not computed yet" in html
    assert "being recomputed" in html
    assert "No criteria waiting for classification." in html
    assert "No imports yet." in html


def test_an_outsiders_groups_never_appear(client):
    ana, bea = make_user(), make_user()
    _busy_group(ana, name="Mine", waiting=1)
    theirs = _busy_group(bea, name="Theirs", waiting=7, empty=3)
    page = make_page(author=bea, title="Their private notes", space=theirs.space)
    client.force_login(ana)

    html = _page(client)

    assert "Mine" in html
    assert "Theirs" not in html
    assert theirs.slug not in html
    assert "7 criteria" not in html
    assert page.title not in html


def test_a_member_sees_her_groups_but_no_facilitators_card(client):
    ana, facilitator = make_user(), make_user()
    group = make_coordination_group(facilitator=facilitator, name="Lisbon")
    membership_set(group=group, user=ana, role="editor")
    with cross_tenant():
        hg = make_homogeneous_group(tenant=group, name="Young people of Lisbon")
        hg.facilitators.add(ana)
    client.force_login(ana)

    html = _page(client)

    assert "Groups I belong to" in html
    assert "Lisbon" in html and "Editor" in html
    assert "Young people of Lisbon" in html
    assert "Groups I facilitate" not in html
    assert "waiting for classification" not in html


# --- The citizen --------------------------------------------------------------------------------


def test_citizen_sees_her_pages_participants_votes_and_workshops(client):
    organiser = make_user()
    make_coordination_group(facilitator=organiser)
    ana = make_user()
    household = project_services.participant_join(
        actor=ana, kind="citizen", subtype="family", name="The Silva household"
    )
    workshop = project_services.workshop_create(
        actor=organiser,
        title="Eating local",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        time_zone="Europe/Paris",
        duration_minutes=60,
        languages=["en"],
        meeting_url="https://meet.example.org/food",
        capacity=10,
    )
    project_services.workshop_signup(workshop=workshop, participant=household, actor=ana)
    open_charter = project_services.charter_draft(actor=organiser, title="Our food charter")
    project_services.charter_open(
        charter=open_charter,
        actor=organiser,
        closes_at=timezone.now() + datetime.timedelta(days=7),
    )
    voted = project_services.charter_draft(actor=organiser, title="Already voted charter")
    voted = project_services.charter_open(
        charter=voted, actor=organiser, closes_at=timezone.now() + datetime.timedelta(days=7)
    )
    project_services.charter_vote(
        charter=voted, participant=household, actor=ana, voice="approve", remarks=""
    )
    project_services.charter_draft(actor=organiser, title="Draft charter")
    make_page(author=ana, title="Walking to school")
    client.force_login(ana)

    html = _page(client)

    assert "My contributions" in html
    assert "The Silva household" in html
    household_url = reverse("projects:participant", kwargs={"participant": household.slug})
    assert f'href="{household_url}"' in html
    assert "Votes to cast" in html
    assert "Our food charter" in html
    assert "Already voted charter" not in html
    assert "Draft charter" not in html
    assert "Eating local" in html
    assert "Walking to school" in html
    assert "Where to start" not in html


def test_applicant_sees_her_applications_and_their_state(client):
    ana = make_user()
    make_application(applicant=ana, name="Town of Praia")
    make_application(name="Someone else's town")
    client.force_login(ana)

    html = _page(client)

    assert "Town of Praia" in html
    assert "Submitted" in html
    assert "Someone else" not in html


def test_a_new_person_gets_friendly_next_steps(client):
    client.force_login(make_user())

    html = _page(client)

    assert "Where to start" in html
    assert f'href="{reverse("applications:apply")}"' in html
    assert f'href="{reverse("directory:directory")}"' in html
    assert f'href="{reverse("projects:home")}"' in html
    assert "My contributions" not in html
    assert "Groups I facilitate" not in html


# --- The secretariat ----------------------------------------------------------------------------


def test_secretariat_sees_its_queues_with_counts(client):
    make_application()
    make_application()
    make_application(status="changes")
    make_application(status="rejected")
    staff = make_user(secretariat=True)
    client.force_login(staff)

    html = _page(client)

    assert "The secretariat&#x27;s queues" in html or "The secretariat's queues" in html
    assert "2 applications awaiting action" in html
    assert "1 application waiting for changes from the applicant" in html
    assert f'href="{reverse("applications:queue")}?status=submitted"' in html
    assert f'href="{reverse("secretariat:dashboard")}"' in html
    assert "Where to start" not in html


def test_a_person_with_several_roles_sees_each_section(client):
    ana = make_user(secretariat=True)
    _busy_group(ana, name="Praia")
    project_services.participant_join(
        actor=ana, kind="citizen", subtype="individual", name="Ana herself"
    )
    client.force_login(ana)

    html = _page(client)

    assert "queues" in html
    assert "Groups I facilitate" in html
    assert "My contributions" in html
    assert "Ana herself" in html


# --- Cost ---------------------------------------------------------------------------------------


def test_queries_do_not_grow_with_the_number_of_groups(client, django_assert_max_num_queries):
    ana = make_user(secretariat=True)
    _busy_group(ana, name="First")
    project_services.participant_join(actor=ana, kind="citizen", subtype="individual", name="Ana")
    client.force_login(ana)
    client.get(MINE)  # warm the caches a first request fills
    with CaptureQueriesContext(connection) as one_group:
        client.get(MINE)
    for number in range(4):
        _busy_group(ana, name=f"More {number}")

    with django_assert_max_num_queries(len(one_group)):
        html = client.get(MINE).content.decode()

    assert html.count("waiting for classification") == 5


def test_the_page_stays_within_its_query_budget(client, django_assert_max_num_queries):
    ana = make_user(secretariat=True)
    for number in range(5):
        _busy_group(ana, name=f"Group {number}")
    client.force_login(ana)
    client.get(MINE)

    # Session and user, then one query per kind across every group (and the secretariat's
    # counts): a figure that does not depend on the number of groups.
    with django_assert_max_num_queries(20):
        assert client.get(MINE).status_code == 200


def test_a_facilitator_of_five_groups_gets_under_40_kb(client):
    ana = make_user()
    for number in range(5):
        _busy_group(ana, name=f"A platform with a rather long name {number}", waiting=4, empty=6)
    make_page(author=ana, title="Notes")
    client.force_login(ana)

    response = client.get(MINE)

    assert response.status_code == 200
    assert len(response.content) < 40 * 1024
