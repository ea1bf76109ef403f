"""Every URL pattern of the project, walked as an outsider: so a new view cannot forget tenancy.

The outsider is a confirmed user who facilitates a coordination group of their own ("mine").
Every pattern is filled with the objects of another group ("theirs") and requested with GET and
with POST. Unless the pattern's name is in PUBLIC (with the reason it may answer an outsider),
both must answer 403 or 404 (a GET may answer 405 when the view only takes POST, as long as the
POST is refused). A second walk hides "theirs": then every pattern that names its group, space,
pages or homogeneous groups must answer 403 or 404, public or not. A third walk puts what no
address can hold (a NUL, 10,000 characters) into each argument in turn, and a NUL into the query
string: whatever the answer, it is never a 500.

On the groups' own addresses (/cg/...), a fourth walk compares what an anonymous visitor and a
signed-in outsider get for a private page of theirs, for any page of theirs hidden, for a group
that does not exist and for an object of theirs that does not exist: the anonymous visitor gets
one same login offer for all (a redirect to the login page whose `next` is the address), the
outsider 404 everywhere (wikispiral.tenancy.login_offer).

A new URL pattern is thus covered the day it is added: if it should be public, the test fails
until someone writes down why in PUBLIC; if it needs a kind of argument the walk cannot fill,
the test fails until `_argument` learns it.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, SlugConverter
from django.utils import timezone

from criteria.models import Component, ImportBatch, NetworkImportBatch, Question
from projects.actions.services import action_create, pledge_create
from projects.evaluations.services import session_create
from projects.indicators.services import indicator_create, indicator_publish, indicator_share
from projects.models import ImpactReport
from projects.services import (
    charter_draft,
    choice_create,
    participant_invitation_create,
    participant_join,
    workshop_create,
)
from syntheses.models import Report
from territories.events.services import event_create, event_publish, session_add
from territories.letters.services import letter_create, letter_send
from territories.models import ContactMessage, NetworkMember, Profile
from territories.services import invitation_create
from tests.factories import (
    make_application,
    make_coordination_group,
    make_criterion,
    make_homogeneous_group,
    make_page,
    make_user,
)
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki import caching

# Names an outsider may GET (and sometimes POST), each with the reason.
PUBLIC: dict[str, str] = {
    # Operations and the language switch.
    "healthz": "health check for the load balancer",
    "livez": "liveness check",
    "set_language_get": "language switch, a plain link",
    # The reader's own account: these act on the requester, never on a group.
    "accounts:signup": "public form",
    "accounts:signup_done": "static page",
    "accounts:resend_confirmation": "acts on the requester's own account",
    "accounts:confirm_email": "bearer token (the link mailed to the person)",
    "accounts:login": "public form",
    "accounts:logout": "acts on the requester's own session",
    "accounts:profile": "the requester's own profile",
    "accounts:password_change": "the requester's own password",
    "accounts:password_change_done": "static page",
    "accounts:password_reset": "public form",
    "accounts:password_reset_done": "static page",
    "accounts:password_reset_confirm": "bearer token (the link mailed to the person)",
    "accounts:password_reset_complete": "static page",
    "mine:home": "the requester's own page (My wikispiral: only her own groups and work)",
    # Following: her own notifications, watch list and choices (what she may no longer see
    # is left out); following something she may not see answers 404 (not listed here).
    "notifications:list": "the requester's own notifications (only what she may see)",
    "notifications:following": "the requester's own watch list",
    "notifications:settings": "the requester's own choices (a refused value: 400)",
    "notifications:unsubscribe": "signed token of a mail (stops that mail only; tampered: 400)",
    # Reading the wiki: theirs is a public space; drafts and writes are not in this list.
    "wiki:home": "network home page",
    "wiki:recent_changes": "public spaces only",
    "wiki:search": "public spaces only",
    "wiki:feed_latest_rss": "public spaces only",
    "wiki:feed_latest_atom": "public spaces only",
    "wiki:space_home": "public space",
    "wiki:page": "page of a public space",
    "wiki:history": "page of a public space",
    "wiki:diff": "page of a public space",
    "wiki:revision": "page of a public space",
    "wiki:print": "page of a public space",
    "wiki:history_feed": "page of a public space",
    "wiki:attachments": "files of a public space",
    "wiki:attachment_file": "file of a public space",
    # Finding and following groups.
    "directory:directory": "the public directory (hidden groups excluded)",
    "directory:group": "a visible group's public page",
    "directory:feed_groups_rss": "public feed",
    "directory:feed_groups_atom": "public feed",
    "directory:feed_homogeneous_rss": "public feed",
    "directory:feed_homogeneous_atom": "public feed",
    "directory:group_feed_rss": "a visible group's public feed",
    "directory:group_feed_atom": "a visible group's public feed",
    "groups:homogeneous_group": "a visible group's homogeneous group",
    "groups:citizens_group_new": "any registered person may open a citizens' group",
    "groups:invitation": "bearer token (the link mailed to the invited person)",
    # Applying and the network.
    "applications:apply": "public form",
    "applications:sent": "static page",
    "applications:edit": "bearer key (the link mailed to the applicant)",
    # Writing to the network: anyone may write (the recipients' addresses are never shown).
    "contact:secretariat": "public form (to the secretariat)",
    "contact:sent": "static page",
    "contact:group": "a visible group's public contact form (hidden: 404)",
    "secretariat:members": "the public member directory",
    # Membership of the network: anyone may ask (a platform's own request is its facilitators').
    "membership:page": "the public page of membership (listed members only)",
    "membership:apply": "public form (associate and ex officio members)",
    "membership:sent": "static page",
    "membership:edit": "bearer key (the link mailed to the applicant)",
    # The network letter: letters sent are public (a draft answers 404 but to the secretariat).
    "letters:list": "the letters sent (drafts never listed)",
    "letters:detail": "a letter sent (a draft: 404 but to the secretariat)",
    "letters:feed_rss": "public feed of the letters sent",
    "letters:feed_atom": "public feed of the letters sent",
    # The network's events: announced ones are public (a draft answers 404 but to its
    # organisers); organising is the secretariat's. Signing up acts on the requester.
    "events:list": "the announced events (drafts listed to their organisers only)",
    "events:detail": "an announced event (a draft: 404; the meeting link: those signed up)",
    "events:feed_rss": "public feed of the announced events",
    "events:feed_atom": "public feed of the announced events",
    "events:calendar": "public calendar of the announced events (never a meeting link)",
    "events:event_calendar": "an announced event's calendar file (a draft: 404)",
    "events:signup": "signs the requester up to a session of an announced event",
    "events:leave": "takes the requester off a session's list",
    # The shared grid: reference data, no group's data.
    "grid:grid": "the public classification grid",
    "grid:version": "a public version of the grid",
    # Criteria are open data: no export names who entered or classified them.
    "transfer:export": "a visible group's criteria downloads page",
    "transfer:export_cg": "a visible group's criteria",
    "transfer:export_hg": "a visible group's criteria",
    "transfer:export_country": "criteria of a country's visible groups",
    "transfer:export_network": "criteria of the network's visible groups",
    "transfer:open_data": "the network's open-data archive (visible groups)",
    "info:group": "a visible group's published criteria (anonymous, classified only)",
    "info:homogeneous_group": "a visible group's published criteria (anonymous, classified only)",
    # Syntheses: published counts of visible scopes, and the texts behind them (anonymous).
    "syntheses:synthesis": "a visible scope's synthesis (published criteria only)",
    "syntheses:criteria": "a visible scope's published criteria (anonymous)",
    "syntheses:compare": "visible scopes' syntheses side by side",
    "syntheses:components": "a visible scope's charts of one question (published criteria only)",
    # Syntheses' PDF reports: published figures of visible scopes; asking is for facilitators.
    "reports:list": "a visible scope's done reports (POST: facilitators and secretariat only)",
    "reports:request": "same address as reports:list; its POST answers 404 to an outsider",
    "reports:report": "status of a visible scope's done report (others: 404)",
    "reports:download": "a visible scope's done report",
    # The right choices: participants' pages and choices are public; joining, commenting and
    # "I do this too" are open to every confirmed person and act as them.
    "projects:home": "the project's public page",
    "projects:feed_rss": "public feed",
    "projects:workshops": "the project's public list of workshops",
    "projects:workshop": "a workshop's public page (the meeting's link only for those signed up)",
    "projects:workshop_new": "every facilitator may schedule a workshop of the project",
    "projects:workshop_signup": "signs up one of the requester's own participants",
    "projects:workshop_leave": "takes one of the requester's own participants off the list",
    "projects:charters": "the project's public list of charters",
    "projects:reviews": "the project's public quarterly reviews",
    "projects:review": "a quarter's public figures",
    "projects:review_theme": "every facilitator may set a quarterly meeting's theme",
    "projects:review_report": "every facilitator may start a quarterly meeting's report",
    "projects:charter": "a charter's public page (results once the vote is closed)",
    "projects:charter_new": "every facilitator may draft a charter of the project",
    "projects:charter_vote": "gives the voice of one of the requester's own participants",
    "projects:summary_project": "the project's published figures",
    "projects:summary": "a country's or visible group's published figures (hidden: 404)",
    "projects:summary_export": "the same figures as CSV or XLSX",
    "projects:summary_report": "the same figures as a PDF report (hidden: 404)",
    "projects:feed_atom": "public feed",
    "projects:join": "joins the requester",
    "projects:participant": "a participant's public page (a hidden group's territory: 404)",
    "projects:choice": "a participant's public choice",
    "projects:wellbeing": "a participant's public answers (answering: its members only)",
    "projects:choice_comment": "any confirmed person may comment on a public choice",
    "projects:choice_share": "says 'I do this too' as one of the requester's own participants",
    "projects:invitation": "bearer token (the link mailed to the invited person)",
    # From syntheses to action: published indicators, evaluations, actions and impact reports
    # of visible groups are public (drafts answer 404); writing is for the group's people.
    "indicators:shared": "the network's shared, published indicators (visible groups)",
    "indicators:list": "a visible group's published indicators (drafts hidden)",
    "indicators:detail": "a visible group's published indicator (drafts 404)",
    "indicators:history": "a published indicator's revisions",
    "indicators:revision": "a published indicator's revision",
    "evaluations:list": "a visible group's published sessions (drafts hidden)",
    "evaluations:compare": "a visible group's published sessions only",
    "evaluation_scopes:scope": "a visible scope's evaluations (published sessions only)",
    "actions:list": "a visible group's published actions (drafts hidden)",
    "actions:detail": "a visible group's published action (drafts 404)",
    "impact:list": "a visible group's impact reports of published actions (POST: facilitators)",
    "impact:ask": "same address as impact:list; its POST answers 404 to an outsider",
    "impact:ask_action": "a published action's reports (POST: facilitators)",
    "impact:report": "a published action's report",
    "impact:download": "a published action's report",
}

# Public names whose POST an outsider may make (forms about themselves or open to all).
POST_ALLOWED = {
    "set_language_get",
    "accounts:signup",
    "accounts:resend_confirmation",
    "accounts:confirm_email",
    "accounts:login",
    "accounts:logout",
    "accounts:profile",
    "accounts:password_change",
    "accounts:password_reset",
    "accounts:password_reset_confirm",
    "notifications:settings",
    "notifications:unsubscribe",
    "groups:citizens_group_new",
    "groups:invitation",
    "applications:apply",
    "applications:edit",
    "membership:apply",
    "membership:edit",
    "contact:secretariat",
    "contact:group",
    "events:signup",
    "events:leave",
    "projects:join",
    "projects:choice_comment",
    "projects:choice_share",
    "projects:workshop_new",
    "projects:workshop_signup",
    "projects:workshop_leave",
    "projects:charter_new",
    "projects:charter_vote",
    "projects:review_theme",
    "projects:review_report",
    "projects:invitation",
}

# Arguments that designate something of the target group: with theirs hidden, every pattern
# taking one must refuse (403/404), public or not.
TENANT_ARGUMENTS = {
    "cg",
    "hg",
    "space",
    "slug",
    "name",
    "number",
    "criterion",
    "question",
    "batch",
    "report",
    "participant",
    "indicator",
    "session",
    "action",
    "pledge",
}

REFUSED = {403, 404}

# What no address of the project can hold, put into one argument at a time: a NUL (PostgreSQL
# refuses it in text) and over-long values (10,000 characters, a number beyond any column).
EDGE_VALUES = {
    "nul": "%00",
    "long": "x" * 10_000,
    "long number": "9" * 10_000,
    "big number": "9" * 20,
}
# Stand-ins that reverse() accepts for each kind of argument, replaced in the address after.
_STAND_IN_TEXT = "edge-stand-in"
_STAND_IN_NUMBER = 7_777_777_777_777


@dataclass
class World:
    outsider: object
    theirs: object
    hg: object
    page: object
    token: str
    application: object
    profile: object
    member: object
    facilitator: object
    invitation: object
    criterion: object
    question: object
    batch: object
    network_batch: object
    report: object
    participant: object
    choice: object
    workshop: object
    charter: object
    participant_invitation: object
    participant_token: str
    indicator: object
    session: object
    action: object
    pledge: object
    impact_report: object
    contact_message: object
    secretariat_message: object
    letter: object
    event: object
    event_session: object


def _patterns(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django's admin has its own staff check, tested below.
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner)
        elif entry.name:
            yield f"{namespace}{entry.name}", entry


def _argument(world: World, name: str, argument: str, method: str) -> object:
    values = {
        "cg": world.theirs.slug,
        "space": world.theirs.space.slug,
        "hg": world.hg.slug,
        "lang": "en",
        "slug": world.page.slug,
        "number": 1,
        "name": "missing.png",
        "code": "fr",
        "key": world.application.edit_key,
        "uidb64": "MQ",
        "user_id": world.facilitator.pk,
        "criterion": world.criterion.pk,
        "question": world.question.pk,
        "batch": world.batch.pk,
        "report": world.report.pk,
        "version": 1,
        "country": world.theirs.country.code,
        "participant": world.participant.slug,
        "workshop": world.workshop.pk,
        "charter": world.charter.pk,
        "indicator": world.indicator.pk,
        "session": world.session.pk,
        "action": world.action.pk,
        "pledge": world.pledge.pk,
        "message": world.contact_message.pk,
        "year": 2026,
        "quarter": 1,
        # A secretariat's move-in run: secretariat pages answer an outsider 404 whatever it is.
        "move": 1,
        "letter": world.letter.pk,
        "event": world.event.slug,
        "event_session": world.event_session.pk,
    }
    if argument == "token":
        # The invitation's own link is shown on GET; a POST with it would make the outsider a
        # member of theirs for the rest of the walk, as it would anyone holding the link.
        if name == "groups:invitation" and method == "get":
            return world.token
        if name == "projects:invitation" and method == "get":
            return world.participant_token
        return "not-a-token"
    if argument == "report" and name.startswith("impact:"):
        return world.impact_report.pk
    if name.startswith(("syntheses:", "reports:", "evaluation_scopes:")):
        # Syntheses name their scope by key; theirs is a coordination group.
        if argument == "key":
            return f"cg-{world.theirs.pk}"
        if argument == "code":
            return "A01"
    if name.startswith("projects:summary"):
        if argument == "key":
            return f"cg-{world.theirs.pk}"
        if argument == "kind":
            return "csv"
    if argument == "batch" and name.startswith("network_import:"):
        # The secretariat's network import: a real batch, so its 404 comes from the gate.
        return world.network_batch.pk
    if argument == "pk":
        if name.startswith("contact:"):
            return world.secretariat_message.pk
        if name == "projects:participant_invitation_revoke":
            return world.participant_invitation.pk
        if name.startswith("projects:"):
            return world.choice.pk
        if name.startswith("applications:"):
            return world.application.pk
        if "profile" in name:
            return world.profile.pk
        if "member" in name:
            return world.member.pk
        if "invitation" in name:
            return world.invitation.pk
    if argument in values:
        return values[argument]
    raise AssertionError(f"The walk cannot fill <{argument}> of {name}: teach _argument.")


def _reverse(world: World, name: str, pattern: URLPattern, method: str = "get") -> str:
    arguments = list(pattern.pattern.converters)
    return reverse(name, kwargs={arg: _argument(world, name, arg, method) for arg in arguments})


def _edge_url(world: World, name: str, pattern: URLPattern, argument: str, value: str) -> str:
    """The pattern's address with value in place of argument, the others filled as usual."""
    kwargs = {arg: _argument(world, name, arg, "get") for arg in pattern.pattern.converters}
    number = isinstance(pattern.pattern.converters[argument], IntConverter)
    kwargs[argument] = _STAND_IN_NUMBER if number else _STAND_IN_TEXT
    url = reverse(name, kwargs=kwargs)
    return url.replace(str(kwargs[argument]), value)


