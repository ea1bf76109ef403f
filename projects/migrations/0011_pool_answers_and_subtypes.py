"""Data: participants are no longer homogeneous groups, their kinds follow the network's list,
and charters already open get the number of participants their quorum is drawn from.

1. Each participant's answers move from its own homogeneous group to the pool of its kind in
   its country's platform (one group of kind "project" per platform and kind, formed here
   when missing, without a page: it is no group that meets), each criterion linked to the
   participant (ParticipantAnswer). The old groups go: their wiki pages are deleted the wiki's
   way (a "deleted" revision, the history kept), their synthesis snapshots, pending marks,
   pages and reports with them (a report's file is deleted once the migration commits, so a
   migration that fails keeps both); what pointed at them (evaluation sessions, pledges,
   actions' groups) points at the pool, with or without answers. The platforms, their places
   and the pools are marked for the syntheses, and for the evaluations' roll-up where sessions
   moved (the pools and their platform's places, as projects.evaluations.rollup.
   evaluations_mark does when a session changes group); the jobs' sweep gives the marks a job,
   so no figure of a deleted group remains and the groups and participants they count are the
   pools'.
2. Sub-types: person → individual, household → family, coordination_group → local_platform;
   the summaries (by kind and type) are marked for the job to recompute.
3. Charters opened before: eligible = the participants who had joined when the vote opened,
   by the rule of projects.selectors.participants_invited_count (a territorial entity of a
   hidden coordination group is not counted).

Reversing renames the sub-types back and undoes nothing else: the answers stay pooled (the
pools, their criteria and the ParticipantAnswer links stay), no participant gets its group of
one back (the old groups are not rebuilt) and the charters keep their number.
"""

from django.conf import settings
from django.db import migrations, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext

RENAMED = {"person": "individual", "household": "family", "coordination_group": "local_platform"}
POOL_NAMES = {
    "citizen": "Answers of the citizens",
    "collective": "Answers of the collective actors",
    "territory": "Answers of the territorial entities",
}
POOL_PROFILES = {
    "citizen": "Citizens taking part in the project",
    "collective": "Collective actors taking part in the project",
    "territory": "Territorial entities taking part in the project",
}
GROUP_PEOPLE_MAX = 100_000
OLD_DESCRIPTION = "one homogeneous group per participant"
NEW_DESCRIPTION = (
    "pooled in one homogeneous group per kind of participant (citizens, collective actors, "
    "territorial entities)"
)


def _free(taken: set[str], base: str) -> str:
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _page_delete(apps, page_id: int, now) -> None:
    """As wikispiral.wiki.services.page_delete: a "deleted" revision, the history kept."""
    Page = apps.get_model("wiki", "Page")
    Revision = apps.get_model("wiki", "Revision")
    page = Page.objects.filter(pk=page_id, is_deleted=False).first()
    if page is None or page.current_revision_id is None:
        return
    current = Revision.objects.get(pk=page.current_revision_id)
    revision = Revision.objects.create(
        page=page,
        number=current.number + 1,
        parent=current,
        kind="delete",
        title=current.title,
        slug=page.slug,
        body=current.body,
        comment="A participant's answers are pooled with those of its kind.",
        created_at=now,
        size=current.size,
        size_delta=0,
    )
    Page.objects.filter(pk=page.pk).update(
        is_deleted=True, current_revision=revision, updated_at=now
    )


def _pool_ensure(apps, *, platform, kind: str):
    AnswerPool = apps.get_model("projects", "AnswerPool")
    HomogeneousGroup = apps.get_model("territories", "HomogeneousGroup")
    pool = AnswerPool.objects.filter(platform=platform, kind=kind).select_related("group").first()
    if pool is not None:
        return pool.group
    names = {
        value.casefold()
        for value in HomogeneousGroup.objects.filter(tenant=platform).values_list("name", flat=True)
    }
    base = name = gettext(POOL_NAMES[kind])
    number = 1
    while name.casefold() in names:
        number += 1
        name = f"{base} {number}"
    slugs = set(HomogeneousGroup.objects.filter(tenant=platform).values_list("slug", flat=True))
    slug = _free(slugs | {"new", "edit"}, slugify(name)[:70].strip("-") or "answers")
    group = HomogeneousGroup.objects.create(
        tenant=platform,
        name=name,
        slug=slug,
        kind="project",
        profile_other=gettext(POOL_PROFILES[kind]),
        language=settings.LANGUAGE_CODE,
        notes=gettext(
            "The answers of the project's participants of this kind in %(country)s, "
            "pooled: each participant's own are on its page of the project."
        )
        % {"country": platform.country.name},
    )
    AnswerPool.objects.create(platform=platform, kind=kind, group=group)
    return group


