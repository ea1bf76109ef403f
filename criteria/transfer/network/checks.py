"""Reading and checking a network-wide spreadsheet of criteria: the per-group format plus a
column naming each row's coordination group (its slug or its network id, such as GC136526) and
an optional external key.

The rows are split by coordination group and each part is checked by the per-group check
(criteria.transfer.imports.check_table) against that group's lookups, so every row gets the same
errors, in the same words, as in a group's own import. Lookups for every group named in the file
are loaded in a fixed number of queries, whatever the number of groups. A row whose
coordination group is missing or unknown gets that one error (its other cells are checked once
it names a group).
"""

import datetime
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db.models import Q
from django.utils.translation import gettext as _

from criteria.models import Component, Criterion, Question
from criteria.selectors import grid_current
from criteria.transfer.imports import (
    COLUMNS,
    ERRORS_KEPT,
    HEADER_ALIASES,
    REQUIRED_COLUMNS,
    Checked,
    Lookups,
    Table,
    check_table,
    read_table,
    sample_rows,
)
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.tenancy import cross_tenant

EXTERNAL_KEY_MAX_LENGTH = Criterion._meta.get_field("external_key").max_length or 64
NETWORK_COLUMNS = ("coordination_group", *COLUMNS, "external_key")
NETWORK_REQUIRED = ("coordination_group", *REQUIRED_COLUMNS)
# Existing keys are looked up this many at a time (SQLite bounds a statement's parameters).
KEYS_PER_QUERY = 5_000

NETWORK_ALIASES = {
    **HEADER_ALIASES,
    "coordination_group": "coordination_group",
    "cg": "coordination_group",
    "platform": "coordination_group",
    "network_id": "coordination_group",
    "groupe_de_coordination": "coordination_group",
    "plateforme": "coordination_group",
    "grupo_de_coordenacao": "coordination_group",
    "plataforma": "coordination_group",
    "external_key": "external_key",
    "key": "external_key",
    "item_id": "external_key",
    "cle_externe": "external_key",
    "cle": "external_key",
    "chave_externa": "external_key",
    "chave": "external_key",
}


# A network file read: the per-group Table, under NETWORK_COLUMNS.
NetworkTable = Table


@dataclass
class GroupPart:
    """The rows of one coordination group, checked against its own lookups."""

    group: CoordinationGroup
    lookups: Lookups
    checked: Checked
    keys: pd.Series  # external key per valid row ("" when none), aligned with checked.valid
    existing: pd.Series  # True where the key is already in the group, aligned likewise

    @property
    def new(self) -> int:
        return int((~self.existing).sum())

    def summary(self) -> dict:
        return {
            "id": self.group.pk,
            "name": self.group.name,
            "slug": self.group.slug,
            "network_id": self.group.network_id,
            "rows": self.checked.rows,
            "new": self.new,
            "existing": int(self.existing.sum()),
        }


@dataclass
class NetworkChecked:
    rows: int
    error_count: int
    errors: list[dict]
    parts: list[GroupPart]
    all_keyed: bool
    ignored: list[str]
    kind: str

    @property
    def existing(self) -> int:
        return sum(int(part.existing.sum()) for part in self.parts)


def network_table_read(filename: str, data: bytes, *, nrows: int | None = None) -> NetworkTable:
    """The file's rows under NETWORK_COLUMNS; FileProblem when the file as a whole cannot be
    used (criteria.transfer.imports.read_table, with the coordination group required)."""
    return read_table(
        filename,
        data,
        nrows=nrows,
        aliases=NETWORK_ALIASES,
        required=NETWORK_REQUIRED,
        columns_read=NETWORK_COLUMNS,
        missing_message=_(
            "Required columns are missing: %(missing)s. The first row must name the "
            "columns coordination_group, group, question, text and date (and optionally "
            "language, component, full_code and external_key). Columns found: %(found)s."
        ),
    )


