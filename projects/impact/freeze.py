"""What an impact report shows, copied once into report.frozen (plain JSON, texts already in the
report's language): the report's HTML is written from this copy only, so it can be drawn again
identically and no later change to an action, a pledge or an evaluation alters it.

An action's report holds that action; the platform's holds every published action and every
published indicator with its latest published evaluation. Only published indicators and
evaluation sessions are copied (a session still being entered has no figures to stand by); an
action's own texts, pledges and narrative are copied whatever its state (a draft action's report
is read by the group's members only).
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone, translation

from criteria.models import Criterion
from projects.evaluations.figures import Distribution, change_between, session_distributions
from projects.models import (
    Action,
    EvaluationSession,
    ImpactReport,
    Indicator,
    IndicatorLevel,
    Pledge,
)
from territories.models import CoordinationGroup
from wikispiral.wiki.markup import sanitize_html
from wikispiral.wiki.models import Page
from wikispiral.wiki.selectors import page_translation_find, revision_find, revision_render

# Bumped when the shape of frozen changes: document.py reads every version it knows.
FROZEN_VERSION = 1
PUBLISHED_SESSION = EvaluationSession.Status.PUBLISHED
PUBLISHED_INDICATOR = Indicator.Status.PUBLISHED


def impact_freeze(*, report: ImpactReport) -> dict[str, Any]:
    """The frozen content of report (not saved), read in its tenant's scope (the caller is in
    it) and written in the report's language."""
    tenant: CoordinationGroup = report.tenant
    language = report.language
    with translation.override(language):
        if report.action_id is not None:
            action = Action.objects.get(tenant=tenant, pk=report.action_id)
            actions = [_action_frozen(action, language)]
            indicators: list[dict[str, Any]] = []
        else:
            published = Action.objects.filter(tenant=tenant, published=True).order_by(
                "created_at", "id"
            )
            actions = [_action_frozen(action, language) for action in published]
            indicators = _platform_indicators(tenant, language)
        return {
            "version": FROZEN_VERSION,
            "kind": "action" if report.action_id is not None else "platform",
            "language": language,
            "frozen_at": timezone.now().isoformat(),
            "platform": {"name": tenant.name, "slug": tenant.slug},
            "actions": actions,
            "indicators": indicators,
        }


# --- One action -----------------------------------------------------------------------------------


def _action_frozen(action: Action, language: str) -> dict[str, Any]:
    indicators = list(
        action.indicators.filter(status=PUBLISHED_INDICATOR)
        .select_related("component")
        .order_by("id")
    )
    levels = _level_names(indicators, language)
    before = _published(action.before_id)
    after = _published(action.after_id)
    return {
        "id": action.pk,
        "title": action.title,
        "status": action.status,
        "state": str(Action.Status(action.status).label),
        "published": action.published,
        "starts_on": _day(action.starts_on),
        "ends_on": _day(action.ends_on),
        "description": action.description,
        "language": action.language,
        "groups": list(action.groups.order_by("name").values_list("name", flat=True)),
        "indicators": [
            {
                "id": indicator.pk,
                "title": indicator.text("title", language),
                "component": indicator.component.code,
                "levels": levels.get(indicator.pk, []),
            }
            for indicator in indicators
        ],
        "components": [
            {"code": component.code, "name": component.label(language)}
            for component in action.components.order_by("code")
        ],
        "criteria": [
            {
                "text": criterion.text,
                "language": criterion.language,
                "question": criterion.question.code,
                "question_text": criterion.question.text(language),
            }
            # Only what the group's public pages show: classified criteria.
            for criterion in action.criteria.filter(status=Criterion.Status.CLASSIFIED)
            .select_related("question")
            .order_by("question__order", "question__code", "id")
        ],
        "pledges": [_pledge_frozen(pledge) for pledge in _pledges(action)],
        "before": _session_frozen(before),
        "after": _session_frozen(after),
        "changes": _changes(before, after, indicators, language),
        "narrative": _narrative_frozen(action.page, language),
    }


