"""Well-being: participants answer the SPIRAL questions; the answers are criteria of the
project's platform in their country (pooled by kind of participant), classified like any
other, and add up to the syntheses of their country, the network and the project's own
scope."""

import datetime
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from criteria.models import Criterion, Question
from criteria.selectors import component_by_code
from criteria.services import TEXT_MAX_LENGTH, criterion_classify
from projects import services
from projects.models import ParticipantAnswer
from projects.wellbeing import wellbeing_answer
from syntheses import services as syntheses_services
from syntheses.models import Check, Scope, Snapshot
from territories.models import CoordinationGroup, HomogeneousGroup
from tests.factories import (
    make_coordination_group,
    make_country,
    make_criterion,
    make_user,
    reference_data,
)
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db

PROJECT = CoordinationGroup.Project.RIGHT_CHOICES


def _participant(name="The Martins", people=4, country="FR", user=None):
    reference_data()
    user = user or make_user()
    participant = services.participant_join(
        actor=user, kind="citizen", subtype="family", name=name, people=people
    )
    if country:
        participant.country = make_country(
            code=country, name={"FR": "France", "PT": "Portugal"}[country]
        )
        participant.save(update_fields=["country"])
    return participant, user


def _questions() -> dict[str, Question]:
    return {question.code: question for question in Question.objects.shared()}


def _form(**answers) -> dict:
    questions = _questions()
    data = {"session_date": "2026-10-03", "language": "fr"}
    data.update({f"q{questions[code].pk}": text for code, text in answers.items()})
    return data


def _criteria():
    with cross_tenant():
        return list(Criterion.objects.select_related("question", "group", "tenant"))


def test_a_member_answers_and_each_line_is_a_criterion_of_the_projects_platform(client):
    participant, user = _participant()
    client.force_login(user)

    response = client.post(
        reverse("projects:wellbeing", args=[participant.slug]),
        _form(Q1="- Time with the children\n- Clean air", Q2="Noise at night", Q3=""),
    )

    assert response.status_code == 302
    criteria = _criteria()
    assert sorted((c.question.code, c.text) for c in criteria) == [
        ("Q1", "Clean air"),
        ("Q1", "Time with the children"),
        ("Q2", "Noise at night"),
    ]
    group = criteria[0].group
    platform = group.tenant
    assert {c.group_id for c in criteria} == {group.pk}
    assert (platform.project, platform.country.code, platform.level) == (PROJECT, "FR", "country")
    # The pool of the citizens' answers in France, not a group of one.
    assert (group.kind, group.name, group.participants) == ("project", "Answers of the citizens", 4)
    assert group.answer_pool.kind == "citizen"
    assert set(
        ParticipantAnswer.objects.filter(participant=participant).values_list(
            "criterion_id", flat=True
        )
    ) == {c.pk for c in criteria}
    assert all(c.status == Criterion.Status.UNCLASSIFIED for c in criteria)
    assert {(c.language, c.session_date) for c in criteria} == {("fr", datetime.date(2026, 10, 3))}
    page = client.get(reverse("projects:wellbeing", args=[participant.slug])).content.decode()
    assert "Noise at night" in page
    assert "waiting to be classified" in page
    assert reverse("syntheses:synthesis", kwargs={"key": f"hg-{group.pk}"}) in page


def test_participants_of_a_country_share_its_platform_and_another_country_gets_its_own():
    first, first_user = _participant(name="First")
    second, second_user = _participant(name="Second")
    third, third_user = _participant(name="Third", country="PT")
    questions = _questions()
    for participant, user in ((first, first_user), (second, second_user), (third, third_user)):
        wellbeing_answer(
            participant=participant,
            actor=user,
            answers={questions["Q1"].pk: "Friends"},
            language="en",
            session_date=datetime.date(2026, 10, 1),
        )

    platforms = CoordinationGroup.objects.filter(project=PROJECT)
    assert sorted(platforms.values_list("country__code", flat=True)) == ["FR", "PT"]
    groups = {c.text + str(c.pk): c.group for c in _criteria()}
    by_country = {group.tenant.country.code: group for group in groups.values()}
    # The two citizens of France answer in one pool; Portugal has its own.
    assert len({group.pk for group in groups.values()}) == 2
    assert by_country["FR"].participants == 4 + 4
    assert by_country["PT"].participants == 4
    # A second round of answers goes to the same group.
    wellbeing_answer(
        participant=first,
        actor=first_user,
        answers={questions["Q3"].pk: "I cycle"},
        language="en",
        session_date=datetime.date(2026, 10, 2),
    )
    with cross_tenant():
        assert Criterion.objects.filter(group=by_country["FR"]).count() == 3
        assert Criterion.objects.filter(participant_answer__participant=first).count() == 2
    by_country["FR"].refresh_from_db()
    assert by_country["FR"].participants == 8  # the same two participants


