"""Keeping syntheses up to date: marking what changed, recomputing, writing snapshots."""

import datetime
import hashlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from criteria.selectors import grid_current
from syntheses import compute, reports
from syntheses.fields import pack
from syntheses.followables import scopes_changed
from syntheses.models import Check, PendingScope, Scope, Snapshot
from territories.models import (
    Continent,
    CoordinationGroup,
    Country,
    HomogeneousGroup,
    Locality,
    Region,
)
from wikispiral.jobs.services import job_enqueue
from wikispiral.tenancy import cross_tenant

logger = logging.getLogger(__name__)

WRITE_BATCH = 2000
# Places from the bottom up: a job rolls each level up from the snapshots of the level below,
# written just before in the same transaction.
PLACES_UPWARDS: list[str] = [
    Scope.LOCALITY,
    Scope.REGION,
    Scope.COUNTRY,
    Scope.CONTINENT,
    Scope.NETWORK,
]
# A project adds up its platforms (coordination groups) directly, beside the places.
ROLL_UP_ORDER = [Scope.PROJECT, *PLACES_UPWARDS]


def claim_timeout() -> datetime.timedelta:
    """How long a job may hold pending scopes before the sweep presumes it dead."""
    return datetime.timedelta(seconds=settings.SYNTHESES_CLAIM_TIMEOUT_SECONDS)


def places_of(group: CoordinationGroup) -> list[tuple[str, int]]:
    places: list[tuple[str, int]] = [(Scope.COORDINATION_GROUP, group.pk)]
    if group.locality_id:
        places.append((Scope.LOCALITY, group.locality_id))
    if group.region_id:
        places.append((Scope.REGION, group.region_id))
    places.append((Scope.COUNTRY, group.country_id))
    # Loaded with the group by tenant_required (no query there).
    continent = group.country.continent_id
    if continent:
        places.append((Scope.CONTINENT, continent))
    places.append((Scope.NETWORK, 0))
    if group.project:
        places.append((Scope.PROJECT, group.project))
    return places


def syntheses_mark_changed(
    *, tenant: CoordinationGroup, groups: Iterable[HomogeneousGroup | int] | None = None
) -> None:
    """Record that criteria of tenant changed (in groups, or in any of its groups): those
    homogeneous groups, the coordination group and every place above it are recomputed soon
    after the commit, changes arriving together in one job."""
    if groups is None:
        with cross_tenant():
            group_ids = list(
                HomogeneousGroup.objects.filter(tenant=tenant).values_list("pk", flat=True)
            )
    else:
        group_ids = [group if isinstance(group, int) else group.pk for group in groups]
    scopes = [(Scope.HOMOGENEOUS_GROUP, pk) for pk in group_ids] + places_of(tenant)
    scopes_mark(scopes)


def scope_mark_with_below(scope: str, scope_id: int) -> None:
    """A recomputation someone asked for: the scope and, for a place, every coordination group
    and place under it, so the place is rolled up from fresh figures, not from what its
    levels below held."""
    if scope not in ROLL_UP_ORDER:
        scopes_mark([(scope, scope_id)])
        return
    groups = CoordinationGroup.objects.all()
    if scope != Scope.NETWORK:
        groups = groups.filter(**{compute.PLACE_LOOKUPS[scope]: scope_id})
    below = PLACES_UPWARDS[: PLACES_UPWARDS.index(scope)] if scope in PLACES_UPWARDS else []
    marks = {(scope, scope_id)}
    for group in groups.select_related("country"):
        marks.add((Scope.COORDINATION_GROUP, group.pk))
        marks.update((kind, pk) for kind, pk in places_of(group) if kind in below)
    scopes_mark(marks)


def scopes_mark(scopes: Iterable[tuple[str, int]]) -> None:
    """Mark scopes out of date and have a job recompute them after the commit."""
    now = timezone.now()
    PendingScope.objects.bulk_create(
        # In one order for every writer: two imports marking the same network and continent rows
        # in different orders would deadlock.
        [
            PendingScope(scope=scope, scope_id=pk, marked_at=now)
            for scope, pk in sorted(set(scopes))
        ],
        update_conflicts=True,
        unique_fields=["scope", "scope_id"],
        update_fields=["marked_at"],
    )
    syntheses_recompute_enqueue()


RECOMPUTE_KEY = "syntheses.recompute"
RECOMPUTE_ALL_KEY = "syntheses.recompute_all"


