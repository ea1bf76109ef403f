"""Carbon footprints: recorded from any calculator, checked for absurd figures, drawn as a path
against the 2 t goal with its data table."""

import datetime

import pytest
from django.urls import reverse

from projects import services
from projects.models import Footprint
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _participant(people=2):
    user = make_user()
    participant = services.participant_join(
        actor=user, kind="citizen", subtype="family", name="Ana and Rui", people=people
    )
    return participant, user


def test_a_footprint_is_recorded_by_category_and_drawn_per_person(client):
    participant, user = _participant(people=2)
    client.force_login(user)
    url = reverse("projects:footprint_new", args=[participant.slug])

    first = client.post(
        url,
        {
            "measured_on": "2025-01-15",
            "total_kg": "18000",
            "part_food": "5000",
            "source": "Nos Gestes Climat",
        },
    )
    second = client.post(
        url, {"measured_on": "2026-01-15", "part_food": "4000", "part_mobility": "6000"}
    )

    assert (first.status_code, second.status_code) == (302, 302)
    latest = Footprint.objects.get(measured_on=datetime.date(2026, 1, 15))
    assert latest.total_kg == 10000
    assert latest.by_category == {"food": 4000, "mobility": 6000}
    assert latest.per_person_kg == 5000
    page = client.get(reverse("projects:participant", args=[participant.slug])).content.decode()
    assert "<svg" in page and 'role="img"' in page
    # The chart's desc and the table say the same figures: 9.0 t then 5.0 t per person.
    assert "From 9.0 t per person" in page and "to 5.0 t" in page
    assert '<td class="num">9.0</td>' in page and '<td class="num">18.0</td>' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"total_kg": "20000000000"}, "is not a footprint anyone has"),
        ({"total_kg": "-5"}, "greater than or equal to 0"),
        ({"total_kg": ""}, "Give the total, or the parts by category."),
        ({"total_kg": "1000", "part_food": "3000"}, "The parts add up to more than the total"),
        ({"measured_on": "2099-01-01"}, "cannot be measured in the future"),
        ({"measured_on": "yesterday"}, "Enter a valid date."),
    ],
)
def test_absurd_footprints_are_refused_with_a_message_and_nothing_saved(client, data, message):
    participant, user = _participant()
    client.force_login(user)
    form = {"measured_on": "2026-01-15", "total_kg": "9000"}
    form.update(data)

    response = client.post(reverse("projects:footprint_new", args=[participant.slug]), form)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Footprint.objects.exists()


def test_a_second_footprint_on_the_same_date_is_refused():
    participant, user = _participant()
    day = datetime.date(2026, 1, 15)
    services.footprint_record(participant=participant, actor=user, measured_on=day, total_kg=9000)
    with pytest.raises(services.ProjectError, match="already recorded on this date"):
        services.footprint_record(
            participant=participant, actor=user, measured_on=day, total_kg=8000
        )
    assert Footprint.objects.get().total_kg == 9000


def test_only_those_who_write_for_a_participant_record_its_footprint(client):
    participant, _user = _participant()
    client.force_login(make_user())
    response = client.post(
        reverse("projects:footprint_new", args=[participant.slug]),
        {"measured_on": "2026-01-15", "total_kg": "9000"},
    )
    assert response.status_code == 404
    assert not Footprint.objects.exists()


def test_a_refusal_is_written_in_the_readers_language(client):
    participant, user = _participant()
    client.force_login(user)
    response = client.post(
        reverse("projects:footprint_new", args=[participant.slug]),
        {"measured_on": "2099-01-01", "total_kg": "9000"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Une empreinte ne peut pas être mesurée dans le futur." in page
    assert "Enregistrer une empreinte" in page
