"""Computing snapshots: aggregate once at the finest grain, then roll up.

Stage 1 reads the classified criteria of some coordination groups in one query, counted per
(homogeneous group, component, question, year, language), and derives the cubes of those
homogeneous groups and coordination groups. Stage 2 builds each place (locality, region,
country, continent, network) by adding up the cubes of the visible coordination groups under
it: a place is never re-aggregated from the criteria table. A full pass adds up stage 1's
frame; a job after a change rolls up level by level (roll_up), each place from the snapshots
one level below it, so a change reads a few rows, not every coordination group.

Every snapshot also stores the fingerprint of what it was computed from (see Fingerprints
below): the nightly pass computes every scope's fingerprint in one aggregate over the criteria
and recomputes the scopes whose stored fingerprint differs.
"""

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Count
from django.db.models.functions import ExtractYear

from criteria.models import Component, Criterion, GridVersion, Question
from syntheses.models import Scope
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.frames import queryset_frame
from wikispiral.tenancy import cross_tenant

CUBE_COLUMNS = ["component", "question", "year", "profile", "language", "count"]
GROUP_COLUMNS = ["group", "profile", "participants", "years", "languages"]
# Where each place level sits on a coordination group (a queryset lookup).
PLACE_LOOKUPS: dict[str, str] = {
    Scope.LOCALITY: "locality_id",
    Scope.REGION: "region_id",
    Scope.COUNTRY: "country_id",
    Scope.CONTINENT: "country__continent_id",
    Scope.PROJECT: "project",
}
PLACE_LEVELS: dict[str, str] = {
    Scope.LOCALITY: "locality",
    Scope.REGION: "region",
    Scope.COUNTRY: "country",
    Scope.CONTINENT: "continent",
    # Not a place, but added up the same way: a project's platforms (0: none).
    Scope.PROJECT: "project",
}


@dataclass
class Computed:
    """One scope's figures, ready to be written as a snapshot."""

    scope: str
    scope_id: int
    cube: dict
    groups: dict
    # What the figures were computed from (see fingerprints below).
    fingerprint: int = 0

    @property
    def criteria_count(self) -> int:
        return int(sum(self.cube.get("count", [])))

    @property
    def groups_count(self) -> int:
        return len(self.groups.get("group", []))

    @property
    def participants(self) -> int:
        return int(sum(value or 0 for value in self.groups.get("participants", [])))


def empty_cube() -> dict:
    return {column: [] for column in CUBE_COLUMNS}


def empty_groups() -> dict:
    return {column: [] for column in GROUP_COLUMNS}


def cube_frame(cube: dict) -> pd.DataFrame:
    """A snapshot's cube as a DataFrame (empty cubes included)."""
    return pd.DataFrame({column: cube.get(column, []) for column in CUBE_COLUMNS})


def groups_frame(groups: dict) -> pd.DataFrame:
    return pd.DataFrame({column: groups.get(column, []) for column in GROUP_COLUMNS})


# --- Fingerprints: what a snapshot was computed from -------------------------------------------
#
# Each classified criterion hashes to 64 bits (its id, component, question, session date and
# language); a homogeneous group's hash mixes the XOR of its criteria's hashes with their
# number, the group's id, profile and participants; any scope's fingerprint is the XOR of the
# hashes of the groups it adds up. XOR adds up the way the counts do: a place's fingerprint is
# its children's XORed, so a job that rolls a place up from the snapshots below it gets the
# fingerprint the nightly pass computes from the criteria. A scope whose groups, criteria,
# classification, visibility or place changed gets another fingerprint (a chance of 2^-64 of
# missing one). ENGINE_VERSION goes into every hash: changing what a snapshot holds changes
# every fingerprint, so the next pass recomputes everything.

ENGINE_VERSION = 1
HASH_COLUMNS = ["group", "n", "h"]
_DAY_ZERO = datetime.date(2000, 1, 1)

