"""Writing the demo network: one transaction of bulk inserts, and removing it again."""

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from criteria.demo.network import COUNTRIES, LAST_DAY, PlannedGroup, PlannedPlatform, plan_network
from criteria.demo.selectors import (
    DEMO_NETWORK_ID_PREFIX,
    DEMO_SLUG_PREFIX,
    DemoSummary,
    demo_groups,
)
from criteria.demo.texts import criterion_text, full_code, generic_text
from criteria.models import Classification, Component, Criterion, Question
from territories.models import (
    Continent,
    CoordinationGroup,
    Country,
    HomogeneousGroup,
    Profile,
)
from territories.services import (
    coordination_groups_bulk_create,
    country_ensure,
    demo_groups_delete,
    facilitators_bulk_add,
    homogeneous_groups_bulk_create,
    locality_ensure,
    region_ensure,
)
from wikispiral.accounts.models import User
from wikispiral.accounts.selectors import user_by_username
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.models import Space
from wikispiral.wiki.selectors import space_slugs_with_prefix
from wikispiral.wiki.spaces import space_bulk_create, spaces_delete_unused

DEMO_FACILITATOR = "facilitator"  # the demo login of seed_demo, when it exists
# Without groups of its own (seed_territories not run), the demo login facilitates this many
# generated groups, so that it has a classification queue.
FACILITATED_GROUPS = 5
# Criteria per participant of the demo login's own homogeneous groups (each 20 to 120).
CRITERIA_PER_PARTICIPANT = 5
BATCH_SIZE = 2000
FLUSH_EVERY = 10_000

# What a profile's groups talk about more than others.
PROFILE_TOPICS: dict[str, tuple[str, ...]] = {
    "young-people": ("A05", "A06", "A07", "D03", "F03", "A11"),
    "elderly-people": ("A02", "F01", "D01", "D06", "G04", "A09"),
    "unemployed-people": ("A06", "A08", "F04", "A00", "G04"),
    "women": ("E01", "B05", "F06", "D01", "A09"),
    "parents": ("D01", "A05", "A09", "B05", "E05"),
    "entrepreneurs": ("C03", "A06", "A08", "C02", "H05"),
    "elected-officials": ("C01", "C05", "C02", "E00", "H02"),
    "professionals": ("D05", "F06", "F02", "C03"),
    "pupils": ("A05", "D03", "D05", "A07", "F01"),
    "students": ("A05", "A08", "A03", "F05"),
    "migrants": ("E01", "D06", "C01", "A03", "A06"),
    "people-with-disabilities": ("A10", "B02", "F03", "C02", "A09"),
    "farmers": ("I03", "I02", "B04", "C03", "A08"),
    "residents": ("B00", "B01", "B03", "D04", "B05"),
}
QUESTION_SHARES = (40, 35, 25)  # Q1, Q2, Q3
STATUS_DISPUTED = 0.05
# Most groups are classified through; some recent ones still wait (15% unclassified overall).
UNCLASSIFIED_BY_GROUP = ((0.7, 0.08), (0.3, 0.31))
FULL_CODE_SHARE = 0.25


@transaction.atomic
def demo_remove() -> int:
    """Delete every demo coordination group with what it owns (criteria, their history,
    homogeneous groups, memberships, its wiki space when it holds no page); the countries and
    places stay. Returns how many coordination groups went."""
    ids = list(demo_groups().values_list("pk", flat=True))
    if not ids:
        return 0
    slugs = list(demo_groups().values_list("slug", flat=True))
    with cross_tenant():
        # Children first, each in one statement, so the cascade below has nothing left to load.
        Classification.objects.filter(tenant_id__in=ids).delete()
        Criterion.objects.filter(tenant_id__in=ids).delete()
        demo_groups_delete(ids=ids)
    spaces_delete_unused(slugs=slugs)
    return len(ids)


@contextmanager
def _given_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """bulk_create stamps auto_now and auto_now_add fields with the current time; switched off
    while demo rows are written, so that they carry dates spread over the years (the feeds and
    the classification queue order by them)."""
    fields = [
        model_field
        for model in model_classes
        for model_field in model._meta.concrete_fields
        if isinstance(model_field, models.DateField | models.TimeField)
        and (model_field.auto_now or model_field.auto_now_add)
    ]
    saved = [
        (model_field, model_field.auto_now, model_field.auto_now_add) for model_field in fields
    ]
    for model_field in fields:
        model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in saved:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


