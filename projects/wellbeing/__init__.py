"""Well-being: a participant's answers to the SPIRAL questions.

They are criteria like any other: each participant answers as one homogeneous group of the
project's platform in its country (territories.projects), so the answers go through the same
classification queue (the secretariat's) and the same syntheses, where they add up to their
country, the network, and the project's own scope ("project-1").

services.py records and takes back answers, selectors.py reads them, views.py serves the page
(mounted by projects/urls.py). The names below are the feature's public surface.
"""

from projects.wellbeing.selectors import (
    PROJECT,
    QuestionAnswers,
    project_scope_key,
    wellbeing_answers,
    wellbeing_questions,
)
from projects.wellbeing.services import (
    wellbeing_answer,
    wellbeing_answer_remove,
    wellbeing_group_follow,
)

__all__ = [
    "PROJECT",
    "QuestionAnswers",
    "project_scope_key",
    "wellbeing_answer",
    "wellbeing_answer_remove",
    "wellbeing_answers",
    "wellbeing_group_follow",
    "wellbeing_questions",
]
