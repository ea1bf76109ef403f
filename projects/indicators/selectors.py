"""Reading progress indicators: a group's list, one indicator with its scale, the network's
shared ones, and what a new indicator starts from (the synthesis' most mentioned components,
the group's criteria of a component by question)."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from criteria.models import Component, Criterion, GridMapping, Question
from criteria.selectors import criterion_list, question_list
from projects.models import Indicator, IndicatorLevel, IndicatorRevision
from projects.permissions import can_see_progress_drafts
from syntheses.models import Scope
from syntheses.selectors import scope_get, snapshot_get, synthesis_figures
from territories.groups.selectors import membership_list
from territories.models import CoordinationGroup, Membership
from wikispiral.accounts.models import User
from wikispiral.tenancy import cross_tenant, tenant_scope
from wikispiral.text import language_name

# Criteria of one component offered per question when linking them to levels: the newest, so
# that a big platform's form stays light on a weak network.
CRITERIA_SHOWN = 50
# Grid versions a superseded component may have to go through to reach the current one.
_MAPPING_HOPS = 20
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
# Questions that usually describe the low levels of a scale (ill-being) and the high ones.
LOW_QUESTION, HIGH_QUESTION = "Q2", "Q1"


def reader_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def indicator_language_codes(tenant: CoordinationGroup) -> list[str]:
    """The languages an indicator of tenant may be written in: the site's, then the group's."""
    codes = [code for code, _name in settings.LANGUAGES]
    for code in tenant.languages or ():
        code = str(code).strip().lower()
        if _LANGUAGE.match(code) and code not in codes:
            codes.append(code)
    return codes


def indicator_languages(tenant: CoordinationGroup) -> list[tuple[str, str]]:
    """(code, name in the reader's language) of indicator_language_codes."""
    return [(code, language_name(code)) for code in indicator_language_codes(tenant)]


def component_current(component: Component) -> Component | None:
    """Where the grid's mappings take component in the current version (itself when current;
    the first target when a mapping split it, as criteria moved); None when it has no place."""
    seen: set[int] = set()
    for _hop in range(_MAPPING_HOPS):
        if component.version.is_current:
            return component if component.is_active else None
        if component.pk in seen:
            return None
        seen.add(component.pk)
        mapping = (
            GridMapping.objects.filter(from_component=component)
            .select_related("to_component__version")
            .order_by("pk")
            .first()
        )
        if mapping is None:
            return None
        component = mapping.to_component
    return None


# --- One group's indicators -----------------------------------------------------------------------


def _visible(tenant: CoordinationGroup, user: object) -> QuerySet[Indicator]:
    indicators = Indicator.objects.filter(tenant=tenant)
    if not can_see_progress_drafts(user, tenant):
        indicators = indicators.filter(status=Indicator.Status.PUBLISHED)
    return indicators


def indicator_list(tenant: CoordinationGroup, user: object) -> list[Indicator]:
    """tenant's indicators user may see (drafts for its members only) in grid order, each with
    levels_count (two queries)."""
    with tenant_scope(tenant):
        return list(
            _visible(tenant, user)
            .select_related("component__family")
            .annotate(levels_count=Count("levels"))
            .order_by("component__family__order", "component__order", "component__code", "id")
        )


def indicator_get_or_404(tenant: CoordinationGroup, user: object, pk: int) -> Indicator:
    """tenant's indicator pk with its component, or 404 (another group's, or a draft user may
    not see)."""
    with tenant_scope(tenant):
        found = (
            _visible(tenant, user)
            .select_related("component__family", "component__version")
            .filter(pk=pk)
            .first()
        )
    if found is None:
        raise Http404(_("Not found."))
    return found


def indicator_levels(indicator: Indicator) -> list[IndicatorLevel]:
    """The indicator's scale, worst first, each level with its criteria and their questions
    (two queries)."""
    criteria = Criterion.objects.select_related("question").order_by("question__order", "id")
    with tenant_scope(indicator.tenant):
        return list(
            IndicatorLevel.objects.filter(indicator=indicator)
            .prefetch_related(Prefetch("criteria", queryset=criteria))
            .order_by("position")
        )


def indicator_origin(indicator: Indicator) -> Indicator | None:
    """The indicator it was adopted from, with its group, while that one is still public."""
    if indicator.origin_id is None:
        return None
    with cross_tenant():
        return (
            Indicator.objects.select_related("tenant")
            .filter(
                pk=indicator.origin_id,
                status=Indicator.Status.PUBLISHED,
                tenant__is_hidden=False,
            )
            .first()
        )


def indicator_revisions(indicator: Indicator) -> QuerySet[IndicatorRevision]:
    """The indicator's revisions, newest first, with their authors (no content)."""
    with tenant_scope(indicator.tenant):
        return (
            IndicatorRevision.objects.filter(indicator=indicator)
            .select_related("author")
            .defer("content")
            .order_by("-number")
        )


def indicator_revision_get_or_404(indicator: Indicator, number: int) -> IndicatorRevision:
    with tenant_scope(indicator.tenant):
        found = (
            IndicatorRevision.objects.filter(indicator=indicator, number=number)
            .select_related("author")
            .first()
        )
    if found is None:
        raise Http404(_("Not found."))
    return found


def criteria_texts(tenant: CoordinationGroup, ids: list[int]) -> dict[int, Criterion]:
    """tenant's criteria among ids (a revision's links), by id, with their questions."""
    if not ids:
        return {}
    with tenant_scope(tenant):
        rows = criterion_list(tenant=tenant).filter(pk__in=ids).select_related("question")
        return {row.pk: row for row in rows}


# --- The network's shared indicators --------------------------------------------------------------


def shared_indicators() -> QuerySet[Indicator]:
    """Published indicators that their platforms share with the network (hidden groups' left
    out), by component in grid order, with their group and levels_count."""
    with cross_tenant():
        return (
            Indicator.objects.filter(
                status=Indicator.Status.PUBLISHED, shared=True, tenant__is_hidden=False
            )
            .select_related("tenant", "component__family")
            .annotate(levels_count=Count("levels"))
            .order_by("component__code", "tenant__name", "id")
        )


def adopted_origins(tenant: CoordinationGroup, origin_ids: list[int]) -> set[int]:
    """Which of origin_ids tenant has already adopted."""
    if not origin_ids:
        return set()
    with tenant_scope(tenant):
        return set(
            Indicator.objects.filter(tenant=tenant, origin_id__in=origin_ids).values_list(
                "origin_id", flat=True
            )
        )


def shared_indicator_get_or_404(pk: int) -> Indicator:
    """A shared, published indicator of a visible group, with its group, or 404."""
    with cross_tenant():
        found = shared_indicators().filter(pk=pk).first()
    if found is None:
        raise Http404(_("Not found."))
    return found


def shared_indicator_levels(indicator: Indicator) -> list[IndicatorLevel]:
    with cross_tenant():
        return list(IndicatorLevel.objects.filter(indicator=indicator).order_by("position"))


# --- What a new indicator starts from -------------------------------------------------------------


@dataclass
class QuestionCriteria:
    """A question and the group's criteria of one component answering it (the newest
    CRITERIA_SHOWN; total counts them all)."""

    question: Question
    criteria: list[Criterion] = field(default_factory=list)
    total: int = 0


def criteria_for_component(
    tenant: CoordinationGroup, component: Component, *, shown: int = CRITERIA_SHOWN
) -> list[QuestionCriteria]:
    """tenant's classified criteria of component grouped by question: ill-being (Q2) first,
    which usually describes the low levels, then well-being (Q1) for the high ones, then the
    others in order; questions without any left out (two queries)."""
    with tenant_scope(tenant):
        questions = list(question_list(tenant=tenant, active_only=False))
        rank = {LOW_QUESTION: 0, HIGH_QUESTION: 1}
        questions.sort(key=lambda q: (rank.get(q.code, 2), q.tenant_id is not None, q.order))
        groups = {q.pk: QuestionCriteria(q) for q in questions}
        rows = (
            criterion_list(tenant=tenant, status=Criterion.Status.CLASSIFIED)
            .filter(component=component)
            .only("pk", "text", "language", "question_id", "session_date")
            .order_by("-session_date", "-id")
        )
        for row in rows.iterator(chunk_size=500):
            group = groups.get(row.question_id)
            if group is None:
                continue
            group.total += 1
            if len(group.criteria) < shown:
                group.criteria.append(row)
    return [group for group in groups.values() if group.total]


@dataclass(frozen=True)
class TopComponent:
    """A component of the current grid as the group's synthesis counts it."""

    component: Component
    total: int
    by_question: dict[str, int]


def synthesis_top_components(tenant: CoordinationGroup, *, limit: int = 8) -> list[TopComponent]:
    """The components the group's latest synthesis counts most criteria for, most first, in
    the current grid (a synthesis drawn on an earlier grid is mapped); [] without one."""
    ref = scope_get(f"{Scope.COORDINATION_GROUP}-{tenant.pk}")
    snapshot = snapshot_get(ref)
    if snapshot is None or not snapshot.criteria_count:
        return []
    figures = synthesis_figures(snapshot)
    items = [item for family in figures.families for item in family.components]
    items.sort(key=lambda item: (-item.total, item.component.family.order, item.component.order))
    current = snapshot.grid_version.is_current
    found: dict[int, TopComponent] = {}
    for item in items:
        component = item.component if current else component_current(item.component)
        if component is None or not component.is_active:
            continue
        if component.pk in found:
            continue
        found[component.pk] = TopComponent(component, item.total, dict(item.by_question))
        if len(found) >= limit:
            break
    return list(found.values())


# --- Texts as the reader sees them ------------------------------------------------------------


def text_shown(texts: Mapping, key: str, language: str, fallback: str = "") -> tuple[str, str]:
    """A text of texts ({"fr": {key: ...}}) in language, else fallback, else any, with the
    language it is in (for a lang attribute)."""
    for code in (language, fallback):
        if code and (texts.get(code) or {}).get(key):
            return str(texts[code][key]), code
    for code, value in texts.items():
        if (value or {}).get(key):
            return str(value[key]), code
    return "", ""


def text_view(texts: Mapping, key: str, language: str, fallback: str) -> dict[str, str]:
    """A text as templates show it: {"text", "lang"}."""
    text, lang = text_shown(texts, key, language, fallback)
    return {"text": text, "lang": lang}


def indicator_view(texts: Mapping, language: str, fallback: str) -> dict[str, Any]:
    """An indicator's (or a revision's) title and description in language, else fallback."""
    return {
        "title": text_view(texts, "title", language, fallback),
        "description": text_view(texts, "description", language, fallback),
    }


def levels_view(
    levels: list[tuple[Mapping, list[Any]]], language: str, fallback: str
) -> list[dict[str, Any]]:
    """Levels worst first as templates show them: name, description, criteria."""
    return [
        {
            "position": position,
            "name": text_view(texts, "name", language, fallback),
            "description": text_view(texts, "description", language, fallback),
            "criteria": criteria,
        }
        for position, (texts, criteria) in enumerate(levels, start=1)
    ]


def facilitated_groups(user: object) -> list[CoordinationGroup]:
    """The visible groups user facilitates, by name (one query)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return []
    return [
        membership.tenant
        for membership in membership_list(user=user)
        if membership.role == Membership.Role.FACILITATOR and not membership.tenant.is_hidden
    ]
