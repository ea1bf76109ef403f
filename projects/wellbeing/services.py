"""Well-being writes: a participant's answers, entered as criteria of its homogeneous group."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from criteria.entry.services import criteria_enter
from criteria.models import Criterion
from criteria.services import criterion_delete
from projects.models import Participant
from projects.services import ProjectError, _writes_for
from projects.wellbeing.selectors import PROJECT, wellbeing_questions
from territories.models import Country, HomogeneousGroup
from territories.projects import project_platform_ensure
from territories.services import homogeneous_group_create, homogeneous_group_update
from wikispiral.accounts.models import User
from wikispiral.errors import DomainError
from wikispiral.tenancy import cross_tenant, tenant_scope

EARLIEST = datetime.date(1990, 1, 1)
# A homogeneous group counts at most this many participants (territories' validator).
GROUP_PEOPLE_MAX = 100_000


def _group_name(participant: Participant) -> str:
    # Unique in the platform: two "Martin family" households are told apart by their address.
    return f"{participant.name[:110]} ({participant.slug})"


def _group_ensure(*, participant: Participant, actor: User, language: str) -> HomogeneousGroup:
    if participant.wellbeing_group_id is not None:
        with cross_tenant():
            return HomogeneousGroup.objects.select_related("tenant").get(
                pk=participant.wellbeing_group_id
            )
    platform = project_platform_ensure(project=PROJECT, country=participant.country)
    group = homogeneous_group_create(
        actor=actor,
        group=platform,
        name=_group_name(participant),
        profile_other=participant.get_subtype_display(),
        participants=min(participant.people, GROUP_PEOPLE_MAX),
        language=language,
        notes=_("The answers of a participant of the project."),
    )
    participant.wellbeing_group = group
    participant.save(update_fields=["wellbeing_group"])
    return group


def wellbeing_group_follow(*, participant: Participant, actor: User) -> None:
    """The homogeneous group of participant's answers takes its new name and number of
    people (the syntheses count its people)."""
    with cross_tenant():
        group = HomogeneousGroup.objects.select_related("tenant").get(
            pk=participant.wellbeing_group_id
        )
        homogeneous_group_update(
            actor=actor,
            hg=group,
            name=_group_name(participant),
            participants=min(participant.people, GROUP_PEOPLE_MAX),
        )


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
    as unclassified criteria of its homogeneous group (created with the first answers). A
    participant with no country says which one first (country)."""
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
    group = _group_ensure(participant=participant, actor=actor, language=language)
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
    return saved


@transaction.atomic
def wellbeing_answer_remove(*, participant: Participant, actor: User, criterion_id: int) -> None:
    """Take back one of participant's answers (typed by mistake)."""
    _writes_for(participant, actor)
    with cross_tenant():
        criterion = (
            Criterion.objects.select_related("tenant")
            .filter(pk=criterion_id, group_id=participant.wellbeing_group_id)
            .first()
            if participant.wellbeing_group_id
            else None
        )
    if criterion is None:
        raise ProjectError(_("This answer is not one of this participant's."))
    with tenant_scope(criterion.tenant):
        criterion_delete(tenant=criterion.tenant, criterion=criterion, actor=actor)
