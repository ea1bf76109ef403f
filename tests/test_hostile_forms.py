"""Every form against hostile values: no 500, a clear message, nothing saved.

Each form starts from a payload it accepts; one field at a time takes hostile values (a 1 MB
string, one of multi-byte characters, a bidirectional override, impossible dates, NaN,
infinities, numbers past what the database holds, empty and blank strings). Control characters
are refused before any view (tests/test_edge_input.py) and uploads have their own suite
(tests/test_hostile_uploads.py).

A value the form must refuse leaves every row of the form's models as it was and shows a
message: a 4xx, or the form again, with the message in an error list or an alert. A value the
form may accept (a bidi override in a title, a blank optional field) must leave only sane rows:
integers that PostgreSQL holds, finite numbers, dates between 1900 and 2200, short fields within
their max_length and free of bidi overrides. Each value is posted inside a savepoint rolled back
afterwards, so the values never see each other's rows.

The parsers (full codes, the dates of a criteria import, meeting dates, the number fields of
the project's forms) are checked with Hypothesis: any text gives a value or the module's own
refusal, never another exception, and parsing again what came out gives the same.
"""

import csv
import datetime
import decimal
import io
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given, settings
from hypothesis import strategies as st

from criteria.codes import FULL_CODE_MAX_LENGTH, full_code_parse
from criteria.models import Classification, Criterion, GridVersion, Question
from criteria.seed import grid_seed_rows
from criteria.transfer.imports import (
    EARLIEST_YEAR,
    FileProblem,
    Lookups,
    _parse_dates,
    check_table,
    read_table,
)
from projects import services as project_services
from projects.forms import ChoiceForm, FootprintForm, JoinForm
from projects.models import (
    AnswerPool,
    Category,
    Charter,
    CharterVote,
    Choice,
    ChoiceComment,
    ChoiceShare,
    Footprint,
    Participant,
    ParticipantAnswer,
    ParticipantInvitation,
    ParticipantMember,
    QuarterlyReview,
    Workshop,
    WorkshopSignup,
)
from syntheses.models import Report
from syntheses.services import syntheses_recompute_all
from territories.events import services as event_services
from territories.models import (
    Application,
    ApplicationComment,
    ContactMessage,
    CoordinationGroup,
    Event,
    EventSession,
    HomogeneousGroup,
    Invitation,
    Locality,
    Membership,
    MembershipRequest,
    MembershipRequestComment,
    NetworkMember,
    Profile,
    Region,
)
from territories.secretariat.services import coordination_group_hide
from territories.services import TerritoryError, meeting_dates_clean, membership_set
from tests.factories import (
    make_application,
    make_coordination_group,
    make_country,
    make_criterion,
    make_homogeneous_group,
    make_page,
    make_user,
    network_space,
    reference_data,
)
from wikispiral.accounts.forms import make_form_stamp
from wikispiral.accounts.models import User
from wikispiral.errors import DomainError
from wikispiral.notifications.models import Follow, Preference
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.models import Page, Revision

pytestmark = pytest.mark.django_db

HUGE = "x" * 1_048_576
# 1 MB of UTF-8 in two-byte characters (3 MB once percent-encoded: still under the 5 MB limit).
HUGE_MULTIBYTE = "é" * 524_288
BIDI = "abc\u202eevil"
BLANK = " \t  "

DATE_BAD = {
    "feb30": "2025-02-30",
    "zeros": "0000-00-00",
    "year99999": "99999-01-01",
    "month13": "2025-13-01",
    "words": "not a date",
    "year1": "0001-01-01",
    "year9999": "9999-12-31",
    "negative": "-1",
    "nan": "NaN",
    "1mb": HUGE,
}
DATETIME_BAD = {
    "feb30": "2025-02-30T10:00",
    "zeros": "0000-00-00T00:00",
    "year99999": "99999-01-01T10:00",
    "month13": "2025-13-01T10:00",
    "hour25": "2026-01-01T25:00",
    "words": "not a date",
    "year1": "0001-01-01T00:00",
    "year9999": "9999-12-31T23:59",
    "nan": "NaN",
    "1mb": HUGE,
}
NUMBER_BAD = {
    "nan": "NaN",
    "inf": "inf",
    "-inf": "-inf",
    "1e309": "1e309",
    "1e-400": "1e-400",
    "50_nines": "9" * 50,
    "superscript_two": "²",
    "2**31": str(2**31),
    "-2**31-1": str(-(2**31) - 1),
    "words": "twelve",
    "1mb_digits": "9" * 1_048_576,
}
CHOICE_BAD = {"1mb": HUGE, "bidi": BIDI, "nan": "NaN", "negative": "-1", "50_nines": "9" * 50}

# What PostgreSQL holds in each integer column (SQLite holds more and would hide an overflow).
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges
PLAUSIBLE_YEARS = range(1900, 2201)


# --- What a form field is, and which hostile values it must refuse ----------------------------


@dataclass(frozen=True)
class Field:
    """A field of a form: its kind decides the hostile values it gets.

    line, text: free text (bounded). code: text that must name something (a component, a
    network id): anything odd is refused. choice: one of a list. date, datetime, dates (a
    text of dates), int, decimal. required: an empty or blank value is refused. negative: a
    negative number is a valid value (a change of emissions). ignored: a hidden reference
    that names nothing is dropped, not refused (the form may then save without it)."""

    name: str
    kind: str
    required: bool = False
    negative: bool = False
    ignored: bool = False


def _cases(spec: Field) -> list[tuple[str, str, bool]]:
    """(id, value, must the form refuse it?) for spec."""
    if spec.ignored:
        return [(key, value, False) for key, value, _refuse in _cases(Field(spec.name, spec.kind))]
    empties = [("empty", "", spec.required), ("blank", BLANK, spec.required)]
    huge = [("1mb", HUGE, True), ("1mb_multibyte", HUGE_MULTIBYTE, True)]
    if spec.kind in ("line", "text"):
        return [*huge, ("bidi", BIDI, False), *empties]
    if spec.kind == "code":
        return [*huge, ("bidi", BIDI, True), *empties]
    if spec.kind == "choice":
        return [*((key, value, True) for key, value in CHOICE_BAD.items()), *empties]
    if spec.kind == "date":
        return [*((key, value, True) for key, value in DATE_BAD.items()), *empties]
    if spec.kind == "datetime":
        return [*((key, value, True) for key, value in DATETIME_BAD.items()), *empties]
    if spec.kind == "dates":
        return [
            *((key, value, True) for key, value in DATE_BAD.items()),
            ("bidi", f"2025-03-14{BIDI}", True),
            *empties,
        ]
    if spec.kind in ("int", "decimal"):
        return [
            *((key, value, True) for key, value in NUMBER_BAD.items()),
            ("negative", "-1", not spec.negative),
            ("fraction", "1.5", spec.kind == "int"),
            ("1mb", HUGE, True),
            *empties,
        ]
    raise ValueError(spec.kind)


# --- The forms ------------------------------------------------------------------------------


@dataclass
class Built:
    """A form ready to post: who posts, where, a payload it accepts, the models it writes."""

    client: Client
    url: str
    payload: dict
    models: tuple[type[models.Model], ...]


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _wiki_new() -> Built:
    network_space()
    return Built(
        _logged_in(make_user()),
        reverse("wiki:page_new", kwargs={"space": "network", "lang": "en"}),
        {"title": "Mulhouse", "body": "Some text.", "comment": "", "action": "save"},
        (Page, Revision),
    )


def _wiki_edit() -> Built:
    page = make_page(title="Mulhouse")
    payload = {
        "title": "Mulhouse",
        "body": "Other text.",
        "comment": "Typo",
        "base_revision": page.current_revision_id,
        "action": "save",
    }
    return Built(_logged_in(make_user()), page.url_for("edit"), payload, (Page, Revision))