def _places_of(platform) -> list[tuple[str, int]]:
    """As syntheses.services.places_of."""
    places = [("cg", platform.pk)]
    if platform.locality_id:
        places.append(("locality", platform.locality_id))
    if platform.region_id:
        places.append(("region", platform.region_id))
    places.append(("country", platform.country_id))
    if platform.country.continent_id:
        places.append(("continent", platform.country.continent_id))
    places.append(("network", 0))
    if platform.project:
        places.append(("project", platform.project))
    return places


def _syntheses_forget(apps, old_ids: list[int], now) -> None:
    """Nothing of the deleted groups stays in the syntheses."""
    Snapshot = apps.get_model("syntheses", "Snapshot")
    PendingScope = apps.get_model("syntheses", "PendingScope")
    SynthesisPage = apps.get_model("syntheses", "SynthesisPage")
    Report = apps.get_model("syntheses", "Report")
    Snapshot.objects.filter(scope="hg", scope_id__in=old_ids).delete()
    PendingScope.objects.filter(scope="hg", scope_id__in=old_ids).delete()
    for page_id in SynthesisPage.objects.filter(scope="hg", scope_id__in=old_ids).values_list(
        "page_id", flat=True
    ):
        _page_delete(apps, page_id, now)
    SynthesisPage.objects.filter(scope="hg", scope_id__in=old_ids).delete()
    files = []
    for report in Report.objects.filter(scope="hg", scope_id__in=old_ids):
        if report.file:
            files.append((report.file.storage, report.file.name))
        report.delete()
    if files:
        # After the commit: a migration failing later brings the rows back, and their files.
        transaction.on_commit(lambda: _files_delete(files), robust=True)
    EvaluationSnapshot = apps.get_model("projects", "EvaluationSnapshot")
    EvaluationPending = apps.get_model("projects", "EvaluationPending")
    EvaluationSnapshot.objects.filter(scope="hg", scope_id__in=old_ids).delete()
    EvaluationPending.objects.filter(scope="hg", scope_id__in=old_ids).delete()


def _files_delete(files) -> None:
    for storage, name in files:
        storage.delete(name)


def _syntheses_mark(apps, scopes: set[tuple[str, int]], now) -> None:
    PendingScope = apps.get_model("syntheses", "PendingScope")
    for scope, scope_id in sorted(scopes):
        PendingScope.objects.update_or_create(
            scope=scope, scope_id=scope_id, defaults={"marked_at": now, "claimed_at": None}
        )


def _evaluations_mark(apps, scopes: set[tuple[str, int]], now) -> None:
    """As projects.evaluations.rollup.evaluations_mark (the sweep gives the marks a job)."""
    EvaluationPending = apps.get_model("projects", "EvaluationPending")
    for scope, scope_id in sorted(scopes):
        EvaluationPending.objects.update_or_create(
            scope=scope, scope_id=scope_id, defaults={"marked_at": now, "claimed_at": None}
        )


def _pointed_at(apps, old_id: int) -> bool:
    """Whether the progress half of the method points at the old group."""
    Action = apps.get_model("projects", "Action")
    return (
        apps.get_model("projects", "EvaluationSession").objects.filter(group_id=old_id).exists()
        or apps.get_model("projects", "Pledge").objects.filter(group_id=old_id).exists()
        or Action.groups.through.objects.filter(homogeneousgroup_id=old_id).exists()
    )


def _repoint(apps, old_id: int, pool_id: int) -> bool:
    """What the progress half of the method pointed at the old group points at the pool;
    whether evaluation sessions moved."""
    EvaluationSession = apps.get_model("projects", "EvaluationSession")
    Pledge = apps.get_model("projects", "Pledge")
    Action = apps.get_model("projects", "Action")
    moved = EvaluationSession.objects.filter(group_id=old_id).update(group_id=pool_id)
    Pledge.objects.filter(group_id=old_id).update(group_id=pool_id)
    Through = Action.groups.through
    for action_id in Through.objects.filter(homogeneousgroup_id=old_id).values_list(
        "action_id", flat=True
    ):
        Through.objects.get_or_create(action_id=action_id, homogeneousgroup_id=pool_id)
    Through.objects.filter(homogeneousgroup_id=old_id).delete()
    return bool(moved)


