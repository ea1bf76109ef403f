import pickle

import pytest

from criteria import suggestions
from criteria.models import Criterion
from criteria.selectors import component_by_code
from criteria.services import criterion_classify
from tests.factories import make_coordination_group, make_criterion, make_user
from wikispiral.tenancy import cross_tenant

# A small hand-made training set in three languages: what a few groups would have classified.
TRAINING = [
    ("Eating well every day", "en", "A01"),
    ("Enough food for the family", "en", "A01"),
    ("Fresh bread and vegetables", "en", "A01"),
    ("Having a healthy diet", "en", "A01"),
    ("Bien manger tous les jours", "fr", "A01"),
    ("De la nourriture pour toute la famille", "fr", "A01"),
    ("Du pain frais et des légumes", "fr", "A01"),
    ("Comer bem todos os dias", "pt", "A01"),
    ("Comida suficiente para a família", "pt", "A01"),
    ("A warm and dry house", "en", "A03"),
    ("Paying the rent of my flat", "en", "A03"),
    ("A house with heating in winter", "en", "A03"),
    ("Un logement chaud et sec", "fr", "A03"),
    ("Payer le loyer de mon appartement", "fr", "A03"),
    ("Une maison avec du chauffage", "fr", "A03"),
    ("Uma casa quente e seca", "pt", "A03"),
    ("Pagar a renda da casa", "pt", "A03"),
    ("A bus to the town centre", "en", "A10"),
    ("Trains that run on time", "en", "A10"),
    ("Cycling safely to work", "en", "A10"),
    ("Un bus pour aller en ville", "fr", "A10"),
    ("Des trains à l'heure", "fr", "A10"),
    ("Aller au travail à vélo", "fr", "A10"),
    ("Um autocarro para a cidade", "pt", "A10"),
    ("Comboios a horas", "pt", "A10"),
    ("Walking in the forest", "en", "B04"),
    ("Green parks near home", "en", "B04"),
    ("Se promener en forêt", "fr", "B04"),
    ("Des parcs verts près de chez moi", "fr", "B04"),
    ("Passear na floresta", "pt", "B04"),
]

QUESTIONS = [
    ("Fresh vegetables and good bread for the children", "en", "A01"),
    ("Manger des légumes frais", "fr", "A01"),
    ("Comer comida boa", "pt", "A01"),
    ("The rent of the house is too high", "en", "A03"),
    ("Un appartement chauffé", "fr", "A03"),
    ("A casa seca", "pt", "A03"),
    ("More buses to the town", "en", "A10"),
    ("Prendre le train à l'heure", "fr", "A10"),
    ("Um autocarro", "pt", "A10"),
    ("A walk in a green park", "en", "B04"),
    ("La forêt près de chez moi", "fr", "B04"),
]


@pytest.fixture(autouse=True)
def _fresh_model(monkeypatch):
    monkeypatch.setattr(suggestions, "BACKGROUND_RETRAIN", False)
    suggestions.suggestion_model_forget()
    yield
    suggestions.suggestion_model_forget()


def test_texts_are_normalised_without_case_accents_or_punctuation():
    assert suggestions.texts_normalise(["L'Éducation, c'est_IMPORTANT !", "  São  João\n"]) == [
        "l education c est important",
        "sao joao",
    ]


@pytest.mark.parametrize("method", suggestions.METHODS)
def test_the_right_component_comes_first_on_a_small_hand_made_training_set(method):
    model = suggestions.suggestion_model_train(TRAINING, method=method)

    suggested = model.suggest([q[0] for q in QUESTIONS], [q[1] for q in QUESTIONS], k=3)

    firsts = [ranked[0].code for ranked in suggested]
    assert firsts == [q[2] for q in QUESTIONS]


def test_suggestions_are_ranked_with_a_confidence_between_0_and_1():
    model = suggestions.suggestion_model_train(TRAINING)

    (ranked,) = model.suggest(["Good bread"], ["en"], k=3)

    assert 1 <= len(ranked) <= 3
    assert ranked[0].code == "A01"
    assert all(0 < s.score <= 1 for s in ranked)
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)
    assert all(1 <= s.percent <= 99 for s in ranked)


def test_a_language_with_enough_criteria_gets_its_own_centroids(monkeypatch):
    monkeypatch.setattr(suggestions, "LANGUAGE_MIN_ROWS", 9)

    model = suggestions.suggestion_model_train(TRAINING)

    assert set(model.languages) == {"en", "fr"}  # Portuguese has 8: network centroids
    (ranked,) = model.suggest(["Passear na floresta verde"], ["pt"])
    assert ranked[0].code == "B04"


def test_a_text_with_nothing_in_common_gets_no_suggestion():
    model = suggestions.suggestion_model_train(TRAINING)

    assert model.suggest(["zzz qqq"], ["en"]) == [[]]


def test_an_empty_model_suggests_nothing():
    model = suggestions.suggestion_model_train([])

    assert model.suggest(["Good bread"], ["en"]) == [[]]
    assert model.suggest([], []) == []