def _refused(get: int, post: int) -> bool:
    """Both methods refused; 405 counts for the one a view does not take (it tells nothing:
    any group's address answers it the same way), but not for both."""
    return {get, post} <= REFUSED | {405} and (get in REFUSED or post in REFUSED)


@pytest.fixture
def world(db) -> World:
    outsider = make_user(username="outsider")
    make_coordination_group(name="Mine", facilitator=outsider)
    facilitator = make_user(username="their-facilitator")
    theirs = make_coordination_group(name="Theirs", facilitator=facilitator)
    hg = make_homogeneous_group(tenant=theirs, name="Their young people")
    page = make_page(space=theirs.space, title="Their page", author=facilitator)
    with cross_tenant():
        invitation, token = invitation_create(
            group=theirs, email="newcomer@example.org", role="editor", actor=facilitator
        )
    member = NetworkMember.objects.create(
        kind=NetworkMember.Kind.FULL,
        nature=NetworkMember.Nature.COORDINATION_GROUP,
        name=theirs.name,
        coordination_group=theirs,
        country=theirs.country,
        joined_on=timezone.localdate(),
    )
    criterion = make_criterion(tenant=theirs, group=hg, text="Their criterion")
    question = Question.objects.create(tenant=theirs, code="Q4", texts={"en": "Their question?"})
    batch = ImportBatch.objects.create(tenant=theirs, file_sha256="0" * 64, filename="theirs.csv")
    network_batch = NetworkImportBatch.objects.create(file_sha256="1" * 64, filename="network.csv")
    report = Report.objects.create(
        scope="cg", scope_id=theirs.pk, language="en", status=Report.Status.DONE
    )
    participant = participant_join(
        actor=facilitator,
        kind="territory",
        subtype="local_platform",
        name=theirs.name,
        coordination_group=theirs,
    )
    choice = choice_create(
        participant=participant,
        actor=facilitator,
        category="mobility",
        title="Their choice",
        description="",
        started_on=timezone.localdate(),
        status="started",
        results="",
        emissions_change_kg=None,
    )
    workshop = workshop_create(
        actor=facilitator,
        title="Their workshop",
        starts_at=timezone.now() + datetime.timedelta(days=2),
        time_zone="Europe/Paris",
        duration_minutes=60,
        languages=["en"],
        meeting_url="https://meet.example.org/theirs",
        capacity=10,
    )
    charter = charter_draft(actor=facilitator, title="Their charter")
    participant_invitation, participant_token = participant_invitation_create(
        participant=participant, actor=facilitator, email="writer@example.org", role="manager"
    )
    progress = _progress_of(theirs, facilitator, hg)
    return World(
        **progress,
        **_contact_of(theirs),
        letter=_network_letter(),
        **_network_event(),
        outsider=outsider,
        theirs=theirs,
        hg=hg,
        page=page,
        token=token,
        application=make_application(),
        profile=Profile.objects.first(),
        member=member,
        facilitator=facilitator,
        invitation=invitation,
        criterion=criterion,
        question=question,
        batch=batch,
        network_batch=network_batch,
        report=report,
        participant=participant,
        choice=choice,
        workshop=workshop,
        charter=charter,
        participant_invitation=participant_invitation,
        participant_token=participant_token,
    )


