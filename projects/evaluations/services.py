"""Writes of evaluation sessions: a session, its placements (a tally typed after the meeting,
or one participant at a time), publishing it.

Placements are anonymous: a participant is only a number within the session and indicator.
Every service validates before it writes, runs in one transaction with its audit row, and
tells the roll-up (rollup.evaluations_mark) whenever what a published session says changes,
so the places' sums follow. Bad input raises DomainError with a translated message, and
nothing is saved.
"""

import datetime
from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.evaluations import rollup
from projects.evaluations.figures import scale_sizes
from projects.indicators.validation import indicators_published_check
from projects.models import EvaluationSession, Indicator, IndicatorLevel, Placement
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.tenancy import tenant_scope

PUBLISHED = EvaluationSession.Status.PUBLISHED
DRAFT = EvaluationSession.Status.DRAFT

TITLE_MAX = 200
NOTES_MAX = 10_000
# A homogeneous group has 8–12 people, a platform's open meeting a few hundred; more is a typo
# (and would write as many rows per indicator).
PARTICIPANTS_MAX = 5_000
# As for criteria: older dates are typing mistakes (0001-01-01, 1025 for 2025).
EARLIEST_YEAR = 1990


def _in_scope[**P, R](service: Callable[P, R]) -> Callable[P, R]:
    """Run service in its tenant's scope (a view is already in it; a task or a test may not)."""

    @wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        tenant = kwargs["tenant"]
        assert isinstance(tenant, CoordinationGroup)
        with tenant_scope(tenant):
            return service(*args, **kwargs)

    return wrapper


def _mark(tenant: CoordinationGroup, group_ids: Iterable[int | None]) -> None:
    """Tell the roll-up that what these groups' published sessions say changed."""
    rollup.evaluations_mark(tenant=tenant, group_ids=list(dict.fromkeys(group_ids)))


def _locked(tenant: CoordinationGroup, session: EvaluationSession) -> EvaluationSession:
    """The session's row, locked until the transaction ends (two facilitators typing the same
    tally at once save one after the other)."""
    if session.tenant_id != tenant.pk:
        raise DomainError(_("Not found."))
    found = (
        EvaluationSession.objects.select_for_update().filter(tenant=tenant, pk=session.pk).first()
    )
    if found is None:
        raise DomainError(_("This evaluation session no longer exists."))
    return found


# --- The session --------------------------------------------------------------------------------


