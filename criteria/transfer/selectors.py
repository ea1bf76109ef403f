"""Reading import batches and the rows of criteria exports.

Exports carry no personal data: never who entered or classified a criterion, only the places,
the groups (their names and profiles), the question, the text and the classification. Exports
across coordination groups (a country, the network, open data) leave hidden groups out.
"""

import datetime
import hashlib

from django.db.models import Count, F, Max, Q, QuerySet, TextField, Value, Window
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, ExtractYear, RowNumber
from django.utils import translation

from criteria.models import Component, Criterion, GridVersion, ImportBatch, Question
from criteria.transfer.imports import SAMPLE_READ_ROWS, FileProblem, check_file, sample_rows
from criteria.transfer.storage import import_file_path
from territories.models import CoordinationGroup, Country, HomogeneousGroup
from wikispiral.tenancy import cross_tenant, tenant_scope

# The columns of every export, in order (CSV header, JSON keys, XLSX header).
EXPORT_COLUMNS = (
    "id",
    "coordination_group_id",
    "coordination_group",
    "country_code",
    "country",
    "region",
    "locality",
    "homogeneous_group_id",
    "homogeneous_group",
    "homogeneous_group_profile",
    "question",
    "text",
    "language",
    "session_date",
    "year",
    "status",
    "component",
    "component_label",
    "family",
    "full_code",
)
_PROFILE_INDEX = EXPORT_COLUMNS.index("homogeneous_group_profile")


def import_batch_list(*, tenant: CoordinationGroup, limit: int = 10) -> QuerySet[ImportBatch]:
    """The tenant's latest imports, newest first."""
    with tenant_scope(tenant):
        return ImportBatch.objects.filter(tenant=tenant).order_by("-created_at")[:limit]


def import_batch_latest(
    *, tenants: list[CoordinationGroup], per_tenant: int = 3
) -> list[ImportBatch]:
    """The latest imports of each of tenants (at most per_tenant each), by tenant then newest
    first: one query for every tenant (a window numbers each tenant's imports)."""
    if not tenants:
        return []
    with cross_tenant():
        ranked = (
            ImportBatch.objects.filter(tenant__in=tenants)
            .only(
                "pk",
                "tenant_id",
                "filename",
                "status",
                "rows",
                "rows_done",
                "error_count",
                "created_at",
                "finished_at",
            )
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("tenant_id")],
                    order_by=[F("created_at").desc(), F("pk").desc()],
                )
            )
            .filter(rank__lte=per_tenant)
            .order_by("tenant_id", "rank")
        )
        return list(ranked)


def import_batch_sample(*, tenant: CoordinationGroup, batch: ImportBatch) -> list[dict]:
    """The first valid rows of a checked file, as an import would enter them (reads only the
    first few hundred rows of the stored file); empty when the file is gone or unreadable."""
    if not batch.stored_name:
        return []
    try:
        data = import_file_path(batch).read_bytes()
        with tenant_scope(tenant):
            _table, lookups, checked = check_file(
                tenant=tenant, filename=batch.filename, data=data, nrows=SAMPLE_READ_ROWS
            )
    except (FileNotFoundError, FileProblem):
        return []
    return sample_rows(checked, lookups)


def _text(*expressions: object) -> Coalesce:
    """The first non-null of expressions, as text ("" when all are null)."""
    return Coalesce(*expressions, Value(""), output_field=TextField())