def test_a_participant_without_a_country_says_which_one_first(client):
    participant, user = _participant(country=None)
    client.force_login(user)
    url = reverse("projects:wellbeing", args=[participant.slug])
    assert 'name="country"' in client.get(url).content.decode()

    refused = client.post(url, _form(Q1="Friends"))

    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    assert not _criteria()
    assert not CoordinationGroup.objects.filter(project=PROJECT).exists()

    portugal = make_country(code="PT", name="Portugal")
    accepted = client.post(url, {**_form(Q1="Friends"), "country": portugal.pk})

    assert accepted.status_code == 302
    participant.refresh_from_db()
    assert participant.country == portugal
    assert _criteria()[0].tenant.country == portugal


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Write at least one answer."),
        ({"session_date": "2099-01-01"}, "The date of the answers cannot be in the future."),
        ({"session_date": "1980-01-01"}, "The date of the answers cannot be before 1990."),
        ({"language": "xx"}, "Select a valid choice"),
        ({"Q2": "fine\n" + "x" * (TEXT_MAX_LENGTH + 1)}, "Line 2: A criterion has at most"),
    ],
)
def test_bad_answers_are_refused_with_a_message_and_nothing_is_saved(client, data, message):
    participant, user = _participant()
    client.force_login(user)
    form = _form(Q1="Friends" if data else "")
    questions = _questions()
    for key, value in data.items():
        if key.startswith("Q"):
            form[f"q{questions[key].pk}"] = value
        else:
            form[key] = value

    response = client.post(reverse("projects:wellbeing", args=[participant.slug]), form)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not _criteria()
    assert not ParticipantAnswer.objects.exists()
    with cross_tenant():
        assert not HomogeneousGroup.objects.exists()


def test_answers_are_public_but_only_members_answer_or_take_them_back(client):
    participant, user = _participant()
    questions = _questions()
    (criterion,) = wellbeing_answer(
        participant=participant,
        actor=user,
        answers={questions["Q1"].pk: "Friends"},
        language="en",
        session_date=datetime.date(2026, 10, 1),
    )
    url = reverse("projects:wellbeing", args=[participant.slug])
    remove = reverse("projects:wellbeing_remove", args=[participant.slug, criterion.pk])

    anonymous = client.get(url).content.decode()
    assert "Friends" in anonymous
    assert "Save the answers" not in anonymous
    assert client.post(url, _form(Q1="Mine")).status_code == 302  # to the login page
    client.force_login(make_user())
    assert client.post(url, _form(Q1="Mine")).status_code == 404
    assert client.post(remove).status_code == 404
    assert [c.text for c in _criteria()] == ["Friends"]


def test_a_member_takes_an_answer_back_but_not_another_participants(client):
    participant, user = _participant()
    other, other_user = _participant(name="Others")
    questions = _questions()
    (mine,) = wellbeing_answer(
        participant=participant,
        actor=user,
        answers={questions["Q1"].pk: "Mine"},
        language="en",
        session_date=datetime.date(2026, 10, 1),
    )
    (theirs,) = wellbeing_answer(
        participant=other,
        actor=other_user,
        answers={questions["Q1"].pk: "Theirs"},
        language="en",
        session_date=datetime.date(2026, 10, 1),
    )
    client.force_login(user)

    stolen = client.post(reverse("projects:wellbeing_remove", args=[participant.slug, theirs.pk]))
    taken = client.post(reverse("projects:wellbeing_remove", args=[participant.slug, mine.pk]))

    assert stolen.status_code == 404
    assert taken.status_code == 302
    assert [c.text for c in _criteria()] == ["Theirs"]