def _title_clean(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("Give the session a title."), field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(
            _("The title is too long: %(max)d characters at most.") % {"max": TITLE_MAX},
            field="title",
        )
    return title


def _held_on_check(held_on: datetime.date | None) -> None:
    if held_on is None:
        raise DomainError(_("Enter the date of the session."), field="held_on")
    # The placements are typed after the meeting; a day of margin covers time zones.
    if held_on > timezone.localdate() + datetime.timedelta(days=1):
        raise DomainError(
            _("The session date cannot be in the future: enter the session after the meeting."),
            field="held_on",
        )
    if held_on.year < EARLIEST_YEAR:
        raise DomainError(
            _("The session date cannot be before %(year)d: check the year.")
            % {"year": EARLIEST_YEAR},
            field="held_on",
        )


def _participants_check(participants: int | None) -> int:
    if participants is None or isinstance(participants, bool) or participants < 1:
        raise DomainError(
            _("A session needs at least one participant: enter how many people took part."),
            field="participants",
        )
    if participants > PARTICIPANTS_MAX:
        raise DomainError(
            _("%(count)d participants is more than a session can hold (%(max)d at most).")
            % {"count": participants, "max": PARTICIPANTS_MAX},
            field="participants",
        )
    return int(participants)


def _group_check(tenant: CoordinationGroup, group: HomogeneousGroup | None) -> None:
    if group is not None and group.tenant_id != tenant.pk:
        raise DomainError(
            _("This homogeneous group is not one of this coordination group's."), field="group"
        )


def _indicators_check(
    tenant: CoordinationGroup, indicators: Iterable[Indicator]
) -> list[Indicator]:
    chosen = list({indicator.pk: indicator for indicator in indicators}.values())
    if not chosen:
        raise DomainError(_("Choose at least one indicator to evaluate."), field="indicators")
    for indicator in chosen:
        if indicator.tenant_id != tenant.pk:
            raise DomainError(
                _("This indicator is not one of this coordination group's."), field="indicators"
            )
    sizes = scale_sizes(indicator.pk for indicator in chosen)
    for indicator in chosen:
        if sizes.get(indicator.pk, 0) < 2:
            raise DomainError(
                _("“%(indicator)s” has no scale yet: give it its levels before evaluating it.")
                % {"indicator": indicator.title},
                field="indicators",
            )
    return chosen


def _notes_clean(notes: str) -> str:
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX:
        raise DomainError(
            _("The notes are too long: %(max)d characters at most.") % {"max": NOTES_MAX},
            field="notes",
        )
    return notes


@_in_scope
@transaction.atomic
def session_create(
    *,
    tenant: CoordinationGroup,
    actor: User,
    title: str,
    held_on: datetime.date,
    group: HomogeneousGroup | None,
    participants: int,
    indicators: Iterable[Indicator],
    notes: str = "",
) -> EvaluationSession:
    """Open a draft session of group (None: the whole platform) on some of the tenant's
    indicators; its placements come next."""
    title = _title_clean(title)
    _held_on_check(held_on)
    participants = _participants_check(participants)
    _group_check(tenant, group)
    chosen = _indicators_check(tenant, indicators)
    notes = _notes_clean(notes)
    session = EvaluationSession.objects.create(
        tenant=tenant,
        title=title,
        held_on=held_on,
        group=group,
        participants=participants,
        notes=notes,
        created_by=actor if actor.is_authenticated else None,
    )
    session.indicators.set(chosen)
    audit_record(
        actor=actor,
        action="projects.evaluation.created",
        target=session,
        tenant_id=tenant.pk,
        held_on=held_on.isoformat(),
        group_id=group.pk if group else None,
        participants=participants,
        indicators=[indicator.pk for indicator in chosen],
    )
    return session


@_in_scope
@transaction.atomic
def session_update(
    *,
    tenant: CoordinationGroup,
    actor: User,
    session: EvaluationSession,
    title: str,
    held_on: datetime.date,
    group: HomogeneousGroup | None,
    participants: int,
    indicators: Iterable[Indicator],
    notes: str = "",
) -> EvaluationSession:
    """Correct a session. It keeps its placements: it cannot have fewer participants than
    placed the territory on one indicator, nor drop an indicator that has placements."""
    session = _locked(tenant, session)
    title = _title_clean(title)
    _held_on_check(held_on)
    participants = _participants_check(participants)
    _group_check(tenant, group)
    chosen = _indicators_check(tenant, indicators)
    if session.status == PUBLISHED:
        indicators_published_check(chosen, field="indicators")
    notes = _notes_clean(notes)
    placed = {
        row["indicator_id"]: row
        for row in Placement.objects.filter(session=session)
        .values("indicator_id")
        .annotate(n=Count("id"), top=Max("participant"))
    }
    kept = {indicator.pk for indicator in chosen}
    titles = {indicator.pk: indicator.title for indicator in session.indicators.all()}
    for indicator_id, row in placed.items():
        if indicator_id not in kept:
            raise DomainError(
                _(
                    "“%(indicator)s” already has placements in this session: set its tally to "
                    "zero before removing it."
                )
                % {"indicator": titles.get(indicator_id, indicator_id)},
                field="indicators",
            )
        if max(row["n"], row["top"]) > participants:
            raise DomainError(
                _(
                    "%(count)d participants placed the territory on “%(indicator)s”: the "
                    "session cannot have fewer. Correct that tally first."
                )
                % {"count": row["n"], "indicator": titles.get(indicator_id, indicator_id)},
                field="participants",
            )
    before = {
        "title": session.title,
        "held_on": session.held_on,
        "group_id": session.group_id,
        "participants": session.participants,
        "notes": session.notes,
        "indicators": sorted(titles),
    }
    old_group_id = session.group_id
    session.title, session.held_on, session.group = title, held_on, group
    session.participants, session.notes = participants, notes
    session.save(update_fields=["title", "held_on", "group", "participants", "notes", "updated_at"])
    if held_on != before["held_on"]:
        Placement.objects.filter(session=session).update(placed_on=held_on)
    if sorted(kept) != before["indicators"]:
        session.indicators.set(chosen)
    after = {
        "title": title,
        "held_on": held_on,
        "group_id": session.group_id,
        "participants": participants,
        "notes": notes,
        "indicators": sorted(kept),
    }
    changed = sorted(key for key in after if after[key] != before[key])
    audit_record(
        actor=actor,
        action="projects.evaluation.updated",
        target=session,
        tenant_id=tenant.pk,
        changed=changed,
        held_on=held_on.isoformat(),
        group_id=session.group_id,
        participants=participants,
    )
    # The roll-up counts placements and participants per group, indicator and year.
    if session.status == PUBLISHED and {"held_on", "group_id", "indicators", "participants"} & set(
        changed
    ):
        _mark(tenant, [old_group_id, session.group_id])
    return session


@_in_scope
@transaction.atomic
def session_delete(*, tenant: CoordinationGroup, actor: User, session: EvaluationSession) -> None:
    """Remove a session and its placements (typed by mistake); the audit keeps its tally."""
    session = _locked(tenant, session)
    tally = {
        f"{indicator_id}:{level}": n
        for indicator_id, level, n in Placement.objects.filter(session=session)
        .values("indicator_id", "level")
        .annotate(n=Count("id"))
        .values_list("indicator_id", "level", "n")
    }
    audit_record(
        actor=actor,
        action="projects.evaluation.deleted",
        target=session,
        tenant_id=tenant.pk,
        held_on=session.held_on.isoformat(),
        group_id=session.group_id,
        participants=session.participants,
        status=session.status,
        tally=tally,
    )
    published, group_id = session.status == PUBLISHED, session.group_id
    session.delete()
    if published:
        _mark(tenant, [group_id])


@_in_scope
@transaction.atomic
def session_publish(
    *, tenant: CoordinationGroup, actor: User, session: EvaluationSession
) -> EvaluationSession:
    """Show the session's results to anyone who may see the group; it needs placements."""
    session = _locked(tenant, session)
    if session.status == PUBLISHED:
        return session
    if not Placement.objects.filter(session=session).exists():
        raise DomainError(_("Enter the placements before publishing: this session has none yet."))
    indicators_published_check(session.indicators.all(), field="indicators")
    session.status = PUBLISHED
    session.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="projects.evaluation.published", target=session, tenant_id=tenant.pk
    )
    _mark(tenant, [session.group_id])
    return session