def _wiki_move() -> Built:
    page = make_page(title="Mulhouse")
    payload = {"title": "Mulhouse-Bourtzwiller", "slug": "", "comment": "Renamed"}
    return Built(
        _logged_in(make_user(secretariat=True)), page.url_for("move"), payload, (Page, Revision)
    )


def _signup() -> Built:
    payload = {
        "username": "maria",
        "email": "maria@example.org",
        "display_name": "Maria",
        "preferred_language": "pt",
        "password": "correct-horse-battery-9",
        "password_confirm": "correct-horse-battery-9",
        "stamp": make_form_stamp(time.time() - 60),
        "website": "",
    }
    return Built(Client(), reverse("accounts:signup"), payload, (User,))


def _profile() -> Built:
    user = make_user(display_name="Ana")
    payload = {
        "display_name": "Ana Lopes",
        "email": user.email,
        "preferred_language": "pt",
        "time_zone": "Europe/Lisbon",
    }
    return Built(_logged_in(user), reverse("accounts:profile"), payload, (User,))


def _apply() -> Built:
    make_country()
    payload = {
        "name": "Mulhouse Bourtzwiller",
        "kind": CoordinationGroup.Kind.TERRITORY,
        "actor_type": "Municipality",
        "country": "FR",
        "region": "",
        "locality": "",
        "place": "Bourtzwiller",
        "applicant_name": "Claire Martin",
        "applicant_role": "Deputy mayor",
        "applicant_email": "claire@example.org",
        "applicant_language": "en",
        "description": "A neighbourhood of 10,000 people.",
        "stakeholders": "Social centre",
        "motivation": "We want residents to say what well-being means here.",
        "languages": ["fr", "ar"],
        "consent_to_publish": "on",
        "stamp": make_form_stamp(time.time() - 60),
        "website": "",
    }
    return Built(Client(), reverse("applications:apply"), payload, (Application,))


def _secretariat_on_application(action: str, payload: dict) -> Callable[[], Built]:
    def build() -> Built:
        application = make_application()
        return Built(
            _logged_in(make_user(secretariat=True)),
            reverse(f"applications:{action}", kwargs={"pk": application.pk}),
            payload,
            (Application, ApplicationComment, CoordinationGroup),
        )

    return build


def _membership_payload() -> dict:
    make_country(code="BE", name="Belgium")
    return {
        "kind": NetworkMember.Kind.ASSOCIATE,
        "nature": NetworkMember.Nature.ORGANISATION,
        "name": "Villages Solidaires",
        "country": "BE",
        "web_address": "https://villages.example.org",
        "description": "An association of villages.",
        "motivation": "We share the network's aims.",
        "applicant_name": "Marie Dubois",
        "applicant_email": "marie@example.org",
        "applicant_language": "fr",
        "consent_to_list": "on",
        "stamp": make_form_stamp(time.time() - 60),
        "website": "",
    }


def _membership_apply() -> Built:
    return Built(Client(), reverse("membership:apply"), _membership_payload(), (MembershipRequest,))


def _platform_membership() -> Built:
    facilitator = make_user()
    group = make_coordination_group(facilitator=facilitator)
    payload = {
        key: value
        for key, value in _membership_payload().items()
        if key not in ("kind", "nature", "name", "country", "stamp", "website")
    }
    return Built(
        _logged_in(facilitator),
        reverse("membership:group_apply", kwargs={"cg": group.slug}),
        payload,
        (MembershipRequest,),
    )


def _secretariat_on_membership(action: str, payload: dict) -> Callable[[], Built]:
    def build() -> Built:
        from territories.membership.services import MembershipDetails, membership_request_submit

        request = membership_request_submit(
            actor=None,
            data=MembershipDetails(
                kind=NetworkMember.Kind.ASSOCIATE,
                nature=NetworkMember.Nature.PERSON,
                name="Ana Ribeiro",
                coordination_group=None,
                country=make_country(),
                website="",
                description="",
                motivation="To follow the network.",
                applicant_name="Ana Ribeiro",
                applicant_email="ana@example.org",
                applicant_language="pt",
                consent_to_list=True,
            ),
        )
        return Built(
            _logged_in(make_user(secretariat=True)),
            reverse(f"membership:{action}", kwargs={"pk": request.pk}),
            payload,
            (MembershipRequest, MembershipRequestComment, NetworkMember),
        )

    return build


_MEMBERSHIP_FIELDS = (
    Field("web_address", "code"),
    Field("description", "text"),
    Field("motivation", "text", required=True),
    Field("applicant_name", "line", required=True),
    Field("applicant_email", "code", required=True),
    Field("applicant_language", "choice", required=True),
)


def _group_edit() -> Built:
    facilitator = make_user()
    group = make_coordination_group(facilitator=facilitator)
    payload = {
        "name": group.name,
        "actor_type": "Municipality",
        "level": group.level,
        "referent": "",
        "region": "",
        "locality": "",
        "latitude": "47.75",
        "longitude": "7.33",
        "platform_description": "We listen.",
        "territory_description": "",
        "process_summary": "",
        "stakeholders": "",
        "contacts": "",
        "support_needs": "",
        "languages": ["en"],
        "other_languages": "ar",
    }
    return Built(
        _logged_in(facilitator),
        reverse("groups:edit", kwargs={"cg": group.slug}),
        payload,
        (CoordinationGroup,),
    )


def _hg_payload() -> dict:
    return {
        "name": "Young people",
        "profile": Profile.objects.filter(is_active=True).order_by("order").first().pk,
        "profile_other": "aged 15 to 18",
        "language": "fr",
        "meeting_dates": "2025-03-14\n2025-02-01",
        "participants": "12",
        "participants_women": "7",
        "participants_men": "5",
        "participants_other": "",
        "notes": "Met at the youth centre.",
    }


def _hg_new() -> Built:
    facilitator = make_user()
    group = make_coordination_group(facilitator=facilitator)
    return Built(
        _logged_in(facilitator),
        reverse("groups:homogeneous_group_new", kwargs={"cg": group.slug}),
        _hg_payload(),
        (HomogeneousGroup, Page),
    )


def _hg_edit() -> Built:
    facilitator = make_user()
    group = make_coordination_group(facilitator=facilitator)
    with cross_tenant():
        hg = make_homogeneous_group(tenant=group, name="Young people", slug="young-people")
    return Built(
        _logged_in(facilitator),
        reverse("groups:homogeneous_group_edit", kwargs={"cg": group.slug, "hg": hg.slug}),
        _hg_payload(),
        (HomogeneousGroup, Page),
    )


def _citizens_group() -> Built:
    country = make_country()
    region = Region.objects.create(country=country, name="Grand Est", slug="grand-est")
    Locality.objects.create(region=region, name="Mulhouse", slug="mulhouse")
    payload = {
        "name": "Neighbours of Bourtzwiller",
        "profile": Profile.objects.filter(is_active=True).order_by("order").first().pk,
        "profile_other": "",
        "language": "fr",
        "description": "Eight neighbours who meet at the community centre.",
        "country": country.pk,
        "region": "Grand Est",
        "locality": "Mulhouse",
    }
    return Built(
        _logged_in(make_user()),
        reverse("groups:citizens_group_new"),
        payload,
        (CoordinationGroup, HomogeneousGroup),
    )


def _group_invite() -> Built:
    facilitator = make_user()
    group = make_coordination_group(facilitator=facilitator)
    return Built(
        _logged_in(facilitator),
        reverse("groups:members", kwargs={"cg": group.slug}),
        {"email": "zoe@example.org", "role": "editor", "language": "fr"},
        (Invitation,),
    )


