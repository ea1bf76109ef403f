"""projects 0011: each participant's homogeneous group of one is moved into the pool of its kind
in its platform and deleted, nothing of it left in the syntheses; sub-types follow the
network's list; charters already open get the number their quorum is drawn from."""

import datetime
import importlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from criteria.models import Criterion
from projects import services
from projects.models import (
    Action,
    AnswerPool,
    Charter,
    EvaluationPending,
    EvaluationSession,
    Participant,
    ParticipantAnswer,
    Pledge,
)
from syntheses import services as syntheses_services
from syntheses.models import PendingScope, Report, Scope, Snapshot, SynthesisPage
from territories.models import CoordinationGroup, HomogeneousGroup
from territories.projects import project_platform_ensure
from territories.services import homogeneous_group_create
from tests.factories import (
    make_coordination_group,
    make_country,
    make_criterion,
    make_page,
    make_user,
    reference_data,
)
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.models import Page

BEFORE = [("projects", "0010_right_choices_set_straight")]
POOLING = ("projects", "0011_pool_answers_and_subtypes")
PROJECT = CoordinationGroup.Project.RIGHT_CHOICES
OLD_DESCRIPTION = (
    "The platform of the network's project in France: its participants' answers to the SPIRAL "
    "questions, one homogeneous group per participant. The secretariat runs it."
)


def _old_world():
    """Participants as issue 17 left them: each with its homogeneous group of one in France's
    platform (the criteria classified, the syntheses drawn), under its old sub-type."""
    reference_data()
    france = make_country()
    platform = project_platform_ensure(project=PROJECT, country=france)
    CoordinationGroup.objects.filter(pk=platform.pk).update(platform_description=OLD_DESCRIPTION)
    facilitator = make_user()
    town = make_coordination_group(name="Mulhouse", facilitator=facilitator)
    plans = [
        # name, kind, today's sub-type, the old one, people, answers
        ("The Martins", "citizen", "family", "household", 4, 3),
        ("Ana", "citizen", "individual", "person", 1, 2),
        ("Silent", "citizen", "individual", "person", 1, 0),
        ("École Jules Ferry", "collective", "school", "school", 300, 1),
        ("Mulhouse", "territory", "local_platform", "coordination_group", 108000, 1),
    ]
    olds = {}
    for name, kind, subtype, old_subtype, people, answers in plans:
        participant = services.participant_join(
            actor=facilitator if kind == "territory" else make_user(),
            kind=kind,
            subtype=subtype,
            name=name,
            people=people,
            country=france,
            coordination_group=town if kind == "territory" else None,
        )
        with cross_tenant():
            group = homogeneous_group_create(
                actor=None,
                group=platform,
                name=f"{name} ({participant.slug})",
                profile_other="A participant",
                participants=min(people, 100_000),
                language="en",
            )
            for number in range(answers):
                make_criterion(
                    tenant=platform, group=group, text=f"{name} {number}", component="A01"
                )
        olds[participant.pk] = (group, old_subtype)
    syntheses_services.syntheses_recompute_all(force=True)
    return platform, olds


