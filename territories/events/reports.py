"""After (or during) an event: its report, its conclusions and each session's report, written
as pages of the network's wiki space (with their history); and the reminders mailed a day
before each session."""

import datetime
import zoneinfo

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from territories.events.services import _changed, _lock, _may_manage, _session_lock, event_url
from territories.events.validation import EventError, clean_text
from territories.models import Event, EventSession, EventSignup
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.mail import absolute_url, mail_send_on_commit
from wikispiral.wiki.models import Page
from wikispiral.wiki.services import PageExists, page_create, page_revise
from wikispiral.wiki.spaces import network_space_get_or_create

REMINDER_AHEAD = datetime.timedelta(hours=24)
REMINDERS_KEY = "events.reminders"
MAX_SLUG_ATTEMPTS = 20


def _written(
    *,
    page: Page | None,
    actor: User,
    title: str,
    slug: str,
    body: str,
    language: str,
    comment: str,
) -> tuple[Page, bool]:
    """The page with body as its new text: (page, whether it was created)."""
    body = clean_text(body, "body")
    if not body:
        raise EventError(_("Write the text first."), "body")
    if page is not None and page.current_revision_id is not None:
        page_revise(
            page=page,
            actor=actor,
            title=page.title,
            body=body,
            base_revision_id=page.current_revision_id,
            comment=comment,
        )
        return page, False
    # The address is predictable: a page someone else wrote there first stays as it is and the
    # report takes the next free number. It is protected, so that only the secretariat edits
    # it in the wiki; the organisers write it from the event's page.
    space = network_space_get_or_create()
    for attempt in range(1, MAX_SLUG_ATTEMPTS + 1):
        try:
            page = page_create(
                space=space,
                language=language,
                title=title[:255],
                slug=slug if attempt == 1 else f"{slug}-{attempt}",
                body=body,
                actor=actor,
                comment=comment,
                protected=True,
            )
        except PageExists:
            continue
        return page, True
    raise EventError(_("Could not find a free address for the report. Try again."))


def _after_start(event: Event, moment: datetime.datetime | None) -> None:
    if event.status != Event.Status.PUBLISHED:
        raise EventError(_("Only an announced event that took place has a report."))
    if moment is None or moment > timezone.now():
        raise EventError(_("The report comes once it has begun."))


@transaction.atomic
def event_report_write(
    *, event: Event, actor: User, body: str, language: str, conclusions: bool = False
) -> Page:
    """Write the event's report (or its conclusions) as a page of the network's wiki (a new
    revision when it has one): its organisers, once it has begun."""
    _may_manage(actor, event)
    event = _lock(event)
    _after_start(event, event.starts_at)
    field = "conclusions" if conclusions else "report"
    if conclusions:
        title = _("Conclusions: %(title)s") % {"title": event.title}
        comment = _("Event conclusions")
    else:
        title = _("Report: %(title)s") % {"title": event.title}
        comment = _("Event report")
    page, created = _written(
        page=getattr(event, field),
        actor=actor,
        title=title,
        slug=f"event-{event.pk}-{field}",
        body=body,
        language=language,
        comment=comment,
    )
    if created:
        setattr(event, field, page)
        event.save(update_fields=[field, "modified_at"])
    audit_record(actor=actor, action=f"territories.event.{field}_written", target=event)
    _changed(
        event,
        actor,
        _("The conclusions are written.") if conclusions else _("The report is written."),
        "report",
    )
    return page


@transaction.atomic
def session_report_write(*, session: EventSession, actor: User, body: str, language: str) -> Page:
    """Write one session's report as a page of the network's wiki (a new revision when it has
    one): the event's organisers, once the session has begun."""
    event = _lock(session.event)
    _may_manage(actor, event)
    session = _session_lock(session, event)
    _after_start(event, session.starts_at)
    page, created = _written(
        page=session.report,
        actor=actor,
        title=_("Report: %(session)s (%(event)s)")
        % {"session": session.title, "event": event.title},
        slug=f"event-{event.pk}-session-{session.pk}-report",
        body=body,
        language=language,
        comment=_("Session report"),
    )
    if created:
        session.report = page
        session.save(update_fields=["report"])
    audit_record(
        actor=actor,
        action="territories.event.session_report_written",
        target=event,
        session=session.pk,
    )
    _changed(
        event,
        actor,
        _("The report of %(session)s is written.") % {"session": session.title},
        "report",
    )
    return page


def report_starter(event: Event) -> str:
    """What a new report's text starts from: the programme, as a list (Markdown)."""
    with timezone.override(zoneinfo.ZoneInfo(event.time_zone)):
        lines = [
            f"- {timezone.localtime(session.starts_at):%Y-%m-%d %H:%M} {session.title}"
            for session in event.sessions.all()
        ]
    heading = _("Programme (%(zone)s time)") % {"zone": event.time_zone}
    return f"## {heading}\n\n" + "\n".join(lines) + "\n"


# --- Reminders ----------------------------------------------------------------------------------


def reminders_due(now: datetime.datetime | None = None) -> bool:
    """Whether someone signed up to an announced session starting within a day has had no
    reminder yet (the jobs sweep then starts the reminders if nothing else did)."""
    now = now or timezone.now()
    return _due(now).exists()


def _due(now: datetime.datetime) -> QuerySet[EventSignup]:
    return EventSignup.objects.filter(
        reminded_at__isnull=True,
        session__event__status=Event.Status.PUBLISHED,
        session__starts_at__gt=now,
        session__starts_at__lte=now + REMINDER_AHEAD,
    )


def reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Mail everyone signed up to an announced session starting within a day, once each, in her
    language and time zone: the row is marked reminded before the mail is recorded, in one
    transaction, so two runs never send it twice. Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for signup in _due(now).select_related("session__event", "user").order_by("pk"):
        with transaction.atomic():
            claimed = EventSignup.objects.filter(pk=signup.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            person, session = signup.user, signup.session
            if not claimed or not person.email:
                continue
            event = session.event
            zone = person.time_zone or event.time_zone
            with timezone.override(zoneinfo.ZoneInfo(zone)):
                mail_send_on_commit(
                    to=person.email,
                    template="events/email/reminder",
                    context={
                        "event": event,
                        "session": session,
                        "person": person,
                        "zone": zone,
                        "meeting_url": session.meeting_url or event.meeting_url,
                        "place": session.place or event.place,
                        "url": absolute_url(event_url(event)),
                    },
                    language=person.preferred_language,
                    key=f"event-reminder:{signup.pk}:{session.starts_at:%Y%m%d%H%M}",
                )
            sent += 1
    return sent


def reminders_enqueue() -> None:
    """Have a worker send the reminders due (one job at a time: see territories/events/jobs)."""
    from wikispiral.jobs.services import job_enqueue

    job_enqueue(kind=REMINDERS_KEY, key=REMINDERS_KEY)
