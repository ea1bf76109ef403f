"""The network's events: the secretariat builds an event and its programme, publishes and
cancels it; people sign up to sessions; pages show each time in the reader's zone and the
organiser's; drafts and the organisers' pages stay hidden; bad input is refused with a message
and saves nothing; reports and conclusions become wiki pages."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from territories.events import permissions, reports, services
from territories.events.services import EventError
from territories.models import Event, EventSession, EventSignup
from tests.factories import make_coordination_group, make_user
from wikispiral.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.now().year + 1
# 13:00 UTC on 10 March: 14:00 in Paris (CET), 10:00 in São Paulo (no summer time).
MARCH_10 = datetime.datetime(NEXT_YEAR, 3, 10, 13, 0, tzinfo=datetime.UTC)


@pytest.fixture
def secretariat():
    return make_user(username="secretary", secretariat=True)


@pytest.fixture
def changes(monkeypatch):
    """What the events tell the notifications engine."""
    recorded = []

    def record(**kwargs):
        recorded.append(kwargs)

    monkeypatch.setattr(services, "change_record", record)
    return recorded


def make_event(
    organiser,
    *,
    title="Facilitators' seminar",
    kind="training",
    languages=("en", "fr", "pt"),
    zone="Europe/Paris",
    starts_at=None,
    hours=2,
    capacity=None,
    meeting_url="https://meet.example.org/seminar",
    publish=True,
):
    event = services.event_create(
        actor=organiser, kind=kind, title=title, time_zone=zone, languages=list(languages)
    )
    start = starts_at or timezone.now() + datetime.timedelta(days=10)
    services.session_add(
        event=event,
        actor=organiser,
        title="Opening",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=hours),
        meeting_url=meeting_url,
        capacity=capacity,
    )
    if publish:
        event = services.event_publish(event=event, actor=organiser)
    event.refresh_from_db()
    return event


def _session(event) -> EventSession:
    return event.sessions.order_by("starts_at").first()


def _detail(event) -> str:
    return reverse("events:detail", kwargs={"event": event.slug})


def _signup_url(event, session) -> str:
    return reverse("events:signup", kwargs={"event": event.slug, "event_session": session.pk})


# --- Building an event --------------------------------------------------------------------------


def test_the_secretariat_builds_a_programme_over_three_days_and_publishes_it(secretariat, changes):
    event = services.event_create(
        actor=secretariat,
        kind="international",
        title="International meeting",
        time_zone="Europe/Lisbon",
        languages=["pt", "fr", "en"],
    )
    assert event.status == Event.Status.DRAFT and event.slug == "international-meeting"
    assert event.languages == ["en", "fr", "pt"]  # the site's order
    start = timezone.now() + datetime.timedelta(days=30)
    for day in range(3):
        services.session_add(
            event=event,
            actor=secretariat,
            title=f"Day {day + 1}",
            starts_at=start + datetime.timedelta(days=day),
            ends_at=start + datetime.timedelta(days=day, hours=3),
            languages=["pt"] if day == 2 else [],
        )
    assert changes == []  # a draft is nobody's news

    services.event_publish(event=event, actor=secretariat)

    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED and event.published_at is not None
    assert event.starts_at == start
    assert event.ends_at == start + datetime.timedelta(days=2, hours=3)
    assert [change["kind"] for change in changes] == ["event"]
    assert changes[0]["key"] == event.pk and changes[0]["url"] == _detail(event)
    assert AuditEntry.objects.filter(action="territories.event.published").count() == 1


def test_a_naive_time_is_read_in_the_organisers_zone(secretariat):
    event = make_event(secretariat, zone="America/Sao_Paulo", publish=False)
    session = services.session_add(
        event=event,
        actor=secretariat,
        title="Afternoon",
        starts_at=datetime.datetime(NEXT_YEAR, 3, 10, 10, 0),
        ends_at=datetime.datetime(NEXT_YEAR, 3, 10, 12, 0),
    )
    assert session.starts_at == MARCH_10


def test_a_second_event_with_the_same_title_gets_its_own_address(secretariat):
    first = make_event(secretariat, title="General assembly", publish=False)
    second = make_event(secretariat, title="General assembly", publish=False)
    assert (first.slug, second.slug) == ("general-assembly", "general-assembly-2")


def test_programme_changes_of_a_published_event_are_told(secretariat, changes):
    event = make_event(secretariat)
    session = _session(event)
    changes.clear()
    start = session.starts_at + datetime.timedelta(hours=1)
    services.session_update(
        session=session,
        actor=secretariat,
        title="Opening plenary",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )
    later = services.session_add(
        event=event,
        actor=secretariat,
        title="Closing",
        starts_at=start + datetime.timedelta(days=1),
        ends_at=start + datetime.timedelta(days=1, hours=1),
    )
    services.session_remove(session=later, actor=secretariat)
    assert [change["summary"] for change in changes] == [
        "A session changed: Opening plenary.",
        "A session was added: Closing.",
        "A session was removed: Closing.",
    ]
    event.refresh_from_db()
    assert event.ends_at == start + datetime.timedelta(hours=1)


def test_moving_a_session_sends_its_reminder_again(secretariat):
    event = make_event(secretariat)
    session = _session(event)
    person = make_user()
    signup, _created = services.signup_create(session=session, actor=person)
    EventSignup.objects.filter(pk=signup.pk).update(reminded_at=timezone.now())
    start = session.starts_at + datetime.timedelta(days=1)
    services.session_update(
        session=session,
        actor=secretariat,
        title=session.title,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )
    signup.refresh_from_db()
    assert signup.reminded_at is None


# --- Refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes_", "field", "message"),
    [
        ({"hours": 0}, "ends_at", "A session ends after it starts."),
        ({"hours": -1}, "ends_at", "A session ends after it starts."),
        ({"languages": ["de"]}, "languages", "not one"),
        ({"languages": ["pt"]}, "languages", "languages of its event"),
        ({"capacity": 0}, "capacity", "at least one place"),
        ({"capacity": -3}, "capacity", "at least one place"),
        ({"year": 1}, "starts_at", "between 2000"),
        ({"year": 9999}, "starts_at", "between 2000"),
    ],
)
def test_a_bad_session_is_refused_and_nothing_is_saved(secretariat, changes_, field, message):
    event = make_event(secretariat, languages=("en", "fr"), publish=False)
    hours = changes_.get("hours", 2)
    start = timezone.now() + datetime.timedelta(days=3)
    if "year" in changes_:
        start = start.replace(year=changes_["year"], month=1, day=1)
    with pytest.raises(EventError) as refused:
        services.session_add(
            event=event,
            actor=secretariat,
            title="Workshop",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=hours),
            languages=changes_.get("languages", []),
            capacity=changes_.get("capacity"),
        )
    assert refused.value.field == field
    assert message in refused.value.message
    assert event.sessions.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": ""}, "time_zone"),
        ({"languages": ["en", "xx"]}, "languages"),
        ({"languages": []}, "languages"),
        ({"kind": "party"}, "kind"),
        ({"title": "   "}, "title"),
        ({"meeting_url": "http://meet.example.org"}, "meeting_url"),
        ({"meeting_url": "javascript:alert(1)"}, "meeting_url"),
        ({"slug": "new"}, "slug"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"is_online": False, "place": ""}, "place"),
    ],
)
def test_a_bad_event_is_refused_and_nothing_is_saved(secretariat, fields, field):
    values = {
        "kind": "assembly",
        "title": "General assembly",
        "time_zone": "Europe/Brussels",
        "languages": ["en", "fr"],
    } | fields
    with pytest.raises(EventError) as refused:
        services.event_create(actor=secretariat, **values)
    assert refused.value.field == field
    assert not Event.objects.exists()


def test_an_event_with_no_session_cannot_be_published(secretariat):
    event = services.event_create(
        actor=secretariat, kind="quarterly", title="Q1", time_zone="UTC", languages=["en"]
    )
    with pytest.raises(EventError, match="Add a session"):
        services.event_publish(event=event, actor=secretariat)
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT


def test_publishing_an_empty_programme_from_the_page_answers_400(client, secretariat):
    event = services.event_create(
        actor=secretariat, kind="quarterly", title="Q2", time_zone="UTC", languages=["en"]
    )
    client.force_login(secretariat)

    response = client.post(reverse("events:publish", kwargs={"event": event.slug}))

    assert response.status_code == 400
    assert "Add a session to the programme before publishing." in response.content.decode()
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT and event.published_at is None


def test_dropping_a_language_a_session_uses_is_refused(secretariat):
    event = make_event(secretariat, publish=False)
    start = timezone.now() + datetime.timedelta(days=3)
    services.session_add(
        event=event,
        actor=secretariat,
        title="Em português",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        languages=["pt"],
    )
    with pytest.raises(EventError, match="Em português"):
        services.event_update(
            event=event,
            actor=secretariat,
            kind=event.kind,
            title=event.title,
            time_zone=event.time_zone,
            languages=["en", "fr"],
        )
    event.refresh_from_db()
    assert event.languages == ["en", "fr", "pt"]


def test_a_published_event_keeps_one_session(secretariat):
    event = make_event(secretariat)
    with pytest.raises(EventError, match="cancel the event instead"):
        services.session_remove(session=_session(event), actor=secretariat)
    assert event.sessions.count() == 1


def test_a_bad_session_form_answers_400_with_its_message_and_saves_nothing(client, secretariat):
    event = make_event(secretariat, publish=False)
    client.force_login(secretariat)
    response = client.post(
        reverse("events:session_new", kwargs={"event": event.slug}),
        {
            "title": "Backwards",
            "starts_at": f"{NEXT_YEAR}-03-10T15:00",
            "ends_at": f"{NEXT_YEAR}-03-10T14:00",
        },
    )
    assert response.status_code == 400
    assert "A session ends after it starts." in response.content.decode()
    assert event.sessions.count() == 1


def test_an_unknown_zone_in_the_event_form_answers_400(client, secretariat):
    client.force_login(secretariat)
    response = client.post(
        reverse("events:new"),
        {"kind": "training", "title": "Seminar", "time_zone": "Nowhere/Else", "languages": "en"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Event.objects.exists()


# --- Signing up ---------------------------------------------------------------------------------


def test_signing_up_twice_keeps_one_row(client, secretariat):
    event = make_event(secretariat)
    session = _session(event)
    person = make_user()
    client.force_login(person)
    for _attempt in range(2):
        response = client.post(_signup_url(event, session))
        assert response.status_code == 302
    assert EventSignup.objects.filter(session=session, user=person).count() == 1


def test_a_full_session_refuses_with_a_message(client, secretariat):
    event = make_event(secretariat, capacity=1)
    session = _session(event)
    services.signup_create(session=session, actor=make_user())
    latecomer = make_user()
    client.force_login(latecomer)

    response = client.post(_signup_url(event, session))

    assert response.status_code == 400
    assert "This session is full." in response.content.decode()
    assert not EventSignup.objects.filter(user=latecomer).exists()


def test_a_past_session_refuses_sign_up(secretariat):
    event = make_event(secretariat, starts_at=timezone.now() - datetime.timedelta(days=1))
    with pytest.raises(EventError, match="sign-up is closed"):
        services.signup_create(session=_session(event), actor=make_user())
    assert not EventSignup.objects.exists()


def test_a_cancelled_event_refuses_sign_up(client, secretariat):
    event = make_event(secretariat)
    services.event_cancel(event=event, actor=secretariat)
    client.force_login(make_user())

    response = client.post(_signup_url(event, _session(event)))

    assert response.status_code == 400
    assert "This event is cancelled." in response.content.decode()
    assert not EventSignup.objects.exists()


def test_leaving_frees_the_place(client, secretariat):
    event = make_event(secretariat, capacity=1)
    session = _session(event)
    person = make_user()
    services.signup_create(session=session, actor=person)
    client.force_login(person)

    response = client.post(
        reverse("events:leave", kwargs={"event": event.slug, "event_session": session.pk})
    )

    assert response.status_code == 302
    assert not EventSignup.objects.exists()
    services.signup_create(session=session, actor=make_user())


def test_the_meeting_link_shows_only_to_those_signed_up_and_the_organisers(client, secretariat):
    event = make_event(secretariat)
    session = _session(event)
    link = "https://meet.example.org/seminar"
    assert link not in client.get(_detail(event)).content.decode()
    person = make_user()
    client.force_login(person)
    assert link not in client.get(_detail(event)).content.decode()

    client.post(_signup_url(event, session))

    page = client.get(_detail(event)).content.decode()
    assert link in page and "You are signed up." in page
    client.force_login(secretariat)
    assert link in client.get(_detail(event)).content.decode()


# --- Times in two zones -------------------------------------------------------------------------


def test_the_programme_shows_each_time_in_the_readers_zone_and_the_organisers(client, secretariat):
    event = make_event(secretariat, starts_at=MARCH_10)
    facilitator = make_user(time_zone="America/Sao_Paulo")
    client.force_login(facilitator)

    page = client.get(_detail(event)).content.decode()

    assert "Your time (America/Sao Paulo)" in page
    assert "Organiser's time (Europe/Paris)" in page
    assert f"March 10, {NEXT_YEAR}, 10 a.m.–noon" in page
    assert f"March 10, {NEXT_YEAR}, 2 p.m.–4 p.m." in page


def test_an_anonymous_reader_sees_the_organisers_zone_once(client, secretariat):
    event = make_event(secretariat, starts_at=MARCH_10)

    page = client.get(_detail(event)).content.decode()

    assert "Time (Europe/Paris)" in page and "Your time" not in page
    assert f"March 10, {NEXT_YEAR}, 2 p.m.–4 p.m." in page
    assert "Log in to sign up." in page


def test_the_list_shows_times_in_french_for_a_french_reader(client, secretariat):
    make_event(secretariat, starts_at=MARCH_10)
    reader = make_user(time_zone="Europe/Lisbon", preferred_language="fr")
    client.force_login(reader)

    page = client.get(reverse("events:list")).content.decode()

    assert f"10 mars {NEXT_YEAR}, 13:00–15:00" in page
    assert "Europe/Lisbon" in page


def test_the_list_filters_by_kind_and_keeps_past_events_apart(client, secretariat):
    make_event(secretariat, title="Seminar", kind="training")
    make_event(secretariat, title="Assembly", kind="assembly")
    make_event(
        secretariat,
        title="Old meeting",
        kind="training",
        starts_at=timezone.now() - datetime.timedelta(days=40),
    )
    page = client.get(reverse("events:list"), {"kind": "training"}).content.decode()
    assert "Seminar" in page and "Assembly" not in page
    assert page.index("Old meeting") > page.index("Past events")


def test_the_list_reads_in_a_few_queries(client, secretariat, django_assert_max_num_queries):
    for number in range(4):
        make_event(secretariat, title=f"Meeting {number}")
        held = make_event(
            secretariat,
            title=f"Held {number}",
            starts_at=timezone.now() - datetime.timedelta(days=number + 1),
        )
        reports.event_report_write(event=held, actor=secretariat, body="Done.", language="en")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("events:list"))
    assert response.status_code == 200


# --- Who sees what ------------------------------------------------------------------------------


def test_a_draft_and_the_organisers_pages_answer_404_to_an_outsider(client, secretariat):
    draft = make_event(secretariat, publish=False)
    published = make_event(secretariat, title="Announced")
    outsider = make_user()
    make_coordination_group(facilitator=outsider)
    client.force_login(outsider)

    assert client.get(_detail(draft)).status_code == 404
    assert (
        client.get(reverse("events:event_calendar", kwargs={"event": draft.slug})).status_code
        == 404
    )
    assert "Facilitators" not in client.get(reverse("events:list")).content.decode()
    for name in ("edit", "session_new", "report", "conclusions"):
        assert (
            client.get(reverse(f"events:{name}", kwargs={"event": published.slug})).status_code
            == 404
        )
    for name in ("publish", "cancel"):
        assert (
            client.post(reverse(f"events:{name}", kwargs={"event": draft.slug})).status_code == 404
        )
    assert client.get(reverse("events:new")).status_code == 404
    draft.refresh_from_db()
    assert draft.status == Event.Status.DRAFT


def test_an_anonymous_visitor_is_asked_to_log_in_for_the_organisers_pages(client, secretariat):
    event = make_event(secretariat)
    response = client.get(reverse("events:edit", kwargs={"event": event.slug}))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_organiser_sees_her_drafts(client, secretariat):
    draft = make_event(secretariat, title="Coming soon", publish=False)
    client.force_login(secretariat)
    assert client.get(_detail(draft)).status_code == 200
    assert "Coming soon" in client.get(reverse("events:list")).content.decode()


def test_the_organisers_pages_open_and_the_session_form_shows_the_organisers_times(
    client, secretariat
):
    event = make_event(secretariat, zone="America/Sao_Paulo", starts_at=MARCH_10)
    session = _session(event)
    client.force_login(secretariat)
    in_event = {"event": event.slug}
    in_session = in_event | {"event_session": session.pk}
    for name, kwargs in [
        ("new", {}),
        ("edit", in_event),
        ("session_new", in_event),
        ("session_edit", in_session),
    ]:
        response = client.get(reverse(f"events:{name}", kwargs=kwargs))
        assert response.status_code == 200, name
    page = client.get(reverse("events:session_edit", kwargs=in_session)).content.decode()
    assert f'value="{NEXT_YEAR}-03-10T10:00"' in page  # São Paulo time, as typed
    # Reports come once the event has begun.
    assert client.get(reverse("events:report", kwargs=in_event)).status_code == 404


def test_a_project_plugs_its_organisers_in(secretariat, monkeypatch):
    monkeypatch.setattr(permissions, "_organisers", {})
    coordinator = make_user(username="coordinator")
    permissions.register_event_organisers(1, lambda user, event: user.username == "coordinator")
    event = services.event_create(
        actor=coordinator,
        project=1,
        kind="workshop",
        title="Eating well",
        time_zone="Europe/Paris",
        languages=["fr"],
    )
    assert permissions.can_manage_event(coordinator, event)
    with pytest.raises(EventError):
        services.event_create(
            actor=coordinator, kind="assembly", title="AG", time_zone="UTC", languages=["en"]
        )
    with pytest.raises(ValueError):
        permissions.register_event_organisers(0, lambda user, event: True)


# --- Cancelling ---------------------------------------------------------------------------------


def test_cancelling_tells_the_signed_up_once_each_in_their_language(
    secretariat, changes, django_capture_on_commit_callbacks
):
    event = make_event(secretariat)
    start = timezone.now() + datetime.timedelta(days=11)
    second = services.session_add(
        event=event,
        actor=secretariat,
        title="Second day",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    ana = make_user(preferred_language="pt", time_zone="Atlantic/Cape_Verde")
    bea = make_user()
    for session in (_session(event), second):
        services.signup_create(session=session, actor=ana)
    services.signup_create(session=second, actor=bea)
    changes.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, actor=secretariat)

    assert sorted(message.to[0] for message in mail.outbox) == sorted([ana.email, bea.email])
    portuguese = next(message for message in mail.outbox if message.to == [ana.email])
    assert portuguese.subject == "Cancelada: Facilitators' seminar"
    assert "Atlantic/Cape_Verde" in portuguese.body and "Second day" in portuguese.body
    assert [change["summary"] for change in changes] == ["The event is cancelled."]
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED


def test_user_text_is_escaped_on_the_pages(client, secretariat):
    event = make_event(secretariat, title="<script>alert(1)</script> meeting")
    page = client.get(_detail(event)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; meeting" in page
