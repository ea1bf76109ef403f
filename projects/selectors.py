"""Reading the project: participants, their choices and footprints, the latest additions."""

import datetime
from collections import Counter
from dataclasses import dataclass, replace

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from projects import charter_rule
from projects.charter_rule import CharterRule, quorum_for
from projects.models import (
    Charter,
    CharterVote,
    Choice,
    Footprint,
    Participant,
    ParticipantAnswer,
    ParticipantInvitation,
    ParticipantMember,
    QuarterlyReview,
    Summary,
    Workshop,
    WorkshopSignup,
)
from projects.scopes import across_participants, participant_scope
from territories.models import CoordinationGroup, Country
from wikispiral.accounts.models import User


def participant_get(*, slug: str) -> Participant:
    participant = (
        Participant.objects.select_related("country", "coordination_group", "space")
        .filter(slug=slug)
        .first()
    )
    # A territorial entity whose coordination group the secretariat hid is hidden with it.
    if participant is None or (
        participant.kind == Participant.Kind.TERRITORY
        and participant.coordination_group is not None
        and participant.coordination_group.is_hidden
    ):
        raise Http404(_("No such participant."))
    return participant


def participant_answered(*, participant: Participant) -> bool:
    """Whether participant has answers to the SPIRAL questions (they count in its country)."""
    with participant_scope(participant):
        return ParticipantAnswer.objects.filter(participant=participant).exists()


def participants_of(*, user: User | AnonymousUser) -> list[Participant]:
    """The participants user writes for."""
    if not user.is_authenticated:
        return []
    return list(Participant.objects.filter(members__user=user).order_by("name", "pk").distinct())


def choice_list(*, participant: Participant) -> QuerySet[Choice]:
    return (
        Choice.objects.filter(participant=participant)
        .annotate(shared=Count("shares", distinct=True))
        .order_by("-started_on", "-pk")
    )


def choice_get(*, participant: Participant, pk: int) -> Choice:
    choice = (
        Choice.objects.filter(participant=participant, pk=pk)
        .annotate(shared=Count("shares", distinct=True))
        .select_related("participant")
        .first()
    )
    if choice is None:
        raise Http404(_("No such choice."))
    return choice


def choice_comments(*, choice: Choice) -> list:
    return list(choice.comments.filter(is_hidden=False).select_related("author"))


def choice_sharers(*, choice: Choice) -> list[Participant]:
    return [share.participant for share in choice.shares.select_related("participant")]


def footprint_list(*, participant: Participant) -> list[Footprint]:
    return list(Footprint.objects.filter(participant=participant).order_by("measured_on", "pk"))


def latest_choices(*, limit: int = 10) -> list[Choice]:
    """The latest choices, a hidden group's territory's left out."""
    with across_participants():
        return list(
            Choice.objects.exclude(
                participant__kind=Participant.Kind.TERRITORY,
                participant__coordination_group__is_hidden=True,
            )
            .select_related("participant")
            .order_by("-created_at", "-pk")[:limit]
        )


def participant_counts() -> dict[str, int]:
    """Participants by kind."""
    return dict(Participant.objects.order_by().values_list("kind").annotate(n=Count("id")))


def member_count(*, participant: Participant) -> int:
    return ParticipantMember.objects.filter(participant=participant).count()


@dataclass
class SummaryRef:
    """A summary's scope as named in URLs: "project", "country-12", "cg-7"."""

    scope: str
    scope_id: int
    name: str

    @property
    def key(self) -> str:
        return (
            self.scope if self.scope == Summary.Scope.PROJECT else f"{self.scope}-{self.scope_id}"
        )


def summary_ref(key: str) -> SummaryRef:
    """The scope of key, or 404 (unknown, malformed, or a hidden coordination group)."""
    if key == Summary.Scope.PROJECT:
        return SummaryRef(Summary.Scope.PROJECT, 0, _("The whole project"))
    scope, _dash, number = key.partition("-")
    if not number.isdecimal() or len(number) > 9:
        raise Http404(_("No such summary."))
    pk = int(number)
    if scope == Summary.Scope.COUNTRY:
        country = Country.objects.filter(pk=pk).first()
        if country is not None:
            return SummaryRef(scope, pk, country.label())
    elif scope == Summary.Scope.COORDINATION_GROUP:
        group = CoordinationGroup.objects.filter(pk=pk, is_hidden=False).first()
        if group is not None:
            return SummaryRef(scope, pk, group.name)
    raise Http404(_("No such summary."))