def _progress_of(theirs, facilitator, hg) -> dict:
    """Their published, shared indicator, a draft evaluation session on it, a published action
    with a pledge, and a done impact report of that action."""
    indicator = indicator_create(
        tenant=theirs,
        actor=facilitator,
        component=Component.objects.get(version__is_current=True, code="A01"),
        language="en",
        title="Their indicator",
    )
    indicator = indicator_publish(tenant=theirs, actor=facilitator, indicator=indicator)
    indicator = indicator_share(tenant=theirs, actor=facilitator, indicator=indicator, shared=True)
    session = session_create(
        tenant=theirs,
        actor=facilitator,
        title="Their session",
        held_on=timezone.localdate(),
        group=hg,
        participants=10,
        indicators=[indicator],
    )
    action = action_create(
        tenant=theirs, actor=facilitator, title="Their action", language="en", published=True
    )
    pledge = pledge_create(
        tenant=theirs,
        actor=facilitator,
        action=action,
        pledger="person",
        offer="time",
    )
    with cross_tenant():
        impact_report = ImpactReport.objects.create(
            tenant=theirs, action=action, language="en", status=ImpactReport.Status.DONE
        )
    return {
        "indicator": indicator,
        "session": session,
        "action": action,
        "pledge": pledge,
        "impact_report": impact_report,
    }


