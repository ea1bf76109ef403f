"""The events' pages: the list, an event with its programme, signing up and leaving, the
organisers' forms (the event, its sessions, publishing, cancelling, the reports), the feeds and
the calendar files.

Everything works without JavaScript: each form posts, the view redirects back with a message,
and a refusal answers 400 with the page and its message (nothing saved). Drafts and the
organisers' pages answer 404 to anyone but the organisers (anonymous visitors are asked to log
in first).
"""

import datetime
import zoneinfo
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from territories.events import feeds, ics, reports, selectors, services
from territories.events.forms import EventForm, KindFilterForm, SessionForm, WrittenForm
from territories.events.permissions import can_manage_event, can_organise
from territories.models import Event, EventSession
from wikispiral.errors import DomainError
from wikispiral.text import language_name
from wikispiral.typing import AuthenticatedHttpRequest
from wikispiral.wiki.permissions import AnyUser

CALENDAR_MAX_AGE = 300

feed_rss = feeds.EventsFeed()
feed_atom = feeds.EventsAtomFeed()


def _status(request: HttpRequest) -> int:
    return 400 if request.method == "POST" else 200


def _organiser_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Load the event named in the address for its organisers; anyone else gets 404."""

    @wraps(view)
    @login_required
    def wrapper(request: AuthenticatedHttpRequest, event: str, **kwargs: object) -> HttpResponse:
        found = selectors.event_get_or_404(slug=event, user=request.user)
        if not can_manage_event(request.user, found):
            raise Http404(_("No such page."))
        return view(request, found, **kwargs)

    return wrapper


def _dated(events: list[Event], user: AnyUser) -> list[dict]:
    rows = []
    for event in events:
        zone = selectors.reader_zone(user, event)
        when = ""
        if event.starts_at is not None and event.ends_at is not None:
            when = selectors.when(event.starts_at, event.ends_at, zone)
        rows.append({"event": event, "when": when, "zone": selectors.zone_label(zone)})
    return rows


# --- Reading ------------------------------------------------------------------------------------


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """Events to come and past ones, filtered by kind (a plain GET form)."""
    form = KindFilterForm(request.GET or None)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    context = {
        "form": form if form.is_bound and form.is_valid() else KindFilterForm(),
        "kind": kind,
        "upcoming": _dated(selectors.event_list(kind=kind, upcoming=True), request.user),
        "past": _dated(selectors.event_list(kind=kind, upcoming=False), request.user),
        "drafts": _dated(selectors.event_drafts(user=request.user), request.user),
        "can_organise": can_organise(request.user, 0),
    }
    return render(request, "events/list.html", context)


def _detail_context(request: HttpRequest, event: Event) -> dict:
    organiser = can_manage_event(request.user, event)
    reader = selectors.reader_zone(request.user, event)
    has_begun = event.starts_at is not None and event.starts_at <= timezone.now()
    is_over = event.ends_at is not None and event.ends_at <= timezone.now()
    published = event.status == Event.Status.PUBLISHED
    return {
        "event": event,
        "sessions": selectors.programme(event=event, user=request.user),
        "reader_zone": selectors.zone_label(reader),
        "organiser_zone": selectors.zone_label(event.time_zone),
        "same_zone": reader == event.time_zone,
        "chose_zone": bool(getattr(request.user, "time_zone", "")),
        "languages": [language_name(code) for code in event.languages],
        "can_manage": organiser,
        "can_publish": organiser and event.status == Event.Status.DRAFT,
        "can_cancel": organiser and published and not is_over,
        "can_report": organiser and published and has_begun,
        "signups": selectors.signups_of(event=event) if organiser else [],
    }


@require_GET
def event_detail(request: HttpRequest, event: str) -> HttpResponse:
    found = selectors.event_get_or_404(slug=event, user=request.user)
    return render(request, "events/detail.html", _detail_context(request, found))


def _back(event: Event, session: EventSession | None = None) -> HttpResponse:
    anchor = f"#session-{session.pk}" if session is not None else ""
    return redirect(services.event_url(event) + anchor)


def _refused(request: HttpRequest, event: Event, error: DomainError) -> HttpResponse:
    context = _detail_context(request, event) | {"problem": error.message}
    return render(request, "events/detail.html", context, status=400)


@require_POST
@login_required
def signup(request: AuthenticatedHttpRequest, event: str, event_session: int) -> HttpResponse:
    """Sign the requester up to one session (twice is once)."""
    found = selectors.event_get_or_404(slug=event, user=request.user)
    session = selectors.session_get_or_404(event=found, pk=event_session)
    try:
        _signup, created = services.signup_create(session=session, actor=request.user)
    except DomainError as error:
        return _refused(request, found, error)
    if created:
        messages.success(
            request, _("You are signed up to “%(session)s”.") % {"session": session.title}
        )
    else:
        messages.info(
            request,
            _("You were already signed up to “%(session)s”.") % {"session": session.title},
        )
    return _back(found, session)


@require_POST
@login_required
def leave(request: AuthenticatedHttpRequest, event: str, event_session: int) -> HttpResponse:
    """Take the requester off one session's list."""
    found = selectors.event_get_or_404(slug=event, user=request.user)
    session = selectors.session_get_or_404(event=found, pk=event_session)
    try:
        services.signup_cancel(session=session, actor=request.user)
    except DomainError as error:
        return _refused(request, found, error)
    messages.success(
        request, _("You are off the list of “%(session)s”.") % {"session": session.title}
    )
    return _back(found, session)


