"""Computing snapshots: aggregate once at the finest grain, then roll up.

Stage 1 reads the classified criteria of some coordination groups in one query, counted per
(homogeneous group, component, question, year, language), and derives the cubes of those
homogeneous groups and coordination groups. Stage 2 builds each place (locality, region,
country, continent, network) by adding up the cubes of the visible coordination groups under
it: a place is never re-aggregated from the criteria table. The nightly pass adds up stage 1's
frame; a job after a change rolls up level by level (roll_up), each place from the snapshots
one level below it, so a change reads a few rows, not every coordination group.
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear

from criteria.models import Component, Criterion, GridVersion, Question
from syntheses.models import Scope
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.tenancy import cross_tenant

CUBE_COLUMNS = ["component", "question", "year", "profile", "language", "count"]
GROUP_COLUMNS = ["group", "profile", "participants", "years", "languages"]
# Where each place level sits on a coordination group (a queryset lookup).
PLACE_LOOKUPS = {
    Scope.LOCALITY: "locality_id",
    Scope.REGION: "region_id",
    Scope.COUNTRY: "country_id",
    Scope.CONTINENT: "country__continent_id",
}
PLACE_LEVELS = {
    Scope.LOCALITY: "locality",
    Scope.REGION: "region",
    Scope.COUNTRY: "country",
    Scope.CONTINENT: "continent",
}


@dataclass
class Computed:
    """One scope's figures, ready to be written as a snapshot."""

    scope: str
    scope_id: int
    cube: dict
    groups: dict

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


# --- Stage 1: criteria → homogeneous groups and coordination groups ----------------------------


FINE_COLUMNS = ["group", "component_id", "question_id", "year", "language", "count"]