def _network_letter() -> object:
    """A letter of the network's secretariat, being sent (public from then on)."""
    secretary = make_user(username="the-secretary", secretariat=True)
    letter = letter_create(actor=secretary, title="The letter", language="en", body="News.")
    return letter_send(letter=letter, actor=secretary)


def _contact_of(theirs) -> dict:
    """A message to their facilitators, and one to the secretariat."""
    with cross_tenant():
        return {
            name: ContactMessage.objects.create(
                tenant=tenant,
                sender_name="Claire",
                sender_email="claire@example.org",
                subject="Hello",
                body="Some words.",
            )
            for name, tenant in (("contact_message", theirs), ("secretariat_message", None))
        }


def _network_event() -> dict:
    """An announced event of the network with one session to come."""
    organiser = make_user(username="events-secretary", secretariat=True)
    event = event_create(
        actor=organiser, kind="training", title="Seminar", time_zone="UTC", languages=["en"]
    )
    start = timezone.now() + datetime.timedelta(days=3)
    event_session = session_add(
        event=event,
        actor=organiser,
        title="Day one",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        meeting_url="https://meet.example.org/seminar",
    )
    return {"event": event_publish(event=event, actor=organiser), "event_session": event_session}


def _log_in(client, world: World) -> None:
    # Again before every request: the walk passes through logout and password change.
    client.force_login(world.outsider)