def _at(day: dt.date, rng: random.Random, now: dt.datetime) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(rng.randint(8, 21), rng.randint(0, 59)), dt.UTC)
    return min(moment, now)


def _places(planned: list[PlannedPlatform], summary: DemoSummary) -> dict[tuple[str, ...], Any]:
    """Countries, regions and localities the plan uses: existing rows reused, missing ones
    created. Keys: (code,) for a Country, (code, region) for a Region, (code, region, locality)
    for a Locality."""
    used = {(p.country.code, p.region, p.locality) for p in planned}
    codes = {code for code, _region, _locality in used}
    continents = {
        c.code: c for c in Continent.objects.filter(code__in={c.continent for c in COUNTRIES})
    }
    countries = {c.code: c for c in Country.objects.filter(code__in=codes)}
    for demo in COUNTRIES:
        if demo.code in codes and demo.code not in countries:
            countries[demo.code], _created = country_ensure(
                code=demo.code,
                name=demo.name,
                names={"fr": demo.name_fr, "pt": demo.name_pt},
                continent=continents[demo.continent],
            )
            summary.countries_created += 1
    summary.countries = len(countries)
    found: dict[tuple[str, ...], Any] = {(code,): country for code, country in countries.items()}
    for code, region_name, locality_name in sorted(used):
        country = countries[code]
        region_key = (code, region_name)
        if region_key not in found:
            found[region_key], _created = region_ensure(country=country, name=region_name)
        found[(code, region_name, locality_name)], _created = locality_ensure(
            region=found[region_key], name=locality_name
        )
    return found


@dataclass
class _Grid:
    """The current grid and the network questions, ready for drawing."""

    components: dict[str, Component]
    codes: list[str]
    weights_by_profile: dict[str | None, list[float]]
    siblings: dict[str, list[str]]
    questions: list[Question]


def _grid() -> _Grid:
    from criteria.selectors import component_list

    components = {component.code: component for component in component_list()}
    codes = list(components)
    base = {
        code: (0.6 if code.endswith("00") else 1.0) * (1.4 if code.startswith("A") else 1.0)
        for code in codes
    }
    weights_by_profile: dict[str | None, list[float]] = {None: [base[code] for code in codes]}
    for slug, topics in PROFILE_TOPICS.items():
        weights_by_profile[slug] = [base[code] * (4 if code in topics else 1) for code in codes]
    siblings: dict[str, list[str]] = {}
    for code, component in components.items():
        siblings[code] = [
            other
            for other, candidate in components.items()
            if candidate.family_id == component.family_id and other != code
        ]
    questions = list(
        Question.objects.shared().filter(code__in=("Q1", "Q2", "Q3")).order_by("order")
    )
    if len(questions) != 3:
        raise ValueError("The network questions Q1, Q2 and Q3 are missing: run the migrations.")
    return _Grid(components, codes, weights_by_profile, siblings, questions)


