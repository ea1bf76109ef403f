"""Workshops: creating, signing up, concluding, reminding, cancelling."""

import datetime
import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.models import (
    Category,
    Participant,
    Workshop,
    WorkshopSignup,
)
from projects.permissions import (
    can_organise,
    can_run_workshop,
)
from projects.scopes import across_participants, participant_scope
from projects.services.validation import (
    ProjectError,
    _clean_line,
    _clean_text,
    _writes_for,
)
from wikispiral.accounts.models import User
from wikispiral.accounts.zones import validate_time_zone
from wikispiral.audit.services import audit_record
from wikispiral.mail import absolute_url, mail_send_on_commit
from wikispiral.wiki.models import Page
from wikispiral.wiki.services import page_create, page_revise
from wikispiral.wiki.spaces import network_space_get_or_create

WORKSHOP_MAX_AHEAD = datetime.timedelta(days=730)
REMINDER_AHEAD = datetime.timedelta(hours=24)
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@transaction.atomic
def workshop_create(
    *,
    actor: User,
    title: str,
    starts_at: datetime.datetime | None,
    time_zone: str,
    duration_minutes: int,
    languages: list[str],
    meeting_url: str,
    capacity: int,
    theme: str = "",
    audience: str = Workshop.Audience.EVERYONE,
    description: str = "",
) -> Workshop:
    """Schedule a workshop (the secretariat and coordination groups' facilitators)."""
    if not can_organise(actor):
        raise ProjectError(_("Only the secretariat and facilitators organise workshops."))
    title = _clean_line(title, "title", _("A title"), 200)
    if theme and theme not in Category.values:
        raise ProjectError(_("Choose a theme from the list."), "theme")
    if audience not in Workshop.Audience.values:
        raise ProjectError(_("Choose who the workshop is for."), "audience")
    try:
        validate_time_zone(time_zone)
        zone = zoneinfo.ZoneInfo(time_zone)
    except (ValidationError, ValueError, zoneinfo.ZoneInfoNotFoundError) as exc:
        raise ProjectError(_("Choose a time zone from the list."), "time_zone") from exc
    if starts_at is None:
        raise ProjectError(_("Give the date and time it starts."), "starts_at")
    if timezone.is_naive(starts_at):
        # A time typed in a form is in the organiser's zone.
        starts_at = starts_at.replace(tzinfo=zone)
    now = timezone.now()
    if starts_at <= now:
        raise ProjectError(_("A workshop is scheduled in the future."), "starts_at")
    if starts_at > now + WORKSHOP_MAX_AHEAD:
        raise ProjectError(_("Schedule it within two years."), "starts_at")
    if not 15 <= duration_minutes <= 480:
        raise ProjectError(_("A workshop lasts from 15 minutes to 8 hours."), "duration_minutes")
    if not 2 <= capacity <= 1000:
        raise ProjectError(_("Give between 2 and 1,000 places."), "capacity")
    languages = sorted({code.strip().lower() for code in languages if code.strip()})
    if not languages or not all(_LANGUAGE.match(code) for code in languages):
        raise ProjectError(_("Give the languages spoken, as codes: en, fr, pt…"), "languages")
    if not meeting_url.startswith("https://"):
        raise ProjectError(_("Give the meeting's address, starting with https://."), "meeting_url")
    workshop = Workshop.objects.create(
        title=title,
        theme=theme,
        audience=audience,
        description=_clean_text(description, "description"),
        starts_at=starts_at,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        languages=languages,
        meeting_url=meeting_url,
        capacity=capacity,
        organiser=actor,
    )
    audit_record(actor=actor, action="projects.workshop.created", target=workshop)
    return workshop


@transaction.atomic
@across_participants()  # the workshop's list counts every participant's sign-ups
def workshop_signup(*, workshop: Workshop, participant: Participant, actor: User) -> WorkshopSignup:
    """Put participant on the workshop's list: not after it began, not beyond its places."""
    _writes_for(participant, actor)
    # One sign-up at a time per workshop: the count and the insert see the same list.
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if workshop.cancelled_at is not None:
        raise ProjectError(_("This workshop is cancelled."))
    if workshop.starts_at <= timezone.now():
        raise ProjectError(_("This workshop has begun or is over: sign-up is closed."))
    if workshop.audience != Workshop.Audience.EVERYONE and participant.kind != workshop.audience:
        raise ProjectError(
            _("This workshop is for %(audience)s.")
            % {"audience": workshop.get_audience_display().lower()},
            "participant",
        )
    if WorkshopSignup.objects.filter(workshop=workshop, participant=participant).exists():
        raise ProjectError(
            _("%(name)s is already signed up.") % {"name": participant.name}, "participant"
        )
    if WorkshopSignup.objects.filter(workshop=workshop).count() >= workshop.capacity:
        raise ProjectError(_("This workshop is full."))
    signup = WorkshopSignup.objects.create(workshop=workshop, participant=participant, user=actor)
    audit_record(
        actor=actor,
        action="projects.workshop.signed_up",
        target=workshop,
        participant=participant.pk,
    )
    return signup