def test_accuracy_counts_first_and_first_three():
    figures = suggestions.suggestion_accuracy(TRAINING, QUESTIONS)

    assert figures == {"top1": 1.0, "top3": 1.0, "n": len(QUESTIONS)}
    wrong = [(text, language, "I03") for text, language, _code in QUESTIONS[:2]]
    mixed = suggestions.suggestion_accuracy(TRAINING, QUESTIONS[:2] + wrong)
    assert mixed == {"top1": 0.5, "top3": 0.5, "n": 4}
    assert suggestions.suggestion_accuracy(TRAINING, []) == {"top1": 0.0, "top3": 0.0, "n": 0}


def test_the_model_keeps_no_text_of_the_training_criteria():
    model = suggestions.suggestion_model_train(TRAINING + [("Boulangerie artisanale", "fr", "A01")])

    stored = pickle.dumps(model)

    for word in (b"oulangerie", b"artisanale", b"vegetables", b"chauffage"):
        assert word not in stored


def test_training_on_twenty_thousand_criteria_takes_seconds_at_most():
    rows = [
        (f"{text} {n % 97} {'x' * (n % 7)}", language, code)
        for n, (text, language, code) in enumerate(TRAINING * 667)
    ]

    model = suggestions.suggestion_model_train(rows)

    assert model.rows == len(rows) >= 20_000
    assert model.trained_seconds < 10  # about 0.5 s here; a slow CI machine has margin


# --- The model of the site ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_site_model_learns_from_every_group_and_only_classified_criteria():
    mine, theirs = make_coordination_group(), make_coordination_group()
    with cross_tenant():
        make_criterion(tenant=theirs, text="Fresh bread and vegetables", component="A01")
        make_criterion(tenant=mine, text="A bus to the town centre", component="A10")
        make_criterion(tenant=mine, text="Waiting bread", status=Criterion.Status.UNCLASSIFIED)
        make_criterion(
            tenant=theirs, text="Doubtful bread", component="A03", status=Criterion.Status.DISPUTED
        )

    rows = suggestions.training_rows()
    ranked = suggestions.suggest(["Bread and vegetables", "A bus"], "en")

    assert sorted(rows) == [
        ("A bus to the town centre", "en", "A10"),
        ("Fresh bread and vegetables", "en", "A01"),
    ]
    assert [r[0].code for r in ranked] == ["A01", "A10"]
    assert suggestions.training_version()[0] == 2


@pytest.mark.django_db
def test_the_site_model_is_kept_until_the_classified_criteria_change(
    monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(suggestions, "RETRAIN_MIN_SECONDS", 0.0)
    tenant = make_coordination_group()
    actor = make_user()
    with cross_tenant():
        make_criterion(tenant=tenant, text="Fresh bread", component="A01")
        waiting = make_criterion(tenant=tenant, text="A bus to town")
    first = suggestions.suggestion_model()

    with django_assert_num_queries(0):
        assert suggestions.suggestion_model() is first  # within VERSION_CHECK_SECONDS

    monkeypatch.setattr(suggestions, "VERSION_CHECK_SECONDS", 0.0)
    with django_assert_num_queries(1):
        assert suggestions.suggestion_model() is first  # checked, unchanged
    with cross_tenant():
        criterion_classify(
            tenant=tenant, criterion=waiting, component=component_by_code(code="A10"), actor=actor
        )
    second = suggestions.suggestion_model()

    assert second is not first
    assert second.rows == 2 and second.codes == ["A01", "A10"]


@pytest.mark.django_db
def test_a_stale_model_keeps_answering_while_a_new_one_trains_in_the_background(monkeypatch):
    monkeypatch.setattr(suggestions, "BACKGROUND_RETRAIN", True)
    monkeypatch.setattr(suggestions, "VERSION_CHECK_SECONDS", 0.0)
    monkeypatch.setattr(suggestions, "RETRAIN_MIN_SECONDS", 0.0)
    started = []
    monkeypatch.setattr(suggestions, "_train_in_background", started.append)
    tenant = make_coordination_group()
    with cross_tenant():
        make_criterion(tenant=tenant, text="Fresh bread", component="A01")
    first = suggestions.suggestion_model()
    with cross_tenant():
        make_criterion(tenant=tenant, text="A bus", component="A10")

    assert suggestions.suggestion_model() is first
    assert suggestions.suggestion_model() is first

    assert len(started) == 1  # one training at a time
    assert started[0][0] == 2


@pytest.mark.django_db
def test_a_worker_warming_its_first_model_answers_without_suggestions_meanwhile(monkeypatch):
    monkeypatch.setattr(suggestions, "BACKGROUND_RETRAIN", True)
    started = []
    monkeypatch.setattr(suggestions, "_train_in_background", started.append)
    tenant = make_coordination_group()
    with cross_tenant():
        make_criterion(tenant=tenant, text="Fresh bread", component="A01")

    suggestions.suggestion_model_warm()
    suggestions.suggestion_model_warm()

    assert len(started) == 1
    assert suggestions.suggest(["Bread"], "en") == [[]]
    # Once trained, the same call answers with the component.
    suggestions._train_and_keep(started[0])
    assert suggestions.suggest(["Fresh bread"], "en")[0][0].code == "A01"
