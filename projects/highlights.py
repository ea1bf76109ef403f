"""What the rest of the site shows of the groups' progress indicators, evaluation sessions and
co-responsibility actions: the feeds' items, the links and counts on a group's page and on My
wikispiral, a person's pledges and the actions waiting for hers. Reads only (selectors).

The pages themselves live in projects/{indicators,evaluations,actions,impact}/; every address
to them is built here, by progress_url.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
)
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.models import Action, EvaluationSession, Indicator, Pledge
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.accounts.models import User
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.feeds import FEED_LENGTH, excerpt
from wikispiral.wiki.permissions import AnyUser

# What My wikispiral lists at most of a person's pledged actions and of actions awaiting hers.
PLEDGED_LENGTH = 20
TO_PLEDGE_LENGTH = 10
# Actions a member may still join.
OPEN_STATES = (Action.Status.AGREED, Action.Status.UNDER_WAY)


def progress_url(name: str, *, cg: str, **ids: int) -> str:
    """The address of a group's progress page: progress_url("actions:detail", cg=slug,
    action=pk); "indicators:*", "evaluations:*", "actions:*" and "impact:list"."""
    return reverse(name, kwargs={"cg": cg, **ids})


# --- The feeds' items ---------------------------------------------------------------------------
#
# Each brings what "Follow the latest additions" and a group's feed ask of an item: title (plain
# text: the feed generator escapes it), link, description (HTML, user text escaped with
# format_html), created_at (what the feeds sort on) and guid. The models keep no publication
# date: an item is dated by its last change, which for a draft just published is its
# publication (its guid stays the same, so a reader never shows it twice).


@dataclass
class PublishedIndicator:
    indicator: Indicator

    @property
    def title(self) -> str:
        return _("Progress indicator of %(group)s: %(title)s") % {
            "group": self.indicator.tenant.name,
            "title": self.indicator.title,
        }

    @property
    def link(self) -> str:
        tenant = self.indicator.tenant
        return progress_url("indicators:detail", cg=tenant.slug, indicator=self.indicator.pk)

    @property
    def created_at(self) -> datetime.datetime:
        return self.indicator.updated_at

    @property
    def description(self) -> str:
        component = self.indicator.component
        return format_html(
            "<p>{} {}</p><p>{}</p>",
            component.code,
            component.label(),
            excerpt(self.indicator.text("description"), markup=False),
        )

    @property
    def guid(self) -> str:
        return f"{settings.SITE_URL}/indicator/{self.indicator.pk}"


@dataclass
class PublishedSession:
    session: EvaluationSession

    @property
    def title(self) -> str:
        return _("Evaluation of %(group)s: %(title)s") % {
            "group": self.session.tenant.name,
            "title": self.session.title,
        }

    @property
    def link(self) -> str:
        tenant = self.session.tenant
        return progress_url("evaluations:detail", cg=tenant.slug, session=self.session.pk)

    @property
    def created_at(self) -> datetime.datetime:
        return self.session.updated_at

    @property
    def description(self) -> str:
        session = self.session
        who = session.group.name if session.group else _("The whole platform")
        details = [
            date_format(session.held_on, "DATE_FORMAT", use_l10n=True),
            who,
            ngettext("%(count)s participant", "%(count)s participants", session.participants)
            % {"count": session.participants},
        ]
        return format_html(
            "<p>{}</p><p>{}</p>", " · ".join(details), excerpt(session.notes, markup=False)
        )

    @property
    def guid(self) -> str:
        return f"{settings.SITE_URL}/evaluation/{self.session.pk}"


@dataclass
class PublishedAction:
    action: Action

    @property
    def title(self) -> str:
        return _("Co-responsibility action of %(group)s: %(title)s") % {
            "group": self.action.tenant.name,
            "title": self.action.title,
        }

    @property
    def link(self) -> str:
        return action_url(self.action)

    @property
    def created_at(self) -> datetime.datetime:
        return self.action.updated_at

    @property
    def description(self) -> str:
        return format_html(
            "<p>{}</p><p>{}</p>",
            self.action.get_status_display(),
            excerpt(self.action.description, markup=False),
        )

    @property
    def guid(self) -> str:
        return f"{settings.SITE_URL}/action/{self.action.pk}"


type ProgressAddition = PublishedIndicator | PublishedSession | PublishedAction
PROGRESS_ADDITIONS = (PublishedIndicator, PublishedSession, PublishedAction)

_TENANT_FIELDS = ("tenant__name", "tenant__slug")


def progress_published(
    *, tenant: CoordinationGroup | None = None, limit: int = FEED_LENGTH
) -> list[ProgressAddition]:
    """Published indicators, evaluation sessions and actions of the groups that are not hidden
    (of tenant only, when given), newest first: the same for every reader, for the feeds.
    Three queries, one per kind, whatever the number of groups."""
    shown = Q(tenant__is_hidden=False)
    if tenant is not None:
        shown &= Q(tenant=tenant)
    with cross_tenant():
        indicators = (
            Indicator.objects.filter(shown, status=Indicator.Status.PUBLISHED)
            .select_related("tenant", "component")
            .only(
                "pk",
                "texts",
                "language",
                "updated_at",
                "component__code",
                "component__names",
                *_TENANT_FIELDS,
            )
            .order_by("-updated_at", "-pk")[:limit]
        )
        sessions = (
            EvaluationSession.objects.filter(shown, status=EvaluationSession.Status.PUBLISHED)
            .select_related("tenant", "group")
            .only(
                "pk",
                "title",
                "held_on",
                "participants",
                "notes",
                "updated_at",
                "group__name",
                *_TENANT_FIELDS,
            )
            .order_by("-updated_at", "-pk")[:limit]
        )
        actions = (
            Action.objects.filter(shown, published=True)
            .select_related("tenant")
            .only("pk", "title", "description", "status", "updated_at", *_TENANT_FIELDS)
            .order_by("-updated_at", "-pk")[:limit]
        )
        items: list[ProgressAddition] = [
            *(PublishedIndicator(indicator) for indicator in indicators),
            *(PublishedSession(session) for session in sessions),
            *(PublishedAction(action) for action in actions),
        ]
    items.sort(key=lambda item: item.created_at, reverse=True)
    return items[:limit]


# --- Counts: a group's page and the facilitators' cards on My wikispiral ------------------------


@dataclass
class ProgressCounts:
    """One group's indicators, evaluation sessions and actions, published or not."""

    indicators_published: int = 0
    indicators_draft: int = 0
    sessions_published: int = 0
    sessions_draft: int = 0
    actions_published: int = 0
    actions_draft: int = 0
    # Every action, published or not, by its state.
    actions_by_state: dict[str, int] = field(default_factory=dict)


