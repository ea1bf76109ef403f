"""Well-being reads: the questions asked and a participant's answers."""

from dataclasses import dataclass

from criteria.models import Criterion, Question
from criteria.selectors import question_list
from projects.models import Participant
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
    if participant.wellbeing_group_id is None:
        return []
    with cross_tenant():
        criteria = list(
            Criterion.objects.filter(group_id=participant.wellbeing_group_id)
            .select_related("component", "question")
            .order_by("question__order", "question_id", "session_date", "id")
        )
    by_question: dict[int, QuestionAnswers] = {}
    for criterion in criteria:
        by_question.setdefault(
            criterion.question_id, QuestionAnswers(criterion.question, [])
        ).criteria.append(criterion)
    return list(by_question.values())