def test_every_non_public_url_refuses_an_outsider(client, world):
    _log_in(client, world)
    problems = []
    walked = 0
    for name, pattern in _patterns(get_resolver()):
        url = _reverse(world, name, pattern)
        walked += 1
        _log_in(client, world)
        get = client.get(url).status_code
        _log_in(client, world)
        post = client.post(
            _reverse(world, name, pattern, "post"),
            {"body": "x", "reason": "x", "role": "facilitator"},
        ).status_code
        if name in PUBLIC:
            if get >= 500 or post >= 500:
                problems.append(f"{name} {url}: GET {get}, POST {post}")
            elif name not in POST_ALLOWED and post not in REFUSED | {405}:
                problems.append(f"{name} {url}: public to read, but POST answered {post}")
            continue
        if not _refused(get, post):
            problems.append(f"{name} {url}: GET {get}, POST {post} (expected 403/404)")
    assert walked > 60
    assert not problems, "\n".join(problems)


def test_every_url_of_a_hidden_group_refuses_an_outsider(client, world):
    theirs = world.theirs
    theirs.is_hidden = True
    theirs.save(update_fields=["is_hidden"])
    theirs.space.is_public = False
    theirs.space.save(update_fields=["is_public"])
    caching.invalidate(structure=True)
    _log_in(client, world)
    problems = []
    for name, pattern in _patterns(get_resolver()):
        names_theirs = (
            TENANT_ARGUMENTS & set(pattern.pattern.converters)
            or name.startswith(("syntheses:", "reports:", "evaluation_scopes:"))
            or name in {"projects:summary", "projects:summary_export", "projects:summary_report"}
        )
        if not names_theirs:
            continue
        statuses = {}
        for method in ("get", "post"):
            _log_in(client, world)
            url = _reverse(world, name, pattern, method)
            statuses[method] = getattr(client, method)(url).status_code
        if not _refused(statuses["get"], statuses["post"]):
            problems.append(f"{name} {url}: {statuses} (expected 403/404)")
    assert not problems, "\n".join(problems)


