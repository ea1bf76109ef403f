"""Charters: drafting, opening the vote, voting, and deciding the outcome once it is over
(projects/charter_rule.py)."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import charter_rule
from projects.models import (
    Charter,
    CharterVote,
    Participant,
    Workshop,
)
from projects.permissions import (
    can_open_charter,
    can_organise,
)
from projects.selectors import charter_votes_count, participants_invited_count
from projects.services.validation import (
    ProjectError,
    _clean_line,
    _clean_text,
    _writes_for,
)
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.wiki.services import page_create
from wikispiral.wiki.spaces import network_space_get_or_create

VOTE_LONGEST = datetime.timedelta(days=183)


@transaction.atomic
def charter_draft(
    *, actor: User, title: str, workshop: Workshop | None = None, language: str = "en"
) -> Charter:
    """Start a charter: a wiki page of the network, from a workshop's conclusions when given
    (the secretariat and facilitators, as for workshops)."""
    if not can_organise(actor):
        raise ProjectError(_("Only the secretariat and facilitators draft charters."))
    title = _clean_line(title, "title", _("A title"), 200)
    body = _("To be drafted together.")
    if workshop is not None and workshop.conclusions is not None:
        body = workshop.conclusions.current_revision.body
    space = network_space_get_or_create()
    page = page_create(
        space=space,
        language=language,
        title=(_("Charter: %(title)s") % {"title": title})[:255],
        body=body,
        actor=actor,
        comment=_("Charter drafted"),
    )
    charter = Charter.objects.create(title=title, page=page, workshop=workshop, created_by=actor)
    audit_record(actor=actor, action="projects.charter.drafted", target=charter)
    return charter


@transaction.atomic
def charter_open(*, charter: Charter, actor: User, closes_at: datetime.datetime | None) -> Charter:
    """Put the charter's text as it stands to the vote until closes_at."""
    if not can_open_charter(actor, charter):
        raise ProjectError(_("Only who drafted the charter and the secretariat open the vote."))
    charter = Charter.objects.select_for_update().get(pk=charter.pk)
    if charter.opens_at is not None:
        raise ProjectError(_("The vote on this charter is already open or closed."))
    now = timezone.now()
    if closes_at is None or closes_at <= now + datetime.timedelta(hours=1):
        raise ProjectError(_("Give the vote at least an hour."), "closes_at")
    if closes_at > now + VOTE_LONGEST:
        raise ProjectError(_("A vote lasts six months at most."), "closes_at")
    charter.revision_id = charter.page.current_revision_id
    charter.opens_at = now
    charter.closes_at = closes_at
    # The quorum is drawn from the participants invited now, whoever joins during the vote.
    charter.eligible = participants_invited_count()
    charter.save(update_fields=["revision", "opens_at", "closes_at", "eligible"])
    audit_record(actor=actor, action="projects.charter.opened", target=charter)
    return charter


@transaction.atomic
def charter_vote(
    *, charter: Charter, participant: Participant, actor: User, voice: str, remarks: str = ""
) -> CharterVote:
    """participant's one voice on an open charter."""
    _writes_for(participant, actor)
    # Locked: a voice given at the last moment is counted, or refused, before the outcome.
    charter = Charter.objects.select_for_update().get(pk=charter.pk)
    if charter.state(timezone.now()) != "open" or charter.outcome:
        raise ProjectError(_("This charter is not open to the vote."))
    if voice not in CharterVote.Voice.values:
        raise ProjectError(_("Choose your answer."), "voice")
    remarks = _clean_text(remarks, "remarks")
    if voice == CharterVote.Voice.REMARKS and not remarks:
        raise ProjectError(_("Write your remarks."), "remarks")
    try:
        with transaction.atomic():
            vote = CharterVote.objects.create(
                charter=charter, participant=participant, user=actor, voice=voice, remarks=remarks
            )
    except IntegrityError as exc:
        raise ProjectError(
            _("%(name)s has already given its voice.") % {"name": participant.name},
            "participant",
        ) from exc
    audit_record(
        actor=actor, action="projects.charter.voted", target=charter, participant=participant.pk
    )
    return vote


@transaction.atomic
def charter_close(*, charter: Charter, now: datetime.datetime | None = None) -> Charter:
    """Decide the outcome of charter once its vote is over, by the rule shown during the vote,
    and record it with the moment; a charter still open, a draft or one decided already is
    returned as it is (safe twice: the first read or job to come decides)."""
    now = now or timezone.now()
    charter = Charter.objects.select_for_update().get(pk=charter.pk)
    if charter.outcome or charter.opens_at is None or now < charter.closes_at:
        return charter
    votes, approvals = charter_votes_count(charter=charter)
    if charter.eligible is None:  # opened before the rule was recorded
        charter.eligible = participants_invited_count(joined_by=charter.opens_at)
    charter.outcome = charter_rule.outcome_for(
        eligible=charter.eligible, votes=votes, approvals=approvals
    )
    charter.closed_at = now
    charter.save(update_fields=["eligible", "outcome", "closed_at"])
    audit_record(
        actor=None,
        action="projects.charter.closed",
        target=charter,
        outcome=charter.outcome,
        eligible=charter.eligible,
        votes=votes,
        approvals=approvals,
    )
    return charter


def charters_due(*, now: datetime.datetime | None = None) -> list[int]:
    """The charters whose vote is over with no outcome yet."""
    return list(
        Charter.objects.filter(outcome="", closes_at__lte=now or timezone.now())
        .order_by("closes_at", "pk")
        .values_list("pk", flat=True)
    )


def charters_close_due() -> int:
    """Decide every charter whose vote is over (the job, and pages before they show them);
    returns how many were decided."""
    now = timezone.now()
    closed = 0
    for pk in charters_due(now=now):
        if charter_close(charter=Charter(pk=pk), now=now).closed_at == now:
            closed += 1
    return closed