def _classified_answers(django_capture_on_commit_callbacks):
    """Two participants in France, one in Portugal, their answers classified by the
    secretariat; and an ordinary platform in France with criteria of its own."""
    staff = make_user(secretariat=True)
    questions = _questions()
    answers = {
        "FR": [("Q1", "A01", "Bread"), ("Q1", "A01", "Vegetables"), ("Q2", "B00", "Noise")],
        "PT": [("Q1", "A01", "Fish"), ("Q3", "C00", "I help")],
    }
    with django_capture_on_commit_callbacks(execute=True):
        for number, (country, rows) in enumerate([*answers.items(), ("FR", answers["FR"][:1])]):
            participant, user = _participant(name=f"P{number}", country=country)
            for code, component, text in rows:
                (criterion,) = wellbeing_answer(
                    participant=participant,
                    actor=user,
                    answers={questions[code].pk: text},
                    language="en",
                    session_date=datetime.date(2026, 10, 1),
                )
                with cross_tenant():
                    criterion_classify(
                        tenant=criterion.tenant,
                        criterion=criterion,
                        component=component_by_code(code=component),
                        actor=staff,
                    )
        town = make_coordination_group(country=make_country())
        make_criterion(tenant=town, component="A01")
        make_criterion(tenant=town, component="D00")
        syntheses_services.scopes_mark([(Scope.COORDINATION_GROUP, town.pk)])


def _counts(scope: str, scope_id: int) -> Counter:
    cube = Snapshot.objects.get(scope=scope, scope_id=scope_id).cube
    counts: Counter = Counter()
    for component, question, count in zip(
        cube["component"], cube["question"], cube["count"], strict=True
    ):
        counts[(component, question)] += count
    return counts


def _plain(criteria) -> Counter:
    return Counter(
        criteria.filter(status=Criterion.Status.CLASSIFIED).values_list(
            "component__code", "question__code"
        )
    )


def test_classified_answers_add_up_to_the_project_their_country_and_the_network(
    django_capture_on_commit_callbacks,
):
    _classified_answers(django_capture_on_commit_callbacks)
    with cross_tenant():
        everything = Criterion.objects.all()
        in_project = _plain(everything.filter(tenant__project=PROJECT))
        in_france = _plain(everything.filter(tenant__country__code="FR"))
        total = _plain(everything)
    france = make_country()

    # The jobs after each change (rolled up from the snapshots below)...
    assert _counts(Scope.PROJECT, PROJECT) == in_project
    assert in_project == Counter({("A01", "Q1"): 4, ("B00", "Q2"): 1, ("C00", "Q3"): 1})
    assert _counts(Scope.COUNTRY, france.pk) == in_france
    assert _counts(Scope.NETWORK, 0) == total
    # ...give what a forced pass gives, and the nightly check then finds nothing to redo.
    syntheses_services.syntheses_recompute_all(force=True)
    assert _counts(Scope.PROJECT, PROJECT) == in_project
    assert _counts(Scope.NETWORK, 0) == total
    check = syntheses_services.syntheses_recompute_all()
    assert check.recomputed == 0
    assert Check.objects.count() == 2


def test_the_nightly_check_finds_a_change_to_the_answers_made_behind_its_back(
    django_capture_on_commit_callbacks,
):
    _classified_answers(django_capture_on_commit_callbacks)
    syntheses_services.syntheses_recompute_all(force=True)
    with cross_tenant():
        answer = Criterion.objects.filter(tenant__project=PROJECT, text="Fish")
        answer.update(component=component_by_code(code="D00"))  # no service: nothing marked

    check = syntheses_services.syntheses_recompute_all()

    assert check.recomputed > 0
    assert _counts(Scope.PROJECT, PROJECT)[("D00", "Q1")] == 1


def test_the_projects_synthesis_page_and_its_place_among_the_scopes(
    client, django_capture_on_commit_callbacks
):
    _classified_answers(django_capture_on_commit_callbacks)
    platform = CoordinationGroup.objects.get(project=PROJECT, country__code="PT")

    page = client.get(reverse("syntheses:synthesis", kwargs={"key": f"project-{PROJECT}"}))
    platform_page = client.get(reverse("syntheses:synthesis", kwargs={"key": f"cg-{platform.pk}"}))

    assert page.status_code == 200
    assert "Together let&#x27;s learn to make the right choices" in page.content.decode()
    # The platform's synthesis offers to compare it with the project's.
    assert f'value="project-{PROJECT}"' in platform_page.content.decode()
    assert (
        client.get(reverse("syntheses:synthesis", kwargs={"key": "project-7"})).status_code == 404
    )
    assert (
        client.get(reverse("syntheses:synthesis", kwargs={"key": "project-0"})).status_code == 404
    )


