"""Evaluations added up over the syntheses' scopes, stored as EvaluationSnapshot rows.

A snapshot holds two columnar tables (they load straight into pandas): the cube (lineage, year,
level, count: placements of published sessions, year of the session) and the sessions behind
it (lineage, year, sessions, participants). Scopes are the syntheses' own:

- a homogeneous group: the published sessions it held;
- a coordination group: every published session of the platform (its groups' and its own);
- a place (locality, region, country, continent, the network) and a network project: the
  coordination groups under it that are not hidden, added up, for the lineages whose root
  indicator (Indicator pk=lineage) is shared with the network and published.

As for syntheses, what is out of date is recorded in the database (EvaluationPending) and a
durable job recomputes it after the commit ("evaluations.recompute", projects/evaluations/
jobs.py); its orphans callback lets the once-a-minute sweep restart work a lost message or a
killed worker left. A job reads the placements of the coordination groups it recomputes in one
aggregate, and builds each place from its coordination groups' snapshots.
evaluations_recompute_all() recomputes every scope from one aggregate over every placement.
A snapshot whose figures did not change (its digest) keeps its row; only computed_at moves.
"""

import datetime
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from projects.models import (
    EvaluationPending,
    EvaluationSession,
    EvaluationSnapshot,
    Indicator,
    Placement,
)
from syntheses.compute import PLACE_LEVELS, coordination_groups_frame
from syntheses.fields import pack
from syntheses.models import Scope
from syntheses.services import claim_timeout, places_of
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.frames import queryset_frame
from wikispiral.jobs.services import job_enqueue
from wikispiral.tenancy import cross_tenant

CUBE_COLUMNS = ["lineage", "year", "level", "count"]
SESSION_COLUMNS = ["lineage", "year", "sessions", "participants"]
# Placements counted per session (with what the session says: platform, homogeneous group or
# 0, year, participants), lineage and level (fine_frame).
FINE_COLUMNS = ["session", "cg", "hg", "year", "participants", "lineage", "level", "count"]
SESSION_FRAME_COLUMNS = ["session", "cg", "hg", "year", "participants"]
COUNTED_COLUMNS = ["session", "indicator", "level", "count"]
RECOMPUTE_KIND = "evaluations.recompute"
RECOMPUTE_KEY = "evaluations.recompute"
WRITE_BATCH = 2000
# Place scopes as the pending rows name them (the network has no column: every group is in it).
PLACE_SCOPES = [*PLACE_LEVELS, Scope.NETWORK]


@dataclass
class Computed:
    """One scope's figures, ready to be written as a snapshot."""

    scope: str
    scope_id: int
    # Columns (CUBE_COLUMNS, SESSION_COLUMNS) of equal length: lists or integer arrays.
    cube: dict
    sessions: dict

    @property
    def placements_count(self) -> int:
        return int(np.sum(self.cube.get("count", []), dtype=np.int64))


def empty_cube() -> dict:
    return {column: [] for column in CUBE_COLUMNS}


def empty_sessions() -> dict:
    return {column: [] for column in SESSION_COLUMNS}


# --- Marking ------------------------------------------------------------------------------------


def evaluations_mark(*, tenant: CoordinationGroup, group_ids: Iterable[int | None]) -> None:
    """Record that the evaluations of tenant (and of these homogeneous groups; None: the whole
    platform) changed: their scopes and every place above are recomputed by a durable job."""
    hgs = sorted({pk for pk in group_ids if pk is not None})
    _scopes_mark([(Scope.HOMOGENEOUS_GROUP, pk) for pk in hgs] + places_of(tenant))


def evaluations_follow_places(
    *, group: CoordinationGroup, region_id_before: int | None, locality_id_before: int | None
) -> None:
    """territories' group_places_changed hook: the group's places before and after change."""
    if not _has_published_sessions(group):
        return  # it adds nothing to any place, before or after
    before = [(Scope.LOCALITY, locality_id_before), (Scope.REGION, region_id_before)]
    _scopes_mark([(scope, pk) for scope, pk in before if pk] + places_of(group))