def demo_generate(
    *,
    criteria: int,
    seed: int = 1,
    platforms: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Write a demo network with `criteria` criteria (about four homogeneous groups per
    coordination group unless `platforms` says how many coordination groups), the same for the
    same seed. One transaction."""
    with transaction.atomic(), cross_tenant():
        summary = _generate(criteria=criteria, seed=seed, platforms=platforms, progress=progress)
    _analyze()
    return summary


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load: until autovacuum gets to it,
    PostgreSQL plans queries on these tables as if they were nearly empty (nested loops over
    tens of thousands of rows)."""
    tables = [
        model._meta.db_table
        for model in (Criterion, Classification, HomogeneousGroup, CoordinationGroup)
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _generate(
    *,
    criteria: int,
    seed: int,
    platforms: int | None,
    progress: Callable[[str], None] | None,
) -> DemoSummary:
    rng = random.Random(seed)
    now = timezone.now()
    profiles = list(Profile.objects.filter(is_active=True).order_by("order", "name"))
    planned = plan_network(
        rng,
        criteria=criteria,
        platforms=platforms,
        profiles=[(p.slug, {"en": p.name, **p.names}) for p in profiles],
    )
    grid = _grid()
    summary = DemoSummary()
    places = _places(planned, summary)
    facilitator = user_by_username(username=DEMO_FACILITATOR)
    own = _facilitated_groups(facilitator) if facilitator is not None else []
    with _given_timestamps(CoordinationGroup, HomogeneousGroup, Criterion, Classification):
        groups = _write_platforms(rng, planned, places=places, now=now)
        summary.coordination_groups = len(groups)
        # The demo login's groups are the ones with criteria (its login hint names them):
        # those seed_territories gave it, else the first few generated ones.
        facilitated = [] if facilitator is None or own else groups[:FACILITATED_GROUPS]
        if facilitator is not None and facilitated:
            facilitators_bulk_add(groups=facilitated, user=facilitator)
        homogeneous = _write_homogeneous_groups(
            rng, planned, groups, profiles={p.slug: p for p in profiles}, now=now
        )
        summary.homogeneous_groups = len(homogeneous)
        writer = _CriteriaWriter(summary=summary, progress=progress, total=criteria)
        actors = {group.pk: facilitator.pk for group in facilitated} if facilitator else {}
        _write_criteria(rng, homogeneous, grid=grid, writer=writer, actors=actors, now=now)
        if facilitator is not None and own:
            _fill_own_groups(
                seed, own, grid=grid, facilitator_id=facilitator.pk, now=now, summary=summary
            )
        summary.facilitated = [group.pk for group in (own or facilitated)]
    return summary


def _facilitated_groups(facilitator: User) -> list[CoordinationGroup]:
    """The coordination groups outside the generated network that the demo login facilitates
    (seed_territories' Mulhouse, Charleroi…), by name."""
    return list(
        CoordinationGroup.objects.filter(
            memberships__user=facilitator, memberships__role="facilitator"
        )
        .exclude(pk__in=demo_groups().values("pk"))
        .order_by("name", "pk")
    )


def _fill_own_groups(
    seed: int,
    own: list[CoordinationGroup],
    *,
    grid: "_Grid",
    facilitator_id: int,
    now: dt.datetime,
    summary: DemoSummary,
) -> None:
    """Criteria in the homogeneous groups of the demo login's own groups that have none yet,
    entered and classified by it: about five per participant, at their meeting dates. Drawn
    from a generator of their own, so the generated network stays the same for a seed. A
    second run finds them filled and adds nothing (demo_remove leaves them: they belong to
    groups the generator did not make)."""
    rng = random.Random(f"{seed}-facilitated")
    empty = (
        HomogeneousGroup.objects.filter(tenant__in=own)
        .select_related("profile")
        .annotate(written=models.Count("criteria"))
        .filter(written=0)
        .order_by("tenant__name", "pk")
    )
    planned: list[tuple[HomogeneousGroup, PlannedGroup]] = []
    for hg in empty:
        dates = sorted(dt.date.fromisoformat(str(day)) for day in hg.meeting_dates or ())
        participants = hg.participants or 10
        plan = PlannedGroup(
            name=hg.name,
            profile_slug=hg.profile.slug if hg.profile else None,
            meeting_dates=[min(day, LAST_DAY) for day in dates] or [LAST_DAY],
            participants=participants,
            women=0,
            men=0,
            other=0,
            size=max(20, min(120, participants * CRITERIA_PER_PARTICIPANT)),
        )
        planned.append((hg, plan))
    if not planned:
        return
    written = DemoSummary()
    writer = _CriteriaWriter(summary=written, progress=None, total=0)
    actors = {group.pk: facilitator_id for group in own}
    _write_criteria(rng, planned, grid=grid, writer=writer, actors=actors, now=now)
    summary.facilitated_criteria = written.criteria


def _write_platforms(
    rng: random.Random,
    planned: list[PlannedPlatform],
    *,
    places: dict[tuple[str, ...], Any],
    now: dt.datetime,
) -> list[CoordinationGroup]:
    """The coordination groups with their wiki spaces (no pages: a group's page lists the
    pages its members write)."""
    taken_ids = set(
        CoordinationGroup.objects.filter(network_id__startswith=DEMO_NETWORK_ID_PREFIX).values_list(
            "network_id", flat=True
        )
    )
    taken_slugs = space_slugs_with_prefix(prefix=DEMO_SLUG_PREFIX)
    number = 0
    spaces, groups = [], []
    for platform in planned:
        number += 1
        while (network_id := f"{DEMO_NETWORK_ID_PREFIX}{number:05d}") in taken_ids:
            number += 1
        slug = f"{DEMO_SLUG_PREFIX}{slugify(platform.name)[:60]}-{platform.index + 1}"
        while slug in taken_slugs:
            slug += "-x"
        taken_slugs.add(slug)
        first_meeting = min((g.meeting_dates[0] for g in platform.groups), default=platform.start)
        opened = _at(min(platform.start, first_meeting) - dt.timedelta(days=30), rng, now)
        spaces.append(
            Space(
                slug=slug,
                name=platform.name,
                kind=Space.Kind.COORDINATION_GROUP,
                is_public=True,
                created_at=opened,
            )
        )
        code = platform.country.code
        groups.append(
            CoordinationGroup(
                network_id=network_id,
                name=platform.name,
                slug=slug,
                kind=platform.kind,
                actor_type=platform.actor_type,
                level=CoordinationGroup.Level.LOCALITY,
                country=places[(code,)],
                region=places[(code, platform.region)],
                locality=places[(code, platform.region, platform.locality)],
                latitude=platform.latitude,
                longitude=platform.longitude,
                platform_description=_platform_description(platform),
                languages=[platform.language],
                status=platform.status,
                created_at=opened,
                modified_at=opened,
            )
        )
    space_bulk_create(spaces=spaces, batch_size=BATCH_SIZE)
    for space, group in zip(spaces, groups, strict=True):
        group.space = space
    coordination_groups_bulk_create(groups=groups, batch_size=BATCH_SIZE)
    return groups


def _write_homogeneous_groups(
    rng: random.Random,
    planned: list[PlannedPlatform],
    groups: list[CoordinationGroup],
    *,
    profiles: dict[str, Profile],
    now: dt.datetime,
) -> list[tuple[HomogeneousGroup, PlannedGroup]]:
    rows: list[tuple[HomogeneousGroup, PlannedGroup]] = []
    for platform, group in zip(planned, groups, strict=True):
        for index, plan in enumerate(platform.groups, start=1):
            first, last = plan.meeting_dates[0], plan.meeting_dates[-1]
            hg = HomogeneousGroup(
                tenant=group,
                name=plan.name,
                slug=f"{slugify(plan.name)[:70]}-{index}",
                profile=profiles.get(plan.profile_slug) if plan.profile_slug is not None else None,
                meeting_dates=[day.isoformat() for day in plan.meeting_dates],
                participants=plan.participants,
                participants_women=plan.women,
                participants_men=plan.men,
                participants_other=plan.other,
                language=platform.language,
                created_at=_at(first - dt.timedelta(days=14), rng, now),
                modified_at=_at(last + dt.timedelta(days=1), rng, now),
            )
            rows.append((hg, plan))
    homogeneous_groups_bulk_create(groups=[hg for hg, _plan in rows], batch_size=BATCH_SIZE)
    return rows


def _write_criteria(
    rng: random.Random,
    homogeneous: list[tuple[HomogeneousGroup, PlannedGroup]],
    *,
    grid: "_Grid",
    writer: "_CriteriaWriter",
    actors: dict[int, int],
    now: dt.datetime,
) -> None:
    """Every group's criteria, question by question as a facilitator types them. actors maps
    a coordination group to the user who entered and classified its criteria (else nobody)."""
    # The first criteria go once to every component, so that even a small run covers the grid.
    coverage = rng.sample(grid.codes, len(grid.codes))
    if sum(plan.size for _hg, plan in homogeneous) < 2 * len(coverage):
        coverage = []
    position = 0
    question_ids = [question.pk for question in grid.questions]
    shares, share_weights = zip(*((s, w) for w, s in UNCLASSIFIED_BY_GROUP), strict=True)
    for hg, plan in homogeneous:
        actor_id = actors.get(hg.tenant_id)
        unclassified_share = rng.choices(shares, share_weights)[0]
        weights = grid.weights_by_profile.get(plan.profile_slug, grid.weights_by_profile[None])
        drawn = []
        for _ in range(plan.size):
            forced = coverage[position] if position < len(coverage) else None
            position += 1
            drawn.append(_draw(rng, grid, weights, hg.language, forced, unclassified_share))
        drawn.sort(key=lambda item: item[0])
        for question, text, code, status, code_full in drawn:
            session = rng.choice(plan.meeting_dates)
            created = _at(session + dt.timedelta(days=rng.randint(0, 3)), rng, now)
            component_id = None
            classified_at = None
            if status != Criterion.Status.UNCLASSIFIED:
                component_id = grid.components[code].pk
                delay = dt.timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 600))
                classified_at = min(now, created + delay)
            # Ids rather than objects: a third less time per row in bulk_create.
            writer.add(
                Criterion(
                    tenant_id=hg.tenant_id,
                    group_id=hg.pk,
                    question_id=question_ids[question],
                    text=text,
                    language=hg.language,
                    session_date=session,
                    status=status,
                    component_id=component_id,
                    full_code=code_full,
                    entered_by_id=actor_id,
                    classified_by_id=actor_id if component_id is not None else None,
                    classified_at=classified_at,
                    created_at=created,
                    modified_at=classified_at or created,
                )
            )
    writer.flush()