def summary_get(ref: SummaryRef) -> Summary | None:
    return Summary.objects.filter(scope=ref.scope, scope_id=ref.scope_id).first()


def workshop_list(*, upcoming: bool, limit: int = 50) -> list[Workshop]:
    now = timezone.now()
    workshops = Workshop.objects.annotate(taken=Count("signups"))
    if upcoming:
        workshops = workshops.filter(starts_at__gt=now).order_by("starts_at", "pk")
    else:
        workshops = workshops.filter(starts_at__lte=now).order_by("-starts_at", "-pk")
    return list(workshops.select_related("conclusions")[:limit])


def workshop_get(*, pk: int) -> Workshop:
    workshop = (
        Workshop.objects.annotate(taken=Count("signups"))
        .select_related("conclusions__space")
        .filter(pk=pk)
        .first()
    )
    if workshop is None:
        raise Http404(_("No such workshop."))
    return workshop


def workshop_signups(*, workshop: Workshop) -> list[Participant]:
    with across_participants():
        signups = workshop.signups.select_related("participant").order_by("created_at", "pk")
        return [signup.participant for signup in signups]


def latest_workshops(*, limit: int = 10) -> list[Workshop]:
    """Workshops by the time they were scheduled, newest first, cancelled ones left out."""
    return list(
        Workshop.objects.filter(cancelled_at__isnull=True).order_by("-created_at", "-pk")[:limit]
    )


def charter_list() -> list[Charter]:
    return list(Charter.objects.select_related("page__space").annotate(voices=Count("votes")))


def charter_get(*, pk: int) -> Charter:
    charter = (
        Charter.objects.select_related("page__space", "revision", "workshop").filter(pk=pk).first()
    )
    if charter is None:
        raise Http404(_("No such charter."))
    return charter


@dataclass
class CharterResults:
    counts: list[tuple[str | Promise, int]]  # the answers' labels, translated when shown
    total: int
    remarks: list[tuple[str, str]]


def charter_results(*, charter: Charter) -> CharterResults:
    """The voices by answer, and the remarks with who made them (for a closed charter)."""
    with across_participants():
        counted = dict(charter.votes.order_by().values_list("voice").annotate(n=Count("id")))
        remarks = list(
            charter.votes.exclude(remarks="")
            .order_by("created_at", "pk")
            .values_list("participant__name", "remarks")
        )
    return CharterResults(
        counts=[(label, counted.get(value, 0)) for value, label in CharterVote.Voice.choices],
        total=sum(counted.values()),
        remarks=remarks,
    )


def participants_invited_count(*, joined_by: datetime.datetime | None = None) -> int:
    """The participants who may give their voice on a charter: every one that is seen (a
    territorial entity of a hidden coordination group is not); with joined_by, those who had
    joined by then. The one rule of the quorum's basis (migration 0011 repeats it)."""
    participants = Participant.objects.exclude(
        kind=Participant.Kind.TERRITORY, coordination_group__is_hidden=True
    )
    if joined_by is not None:
        participants = participants.filter(created_at__lte=joined_by)
    return participants.count()


def charter_votes_count(*, charter: Charter) -> tuple[int, int]:
    """(voices, approving voices) given on charter."""
    with across_participants():
        voices = list(charter.votes.order_by().values_list("voice", flat=True))
    return len(voices), sum(1 for voice in voices if voice in charter_rule.APPROVING)


