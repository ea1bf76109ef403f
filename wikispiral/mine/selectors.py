"""Reads for My wikispiral: what needs each person, gathered from every app's selectors.

Every read is aggregated across all of a person's groups at once (one query per kind, never one
per group), so the page costs the same number of queries for one group as for twenty.
"""

from dataclasses import dataclass, field

from criteria.classification.selectors import waiting_counts
from criteria.models import ImportBatch
from criteria.selectors import homogeneous_groups_without_criteria
from criteria.transfer.selectors import import_batch_latest
from projects.highlights import (
    ActionLine,
    ProgressLink,
    actions_to_pledge,
    facilitator_progress_links,
    pledged_actions,
    progress_counts,
)
from projects.models import Charter, Participant, WorkshopSignup
from projects.selectors import charters_awaiting_voice, participants_of, workshop_signups_of
from syntheses.models import Report, Snapshot
from syntheses.reports.selectors import group_reports_latest
from syntheses.selectors import group_synthesis_states
from territories.applications.selectors import application_list_of, application_status_counts
from territories.groups.selectors import (
    facilitated_homogeneous_groups,
    invitation_pending_counts,
    membership_list,
)
from territories.models import Application, CoordinationGroup, HomogeneousGroup, Membership
from territories.secretariat.selectors import DashboardCounts, dashboard_counts
from wikispiral.accounts.models import User
from wikispiral.wiki.models import Page
from wikispiral.wiki.selectors import pages_edited_by

# How many homogeneous groups without criteria a card names before it only counts the rest.
EMPTY_GROUPS_NAMED = 3
RECENT_PAGES = 5


@dataclass
class GroupDesk:
    """One coordination group a person facilitates, and what needs her there."""

    group: CoordinationGroup
    waiting: int = 0
    disputed: int = 0
    empty_groups: list[HomogeneousGroup] = field(default_factory=list)
    empty_count: int = 0
    imports: list[ImportBatch] = field(default_factory=list)
    snapshot: Snapshot | None = None
    recomputing: bool = False
    reports: list[Report] = field(default_factory=list)
    invitations: int = 0
    # Indicators, evaluation sessions and actions, with their counts.
    progress: list[ProgressLink] = field(default_factory=list)

    @property
    def synthesis_key(self) -> str:
        return f"cg-{self.group.pk}"

    @property
    def empty_groups_unnamed(self) -> int:
        return self.empty_count - len(self.empty_groups)

    @property
    def imports_unfinished(self) -> list[ImportBatch]:
        return [batch for batch in self.imports if batch.status != ImportBatch.Status.DONE]


@dataclass
class SecretariatDesk:
    counts: DashboardCounts
    applications: dict[str, int]

    @property
    def changes_requested(self) -> int:
        return self.applications.get(Application.Status.CHANGES_REQUESTED, 0)


@dataclass
class MyWikispiral:
    desks: list[GroupDesk]
    memberships: list[Membership]
    homogeneous_groups: list[HomogeneousGroup]
    participants: list[Participant]
    charters: list[tuple[Charter, int]]
    signups: list[WorkshopSignup]
    pages: list[Page]
    applications: list[Application]
    secretariat: SecretariatDesk | None
    # Actions she pledged to (with her pledges), and her groups' actions awaiting hers.
    pledged: list[ActionLine]
    to_pledge: list[ActionLine]

    @property
    def has_contributions(self) -> bool:
        return bool(
            self.memberships
            or self.homogeneous_groups
            or self.participants
            or self.signups
            or self.pages
            or self.applications
            or self.pledged
        )

    @property
    def is_new(self) -> bool:
        """Nothing of hers anywhere yet: the page offers next steps instead."""
        return not (self.has_contributions or self.desks or self.secretariat)


def _desks(groups: list[CoordinationGroup]) -> list[GroupDesk]:
    desks = {group.pk: GroupDesk(group=group) for group in groups}
    if not desks:
        return []
    for tenant_id, counts in waiting_counts(tenants=groups).items():
        desks[tenant_id].waiting = counts["waiting"]
        desks[tenant_id].disputed = counts["disputed"]
    for homogeneous_group in homogeneous_groups_without_criteria(tenants=groups):
        desk = desks[homogeneous_group.tenant_id]
        desk.empty_count += 1
        if len(desk.empty_groups) < EMPTY_GROUPS_NAMED:
            desk.empty_groups.append(homogeneous_group)
    for batch in import_batch_latest(tenants=groups):
        desks[batch.tenant_id].imports.append(batch)
    snapshots, recomputing = group_synthesis_states(tenants=groups)
    for group_id, snapshot in snapshots.items():
        desks[group_id].snapshot = snapshot
    for group_id in recomputing:
        desks[group_id].recomputing = True
    for report in group_reports_latest(tenants=groups):
        desks[report.scope_id].reports.append(report)
    for tenant_id, count in invitation_pending_counts(groups=groups).items():
        desks[tenant_id].invitations = count
    for tenant_id, progress in progress_counts(tenants=groups).items():
        desks[tenant_id].progress = facilitator_progress_links(
            tenant=desks[tenant_id].group, counts=progress
        )
    return list(desks.values())


def my_wikispiral(*, user: User) -> MyWikispiral:
    """Everything My wikispiral shows for user. A fixed number of queries, whatever the number
    of her groups."""
    memberships = membership_list(user=user)
    facilitated = [m.tenant for m in memberships if m.role == Membership.Role.FACILITATOR]
    groups = [m.tenant for m in memberships]
    participants = participants_of(user=user)
    readable_spaces = [m.tenant.space_id for m in memberships]
    readable_spaces += [participant.space_id for participant in participants]
    secretariat = None
    if user.is_network_staff:
        secretariat = SecretariatDesk(
            counts=dashboard_counts(), applications=application_status_counts()
        )
    return MyWikispiral(
        desks=_desks(facilitated),
        memberships=[m for m in memberships if m.role != Membership.Role.FACILITATOR],
        homogeneous_groups=facilitated_homogeneous_groups(user=user),
        participants=participants,
        charters=charters_awaiting_voice(participants=participants),
        signups=workshop_signups_of(user=user),
        pages=pages_edited_by(user=user, readable_space_ids=readable_spaces, limit=RECENT_PAGES),
        applications=application_list_of(user=user),
        secretariat=secretariat,
        pledged=pledged_actions(user=user, tenants=groups),
        to_pledge=actions_to_pledge(user=user, tenants=groups),
    )