# Over-long space slugs become over-long cache keys, which only memcached would refuse.
@pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning")
def test_no_url_answers_500_to_a_nul_or_an_over_long_argument(client, world):
    client.raise_request_exception = False
    problems = []
    tried = 0
    for name, pattern in _patterns(get_resolver()):
        for argument in pattern.pattern.converters:
            for label, value in EDGE_VALUES.items():
                url = _edge_url(world, name, pattern, argument, value)
                for method in ("get", "post"):
                    _log_in(client, world)
                    status = getattr(client, method)(url).status_code
                    tried += 1
                    if status >= 500:
                        problems.append(f"{name} <{argument}> {label}: {method.upper()} {status}")
    assert tried > 1000
    assert not problems, "\n".join(problems)


def test_no_url_answers_500_to_a_nul_in_its_query_string(client, world):
    client.raise_request_exception = False
    problems = []
    for name, pattern in _patterns(get_resolver()):
        url = _reverse(world, name, pattern) + "?q=%00&next=%00&%00=x"
        _log_in(client, world)
        status = client.get(url).status_code
        if status >= 500:
            problems.append(f"{name} {url}: GET {status}")
    assert not problems, "\n".join(problems)


# What no group holds, for the fourth walk: a group's slug, and an object's number or slug.
MISSING_GROUP = "no-such-group"
MISSING_NUMBER = 999_999_999
MISSING_SLUG = "no-such-thing"