def _questions() -> Built:
    facilitator = make_user()
    group = make_coordination_group(facilitator=facilitator)
    payload = {
        "code": "Q4",
        "text_en": "What about future generations?",
        "text_fr": "",
        "text_pt": "",
        "short_name_en": "Future",
        "short_name_fr": "",
        "short_name_pt": "",
        "order": "4",
    }
    return Built(
        _logged_in(facilitator),
        reverse("grid:questions", kwargs={"cg": group.slug}),
        payload,
        (Question,),
    )


@dataclass
class _Criteria:
    facilitator: User
    tenant: CoordinationGroup
    group: HomogeneousGroup

    def url(self, name: str, **kwargs: object) -> str:
        return reverse(
            f"entry:{name}", kwargs={"cg": self.tenant.slug, "hg": self.group.slug, **kwargs}
        )


def _criteria_setup() -> _Criteria:
    facilitator = make_user()
    tenant = make_coordination_group(facilitator=facilitator)
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant, language="fr", meeting_dates=["2026-03-14"])
    return _Criteria(facilitator, tenant, group)


def _q1() -> Question:
    return Question.objects.shared().get(code="Q1")


def _entry_add() -> Built:
    setup = _criteria_setup()
    payload = {
        "question": _q1().pk,
        "text": "Bread for everyone\nClean air",
        "session_date": "2026-03-14",
        "language": "fr",
        "component": "",
    }
    return Built(
        _logged_in(setup.facilitator), setup.url("add"), payload, (Criterion, Classification)
    )


def _entry_edit() -> Built:
    setup = _criteria_setup()
    with cross_tenant():
        criterion = make_criterion(tenant=setup.tenant, group=setup.group, text="Bred")
    payload = {"question": _q1().pk, "text": "Bread", "component": "A01"}
    return Built(
        _logged_in(setup.facilitator),
        setup.url("edit", criterion=criterion.pk),
        payload,
        (Criterion, Classification),
    )


def _classify() -> Built:
    setup = _criteria_setup()
    with cross_tenant():
        criterion = make_criterion(tenant=setup.tenant, group=setup.group)
    return Built(
        _logged_in(setup.facilitator),
        reverse(
            "classification:classify", kwargs={"cg": setup.tenant.slug, "criterion": criterion.pk}
        ),
        {"component": "A01", "full_code": "A01-11/P15/k", "back": "criterion"},
        (Criterion, Classification),
    )


def _dispute() -> Built:
    setup = _criteria_setup()
    with cross_tenant():
        criterion = make_criterion(tenant=setup.tenant, group=setup.group, component="A01")
    return Built(
        _logged_in(setup.facilitator),
        reverse(
            "classification:dispute", kwargs={"cg": setup.tenant.slug, "criterion": criterion.pk}
        ),
        {"note": "Rather housing.", "back": "criterion"},
        (Criterion, Classification),
    )


def _report_request() -> Built:
    setup = _criteria_setup()
    with cross_tenant():
        make_criterion(tenant=setup.tenant, group=setup.group, component="A01")
    payload = {
        "report_language": "en",
        "year_from": "2025",
        "year_to": "2026",
        "question": "Q1",
        "profile": "",
        "language": "fr",
    }
    return Built(
        _logged_in(setup.facilitator),
        reverse("reports:request", kwargs={"key": f"cg-{setup.tenant.pk}"}),
        payload,
        (Report,),
    )


def _member() -> tuple[Participant, User]:
    user = make_user()
    participant = project_services.participant_join(
        actor=user, kind="citizen", subtype="family", name="The Martins", people=4
    )
    return participant, user


def _join() -> Built:
    reference_data()
    payload = {"kind": "citizen", "subtype": "family", "name": "The Martins", "people": "4"}
    return Built(
        _logged_in(make_user()),
        reverse("projects:join"),
        payload,
        (Participant, ParticipantMember),
    )


def _participant_edit() -> Built:
    participant, user = _member()
    return Built(
        _logged_in(user),
        reverse("projects:participant_edit", args=[participant.slug]),
        {"name": "The Martin-Diallos", "people": "5", "country": ""},
        (Participant,),
    )


def _choice_payload() -> dict:
    return {
        "title": "We cycle to school",
        "category": "mobility",
        "status": "started",
        "started_on": "2025-09-01",
        "description": "Four bikes, one trailer.",
        "results": "",
        "emissions_change_kg": "-450",
    }


def _choice_new() -> Built:
    participant, user = _member()
    return Built(
        _logged_in(user),
        reverse("projects:choice_new", args=[participant.slug]),
        _choice_payload(),
        (Choice,),
    )


def _a_choice() -> tuple[Participant, User, Choice]:
    participant, user = _member()
    fields = _choice_payload() | {
        "started_on": datetime.date(2025, 9, 1),
        "emissions_change_kg": -450,
    }
    choice = project_services.choice_create(participant=participant, actor=user, **fields)
    return participant, user, choice


def _choice_edit() -> Built:
    participant, user, choice = _a_choice()
    return Built(
        _logged_in(user),
        reverse("projects:choice_edit", args=[participant.slug, choice.pk]),
        _choice_payload() | {"status": "kept", "results": "Fitter."},
        (Choice,),
    )


def _choice_comment() -> Built:
    participant, _user, choice = _a_choice()
    return Built(
        _logged_in(make_user()),
        reverse("projects:choice_comment", args=[participant.slug, choice.pk]),
        {"body": "Well done!"},
        (ChoiceComment,),
    )


def _footprint() -> Built:
    participant, user = _member()
    payload = {
        "measured_on": "2025-06-01",
        "total_kg": "24000",
        "source": "Nos Gestes Climat",
        **{f"part_{value}": "" for value in Category.values},
        "part_food": "6000",
    }
    return Built(
        _logged_in(user),
        reverse("projects:footprint_new", args=[participant.slug]),
        payload,
        (Footprint,),
    )


def _organiser() -> User:
    user = make_user()
    make_coordination_group(facilitator=user)
    return user


def _workshop_new() -> Built:
    payload = {
        "title": "Mobility in small towns",
        "theme": "mobility",
        "audience": "everyone",
        "starts_at": _local(timezone.now() + datetime.timedelta(days=10)),
        "time_zone": "Atlantic/Cape_Verde",
        "duration_minutes": "90",
        "languages": "pt, fr",
        "meeting_url": "https://meet.example.org/m",
        "capacity": "25",
        "description": "",
    }
    return Built(_logged_in(_organiser()), reverse("projects:workshop_new"), payload, (Workshop,))


def _a_workshop(organiser: User, *, past: bool) -> Workshop:
    workshop = project_services.workshop_create(
        actor=organiser,
        title="Food",
        starts_at=timezone.now() + datetime.timedelta(days=1),
        time_zone="Europe/Paris",
        duration_minutes=60,
        languages=["en"],
        meeting_url="https://meet.example.org/food",
        capacity=10,
    )
    if past:
        Workshop.objects.filter(pk=workshop.pk).update(
            starts_at=timezone.now() - datetime.timedelta(days=1)
        )
        workshop.refresh_from_db()
    return workshop


def _workshop_conclude() -> Built:
    organiser = _organiser()
    workshop = _a_workshop(organiser, past=True)
    return Built(
        _logged_in(organiser),
        reverse("projects:workshop_conclude", args=[workshop.pk]),
        {"body": "1. Eat local.\n2. Waste less."},
        (Workshop, Page, Revision),
    )


def _charter_new() -> Built:
    return Built(
        _logged_in(_organiser()),
        reverse("projects:charter_new"),
        {"title": "Our charter", "workshop": ""},
        (Charter, Page),
    )


def _a_charter(organiser: User) -> Charter:
    return project_services.charter_draft(
        actor=organiser, title="Our charter", workshop=None, language="en"
    )