def syntheses_recompute_enqueue() -> None:
    """One durable job recomputes what is pending (one waits at a time: marks join it)."""
    job_enqueue(kind="syntheses.recompute", key=RECOMPUTE_KEY)


def syntheses_recompute_all_enqueue(*, force: bool = False) -> None:
    """A durable job checks every scope against the criteria (nightly, after a grid change)."""
    job_enqueue(kind="syntheses.recompute_all", key=RECOMPUTE_ALL_KEY, args={"force": force})


def _packed(item: compute.Computed, version_id: int) -> tuple[str, bytes, bytes]:
    """A snapshot's cube and groups as the bytes stored, and a fingerprint of its figures
    (equal figures, equal digest) hashed from those bytes."""
    cube, groups = pack(item.cube), pack(item.groups)
    digest = hashlib.blake2b(digest_size=16)
    for part in (str(version_id).encode(), b"|", cube, b"|", groups):
        digest.update(part)
    return digest.hexdigest(), cube, groups


def _write(computed: list[compute.Computed], *, version_id: int, at: datetime.datetime) -> int:
    """Store the snapshots; one whose figures did not change keeps its stored row and only its
    computed_at moves (the nightly pass rewrites little). Returns how many were computed."""
    for start in range(0, len(computed), WRITE_BATCH):
        batch = computed[start : start + WRITE_BATCH]
        packed = [_packed(item, version_id) for item in batch]
        stored: dict[tuple[str, int], tuple[str, int]] = {}
        for scope in {item.scope for item in batch}:
            ids = [item.scope_id for item in batch if item.scope == scope]
            stored.update(
                ((scope, pk), (digest, fingerprint))
                for pk, digest, fingerprint in Snapshot.objects.filter(
                    scope=scope, scope_id__in=ids
                ).values_list("scope_id", "digest", "fingerprint")
            )
        same: dict[str, list[int]] = {}
        changed = []
        for item, (digest, cube, groups) in zip(batch, packed, strict=True):
            if stored.get((item.scope, item.scope_id)) == (digest, item.fingerprint):
                same.setdefault(item.scope, []).append(item.scope_id)
            else:
                changed.append((item, digest, cube, groups))
        for scope, ids in same.items():
            Snapshot.objects.filter(scope=scope, scope_id__in=ids).update(computed_at=at)
        Snapshot.objects.bulk_create(
            [
                Snapshot(
                    scope=item.scope,
                    scope_id=item.scope_id,
                    grid_version_id=version_id,
                    criteria_count=item.criteria_count,
                    groups_count=item.groups_count,
                    participants=item.participants,
                    cube=cube,
                    groups=groups,
                    digest=digest,
                    fingerprint=item.fingerprint,
                    computed_at=at,
                )
                for item, digest, cube, groups in changed
            ],
            update_conflicts=True,
            unique_fields=["scope", "scope_id"],
            update_fields=[
                "grid_version",
                "criteria_count",
                "groups_count",
                "participants",
                "cube",
                "groups",
                "digest",
                "fingerprint",
                "computed_at",
            ],
        )
        # Published figures that changed (their digest; a fingerprint alone moves with drafts
        # and participants): the network, continents and countries get a current report, and
        # the people who follow a scope hear of it once this commits.
        published = [
            (item.scope, item.scope_id)
            for item, digest, *_ in changed
            if stored.get((item.scope, item.scope_id), ("", 0))[0] != digest
        ]
        reports.current_reports_schedule(scopes=published)
        scopes_changed(published)
    return len(computed)


def _place_ids(places, wanted_scopes: Iterable[str]) -> dict[str, set[int]]:
    """Ids of every place of these scopes that has a coordination group (visible or not) in
    places (compute.coordination_groups_frame()) or an old snapshot: a place whose groups are
    all hidden or gone is written empty, not left stale."""
    wanted: dict[str, set[int]] = {}
    existing: dict[str, set[int]] = {}
    for scope, pk in Snapshot.objects.filter(scope__in=list(compute.PLACE_LEVELS)).values_list(
        "scope", "scope_id"
    ):
        existing.setdefault(scope, set()).add(pk)
    for scope in wanted_scopes:
        if scope == Scope.NETWORK:
            wanted[scope] = {0}
            continue
        level = compute.PLACE_LEVELS[scope]
        wanted[scope] = (set(places[level].tolist()) - {0}) | existing.get(scope, set())
    return wanted


# Above this share of stale coordination groups, the nightly pass recomputes everything in
# one go rather than group by group.
FULL_PASS_SHARE = 0.2