def criteria_export_rows(
    *,
    tenant: CoordinationGroup | None = None,
    group: HomogeneousGroup | None = None,
    country: Country | None = None,
    year: int | None = None,
    language: str | None = None,
) -> QuerySet:
    """The criteria of a homogeneous group, a coordination group, a country's visible groups
    or the whole network's visible groups, as tuples in EXPORT_COLUMNS order (use export_rows
    to finish them). One query however many rows; iterate it with .iterator()."""
    language = (language or translation.get_language() or "en").split("-")[0]
    if tenant is not None:
        with tenant_scope(tenant):
            criteria = Criterion.objects.filter(tenant=tenant)
    else:
        with cross_tenant():
            criteria = Criterion.objects.filter(tenant__is_hidden=False)
    if group is not None:
        criteria = criteria.filter(group=group)
    if country is not None:
        criteria = criteria.filter(tenant__country=country)
    if year is not None:
        criteria = criteria.filter(session_date__year=year)
    return (
        criteria.annotate(
            x_country=_text(
                KeyTextTransform(language, "tenant__country__names"), "tenant__country__name"
            ),
            x_region=_text(
                KeyTextTransform(language, "tenant__region__names"), "tenant__region__name"
            ),
            x_locality=_text(
                KeyTextTransform(language, "tenant__locality__names"), "tenant__locality__name"
            ),
            x_profile=_text(
                KeyTextTransform(language, "group__profile__names"), "group__profile__name"
            ),
            x_year=ExtractYear("session_date"),
            x_component=_text("component__code"),
            x_component_label=_text(
                KeyTextTransform(language, "component__names"),
                KeyTextTransform("en", "component__names"),
            ),
            x_family=_text("component__family__letter"),
        )
        .order_by("pk")
        .values_list(
            "pk",
            "tenant__network_id",
            "tenant__name",
            "tenant__country__code",
            "x_country",
            "x_region",
            "x_locality",
            "group_id",
            "group__name",
            "x_profile",
            "question__code",
            "text",
            "language",
            "session_date",
            "x_year",
            "status",
            "x_component",
            "x_component_label",
            "x_family",
            "full_code",
            "group__profile_other",
        )
    )


def export_rows(queryset: QuerySet, *, chunk_size: int = 2000):
    """The rows of criteria_export_rows, streamed from the database, with the profile and its
    free-text complement joined as the group's page shows them."""
    for row in queryset.iterator(chunk_size=chunk_size):
        *values, profile_other = row
        profile = values[_PROFILE_INDEX]
        if profile_other:
            values[_PROFILE_INDEX] = f"{profile} ({profile_other})" if profile else profile_other
        yield values


def export_years(*, tenant: CoordinationGroup) -> list[int]:
    """The years in which the tenant's criteria were expressed, newest first."""
    with tenant_scope(tenant):
        dates = Criterion.objects.filter(tenant=tenant).dates("session_date", "year", "DESC")
        return [day.year for day in dates]


def export_groups(*, tenant: CoordinationGroup) -> list[HomogeneousGroup]:
    """The tenant's homogeneous groups with their number of criteria (one query)."""
    with tenant_scope(tenant):
        return list(
            HomogeneousGroup.objects.filter(tenant=tenant)
            .annotate(criteria_count=Count("criteria"))
            .order_by("name")
        )


def open_data_version() -> str:
    """Changes whenever anything the open-data archive holds changes: criteria, visible groups,
    homogeneous groups, the grid, the questions. A few aggregates over indexes."""

    def stamp(stats: dict) -> str:
        return "-".join(
            str(value.timestamp() if isinstance(value, datetime.datetime) else value)
            for value in stats.values()
        )

    with cross_tenant():
        parts = [
            Criterion.objects.order_by().aggregate(count=Count("*"), changed=Max("modified_at")),
            CoordinationGroup.objects.filter(is_hidden=False)
            .order_by()
            .aggregate(count=Count("*"), changed=Max("modified_at")),
            HomogeneousGroup.objects.order_by().aggregate(
                count=Count("*"), changed=Max("modified_at")
            ),
            GridVersion.objects.order_by().aggregate(
                count=Count("*"), current=Max("pk", filter=Q(is_current=True))
            ),
            Component.objects.order_by().aggregate(count=Count("*"), last=Max("pk")),
            Question.objects.order_by().aggregate(
                count=Count("*"), last=Max("pk"), active=Count("pk", filter=Q(is_active=True))
            ),
        ]
    return hashlib.sha256("|".join(map(stamp, parts)).encode()).hexdigest()[:16]
