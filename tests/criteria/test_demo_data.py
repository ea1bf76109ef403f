"""The demo data generator: `manage.py generate_demo_data`."""

import hashlib
import random
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from criteria.codes import full_code_parse
from criteria.demo import BANK, FRAMES, LANGUAGES, criterion_text, demo_generate, demo_groups
from criteria.models import Classification, Criterion
from criteria.selectors import component_list
from territories.models import CoordinationGroup, Country, HomogeneousGroup, Membership
from territories.services import network_id_next
from tests.factories import make_coordination_group, make_criterion
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.models import Space

pytestmark = pytest.mark.django_db


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_demo_data", "--force", *args, stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    """What a run wrote, independent of the database's ids."""
    with cross_tenant():
        return sorted(
            Criterion.objects.filter(tenant__in=demo_groups()).values_list(
                "tenant__name",
                "group__name",
                "question__code",
                "text",
                "language",
                "session_date",
                "status",
                "component__code",
                "full_code",
            )
        )


def test_generator_writes_the_requested_number_of_criteria_in_realistic_groups():
    output = generate("--criteria", "600")

    with cross_tenant():
        assert Criterion.objects.count() == 600
        sizes = [group.criteria.count() for group in HomogeneousGroup.objects.all()]
        groups = list(HomogeneousGroup.objects.select_related("profile"))
    assert all(20 <= size <= 120 for size in sizes)
    assert 5 <= len(sizes) <= 30
    assert 3 <= demo_groups().count() <= 8
    assert all(group.profile is not None and group.meeting_dates for group in groups)
    assert all(6 <= group.participants <= 25 for group in groups)
    assert re.search(r"3 countries .*600 criteria \(\d+ unclassified, \d+ classified", output)


def test_every_component_every_question_and_three_languages_are_used():
    generate("--criteria", "600")

    with cross_tenant():
        criteria = Criterion.objects.all()
        used = set(criteria.exclude(component=None).values_list("component__code", flat=True))
        questions = set(criteria.values_list("question__code", flat=True))
        languages = set(criteria.values_list("language", flat=True))
    assert used == {component.code for component in component_list()}
    assert questions == {"Q1", "Q2", "Q3"}
    assert languages == {"en", "fr", "pt"}


def test_language_follows_the_country():
    generate("--criteria", "3000", "--seed", "4")

    expected = {"FR": "fr", "BE": "fr", "MA": "fr", "GA": "fr", "PT": "pt", "CV": "pt"}
    with cross_tenant():
        for group in demo_groups().select_related("country"):
            languages = set(
                Criterion.objects.filter(tenant=group).values_list("language", flat=True)
            )
            assert languages == {expected.get(group.country.code, "en")}


def test_statuses_mix_classified_unclassified_and_disputed():
    generate("--criteria", "3000")

    with cross_tenant():
        criteria = Criterion.objects.all()
        shares = {
            status: criteria.filter(status=status).count() / 3000
            for status in Criterion.Status.values
        }
        full_codes = list(
            criteria.exclude(full_code="").values_list("full_code", "component__code")
        )
    assert 0.72 <= shares["classified"] <= 0.88
    assert 0.08 <= shares["unclassified"] <= 0.22
    assert 0.02 <= shares["disputed"] <= 0.08
    assert full_codes
    for code, component in full_codes:
        assert full_code_parse(code).component_code == component


def test_texts_are_varied_not_copies():
    generate("--criteria", "3000")

    with cross_tenant():
        texts = list(Criterion.objects.values_list("text", flat=True))
    assert len(set(texts)) / len(texts) > 0.6
    assert all(0 < len(text) <= 300 for text in texts)


def test_classified_and_disputed_criteria_have_their_history():
    generate("--criteria", "600")

    with cross_tenant():
        for criterion in Criterion.objects.prefetch_related("classifications"):
            steps = [step.status for step in criterion.classifications.all()]
            expected = {
                "unclassified": [],
                "classified": ["classified"],
                "disputed": ["classified", "disputed"],
            }[criterion.status]
            assert steps == expected
        assert (
            Classification.objects.exclude(component=None).count() == Classification.objects.count()
        )


def test_same_seed_same_data_other_seed_other_data():
    generate("--criteria", "600", "--seed", "7")
    first = snapshot()

    generate("--reset", "--criteria", "600", "--seed", "7")
    again = snapshot()
    generate("--reset", "--criteria", "600", "--seed", "8")
    other = snapshot()

    assert first == again
    assert other != first


def test_running_again_adds_nothing_and_says_so():
    generate("--criteria", "600")
    with cross_tenant():
        before = (CoordinationGroup.objects.count(), Criterion.objects.count())

    output = generate("--criteria", "600")

    with cross_tenant():
        assert (CoordinationGroup.objects.count(), Criterion.objects.count()) == before
    assert "already there" in output


def test_reset_replaces_demo_data_and_leaves_real_groups_alone():
    real = make_coordination_group(name="Real platform")
    make_criterion(tenant=real, text="A real criterion")
    generate("--criteria", "600")

    generate("--reset", "--criteria", "300", "--groups", "2")

    with cross_tenant():
        assert Criterion.objects.filter(tenant=real).count() == 1
        assert Criterion.objects.exclude(tenant=real).count() == 300
    assert demo_groups().count() == 2
    assert Space.objects.filter(slug__startswith="demo-").count() == 2


def test_reset_with_no_criteria_only_removes():
    generate("--criteria", "600")

    output = generate("--reset", "--criteria", "0")

    assert demo_groups().count() == 0
    with cross_tenant():
        assert Criterion.objects.count() == 0
    assert "Removed 3 demo coordination groups" in output