def _charter_open() -> Built:
    organiser = _organiser()
    charter = _a_charter(organiser)
    return Built(
        _logged_in(organiser),
        reverse("projects:charter_open", args=[charter.pk]),
        {"closes_at": _local(timezone.now() + datetime.timedelta(days=7))},
        (Charter,),
    )


def _charter_vote() -> Built:
    organiser = _organiser()
    charter = project_services.charter_open(
        charter=_a_charter(organiser),
        actor=organiser,
        closes_at=timezone.now() + datetime.timedelta(days=7),
    )
    participant, user = _member()
    return Built(
        _logged_in(user),
        reverse("projects:charter_vote", args=[charter.pk]),
        {"participant": participant.pk, "voice": CharterVote.Voice.REMARKS, "remarks": "Yes."},
        (CharterVote,),
    )


def _wellbeing() -> Built:
    participant, user = _member()
    participant.country = make_country()
    participant.save(update_fields=["country"])
    return Built(
        _logged_in(user),
        reverse("projects:wellbeing", args=[participant.slug]),
        {"session_date": "2025-10-03", "language": "fr", f"q{_q1().pk}": "Friends\nA garden"},
        (Criterion, HomogeneousGroup, AnswerPool, ParticipantAnswer),
    )


def _review_theme() -> Built:
    return Built(
        _logged_in(_organiser()),
        reverse("projects:review_theme", args=[2026, 3]),
        {"theme": "Energy at home"},
        (QuarterlyReview,),
    )


def _participant_members() -> Built:
    participant, user = _member()
    return Built(
        _logged_in(user),
        reverse("projects:participant_members", args=[participant.slug]),
        {"identifier": "rui@example.org", "role": "member"},
        (ParticipantMember, ParticipantInvitation),
    )


def _secretariat_profile() -> Built:
    reference_data()
    payload = {"name": "Retired people", "name_fr": "", "name_pt": "", "order": "100"}
    return Built(
        _logged_in(make_user(secretariat=True)),
        reverse("secretariat:profile_new"),
        payload | {"is_active": "on"},
        (Profile,),
    )


def _network_member() -> Built:
    country = make_country()
    payload = {
        "kind": NetworkMember.Kind.ASSOCIATE,
        "nature": NetworkMember.Nature.ORGANISATION,
        "name": "Friends of the Earth",
        "coordination_group": "",
        "network_id": "",
        "country": country.pk,
        "website": "https://example.org",
        "description": "An association.",
        "joined_on": "2024-03-01",
        "is_listed": "on",
    }
    return Built(
        _logged_in(make_user(secretariat=True)),
        reverse("secretariat:member_new"),
        payload,
        (NetworkMember,),
    )


def _group_hide() -> Built:
    group = make_coordination_group()
    return Built(
        _logged_in(make_user(secretariat=True)),
        reverse("secretariat:group_hide", kwargs={"cg": group.slug}),
        {"reason": "Spam."},
        (CoordinationGroup,),
    )


def _login() -> Built:
    make_user(username="ana", password="correct-horse-battery-9")
    return Built(
        Client(),
        reverse("accounts:login"),
        {"username": "ana", "password": "correct-horse-battery-9"},
        (User,),
    )


def _invitation_signup() -> Built:
    participant, user = _member()
    _invitation, token = project_services.participant_invitation_create(
        participant=participant, actor=user, email="rui@example.org", role="member"
    )
    payload = {
        "username": "rui",
        "display_name": "Rui",
        "password": "correct-horse-battery-9",
        "password_confirm": "correct-horse-battery-9",
    }
    return Built(
        Client(),
        reverse("projects:invitation", kwargs={"token": token}),
        payload,
        (User, ParticipantMember),
    )


def _entry_undo() -> Built:
    setup = _criteria_setup()
    with cross_tenant():
        criterion = make_criterion(tenant=setup.tenant, group=setup.group)
    return Built(
        _logged_in(setup.facilitator),
        setup.url("undo"),
        {"criterion": [criterion.pk]},
        (Criterion,),
    )


def _member_role() -> Built:
    facilitator = make_user()
    group = make_coordination_group(facilitator=facilitator)
    member = make_user()
    membership_set(group=group, user=member, role=Membership.Role.EDITOR)
    return Built(
        _logged_in(facilitator),
        reverse("groups:member_role", kwargs={"cg": group.slug, "user_id": member.pk}),
        {"role": Membership.Role.FACILITATOR},
        (Membership,),
    )


def _group_unhide() -> Built:
    secretariat = make_user(secretariat=True)
    group = make_coordination_group()
    coordination_group_hide(group=group, actor=secretariat, reason="Spam.")
    return Built(
        _logged_in(secretariat),
        reverse("secretariat:group_unhide", kwargs={"cg": group.slug}),
        {"reason": "Cleaned up."},
        (CoordinationGroup,),
    )


def _workshop_signup() -> Built:
    workshop = _a_workshop(_organiser(), past=False)
    participant, user = _member()
    return Built(
        _logged_in(user),
        reverse("projects:workshop_signup", args=[workshop.pk]),
        {"participant": participant.pk},
        (WorkshopSignup,),
    )


def _choice_share() -> Built:
    owner, _owner_user, choice = _a_choice()
    participant, user = _member()
    return Built(
        _logged_in(user),
        reverse("projects:choice_share", args=[owner.slug, choice.pk]),
        {"participant": participant.pk},
        (ChoiceShare,),
    )


def _contact_payload() -> dict:
    return {
        "name": "Claire Martin",
        "email": "claire@example.org",
        "subject": "Joining the network",
        "body": "Our town would like to run SPIRAL with its residents.",
        "stamp": make_form_stamp(time.time() - 60),
        "website": "",
    }


def _contact() -> Built:
    return Built(Client(), reverse("contact:secretariat"), _contact_payload(), (ContactMessage,))


def _group_contact() -> Built:
    group = make_coordination_group(facilitator=make_user())
    url = reverse("contact:group", kwargs={"cg": group.slug})
    return Built(Client(), url, _contact_payload(), (ContactMessage,))


_CONTACT_FIELDS = (
    Field("name", "line", required=True),
    Field("email", "code", required=True),
    Field("subject", "line", required=True),
    Field("body", "text", required=True),
)


def _events_secretary() -> User:
    return make_user(secretariat=True)


def _event_new() -> Built:
    payload = {
        "kind": "training",
        "title": "Seminar for facilitators",
        "slug": "",
        "description": "",
        "time_zone": "Europe/Paris",
        "languages": ["en", "fr"],
        "is_online": "on",
        "place": "",
        "meeting_url": "https://meet.example.org/seminar",
        "audience": "",
        "theme": "",
    }
    return Built(_logged_in(_events_secretary()), reverse("events:new"), payload, (Event,))