@transaction.atomic
def syntheses_recompute_all(*, force: bool = False) -> Check:
    """The nightly pass: every scope's fingerprint from the criteria (one aggregate), compared
    with its snapshot's; the scopes that differ (or all, with force, as after a new grid
    version) are recomputed, snapshots of groups that no longer exist removed. One
    transaction: until it commits, pages read the previous snapshots."""
    started = timezone.now()
    version = grid_current()
    pending = list(
        PendingScope.objects.filter(claimed_at__isnull=True).values_list("pk", flat=True)
    )
    groups = compute.homogeneous_groups_frame()
    hashes = compute.group_hashes(compute.criteria_hashes(version=version), groups)
    places = compute.coordination_groups_frame()
    all_places = [*compute.PLACE_LEVELS, Scope.NETWORK]
    wanted = _place_ids(places, all_places)
    expected = compute.scope_fingerprints(hashes, places, wanted)
    stored = {
        (scope, pk): (fingerprint, version_id)
        for scope, pk, fingerprint, version_id in Snapshot.objects.values_list(
            "scope", "scope_id", "fingerprint", "grid_version_id"
        )
    }
    stale = {
        key
        for key, fingerprint in expected.items()
        if force or stored.get(key) != (fingerprint, version.pk)
    }
    tenants = {pk for scope, pk in stale if scope == Scope.COORDINATION_GROUP}
    stale_groups = {pk for scope, pk in stale if scope == Scope.HOMOGENEOUS_GROUP}
    if stale_groups:
        tenants |= set(groups.loc[groups["group"].isin(stale_groups), "cg"].tolist())
    stale_places: dict[str, set[int]] = {}
    for scope, pk in stale:
        if scope in all_places:
            stale_places.setdefault(scope, set()).add(pk)
    at = timezone.now()
    if force or len(tenants) > FULL_PASS_SHARE * max(len(places), 1):
        first = compute.stage_one(version=version)
        computed = first.computed + compute.stage_two(first=first, places=places, wanted=wanted)
        _write(computed, version_id=version.pk, at=at)
        recomputed = len(computed)
    else:
        recomputed = 0
        if tenants:
            computed = compute.stage_one(version=version, tenant_ids=tenants).computed
            _write(computed, version_id=version.pk, at=at)
            recomputed = len(computed)
        recomputed += _places_roll_up(stale_places, version_id=version.pk)
    gone = [
        key
        for key in stored
        if key not in expected and key[0] in (Scope.HOMOGENEOUS_GROUP, Scope.COORDINATION_GROUP)
    ]
    for scope in {scope for scope, _pk in gone}:
        Snapshot.objects.filter(
            scope=scope, scope_id__in=[pk for kind, pk in gone if kind == scope]
        ).delete()
    # What was pending when the pass began is in the figures now (its change committed before
    # the pass read anything); marks that arrived since stay for their job.
    PendingScope.objects.filter(
        pk__in=pending, marked_at__lte=started, claimed_at__isnull=True
    ).delete()
    return Check.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        forced=force,
        checked=len(expected),
        recomputed=recomputed,
        removed=len(gone),
    )


def _pending_claim(limit: int) -> tuple[list[PendingScope], datetime.datetime]:
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            PendingScope.objects.select_for_update(skip_locked=True)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - claim_timeout()))
            .order_by("marked_at")[:limit]
        )
        PendingScope.objects.filter(pk__in=[row.pk for row in rows]).update(
            claimed_at=now, attempts=F("attempts") + 1
        )
    return rows, now


def _below(rows: QuerySet[Any], parent: str, kind: str) -> list[tuple[int, str, int]]:
    """(parent, kind, pk) of each row, its parent read from the field named parent."""
    return [(up, kind, pk) for pk, up in rows.values_list("pk", parent)]


