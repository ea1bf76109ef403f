"""Who may organise the network's events, and who may see a draft.

The secretariat (network staff) organises every event. A network project (the right choices)
may let more people organise its own events: it registers a predicate for its project number
from its AppConfig.ready() (`register_event_organisers`), so this floor never imports it. The
predicate is asked with event=None for "may this person create an event of the project?".
"""

from collections.abc import Callable

from territories.models import Event
from territories.permissions import is_network_staff
from wikispiral.accounts.models import User
from wikispiral.wiki.permissions import AnyUser

EventOrganisers = Callable[[User, Event | None], bool]

_organisers: dict[int, list[EventOrganisers]] = {}


def register_event_organisers(project: int, predicate: EventOrganisers) -> None:
    """Let predicate(user, event) say who else organises the events of project (from ready());
    the network's own events (project 0) stay the secretariat's."""
    if project == 0:
        raise ValueError("The network's own events are organised by the secretariat only.")
    _organisers.setdefault(project, []).append(predicate)


def organised_projects() -> list[int]:
    """The projects that registered organisers of their own."""
    return list(_organisers)


def can_organise(user: AnyUser, project: int = 0) -> bool:
    """Whether user may create an event of project (0: the network's)."""
    if not user.is_authenticated:
        return False
    if is_network_staff(user):
        return True
    return any(predicate(user, None) for predicate in _organisers.get(project, ()))


def can_manage_event(user: AnyUser, event: Event) -> bool:
    """Edit, publish, cancel, build the programme, write the reports of event."""
    if not user.is_authenticated:
        return False
    if is_network_staff(user):
        return True
    return any(predicate(user, event) for predicate in _organisers.get(event.project, ()))


def can_see_event(user: AnyUser, event: Event) -> bool:
    """Published and cancelled events are public; drafts are their organisers' only."""
    return event.status != Event.Status.DRAFT or can_manage_event(user, event)


def can_see_meeting_link(user: AnyUser, event: Event, *, signed_up: bool) -> bool:
    """The on-line link: those signed up to the session, and the organisers."""
    return signed_up or can_manage_event(user, event)
