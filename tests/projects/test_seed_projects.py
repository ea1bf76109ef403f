"""The right-choices demo that `make run` loads."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from criteria.models import Criterion
from projects.models import (
    Charter,
    Choice,
    ChoiceShare,
    Footprint,
    Participant,
    QuarterlyReview,
    Workshop,
)
from syntheses.models import Snapshot
from syntheses.services import syntheses_recompute_all
from territories.models import HomogeneousGroup
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
    mobility = Charter.objects.get(title="Our mobility charter")
    assert mobility.revision is not None and not mobility.outcome  # open to the vote
    # A charter whose vote is over, decided by the rule: five approve of six voices.
    assert Charter.objects.get(title="Our food charter").outcome == Charter.Outcome.APPROVED
    assert set(Participant.objects.values_list("subtype", flat=True)) == {
        "family",
        "school",
        "place_of_life",
        "association",
        "individual",
        "municipality",
        "local_platform",
    }
    lutterbach = Participant.objects.get(name="Lutterbach")
    assert lutterbach.coordination_group is None and lutterbach.country.code == "FR"
    assert client.get(reverse("projects:home")).status_code == 200
    page = client.get(reverse("projects:participant", args=[household.slug]))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    # Answers to the SPIRAL questions, most classified: in the project's synthesis, pooled by
    # kind (no homogeneous group of one).
    with cross_tenant():
        answers = Criterion.objects.filter(participant_answer__participant=household)
        assert answers.count() == 5
        assert answers.filter(status="classified").count() == 4
        pools = HomogeneousGroup.objects.filter(tenant__project=1)
        assert sorted(pools.values_list("kind", "participants")) == [
            ("project", 3 + 7 + 1),  # the family, the shared house and Amina
            ("project", 420 + 25),  # the school and the association
        ]
    syntheses_recompute_all()
    project = Snapshot.objects.get(scope="project", scope_id=1)
    with cross_tenant():
        classified = Criterion.objects.filter(tenant__project=1, status="classified").count()
    assert project.criteria_count == classified == 18  # of five participants' 22 answers
    assert project.groups_count == 2
    wellbeing = client.get(reverse("projects:wellbeing", args=[household.slug]))
    assert "Traffic noise at night" in wellbeing.content.decode()


def test_seeding_the_project_again_adds_nothing(seeded):
    def counts():
        return [
            model.objects.count()
            for model in (Participant, Choice, Footprint, Workshop, Charter, QuarterlyReview)
        ] + [Criterion.objects.count(), HomogeneousGroup.objects.count()]

    with cross_tenant():
        before = counts()
    call_command("seed_projects", verbosity=0)
    with cross_tenant():
        assert counts() == before