def answers_pool(apps, schema_editor) -> None:
    Participant = apps.get_model("projects", "Participant")
    ParticipantAnswer = apps.get_model("projects", "ParticipantAnswer")
    HomogeneousGroup = apps.get_model("territories", "HomogeneousGroup")
    Criterion = apps.get_model("criteria", "Criterion")
    now = timezone.now()
    pools: set[int] = set()
    marks: set[tuple[str, int]] = set()
    evaluation_marks: set[tuple[str, int]] = set()
    old_ids: list[int] = []
    participants = Participant.objects.filter(wellbeing_group__isnull=False).select_related(
        "wellbeing_group__tenant__country"
    )
    with translation.override(settings.LANGUAGE_CODE):
        for participant in participants.order_by("pk"):
            old = participant.wellbeing_group
            platform = old.tenant
            old_ids.append(old.pk)
            marks.update(_places_of(platform))
            criteria = list(Criterion.objects.filter(group_id=old.pk).values_list("pk", flat=True))
            # A pool is formed for answers, or for what points at the group (no answers left).
            if participant.kind in POOL_NAMES and (criteria or _pointed_at(apps, old.pk)):
                pool = _pool_ensure(apps, platform=platform, kind=participant.kind)
                pools.add(pool.pk)
                Criterion.objects.filter(pk__in=criteria).update(group_id=pool.pk)
                ParticipantAnswer.objects.bulk_create(
                    [ParticipantAnswer(participant=participant, criterion_id=pk) for pk in criteria]
                )
                if _repoint(apps, old.pk, pool.pk):
                    evaluation_marks.add(("hg", pool.pk))
                    evaluation_marks.update(_places_of(platform))
            Participant.objects.filter(pk=participant.pk).update(wellbeing_group=None)
            if old.page_id:
                _page_delete(apps, old.page_id, now)
    if not old_ids:
        return
    # Only a participant of an unknown kind (none is) leaves its group pointed at: the sessions
    # are then the whole platform's (they keep their figures), the rest goes with the group.
    EvaluationSession = apps.get_model("projects", "EvaluationSession")
    EvaluationSession.objects.filter(group_id__in=old_ids).update(group_id=None)
    HomogeneousGroup.objects.filter(pk__in=old_ids).delete()
    for pool_id in pools:
        answered = ParticipantAnswer.objects.filter(criterion__group_id=pool_id).values(
            "participant_id"
        )
        people = Participant.objects.filter(pk__in=answered).aggregate(total=Sum("people"))
        total = people["total"] or 0
        HomogeneousGroup.objects.filter(pk=pool_id).update(
            participants=min(total, GROUP_PEOPLE_MAX) if total else None, modified_at=now
        )
        marks.add(("hg", pool_id))
    _syntheses_forget(apps, old_ids, now)
    _syntheses_mark(apps, marks, now)
    _evaluations_mark(apps, evaluation_marks, now)


def platform_descriptions(apps, schema_editor) -> None:
    CoordinationGroup = apps.get_model("territories", "CoordinationGroup")
    for platform in CoordinationGroup.objects.filter(
        project__gt=0, platform_description__contains=OLD_DESCRIPTION
    ):
        platform.platform_description = platform.platform_description.replace(
            OLD_DESCRIPTION, NEW_DESCRIPTION
        )
        platform.save(update_fields=["platform_description"])


def subtypes_rename(apps, schema_editor) -> None:
    Participant = apps.get_model("projects", "Participant")
    for old, new in RENAMED.items():
        Participant.objects.filter(subtype=old).update(subtype=new)


def subtypes_rename_back(apps, schema_editor) -> None:
    Participant = apps.get_model("projects", "Participant")
    for old, new in RENAMED.items():
        Participant.objects.filter(subtype=new).update(subtype=old)


def summaries_mark(apps, schema_editor) -> None:
    """The summaries count participants by type: the job recomputes them (the sweep)."""
    if not apps.get_model("projects", "Participant").objects.exists():
        return  # nothing to count (a new database)
    SummaryState = apps.get_model("projects", "SummaryState")
    now = timezone.now()
    if not SummaryState.objects.filter(pk=1).update(dirty_since=now):
        SummaryState.objects.create(pk=1, dirty_since=now)


def charters_eligible(apps, schema_editor) -> None:
    Charter = apps.get_model("projects", "Charter")
    Participant = apps.get_model("projects", "Participant")
    # As projects.selectors.participants_invited_count(joined_by=charter.opens_at).
    invited = Participant.objects.exclude(kind="territory", coordination_group__is_hidden=True)
    for charter in Charter.objects.filter(opens_at__isnull=False, eligible__isnull=True):
        charter.eligible = invited.filter(created_at__lte=charter.opens_at).count()
        charter.save(update_fields=["eligible"])


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0010_right_choices_set_straight"),
        ("criteria", "0006_provisional_translations"),
        ("syntheses", "0010_report_current"),
        ("territories", "0012_network_life"),
        ("wiki", "0003_revision_imported_source"),
    ]

    operations = [
        migrations.RunPython(answers_pool, migrations.RunPython.noop),
        migrations.RunPython(platform_descriptions, migrations.RunPython.noop),
        migrations.RunPython(subtypes_rename, subtypes_rename_back),
        migrations.RunPython(summaries_mark, migrations.RunPython.noop),
        migrations.RunPython(charters_eligible, migrations.RunPython.noop),
    ]