def _group_addresses(world: World) -> Iterator[tuple[str, URLPattern, str, str]]:
    """(name, pattern, variant, address) for every pattern under /cg/, with a group that does
    not exist and, one argument at a time, an object of theirs that does not exist."""
    for name, pattern in _patterns(get_resolver()):
        converters = pattern.pattern.converters
        if "cg" not in converters or not _reverse(world, name, pattern).startswith("/cg/"):
            continue
        kwargs = {arg: _argument(world, name, arg, "get") for arg in converters}
        yield name, pattern, "no such group", reverse(name, kwargs={**kwargs, "cg": MISSING_GROUP})
        for argument, converter in converters.items():
            if argument == "cg":
                continue
            if isinstance(converter, IntConverter):
                missing: object = MISSING_NUMBER
            elif isinstance(converter, SlugConverter):
                missing = MISSING_SLUG
            else:
                raise AssertionError(f"No missing value for <{argument}> of {name}: add one.")
            address = reverse(name, kwargs={**kwargs, argument: missing})
            yield name, pattern, f"no such <{argument}>", address


def _answer(response, address: str) -> tuple[int, str]:
    """Status and where it leads, the address itself taken out (for a login offer, after
    checking that its `next` is the address)."""
    location = response.get("Location") or response.get("HX-Redirect") or ""
    if location:
        parts = urlsplit(location)
        assert parse_qs(parts.query).get("next") == [address], f"{address}: {location}"
        location = parts.path + "?next=<path>"
    return response.status_code, location


