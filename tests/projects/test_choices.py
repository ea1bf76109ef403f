"""Choices: recording them, their status and results, comments and "I do this too"."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import Choice, ChoiceComment, ChoiceShare
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _participant(name="The Martins", people=4, user=None):
    user = user or make_user()
    participant = services.participant_join(
        actor=user, kind="citizen", subtype="family", name=name, people=people
    )
    return participant, user


def _form(**data):
    form = {
        "title": "We cycle to school",
        "category": "mobility",
        "status": "started",
        "started_on": "2026-09-01",
        "description": "Four bikes, one trailer.",
        "results": "",
        "emissions_change_kg": "-450",
    }
    form.update(data)
    return form


def test_a_member_records_a_choice_and_sees_it_on_the_participant_page(client):
    participant, user = _participant()
    client.force_login(user)

    response = client.post(reverse("projects:choice_new", args=[participant.slug]), _form())

    choice = Choice.objects.get()
    assert response.status_code == 302
    assert (choice.category, choice.status, choice.emissions_change_kg) == (
        "mobility",
        "started",
        -450,
    )
    page = client.get(reverse("projects:participant", args=[participant.slug])).content.decode()
    assert "We cycle to school" in page
    assert "-450 kg CO2e a year" in page


def test_a_choice_moves_on_and_its_results_are_kept(client):
    participant, user = _participant()
    choice = services.choice_create(
        participant=participant,
        actor=user,
        **{**_form(), "started_on": datetime.date(2026, 9, 1), "emissions_change_kg": -450},
    )
    client.force_login(user)

    response = client.post(
        reverse("projects:choice_edit", args=[participant.slug, choice.pk]),
        _form(status="kept", results="Nobody misses the car."),
    )

    assert response.status_code == 302
    choice.refresh_from_db()
    assert (choice.status, choice.results) == ("kept", "Nobody misses the car.")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"category": "cars"}, "Select a valid choice"),
        ({"started_on": "2031-13-01"}, "Enter a valid date."),
        ({"started_on": "2099-01-01"}, "cannot start in the future"),
        ({"status": "planned", "started_on": "2099-01-01"}, "Plan it within 5 years."),
        ({"started_on": "1950-01-01"}, "Give a date from 1990 on."),
        ({"emissions_change_kg": "-900000"}, "more than one choice can make"),
        ({"description": "x" * 5001}, "too long"),
    ],
)
def test_bad_choices_are_refused_with_a_message_and_nothing_saved(client, data, message):
    participant, user = _participant()
    client.force_login(user)

    response = client.post(reverse("projects:choice_new", args=[participant.slug]), _form(**data))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Choice.objects.exists()


def test_a_planned_choice_may_start_next_year():
    participant, user = _participant()
    next_year = timezone.localdate() + datetime.timedelta(days=365)
    choice = services.choice_create(
        participant=participant,
        actor=user,
        **{**_form(status="planned"), "started_on": next_year, "emissions_change_kg": None},
    )
    assert choice.status == "planned"


def test_someone_who_does_not_write_for_a_participant_cannot_add_or_edit_its_choices(client):
    participant, user = _participant()
    choice = services.choice_create(
        participant=participant,
        actor=user,
        **{**_form(), "started_on": datetime.date(2026, 9, 1), "emissions_change_kg": None},
    )
    client.force_login(make_user())

    new = client.post(reverse("projects:choice_new", args=[participant.slug]), _form())
    edit = client.post(
        reverse("projects:choice_edit", args=[participant.slug, choice.pk]), _form(title="Mine")
    )

    assert (new.status_code, edit.status_code) == (404, 404)
    assert Choice.objects.get().title == "We cycle to school"
    # Anyone reads it.
    client.logout()
    shown = client.get(reverse("projects:choice", args=[participant.slug, choice.pk]))
    assert shown.status_code == 200


def test_a_choice_of_another_participant_is_not_found_under_this_one(client):
    participant, user = _participant()
    other, _user = _participant(name="Others")
    choice = services.choice_create(
        participant=other,
        actor=_user,
        **{**_form(), "started_on": datetime.date(2026, 9, 1), "emissions_change_kg": None},
    )
    client.force_login(user)
    url = reverse("projects:choice_edit", args=[participant.slug, choice.pk])
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("projects:choice", args=[participant.slug, choice.pk])).status_code
        == 404
    )


def test_another_participant_says_it_does_this_too_once(client):
    participant, user = _participant()
    choice = services.choice_create(
        participant=participant,
        actor=user,
        **{**_form(), "started_on": datetime.date(2026, 9, 1), "emissions_change_kg": None},
    )
    other, other_user = _participant(name="The Silvas")
    client.force_login(other_user)
    url = reverse("projects:choice_share", args=[participant.slug, choice.pk])

    assert client.post(url, {"participant": other.pk}).status_code == 302
    again = client.post(url, {"participant": other.pk})

    assert again.status_code == 400
    assert "The Silvas already does this too." in again.content.decode()
    assert ChoiceShare.objects.filter(choice=choice).count() == 1
    page = client.get(reverse("projects:participant", args=[participant.slug])).content.decode()
    assert "1 does this too" in page


def test_one_cannot_share_a_choice_as_a_participant_one_does_not_write_for(client):
    participant, user = _participant()
    choice = services.choice_create(
        participant=participant,
        actor=user,
        **{**_form(), "started_on": datetime.date(2026, 9, 1), "emissions_change_kg": None},
    )
    stranger_participant, _stranger = _participant(name="Strangers")
    _mine, me = _participant(name="Mine")
    client.force_login(me)

    response = client.post(
        reverse("projects:choice_share", args=[participant.slug, choice.pk]),
        {"participant": stranger_participant.pk},
    )

    assert response.status_code == 400
    assert not ChoiceShare.objects.exists()


def test_comments_are_kept_and_shown_and_an_empty_one_is_refused(client):
    participant, user = _participant()
    choice = services.choice_create(
        participant=participant,
        actor=user,
        **{**_form(), "started_on": datetime.date(2026, 9, 1), "emissions_change_kg": None},
    )
    reader = make_user()
    client.force_login(reader)
    url = reverse("projects:choice_comment", args=[participant.slug, choice.pk])

    assert client.post(url, {"body": "How do you manage in winter?"}).status_code == 302
    assert client.post(url, {"body": "   "}).status_code == 400

    assert ChoiceComment.objects.get().author == reader
    page = client.get(reverse("projects:choice", args=[participant.slug, choice.pk]))
    assert "How do you manage in winter?" in page.content.decode()


def test_comments_ask_anonymous_visitors_to_log_in(client):
    participant, user = _participant()
    choice = services.choice_create(
        participant=participant,
        actor=user,
        **{**_form(), "started_on": datetime.date(2026, 9, 1), "emissions_change_kg": None},
    )
    response = client.post(
        reverse("projects:choice_comment", args=[participant.slug, choice.pk]), {"body": "Hi"}
    )
    assert response.status_code == 302
    assert not ChoiceComment.objects.exists()


def test_the_project_page_lists_the_latest_choices_and_the_participants(
    client, django_assert_max_num_queries
):
    for number in range(5):
        participant, user = _participant(name=f"Family {number}")
        services.choice_create(
            participant=participant,
            actor=user,
            **{
                **_form(title=f"Choice {number}"),
                "started_on": datetime.date(2026, 9, 1),
                "emissions_change_kg": None,
            },
        )
    with django_assert_max_num_queries(8):
        page = client.get(reverse("projects:home")).content.decode()
    assert "Choice 4" in page and "Choice 0" in page
    assert "5 participants" in page