def _groups_named(values: pd.Series) -> tuple[dict[str, int], dict[int, CoordinationGroup]]:
    """Which coordination group each written value names (slug, or network id in any case)."""
    written = {value for value in values.unique() if value}
    slugs = {value.lower() for value in written}
    network_ids = {value.upper() for value in written}
    found = CoordinationGroup.objects.filter(
        Q(slug__in=slugs) | Q(network_id__in=network_ids)
    ).only("pk", "name", "slug", "network_id", "languages")
    by_pk = {group.pk: group for group in found}
    by_slug = {group.slug: group.pk for group in by_pk.values()}
    by_network_id = {group.network_id.upper(): group.pk for group in by_pk.values()}
    named: dict[str, int] = {}
    for value in written:
        pk = by_slug.get(value.lower(), by_network_id.get(value.upper()))
        if pk is not None:
            named[value] = pk
    return named, by_pk


def network_lookups_load(*, group_ids: list[int]) -> dict[int, Lookups]:
    """Per coordination group, what its rows may name (three queries for all of them)."""
    ids = set(group_ids)
    groups: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    folded: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    names: dict[int, dict[int, str]] = {pk: {} for pk in ids}
    languages: dict[int, dict[int, str]] = {pk: {} for pk in ids}
    with cross_tenant():
        rows = list(
            HomogeneousGroup.objects.filter(tenant_id__in=ids).values_list(
                "tenant_id", "pk", "slug", "name", "language"
            )
        )
        question_rows = list(
            Question.objects.filter(Q(tenant__isnull=True) | Q(tenant_id__in=ids), is_active=True)
            .order_by("tenant_id", "order", "code")
            .values_list("tenant_id", "pk", "code")
        )
    for tenant_id, pk, _slug, name, language in rows:
        names[tenant_id][pk] = name
        languages[tenant_id][pk] = language
        for key, table in ((name.strip(), groups), (name.strip().casefold(), folded)):
            found = table[tenant_id]
            found[key] = -1 if key in found and found[key] != pk else pk
    for tenant_id, pk, slug, _name, _language in rows:
        groups[tenant_id][slug] = pk
    shared = {code.upper(): pk for tenant_id, pk, code in question_rows if tenant_id is None}
    own: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for tenant_id, pk, code in question_rows:
        if tenant_id is not None:
            own[tenant_id][code.upper()] = pk
    components = {
        code: (pk, active)
        for pk, code, active in Component.objects.filter(version=grid_current()).values_list(
            "pk", "code", "is_active"
        )
    }
    lookups = {}
    for pk in ids:
        questions = {**shared, **own[pk]}
        lookups[pk] = Lookups(
            groups=groups[pk],
            groups_folded=folded[pk],
            group_names=names[pk],
            group_languages=languages[pk],
            questions=questions,
            question_codes={question: code for code, question in questions.items()},
            components=components,
        )
    return lookups


def _existing_keys(group_ids: set[int], keys: set[str]) -> set[tuple[int, str]]:
    """(group id, key) pairs already given to a criterion."""
    found: set[tuple[int, str]] = set()
    ordered = sorted(keys)
    with cross_tenant():
        for start in range(0, len(ordered), KEYS_PER_QUERY):
            chunk = ordered[start : start + KEYS_PER_QUERY]
            rows = Criterion.objects.filter(
                tenant_id__in=group_ids, external_key__in=chunk
            ).values_list("tenant_id", "external_key")
            found.update((tenant_id, key) for tenant_id, key in rows.iterator() if key)
    return found


