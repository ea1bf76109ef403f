"""Reads for the membership pages: the public page's members by kind, a platform's membership,
the secretariat's queue and a request's timeline. Membership requests belong to no tenant: the
secretariat reads them across groups."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Field, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from territories.membership.services import ACTION_PREFIX
from territories.models import (
    CoordinationGroup,
    MembershipRequest,
    MembershipRequestComment,
    NetworkMember,
)
from territories.models.network import OPEN_STATUSES
from territories.secretariat.selectors import network_member_list
from wikispiral.accounts.models import User
from wikispiral.audit.models import AuditEntry
from wikispiral.audit.selectors import audit_list

# How many members of each kind the public page lists; the member directory has them all.
MEMBERS_SHOWN_PER_KIND = 60

COMMENTED = ACTION_PREFIX + "commented"
COMMENT = "comment"
ACTION_LABELS: dict[str, Promise] = {
    ACTION_PREFIX + "submitted": _("Request submitted"),
    ACTION_PREFIX + "resubmitted": _("Request sent again by the applicant"),
    ACTION_PREFIX + "changes_requested": _("Changes requested from the applicant"),
    ACTION_PREFIX + "approved": _("Approved: the member joined the network"),
    ACTION_PREFIX + "rejected": _("Rejected"),
    COMMENT: _("Internal comment"),
}


@dataclass(frozen=True)
class KindOfMembers:
    kind: str
    label: str
    count: int
    members: list[NetworkMember]


def members_by_kind() -> list[KindOfMembers]:
    """The publicly listed members, full, ex officio then associate, each kind by name (at
    most MEMBERS_SHOWN_PER_KIND of each) with its count: four queries."""
    listed = network_member_list()
    counts = dict(listed.order_by().values_list("kind").annotate(count=Count("pk")))
    return [
        KindOfMembers(
            kind=kind,
            label=str(label),
            count=counts.get(kind, 0),
            members=list(listed.filter(kind=kind)[:MEMBERS_SHOWN_PER_KIND]),
        )
        for kind, label in NetworkMember.Kind.choices
    ]


def group_member(*, group: CoordinationGroup) -> NetworkMember | None:
    """The network member the platform is, or None."""
    return NetworkMember.objects.filter(coordination_group=group).first()


def group_open_request(*, group: CoordinationGroup) -> MembershipRequest | None:
    """The platform's request being reviewed, or None."""
    return (
        MembershipRequest.objects.filter(coordination_group=group, status__in=OPEN_STATUSES)
        .order_by("-submitted_at")
        .first()
    )


def _filtered(*, q: str = "") -> QuerySet[MembershipRequest]:
    requests = MembershipRequest.objects.all()
    if q:
        requests = requests.filter(
            Q(name__icontains=q) | Q(applicant_name__icontains=q) | Q(applicant_email__icontains=q)
        )
    return requests


def membership_request_list(*, status: str = "", q: str = "") -> QuerySet[MembershipRequest]:
    """Requests of one status (empty or "all": any) matching q, newest first, with what a
    queue row shows joined in."""
    requests = _filtered(q=q).select_related("country", "coordination_group")
    if status and status != "all":
        requests = requests.filter(status=status)
    return requests.order_by("-submitted_at", "-pk")


def membership_request_status_counts(*, q: str = "") -> dict[str, int]:
    """How many requests of each status match q (one query)."""
    counts = dict.fromkeys(MembershipRequest.Status.values, 0)
    for row in _filtered(q=q).order_by().values("status").annotate(count=Count("pk")):
        counts[row["status"]] = row["count"]
    return counts


def membership_request_get(*, pk: int) -> MembershipRequest | None:
    """One request with everything its detail page shows, or None."""
    return (
        MembershipRequest.objects.select_related(
            "country", "coordination_group", "applicant", "decided_by", "member"
        )
        .filter(pk=pk)
        .first()
    )


def membership_request_get_by_key(*, key: str) -> MembershipRequest | None:
    """The request an applicant's edit link designates, or None (an empty key never
    matches)."""
    if not key:
        return None
    return (
        MembershipRequest.objects.select_related("country", "coordination_group", "member")
        .filter(edit_key=key)
        .first()
    )


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    actor: User | None
    action: str  # an audit code, or COMMENT
    text: str = ""

    @property
    def label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def is_comment(self) -> bool:
        return self.action == COMMENT


def _entry_text(entry: AuditEntry) -> str:
    if entry.action == ACTION_PREFIX + "resubmitted":
        names = entry.data.get("changed") or []
        if not names:
            return str(_("Nothing was changed."))
        labels = []
        for name in names:
            try:
                changed = MembershipRequest._meta.get_field(name)
            except FieldDoesNotExist:
                labels.append(name)
            else:
                labels.append(str(changed.verbose_name) if isinstance(changed, Field) else name)
        return str(_("Changed: %(fields)s.")) % {"fields": ", ".join(labels)}
    return str(entry.data.get("message", ""))


def membership_request_timeline(*, request: MembershipRequest) -> list[TimelineItem]:
    """What happened to a request, oldest first: audit entries and internal comments (a
    comment's own audit entry is left out: the comment stands for it). Two queries."""
    items = [
        TimelineItem(
            at=entry.created_at, actor=entry.actor, action=entry.action, text=_entry_text(entry)
        )
        for entry in audit_list(target=request).exclude(action=COMMENTED)
    ]
    items += [
        TimelineItem(at=comment.created_at, actor=comment.author, action=COMMENT, text=comment.body)
        for comment in MembershipRequestComment.objects.filter(request=request).select_related(
            "author"
        )
    ]
    return sorted(items, key=lambda item: item.at)
