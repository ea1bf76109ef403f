"""A participant is not a homogeneous group: the project's platform in a country pools its
participants' answers in one homogeneous group per kind of participant, counting their
people, and each participant sees and takes back its own. The homogeneous-groups feed and the
directory list real groups only; the syntheses count the pools."""

import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from criteria.models import Criterion, Question
from criteria.selectors import component_by_code
from criteria.services import criterion_classify
from projects import services
from projects.models import AnswerPool, ParticipantAnswer
from projects.wellbeing import wellbeing_answer, wellbeing_answer_remove, wellbeing_answers
from syntheses import services as syntheses_services
from syntheses.models import Scope, Snapshot
from territories.models import CoordinationGroup, HomogeneousGroup
from tests.factories import make_country, make_homogeneous_group, make_user, reference_data
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db

PROJECT = CoordinationGroup.Project.RIGHT_CHOICES


def _join(kind: str, subtype: str, name: str, people: int, country: str = "FR"):
    reference_data()
    user = make_user()
    participant = services.participant_join(
        actor=user,
        kind=kind,
        subtype=subtype,
        name=name,
        people=people,
        country=make_country(code=country, name={"FR": "France", "PT": "Portugal"}[country]),
    )
    return participant, user


def _answer(participant, user, text: str, code: str = "Q1") -> list[Criterion]:
    question = Question.objects.shared().get(code=code)
    return wellbeing_answer(
        participant=participant,
        actor=user,
        answers={question.pk: text},
        language="en",
        session_date=datetime.date(2026, 10, 1),
    )


def _pools() -> dict[tuple[str, str], HomogeneousGroup]:
    with cross_tenant():
        return {
            (pool.platform.country.code, pool.kind): pool.group
            for pool in AnswerPool.objects.select_related("platform__country", "group")
        }


def test_each_kind_of_participant_answers_in_one_pool_per_platform_counting_their_people():
    martins, martins_user = _join("citizen", "family", "The Martins", 4)
    ana, ana_user = _join("citizen", "individual", "Ana", 1)
    school, school_user = _join("collective", "school", "École Jules Ferry", 300)
    lisbon, lisbon_user = _join("citizen", "group", "Bairro Alto neighbours", 12, country="PT")

    _answer(martins, martins_user, "Time together\nClean air")
    _answer(ana, ana_user, "Friends")
    _answer(school, school_user, "Pupils who feel safe")
    _answer(lisbon, lisbon_user, "The sea")

    pools = _pools()
    assert set(pools) == {("FR", "citizen"), ("FR", "collective"), ("PT", "citizen")}
    citizens = pools[("FR", "citizen")]
    assert (citizens.kind, citizens.participants) == ("project", 4 + 1)
    assert citizens.name == "Answers of the citizens"
    assert citizens.page is None  # no group that meets: the participants have their pages
    assert pools[("FR", "collective")].participants == 300
    assert pools[("FR", "collective")].name == "Answers of the collective actors"
    assert pools[("PT", "citizen")].participants == 12
    # No homogeneous group of one: only the pools exist.
    with cross_tenant():
        assert HomogeneousGroup.objects.count() == 3
        assert Criterion.objects.filter(group=citizens).count() == 3


def test_a_participant_sees_and_takes_back_only_its_own_answers_and_the_pool_follows():
    martins, martins_user = _join("citizen", "family", "The Martins", 4)
    ana, ana_user = _join("citizen", "individual", "Ana", 1)
    (mine,) = _answer(martins, martins_user, "Time together")
    (theirs,) = _answer(ana, ana_user, "Friends")
    assert mine.group_id == theirs.group_id  # one pool

    assert [c.text for item in wellbeing_answers(martins) for c in item.criteria] == [
        "Time together"
    ]
    with pytest.raises(services.ProjectError, match="not one of this participant"):
        wellbeing_answer_remove(participant=martins, actor=martins_user, criterion_id=theirs.pk)

    wellbeing_answer_remove(participant=ana, actor=ana_user, criterion_id=theirs.pk)

    pool = _pools()[("FR", "citizen")]
    assert pool.participants == 4  # Ana has no answer left: she no longer counts
    assert not ParticipantAnswer.objects.filter(participant=ana).exists()
    wellbeing_answer_remove(participant=martins, actor=martins_user, criterion_id=mine.pk)
    pool.refresh_from_db()
    assert pool.participants is None  # nobody left: the number is unknown, never 0


def test_the_answers_page_links_to_the_synthesis_of_the_pool(client):
    martins, user = _join("citizen", "family", "The Martins", 4)
    _answer(martins, user, "Time together")
    pool = _pools()[("FR", "citizen")]

    html = client.get(reverse("projects:wellbeing", args=[martins.slug])).content.decode()

    assert reverse("syntheses:synthesis", kwargs={"key": f"hg-{pool.pk}"}) in html
    assert "pooled" in html


def test_the_homogeneous_groups_feed_and_the_directory_leave_the_pools_out(client):
    martins, user = _join("citizen", "family", "The Martins", 4)
    _answer(martins, user, "Time together")
    pool = _pools()[("FR", "citizen")]
    platform = pool.tenant
    real = make_homogeneous_group(tenant=platform, name="Young people of Lille", participants=9)

    feed = client.get(reverse("directory:feed_homogeneous_rss")).content.decode()
    group_feed = client.get(
        reverse("directory:group_feed_rss", kwargs={"cg": platform.slug})
    ).content.decode()
    group_page = client.get(reverse("directory:group", kwargs={"cg": platform.slug}))
    directory = client.get(reverse("directory:directory")).content.decode()

    assert "Young people of Lille" in feed and pool.name not in feed
    assert "Young people of Lille" in group_feed and pool.name not in group_feed
    html = group_page.content.decode()
    assert "Young people of Lille" in html and pool.name not in html
    assert group_page.context["group_page"].homogeneous_group_count == 1
    assert group_page.context["group_page"].participants == real.participants
    row = directory[directory.index(f">{escape(platform.name)}<") :]
    assert "<td>1</td>" in row[: row.index("</tr>")]


def test_the_syntheses_still_count_the_pools(django_capture_on_commit_callbacks):
    staff = make_user(secretariat=True)
    with django_capture_on_commit_callbacks(execute=True):
        martins, martins_user = _join("citizen", "family", "The Martins", 4)
        ana, ana_user = _join("citizen", "individual", "Ana", 1)
        answers = _answer(martins, martins_user, "Time together") + _answer(ana, ana_user, "Pals")
        for criterion in answers:
            with cross_tenant():
                criterion_classify(
                    tenant=criterion.tenant,
                    criterion=criterion,
                    component=component_by_code(code="D01"),
                    actor=staff,
                )
    pool = _pools()[("FR", "citizen")]

    syntheses_services.syntheses_recompute_all(force=True)

    platform = Snapshot.objects.get(scope=Scope.COORDINATION_GROUP, scope_id=pool.tenant_id)
    assert (platform.groups_count, platform.participants) == (1, 5)
    assert Snapshot.objects.get(scope=Scope.HOMOGENEOUS_GROUP, scope_id=pool.pk).participants == 5
    assert Snapshot.objects.get(scope=Scope.PROJECT, scope_id=PROJECT).groups_count == 1


def test_a_territorial_entity_answers_in_the_pool_of_territories():
    town, user = _join("territory", "municipality", "Lutterbach", 6500)

    _answer(town, user, "A square where people meet")

    assert _pools()[("FR", "territory")].participants == 6500
    assert _pools()[("FR", "territory")].name == "Answers of the territorial entities"
