"""Well-being reads: the questions asked and a participant's answers."""

from dataclasses import dataclass

from criteria.models import Criterion, Question
from criteria.selectors import question_list
from projects.models import AnswerPool, Participant
from territories.models import CoordinationGroup
from wikispiral.tenancy import cross_tenant

PROJECT = CoordinationGroup.Project.RIGHT_CHOICES


def wellbeing_questions() -> list[Question]:
    """The network's questions, in order (not a coordination group's own)."""
    return [question for question in question_list() if question.tenant_id is None]


def project_scope_key() -> str:
    """The project's synthesis (syntheses' scope key)."""
    return f"project-{PROJECT.value}"


@dataclass
class QuestionAnswers:
    question: Question
    criteria: list[Criterion]


def wellbeing_answers(participant: Participant) -> list[QuestionAnswers]:
    """The participant's answers by question (each with its classification), oldest first."""
    with cross_tenant():
        criteria = list(
            Criterion.objects.filter(participant_answer__participant=participant)
            .select_related("component", "question")
            .order_by("question__order", "question_id", "session_date", "id")
        )
    by_question: dict[int, QuestionAnswers] = {}
    for criterion in criteria:
        by_question.setdefault(
            criterion.question_id, QuestionAnswers(criterion.question, [])
        ).criteria.append(criterion)
    return list(by_question.values())


def answer_pool_of(participant: Participant) -> AnswerPool | None:
    """The pool where participant's answers count (its kind's, in its country's platform),
    once someone of its kind there has answered."""
    if participant.country_id is None:
        return None
    return (
        AnswerPool.objects.select_related("platform__country")
        .filter(
            platform__project=PROJECT,
            platform__country_id=participant.country_id,
            kind=participant.kind,
        )
        .first()
    )