def _draw(
    rng: random.Random,
    grid: _Grid,
    weights: list[float],
    language: str,
    forced: str | None,
    unclassified_share: float,
) -> tuple[int, str, str, str, str]:
    """(question index, text, component code, status, full code) of one criterion."""
    question = rng.choices((0, 1, 2), QUESTION_SHARES)[0]
    if forced is not None:
        code = forced
        text = criterion_text(
            rng,
            code=code,
            question=question,
            language=language,
            label=grid.components[code].label(language),
        )
        return question, text, code, Criterion.Status.CLASSIFIED, ""
    if rng.random() < 0.05:
        text, code = generic_text(rng, question=question, language=language)
        if code not in grid.components:
            code = rng.choice(grid.codes)
    else:
        code = rng.choices(grid.codes, weights)[0]
        other = None
        if rng.random() < 0.08:
            siblings = grid.siblings.get(code) or grid.codes
            other_code = rng.choice(siblings) if rng.random() < 0.6 else rng.choice(grid.codes)
            other = (other_code, grid.components[other_code].label(language))
        text = criterion_text(
            rng,
            code=code,
            question=question,
            language=language,
            label=grid.components[code].label(language),
            other=other,
        )
        if rng.random() < 0.04:
            # Rule 6 of the determination key: in doubt, the family's general component.
            general = code[0] + "00"
            if general in grid.components:
                code = general
    roll = rng.random()
    if roll < STATUS_DISPUTED:
        disputed_siblings = grid.siblings.get(code)
        if disputed_siblings and rng.random() < 0.5:
            code = rng.choice(disputed_siblings)
        return question, text, code, Criterion.Status.DISPUTED, ""
    if roll < STATUS_DISPUTED + unclassified_share:
        return question, text, code, Criterion.Status.UNCLASSIFIED, ""
    code_full = (
        full_code(rng, code=code, question=question) if rng.random() < FULL_CODE_SHARE else ""
    )
    return question, text, code, Criterion.Status.CLASSIFIED, code_full