def _frame_of(queryset: QuerySet, columns: list[str]) -> pd.DataFrame:
    """The rows of a values_list queryset as a DataFrame. On PostgreSQL they come as one CSV
    stream (COPY) parsed by pandas: hundreds of thousands of rows in a fraction of the time
    Python tuples take."""
    if connection.vendor != "postgresql":
        return pd.DataFrame(list(queryset), columns=columns)
    sql, params = queryset.query.sql_with_params()
    buffer = io.BytesIO()
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        for chunk in copy:
            buffer.write(chunk)
    buffer.seek(0)
    if not buffer.getbuffer().nbytes:
        return pd.DataFrame(columns=columns)
    return pd.read_csv(buffer, names=columns, header=None, keep_default_na=False)


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
        frame = _frame_of(counted, FINE_COLUMNS)
    components = dict(Component.objects.filter(version=version).values_list("id", "code"))
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
    continent (0 where a level is not set)."""
    groups = CoordinationGroup.objects.all()
    if ids is not None:
        groups = groups.filter(pk__in=list(ids))
    rows = list(
        groups.values_list(
            "id", "is_hidden", "locality_id", "region_id", "country_id", "country__continent_id"
        )
    )
    frame = pd.DataFrame(
        rows, columns=["cg", "hidden", "locality", "region", "country", "continent"]
    )
    for level in PLACE_LEVELS.values():
        frame[level] = frame[level].fillna(0).astype(int)
    return frame


def _split(frame: pd.DataFrame, key: str, columns: list[str]) -> dict[int, dict]:
    """{key value: {column: list}} for each distinct value of key (one sort, no per-group
    DataFrame): thousands of small cubes in a few milliseconds."""
    if frame.empty:
        return {}
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
    summed = (
        frame.groupby([key, "component", "question", "year", "profile", "language"], sort=False)[
            "count"
        ]
        .sum()
        .reset_index()
        # A canonical order: the same criteria always give the same snapshot.
        .sort_values([key, "component", "question", "year", "profile", "language"])
    )
    return _split(summed, key, CUBE_COLUMNS)


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


def stage_one(
    *, version: GridVersion, tenant_ids: Iterable[int] | None = None
) -> tuple[list[Computed], pd.DataFrame, pd.DataFrame]:
    """Snapshots of the homogeneous groups and coordination groups of tenant_ids (all when
    None), every one of them even without criteria; and the coordination-group-level frame
    and groups table that stage two rolls up."""
    fine = fine_frame(version=version, tenant_ids=tenant_ids)
    groups = homogeneous_groups_frame(tenant_ids=tenant_ids)
    fine = fine.merge(groups[["group", "cg", "profile"]], on="group", how="inner")
    table = _groups_table(fine, groups)
    computed: list[Computed] = []
    hg_cubes = _cube_at(fine, "group")
    hg_tables = _split(table, "group", GROUP_COLUMNS)
    for group in groups["group"].tolist():
        computed.append(
            Computed(
                Scope.HOMOGENEOUS_GROUP,
                group,
                hg_cubes.get(group, empty_cube()),
                hg_tables.get(group, empty_groups()),
            )
        )
    cg_level = (
        fine.groupby(["cg", "component", "question", "year", "profile", "language"])["count"]
        .sum()
        .reset_index()
    )
    cg_cubes = _split(cg_level, "cg", CUBE_COLUMNS)
    cg_tables = _split(table, "cg", GROUP_COLUMNS)
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
            )
        )
    return computed, cg_level, table


# --- Stage 2: coordination groups → places ------------------------------------------------------


def stage_two(
    *,
    cg_level: pd.DataFrame,
    table: pd.DataFrame,
    places: pd.DataFrame,
    wanted: dict[str, set[int]] | None = None,
) -> list[Computed]:
    """Snapshots of places from coordination-group cubes (cg_level) and groups (table) of the
    coordination groups in places: each place adds up its visible coordination groups.

    wanted: {scope: ids} to compute only those (each gets a snapshot, empty when nothing is
    under it); None for every place that has a visible coordination group, and the network.
    """
    visible = places[~places["hidden"].astype(bool)]
    frame = cg_level.merge(visible, on="cg", how="inner")
    groups = table.merge(visible, on="cg", how="inner").sort_values("group")
    computed: list[Computed] = []
    for scope, level in PLACE_LEVELS.items():
        if wanted is not None and not wanted.get(scope):
            continue
        cubes = _cube_at(frame[frame[level] != 0], level)
        tables = _split(groups[groups[level] != 0], level, GROUP_COLUMNS)
        ids = wanted[scope] if wanted is not None else set(visible[level]) - {0}
        for place in sorted(ids):
            computed.append(
                Computed(
                    scope,
                    place,
                    cubes.get(place, empty_cube()),
                    tables.get(place, empty_groups()),
                )
            )
    if wanted is None or wanted.get(Scope.NETWORK):
        frame = frame.assign(network=0)
        groups = groups.assign(network=0)
        computed.append(
            Computed(
                Scope.NETWORK,
                0,
                _cube_at(frame, "network").get(0, empty_cube()),
                _split(groups, "network", GROUP_COLUMNS).get(0, empty_groups()),
            )
        )
    return computed


# --- Roll-up of one place from the snapshots one level below ----------------------------------


def roll_up(scope: str, scope_id: int, parts: list[tuple[dict, dict]]) -> Computed:
    """The snapshot of one place from (cube, groups) of what lies directly under it: its
    localities' snapshots for a region, say, and those of its coordination groups that have
    no locality. The same cube, in the same order, as stage two gives."""
    cubes = [cube_frame(cube) for cube, _groups in parts if cube.get("count")]
    tables = [groups_frame(groups) for _cube, groups in parts if groups.get("group")]
    if cubes:
        frame = pd.concat(cubes, ignore_index=True).assign(place=scope_id)
        cube = _cube_at(frame, "place")[scope_id]
    else:
        cube = empty_cube()
    if tables:
        table = pd.concat(tables, ignore_index=True).sort_values("group", kind="stable")
        groups = {column: table[column].tolist() for column in GROUP_COLUMNS}
    else:
        groups = empty_groups()
    return Computed(scope, scope_id, cube, groups)