@pytest.mark.django_db(transaction=True)
def test_the_migration_pools_the_answers_and_leaves_nothing_of_the_groups_of_one():
    platform, olds = _old_world()
    with cross_tenant():
        criteria_before = Criterion.objects.filter(tenant=platform).count()
    platform_figures = Snapshot.objects.get(scope=Scope.COORDINATION_GROUP, scope_id=platform.pk)
    assert platform_figures.groups_count == 4  # the groups of one that have answers
    martins_group = next(group for group, _old in olds.values() if group.name.startswith("The"))
    report = Report.objects.create(
        scope=Scope.HOMOGENEOUS_GROUP, scope_id=martins_group.pk, language="en", status="done"
    )
    synthesis_page = SynthesisPage.objects.create(
        scope=Scope.HOMOGENEOUS_GROUP,
        scope_id=martins_group.pk,
        page=make_page(space=platform.space, title="The Martins in figures"),
    )
    organiser = make_user(secretariat=True)
    charter = services.charter_draft(actor=organiser, title="Older charter")
    services.charter_open(
        charter=charter, actor=organiser, closes_at=timezone.now() + datetime.timedelta(days=3)
    )
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old_apps = executor.loader.project_state(BEFORE).apps
        participants = old_apps.get_model("projects", "Participant")._base_manager
        for pk, (group, old_subtype) in olds.items():
            participants.filter(pk=pk).update(wellbeing_group_id=group.pk, subtype=old_subtype)
        old_apps.get_model("projects", "Charter")._base_manager.update(eligible=None)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    # Sub-types follow the network's list.
    assert dict(Participant.objects.values_list("name", "subtype")) == {
        "The Martins": "family",
        "Ana": "individual",
        "Silent": "individual",
        "École Jules Ferry": "school",
        "Mulhouse": "local_platform",
    }
    # One pool per kind, counting the people of those who answered.
    pools = {
        pool.kind: pool.group for pool in AnswerPool.objects.select_related("group", "platform")
    }
    assert {kind: (g.kind, g.participants) for kind, g in pools.items()} == {
        "citizen": ("project", 4 + 1),  # the Martins and Ana; Silent never answered
        "collective": ("project", 300),
        "territory": ("project", 100_000),  # at most what a homogeneous group counts
    }
    assert {g.tenant_id for g in pools.values()} == {platform.pk}
    with cross_tenant():
        assert set(HomogeneousGroup.objects.values_list("pk", flat=True)) == {
            g.pk for g in pools.values()
        }
        assert Criterion.objects.filter(tenant=platform).count() == criteria_before
        martins = Participant.objects.get(name="The Martins")
        assert sorted(
            Criterion.objects.filter(participant_answer__participant=martins).values_list(
                "text", flat=True
            )
        ) == ["The Martins 0", "The Martins 1", "The Martins 2"]
    assert ParticipantAnswer.objects.count() == criteria_before
    # The old groups' pages are deleted the wiki's way: a "deleted" revision, the history kept.
    for group, _old in olds.values():
        page = Page.objects.select_related("current_revision").get(pk=group.page_id)
        assert page.is_deleted and page.current_revision.kind == "delete"
        assert page.revisions.count() == 2
    # Nothing of the deleted groups in the syntheses; the platform and the pools are marked.
    old_ids = [group.pk for group, _old in olds.values()]
    assert not Snapshot.objects.filter(scope=Scope.HOMOGENEOUS_GROUP, scope_id__in=old_ids)
    assert not PendingScope.objects.filter(scope=Scope.HOMOGENEOUS_GROUP, scope_id__in=old_ids)
    assert not Report.objects.filter(pk=report.pk).exists()
    assert not SynthesisPage.objects.filter(pk=synthesis_page.pk).exists()
    assert Page.objects.get(pk=synthesis_page.page_id).is_deleted
    marked = set(PendingScope.objects.values_list("scope", "scope_id"))
    assert {
        (Scope.COORDINATION_GROUP, platform.pk),
        (Scope.COUNTRY, platform.country_id),
        (Scope.NETWORK, 0),
        (Scope.PROJECT, PROJECT),
        *((Scope.HOMOGENEOUS_GROUP, g.pk) for g in pools.values()),
    } <= marked
    # The job the sweep gives the marks draws the same criteria, in the pools.
    syntheses_services.syntheses_recompute_pending()
    figures = Snapshot.objects.get(scope=Scope.COORDINATION_GROUP, scope_id=platform.pk)
    assert figures.criteria_count == platform_figures.criteria_count == criteria_before
    assert figures.groups_count == 3
    assert Snapshot.objects.get(
        scope=Scope.HOMOGENEOUS_GROUP, scope_id=pools["citizen"].pk
    ).criteria_count == (3 + 2)
    # The platform says what it holds now; the older charter has its quorum's basis.
    platform.refresh_from_db()
    assert "one homogeneous group per participant" not in platform.platform_description
    assert "one homogeneous group per kind of participant" in platform.platform_description
    assert Charter.objects.get(pk=charter.pk).eligible == 5