def evaluations_follow_visibility(*, group: CoordinationGroup) -> None:
    """territories' group_visibility_changed hook: a hidden group leaves the places' sums."""
    if _has_published_sessions(group):
        _scopes_mark(places_of(group))


def evaluations_mark_lineage(*, lineage: int) -> None:
    """A lineage's root indicator was shared, unshared, published, withdrawn or deleted: the
    places of every coordination group holding an indicator of it add it up, or no longer."""
    with cross_tenant():
        tenant_ids = set(
            Indicator.objects.filter(lineage=lineage).values_list("tenant_id", flat=True)
        )
    groups = CoordinationGroup.objects.filter(pk__in=tenant_ids).select_related("country")
    _scopes_mark([place for group in groups for place in places_of(group)])


def _has_published_sessions(group: CoordinationGroup) -> bool:
    with cross_tenant():
        return EvaluationSession.objects.filter(
            tenant=group, status=EvaluationSession.Status.PUBLISHED
        ).exists()


def _scopes_mark(scopes: Iterable[tuple[str, int]]) -> None:
    """Mark scopes out of date and have a job recompute them after the commit (marks arriving
    while one waits join it)."""
    wanted = sorted(set(scopes))
    if not wanted:
        return
    now = timezone.now()
    EvaluationPending.objects.bulk_create(
        # One order for every writer: two sessions published at once must not deadlock.
        [EvaluationPending(scope=scope, scope_id=pk, marked_at=now) for scope, pk in wanted],
        update_conflicts=True,
        unique_fields=["scope", "scope_id"],
        update_fields=["marked_at"],
    )
    evaluations_recompute_enqueue()


def evaluations_recompute_enqueue() -> None:
    """One durable job recomputes what is pending (one waits at a time: marks join it)."""
    job_enqueue(kind=RECOMPUTE_KIND, key=RECOMPUTE_KEY)


# --- Computing ----------------------------------------------------------------------------------


def _typed(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame({column: pd.Series(dtype=np.int64) for column in columns})
    return frame[columns].astype(np.int64)


def fine_frame(tenant_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Placements of published sessions (of these coordination groups, or all) counted per
    session, lineage and level, each row with its session's platform, homogeneous group (0 for
    the whole platform), year and participants.

    One aggregate over the placements alone (no join: a million rows take well under a second),
    joined in pandas with the published sessions and each indicator's lineage, read apart (tens
    of thousands of rows each). Drafts' placements are read and dropped here."""
    with cross_tenant():
        published = EvaluationSession.objects.filter(status=EvaluationSession.Status.PUBLISHED)
        placements = Placement.objects.all()
        if tenant_ids is not None:
            ids = sorted(tenant_ids)
            published = published.filter(tenant_id__in=ids)
            placements = placements.filter(tenant_id__in=ids)
        sessions = queryset_frame(
            published.annotate(hg=Coalesce("group_id", Value(0)), year=ExtractYear("held_on"))
            .values_list("pk", "tenant_id", "hg", "year", "participants")
            .order_by(),
            SESSION_FRAME_COLUMNS,
        )
        counted = queryset_frame(
            placements.values_list("session_id", "indicator_id", "level")
            .annotate(count=Count("id"))
            .order_by(),
            COUNTED_COLUMNS,
        )
        indicators = Indicator.objects.all()
        if tenant_ids is not None:
            indicators = indicators.filter(pk__in=sorted(set(counted["indicator"].tolist())))
        lineages = queryset_frame(
            indicators.values_list("pk", "lineage").order_by(), ["indicator", "lineage"]
        )
    frame = _typed(counted, COUNTED_COLUMNS).merge(
        _typed(sessions, SESSION_FRAME_COLUMNS), on="session", how="inner"
    )
    frame = frame.merge(_typed(lineages, ["indicator", "lineage"]), on="indicator", how="inner")
    return _typed(frame, FINE_COLUMNS)


