"""Reading the project: participants, their choices and footprints, the latest additions."""

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from projects.models import Choice, Footprint, Participant, ParticipantMember
from wikispiral.accounts.models import User


def participant_get(*, slug: str) -> Participant:
    participant = (
        Participant.objects.select_related("country", "coordination_group", "space")
        .filter(slug=slug)
        .first()
    )
    # A territorial entity whose coordination group the secretariat hid is hidden with it.
    if participant is None or (
        participant.coordination_group is not None and participant.coordination_group.is_hidden
    ):
        raise Http404(_("No such participant."))
    return participant


def participants_of(*, user: User) -> list[Participant]:
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
    return list(
        Choice.objects.exclude(participant__coordination_group__is_hidden=True)
        .select_related("participant")
        .order_by("-created_at", "-pk")[:limit]
    )


def participant_counts() -> dict[str, int]:
    """Participants by kind."""
    return dict(Participant.objects.order_by().values_list("kind").annotate(n=Count("id")))


def member_count(*, participant: Participant) -> int:
    return ParticipantMember.objects.filter(participant=participant).count()