def charter_rule_get(*, charter: Charter, now: datetime.datetime) -> CharterRule:
    """How charter's vote decides: for a draft, with today's participants (the number is
    frozen when the vote opens); once it is over, with the voices counted."""
    if charter.opens_at is None:
        eligible = participants_invited_count()
        return CharterRule(eligible=eligible, quorum=quorum_for(eligible), provisional=True)
    eligible = charter.eligible or 0
    rule = CharterRule(eligible=eligible, quorum=quorum_for(eligible), provisional=False)
    if charter.state(now) != "closed":
        return rule
    votes, approvals = charter_votes_count(charter=charter)
    return replace(rule, votes=votes, approvals=approvals)


def charter_voted(*, charter: Charter, participants: list[Participant]) -> set[int]:
    """Which of participants have given their voice."""
    with across_participants():
        voted = charter.votes.filter(participant__in=participants)
        return set(voted.values_list("participant_id", flat=True))


def review_list() -> list[Summary]:
    """The quarters that have a review, newest first."""
    return list(
        Summary.objects.filter(scope=Summary.Scope.QUARTER)
        .order_by("-scope_id")
        .only("scope", "scope_id", "computed_at")
    )


@dataclass
class QuarterItem:
    year: int
    quarter: int
    theme: str


def review_quarters() -> list[QuarterItem]:
    """The quarters that have figures or a meeting (its theme when set), newest first (two
    queries)."""
    themes = {
        (year, quarter): theme
        for year, quarter, theme in QuarterlyReview.objects.values_list("year", "quarter", "theme")
    }
    keys = {(summary.scope_id // 10, summary.scope_id % 10) for summary in review_list()}
    return [
        QuarterItem(year, quarter, themes.get((year, quarter), ""))
        for year, quarter in sorted(keys | set(themes), reverse=True)
    ]


def quarterly_review_get(*, year: int, quarter: int) -> QuarterlyReview | None:
    """The quarter's meeting (its theme and report), if the organisers prepared it."""
    return (
        QuarterlyReview.objects.select_related(
            "report__space", "report__current_revision", "written_by"
        )
        .filter(year=year, quarter=quarter)
        .first()
    )


def review_get(*, year: int, quarter: int) -> Summary | None:
    if not 1 <= quarter <= 4 or not 1990 <= year <= 9999:
        raise Http404(_("No such quarter."))
    return Summary.objects.filter(scope=Summary.Scope.QUARTER, scope_id=year * 10 + quarter).first()


def participant_members(*, participant: Participant) -> list[ParticipantMember]:
    return list(
        ParticipantMember.objects.filter(participant=participant)
        .select_related("user")
        .order_by("role", "user__username")
    )


def participant_invitation_get(*, participant: Participant, pk: int) -> ParticipantInvitation:
    """One of participant's invitations (any state); 404 for another participant's."""
    invitation = (
        ParticipantInvitation.objects.select_related("participant")
        .filter(participant=participant, pk=pk)
        .first()
    )
    if invitation is None:
        raise Http404(_("No such invitation."))
    return invitation


def charters_awaiting_voice(*, participants: list[Participant]) -> list[tuple[Charter, int]]:
    """Charters open for voting now on which some of participants have not given their voice,
    with how many of them still may (two queries)."""
    if not participants:
        return []
    now = timezone.now()
    charters = list(
        Charter.objects.filter(opens_at__lte=now, closes_at__gt=now)
        .only("pk", "title", "opens_at", "closes_at")
        .order_by("closes_at", "pk")
    )
    if not charters:
        return []
    with across_participants():
        voted = Counter(
            CharterVote.objects.filter(
                charter__in=charters, participant__in=participants
            ).values_list("charter_id", flat=True)
        )
    waiting = [(charter, len(participants) - voted[charter.pk]) for charter in charters]
    return [(charter, count) for charter, count in waiting if count > 0]


def workshop_signups_of(*, user: User, limit: int = 10) -> list[WorkshopSignup]:
    """user's sign-ups to workshops still to come (not cancelled), soonest first, with the
    workshop and the participant (one query)."""
    with across_participants():
        return list(
            WorkshopSignup.objects.filter(
                user=user,
                workshop__starts_at__gt=timezone.now(),
                workshop__cancelled_at__isnull=True,
            )
            .select_related("workshop", "participant")
            .order_by("workshop__starts_at", "pk")[:limit]
        )