_CRITERIA_HASH_SQL = """
SELECT c.group_id, count(*),
       bit_xor(hashint8extended(c.id, hashint8extended(c.component_id, hashint8extended(
           c.question_id * 100000 + (c.session_date - DATE '2000-01-01'),
           hashtext(c.language)))))
FROM {criteria} c JOIN {components} k ON k.id = c.component_id
WHERE c.status = %s AND k.version_id = %s {tenants}
GROUP BY c.group_id
"""


def _splitmix(values: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser over uint64 (wrapping arithmetic): a well-spread 64-bit hash."""
    x = values + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _mix(seed: np.ndarray, values) -> np.ndarray:
    return _splitmix(seed ^ _splitmix(_as_u64(values)))


def _as_u64(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).view(np.uint64)


def _text_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little") >> 1


def criteria_hashes(
    *, version: GridVersion, tenant_ids: Iterable[int] | None = None
) -> pd.DataFrame:
    """Per homogeneous group with classified criteria of version: their number (n) and the XOR
    of their hashes (h), in one aggregate. On PostgreSQL the database hashes; elsewhere the
    rows come here (the small databases of development and tests)."""
    with cross_tenant():
        if connection.vendor == "postgresql":
            params: list = [Criterion.Status.CLASSIFIED, version.pk]
            tenants = ""
            if tenant_ids is not None:
                tenants = "AND c.tenant_id = ANY(%s)"
                params.append(list(tenant_ids))
            sql = _CRITERIA_HASH_SQL.format(
                criteria=Criterion._meta.db_table,
                components=Component._meta.db_table,
                tenants=tenants,
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return pd.DataFrame(cursor.fetchall(), columns=HASH_COLUMNS, dtype=np.int64)
        criteria = Criterion.objects.filter(
            status=Criterion.Status.CLASSIFIED, component__version=version
        )
        if tenant_ids is not None:
            criteria = criteria.filter(tenant_id__in=list(tenant_ids))
        rows = list(
            criteria.values_list(
                "group_id", "id", "component_id", "question_id", "session_date", "language"
            )
        )
    if not rows:
        return pd.DataFrame(columns=HASH_COLUMNS, dtype=np.int64)
    frame = pd.DataFrame(
        rows, columns=["group", "id", "component", "question", "date", "language"]
    ).sort_values("group", kind="stable")
    days = [(date - _DAY_ZERO).days for date in frame["date"]]
    language = frame["language"].map(_text_hash)
    hashed = _mix(_as_u64(language), frame["question"].to_numpy() * 100000 + np.asarray(days))
    hashed = _mix(_mix(hashed, frame["component"]), frame["id"])
    keys = frame["group"].to_numpy()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return pd.DataFrame(
        {
            "group": keys[starts],
            "n": np.diff(np.r_[starts, len(keys)]),
            "h": np.bitwise_xor.reduceat(hashed, starts).view(np.int64),
        }
    )


def group_hashes(hashes: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Each homogeneous group's hash (h) with its coordination group (cg): its criteria's
    hashes mixed with its id, profile and participants. groups: homogeneous_groups_frame()."""
    frame = groups.merge(hashes, on="group", how="left")
    hashed = _mix(np.full(len(frame), ENGINE_VERSION, dtype=np.uint64), frame["group"])
    for column in ("n", "h", "profile", "participants"):
        hashed = _mix(hashed, frame[column].fillna(0).astype(np.int64))
    return pd.DataFrame({"group": frame["group"], "cg": frame["cg"], "h": hashed.view(np.int64)})


def _xor_by(frame: pd.DataFrame, key: str) -> dict[int, int]:
    """{key value: XOR of h} over frame's rows."""
    if frame.empty:
        return {}
    frame = frame.sort_values(key, kind="stable")
    keys = frame[key].to_numpy()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    xored = np.bitwise_xor.reduceat(frame["h"].to_numpy(dtype=np.int64), starts)
    return dict(zip(keys[starts].tolist(), xored.tolist(), strict=True))


def xor_all(values: Iterable[int]) -> int:
    result = 0
    for value in values:
        result ^= value
    return result


def scope_fingerprints(
    hashes: pd.DataFrame, places: pd.DataFrame, wanted: dict[str, set[int]]
) -> dict[tuple[str, int], int]:
    """The fingerprint of every homogeneous group and coordination group in hashes and places,
    and of the places in wanted ({scope: ids}; 0 for a place with nothing visible under it).
    hashes: group_hashes(); places: coordination_groups_frame()."""
    result: dict[tuple[str, int], int] = {
        (Scope.HOMOGENEOUS_GROUP, group): value
        for group, value in zip(hashes["group"].tolist(), hashes["h"].tolist(), strict=True)
    }
    by_cg = _xor_by(hashes, "cg")
    result.update(
        ((Scope.COORDINATION_GROUP, cg), by_cg.get(cg, 0)) for cg in places["cg"].tolist()
    )
    visible = places[~places["hidden"].astype(bool)].copy()
    visible["h"] = visible["cg"].map(by_cg).fillna(0).astype(np.int64)
    for scope, level in PLACE_LEVELS.items():
        by_place = _xor_by(visible[visible[level] != 0], level)
        result.update(((scope, place), by_place.get(place, 0)) for place in wanted.get(scope, ()))
    if Scope.NETWORK in wanted:
        result[(Scope.NETWORK, 0)] = xor_all(visible["h"].tolist())
    return result


# --- Stage 1: criteria → homogeneous groups and coordination groups ----------------------------


FINE_COLUMNS = ["group", "component_id", "question_id", "year", "language", "count"]


def fine_frame(*, version: GridVersion, tenant_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Classified criteria of version (of the given coordination groups, or all) counted per
    homogeneous group, component, question, year and language: one query, codes attached."""
    with cross_tenant():
        criteria = Criterion.objects.filter(
            status=Criterion.Status.CLASSIFIED, component__version=version
        )
        if tenant_ids is not None:
            criteria = criteria.filter(tenant_id__in=list(tenant_ids))
        counted = (
            criteria.annotate(year=ExtractYear("session_date"))
            .values_list("group_id", "component_id", "question_id", "year", "language")
            .annotate(count=Count("id"))
            .order_by()
        )
        frame = queryset_frame(counted, FINE_COLUMNS)
    components = dict(Component.objects.filter(version=version).values_list("id", "code"))
    with cross_tenant():
        # The criteria of many groups answer their groups' own questions too.
        questions = dict(Question.objects.values_list("id", "code"))
    frame["component"] = frame["component_id"].map(components)
    frame["question"] = frame["question_id"].map(questions)
    return frame.drop(columns=["component_id", "question_id"])


def homogeneous_groups_frame(*, tenant_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Every homogeneous group (of the given coordination groups): id, tenant, profile,
    participants."""
    with cross_tenant():
        groups = HomogeneousGroup.objects.all()
        if tenant_ids is not None:
            groups = groups.filter(tenant_id__in=list(tenant_ids))
        rows = list(groups.values_list("id", "tenant_id", "profile_id", "participants"))
    frame = pd.DataFrame(rows, columns=["group", "cg", "profile", "participants"])
    frame["profile"] = frame["profile"].fillna(0).astype(int)
    frame["participants"] = frame["participants"].fillna(0).astype(int)
    return frame


def coordination_groups_frame(*, ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Coordination groups with their places: id, hidden, locality, region, country,
    continent, project (0 where a level is not set)."""
    groups = CoordinationGroup.objects.all()
    if ids is not None:
        groups = groups.filter(pk__in=list(ids))
    rows = list(
        groups.values_list(
            "id",
            "is_hidden",
            "locality_id",
            "region_id",
            "country_id",
            "country__continent_id",
            "project",
        )
    )
    frame = pd.DataFrame(
        rows, columns=["cg", "hidden", "locality", "region", "country", "continent", "project"]
    )
    for level in PLACE_LEVELS.values():
        frame[level] = frame[level].fillna(0).astype(int)
    return frame


def _split(
    frame: pd.DataFrame, key: str, columns: list[str], *, ordered: bool = False
) -> dict[int, dict]:
    """{key value: {column: list}} for each distinct value of key (one sort, none when the
    frame is ordered by key already; no per-group DataFrame): thousands of small cubes in a few
    milliseconds."""
    if frame.empty:
        return {}
    if not ordered:
        frame = frame.sort_values(key, kind="stable")
    keys = frame[key].to_numpy()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    arrays = {column: frame[column].tolist() for column in columns}
    return {
        int(keys[start]): {column: arrays[column][start:end] for column in columns}
        for start, end in zip(starts, ends, strict=True)
    }


def _cube_at(frame: pd.DataFrame, key: str) -> dict[int, dict]:
    """Cubes of each value of key: counts summed over everything finer."""
    if frame.empty:
        return {}
    return _split(_sum_at(frame, key), key, CUBE_COLUMNS, ordered=True)


def _sum_at(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Counts of frame summed per (key, component, question, year, profile, language), in that
    order (canonical: the same criteria always give the same snapshot). Each column is
    replaced by its rank among its sorted distinct values, the ranks make one integer per row,
    and one sort of those integers groups and orders the rows at once: several times faster
    than grouping by six columns, three of them text."""
    columns = [key, "component", "question", "year", "profile", "language"]
    if frame.empty:
        return pd.DataFrame(columns=[*columns, "count"])
    ranks, values = [], []
    for column in columns:
        rank, distinct = pd.factorize(frame[column], sort=True)
        ranks.append(rank.astype(np.int64))
        values.append(distinct)
    if np.prod([float(len(distinct)) for distinct in values]) >= 2**62:
        # Too many combinations for one integer: group by the columns.
        return frame.groupby(columns, sort=True)["count"].sum().reset_index()
    combined = np.zeros(len(frame), dtype=np.int64)
    for rank, distinct in zip(ranks, values, strict=True):
        combined = combined * len(distinct) + rank
    cells, where = np.unique(combined, return_inverse=True)
    counts = np.bincount(where, weights=frame["count"].to_numpy(dtype=np.float64))
    summed = {"count": counts.astype(np.int64)}
    rest = cells
    for column, distinct in reversed(list(zip(columns, values, strict=True))):
        summed[column] = distinct.take(rest % len(distinct))
        rest = rest // len(distinct)
    return pd.DataFrame({column: summed[column] for column in [*columns, "count"]})


def _groups_table(fine: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """One row per homogeneous group with counted criteria: profile, participants, the years
    and languages of its criteria."""
    if fine.empty:
        return pd.DataFrame(columns=["cg", *GROUP_COLUMNS])
    spread = fine.groupby("group").agg(
        years=("year", lambda values: sorted({int(v) for v in values})),
        languages=("language", lambda values: sorted(set(values))),
    )
    table = groups.set_index("group").join(spread, how="inner").reset_index()
    return table[["cg", *GROUP_COLUMNS]].sort_values("group")


@dataclass
class StageOne:
    """Stage one's snapshots, and what stage two rolls up: the coordination-group-level frame,
    the groups table and each homogeneous group's hash."""

    computed: list[Computed]
    cg_level: pd.DataFrame
    table: pd.DataFrame
    hashes: pd.DataFrame = field(repr=False)


def stage_one(*, version: GridVersion, tenant_ids: Iterable[int] | None = None) -> StageOne:
    """Snapshots of the homogeneous groups and coordination groups of tenant_ids (all when
    None), every one of them even without criteria."""
    # The fingerprints are read before the figures: a criterion saved in between makes the
    # stored fingerprint older than the figures, never newer, so the next pass recomputes.
    groups = homogeneous_groups_frame(tenant_ids=tenant_ids)
    hashes = group_hashes(criteria_hashes(version=version, tenant_ids=tenant_ids), groups)
    fine = fine_frame(version=version, tenant_ids=tenant_ids)
    fine = fine.merge(groups[["group", "cg", "profile"]], on="group", how="inner")
    table = _groups_table(fine, groups)
    computed: list[Computed] = []
    hg_cubes = _cube_at(fine, "group")
    hg_tables = _split(table, "group", GROUP_COLUMNS)
    for group, fingerprint in zip(hashes["group"].tolist(), hashes["h"].tolist(), strict=True):
        computed.append(
            Computed(
                Scope.HOMOGENEOUS_GROUP,
                group,
                hg_cubes.get(group, empty_cube()),
                hg_tables.get(group, empty_groups()),
                fingerprint,
            )
        )
    cg_level = _sum_at(fine, "cg")
    cg_cubes = _split(cg_level, "cg", CUBE_COLUMNS, ordered=True)
    cg_tables = _split(table, "cg", GROUP_COLUMNS)
    cg_fingerprints = _xor_by(hashes, "cg")
    cg_ids = (
        list(tenant_ids)
        if tenant_ids is not None
        else CoordinationGroup.objects.values_list("id", flat=True)
    )
    for cg in cg_ids:
        computed.append(
            Computed(
                Scope.COORDINATION_GROUP,
                cg,
                cg_cubes.get(cg, empty_cube()),
                cg_tables.get(cg, empty_groups()),
                cg_fingerprints.get(cg, 0),
            )
        )
    return StageOne(computed, cg_level, table, hashes)


# --- Stage 2: coordination groups → places ------------------------------------------------------


def stage_two(
    *, first: StageOne, places: pd.DataFrame, wanted: dict[str, set[int]]
) -> list[Computed]:
    """Snapshots of places from stage one's coordination-group cubes and groups (of every
    coordination group in places): each place adds up its visible coordination groups.

    wanted: {scope: ids} to compute (each gets a snapshot, empty when nothing is under it).
    """
    cg_level, table = first.cg_level, first.table
    fingerprints = scope_fingerprints(first.hashes, places, wanted)
    visible = places[~places["hidden"].astype(bool)]
    frame = cg_level.merge(visible, on="cg", how="inner")
    groups = table.merge(visible, on="cg", how="inner").sort_values("group")
    computed: list[Computed] = []
    for scope, level in PLACE_LEVELS.items():
        if not wanted.get(scope):
            continue
        cubes = _cube_at(frame[frame[level] != 0], level)
        tables = _split(groups[groups[level] != 0], level, GROUP_COLUMNS)
        for place in sorted(wanted[scope]):
            computed.append(
                Computed(
                    scope,
                    place,
                    cubes.get(place, empty_cube()),
                    tables.get(place, empty_groups()),
                    fingerprints[(scope, place)],
                )
            )
    if wanted.get(Scope.NETWORK):
        frame = frame.assign(network=0)
        groups = groups.assign(network=0)
        computed.append(
            Computed(
                Scope.NETWORK,
                0,
                _cube_at(frame, "network").get(0, empty_cube()),
                _split(groups, "network", GROUP_COLUMNS).get(0, empty_groups()),
                fingerprints[(Scope.NETWORK, 0)],
            )
        )
    return computed


# --- Roll-up of one place from the snapshots one level below ----------------------------------


def roll_up_level(scope: str, children: dict[int, list[tuple[dict, dict, int]]]) -> list[Computed]:
    """The snapshots of places of one level, each from (cube, groups, fingerprint) of what lies
    directly under it: its localities' snapshots for a region, say, and those of its
    coordination groups that have no locality. The same cube, in the same order, and the same
    fingerprint as stage two gives. Every part's columns go into one frame and one sum for all
    the places (thousands of small cubes are not turned into frames one by one)."""
    cubes: dict[str, list] = {column: [] for column in ["place", *CUBE_COLUMNS]}
    tables: dict[str, list] = {column: [] for column in ["place", *GROUP_COLUMNS]}
    for place, parts in children.items():
        for cube, groups, _fingerprint in parts:
            for columns, source, key in ((cubes, cube, "count"), (tables, groups, "group")):
                rows = len(source.get(key, []))
                if rows:
                    columns["place"].extend([place] * rows)
                    for column in columns.keys() - {"place"}:
                        columns[column].extend(source[column])
    summed = _cube_at(pd.DataFrame(cubes), "place") if cubes["place"] else {}
    table = pd.DataFrame(tables).sort_values("group", kind="stable")
    split = _split(table, "place", GROUP_COLUMNS) if tables["place"] else {}
    return [
        Computed(
            scope,
            place,
            summed.get(place, empty_cube()),
            split.get(place, empty_groups()),
            xor_all(fingerprint for _cube, _groups, fingerprint in children[place]),
        )
        for place in sorted(children)
    ]
