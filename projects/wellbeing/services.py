"""Well-being writes: a participant's answers, entered as criteria of the pool of its kind in
its country's platform, each linked to the participant (ParticipantAnswer)."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.entry.services import criteria_enter
from criteria.models import Criterion
from criteria.services import criterion_delete
from projects.models import AnswerPool, Participant, ParticipantAnswer
from projects.scopes import across_participants, participant_scope
from projects.services import ProjectError, _writes_for
from projects.wellbeing.selectors import PROJECT, wellbeing_questions
from territories.models import CoordinationGroup, Country, HomogeneousGroup
from territories.projects import project_platform_ensure
from territories.services import TerritoryError, homogeneous_group_create, homogeneous_group_update
from wikispiral.accounts.models import User
from wikispiral.errors import DomainError
from wikispiral.tenancy import cross_tenant, tenant_scope

EARLIEST = datetime.date(1990, 1, 1)
# A homogeneous group counts at most this many participants (territories' validator).
GROUP_PEOPLE_MAX = 100_000
ATTEMPTS = 3
Kind = Participant.Kind

# The pools' names and profiles, written once in the site's language (as the platform's).
POOL_NAMES = {
    Kind.CITIZEN: gettext_lazy("Answers of the citizens"),
    Kind.COLLECTIVE: gettext_lazy("Answers of the collective actors"),
    Kind.TERRITORY: gettext_lazy("Answers of the territorial entities"),
}
POOL_PROFILES = {
    Kind.CITIZEN: gettext_lazy("Citizens taking part in the project"),
    Kind.COLLECTIVE: gettext_lazy("Collective actors taking part in the project"),
    Kind.TERRITORY: gettext_lazy("Territorial entities taking part in the project"),
}


def _pool_create(
    *, platform: CoordinationGroup, kind: str, actor: User, people: int, attempt: int
) -> HomogeneousGroup:
    with translation.override(settings.LANGUAGE_CODE):
        name = str(POOL_NAMES[kind])
        group = homogeneous_group_create(
            actor=actor,
            group=platform,
            # A group of the platform may hold the name already: the next try numbers it.
            name=name if attempt == 0 else f"{name} {attempt + 1}",
            profile_other=str(POOL_PROFILES[kind]),
            participants=min(people, GROUP_PEOPLE_MAX),
            language=settings.LANGUAGE_CODE,
            notes=_(
                "The answers of the project's participants of this kind in %(country)s, "
                "pooled: each participant's own are on its page of the project."
            )
            % {"country": platform.country.name},
            kind=HomogeneousGroup.Kind.PROJECT,
        )
    AnswerPool.objects.create(platform=platform, kind=kind, group=group)
    return group


def _pool_ensure(*, participant: Participant, actor: User) -> HomogeneousGroup:
    """The homogeneous group pooling the answers of participant's kind in its country's
    platform, formed with the first answers (two first answers at once: the second finds the
    first's pool and uses it)."""
    platform = project_platform_ensure(project=PROJECT, country=participant.country)
    for attempt in range(ATTEMPTS):
        pool = (
            AnswerPool.objects.select_related("group__tenant")
            .filter(platform=platform, kind=participant.kind)
            .first()
        )
        if pool is not None:
            return pool.group
        try:
            with transaction.atomic():
                return _pool_create(
                    platform=platform,
                    kind=participant.kind,
                    actor=actor,
                    people=participant.people,
                    attempt=attempt,
                )
        except (IntegrityError, TerritoryError):
            continue  # formed by someone else a moment ago: look again
    raise ProjectError(_("Your answers could not be recorded. Try again."))


def _pool_people(group_id: int) -> int:
    with across_participants():
        answered = ParticipantAnswer.objects.filter(criterion__group_id=group_id).values(
            "participant_id"
        )
        total = Participant.objects.filter(pk__in=answered).aggregate(total=Sum("people"))
    return total["total"] or 0


def _pool_follow(*, group_id: int, actor: User) -> None:
    """The pool counts the people of the participants who have answers in it."""
    # One writer at a time per pool: the sum then sees every committed answer.
    list(AnswerPool.objects.select_for_update().filter(group_id=group_id).values_list("pk"))
    people = _pool_people(group_id)
    participants = min(people, GROUP_PEOPLE_MAX) if people else None
    with cross_tenant():
        group = HomogeneousGroup.objects.select_related("tenant").get(pk=group_id)
    if group.participants != participants:
        homogeneous_group_update(actor=actor, hg=group, participants=participants)


def answer_pools_follow(*, participant: Participant, actor: User) -> None:
    """The pools of participant's answers count its new number of people."""
    with participant_scope(participant):
        group_ids = set(
            ParticipantAnswer.objects.filter(participant=participant).values_list(
                "criterion__group_id", flat=True
            )
        )
    for group_id in sorted(group_ids):
        _pool_follow(group_id=group_id, actor=actor)


def _date_check(session_date: datetime.date) -> None:
    # A day of margin covers time zones.
    if session_date > timezone.localdate() + datetime.timedelta(days=1):
        raise ProjectError(_("The date of the answers cannot be in the future."), "session_date")
    if session_date < EARLIEST:
        raise ProjectError(_("The date of the answers cannot be before 1990."), "session_date")


@transaction.atomic
def wellbeing_answer(
    *,
    participant: Participant,
    actor: User,
    answers: dict[int, str],
    language: str,
    session_date: datetime.date,
    country: Country | None = None,
) -> list[Criterion]:
    """Record participant's answers ({question id: text, one answer per line}), all or none,
    as unclassified criteria of the pool of its kind in its country's platform (formed with
    the first answers), each one linked to participant. A participant with no country says
    which one first (country)."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    _writes_for(participant, actor)
    if participant.country_id is None:
        if country is None:
            raise ProjectError(_("Say in which country you live or act."), "country")
        participant.country = country
        participant.save(update_fields=["country"])
    if language not in dict(settings.LANGUAGES):
        raise ProjectError(_("Choose one of the languages offered."), "language")
    _date_check(session_date)
    questions = {question.pk: question for question in wellbeing_questions()}
    texts = {pk: (text or "").strip() for pk, text in answers.items() if (text or "").strip()}
    if unknown := set(texts) - set(questions):
        raise ProjectError(_("This question is not asked in the project."), f"q{min(unknown)}")
    if not texts:
        raise ProjectError(_("Write at least one answer."))
    group = _pool_ensure(participant=participant, actor=actor)
    saved: list[Criterion] = []
    with tenant_scope(group.tenant):
        for pk in [pk for pk in questions if pk in texts]:  # in the questions' order
            try:
                saved += criteria_enter(
                    tenant=group.tenant,
                    group=group,
                    question=questions[pk],
                    text=texts[pk],
                    actor=actor,
                    language=language,
                    session_date=session_date,
                )
            except DomainError as error:
                # Shown next to the question's box ("Line 3: …").
                raise ProjectError(error.message, f"q{pk}") from error
    with participant_scope(participant):
        ParticipantAnswer.objects.bulk_create(
            [ParticipantAnswer(participant=participant, criterion=item) for item in saved]
        )
    _pool_follow(group_id=group.pk, actor=actor)
    return saved


@transaction.atomic
def wellbeing_answer_remove(*, participant: Participant, actor: User, criterion_id: int) -> None:
    """Take back one of participant's answers (typed by mistake)."""
    _writes_for(participant, actor)
    with participant_scope(participant):
        answer = (
            ParticipantAnswer.objects.filter(participant=participant, criterion_id=criterion_id)
            .values_list("criterion_id", flat=True)
            .first()
        )
    if answer is None:
        raise ProjectError(_("This answer is not one of this participant's."))
    with cross_tenant():
        criterion = Criterion.objects.select_related("tenant").get(pk=answer)
    group_id = criterion.group_id
    with tenant_scope(criterion.tenant):
        # Its link to participant goes with it (CASCADE).
        criterion_delete(tenant=criterion.tenant, criterion=criterion, actor=actor)
    _pool_follow(group_id=group_id, actor=actor)
