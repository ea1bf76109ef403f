"""Reads of evaluation sessions: the list a reader may see, one session, its results per
indicator, and the change between two sessions.

Drafts are seen by the group's members only (can_see_progress_drafts); published sessions by
anyone who may see the group. Callers are in the tenant's scope (views under tenant_required).
"""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from projects.evaluations.figures import (
    Change,
    Distribution,
    DistributionShown,
    change_between,
    distribution,
    distribution_shown,
    level_names,
    session_distributions,
)
from projects.models import EvaluationSession, Indicator, IndicatorLevel, Placement
from projects.permissions import can_see_progress_drafts
from territories.models import CoordinationGroup, HomogeneousGroup

PUBLISHED = EvaluationSession.Status.PUBLISHED


def session_list(
    *, tenant: CoordinationGroup, user: object, drafts: bool | None = None
) -> QuerySet[EvaluationSession]:
    """The tenant's sessions the user may see, latest first, with their group and number of
    indicators (drafts: whether the user sees drafts, when the caller already knows)."""
    if drafts is None:
        drafts = can_see_progress_drafts(user, tenant)
    sessions = (
        EvaluationSession.objects.filter(tenant=tenant)
        .select_related("group")
        .annotate(indicators_count=Count("indicators", distinct=True))
        .order_by("-held_on", "-id")
    )
    if not drafts:
        sessions = sessions.filter(status=PUBLISHED)
    return sessions


def session_get_or_404(
    *, tenant: CoordinationGroup, user: object, pk: int, drafts: bool | None = None
) -> EvaluationSession:
    """The tenant's session pk, or 404 when there is none or it is a draft the user may not
    see (as for a session of another group)."""
    session = EvaluationSession.objects.filter(tenant=tenant, pk=pk).select_related("group").first()
    if session is None:
        raise Http404(_("Not found."))
    if session.status != PUBLISHED:
        if drafts is None:
            drafts = can_see_progress_drafts(user, tenant)
        if not drafts:
            raise Http404(_("Not found."))
    return session


def session_indicators(session: EvaluationSession) -> list[Indicator]:
    """The session's indicators in order, each with its levels prefetched (two queries)."""
    levels = Prefetch("levels", queryset=IndicatorLevel.objects.order_by("position"))
    return list(session.indicators.order_by("id").prefetch_related(levels))


@dataclass(frozen=True)
class IndicatorResult:
    """What a session says about one indicator."""

    indicator: Indicator
    distribution: Distribution
    shown: DistributionShown

    @property
    def median(self) -> float | None:
        return self.distribution.median

    @property
    def median_words(self) -> str:
        return self.shown.median_words

    @property
    def shares(self) -> list[float]:
        return self.distribution.shares()


def session_results(session: EvaluationSession) -> list[IndicatorResult]:
    """Per indicator of the session: its distribution, its median in words (the level names in
    the reader's language) and its shares, ready for _distribution.html."""
    distributions = session_distributions(session)
    results = []
    for indicator in session_indicators(session):
        counts = distributions.get(indicator.pk) or Distribution(())
        names = level_names(indicator, size=counts.levels)
        shown = distribution_shown(
            counts, names, title=indicator.title, chart_id=f"results-{indicator.pk}"
        )
        results.append(IndicatorResult(indicator, counts, shown))
    return results


def session_placements_count(session: EvaluationSession) -> int:
    return Placement.objects.filter(session=session).count()


@dataclass(frozen=True)
class Comparison:
    """Two sessions side by side: the change per indicator both evaluated, and the
    indicators only one of them evaluated."""

    before: EvaluationSession
    after: EvaluationSession
    changes: list[Change]
    only_before: list[Indicator]
    only_after: list[Indicator]


def session_compare(before: EvaluationSession, after: EvaluationSession) -> Comparison:
    """The change between before and after (figures.change_between), per indicator both
    sessions evaluated, with each indicator's levels prefetched for the words and charts."""
    first = {indicator.pk: indicator for indicator in session_indicators(before)}
    second = {indicator.pk: indicator for indicator in session_indicators(after)}
    common = [indicator for pk, indicator in first.items() if pk in second]
    changes = change_between(before, after, indicators=common) if common else []
    return Comparison(
        before=before,
        after=after,
        changes=changes,
        only_before=[indicator for pk, indicator in first.items() if pk not in second],
        only_after=[indicator for pk, indicator in second.items() if pk not in first],
    )


def indicator_choices(tenant: CoordinationGroup) -> QuerySet[Indicator]:
    """The tenant's indicators a session may evaluate (drafts too: a group tries its scales
    before publishing them)."""
    return Indicator.objects.filter(tenant=tenant).order_by("id")


def group_choices(tenant: CoordinationGroup) -> QuerySet[HomogeneousGroup]:
    return HomogeneousGroup.objects.filter(tenant=tenant).order_by("name", "pk")


@dataclass(frozen=True)
class LatestEvaluation:
    """An indicator's latest evaluation with placements: the session and its distribution."""

    session: EvaluationSession
    shown: DistributionShown


def indicator_latest_evaluation(
    *, indicator: Indicator, drafts: bool = False
) -> LatestEvaluation | None:
    """The latest published session (any session when drafts) that placed the territory on
    indicator, with its distribution: two queries. The caller is in the tenant's scope."""
    sessions = EvaluationSession.objects.filter(
        tenant_id=indicator.tenant_id,
        pk__in=Placement.objects.filter(indicator=indicator).values("session_id"),
    )
    if not drafts:
        sessions = sessions.filter(status=EvaluationSession.Status.PUBLISHED)
    session = sessions.order_by("-held_on", "-pk").first()
    if session is None:
        return None
    counts = dict(
        Placement.objects.filter(session=session, indicator=indicator)
        .values("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    names = level_names(indicator)
    shown = distribution_shown(
        distribution(counts, len(names)),
        names,
        title=indicator.title,
        chart_id=f"latest-{indicator.pk}",
    )
    return LatestEvaluation(session, shown)