LOGIN_OFFER = (302, f"{reverse('accounts:login')}?next=<path>")


def test_anonymous_gets_one_login_offer_and_an_outsider_404_on_every_group_address(client, world):
    """Anonymous: a private page of theirs, any page of theirs hidden, a group that does not
    exist and an object that does not exist answer the same login offer (GET; 405 when the
    view takes POST only, the same for all), and a POST a 4xx (the same for all once theirs
    is hidden). A signed-in
    outsider: 404 for all of them (405 where GET is not taken), never the login."""
    addresses: dict[str, dict[str, str]] = {}
    for name, pattern in _patterns(get_resolver()):
        url = _reverse(world, name, pattern)
        if url.startswith("/cg/") and name not in PUBLIC:
            addresses.setdefault(name, {})["private page of theirs"] = url
    for name, _pattern, variant, address in _group_addresses(world):
        addresses.setdefault(name, {})[variant] = address
    theirs = world.theirs
    hidden: dict[str, str] = {}
    for name, pattern in _patterns(get_resolver()):
        url = _reverse(world, name, pattern)
        if url.startswith("/cg/"):
            hidden[name] = url

    def walk(label: str, names: dict[str, dict[str, str]], *, same_post: bool) -> list[str]:
        expected = LOGIN_OFFER if label == "anonymous" else (404, "")
        problems = []
        for name, variants in names.items():
            answers = {}
            for variant, address in variants.items():
                statuses = []
                for method in ("get", "post"):
                    if label == "anonymous":
                        client.logout()
                    else:
                        _log_in(client, world)
                    sent = client.get(address) if method == "get" else client.post(address)
                    statuses.append(_answer(sent, address))
                get, post = statuses
                answers[variant] = (get, post) if same_post else get
                if get not in (expected, (405, "")) or not 400 <= post[0] < 500:
                    problems.append(f"{label} {name} {variant} {address}: GET {get}, POST {post}")
            if len(set(answers.values())) > 1:
                problems.append(f"{label} {name}: different answers {answers}")
        return problems

    # Theirs visible: a POST to a public page may tell 405 (it exists) from 404 (no group).
    problems = walk("anonymous", addresses, same_post=False)
    problems += walk("outsider", addresses, same_post=False)
    theirs.is_hidden = True
    theirs.save(update_fields=["is_hidden"])
    caching.invalidate(structure=True)
    for name, url in hidden.items():
        addresses.setdefault(name, {})["theirs hidden"] = url
        addresses[name].pop("private page of theirs", None)
    problems += walk("anonymous", addresses, same_post=True)
    problems += walk("outsider", addresses, same_post=True)
    assert len(addresses) > 30
    assert not problems, "\n".join(problems)


def test_the_admin_sends_a_non_staff_user_to_its_login(client, world):
    _log_in(client, world)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_public_list_names_only_patterns_that_exist():
    names = {name for name, _pattern in _patterns(get_resolver())}

    assert set(PUBLIC) - names == set()