@transaction.atomic
def workshop_signup_cancel(*, workshop: Workshop, participant: Participant, actor: User) -> None:
    _writes_for(participant, actor)
    with participant_scope(participant):
        deleted, _rows = WorkshopSignup.objects.filter(
            workshop=workshop, participant=participant
        ).delete()
    if not deleted:
        raise ProjectError(_("%(name)s is not signed up.") % {"name": participant.name})
    audit_record(
        actor=actor, action="projects.workshop.left", target=workshop, participant=participant.pk
    )


@transaction.atomic
def workshop_conclude(*, workshop: Workshop, actor: User, body: str, language: str) -> Page:
    """Write the workshop's conclusions as a wiki page of the network (a new revision when it
    has one already): the organiser or the secretariat, once it has begun."""
    if not can_run_workshop(actor, workshop):
        raise ProjectError(_("Only the organiser and the secretariat write the conclusions."))
    if workshop.starts_at > timezone.now():
        raise ProjectError(_("The conclusions come once the workshop has taken place."))
    body = _clean_text(body, "body")
    if not body:
        raise ProjectError(_("Write the conclusions first."), "body")
    if workshop.conclusions is not None:
        page = workshop.conclusions
        page_revise(
            page=page,
            actor=actor,
            title=page.title,
            body=body,
            base_revision_id=page.current_revision_id,
            comment=_("Workshop conclusions"),
        )
        return page
    space = network_space_get_or_create()
    title = _("Workshop conclusions: %(title)s") % {"title": workshop.title}
    page = page_create(
        space=space,
        language=language,
        title=title[:255],
        slug=f"workshop-{workshop.pk}-conclusions",
        body=body,
        actor=actor,
        comment=_("Workshop conclusions"),
    )
    workshop.conclusions = page
    workshop.save(update_fields=["conclusions"])
    audit_record(actor=actor, action="projects.workshop.concluded", target=workshop)
    return page


@across_participants()
def workshop_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Email everyone on the list of a workshop starting within a day, once each (the row is
    claimed before the mail leaves, so two jobs never send it twice); returns how many."""
    now = now or timezone.now()
    due = WorkshopSignup.objects.filter(
        reminded_at__isnull=True,
        workshop__cancelled_at__isnull=True,
        workshop__starts_at__gt=now,
        workshop__starts_at__lte=now + REMINDER_AHEAD,
    ).select_related("workshop", "user", "participant")
    sent = 0
    for signup in due:
        with transaction.atomic():
            claimed = WorkshopSignup.objects.filter(pk=signup.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed or not signup.user.email:
                continue
            workshop = signup.workshop
            zone = signup.user.time_zone or workshop.time_zone
            with timezone.override(zoneinfo.ZoneInfo(zone)):
                mail_send_on_commit(
                    to=signup.user.email,
                    template="projects/email/workshop_reminder",
                    context={
                        "workshop": workshop,
                        "participant": signup.participant,
                        "starts_at": timezone.localtime(workshop.starts_at),
                        "zone": zone,
                        "url": absolute_url(reverse("projects:workshop", args=[workshop.pk])),
                    },
                    language=signup.user.preferred_language,
                )
            sent += 1
    return sent


@transaction.atomic
@across_participants()  # everyone on the list is told
def workshop_cancel(*, workshop: Workshop, actor: User) -> Workshop:
    """Cancel a workshop that has not begun (its organiser or the secretariat); everyone on
    its list is told by email, in their language and zone."""
    if not can_run_workshop(actor, workshop):
        raise ProjectError(_("Only the organiser and the secretariat cancel a workshop."))
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if workshop.cancelled_at is not None:
        return workshop
    if workshop.starts_at <= timezone.now():
        raise ProjectError(_("This workshop has begun or is over: it cannot be cancelled."))
    workshop.cancelled_at = timezone.now()
    workshop.save(update_fields=["cancelled_at"])
    for signup in workshop.signups.select_related("user", "participant"):
        if not signup.user.email:
            continue
        zone = signup.user.time_zone or workshop.time_zone
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            mail_send_on_commit(
                to=signup.user.email,
                template="projects/email/workshop_cancelled",
                context={
                    "workshop": workshop,
                    "participant": signup.participant,
                    "starts_at": timezone.localtime(workshop.starts_at),
                    "zone": zone,
                    "url": absolute_url(reverse("projects:workshops")),
                },
                language=signup.user.preferred_language,
            )
    audit_record(actor=actor, action="projects.workshop.cancelled", target=workshop)
    return workshop
