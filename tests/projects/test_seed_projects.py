"""The right-choices demo that `make run` loads."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from criteria.models import Criterion
from projects.models import Charter, Choice, ChoiceShare, Footprint, Participant, Workshop
from syntheses.models import Snapshot
from syntheses.services import syntheses_recompute_all
from wikispiral.tenancy import cross_tenant


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
    # Answers to the SPIRAL questions, most classified: in the project's synthesis.
    with cross_tenant():
        answers = Criterion.objects.filter(group=household.wellbeing_group)
        assert answers.count() == 5
        assert answers.filter(status="classified").count() == 4
    syntheses_recompute_all()
    project = Snapshot.objects.get(scope="project", scope_id=1)
    with cross_tenant():
        classified = Criterion.objects.filter(tenant__project=1, status="classified").count()
    assert project.criteria_count == classified == 15  # of four participants' 18 answers
    wellbeing = client.get(reverse("projects:wellbeing", args=[household.slug]))
    assert "Traffic noise at night" in wellbeing.content.decode()


def test_seeding_the_project_again_adds_nothing(seeded):
    def counts():
        return [
            model.objects.count() for model in (Participant, Choice, Footprint, Workshop, Charter)
        ] + [Criterion.objects.count()]

    with cross_tenant():
        before = counts()
    call_command("seed_projects", verbosity=0)
    with cross_tenant():
        assert counts() == before