def test_demo_network_ids_are_valid_and_leave_real_numbering_alone():
    make_coordination_group(network_id="GC136526")
    expected = network_id_next()

    generate("--criteria", "600")

    for group in demo_groups():
        group.full_clean(exclude=["space", "picture"])
    assert network_id_next() == expected


def test_works_after_the_other_demo_commands():
    call_command("import_geography", verbosity=0)
    call_command("seed_demo", "--force", "--quiet", verbosity=0)
    call_command("seed_territories", verbosity=0)
    countries = Country.objects.count()

    output = generate("--criteria", "600")

    assert Country.objects.count() >= countries
    assert Country.objects.filter(code="FR").count() == 1
    with cross_tenant():
        assert Criterion.objects.filter(tenant__in=demo_groups()).count() == 600
        # The demo facilitator's groups are seed_territories' (her login hint names them),
        # not generated ones; they get the criteria, entered and classified by her.
        assert not Membership.objects.filter(
            user__username="facilitator", tenant__in=demo_groups()
        ).exists()
        own = CoordinationGroup.objects.filter(memberships__user__username="facilitator")
        assert {"Mulhouse", "Charleroi"} <= set(own.values_list("name", flat=True))
        for group in own:
            written = Criterion.objects.filter(tenant=group)
            assert written.count() >= 20
            assert set(written.values_list("entered_by__username", flat=True)) == {"facilitator"}
        in_own = Criterion.objects.filter(tenant__in=own).count()
    assert f"and {in_own:,} criteria in the demo facilitator's {own.count()} groups" in output


def test_the_facilitators_own_groups_are_filled_once_and_the_network_stays_the_same():
    generate("--criteria", "300", "--seed", "5")
    alone = snapshot()
    generate("--reset", "--criteria", "0")
    call_command("import_geography", verbosity=0)
    call_command("seed_demo", "--force", "--quiet", verbosity=0)
    call_command("seed_territories", verbosity=0)

    generate("--criteria", "300", "--seed", "5")
    with cross_tenant():
        own = CoordinationGroup.objects.exclude(pk__in=demo_groups().values("pk"))
        filled = Criterion.objects.filter(tenant__in=own).count()
    generate("--reset", "--criteria", "300", "--seed", "5")

    assert snapshot() == alone  # the generated network depends on the seed only
    with cross_tenant():
        assert filled > 0
        assert Criterion.objects.filter(tenant__in=own).count() == filled  # not twice


def test_refused_when_debug_is_off_without_force(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("generate_demo_data", "--criteria", "10", stdout=StringIO())

    assert demo_groups().count() == 0


def test_phrase_bank_covers_every_component_in_three_languages():
    for component in component_list():
        for language in LANGUAGES:
            phrases = BANK[component.code][language]
            assert len(phrases.nouns) >= 3, (component.code, language)
            assert all(len(texts) >= 3 for texts in phrases.by_question), (
                component.code,
                language,
            )
    assert set(FRAMES) == set(LANGUAGES)


def test_criterion_text_depends_on_the_seed_only():
    first = [
        criterion_text(random.Random(3), code="A01", question=question, language=language)
        for question in range(3)
        for language in LANGUAGES
    ]
    again = [
        criterion_text(random.Random(3), code="A01", question=question, language=language)
        for question in range(3)
        for language in LANGUAGES
    ]
    assert first == again
    assert all(text.strip() for text in first)


def generated_rows() -> list[tuple]:
    """What demo_generate wrote, in the order it wrote it, without database ids."""
    with cross_tenant():
        return list(
            Criterion.objects.filter(tenant__in=demo_groups())
            .order_by("pk")
            .values_list(
                "text",
                "language",
                "question__code",
                "component__code",
                "group__name",
                "status",
                "full_code",
                "session_date",
            )
        )


PINNED_FIRST = [
    (
        "Having a feeling of being useful for young people",
        "en",
        "Q1",
        "G05",
        "People with disabilities · East End",
    ),
    ("Peace of mind", "en", "Q1", "F02", "People with disabilities · East End"),
    ("Organisations that work together", "en", "Q1", "C00", "People with disabilities · East End"),
    (
        "saying what I think freely as a family",
        "en",
        "Q1",
        "F03",
        "People with disabilities · East End",
    ),
    (
        "a playground for the children close to home",
        "en",
        "Q1",
        "B03",
        "People with disabilities · East End",
    ),
]
PINNED_MIDDLE = [
    ("Ce qui me pèse : personne ne m'écoute", "fr", "Q2", "H04", "Personnes âgées"),
    ("Rester bloqué chez soi sans voiture!", "fr", "Q2", None, "Personnes âgées"),
    ("Pour moi, ne pas pouvoir payer le loyer", "fr", "Q2", None, "Personnes âgées"),
]
# sha256 of repr() of every row of generated_rows() for demo_generate(criteria=300, seed=11).
PINNED_DIGEST = "4ca03f1b489eb2853832977407ed4f439d52a8fe11f47899fdb06e9812dc9f1a"


def test_a_seed_still_draws_the_same_network():
    # Pinned from the generator as it stood when the phrase bank moved into data files: any
    # change to the bank's order, its loading or the drawing shows here.
    demo_generate(criteria=300, seed=11)

    rows = generated_rows()
    assert len(rows) == 300
    assert [row[:5] for row in rows[:5]] == PINNED_FIRST
    assert [row[:5] for row in rows[148:151]] == PINNED_MIDDLE
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()
    assert digest == PINNED_DIGEST