def _day(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _published(session_id: int | None) -> EvaluationSession | None:
    if session_id is None:
        return None
    return (
        EvaluationSession.objects.filter(pk=session_id, status=PUBLISHED_SESSION)
        .select_related("group")
        .first()
    )


def _session_frozen(session: EvaluationSession | None) -> dict[str, Any] | None:
    if session is None:
        return None
    return {
        "id": session.pk,
        "title": session.title,
        "held_on": session.held_on.isoformat(),
        "participants": session.participants,
        "group": session.group.name if session.group else "",
    }


def _level_names(indicators: Iterable[Indicator], language: str) -> dict[int, list[str]]:
    """{indicator id: [level names from the worst]} in language (else the indicator's)."""
    by_id = {indicator.pk: indicator for indicator in indicators}
    names: dict[int, list[str]] = {pk: [] for pk in by_id}
    for level in IndicatorLevel.objects.filter(indicator_id__in=list(by_id)).order_by(
        "indicator_id", "position"
    ):
        fallback = by_id[level.indicator_id].language
        names[level.indicator_id].append(level.text("name", language, fallback))
    return names


def _distribution_frozen(found: Distribution | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {"counts": list(found.counts), "median": found.median}


def _changes(
    before: EvaluationSession | None,
    after: EvaluationSession | None,
    indicators: list[Indicator],
    language: str,
) -> list[dict[str, Any]]:
    """Per indicator: its distribution before and after (figures.change_between), or the one
    evaluation there is. The action's indicators, else those the sessions evaluated."""
    rows: list[tuple[Indicator, Distribution | None, Distribution | None]] = []
    if before is not None and after is not None:
        changes = change_between(before, after, indicators or None)
        rows = [
            (change.indicator, change.before, change.after)
            for change in changes
            if change.indicator.status == PUBLISHED_INDICATOR
        ]
    elif before is not None or after is not None:
        session = before or after
        assert session is not None
        found = session_distributions(session)
        wanted = indicators or list(
            Indicator.objects.filter(pk__in=list(found), status=PUBLISHED_INDICATOR).order_by("id")
        )
        for indicator in wanted:
            one = found.get(indicator.pk)
            rows.append((indicator, one, None) if before is not None else (indicator, None, one))
    if not rows:
        return []
    levels = _level_names([indicator for indicator, _b, _a in rows], language)
    frozen = []
    for indicator, first, second in rows:
        frozen.append(
            {
                "indicator": indicator.pk,
                "title": indicator.text("title", language),
                "levels": levels.get(indicator.pk, []),
                "before": _distribution_frozen(first),
                "after": _distribution_frozen(second),
                "moved": _moved(first, second),
            }
        )
    return frozen


def _moved(first: Distribution | None, second: Distribution | None) -> float | None:
    before = first.median if first is not None else None
    after = second.median if second is not None else None
    if before is None or after is None:
        return None
    return after - before


def _pledges(action: Action) -> list[Pledge]:
    return list(action.pledges.select_related("person", "group").order_by("created_at", "id"))


def _pledge_frozen(pledge: Pledge) -> dict[str, Any]:
    return {
        "pledger": _pledger_label(pledge),
        "pledger_kind": str(Pledge.Pledger(pledge.pledger).label),
        "offer": str(Pledge.Offer(pledge.offer).label),
        "description": pledge.description,
        "amount": str(pledge.amount) if pledge.amount is not None else None,
        "unit": pledge.unit,
        "state": str(Pledge.State(pledge.state).label),
        "state_code": pledge.state,
    }


def _pledger_label(pledge: Pledge) -> str:
    """Who pledges, as the report names them: a person by the name they show (never their
    user name), a homogeneous group by its name, an organisation or body by the name given."""
    person = pledge.person
    if pledge.pledger == Pledge.Pledger.PERSON and person is not None and person.display_name:
        return person.display_name
    if pledge.pledger == Pledge.Pledger.HOMOGENEOUS_GROUP and pledge.group is not None:
        return pledge.group.name
    return pledge.name or str(Pledge.Pledger(pledge.pledger).label)


def _narrative_frozen(page: Page | None, language: str) -> dict[str, Any] | None:
    """The action's wiki page (its translation in language when there is one) at its current
    revision, rendered and sanitised as the wiki shows it, with the revision's id."""
    if page is None:
        return None
    if page.language != language:
        page = page_translation_find(page=page, language=language) or page
    if page.is_deleted or page.current_revision_id is None:
        return None
    revision = revision_find(page_id=page.pk, revision_id=page.current_revision_id)
    if revision is None:
        return None
    html = revision_render(page=revision.page, revision=revision).html
    return {
        "page": page.pk,
        "revision": revision.pk,
        "language": page.language,
        "html": sanitize_html(html),
    }


# --- The whole platform ---------------------------------------------------------------------------


def _platform_indicators(tenant: CoordinationGroup, language: str) -> list[dict[str, Any]]:
    """Every published indicator with the distribution of its latest published session."""
    latest_first = (
        EvaluationSession.objects.filter(status=PUBLISHED_SESSION)
        .select_related("group")
        .order_by("-held_on", "-id")
    )
    indicators = list(
        Indicator.objects.filter(tenant=tenant, status=PUBLISHED_INDICATOR)
        .select_related("component")
        .prefetch_related(Prefetch("sessions", queryset=latest_first, to_attr="published"))
        .order_by("id")
    )
    levels = _level_names(indicators, language)
    distributions: dict[int, dict[int, Distribution]] = {}
    frozen = []
    for indicator in indicators:
        session = indicator.published[0] if indicator.published else None
        found = None
        if session is not None:
            if session.pk not in distributions:
                distributions[session.pk] = session_distributions(session)
            found = distributions[session.pk].get(indicator.pk)
        frozen.append(
            {
                "id": indicator.pk,
                "title": indicator.text("title", language),
                "component": indicator.component.code,
                "component_name": indicator.component.label(language),
                "levels": levels.get(indicator.pk, []),
                "session": _session_frozen(session),
                "distribution": _distribution_frozen(found),
            }
        )
    return frozen