def _an_event(organiser: User, *, past: bool = False) -> Event:
    event = event_services.event_create(
        actor=organiser, kind="training", title="Seminar", time_zone="UTC", languages=["en", "fr"]
    )
    start = timezone.now() + datetime.timedelta(days=-1 if past else 5)
    event_services.session_add(
        event=event,
        actor=organiser,
        title="Opening",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    return event_services.event_publish(event=event, actor=organiser)


def _event_session_new() -> Built:
    organiser = _events_secretary()
    event = _an_event(organiser)
    start = timezone.now() + datetime.timedelta(days=6)
    payload = {
        "title": "Second day",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "languages": ["fr"],
        "place": "",
        "meeting_url": "",
        "capacity": "30",
        "description": "",
    }
    url = reverse("events:session_new", kwargs={"event": event.slug})
    return Built(_logged_in(organiser), url, payload, (EventSession,))


def _event_report() -> Built:
    organiser = _events_secretary()
    event = _an_event(organiser, past=True)
    url = reverse("events:report", kwargs={"event": event.slug})
    return Built(_logged_in(organiser), url, {"body": "We met."}, (Event, Page, Revision))


def _notification_settings() -> Built:
    url = reverse("notifications:settings")
    payload = {"frequency": "weekly", "follow_edits": "on", "letter": "on"}
    return Built(_logged_in(make_user()), url, payload, (Preference, Follow))


FORMS: dict[str, tuple[Callable[[], Built], tuple[Field, ...]]] = {
    "notification_settings": (
        _notification_settings,
        (Field("frequency", "choice", required=True),),
    ),
    "login": (
        _login,
        (Field("username", "line", required=True), Field("password", "line", required=True)),
    ),
    "invitation_signup": (
        _invitation_signup,
        (Field("username", "line", required=True), Field("display_name", "line")),
    ),
    "criteria_undo": (_entry_undo, (Field("criterion", "int", ignored=True),)),
    "wiki_new": (
        _wiki_new,
        (
            Field("title", "line", required=True),
            Field("body", "text"),
            Field("comment", "line"),
            Field("parent", "choice"),
            Field("translation_of", "int", ignored=True),
        ),
    ),
    "wiki_edit": (
        _wiki_edit,
        (
            Field("title", "line", required=True),
            Field("body", "text"),
            Field("comment", "line"),
            Field("base_revision", "int", negative=True),
        ),
    ),
    "wiki_move": (
        _wiki_move,
        (Field("title", "line", required=True), Field("slug", "code"), Field("comment", "line")),
    ),
    "signup": (
        _signup,
        (
            Field("username", "line", required=True),
            Field("email", "code", required=True),
            Field("display_name", "line"),
            Field("preferred_language", "choice", required=True),
        ),
    ),
    "profile": (
        _profile,
        (
            Field("display_name", "line"),
            Field("email", "code", required=True),
            Field("preferred_language", "choice", required=True),
            Field("time_zone", "choice"),
        ),
    ),
    "apply": (
        _apply,
        (
            Field("name", "line", required=True),
            Field("actor_type", "line"),
            Field("place", "line"),
            Field("applicant_name", "line", required=True),
            Field("applicant_email", "code", required=True),
            Field("description", "text", required=True),
            Field("stakeholders", "text"),
            Field("country", "choice", required=True),
            Field("region", "choice"),
            Field("languages", "choice", required=True),
        ),
    ),
    "application_comment": (
        _secretariat_on_application("comment", {"body": "Call them."}),
        (Field("body", "text", required=True),),
    ),
    "application_reject": (
        _secretariat_on_application("reject", {"reason": "Out of scope."}),
        (Field("reason", "text", required=True),),
    ),
    "application_request_changes": (
        _secretariat_on_application("request_changes", {"message": "Name your stakeholders."}),
        (Field("message", "text", required=True),),
    ),
    "application_approve": (
        _secretariat_on_application("approve", {"slug": "mulhouse"}),
        (Field("slug", "code"),),
    ),
    "membership_apply": (
        _membership_apply,
        (
            Field("kind", "choice", required=True),
            Field("nature", "choice", required=True),
            Field("name", "line", required=True),
            Field("country", "choice", required=True),
            *_MEMBERSHIP_FIELDS,
        ),
    ),
    "platform_membership": (_platform_membership, _MEMBERSHIP_FIELDS),
    "membership_comment": (
        _secretariat_on_membership("comment", {"body": "Known to us."}),
        (Field("body", "text", required=True),),
    ),
    "membership_request_changes": (
        _secretariat_on_membership("request_changes", {"message": "Say more."}),
        (Field("message", "text", required=True),),
    ),
    "membership_approve": (
        _secretariat_on_membership("approve", {"message": "Welcome!"}),
        (Field("message", "text"),),
    ),
    "membership_reject": (
        _secretariat_on_membership("reject", {"message": "Out of scope."}),
        (Field("message", "text", required=True),),
    ),
    "group_edit": (
        _group_edit,
        (
            Field("name", "line", required=True),
            Field("actor_type", "line"),
            Field("locality", "code"),
            Field("latitude", "decimal", negative=True),
            Field("longitude", "decimal", negative=True),
            Field("platform_description", "text"),
            Field("other_languages", "code"),
            Field("level", "choice", required=True),
            Field("region", "choice"),
        ),
    ),
    "homogeneous_group_new": (
        _hg_new,
        (
            Field("name", "line", required=True),
            Field("profile_other", "line"),
            Field("language", "choice", required=True),
            Field("meeting_dates", "dates"),
            Field("participants", "int"),
            Field("participants_women", "int"),
            Field("notes", "text"),
            Field("profile", "choice"),
        ),
    ),
    "homogeneous_group_edit": (
        _hg_edit,
        (
            Field("name", "line", required=True),
            Field("meeting_dates", "dates"),
            Field("participants", "int"),
            Field("participants_men", "int"),
            Field("notes", "text"),
        ),
    ),
    "citizens_group": (
        _citizens_group,
        (
            Field("name", "line", required=True),
            Field("description", "text"),
            Field("region", "code"),
            Field("locality", "code"),
            Field("country", "choice", required=True),
            Field("profile_other", "line"),
        ),
    ),
    "group_invite": (
        _group_invite,
        (
            Field("email", "code", required=True),
            Field("role", "choice", required=True),
            Field("language", "choice", required=True),
        ),
    ),
    "questions": (
        _questions,
        (
            Field("code", "code", required=True),
            Field("text_en", "text"),
            Field("short_name_en", "line"),
            Field("order", "int"),
        ),
    ),
    "criteria_entry": (
        _entry_add,
        (
            Field("text", "text", required=True),
            Field("session_date", "date", required=True),
            Field("question", "choice", required=True),
            Field("language", "choice", required=True),
            Field("component", "code"),
        ),
    ),
    "criterion_edit": (
        _entry_edit,
        (
            Field("text", "text", required=True),
            Field("question", "choice", required=True),
            Field("component", "code"),
        ),
    ),
    "classify": (
        _classify,
        (Field("component", "code", required=True), Field("full_code", "code")),
    ),
    "dispute": (_dispute, (Field("note", "line"),)),
    "report_request": (
        _report_request,
        (
            Field("report_language", "choice", required=True),
            Field("year_from", "int"),
            Field("year_to", "int"),
            Field("question", "code"),
            Field("profile", "int"),
            Field("language", "code"),
        ),
    ),
    "join": (
        _join,
        (
            Field("name", "line", required=True),
            Field("people", "int", required=True),
            # Optional since issue 16: the sub-type says the kind; one sent must agree.
            Field("kind", "choice"),
            Field("subtype", "choice", required=True),
            Field("country", "choice"),
            Field("coordination_group", "choice"),
        ),
    ),
    "participant_edit": (
        _participant_edit,
        (
            Field("name", "line", required=True),
            Field("people", "int", required=True),
            Field("country", "choice"),
        ),
    ),
    "choice_new": (
        _choice_new,
        (
            Field("title", "line", required=True),
            Field("started_on", "date", required=True),
            Field("emissions_change_kg", "int", negative=True),
            Field("description", "text"),
            Field("category", "choice", required=True),
            Field("status", "choice", required=True),
        ),
    ),
    "choice_edit": (
        _choice_edit,
        (
            Field("title", "line", required=True),
            Field("started_on", "date", required=True),
            Field("emissions_change_kg", "int", negative=True),
            Field("results", "text"),
        ),
    ),
    "choice_comment": (_choice_comment, (Field("body", "text", required=True),)),
    "footprint": (
        _footprint,
        (
            Field("measured_on", "date", required=True),
            Field("total_kg", "int"),
            Field("part_food", "int"),
            Field("source", "line"),
        ),
    ),
    "workshop_new": (
        _workshop_new,
        (
            Field("title", "line", required=True),
            Field("starts_at", "datetime", required=True),
            Field("duration_minutes", "int", required=True),
            Field("capacity", "int", required=True),
            Field("languages", "code", required=True),
            Field("meeting_url", "code", required=True),
            Field("time_zone", "choice", required=True),
            Field("theme", "choice"),
            Field("description", "text"),
        ),
    ),
    "workshop_conclude": (_workshop_conclude, (Field("body", "text", required=True),)),
    "charter_new": (
        _charter_new,
        (Field("title", "line", required=True), Field("workshop", "choice")),
    ),
    "charter_open": (_charter_open, (Field("closes_at", "datetime", required=True),)),
    "review_theme": (_review_theme, (Field("theme", "line", required=True),)),
    "charter_vote": (
        _charter_vote,
        (
            Field("voice", "choice", required=True),
            Field("participant", "choice", required=True),
            Field("remarks", "text", required=True),
        ),
    ),
    "wellbeing": (
        _wellbeing,
        (
            Field("session_date", "date", required=True),
            Field("language", "choice", required=True),
        ),
    ),
    "participant_members": (
        _participant_members,
        (Field("identifier", "code", required=True), Field("role", "choice", required=True)),
    ),
    "secretariat_profile": (
        _secretariat_profile,
        (Field("name", "line", required=True), Field("order", "int", required=True)),
    ),
    "network_member": (
        _network_member,
        (
            Field("name", "line"),
            Field("joined_on", "date", required=True),
            Field("website", "code"),
            Field("network_id", "code"),
            Field("description", "text"),
            Field("kind", "choice", required=True),
            Field("country", "choice"),
        ),
    ),
    "group_hide": (_group_hide, (Field("reason", "text", required=True),)),
    "group_unhide": (_group_unhide, (Field("reason", "text"),)),
    "member_role": (_member_role, (Field("role", "choice", required=True),)),
    "workshop_signup": (_workshop_signup, (Field("participant", "choice", required=True),)),
    "choice_share": (_choice_share, (Field("participant", "choice", required=True),)),
    "event_new": (
        _event_new,
        (
            Field("kind", "choice", required=True),
            Field("title", "line", required=True),
            Field("slug", "code"),
            Field("description", "text"),
            Field("time_zone", "choice", required=True),
            Field("languages", "choice", required=True),
            Field("place", "line"),
            Field("meeting_url", "code"),
            Field("audience", "line"),
        ),
    ),
    "event_session_new": (
        _event_session_new,
        (
            Field("title", "line", required=True),
            Field("starts_at", "datetime", required=True),
            Field("ends_at", "datetime", required=True),
            Field("languages", "choice"),
            Field("place", "line"),
            Field("meeting_url", "code"),
            Field("capacity", "int"),
            Field("description", "text"),
        ),
    ),
    "event_report": (_event_report, (Field("body", "text", required=True),)),
    "contact": (_contact, _CONTACT_FIELDS),
    "group_contact": (_group_contact, _CONTACT_FIELDS),
}


# --- Checks ---------------------------------------------------------------------------------


def _rows(model_classes: tuple[type[models.Model], ...]) -> dict[str, list[tuple]]:
    with cross_tenant():
        return {
            model._meta.label: list(model._base_manager.order_by("pk").values_list())
            for model in model_classes
        }


def _value_problem(model_field: models.Field, value: object) -> str | None:
    """Why a stored value is not sane, or None."""
    if value is None or model_field.is_relation:
        return None
    internal = model_field.get_internal_type()
    if internal in INTEGER_RANGES:
        low, high = INTEGER_RANGES[internal]
        return None if low <= value <= high else f"{value} is outside {internal}"
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{value} is not finite"
    if isinstance(value, decimal.Decimal):
        return None if value.is_finite() else f"{value} is not finite"
    if isinstance(value, datetime.date):
        return None if value.year in PLAUSIBLE_YEARS else f"{value} is not a plausible date"
    if isinstance(model_field, models.CharField) and isinstance(value, str):
        if model_field.max_length and len(value) > model_field.max_length:
            return f"{len(value)} characters, more than {model_field.max_length}"
        if "\u202e" in value:
            return f"{value!r} holds a bidi override"
    return None


def _insane_rows(model_classes: tuple[type[models.Model], ...]) -> list[str]:
    problems = []
    with cross_tenant():
        for model in model_classes:
            for row in model._base_manager.all():
                for model_field in model._meta.concrete_fields:
                    problem = _value_problem(model_field, getattr(row, model_field.attname))
                    if problem:
                        problems.append(f"{model._meta.label}.{model_field.name}: {problem}")
    return problems


# Form errors, alerts, and the error messages of the messages framework (base.html).
_MESSAGE = re.compile(
    r"<(?P<tag>ul|div|p|section)[^>]*"
    r'(?:class="[^"]*(?:errorlist|message error)[^"]*"|role="alert")[^>]*>'
    r"(?P<body>.*?)</(?P=tag)>",
    re.S,
)


def _message(html: str) -> str:
    """The text of the error lists and alerts of a page ("" when it has none)."""
    found = " ".join(match.group("body") for match in _MESSAGE.finditer(html))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found)).strip()