def _group_of_one(*, kind: str, subtype: str, name: str):
    """A participant of kind with its homogeneous group of one in France's platform, no
    answers in it (the only one of its kind: no pool of that kind is formed for answers)."""
    reference_data()
    platform = project_platform_ensure(project=PROJECT, country=make_country())
    participant = services.participant_join(
        actor=make_user(), kind=kind, subtype=subtype, name=name, people=30
    )
    with cross_tenant():
        group = homogeneous_group_create(
            actor=None,
            group=platform,
            name=f"{name} ({participant.slug})",
            profile_other="A participant",
            participants=30,
            language="en",
        )
    return platform, participant, group


def _back_to_groups_of_one(groups: dict[int, int]) -> MigrationExecutor:
    """Migrate back to 0010 and give each participant (pk) its group of one (pk) again."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    participants = old_apps.get_model("projects", "Participant")._base_manager
    for pk, group_id in groups.items():
        participants.filter(pk=pk).update(wellbeing_group_id=group_id)
    return executor


def _forward() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_what_points_at_a_group_with_no_answers_points_at_a_pool_and_is_marked_for_the_rollup():
    platform, participant, old = _group_of_one(
        kind="collective", subtype="association", name="Quiet association"
    )
    with cross_tenant():
        action = Action.objects.create(
            tenant=platform, title="Shared garden", language="en", published=True
        )
        action.groups.add(old)
        pledge = Pledge.objects.create(
            tenant=platform, action=action, pledger="hg", group=old, offer="time"
        )
        session = EvaluationSession.objects.create(
            tenant=platform,
            title="Spring evaluation",
            held_on=datetime.date(2026, 3, 1),
            group=old,
            participants=12,
            status=EvaluationSession.Status.PUBLISHED,
        )
    EvaluationPending.objects.all().delete()
    try:
        _back_to_groups_of_one({participant.pk: old.pk})
    finally:
        _forward()

    pool = AnswerPool.objects.select_related("group").get(platform=platform, kind="collective")
    with cross_tenant():
        assert not HomogeneousGroup.objects.filter(pk=old.pk).exists()
        assert Pledge.objects.get(pk=pledge.pk).group_id == pool.group_id
        assert list(Action.objects.get(pk=action.pk).groups.values_list("pk", flat=True)) == [
            pool.group_id
        ]
        assert EvaluationSession.objects.get(pk=session.pk).group_id == pool.group_id
    # The roll-up is told, as when a session changes group: the pool and the platform's places.
    marked = set(EvaluationPending.objects.values_list("scope", "scope_id"))
    assert {
        (Scope.HOMOGENEOUS_GROUP, pool.group_id),
        (Scope.COORDINATION_GROUP, platform.pk),
        (Scope.COUNTRY, platform.country_id),
        (Scope.NETWORK, 0),
        (Scope.PROJECT, PROJECT),
    } <= marked
    assert pool.group.participants is None  # nobody answered: no people counted


@pytest.mark.django_db(transaction=True)
def test_a_deleted_groups_report_file_goes_only_once_the_migration_commits(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    platform, participant, old = _group_of_one(
        kind="citizen", subtype="family", name="The Ferreiras"
    )
    with cross_tenant():
        make_criterion(tenant=platform, group=old, text="Ferreiras 0", component="A01")
    report = Report.objects.create(
        scope=Scope.HOMOGENEOUS_GROUP, scope_id=old.pk, language="en", status="done"
    )
    report.file.save("ferreiras.pdf", ContentFile(b"%PDF-1.7 Ferreiras"), save=True)
    name = report.file.name
    assert default_storage.exists(name)
    pooling = importlib.import_module("projects.migrations.0011_pool_answers_and_subtypes")
    try:
        executor = _back_to_groups_of_one({participant.pk: old.pk})
        state_apps = executor.loader.project_state(POOLING, at_end=False).apps
        # A migration failing after the pooling: its rows come back, and so must the file.
        with pytest.raises(RuntimeError), transaction.atomic():
            pooling.answers_pool(state_apps, None)
            assert not Report.objects.filter(pk=report.pk).exists()
            assert default_storage.exists(name)  # not before the commit
            raise RuntimeError("a later step fails")
        assert Report.objects.filter(pk=report.pk).exists()
        assert default_storage.exists(name)
    finally:
        _forward()
    assert not Report.objects.filter(pk=report.pk).exists()
    assert not default_storage.exists(name)  # gone once the migration committed
