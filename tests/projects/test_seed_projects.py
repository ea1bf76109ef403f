"""The right-choices demo that `make run` loads."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.models import Charter, Choice, ChoiceShare, Footprint, Participant, Workshop


@pytest.fixture
def seeded(db):
    call_command("import_geography", verbosity=0)
    call_command("seed_demo", "--force", verbosity=0)
    call_command("seed_territories", verbosity=0)
    call_command("seed_projects", verbosity=0)


def test_the_demo_has_participants_of_every_kind_with_choices_and_footprints(seeded, client):
    assert set(Participant.objects.values_list("kind", flat=True)) == {
        "citizen",
        "collective",
        "territory",
    }
    household = Participant.objects.get(name="The demo household")
    assert household.members.get().user.username == "citizen"
    assert Choice.objects.filter(participant=household).count() == 4
    assert Footprint.objects.filter(participant=household).count() >= 2
    assert ChoiceShare.objects.exists()
    assert Workshop.objects.count() == 2
    assert Workshop.objects.filter(conclusions__isnull=False).count() == 1
    assert Charter.objects.get().revision is not None  # open to the vote
    assert client.get(reverse("projects:home")).status_code == 200
    page = client.get(reverse("projects:participant", args=[household.slug]))
    assert page.status_code == 200 and "<svg" in page.content.decode()


def test_seeding_the_project_again_adds_nothing(seeded):
    def counts():
        return [
            model.objects.count() for model in (Participant, Choice, Footprint, Workshop, Charter)
        ]

    before = counts()
    call_command("seed_projects", verbosity=0)
    assert counts() == before