def _post(built: Built, data: dict) -> tuple[HttpResponse, dict[str, list[tuple]], list[str]]:
    """Post data in a savepoint rolled back afterwards: the answer, the rows of the form's
    models as the post left them, and what is not sane in them."""
    with transaction.atomic():
        response = built.client.post(built.url, data)
        after = _rows(built.models)
        insane = _insane_rows(built.models)
        transaction.set_rollback(True)
    return response, after, insane


@pytest.fixture(autouse=True)
def _no_rate_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dozens of posts from one client in a second: the rate limits would answer 429."""

    def allow(**kwargs: object) -> bool:
        return True

    for module in (
        "wikispiral.accounts.services",
        "territories.groups.views",
        "territories.applications.views",
        "territories.membership.views",
        "territories.contact.views",
        "projects.services",
    ):
        monkeypatch.setattr(f"{module}.rate_limit_consume", allow)


def _form_fields() -> list:
    return [
        pytest.param(form, spec, id=f"{form}-{spec.name}")
        for form, (_build, specs) in FORMS.items()
        for spec in specs
    ]


@pytest.mark.parametrize(("form", "spec"), _form_fields())
def test_hostile_values_are_refused_with_a_message_and_save_nothing(form: str, spec: Field):
    build, _specs = FORMS[form]
    built = build()
    before = _rows(built.models)
    valid, saved, insane = _post(built, built.payload)
    assert valid.status_code in (200, 302), f"{form}: the valid payload answers {valid.status_code}"
    assert saved != before, f"{form}: the valid payload saves nothing, so refusals prove nothing"
    assert not insane, insane
    failures = []
    for case, value, must_refuse in _cases(spec):
        response, after, insane = _post(built, {**built.payload, spec.name: value})
        label = f"{form}.{spec.name}={case}"
        status = response.status_code
        if status >= 500:
            failures.append(f"{label}: {status}")
            continue
        if insane:
            failures.append(f"{label}: saved {insane[:3]}")
        if not must_refuse:
            continue
        if after != before:
            failures.append(f"{label}: saved something ({status})")
        elif status in (301, 302, 303):
            failures.append(f"{label}: redirected as if saved")
        elif not _message(response.content.decode()):
            failures.append(f"{label}: {status} without a message")
    assert not failures, "\n".join(failures)


# --- Filters and other GET forms ----------------------------------------------------------------

# Gunicorn refuses a request line past 4094 bytes (its limit_request_line): a query string
# never brings 1 MB, but it brings as much as fits.
QUERY_VALUES = {
    "4kb": "x" * 4000,
    "4kb_multibyte": "é" * 650,
    "bidi": BIDI,
    # str.isdigit() holds for "²", which int() refuses.
    "superscript_two": "²",
    "negative": "-1",
    "zero": "0",
    "nan": "NaN",
    "inf": "inf",
    "1e309": "1e309",
    "50_nines": "9" * 50,
    "feb30": "2025-02-30",
    "empty": "",
    "blank": BLANK,
}


@dataclass
class Listing:
    """A page read with GET (a list, a synthesis, a form's first view) and its query."""

    client: Client
    url: str
    query: dict


def _synthesis_world() -> _Criteria:
    setup = _criteria_setup()
    with cross_tenant():
        make_criterion(tenant=setup.tenant, group=setup.group, component="A01")
    syntheses_recompute_all()
    return setup


def _synthesis(name: str, **kwargs: str) -> Callable[[], Listing]:
    def build() -> Listing:
        setup = _synthesis_world()
        url = reverse(name, kwargs={"key": f"cg-{setup.tenant.pk}", **kwargs})
        return Listing(_logged_in(setup.facilitator), url, {})

    return build


def _entry_page() -> Listing:
    setup = _criteria_setup()
    return Listing(_logged_in(setup.facilitator), setup.url("entry"), {"language": "fr"})


def _tenant_page(name: str) -> Callable[[], Listing]:
    def build() -> Listing:
        setup = _criteria_setup()
        url = reverse(name, kwargs={"cg": setup.tenant.slug})
        return Listing(_logged_in(setup.facilitator), url, {})

    return build


def _secretariat_page(name: str) -> Callable[[], Listing]:
    def build() -> Listing:
        make_coordination_group()
        return Listing(_logged_in(make_user(secretariat=True)), reverse(name), {})

    return build


def _public_page(name: str, **kwargs: str) -> Callable[[], Listing]:
    def build() -> Listing:
        make_coordination_group()
        make_page(title="Mulhouse")
        return Listing(_logged_in(make_user()), reverse(name, kwargs=kwargs), {})

    return build


def _wiki_page(action: str) -> Callable[[], Listing]:
    def build() -> Listing:
        page = make_page(title="Mulhouse")
        return Listing(_logged_in(make_user()), page.url_for(action), {})

    return build


GET_FORMS: dict[str, tuple[Callable[[], Listing], tuple[str, ...]]] = {
    "synthesis": (
        _synthesis("syntheses:synthesis"),
        ("year", "year_from", "year_to", "question", "profile", "language"),
    ),
    "synthesis_compare": (
        _synthesis("syntheses:compare"),
        ("with", "with_year", "with_profile", "with_language", "year"),
    ),
    "synthesis_criteria": (
        _synthesis("syntheses:criteria", code="A01"),
        ("year", "question", "profile", "page"),
    ),
    "synthesis_status": (_synthesis("syntheses:status"), ("since",)),
    "reports": (_synthesis("reports:list"), ("year_from", "profile", "question")),
    "criteria_entry": (_entry_page, ("session_date", "language")),
    "info_criteria": (_tenant_page("info:group"), ("year",)),
    "classification_queue": (
        _tenant_page("classification:queue"),
        ("status", "group", "question", "page", "pick"),
    ),
    "criteria_export": (_tenant_page("transfer:export"), ("year",)),
    "secretariat_groups": (
        _secretariat_page("secretariat:groups"),
        ("state", "kind", "country", "q", "page"),
    ),
    "secretariat_members": (
        _secretariat_page("secretariat:members"),
        ("kind", "nature", "country", "q", "page"),
    ),
    "secretariat_audit": (_secretariat_page("secretariat:audit"), ("action", "q", "page")),
    "applications_queue": (
        _secretariat_page("applications:queue"),
        ("status", "country", "kind", "q", "sort", "page"),
    ),
    "directory": (
        _public_page("directory:directory"),
        ("q", "country", "region", "kind", "language", "sort", "page"),
    ),
    "wiki_search": (_public_page("wiki:search"), ("q", "page")),
    "wiki_recent": (_public_page("wiki:recent_changes"), ("language", "space", "user")),
    "wiki_new": (
        _public_page("wiki:page_new", space="network", lang="en"),
        ("title", "parent", "translation_of"),
    ),
    "wiki_history": (_wiki_page("history"), ("page",)),
    "wiki_diff": (_wiki_page("diff"), ("from", "to")),
    "events": (_public_page("events:list"), ("kind",)),
}


def _query_params() -> list:
    return [
        pytest.param(page, name, id=f"{page}-{name}")
        for page, (_build, names) in GET_FORMS.items()
        for name in names
    ]


@pytest.mark.parametrize(("page", "name"), _query_params())
def test_hostile_query_parameters_answer_the_page_or_a_clear_refusal(page: str, name: str):
    build, _names = GET_FORMS[page]
    built = build()
    assert built.client.get(built.url, built.query).status_code == 200
    failures = []
    for case, value in QUERY_VALUES.items():
        response = built.client.get(built.url, {**built.query, name: value})
        label = f"{page}?{name}={case}"
        status = response.status_code
        # 404, the site's "nothing at this address": a value naming nothing (revision 0).
        if status not in (200, 400, 404):
            failures.append(f"{label}: {status}")
        elif status == 400 and not _message(response.content.decode()):
            failures.append(f"{label}: 400 without a message")
    assert not failures, "\n".join(failures)


# --- Regressions ----------------------------------------------------------------------------


def _territory(people: int) -> tuple[Participant, User]:
    facilitator = make_user()
    group = make_coordination_group(facilitator=facilitator)
    participant = project_services.participant_join(
        actor=facilitator,
        kind="territory",
        subtype="local_platform",
        name=group.name,
        people=people,
        coordination_group=group,
    )
    return participant, facilitator


def test_a_territory_of_a_million_people_records_its_footprint_past_two_billion_kg(client):
    # 8 t a person for a million people is 8 billion kg: past a 32-bit column, which
    # PostgreSQL refused with a 500.
    participant, facilitator = _territory(1_000_000)
    client.force_login(facilitator)

    response = client.post(
        reverse("projects:footprint_new", args=[participant.slug]),
        {"measured_on": "2025-06-01", "total_kg": "8000000000", "part_food": "2500000000"},
    )

    assert response.status_code == 302
    footprint = Footprint.objects.get(participant=participant)
    assert (footprint.total_kg, footprint.by_category) == (8_000_000_000, {"food": 2_500_000_000})


def test_a_territory_records_a_choice_that_avoids_three_million_tonnes(client):
    participant, facilitator = _territory(1_000_000)
    client.force_login(facilitator)

    response = client.post(
        reverse("projects:choice_new", args=[participant.slug]),
        _choice_payload() | {"emissions_change_kg": "-3000000000"},
    )

    assert response.status_code == 302
    assert Choice.objects.get(participant=participant).emissions_change_kg == -3_000_000_000


def test_a_choice_planned_on_29_february_is_checked_against_five_years_later(
    client, monkeypatch: pytest.MonkeyPatch
):
    # today.replace(year=today.year + 5) has no 29 February in 2033: it answered 500.
    monkeypatch.setattr(project_services, "_today", lambda: datetime.date(2028, 2, 29))
    participant, user = _member()
    client.force_login(user)
    url = reverse("projects:choice_new", args=[participant.slug])

    planned = client.post(
        url, _choice_payload() | {"status": "planned", "started_on": "2033-02-28"}
    )
    too_far = client.post(
        url, _choice_payload() | {"status": "planned", "started_on": "2033-03-01"}
    )

    assert planned.status_code == 302
    assert too_far.status_code == 400
    assert "Plan it within 5 years." in _message(too_far.content.decode())
    assert Choice.objects.filter(participant=participant).count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "/syntheses/cg-²/",
        f"/syntheses/cg-{'9' * 5000}/",
        "/right-choices/summary/cg-²/",
        "/criteria/export.csv?year=²",
        f"/criteria/export.csv?year={'9' * 5000}",
    ],
    ids=["synthesis-superscript", "synthesis-5000-digits", "summary", "export-year", "year-long"],
)
def test_a_number_in_an_address_that_int_refuses_is_a_404_or_a_400(client, url: str):
    # str.isdigit() holds for "²" and for 5,000 nines, which int() refuses: both answered 500.
    response = client.get(url)

    assert response.status_code in (400, 404)


