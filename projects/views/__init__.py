"""Pages of "Together let's learn to make the right choices", one module a topic; this package
re-exports the views that projects/urls.py mounts."""

from projects.views.charters import (
    charter,
    charter_new,
    charter_open,
    charter_vote,
    charters,
)
from projects.views.choices import (
    choice,
    choice_comment,
    choice_edit,
    choice_new,
    choice_share,
)
from projects.views.invitations import participant_invitation_revoke
from projects.views.members import participant_member_remove, participant_members
from projects.views.participants import (
    footprint_new,
    home,
    join,
    participant_edit,
    participant_page,
)
from projects.views.summaries import (
    feed_atom,
    feed_rss,
    review,
    review_report,
    review_theme,
    reviews,
    summary,
    summary_export,
)
from projects.views.workshops import (
    workshop,
    workshop_cancel,
    workshop_conclude,
    workshop_leave,
    workshop_new,
    workshop_signup,
    workshops,
)

__all__ = [
    "charter",
    "charter_new",
    "charter_open",
    "charter_vote",
    "charters",
    "choice",
    "choice_comment",
    "choice_edit",
    "choice_new",
    "choice_share",
    "feed_atom",
    "feed_rss",
    "footprint_new",
    "home",
    "join",
    "participant_edit",
    "participant_invitation_revoke",
    "participant_member_remove",
    "participant_members",
    "participant_page",
    "review",
    "review_report",
    "review_theme",
    "reviews",
    "summary",
    "summary_export",
    "workshop",
    "workshop_cancel",
    "workshop_conclude",
    "workshop_leave",
    "workshop_new",
    "workshop_signup",
    "workshops",
]
