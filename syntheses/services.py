"""Keeping syntheses up to date: marking what changed, recomputing, writing snapshots."""

import datetime
import logging
import time
from collections.abc import Iterable

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from criteria.selectors import grid_current
from syntheses import compute
from syntheses.models import PendingScope, Scope, Snapshot
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.tenancy import cross_tenant

logger = logging.getLogger(__name__)

WRITE_BATCH = 2000


def claim_timeout() -> datetime.timedelta:
    """How long a job may hold pending scopes before the sweep presumes it dead."""
    return datetime.timedelta(seconds=settings.SYNTHESES_CLAIM_TIMEOUT_SECONDS)


def _places_of(group: CoordinationGroup) -> list[tuple[str, int]]:
    places = [(Scope.COORDINATION_GROUP, group.pk)]
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
    scopes = [(Scope.HOMOGENEOUS_GROUP, pk) for pk in group_ids] + _places_of(tenant)
    scopes_mark(scopes)


def scopes_mark(scopes: Iterable[tuple[str, int]]) -> None:
    """Mark scopes out of date and have a job recompute them after the commit."""
    now = timezone.now()
    PendingScope.objects.bulk_create(
        [PendingScope(scope=scope, scope_id=pk, marked_at=now) for scope, pk in set(scopes)],
        update_conflicts=True,
        unique_fields=["scope", "scope_id"],
        update_fields=["marked_at"],
    )
    from syntheses.tasks import syntheses_recompute_pending_task

    syntheses_recompute_pending_task.delay_on_commit()


def _write(computed: list[compute.Computed], *, version_id: int, at: datetime.datetime) -> None:
    for start in range(0, len(computed), WRITE_BATCH):
        Snapshot.objects.bulk_create(
            [
                Snapshot(
                    scope=item.scope,
                    scope_id=item.scope_id,
                    grid_version_id=version_id,
                    criteria_count=item.criteria_count,
                    groups_count=item.groups_count,
                    participants=item.participants,
                    cube=item.cube,
                    groups=item.groups,
                    computed_at=at,
                )
                for item in computed[start : start + WRITE_BATCH]
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
                "computed_at",
            ],
        )


def _place_ids(wanted_scopes: Iterable[str]) -> dict[str, set[int]]:
    """Ids of every place of these scopes that has a coordination group (visible or not) or
    an old snapshot: a place whose groups are all hidden or gone is written empty, not left
    stale."""
    places = compute.coordination_groups_frame()
    wanted: dict[str, set[int]] = {}
    for scope in wanted_scopes:
        if scope == Scope.NETWORK:
            wanted[scope] = {0}
            continue
        level = compute.PLACE_LEVELS[scope]
        existing = Snapshot.objects.filter(scope=scope).values_list("scope_id", flat=True)
        wanted[scope] = (set(places[level]) - {0}) | set(existing)
    return wanted


@transaction.atomic
def syntheses_recompute_all() -> int:
    """Recompute every snapshot from the criteria (the nightly job); returns how many were
    written. One transaction: until it commits, pages read the previous snapshots."""
    version = grid_current()
    at = timezone.now()
    computed, cg_level, table = compute.stage_one(version=version)
    places = compute.coordination_groups_frame()
    wanted = _place_ids([*compute.PLACE_LEVELS, Scope.NETWORK])
    computed += compute.stage_two(cg_level=cg_level, table=table, places=places, wanted=wanted)
    _write(computed, version_id=version.pk, at=at)
    # Scopes that no longer exist (a deleted group) keep no snapshot.
    with cross_tenant():
        hg_ids = set(HomogeneousGroup.objects.values_list("pk", flat=True))
    cg_ids = set(CoordinationGroup.objects.values_list("pk", flat=True))
    Snapshot.objects.filter(scope=Scope.HOMOGENEOUS_GROUP).exclude(scope_id__in=hg_ids).delete()
    Snapshot.objects.filter(scope=Scope.COORDINATION_GROUP).exclude(scope_id__in=cg_ids).delete()
    PendingScope.objects.filter(marked_at__lte=at, claimed_at__isnull=True).delete()
    return len(computed)


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


def _cg_snapshots(cg_ids: Iterable[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Coordination-group cubes and groups tables from their snapshots."""
    cubes, tables = [], []
    for cg, cube, groups in Snapshot.objects.filter(
        scope=Scope.COORDINATION_GROUP, scope_id__in=list(cg_ids)
    ).values_list("scope_id", "cube", "groups"):
        if cube.get("count"):
            cubes.append(compute.cube_frame(cube).assign(cg=cg))
        if groups.get("group"):
            tables.append(compute.groups_frame(groups).assign(cg=cg))
    cg_level = pd.concat(cubes) if cubes else compute.cube_frame({}).assign(cg=0)
    table = pd.concat(tables) if tables else compute.groups_frame({}).assign(cg=0)
    return cg_level, table


def syntheses_recompute_pending(*, limit: int = 5000) -> int:
    """Recompute the scopes marked out of date (claimed so two jobs never take the same);
    returns how many snapshots were written. Scopes marked again while this ran stay pending
    and are taken by the next job."""
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
            computed, _cg_level, _table = compute.stage_one(version=version, tenant_ids=tenant_ids)
            _write(computed, version_id=version.pk, at=timezone.now())
        if place_scopes:
            places = compute.coordination_groups_frame()
            if Scope.NETWORK in place_scopes:
                under = places
            else:
                mask = pd.Series(False, index=places.index)
                for scope, ids in place_scopes.items():
                    mask |= places[compute.PLACE_LEVELS[scope]].isin(ids)
                under = places[mask]
            cg_level, table = _cg_snapshots(under["cg"].tolist())
            computed_places = compute.stage_two(
                cg_level=cg_level, table=table, places=under, wanted=place_scopes
            )
            _write(computed_places, version_id=version.pk, at=timezone.now())
            computed += computed_places
        if settings.SYNTHESES_TEST_PAUSE_SECONDS:
            time.sleep(settings.SYNTHESES_TEST_PAUSE_SECONDS)
        done = PendingScope.objects.filter(
            pk__in=[row.pk for row in rows], marked_at__lte=claimed_at
        )
        done.delete()
        PendingScope.objects.filter(pk__in=[row.pk for row in rows]).update(claimed_at=None)
    return len(computed)


def syntheses_pending_count() -> int:
    return PendingScope.objects.count()


def syntheses_sweep() -> bool:
    """Whether some scopes wait with no live job on them (never enqueued, lost with the broker,
    or whose worker died): the caller enqueues a job for them."""
    stale = timezone.now() - claim_timeout()
    return PendingScope.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
    ).exists()
