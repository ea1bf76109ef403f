"""Workshops: scheduled by facilitators and the secretariat, shown in each reader's time zone,
a list with a cap, reminders by email once, conclusions as a wiki page."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import Workshop, WorkshopSignup
from tests.factories import make_coordination_group, make_user
from wikispiral.wiki.models import Page

pytestmark = pytest.mark.django_db


def _organiser():
    user = make_user()
    make_coordination_group(facilitator=user)
    return user


def _workshop(organiser=None, **fields):
    values = {
        "title": "Eating well on a budget",
        "starts_at": timezone.now() + datetime.timedelta(days=3),
        "time_zone": "Europe/Paris",
        "duration_minutes": 90,
        "languages": ["fr", "en"],
        "meeting_url": "https://meet.example.org/right-choices",
        "capacity": 2,
        "theme": "food",
    }
    values.update(fields)
    return services.workshop_create(actor=organiser or _organiser(), **values)


def _participant(name, **user_fields):
    user = make_user(**user_fields)
    return services.participant_join(
        actor=user, kind="citizen", subtype="individual", name=name
    ), user


def _form(**data):
    form = {
        "title": "Mobility in small towns",
        "audience": "everyone",
        "starts_at": "2026-12-10T18:30",
        "time_zone": "Atlantic/Cape_Verde",
        "duration_minutes": "90",
        "languages": "pt, fr",
        "meeting_url": "https://meet.example.org/m",
        "capacity": "25",
    }
    form.update(data)
    return form


def test_a_facilitator_schedules_a_workshop_at_a_time_of_the_chosen_zone(client):
    organiser = _organiser()
    client.force_login(organiser)

    response = client.post(reverse("projects:workshop_new"), _form())

    workshop = Workshop.objects.get()
    assert response.status_code == 302
    # 18:30 in Cabo Verde (UTC−1) is 19:30 UTC.
    assert workshop.starts_at == datetime.datetime(2026, 12, 10, 19, 30, tzinfo=datetime.UTC)
    assert workshop.languages == ["fr", "pt"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"starts_at": "2020-01-01T10:00"}, "scheduled in the future"),
        ({"starts_at": "2031-01-01T10:00"}, "within two years"),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice"),
        ({"duration_minutes": "5"}, "from 15 minutes to 8 hours"),
        ({"capacity": "100000"}, "between 2 and 1,000 places"),
        ({"languages": "french!"}, "as codes"),
        ({"meeting_url": "http://meet.example.org/m"}, "starting with https://"),
    ],
)
def test_bad_workshops_are_refused_with_a_message_and_nothing_saved(client, data, message):
    client.force_login(_organiser())
    response = client.post(reverse("projects:workshop_new"), _form(**data))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Workshop.objects.exists()


def test_a_citizen_without_a_group_cannot_schedule_one(client):
    client.force_login(make_user())
    assert client.get(reverse("projects:workshop_new")).status_code == 404
    assert client.post(reverse("projects:workshop_new"), _form()).status_code == 404


def test_the_time_is_shown_in_the_readers_zone_and_the_organisers(client):
    workshop = _workshop(starts_at=datetime.datetime(2026, 12, 10, 19, 30, tzinfo=datetime.UTC))
    reader = make_user(time_zone="Asia/Tokyo")
    client.force_login(reader)

    page = client.get(reverse("projects:workshop", args=[workshop.pk])).content.decode()

    # 19:30 UTC is 04:30 the next day in Tokyo and 20:30 in Paris.
    assert "Dec. 11, 2026, 4:30 a.m." in page and "(Asia/Tokyo)" in page
    assert "Dec. 10, 2026, 8:30 p.m. for the organiser (Europe/Paris)" in page
    assert 'datetime="2026-12-10T19:30:00+00:00"' in page


def test_signing_up_is_once_per_participant_and_stops_when_full(client):
    workshop = _workshop(capacity=2)
    url = reverse("projects:workshop_signup", args=[workshop.pk])
    first, first_user = _participant("Ana")
    second, second_user = _participant("Bea")
    third, third_user = _participant("Caio")

    client.force_login(first_user)
    assert client.post(url, {"participant": first.pk}).status_code == 302
    again = client.post(url, {"participant": first.pk})
    client.force_login(second_user)
    assert client.post(url, {"participant": second.pk}).status_code == 302
    client.force_login(third_user)
    full = client.post(url, {"participant": third.pk})

    assert again.status_code == 400 and full.status_code == 400
    assert "This workshop is full." in full.content.decode()
    assert WorkshopSignup.objects.filter(workshop=workshop).count() == 2
    # Those on the list see the meeting's link; others do not.
    client.force_login(first_user)
    assert (
        workshop.meeting_url
        in client.get(reverse("projects:workshop", args=[workshop.pk])).content.decode()
    )
    client.force_login(third_user)
    assert (
        workshop.meeting_url
        not in client.get(reverse("projects:workshop", args=[workshop.pk])).content.decode()
    )


def test_a_workshop_that_has_begun_takes_no_more_sign_ups():
    workshop = _workshop()
    Workshop.objects.filter(pk=workshop.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    participant, user = _participant("Late")
    with pytest.raises(services.ProjectError, match="sign-up is closed"):
        services.workshop_signup(workshop=workshop, participant=participant, actor=user)


def test_a_workshop_for_territories_refuses_a_citizen():
    workshop = _workshop(audience="territory")
    participant, user = _participant("Citizen")
    with pytest.raises(services.ProjectError, match="for territorial entities"):
        services.workshop_signup(workshop=workshop, participant=participant, actor=user)


def test_leaving_frees_the_place(client):
    workshop = _workshop(capacity=2)
    participant, user = _participant("Ana")
    services.workshop_signup(workshop=workshop, participant=participant, actor=user)
    client.force_login(user)

    response = client.post(
        reverse("projects:workshop_leave", args=[workshop.pk]), {"participant": participant.pk}
    )

    assert response.status_code == 302
    assert not WorkshopSignup.objects.exists()


def test_reminders_go_once_to_each_person_on_the_list_in_their_language(
    django_capture_on_commit_callbacks,
):
    soon = _workshop(starts_at=timezone.now() + datetime.timedelta(hours=20), capacity=10)
    later = _workshop(starts_at=timezone.now() + datetime.timedelta(days=5), capacity=10)
    ana, ana_user = _participant("Ana", preferred_language="fr", time_zone="Europe/Lisbon")
    bea, bea_user = _participant("Bea")
    for workshop in (soon, later):
        for participant, user in ((ana, ana_user), (bea, bea_user)):
            services.workshop_signup(workshop=workshop, participant=participant, actor=user)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.workshop_reminders_send() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert services.workshop_reminders_send() == 0

    assert len(mail.outbox) == 2
    french = next(m for m in mail.outbox if m.to == [ana_user.email])
    assert french.subject == "Rappel : Eating well on a budget, demain"
    assert soon.meeting_url in french.body and "Europe/Lisbon" in french.body
    assert not WorkshopSignup.objects.filter(workshop=later, reminded_at__isnull=False).exists()


def test_the_organiser_writes_the_conclusions_as_a_wiki_page_once_it_took_place(client):
    organiser = _organiser()
    workshop = _workshop(organiser=organiser)
    client.force_login(organiser)
    url = reverse("projects:workshop_conclude", args=[workshop.pk])
    assert client.get(url).status_code == 404  # not yet held

    Workshop.objects.filter(pk=workshop.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    response = client.post(url, {"body": "We agreed on **three** things."})
    again = client.post(url, {"body": "We agreed on **four** things."})

    workshop.refresh_from_db()
    page = Page.objects.get(pk=workshop.conclusions_id)
    assert response.status_code == 302 and again.status_code == 302
    assert page.revisions.count() == 2
    assert "four" in page.current_revision.body
    client.force_login(make_user())
    assert client.get(url).status_code == 404


def test_a_scheduled_workshop_appears_in_the_feeds(client):
    _workshop(title="Repair café online")
    for name in ("projects:feed_rss", "wiki:feed_latest_atom"):
        assert "Workshop: Repair café online" in client.get(reverse(name)).content.decode()


def test_the_organiser_cancels_a_workshop_and_those_signed_up_are_told(
    client, django_capture_on_commit_callbacks
):
    organiser = _organiser()
    workshop = _workshop(organiser=organiser)
    ana, ana_user = _participant("Ana", preferred_language="fr")
    services.workshop_signup(workshop=workshop, participant=ana, actor=ana_user)
    url = reverse("projects:workshop_cancel", args=[workshop.pk])
    client.force_login(ana_user)
    assert client.post(url).status_code == 404  # not hers to cancel

    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    workshop.refresh_from_db()
    assert response.status_code == 302 and workshop.cancelled_at is not None
    assert [m.subject for m in mail.outbox] == ["Annulé : Eating well on a budget"]
    newcomer, newcomer_user = _participant("Bea")
    with pytest.raises(services.ProjectError, match="cancelled"):
        services.workshop_signup(workshop=workshop, participant=newcomer, actor=newcomer_user)
