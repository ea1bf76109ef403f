"""Writing to the project: joining, choices, comments, "I do this too", footprints, workshops,
charters, the quarterly meetings and who writes for a participant.

Every service validates before it saves anything and raises ProjectError (a message for the
person, in their language, and the field it is about): the views turn it into a 400 with the
form shown again, and nothing is half-saved. The topics live in the modules below; this
package re-exports their names so that `from projects.services import ...` keeps working.
"""

from projects.services.charters import (
    VOTE_LONGEST,
    charter_close,
    charter_draft,
    charter_open,
    charter_vote,
    charters_close_due,
    charters_due,
)
from projects.services.choices import (
    _choice_fields,
    choice_comment,
    choice_create,
    choice_share,
    choice_update,
)
from projects.services.footprints import (
    footprint_record,
    goal_share,
)
from projects.services.invitations import (
    INVITATIONS_PER_DAY,
    INVITATIONS_WINDOW_SECONDS,
    PARTICIPANT_INVITATIONS,
    InvitationUnusable,
    TooManyInvitations,
    participant_invitation_create,
    participant_invitation_revoke,
    participant_member_add_or_invite,
)
from projects.services.members import (
    participant_member_add,
    participant_member_remove,
)
from projects.services.participants import (
    participant_join,
    participant_update,
    territory_visibility_follow,
)
from projects.services.reviews import (
    quarter_check,
    quarterly_review_report_create,
    quarterly_review_theme_set,
)
from projects.services.validation import (
    EARLIEST,
    KIND_OF_SUBTYPE,
    MAX_CHOICE_KG_PER_PERSON,
    MAX_KG_PER_PERSON,
    MAX_PEOPLE,
    MAX_PEOPLE_OF_SUBTYPE,
    PLANNED_AHEAD_YEARS,
    SUBTYPES,
    TEXT_LIMIT,
    Kind,
    ProjectError,
    Subtype,
    _today,
    _writes_for,
)
from projects.services.workshops import (
    REMINDER_AHEAD,
    WORKSHOP_MAX_AHEAD,
    workshop_cancel,
    workshop_conclude,
    workshop_create,
    workshop_reminders_send,
    workshop_signup,
    workshop_signup_cancel,
)

# Looked up here at call time by projects.services.invitations, so that a test can lift the
# limit by patching projects.services.rate_limit_consume.
from wikispiral.accounts.services import rate_limit_consume

__all__ = [
    "EARLIEST",
    "INVITATIONS_PER_DAY",
    "PARTICIPANT_INVITATIONS",
    "INVITATIONS_WINDOW_SECONDS",
    "InvitationUnusable",
    "KIND_OF_SUBTYPE",
    "Kind",
    "MAX_CHOICE_KG_PER_PERSON",
    "MAX_KG_PER_PERSON",
    "MAX_PEOPLE",
    "MAX_PEOPLE_OF_SUBTYPE",
    "PLANNED_AHEAD_YEARS",
    "ProjectError",
    "REMINDER_AHEAD",
    "SUBTYPES",
    "Subtype",
    "TEXT_LIMIT",
    "TooManyInvitations",
    "VOTE_LONGEST",
    "WORKSHOP_MAX_AHEAD",
    "_choice_fields",
    "_today",
    "_writes_for",
    "charter_close",
    "charter_draft",
    "charter_open",
    "charter_vote",
    "charters_close_due",
    "charters_due",
    "choice_comment",
    "choice_create",
    "choice_share",
    "choice_update",
    "footprint_record",
    "goal_share",
    "participant_invitation_create",
    "participant_invitation_revoke",
    "participant_join",
    "participant_member_add",
    "participant_member_add_or_invite",
    "participant_member_remove",
    "participant_update",
    "quarter_check",
    "quarterly_review_report_create",
    "quarterly_review_theme_set",
    "rate_limit_consume",
    "territory_visibility_follow",
    "workshop_cancel",
    "workshop_conclude",
    "workshop_create",
    "workshop_reminders_send",
    "workshop_signup",
    "workshop_signup_cancel",
]