@_in_scope
@transaction.atomic
def session_unpublish(
    *, tenant: CoordinationGroup, actor: User, session: EvaluationSession
) -> EvaluationSession:
    """Take the session back to the members (its results leave the places' sums)."""
    session = _locked(tenant, session)
    if session.status != PUBLISHED:
        return session
    session.status = DRAFT
    session.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="projects.evaluation.unpublished", target=session, tenant_id=tenant.pk
    )
    _mark(tenant, [session.group_id])
    return session


# --- Placements ---------------------------------------------------------------------------------


def _scale(session: EvaluationSession, indicator: Indicator) -> list[int]:
    """The positions of indicator's scale, when the session evaluates it."""
    if (
        indicator.tenant_id != session.tenant_id
        or not session.indicators.filter(pk=indicator.pk).exists()
    ):
        raise DomainError(
            _("“%(indicator)s” is not evaluated in this session.") % {"indicator": indicator.title},
            field="indicator",
        )
    return sorted(
        IndicatorLevel.objects.filter(indicator=indicator).values_list("position", flat=True)
    )


def _outside_scale(indicator: Indicator, level: object, positions: list[int]) -> DomainError:
    return DomainError(
        _(
            "Level %(level)s is outside the scale of “%(indicator)s”: its levels go from "
            "%(first)d to %(last)d. Nothing was saved."
        )
        % {
            "level": level,
            "indicator": indicator.title,
            "first": positions[0] if positions else 1,
            "last": positions[-1] if positions else 0,
        },
        field="level",
    )