def test_a_criterion_dated_from_before_1990_is_refused_at_entry(client):
    setup = _criteria_setup()
    client.force_login(setup.facilitator)

    response = client.post(
        setup.url("add"),
        {"question": _q1().pk, "text": "Bread", "session_date": "1025-03-14", "language": "fr"},
    )

    assert response.status_code == 400
    assert "The session date cannot be before 1990: check the year." in _message(
        response.content.decode()
    )
    with cross_tenant():
        assert not Criterion.objects.exists()


def test_a_network_member_since_year_one_or_with_a_1_mb_description_is_refused():
    built = _network_member()
    long_ago = built.client.post(built.url, {**built.payload, "joined_on": "0001-01-01"})
    huge = built.client.post(built.url, {**built.payload, "description": HUGE})

    assert "Give a date from 1990 to today." in _message(long_ago.content.decode())
    assert "at most 5000 characters" in _message(huge.content.decode())
    assert not NetworkMember.objects.exists()


def test_bidi_overrides_are_stripped_from_the_names_of_an_application():
    built = _apply()
    built.client.post(built.url, {**built.payload, "name": BIDI, "applicant_role": BIDI})
    application = Application.objects.get()

    assert (application.name, application.applicant_role) == ("abcevil", "abcevil")
    assert not _insane_rows((Application,))