def _sum_by(frame: pd.DataFrame, keys: list[str], values: list[str]) -> pd.DataFrame:
    """values summed per distinct keys, ordered by keys (the same placements, the same bytes).
    Each key column is replaced by its rank among its sorted distinct values and the ranks
    make one integer per row: one sort of those groups and orders the rows at once, several
    times faster than grouping by four columns."""
    if frame.empty:
        return _typed(frame, [*keys, *values])
    ranks, distincts = [], []
    for key in keys:
        rank, distinct = pd.factorize(frame[key], sort=True)
        ranks.append(rank.astype(np.int64))
        distincts.append(np.asarray(distinct, dtype=np.int64))
    if np.prod([float(len(distinct)) for distinct in distincts]) >= 2**62:
        return frame.groupby(keys, sort=True)[values].sum().reset_index()
    combined = np.zeros(len(frame), dtype=np.int64)
    for rank, distinct in zip(ranks, distincts, strict=True):
        combined = combined * len(distinct) + rank
    cells, where = np.unique(combined, return_inverse=True)
    summed: dict[str, np.ndarray] = {}
    rest = cells
    for key, distinct in reversed(list(zip(keys, distincts, strict=True))):
        summed[key] = distinct[rest % len(distinct)]
        rest = rest // len(distinct)
    for value in values:
        # Float weights add integers exactly below 2**53.
        weights = frame[value].to_numpy(dtype=np.float64)
        summed[value] = np.bincount(where, weights=weights, minlength=len(cells)).astype(np.int64)
    return pd.DataFrame({column: summed[column] for column in [*keys, *values]})


def _cube_sum(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Counts per (key, lineage, year, level), ordered."""
    return _sum_by(frame, [key, "lineage", "year", "level"], ["count"])


def _sessions_sum(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Sessions and their participants per (key, lineage, year): each session once per lineage
    (from the fine frame), or the sums of tables already at that grain."""
    if "session" in frame.columns:
        frame = frame.drop_duplicates(["session", "lineage"]).assign(sessions=1)
    return _sum_by(frame, [key, "lineage", "year"], ["sessions", "participants"])


def _split(frame: pd.DataFrame, key: str, columns: list[str]) -> dict[int, dict]:
    """{key value: {column: array}} of a frame ordered by key (one pass, slices of one array
    per column: thousands of small tables in a few milliseconds)."""
    if frame.empty:
        return {}
    keys = frame[key].to_numpy()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    arrays = {column: frame[column].to_numpy(dtype=np.int64) for column in columns}
    return {
        int(keys[start]): {column: arrays[column][start:end] for column in columns}
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True)
    }


def _groups_computed(
    fine: pd.DataFrame, *, cg_ids: Iterable[int], hg_ids: Iterable[int]
) -> tuple[list[Computed], pd.DataFrame, pd.DataFrame]:
    """Snapshots of every coordination group in cg_ids and of every homogeneous group with
    placements or in hg_ids (empty when it has none); and the coordination groups' cubes and
    sessions as frames (keyed by cg), for the places."""
    held = fine[fine["hg"] != 0]
    hg_cubes = _split(_cube_sum(held, "hg"), "hg", CUBE_COLUMNS)
    hg_sessions = _split(_sessions_sum(held, "hg"), "hg", SESSION_COLUMNS)
    cg_cube_frame, cg_session_frame = _cube_sum(fine, "cg"), _sessions_sum(fine, "cg")
    cg_cubes = _split(cg_cube_frame, "cg", CUBE_COLUMNS)
    cg_sessions = _split(cg_session_frame, "cg", SESSION_COLUMNS)
    computed = [
        Computed(
            Scope.HOMOGENEOUS_GROUP,
            pk,
            hg_cubes.get(pk, empty_cube()),
            hg_sessions.get(pk, empty_sessions()),
        )
        for pk in sorted(set(hg_cubes) | set(hg_ids))
    ]
    computed += [
        Computed(
            Scope.COORDINATION_GROUP,
            pk,
            cg_cubes.get(pk, empty_cube()),
            cg_sessions.get(pk, empty_sessions()),
        )
        for pk in sorted(set(cg_ids))
    ]
    return computed, cg_cube_frame, cg_session_frame


def shared_lineages() -> set[int]:
    """The lineages places add up: those whose root indicator is shared and published."""
    with cross_tenant():
        return set(
            Indicator.objects.filter(
                shared=True, status=Indicator.Status.PUBLISHED, pk=F("lineage")
            ).values_list("pk", flat=True)
        )


