"""Charters: drafting, opening the vote, voting."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
    charter.save(update_fields=["revision", "opens_at", "closes_at"])
    audit_record(actor=actor, action="projects.charter.opened", target=charter)
    return charter


@transaction.atomic
def charter_vote(
    *, charter: Charter, participant: Participant, actor: User, voice: str, remarks: str = ""
) -> CharterVote:
    """participant's one voice on an open charter."""
    _writes_for(participant, actor)
    if charter.state(timezone.now()) != "open":
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