def test_the_answers_wait_in_the_secretariats_classification_queue(client):
    participant, user = _participant()
    questions = _questions()
    wellbeing_answer(
        participant=participant,
        actor=user,
        answers={questions["Q1"].pk: "Friends"},
        language="en",
        session_date=timezone.localdate(),
    )
    platform = _criteria()[0].tenant
    client.force_login(make_user(secretariat=True))

    queue = client.get(reverse("classification:queue", kwargs={"cg": platform.slug}))

    assert queue.status_code == 200
    assert "Friends" in queue.content.decode()
    assert platform.project == PROJECT


def test_the_projects_synthesis_is_drawn_as_a_pdf_report_and_published(
    django_capture_on_commit_callbacks,
):
    from syntheses import reports
    from syntheses.selectors import Filters, scope_get

    _classified_answers(django_capture_on_commit_callbacks)
    ref = scope_get(f"project-{PROJECT}")
    report = reports.report_request(ref=ref, language="en", filters=Filters(), actor=None)

    done = reports.report_render(report_id=report.pk)

    assert done.status == done.Status.DONE
    assert done.file.read().startswith(b"%PDF")
    assert done.criteria_count == 6
    published = reports.reports_published()
    assert [(item.report.pk, item.scope_name) for item in published] == [
        (report.pk, "Together let's learn to make the right choices")
    ]


# --- A participant's details, and the pool of its answers ------------------------------------


def test_a_manager_changes_the_name_and_people_and_the_answers_pool_counts_them(client):
    participant, user = _participant()
    questions = _questions()
    wellbeing_answer(
        participant=participant,
        actor=user,
        answers={questions["Q1"].pk: "Friends"},
        language="en",
        session_date=datetime.date(2026, 10, 1),
    )
    participant.refresh_from_db()
    client.force_login(user)
    url = reverse("projects:participant_edit", args=[participant.slug])

    response = client.post(url, {"name": "The Martin-Diallos", "people": "5"})

    assert response.status_code == 302
    participant.refresh_from_db()
    group = _criteria()[0].group
    assert (participant.name, participant.people, participant.country.code) == (
        "The Martin-Diallos",
        5,
        "FR",
    )
    # The pool keeps its name (it is no participant's) and counts the new number of people.
    assert (group.name, group.participants) == ("Answers of the citizens", 5)


def test_the_country_stays_once_the_answers_count_in_it():
    participant, user = _participant()
    questions = _questions()
    wellbeing_answer(
        participant=participant,
        actor=user,
        answers={questions["Q1"].pk: "Friends"},
        language="en",
        session_date=datetime.date(2026, 10, 1),
    )

    with pytest.raises(services.ProjectError, match="the country cannot change"):
        services.participant_update(
            participant=participant,
            actor=user,
            name=participant.name,
            people=4,
            country=make_country(code="PT", name="Portugal"),
        )
    participant.refresh_from_db()
    assert participant.country.code == "FR"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "people": "4"}, "This field is required."),
        ({"name": "Us", "people": "0"}, "greater than or equal to 1"),
        ({"name": "Us", "people": "2000000"}, "Give a number of people between 1 and"),
    ],
)
def test_bad_details_are_refused_and_nothing_changes(client, data, message):
    participant, user = _participant()
    client.force_login(user)

    response = client.post(reverse("projects:participant_edit", args=[participant.slug]), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    participant.refresh_from_db()
    assert (participant.name, participant.people) == ("The Martins", 4)


def test_only_managers_change_the_details(client):
    participant, _user = _participant()
    url = reverse("projects:participant_edit", args=[participant.slug])
    assert client.get(url).status_code == 302  # log in first
    client.force_login(make_user())
    assert client.post(url, {"name": "Taken", "people": "1"}).status_code == 404
    participant.refresh_from_db()
    assert participant.name == "The Martins"