def _places_computed(
    cubes: pd.DataFrame,
    sessions: pd.DataFrame,
    *,
    places: pd.DataFrame,
    wanted: dict[str, set[int]],
    shared: set[int],
) -> list[Computed]:
    """Snapshots of the places in wanted ({scope: ids}, each written, empty when nothing is
    under it): the visible coordination groups' cubes and sessions (keyed by cg) added up, for
    the shared lineages. places: syntheses.compute.coordination_groups_frame()."""
    visible = places.loc[~places["hidden"].astype(bool), ["cg", *PLACE_LEVELS.values()]]
    cubes = cubes[cubes["lineage"].isin(shared)].merge(visible, on="cg", how="inner")
    sessions = sessions[sessions["lineage"].isin(shared)].merge(visible, on="cg", how="inner")
    cubes, sessions = cubes.assign(network=0), sessions.assign(network=0)
    computed: list[Computed] = []
    for scope in PLACE_SCOPES:
        ids = wanted.get(scope)
        if not ids:
            continue
        column = "network" if scope == Scope.NETWORK else PLACE_LEVELS[scope]
        place_cubes = _split(_cube_sum(cubes, column), column, CUBE_COLUMNS)
        place_sessions = _split(_sessions_sum(sessions, column), column, SESSION_COLUMNS)
        computed += [
            Computed(
                scope,
                pk,
                place_cubes.get(pk, empty_cube()),
                place_sessions.get(pk, empty_sessions()),
            )
            for pk in sorted(ids)
        ]
    return computed