def _published(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def progress_counts(*, tenants: Sequence[CoordinationGroup]) -> dict[int, ProgressCounts]:
    """The counts of each of tenants (by id; every tenant has an entry). One query for every
    group and kind (a UNION of three grouped counts), so a page's cost does not grow with the
    number of groups."""
    counts = {tenant.pk: ProgressCounts() for tenant in tenants}
    if not counts:
        return counts
    ids = list(counts)
    # order_by(): neither a UNION nor its branches may be ordered (the models' default
    # orderings would be).
    with cross_tenant():
        indicators = (
            Indicator.objects.filter(tenant_id__in=ids)
            .order_by()
            .values(
                row_kind=Value("indicator"),
                row_tenant=F("tenant_id"),
                row_state=F("status"),
                row_public=_published(Q(status=Indicator.Status.PUBLISHED)),
            )
            .annotate(row_number=Count("pk"))
        )
        sessions = (
            EvaluationSession.objects.filter(tenant_id__in=ids)
            .order_by()
            .values(
                row_kind=Value("session"),
                row_tenant=F("tenant_id"),
                row_state=F("status"),
                row_public=_published(Q(status=EvaluationSession.Status.PUBLISHED)),
            )
            .annotate(row_number=Count("pk"))
        )
        actions = (
            Action.objects.filter(tenant_id__in=ids)
            .order_by()
            .values(
                row_kind=Value("action"),
                row_tenant=F("tenant_id"),
                row_state=F("status"),
                row_public=F("published"),
            )
            .annotate(row_number=Count("pk"))
        )
        rows = list(indicators.union(sessions, actions, all=True).order_by())
    for row in rows:
        found = counts[row["row_tenant"]]
        number = row["row_number"]
        if row["row_kind"] == "indicator":
            if row["row_public"]:
                found.indicators_published += number
            else:
                found.indicators_draft += number
        elif row["row_kind"] == "session":
            if row["row_public"]:
                found.sessions_published += number
            else:
                found.sessions_draft += number
        else:
            if row["row_public"]:
                found.actions_published += number
            else:
                found.actions_draft += number
            state = row["row_state"]
            found.actions_by_state[state] = found.actions_by_state.get(state, 0) + number
    return counts


@dataclass
class ProgressLink:
    """One line of a progress list: a label, its page and a note with the counts; urgent when
    something waits for the reader."""

    label: str
    url: str
    note: str = ""
    urgent: bool = False


def _published_note(count: int) -> str:
    return ngettext("%(count)s published", "%(count)s published", count) % {"count": count}


def _drafts_note(count: int) -> str:
    return ngettext("%(count)s draft", "%(count)s drafts", count) % {"count": count}


def _entered_note(count: int) -> str:
    return ngettext("%(count)s being entered", "%(count)s being entered", count) % {"count": count}


def group_progress_links(
    *, tenant: CoordinationGroup, counts: ProgressCounts, drafts: bool
) -> list[ProgressLink]:
    """The lines "Progress indicators", "Evaluations", "Co-responsibility actions" of tenant's
    page, with the published counts (and the drafts' when drafts)."""
    cg = tenant.slug
    lines = [
        (
            "indicators:list",
            _("Progress indicators"),
            counts.indicators_published,
            _drafts_note(counts.indicators_draft),
        ),
        (
            "evaluations:list",
            _("Evaluations"),
            counts.sessions_published,
            _entered_note(counts.sessions_draft),
        ),
        (
            "actions:list",
            _("Co-responsibility actions"),
            counts.actions_published,
            _drafts_note(counts.actions_draft),
        ),
    ]
    return [
        ProgressLink(
            label=label,
            url=progress_url(name, cg=cg),
            note=", ".join([_published_note(published), draft_note])
            if drafts
            else _published_note(published),
        )
        for name, label, published, draft_note in lines
    ]


def facilitator_progress_links(
    *, tenant: CoordinationGroup, counts: ProgressCounts
) -> list[ProgressLink]:
    """A facilitator's card on My wikispiral: drafts to finish, sessions being entered, the
    actions by state and the impact reports."""
    cg = tenant.slug
    indicators = counts.indicators_published + counts.indicators_draft
    actions = counts.actions_published + counts.actions_draft
    action_notes = [
        _("%(state)s: %(count)s") % {"state": label, "count": counts.actions_by_state[value]}
        for value, label in Action.Status.choices
        if counts.actions_by_state.get(value)
    ]
    if counts.actions_draft:
        action_notes.append(
            ngettext("%(count)s not published", "%(count)s not published", counts.actions_draft)
            % {"count": counts.actions_draft}
        )
    return [
        ProgressLink(
            label=ngettext(
                "%(count)s progress indicator", "%(count)s progress indicators", indicators
            )
            % {"count": indicators},
            url=progress_url("indicators:list", cg=cg),
            note=", ".join(
                [
                    _published_note(counts.indicators_published),
                    _drafts_note(counts.indicators_draft),
                ]
            ),
            urgent=bool(counts.indicators_draft),
        ),
        ProgressLink(
            label=ngettext(
                "%(count)s evaluation session being entered",
                "%(count)s evaluation sessions being entered",
                counts.sessions_draft,
            )
            % {"count": counts.sessions_draft},
            url=progress_url("evaluations:list", cg=cg),
            note=_published_note(counts.sessions_published),
            urgent=bool(counts.sessions_draft),
        ),
        ProgressLink(
            label=ngettext(
                "%(count)s co-responsibility action", "%(count)s co-responsibility actions", actions
            )
            % {"count": actions},
            url=progress_url("actions:list", cg=cg),
            note=" · ".join(action_notes),
        ),
        ProgressLink(label=_("Impact reports"), url=progress_url("impact:list", cg=cg)),
    ]


def group_progress_facts(
    *,
    user: AnyUser,
    tenant: CoordinationGroup,
    homogeneous_group: HomogeneousGroup | None,
    role: str | None,
) -> dict[str, object]:
    """territories' group_page_facts provider: progress_links, the links to the group's
    indicators, evaluations and actions with their counts (the drafts' too for its members and
    the secretariat), for the coordination group's page; nothing for a homogeneous group's
    page, which does not show them. One query."""
    if homogeneous_group is not None:
        return {}
    staff = user.is_authenticated and user.is_network_staff
    counts = progress_counts(tenants=[tenant])[tenant.pk]
    # The page loaded the reader's role already: no query here (as can_see_progress_drafts).
    drafts = bool(staff or role is not None)
    return {"progress_links": group_progress_links(tenant=tenant, counts=counts, drafts=drafts)}


# --- A person's actions on My wikispiral --------------------------------------------------------


def action_url(action: Action) -> str:
    """An action's page (its tenant loaded)."""
    return progress_url("actions:detail", cg=action.tenant.slug, action=action.pk)


@dataclass
class ActionLine:
    """An action as My wikispiral lists it, with the person's own pledges to it."""

    action: Action
    pledges: list[Pledge] = field(default_factory=list)

    @property
    def link(self) -> str:
        return action_url(self.action)


def pledged_actions(
    *, user: User, tenants: Sequence[CoordinationGroup], limit: int = PLEDGED_LENGTH
) -> list[ActionLine]:
    """The actions of the pledges that name user, each with those pledges and their states,
    the latest pledge first: in her groups (tenants), and published ones of visible groups
    she is no longer a member of. One query."""
    ids = [tenant.pk for tenant in tenants]
    with cross_tenant():
        pledges = list(
            Pledge.objects.filter(person=user)
            .filter(Q(tenant_id__in=ids) | Q(action__published=True, tenant__is_hidden=False))
            .select_related("action", "action__tenant")
            .order_by("-created_at", "-pk")[:limit]
        )
    lines: dict[int, ActionLine] = {}
    for pledge in pledges:
        lines.setdefault(pledge.action_id, ActionLine(action=pledge.action)).pledges.append(pledge)
    return list(lines.values())


def actions_to_pledge(
    *, user: User, tenants: Sequence[CoordinationGroup], limit: int = TO_PLEDGE_LENGTH
) -> list[ActionLine]:
    """Published actions of user's groups (tenants) that are agreed or under way and that she
    has not pledged to yet (or withdrew from), the latest changed first. One query for all her
    groups, none without groups."""
    ids = [tenant.pk for tenant in tenants]
    if not ids:
        return []
    with cross_tenant():
        hers = Pledge.objects.filter(
            action=OuterRef("pk"),
            person=user,
            state__in=[Pledge.State.OFFERED, Pledge.State.KEPT],
        )
        actions = list(
            Action.objects.filter(tenant_id__in=ids, published=True, status__in=OPEN_STATES)
            .filter(~Exists(hers))
            .select_related("tenant")
            .only("pk", "title", "status", "updated_at", "tenant__name", "tenant__slug")
            .order_by("-updated_at", "-pk")[:limit]
        )
    return [ActionLine(action=action) for action in actions]