def network_check(table: NetworkTable, *, today: datetime.date | None = None) -> NetworkChecked:
    """Check every row; valid rows come back per coordination group, with their external key
    and whether it is already there."""
    frame = table.frame
    header = table.header
    cg_written = frame["coordination_group"].str.strip()
    named, by_pk = _groups_named(cg_written)
    cg_id = cg_written.map(named)
    errors: list[dict] = []
    error_count = 0

    def add(mask: pd.Series, column: str, message: object) -> None:
        nonlocal error_count
        positions = np.flatnonzero(mask.to_numpy(dtype=bool))
        error_count += len(positions)
        # Only the first ones can be among the first ERRORS_KEPT of the file.
        for position in positions[:ERRORS_KEPT]:
            errors.append(
                {
                    "row": int(frame.index[position]) + 2,
                    "column": header(column),
                    "message": str(message(position) if callable(message) else message),
                }
            )

    add(cg_written == "", "coordination_group", _("The coordination group is missing."))
    add(
        (cg_written != "") & cg_id.isna(),
        "coordination_group",
        lambda i: (
            _(
                "There is no coordination group “%(value)s”: write its short name (slug) or its "
                "network id, such as GC136526."
            )
            % {"value": cg_written.iat[i]}
        ),
    )

    key = frame["external_key"].str.strip()
    add(
        key.str.len() > EXTERNAL_KEY_MAX_LENGTH,
        "external_key",
        lambda i: (
            _("An external key has at most %(max)d characters (this one has %(count)d).")
            % {"max": EXTERNAL_KEY_MAX_LENGTH, "count": len(key.iat[i])}
        ),
    )
    pairs = pd.DataFrame({"cg": cg_id, "key": key})
    repeated = (key != "") & cg_id.notna() & pairs.duplicated(keep="first")
    add(
        repeated,
        "external_key",
        lambda i: (
            _(
                "The external key “%(value)s” is already given to an earlier row of the same "
                "coordination group."
            )
            % {"value": key.iat[i]}
        ),
    )

    ids = sorted({int(pk) for pk in cg_id.dropna().unique()})
    lookups = network_lookups_load(group_ids=ids)
    keyed = {value for value in key.unique() if value}
    existing_pairs = _existing_keys(set(ids), keyed) if keyed else set()
    parts: list[GroupPart] = []
    for found_pk, rows in frame.groupby(cg_id, sort=True):
        pk = int(found_pk)
        part_table = Table(
            frame=rows[list(COLUMNS)],
            kind=table.kind,
            headers=table.headers,
            ignored=table.ignored,
            separator=table.separator,
        )
        checked = check_table(part_table, lookups[pk], today=today)
        error_count += checked.error_count
        errors.extend(checked.errors)
        valid_keys = key.reindex(checked.valid.index).fillna("")
        existing = valid_keys.map(
            lambda value, pk=pk: bool(value) and (pk, value) in existing_pairs
        )
        parts.append(
            GroupPart(
                group=by_pk[pk],
                lookups=lookups[pk],
                checked=checked,
                keys=valid_keys.astype(str),
                existing=existing.astype(bool),
            )
        )
    errors.sort(key=lambda error: error["row"])
    return NetworkChecked(
        rows=len(frame),
        error_count=error_count,
        errors=errors[:ERRORS_KEPT],
        parts=parts,
        all_keyed=bool((key != "").all()),
        ignored=table.ignored,
        kind=table.kind,
    )


def network_check_file(*, filename: str, data: bytes, nrows: int | None = None) -> NetworkChecked:
    """Read and check a network file (its first nrows rows only, when given); FileProblem when
    the file as a whole cannot be used."""
    return network_check(network_table_read(filename, data, nrows=nrows))


def network_sample(checked: NetworkChecked, *, limit: int = 10) -> list[dict]:
    """The first valid rows as the preview shows them, with their coordination group."""
    shown: list[dict] = []
    for part in checked.parts:
        rows = sample_rows(part.checked, part.lookups, limit=limit)
        keys = dict(zip(part.checked.valid["row"].tolist(), part.keys.tolist(), strict=True))
        existing = dict(
            zip(part.checked.valid["row"].tolist(), part.existing.tolist(), strict=True)
        )
        for row in rows:
            row["coordination_group"] = part.group.name
            row["external_key"] = keys.get(row["row"], "")
            row["existing"] = existing.get(row["row"], False)
        shown.extend(rows)
    return sorted(shown, key=lambda row: row["row"])[:limit]
