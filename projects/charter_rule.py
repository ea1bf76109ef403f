"""The rule by which a charter's vote decides, shown on the charter's page before the vote opens,
while it runs and with the result.

- Quorum: at least QUORUM_AT_LEAST voices, and at least a third of the participants invited
  (those who had joined when the vote opened: Charter.eligible), rounded up.
- Approved: when the quorum is reached and at least two thirds of the voices approve the text,
  with or without remarks.
- Otherwise not approved, or not decided for lack of voices (no quorum).

Pure arithmetic on whole numbers, so the boundaries are exact (two thirds of 9 voices is 6).
"""

from dataclasses import dataclass

from projects.models import Charter, CharterVote

QUORUM_AT_LEAST = 5
# A third of the participants invited.
QUORUM_NUMERATOR, QUORUM_DENOMINATOR = 1, 3
# Two thirds of the voices.
APPROVAL_NUMERATOR, APPROVAL_DENOMINATOR = 2, 3
APPROVING = (CharterVote.Voice.APPROVE, CharterVote.Voice.REMARKS)
Outcome = Charter.Outcome


def quorum_for(eligible: int) -> int:
    """The voices needed for the vote to decide, for eligible participants invited."""
    share = -(-eligible * QUORUM_NUMERATOR // QUORUM_DENOMINATOR)  # rounded up
    return max(QUORUM_AT_LEAST, share)


def approvals_needed(votes: int) -> int:
    """The approving voices needed among votes (two thirds, rounded up)."""
    return -(-votes * APPROVAL_NUMERATOR // APPROVAL_DENOMINATOR)


def outcome_for(*, eligible: int, votes: int, approvals: int) -> str:
    """Charter.Outcome of a vote with these voices."""
    if votes < quorum_for(eligible):
        return Outcome.NO_QUORUM
    if approvals * APPROVAL_DENOMINATOR >= votes * APPROVAL_NUMERATOR:
        return Outcome.APPROVED
    return Outcome.NOT_APPROVED


@dataclass(frozen=True)
class CharterRule:
    """The rule as it applies to one charter: eligible participants invited (today's number
    while the charter is a draft), the voices needed, and, once counted, the figures."""

    eligible: int
    quorum: int
    provisional: bool  # a draft: the number of participants may still change
    votes: int | None = None
    approvals: int | None = None

    @property
    def approvals_needed(self) -> int | None:
        return None if self.votes is None else approvals_needed(self.votes)