def _snapshot_frames(cg_ids: Iterable[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored cubes and sessions of these coordination groups as frames keyed by cg (each
    column an array per snapshot, joined once: no frame built from millions of Python ints)."""
    tables = {"cube": CUBE_COLUMNS, "sessions": SESSION_COLUMNS}
    parts: dict[str, dict[str, list[np.ndarray]]] = {
        kind: {column: [] for column in ["cg", *columns]} for kind, columns in tables.items()
    }
    rows = EvaluationSnapshot.objects.filter(
        scope=Scope.COORDINATION_GROUP, scope_id__in=sorted(cg_ids)
    ).values_list("scope_id", "cube", "sessions")
    for pk, cube, table in rows:
        for kind, source in (("cube", cube), ("sessions", table)):
            columns = tables[kind]
            parts[kind]["cg"].append(np.full(len(source.get(columns[0], [])), pk, dtype=np.int64))
            for column in columns:
                parts[kind][column].append(np.asarray(source.get(column, []), dtype=np.int64))
    frames = [
        pd.DataFrame(
            {
                column: np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)
                for column, arrays in parts[kind].items()
            }
        )
        for kind in tables
    ]
    return frames[0], frames[1]


def _cgs_under(places: pd.DataFrame, wanted: dict[str, set[int]]) -> set[int]:
    """The visible coordination groups under any of the wanted places."""
    visible = places[~places["hidden"].astype(bool)]
    if wanted.get(Scope.NETWORK):
        return set(visible["cg"].tolist())
    under: set[int] = set()
    for scope, ids in wanted.items():
        column = PLACE_LEVELS[scope]
        under |= set(visible.loc[visible[column].isin(list(ids)), "cg"].tolist())
    return under


# --- Writing ------------------------------------------------------------------------------------


def _digest(item: Computed) -> str:
    """A fingerprint of the figures, hashed from the columns' integers (no JSON needed to find
    that nothing changed)."""
    digest = hashlib.blake2b(digest_size=16)
    for table, columns in ((item.cube, CUBE_COLUMNS), (item.sessions, SESSION_COLUMNS)):
        for column in columns:
            values = np.asarray(table.get(column, []), dtype=np.int64)
            digest.update(len(values).to_bytes(8, "little"))
            digest.update(values.tobytes())
    return digest.hexdigest()


def _packed(table: dict, columns: list[str]) -> bytes:
    return pack(
        {column: np.asarray(table.get(column, []), dtype=np.int64).tolist() for column in columns}
    )


def _write(computed: list[Computed], *, at: datetime.datetime) -> None:
    """Store the snapshots; one whose figures did not change keeps its row (only its
    computed_at moves)."""
    for start in range(0, len(computed), WRITE_BATCH):
        batch = computed[start : start + WRITE_BATCH]
        stored: dict[tuple[str, int], str] = {}
        for scope in {item.scope for item in batch}:
            ids = [item.scope_id for item in batch if item.scope == scope]
            stored.update(
                ((scope, pk), digest)
                for pk, digest in EvaluationSnapshot.objects.filter(
                    scope=scope, scope_id__in=ids
                ).values_list("scope_id", "digest")
            )
        same: dict[str, list[int]] = {}
        changed = []
        for item in batch:
            digest = _digest(item)
            if stored.get((item.scope, item.scope_id)) == digest:
                same.setdefault(item.scope, []).append(item.scope_id)
                continue
            changed.append(
                EvaluationSnapshot(
                    scope=item.scope,
                    scope_id=item.scope_id,
                    cube=_packed(item.cube, CUBE_COLUMNS),
                    sessions=_packed(item.sessions, SESSION_COLUMNS),
                    placements_count=item.placements_count,
                    digest=digest,
                    computed_at=at,
                )
            )
        for scope, ids in same.items():
            EvaluationSnapshot.objects.filter(scope=scope, scope_id__in=ids).update(computed_at=at)
        EvaluationSnapshot.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["scope", "scope_id"],
            update_fields=["cube", "sessions", "placements_count", "digest", "computed_at"],
        )


def _delete(scope: str, ids: Iterable[int]) -> None:
    ids = sorted(ids)
    if ids:
        EvaluationSnapshot.objects.filter(scope=scope, scope_id__in=ids).delete()


def _stored_ids(scope: str) -> set[int]:
    return set(EvaluationSnapshot.objects.filter(scope=scope).values_list("scope_id", flat=True))


# --- Everything at once -------------------------------------------------------------------------


@transaction.atomic
def evaluations_recompute_all() -> int:
    """Recompute every scope's snapshot from one aggregate over every placement (pandas adds
    up the rest); remove those of groups that no longer exist. Returns how many snapshots were
    computed. One transaction: until it commits, pages read the previous snapshots."""
    started = timezone.now()
    pending = list(
        EvaluationPending.objects.filter(claimed_at__isnull=True).values_list("pk", flat=True)
    )
    places = coordination_groups_frame()
    fine = fine_frame()
    stored_hgs = _stored_ids(Scope.HOMOGENEOUS_GROUP)
    with cross_tenant():
        live_hgs = set(
            HomogeneousGroup.objects.filter(pk__in=sorted(stored_hgs)).values_list("pk", flat=True)
        )
    cg_ids = set(places["cg"].tolist())
    computed, cubes, sessions = _groups_computed(fine, cg_ids=cg_ids, hg_ids=live_hgs)
    wanted: dict[str, set[int]] = {Scope.NETWORK: {0}}
    for scope, column in PLACE_LEVELS.items():
        wanted[scope] = (set(places[column].tolist()) - {0}) | _stored_ids(scope)
    computed += _places_computed(
        cubes, sessions, places=places, wanted=wanted, shared=shared_lineages()
    )
    _write(computed, at=timezone.now())
    _delete(Scope.HOMOGENEOUS_GROUP, stored_hgs - live_hgs)
    _delete(Scope.COORDINATION_GROUP, _stored_ids(Scope.COORDINATION_GROUP) - cg_ids)
    # What was pending when the pass began is in these figures (its change committed before
    # the pass read anything); marks that arrived since stay for their job.
    EvaluationPending.objects.filter(
        pk__in=pending, marked_at__lte=started, claimed_at__isnull=True
    ).delete()
    return len(computed)


# --- What is pending ----------------------------------------------------------------------------


def _pending_claim(limit: int) -> tuple[list[EvaluationPending], datetime.datetime]:
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            EvaluationPending.objects.select_for_update(skip_locked=True)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - claim_timeout()))
            .order_by("marked_at")[:limit]
        )
        EvaluationPending.objects.filter(pk__in=[row.pk for row in rows]).update(
            claimed_at=now, attempts=F("attempts") + 1
        )
    return rows, now


def evaluations_recompute_pending(
    *,
    limit: int = 5000,
    checkpoint: Callable[[], None] | None = None,
    confirm: Callable[[], None] | None = None,
) -> int:
    """Recompute the scopes marked out of date (claimed, so two jobs never take the same);
    returns how many snapshots were written. Scopes marked again while this ran stay pending
    for the next job. checkpoint runs just before the commit (tests stop there); confirm last,
    inside the transaction (the job's claim check)."""
    rows, claimed_at = _pending_claim(limit)
    if not rows:
        return 0
    tenant_ids = {row.scope_id for row in rows if row.scope == Scope.COORDINATION_GROUP}
    hg_ids = {row.scope_id for row in rows if row.scope == Scope.HOMOGENEOUS_GROUP}
    wanted: dict[str, set[int]] = {}
    for row in rows:
        if row.scope in PLACE_SCOPES:
            wanted.setdefault(row.scope, set()).add(row.scope_id)
    with transaction.atomic():
        with cross_tenant():
            hg_tenants = dict(
                HomogeneousGroup.objects.filter(pk__in=sorted(hg_ids)).values_list(
                    "pk", "tenant_id"
                )
            )
        tenant_ids |= set(hg_tenants.values())
        places = coordination_groups_frame()
        under = _cgs_under(places, wanted) if wanted else set()
        # A coordination group never computed (figures from before the roll-ups) is computed
        # now, so that the places above it are whole.
        tenant_ids |= under - _stored_ids(Scope.COORDINATION_GROUP)
        live = tenant_ids & set(places["cg"].tolist())
        written = 0
        cubes = _typed(pd.DataFrame(), ["cg", *CUBE_COLUMNS])
        sessions = _typed(pd.DataFrame(), ["cg", *SESSION_COLUMNS])
        if live:
            with cross_tenant():
                # Every homogeneous group of these platforms with figures, to be rewritten
                # (a session moved to another group leaves the first one's figures stale).
                held = set(
                    EvaluationSnapshot.objects.filter(
                        scope=Scope.HOMOGENEOUS_GROUP,
                        scope_id__in=HomogeneousGroup.objects.filter(
                            tenant_id__in=sorted(live)
                        ).values("pk"),
                    ).values_list("scope_id", flat=True)
                )
            computed, cubes, sessions = _groups_computed(
                fine_frame(live), cg_ids=live, hg_ids=set(hg_tenants) | held
            )
            _write(computed, at=timezone.now())
            written += len(computed)
        _delete(Scope.HOMOGENEOUS_GROUP, hg_ids - set(hg_tenants))
        _delete(Scope.COORDINATION_GROUP, tenant_ids - live)
        if wanted:
            stored_cubes, stored_sessions = _snapshot_frames(under - live)
            cubes = pd.concat([cubes, stored_cubes], ignore_index=True)
            sessions = pd.concat([sessions, stored_sessions], ignore_index=True)
            computed = _places_computed(
                cubes, sessions, places=places, wanted=wanted, shared=shared_lineages()
            )
            _write(computed, at=timezone.now())
            written += len(computed)
        if checkpoint is not None:
            checkpoint()
        ids = [row.pk for row in rows]
        EvaluationPending.objects.filter(pk__in=ids, marked_at__lte=claimed_at).delete()
        EvaluationPending.objects.filter(pk__in=ids).update(claimed_at=None)
        if confirm is not None:
            confirm()
    return written


def evaluations_sweep() -> bool:
    """Whether some scopes wait with no live job on them (never enqueued, or whose job gave
    up): the jobs' sweep then gives them one."""
    stale = timezone.now() - claim_timeout()
    return EvaluationPending.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
    ).exists()


def evaluations_claims_release(*, since: datetime.datetime) -> int:
    """Give back the scopes claimed since a run began whose worker died (its writes died with
    its transaction), so the next run takes them at once."""
    return EvaluationPending.objects.filter(claimed_at__gte=since).update(claimed_at=None)