def _children(scope: str, ids: set[int]) -> dict[int, list[tuple[str, int]]]:
    """What lies directly under each place: the visible coordination groups of a locality; the
    localities of a region and its visible coordination groups with no locality; and so on
    up to the network (continents, and countries with no continent); a project's visible
    platforms."""
    children: dict[int, list[tuple[str, int]]] = {pk: [] for pk in ids}
    visible = CoordinationGroup.objects.filter(is_hidden=False)
    if scope == Scope.LOCALITY:
        below = _below(visible.filter(locality_id__in=ids), "locality_id", Scope.COORDINATION_GROUP)
    elif scope == Scope.REGION:
        below = _below(Locality.objects.filter(region_id__in=ids), "region_id", Scope.LOCALITY)
        below += _below(
            visible.filter(region_id__in=ids, locality=None), "region_id", Scope.COORDINATION_GROUP
        )
    elif scope == Scope.COUNTRY:
        below = _below(Region.objects.filter(country_id__in=ids), "country_id", Scope.REGION)
        below += _below(
            visible.filter(country_id__in=ids, region=None), "country_id", Scope.COORDINATION_GROUP
        )
    elif scope == Scope.CONTINENT:
        below = _below(Country.objects.filter(continent_id__in=ids), "continent_id", Scope.COUNTRY)
    elif scope == Scope.PROJECT:
        below = _below(visible.filter(project__in=ids), "project", Scope.COORDINATION_GROUP)
    else:  # the network
        below = [(0, Scope.CONTINENT, pk) for pk in Continent.objects.values_list("pk", flat=True)]
        below += [
            (0, Scope.COUNTRY, pk)
            for pk in Country.objects.filter(continent=None).values_list("pk", flat=True)
        ]
    for parent, kind, pk in below:
        children[parent].append((kind, pk))
    return children


def _places_roll_up(place_scopes: dict[str, set[int]], *, version_id: int) -> int:
    """Recompute these places level by level from the snapshots one level below; returns how
    many snapshots were written."""
    written = 0
    for scope in ROLL_UP_ORDER:
        ids = place_scopes.get(scope)
        if not ids:
            continue
        children = _children(scope, ids)
        wanted: dict[str, set[int]] = {}
        for below in children.values():
            for kind, pk in below:
                wanted.setdefault(kind, set()).add(pk)
        parts: dict[tuple[str, int], tuple[dict, dict, int]] = {}
        for kind, pks in wanted.items():
            for pk, cube, groups, fingerprint in Snapshot.objects.filter(
                scope=kind, scope_id__in=pks
            ).values_list("scope_id", "cube", "groups", "fingerprint"):
                parts[(kind, pk)] = (cube, groups, fingerprint)
        computed = compute.roll_up_level(
            scope,
            {pk: [parts[key] for key in below if key in parts] for pk, below in children.items()},
        )
        _write(computed, version_id=version_id, at=timezone.now())
        written += len(computed)
    return written


def syntheses_recompute_pending(
    *, limit: int = 5000, checkpoint: Callable[[], None] | None = None
) -> int:
    """Recompute the scopes marked out of date (claimed so two jobs never take the same);
    returns how many snapshots were written. Scopes marked again while this ran stay pending
    and are taken by the next job. checkpoint runs just before the commit (tests stop there)."""
    rows, claimed_at = _pending_claim(limit)
    if not rows:
        return 0
    version = grid_current()
    tenant_ids: set[int] = {row.scope_id for row in rows if row.scope == Scope.COORDINATION_GROUP}
    hg_ids = [row.scope_id for row in rows if row.scope == Scope.HOMOGENEOUS_GROUP]
    if hg_ids:
        with cross_tenant():
            tenant_ids |= set(
                HomogeneousGroup.objects.filter(pk__in=hg_ids).values_list("tenant_id", flat=True)
            )
    place_scopes: dict[str, set[int]] = {}
    for row in rows:
        if row.scope in compute.PLACE_LEVELS or row.scope == Scope.NETWORK:
            place_scopes.setdefault(row.scope, set()).add(row.scope_id)
    with transaction.atomic():
        computed: list[compute.Computed] = []
        if tenant_ids:
            computed = compute.stage_one(version=version, tenant_ids=tenant_ids).computed
            _write(computed, version_id=version.pk, at=timezone.now())
        written = len(computed)
        if place_scopes:
            written += _places_roll_up(place_scopes, version_id=version.pk)
        if checkpoint is not None:
            checkpoint()
        done = PendingScope.objects.filter(
            pk__in=[row.pk for row in rows], marked_at__lte=claimed_at
        )
        done.delete()
        PendingScope.objects.filter(pk__in=[row.pk for row in rows]).update(claimed_at=None)
    return written


def syntheses_sweep() -> bool:
    """Whether some scopes wait with no live job on them (never enqueued, or whose job gave
    up): the jobs' sweep then gives them one."""
    stale = timezone.now() - claim_timeout()
    return PendingScope.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
    ).exists()


def syntheses_claims_release(*, since: datetime.datetime) -> int:
    """Give back the scopes claimed since a run began whose worker died (its writes died
    with its transaction), so the next run takes them at once."""
    return PendingScope.objects.filter(claimed_at__gte=since).update(claimed_at=None)
