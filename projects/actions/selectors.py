"""Co-responsibility actions and their pledges: reading them.

Every selector takes the tenant (or an action already loaded through it) and runs in the
tenant's scope. Drafts are seen only by those who may see the group's progress drafts (its
members and the secretariat); for anyone else a draft does not exist (404).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from criteria.models import Component, Criterion, Family
from criteria.selectors import component_choices
from projects.evaluations.figures import Change, change_between
from projects.models import Action, EvaluationSession, Indicator, Pledge
from projects.permissions import can_see_progress_drafts
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.tenancy import tenant_scope

# The Q3 criteria a form offers to start from: the latest ones, so that the form weighs the
# same whatever the platform's size (the criteria an action already answers are always shown).
CRITERIA_OFFERED = 300
START_QUESTION = "Q3"


def action_list(
    *, tenant: CoordinationGroup, user: object, status: str | None = None
) -> QuerySet[Action]:
    """The tenant's actions user may see (drafts for its members only), newest first, narrowed
    to one state; each with pledges_made and pledges_kept counted."""
    with tenant_scope(tenant):
        actions = Action.objects.filter(tenant=tenant)
    if not can_see_progress_drafts(user, tenant):
        actions = actions.filter(published=True)
    if status in Action.Status.values:
        actions = actions.filter(status=status)
    return actions.annotate(
        pledges_made=Count("pledges"),
        pledges_kept=Count("pledges", filter=Q(pledges__state=Pledge.State.KEPT)),
    ).order_by("-created_at", "-id")


def action_get_or_404(*, tenant: CoordinationGroup, user: object, pk: int) -> Action:
    """The tenant's action pk, or 404 (also for a draft user may not see)."""
    with tenant_scope(tenant):
        action = (
            Action.objects.filter(tenant=tenant, pk=pk)
            .select_related("page__space", "before", "after")
            .first()
        )
    if action is None:
        raise Http404(_("Not found."))
    action.tenant = tenant  # already loaded, with its space
    if not action.published and not can_see_progress_drafts(user, tenant):
        raise Http404(_("Not found."))
    return action


@dataclass
class PledgeRow:
    """A pledge as the action's page lists it: who (the name shown) and whether the reader may
    mark it kept, or withdraw it (the view says)."""

    pledge: Pledge
    who: str
    can_keep: bool = False
    can_withdraw: bool = False


def _who(pledge: Pledge) -> str:
    if pledge.pledger == Pledge.Pledger.PERSON:
        return pledge.person.public_name if pledge.person else _("Someone who left")
    if pledge.pledger == Pledge.Pledger.HOMOGENEOUS_GROUP:
        return pledge.group.name if pledge.group else _("A group that no longer exists")
    return pledge.name


def pledge_list(*, action: Action) -> list[PledgeRow]:
    """The action's pledges in the order they were made, each with who pledged."""
    with tenant_scope(action.tenant):
        pledges = Pledge.objects.filter(tenant_id=action.tenant_id, action=action)
        return [PledgeRow(p, _who(p)) for p in pledges.select_related("person", "group")]


@dataclass
class AmountLine:
    """What was offered of one kind in one unit: pledged (not withdrawn) and kept."""

    offer: str
    offer_label: str
    unit: str
    pledged: Decimal = Decimal(0)
    kept: Decimal = Decimal(0)


@dataclass
class PledgeSummary:
    made: int = 0
    offered: int = 0
    kept: int = 0
    withdrawn: int = 0
    by_offer: dict[str, int] = field(default_factory=dict)
    amounts: list[AmountLine] = field(default_factory=list)


def pledge_summary(pledges: Iterable[Pledge]) -> PledgeSummary:
    """Counts of the pledges made, still offered, kept and withdrawn, the pledges (not
    withdrawn) per kind of offer, and the amounts per kind of offer and unit."""
    summary = PledgeSummary()
    labels = dict(Pledge.Offer.choices)
    lines: dict[tuple[str, str], AmountLine] = {}
    by_offer: dict[str, int] = defaultdict(int)
    for pledge in pledges:
        summary.made += 1
        if pledge.state == Pledge.State.WITHDRAWN:
            summary.withdrawn += 1
            continue
        if pledge.state == Pledge.State.KEPT:
            summary.kept += 1
        else:
            summary.offered += 1
        by_offer[pledge.offer] += 1
        if pledge.amount is None:
            continue
        key = (pledge.offer, pledge.unit)
        line = lines.setdefault(
            key, AmountLine(pledge.offer, str(labels.get(pledge.offer, pledge.offer)), pledge.unit)
        )
        line.pledged += pledge.amount
        if pledge.state == Pledge.State.KEPT:
            line.kept += pledge.amount
    order = list(Pledge.Offer.values)
    summary.by_offer = {
        str(labels[offer]): by_offer[offer] for offer in order if by_offer.get(offer)
    }
    summary.amounts = sorted(lines.values(), key=lambda line: (order.index(line.offer), line.unit))
    return summary