# --- Calendars ----------------------------------------------------------------------------------


def _calendar_response(
    body: bytes, *, filename: str, attachment: bool, public: bool
) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    if public:
        # The same for every reader (no meeting link, no draft): shared caches may keep it.
        patch_cache_control(response, public=True, max_age=CALENDAR_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie",))
    return response


@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """Every public event's sessions, to come and of the last months (a calendar subscribes)."""
    body = ics.calendar_bytes(selectors.calendar_sessions(), name=_("TOGETHER network events"))
    return _calendar_response(body, filename="wikispiral-events.ics", attachment=False, public=True)


@require_GET
def event_calendar(request: HttpRequest, event: str) -> HttpResponse:
    """One event's sessions, to add to a calendar (a draft: its organisers only)."""
    found = selectors.event_get_or_404(slug=event, user=request.user)
    sessions = list(found.sessions.order_by("starts_at", "pk"))
    for session in sessions:
        session.event = found
    body = ics.calendar_bytes(sessions, name=found.title)
    return _calendar_response(
        body,
        filename=f"{found.slug}.ics",
        attachment=True,
        public=found.status != Event.Status.DRAFT,
    )


# --- Organising ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def event_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_organise(request.user, 0):
        raise Http404(_("No such page."))
    zone = request.user.time_zone or "Europe/Paris"
    form = EventForm(
        request.POST or None, initial={"time_zone": zone, "is_online": True, "languages": ["en"]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                actor=request.user, slug=form.cleaned_data["slug"], **form.service_fields()
            )
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("The event is saved as a draft: add its programme."))
            return _back(event)
    context = {"form": form, "event": None}
    return render(request, "events/form.html", context, status=_status(request))


@require_http_methods(["GET", "POST"])
@_organiser_only
def event_edit(request: AuthenticatedHttpRequest, event: Event) -> HttpResponse:
    initial = {
        name: getattr(event, name)
        for name in (
            "kind",
            "title",
            "description",
            "time_zone",
            "languages",
            "is_online",
            "place",
            "meeting_url",
            "audience",
            "theme",
        )
    }
    form = EventForm(request.POST or None, initial=initial, creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(event=event, actor=request.user, **form.service_fields())
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("The event is saved."))
            return _back(event)
    context = {"form": form, "event": event}
    return render(request, "events/form.html", context, status=_status(request))


def _organiser_post(
    request: AuthenticatedHttpRequest,
    event: Event,
    action: Callable[[], object],
    done: str,
) -> HttpResponse:
    try:
        action()
    except DomainError as error:
        return _refused(request, event, error)
    messages.success(request, done)
    return _back(event)


@require_POST
@_organiser_only
def event_publish(request: AuthenticatedHttpRequest, event: Event) -> HttpResponse:
    return _organiser_post(
        request,
        event,
        lambda: services.event_publish(event=event, actor=request.user),
        _("The event is announced."),
    )


@require_POST
@_organiser_only
def event_cancel(request: AuthenticatedHttpRequest, event: Event) -> HttpResponse:
    return _organiser_post(
        request,
        event,
        lambda: services.event_cancel(event=event, actor=request.user),
        _("The event is cancelled; those signed up are told."),
    )


def _session_page(
    request: AuthenticatedHttpRequest, event: Event, session: EventSession | None
) -> HttpResponse:
    initial: dict = {}
    zone = zoneinfo.ZoneInfo(event.time_zone)
    if session is not None:
        initial = {
            "title": session.title,
            "description": session.description,
            "starts_at": timezone.localtime(session.starts_at, zone).replace(tzinfo=None),
            "ends_at": timezone.localtime(session.ends_at, zone).replace(tzinfo=None),
            "languages": session.languages,
            "place": session.place,
            "meeting_url": session.meeting_url,
            "capacity": session.capacity,
        }
    form = SessionForm(request.POST or None, initial=initial, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            if session is None:
                session = services.session_add(event=event, actor=request.user, **form.cleaned_data)
            else:
                services.session_update(session=session, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("The programme is saved."))
            return _back(event, session)
    context = {"form": form, "event": event, "session": session}
    return render(request, "events/session_form.html", context, status=_status(request))


@require_http_methods(["GET", "POST"])
@_organiser_only
def session_new(request: AuthenticatedHttpRequest, event: Event) -> HttpResponse:
    return _session_page(request, event, None)


@require_http_methods(["GET", "POST"])
@_organiser_only
def session_edit(
    request: AuthenticatedHttpRequest, event: Event, event_session: int
) -> HttpResponse:
    return _session_page(
        request, event, selectors.session_get_or_404(event=event, pk=event_session)
    )


@require_POST
@_organiser_only
def session_remove(
    request: AuthenticatedHttpRequest, event: Event, event_session: int
) -> HttpResponse:
    session = selectors.session_get_or_404(event=event, pk=event_session)
    return _organiser_post(
        request,
        event,
        lambda: services.session_remove(session=session, actor=request.user),
        _("The session is off the programme; those signed up are told."),
    )


# --- Reports ------------------------------------------------------------------------------------


def _written_page(
    request: AuthenticatedHttpRequest,
    event: Event,
    *,
    page: object,
    write: Callable[[str], object],
    heading: str,
    begins_at: datetime.datetime | None,
    starter: str = "",
) -> HttpResponse:
    begun = begins_at is not None and begins_at <= timezone.now()
    if event.status != Event.Status.PUBLISHED or not begun:
        # Offered once it has begun (the event's page links it then).
        raise Http404(_("No such page."))
    current = getattr(page, "current_revision", None)
    initial = {"body": current.body if current is not None else starter}
    form = WrittenForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            written = write(form.cleaned_data["body"])
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("The page is written and linked from the event."))
            return redirect(written.get_absolute_url())  # type: ignore[attr-defined]
    context = {"form": form, "event": event, "heading": heading, "page": page}
    return render(request, "events/written.html", context, status=_status(request))


@require_http_methods(["GET", "POST"])
@_organiser_only
def report(request: AuthenticatedHttpRequest, event: Event) -> HttpResponse:
    return _written_page(
        request,
        event,
        page=event.report,
        begins_at=event.starts_at,
        heading=_("Report of %(title)s") % {"title": event.title},
        starter=reports.report_starter(event),
        write=lambda body: reports.event_report_write(
            event=event, actor=request.user, body=body, language=get_language() or "en"
        ),
    )


@require_http_methods(["GET", "POST"])
@_organiser_only
def conclusions(request: AuthenticatedHttpRequest, event: Event) -> HttpResponse:
    return _written_page(
        request,
        event,
        page=event.conclusions,
        begins_at=event.starts_at,
        heading=_("Conclusions of %(title)s") % {"title": event.title},
        starter=reports.report_starter(event),
        write=lambda body: reports.event_report_write(
            event=event,
            actor=request.user,
            body=body,
            language=get_language() or "en",
            conclusions=True,
        ),
    )


@require_http_methods(["GET", "POST"])
@_organiser_only
def session_report(
    request: AuthenticatedHttpRequest, event: Event, event_session: int
) -> HttpResponse:
    session = selectors.session_get_or_404(event=event, pk=event_session)
    return _written_page(
        request,
        event,
        page=session.report,
        begins_at=session.starts_at,
        heading=_("Report of %(session)s") % {"session": session.title},
        write=lambda body: reports.session_report_write(
            session=session, actor=request.user, body=body, language=get_language() or "en"
        ),
    )
