"""Reading grid versions (for the public grid page and the secretariat) and a group's
questions."""

import io
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, F, Prefetch, Q
from django.shortcuts import get_object_or_404

from criteria.grid.imports import TEMPLATE_COLUMNS
from criteria.models import Component, Criterion, Family, GridVersion, Question
from territories.models import CoordinationGroup
from wikispiral import csvsafe
from wikispiral.tenancy import cross_tenant

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def grid_version_get_or_404(*, number: int | None = None) -> GridVersion:
    """Version number, or the current one when number is None."""
    if number is None:
        return get_object_or_404(GridVersion, is_current=True)
    return get_object_or_404(GridVersion, number=number)


class FamilyComponents(TypedDict):
    component_list: list[Component]


def grid_families(*, version: GridVersion) -> "list[WithAnnotations[Family, FamilyComponents]]":
    """The families of version in order, each with `.component_list` in order (two queries)."""
    components = Component.objects.filter(version=version).order_by("order", "code")
    families = (
        Family.objects.filter(version=version)
        .order_by("order", "letter")
        .prefetch_related(Prefetch("components", queryset=components, to_attr="component_list"))
    )
    return list(families)


class VersionCounts(TypedDict):
    component_count: int
    active_count: int
    family_count: int


def grid_version_list() -> "list[WithAnnotations[GridVersion, VersionCounts]]":
    """Every version, newest first, with component, active component, family and criteria
    counts (criteria of every group: for the secretariat)."""
    versions = list(
        GridVersion.objects.select_related("created_by")
        .annotate(
            component_count=Count("components", distinct=True),
            active_count=Count("components", filter=Q(components__is_active=True), distinct=True),
            family_count=Count("families", distinct=True),
        )
        .order_by("-number")
    )
    with cross_tenant():
        per_version = dict(
            Criterion.objects.filter(component__isnull=False)
            .values_list("component__version_id")
            .annotate(count=Count("id"))
            .order_by()
        )
    for version in versions:
        # Counted across groups apart (above), set beside the annotations.
        version.criteria_count = per_version.get(version.pk, 0)  # type: ignore[attr-defined]
    return versions


def grid_template_csv(*, version: GridVersion) -> str:
    """The version in the import format (UTF-8 with a byte order mark, so spreadsheets read
    the accents): the easiest start for a new version. Formula-safe (wikispiral.csvsafe)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csvsafe.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    components = (
        Component.objects.filter(version=version)
        .select_related("family")
        .order_by(F("family__order"), "order", "code")
    )
    for component in components:
        family = component.family
        writer.writerow(
            [
                family.letter,
                family.names.get("en", ""),
                family.names.get("fr", ""),
                family.names.get("pt", ""),
                component.code,
                component.names.get("en", ""),
                component.names.get("fr", ""),
                component.names.get("pt", ""),
                component.descriptions.get("en", ""),
                component.descriptions.get("fr", ""),
                component.descriptions.get("pt", ""),
                component.status,
                "1" if component.is_active else "0",
                "",
            ]
        )
    return out.getvalue()


def question_list_for_group(*, tenant: CoordinationGroup) -> tuple[list[Question], list[Question]]:
    """The network's questions and tenant's own (active or not), each with `criteria_count`,
    the number of tenant's criteria answering it (one query)."""
    questions = (
        Question.objects.with_scope(tenant=tenant)
        .annotate(criteria_count=Count("criteria", filter=Q(criteria__tenant=tenant)))
        .order_by(F("tenant_id").asc(nulls_first=True), "order", "code")
    )
    network: list[Question] = []
    own: list[Question] = []
    for question in questions:
        (network if question.tenant_id is None else own).append(question)
    return network, own