def action_criteria(*, action: Action, drafts: bool = True) -> list[Criterion]:
    """The criteria the action answers, with their question and group, by question; without
    drafts, only the classified ones (those the group's public pages show)."""
    with tenant_scope(action.tenant):
        rows = action.criteria.select_related("question", "group")
        if not drafts:
            rows = rows.filter(status=Criterion.Status.CLASSIFIED)
        return list(rows.order_by("question__order", "question__code", "id"))


def action_components(*, action: Action) -> list[Component]:
    """The components the action aims at, with their family, in grid order."""
    return list(
        action.components.select_related("family", "version").order_by(
            "family__order", "order", "code"
        )
    )


def action_indicators(*, action: Action) -> list[Indicator]:
    """The indicators the action aims at, with their levels (their names are shown)."""
    with tenant_scope(action.tenant):
        return list(action.indicators.prefetch_related("levels").order_by("id"))


def action_groups(*, action: Action) -> list[HomogeneousGroup]:
    with tenant_scope(action.tenant):
        return list(action.groups.order_by("name", "id"))


def _session_visible(session: EvaluationSession, drafts: bool) -> bool:
    return drafts or session.status == EvaluationSession.Status.PUBLISHED


def action_change(
    *, action: Action, user: object, indicators: list[Indicator] | None = None
) -> list[Change] | None:
    """The change per indicator between the action's evaluations before and after (the
    action's indicators that either evaluated, or without any those both evaluated); None
    unless both are set and user may see them."""
    with tenant_scope(action.tenant):
        before, after = action.before, action.after
        if before is None or after is None:
            return None
        drafts = can_see_progress_drafts(user, action.tenant)
        if not (_session_visible(before, drafts) and _session_visible(after, drafts)):
            return None
        if indicators is None:
            indicators = action_indicators(action=action)
        if not indicators:
            return change_between(before, after)
        # The action's indicators that either evaluation placed the territory on.
        return change_between(before, after, indicators, evaluated_only=True)


# --- What the forms offer -----------------------------------------------------------------------


def start_criteria(*, tenant: CoordinationGroup, include: Iterable[int] = ()) -> list[Criterion]:
    """The platform's latest Q3 criteria ("what I do or could do") to start an action from,
    and the criteria in include whatever their question; with their group, by group."""
    include = list(include)
    with tenant_scope(tenant):
        latest = list(
            Criterion.objects.filter(
                tenant=tenant, question__code=START_QUESTION, question__tenant__isnull=True
            )
            .order_by("-id")
            .values_list("id", flat=True)[:CRITERIA_OFFERED]
        )
        return list(
            Criterion.objects.filter(tenant=tenant, pk__in={*latest, *include})
            .select_related("group", "question")
            .order_by("group__name", "group_id", "id")
        )


def start_criteria_total(*, tenant: CoordinationGroup) -> int:
    with tenant_scope(tenant):
        return Criterion.objects.filter(
            tenant=tenant, question__code=START_QUESTION, question__tenant__isnull=True
        ).count()


def indicator_options(*, tenant: CoordinationGroup) -> list[Indicator]:
    with tenant_scope(tenant):
        return list(Indicator.objects.filter(tenant=tenant).order_by("id"))


def group_options(*, tenant: CoordinationGroup) -> list[HomogeneousGroup]:
    with tenant_scope(tenant):
        return list(HomogeneousGroup.objects.filter(tenant=tenant).order_by("name", "id"))


def session_options(*, tenant: CoordinationGroup) -> list[EvaluationSession]:
    with tenant_scope(tenant):
        return list(EvaluationSession.objects.filter(tenant=tenant).order_by("-held_on", "-id"))


def component_options(
    *, include: Iterable[int] = ()
) -> list[tuple[Family | None, list[Component]]]:
    """The current grid's components grouped by family, and (under None) those of include
    that are not in it (an action's components of an older grid, mapped when it is saved)."""
    grouped: list[tuple[Family | None, list[Component]]] = list(component_choices())
    shown = {component.pk for _family, components in grouped for component in components}
    missing = [pk for pk in include if pk not in shown]
    if missing:
        older = list(
            Component.objects.filter(pk__in=missing)
            .select_related("version")
            .order_by("version__number", "code")
        )
        if older:
            grouped.append((None, older))
    return grouped
