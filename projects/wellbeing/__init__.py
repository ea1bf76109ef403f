"""Well-being: a participant's answers to the SPIRAL questions.

They are criteria like any other: the project's platform in each country (territories.projects)
pools its participants' answers in one homogeneous group per kind of participant (citizens,
collective actors, territorial entities: projects.models.AnswerPool), each answer linked to its
participant (ParticipantAnswer). They go through the same classification queue (the
secretariat's) and the same syntheses, where they add up to their country, the network, and the
project's own scope ("project-1").

services.py records and takes back answers, selectors.py reads them, views.py serves the page
(mounted by projects/urls.py). The names below are the feature's public surface.
"""

from projects.wellbeing.selectors import (
    PROJECT,
    QuestionAnswers,
    answer_pool_of,
    project_scope_key,
    wellbeing_answers,
    wellbeing_questions,
)
from projects.wellbeing.services import (
    answer_pools_follow,
    wellbeing_answer,
    wellbeing_answer_remove,
)

__all__ = [
    "PROJECT",
    "QuestionAnswers",
    "answer_pool_of",
    "answer_pools_follow",
    "project_scope_key",
    "wellbeing_answer",
    "wellbeing_answer_remove",
    "wellbeing_answers",
    "wellbeing_questions",
]