def _platform_description(platform: PlannedPlatform) -> str:
    texts = {
        "en": "Demo platform of {place}: generated data to try the site.",
        "fr": "Plateforme de démonstration de {place} : des données générées pour essayer le site.",
        "pt": "Plataforma de demonstração de {place}: dados gerados para experimentar o site.",
    }
    return texts[platform.language].format(place=platform.locality)


class _CriteriaWriter:
    """Buffers criteria and writes them, with their classification history, in batches."""

    def __init__(
        self, *, summary: DemoSummary, progress: Callable[[str], None] | None, total: int
    ) -> None:
        self.summary = summary
        self.progress = progress
        self.total = total
        self.pending: list[Criterion] = []

    def add(self, criterion: Criterion) -> None:
        self.pending.append(criterion)
        if len(self.pending) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        Criterion.objects.bulk_create(self.pending, batch_size=BATCH_SIZE)
        history: list[Classification] = []
        for criterion in self.pending:
            self.summary.statuses[criterion.status] += 1
            if criterion.component_id is None or criterion.classified_at is None:
                continue
            steps = [Criterion.Status.CLASSIFIED]
            if criterion.status == Criterion.Status.DISPUTED:
                steps.append(Criterion.Status.DISPUTED)
            history.extend(
                Classification(
                    tenant_id=criterion.tenant_id,
                    criterion_id=criterion.pk,
                    status=step,
                    component_id=criterion.component_id,
                    full_code=criterion.full_code,
                    actor_id=criterion.classified_by_id,
                    created_at=criterion.classified_at,
                )
                for step in steps
            )
        Classification.objects.bulk_create(history, batch_size=BATCH_SIZE)
        self.pending = []
        if self.progress is not None:
            self.progress(f"{self.summary.criteria:,} / {self.total:,} criteria")