def _tally_write(
    session: EvaluationSession, indicator: Indicator, counts: Mapping[int, int]
) -> dict[int, int]:
    """Replace the placements of indicator by counts ({level position: participants}); the
    session is locked. Returns the counts kept (levels with nobody left out)."""
    positions = _scale(session, indicator)
    tally: dict[int, int] = {}
    for level, count in counts.items():
        if isinstance(level, bool) or not isinstance(level, int) or level not in positions:
            raise _outside_scale(indicator, level, positions)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise DomainError(
                _(
                    "“%(indicator)s”: the number of participants at a level cannot be "
                    "negative. Nothing was saved."
                )
                % {"indicator": indicator.title},
                field="counts",
            )
        if count:
            tally[level] = count
    total = sum(tally.values())
    if total > session.participants:
        raise DomainError(
            _(
                "“%(indicator)s”: %(total)d placements, but the session had %(participants)d "
                "participants, and each places the territory once. Nothing was saved."
            )
            % {
                "indicator": indicator.title,
                "total": total,
                "participants": session.participants,
            },
            field="counts",
        )
    Placement.objects.filter(session=session, indicator=indicator).delete()
    numbers = iter(range(1, total + 1))
    Placement.objects.bulk_create(
        Placement(
            tenant_id=session.tenant_id,
            session=session,
            indicator=indicator,
            level=level,
            participant=next(numbers),
            placed_on=session.held_on,
        )
        for level in sorted(tally)
        for _n in range(tally[level])
    )
    return tally


@_in_scope
@transaction.atomic
def placements_set(
    *,
    tenant: CoordinationGroup,
    actor: User,
    session: EvaluationSession,
    indicator: Indicator,
    counts: Mapping[int, int],
) -> int:
    """Record the tally of one indicator (how many participants placed the territory at each
    level, {position: count}), replacing its previous placements; returns how many."""
    session = _locked(tenant, session)
    tally = _tally_write(session, indicator, counts)
    audit_record(
        actor=actor,
        action="projects.evaluation.placements_set",
        target=session,
        tenant_id=tenant.pk,
        indicator_id=indicator.pk,
        counts={str(level): count for level, count in tally.items()},
    )
    if session.status == PUBLISHED:
        _mark(tenant, [session.group_id])
    return sum(tally.values())


@_in_scope
@transaction.atomic
def session_tally_set(
    *,
    tenant: CoordinationGroup,
    actor: User,
    session: EvaluationSession,
    tallies: Mapping[Indicator, Mapping[int, int]],
) -> int:
    """placements_set for several indicators at once, all or none (the tally page); returns
    the number of placements recorded."""
    session = _locked(tenant, session)
    recorded: dict[str, Any] = {}
    for indicator, counts in tallies.items():
        tally = _tally_write(session, indicator, counts)
        recorded[str(indicator.pk)] = {str(level): count for level, count in tally.items()}
    audit_record(
        actor=actor,
        action="projects.evaluation.placements_set",
        target=session,
        tenant_id=tenant.pk,
        tallies=recorded,
    )
    if session.status == PUBLISHED and tallies:
        _mark(tenant, [session.group_id])
    return sum(sum(counts.values()) for counts in recorded.values())


@_in_scope
@transaction.atomic
def placement_add(
    *,
    tenant: CoordinationGroup,
    actor: User,
    session: EvaluationSession,
    indicator: Indicator,
    level: int,
) -> Placement:
    """Record one more participant's placement on indicator (level: a position of its
    scale), as the next participant's number."""
    session = _locked(tenant, session)
    positions = _scale(session, indicator)
    if isinstance(level, bool) or not isinstance(level, int) or level not in positions:
        raise _outside_scale(indicator, level, positions)
    placed = Placement.objects.filter(session=session, indicator=indicator).aggregate(
        n=Count("id"), top=Max("participant")
    )
    if placed["n"] >= session.participants:
        raise DomainError(
            _(
                "All %(participants)d participants of the session have already placed the "
                "territory on “%(indicator)s”. Nothing was saved."
            )
            % {"participants": session.participants, "indicator": indicator.title},
            field="level",
        )
    placement = Placement.objects.create(
        tenant=tenant,
        session=session,
        indicator=indicator,
        level=level,
        participant=(placed["top"] or 0) + 1,
        placed_on=session.held_on,
    )
    audit_record(
        actor=actor,
        action="projects.evaluation.placement_added",
        target=session,
        tenant_id=tenant.pk,
        indicator_id=indicator.pk,
        level=level,
    )
    if session.status == PUBLISHED:
        _mark(tenant, [session.group_id])
    return placement