# --- Parsers, with Hypothesis ---------------------------------------------------------------

_CODE_TEXT = st.text(alphabet=st.sampled_from("A01-1/PQORSk z9é²\u202e"), max_size=50) | st.text()


@settings(max_examples=100, deadline=None)
@given(_CODE_TEXT)
# Arabic-Indic digits matched \d and made "A01-١١" a code that is not A01-11; the Kelvin sign
# lower-cases to an ASCII k.
@example("A01-١١/P٣/k")
@example("A01/P/\u212a")
def test_a_full_code_parses_or_is_refused_with_a_message_and_parsing_is_stable(raw: str):
    try:
        code = full_code_parse(raw)
    except DomainError as refusal:
        assert refusal.message and refusal.field == "full_code"
        return
    written = str(code)
    assert len(written) <= FULL_CODE_MAX_LENGTH
    assert written.isascii()
    assert full_code_parse(written) == code


_DATE_TEXT = st.one_of(
    st.dates().map(datetime.date.isoformat),
    st.dates().map(lambda day: day.strftime("%d/%m/%Y")),
    st.from_regex(r"\A-?\d{1,6}-\d{1,2}-\d{1,2}( 00:00:00)?\Z"),
    st.integers(min_value=-(10**6), max_value=10**7).map(str),
    st.text(max_size=20),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(_DATE_TEXT, min_size=1, max_size=8))
def test_import_dates_parse_to_a_day_or_nothing_and_parse_again_the_same(values: list[str]):
    parsed = _parse_dates(pd.Series(values, dtype=object).astype(str))

    assert len(parsed) == len(values)
    days = [value for value in parsed if not pd.isna(value)]
    assert all(isinstance(day, pd.Timestamp) for day in days)
    again = _parse_dates(pd.Series([day.date().isoformat() for day in days], dtype=object))
    assert list(again) == days


_LOOKUPS = Lookups(
    groups={"young": 1},
    groups_folded={"young": 1},
    group_names={1: "Young people"},
    group_languages={1: "fr"},
    questions={"Q1": 10},
    question_codes={10: "Q1"},
    components={"A01": (100, True)},
)
_CELL = st.one_of(st.sampled_from(["young", "Q1", "A01", "A01-11/P15/k", ""]), st.text(max_size=12))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(_CELL, _CELL, _CELL, _DATE_TEXT, _CELL).map(list), min_size=1, max_size=6)
)
def test_any_csv_rows_are_checked_into_valid_rows_or_errors_never_an_exception(rows: list):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["group", "question", "text", "date", "full_code"])
    writer.writerows(rows)
    today = datetime.date(2026, 6, 1)
    try:
        table = read_table("criteria.csv", out.getvalue().encode())
    except FileProblem:
        return
    checked = check_table(table, _LOOKUPS, today=today)

    assert checked.rows == len(table.frame)
    assert (checked.error_count == 0) or len(checked.errors) > 0
    for day in checked.valid["session_date"]:
        assert day.year >= EARLIEST_YEAR and day <= today + datetime.timedelta(days=1)


@settings(max_examples=100, deadline=None)
@given(st.lists(_DATE_TEXT | st.just(""), max_size=6))
def test_meeting_dates_are_plausible_days_or_refused_and_cleaning_is_stable(values: list[str]):
    try:
        days = meeting_dates_clean(values)
    except TerritoryError as refusal:
        assert refusal.message and refusal.field == "meeting_dates"
        return
    assert days == sorted(set(days))
    assert all(datetime.date.fromisoformat(day).year >= 1990 for day in days)
    assert meeting_dates_clean(days) == days


_NUMBER_TEXT = st.one_of(
    st.sampled_from([*NUMBER_BAD.values(), "-0", "+5", " 7 ", "0x10", "1_000", "١٢"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=30),
)


@settings(max_examples=100, deadline=None)
@given(_NUMBER_TEXT, st.sampled_from(["emissions_change_kg", "total_kg", "part_food", "people"]))
def test_the_number_fields_of_the_project_give_an_integer_or_an_error(raw: str, name: str):
    if name == "people":
        form = JoinForm({"kind": "citizen", "subtype": "family", "name": "M", name: raw}, user=None)
    elif name == "emissions_change_kg":
        form = ChoiceForm({**_choice_payload(), name: raw})
    else:
        form = FootprintForm({"measured_on": "2025-06-01", name: raw})

    if form.is_valid():
        value = form.cleaned_data[name]
        assert value is None or type(value) is int
    else:
        assert form.errors


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=-(10**40), max_value=10**40), st.integers(min_value=1, max_value=30))
def test_a_choices_change_of_emissions_fits_its_column_or_is_refused(kg: int, people: int):
    low, high = INTEGER_RANGES["BigIntegerField"]
    try:
        fields = project_services._choice_fields(
            participant=Participant(people=people),
            category="food",
            title="Less meat",
            description="",
            started_on=datetime.date(2025, 1, 1),
            status="started",
            results="",
            emissions_change_kg=kg,
        )
    except project_services.ProjectError as refusal:
        assert refusal.field == "emissions_change_kg"
        return
    assert low <= fields["emissions_change_kg"] <= high


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(categories=["Nd", "No", "Nl"]), max_size=19))
def test_a_decimal_string_of_any_script_is_an_integer_for_int(raw: str):
    # The views test ids with str.isdecimal() before int(): isdigit() also holds for "²".
    if raw.isdecimal():
        assert int(raw) >= 0


def test_a_grid_version_is_named_without_its_bidi_override(client):
    client.force_login(make_user(secretariat=True))
    rows = [dict(row) for row in grid_seed_rows()]
    next(row for row in rows if row["code"] == "A01")["label_en"] = "Food and drink"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    upload = SimpleUploadedFile("grid.csv", out.getvalue().encode())

    uploaded = client.post(reverse("grid:import"), {"file": upload, "name": f"Grid {BIDI}"})
    client.post(uploaded["Location"])

    assert GridVersion.objects.get(is_current=True).name == "Grid abcevil"
