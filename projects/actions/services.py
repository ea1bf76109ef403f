"""Co-responsibility actions and the pledges made to them: writing them.

A published action has its wiki page (the narrative, in the coordination group's space),
created in the same transaction as the publication: a refusal leaves neither. A draft has no
page yet, because the wiki shows every page of a public space and a draft is private. Every
service checks who acts, that every id it is given belongs to the tenant, and refuses bad
input with a DomainError whose message is in the reader's language; nothing is half saved.

What is checked, and how a component of a superseded grid is mapped: validation.py.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from criteria.models import Criterion
from projects.actions.validation import (
    NAME_MAX,
    UNIT_MAX,
    amount_clean,
    components_current,
    dates_check,
    ids_clean,
    language_clean,
    tenant_rows,
    text_clean,
    title_clean,
)
from projects.followables import ACTION
from projects.indicators.validation import indicators_published_check
from projects.models import Action, EvaluationSession, Indicator, Pledge
from projects.permissions import can_build_progress, can_pledge
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.notifications.services import change_record
from wikispiral.tenancy import tenant_scope
from wikispiral.text import line_clean
from wikispiral.wiki.models import Page
from wikispiral.wiki.services import PageExists, page_create

SLUG_ATTEMPTS = 20
Status = Action.Status


# --- Who may ------------------------------------------------------------------------------------


def _builder_check(actor: User, tenant: CoordinationGroup) -> None:
    if not can_build_progress(actor, tenant):
        raise DomainError(_("Only the facilitators of this coordination group may do this."))


def _action_check(tenant: CoordinationGroup, action: Action) -> None:
    if action.tenant_id != tenant.pk:
        raise DomainError(_("Not found."))


def pledge_is_pledgers(user: object, pledge: Pledge) -> bool:
    """Whether user made pledge (or is the person it names)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return getattr(user, "pk", None) in (pledge.person_id, pledge.created_by_id)


def can_withdraw_pledge(user: object, tenant: CoordinationGroup, pledge: Pledge) -> bool:
    """Withdraw pledge: the group's facilitators, or its pledger while she is a member."""
    if can_build_progress(user, tenant):
        return True
    return pledge_is_pledgers(user, pledge) and can_pledge(user, tenant)


def can_keep_pledge(user: object, tenant: CoordinationGroup) -> bool:
    """Mark a pledge kept: the group's facilitators only (a pledger does not vouch for
    herself; the kept totals go into the impact reports)."""
    return can_build_progress(user, tenant)


def can_settle_pledge(
    user: object, tenant: CoordinationGroup, pledge: Pledge, *, keep: bool
) -> bool:
    return can_keep_pledge(user, tenant) if keep else can_withdraw_pledge(user, tenant, pledge)


def _aims_clean(
    tenant: CoordinationGroup,
    indicators: Iterable[object] | None,
    components: Iterable[object] | None,
    groups: Iterable[object] | None,
    criteria: Iterable[object] | None,
) -> dict:
    return {
        "indicators": tenant_rows(
            Indicator,
            tenant,
            ids_clean(indicators, "indicators"),
            "indicators",
            _("This indicator is not one of this coordination group's."),
        ),
        "groups": tenant_rows(
            HomogeneousGroup,
            tenant,
            ids_clean(groups, "groups"),
            "groups",
            _("This homogeneous group is not in this coordination group."),
        ),
        "criteria": tenant_rows(
            Criterion,
            tenant,
            ids_clean(criteria, "criteria"),
            "criteria",
            _("This criterion was not expressed in this coordination group."),
        ),
        "components": components_current(components),
    }


def _aims_set(action: Action, aims: dict) -> None:
    action.indicators.set(aims["indicators"])
    action.groups.set(aims["groups"])
    action.criteria.set(aims["criteria"])
    action.components.set(aims["components"][0])


# --- The narrative page -------------------------------------------------------------------------


def action_url(action: Action, tenant: CoordinationGroup) -> str:
    return reverse("actions:detail", kwargs={"cg": tenant.slug, "action": action.pk})


def _page_body(action: Action, tenant: CoordinationGroup) -> str:
    title = action.title.replace("[", "\\[").replace("]", "\\]")
    link = _("The record of this action, its pledges and its evaluation: [%(title)s](%(url)s).") % {
        "title": title,
        "url": action_url(action, tenant),
    }
    return f"{action.description}\n\n{link}\n" if action.description else f"{link}\n"


def _page_create(action: Action, tenant: CoordinationGroup, actor: User) -> Page:
    space = tenant.space
    language = action.language
    parent = space.pages.filter(language=language, slug="home", is_deleted=False).first()
    with translation.override(language):
        body = _page_body(action, tenant)
        comment = _("Action created")
    base = f"action-{action.pk}"
    # An address someone already used by hand is left alone: take the next free one.
    for attempt in range(1, SLUG_ATTEMPTS + 1):
        try:
            return page_create(
                space=space,
                language=language,
                title=action.title,
                slug=base if attempt == 1 else f"{base}-{attempt}",
                body=body,
                actor=actor,
                parent=parent,
                comment=comment,
            )
        except PageExists:
            continue
    raise DomainError(_("Could not find a free address for the action's page."), "title")


def _followers_tell(action: Action, tenant: CoordinationGroup, actor: User, *, verb: str) -> None:
    """Those who follow the action hear of it (notifications, in this transaction)."""
    change_record(
        kind=ACTION,
        key=action.pk,
        actor=actor,
        title=action.title,
        url=action_url(action, tenant),
        verb=verb,
    )


# --- Actions ------------------------------------------------------------------------------------


@transaction.atomic
def action_create(
    *,
    tenant: CoordinationGroup,
    actor: User,
    title: str,
    description: str = "",
    language: str,
    status: str = Status.PROPOSED,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    indicators: Iterable[object] | None = None,
    components: Iterable[object] | None = None,
    groups: Iterable[object] | None = None,
    criteria: Iterable[object] | None = None,
    published: bool = False,
) -> Action:
    """Open an action of tenant, with its wiki page when published at once (slug action-<id>,
    under the space's home page in its language); the facilitators only. Indicators, groups
    and criteria must be the tenant's; components of a superseded grid are mapped to the
    current one."""
    _builder_check(actor, tenant)
    title = title_clean(title)
    description = text_clean(description, "description")
    language = language_clean(language)
    dates_check(status, starts_on, ends_on)
    aims = _aims_clean(tenant, indicators, components, groups, criteria)
    if published:
        indicators_published_check(aims["indicators"], field="indicators")
    with tenant_scope(tenant):
        action = Action.objects.create(
            tenant=tenant,
            title=title,
            description=description,
            language=language,
            status=status,
            starts_on=starts_on,
            ends_on=ends_on,
            published=bool(published),
            created_by=actor,
        )
        _aims_set(action, aims)
        if action.published:
            action.page = _page_create(action, tenant, actor)
            action.save(update_fields=["page"])
    audit_record(
        actor=actor,
        action="projects.action.created",
        target=action,
        tenant_id=tenant.pk,
        status=status,
        published=action.published,
        page=action.page_id,
        mapped=aims["components"][1],
    )
    return action


@transaction.atomic
def action_update(
    *,
    tenant: CoordinationGroup,
    actor: User,
    action: Action,
    title: str,
    description: str = "",
    language: str,
    status: str,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    indicators: Iterable[object] | None = None,
    components: Iterable[object] | None = None,
    groups: Iterable[object] | None = None,
    criteria: Iterable[object] | None = None,
) -> Action:
    """Change an action's record (its wiki page is the narrative, edited in the wiki)."""
    _builder_check(actor, tenant)
    _action_check(tenant, action)
    title = title_clean(title)
    description = text_clean(description, "description")
    language = language_clean(language)
    dates_check(status, starts_on, ends_on)
    aims = _aims_clean(tenant, indicators, components, groups, criteria)
    if action.published:
        indicators_published_check(aims["indicators"], field="indicators")
    with tenant_scope(tenant):
        before = {"status": action.status, "title": action.title}
        action.title, action.description, action.language = title, description, language
        action.status, action.starts_on, action.ends_on = status, starts_on, ends_on
        action.save(
            update_fields=[
                "title",
                "description",
                "language",
                "status",
                "starts_on",
                "ends_on",
                "updated_at",
            ]
        )
        _aims_set(action, aims)
    audit_record(
        actor=actor,
        action="projects.action.updated",
        target=action,
        tenant_id=tenant.pk,
        status=status,
        status_before=before["status"],
        title_before=before["title"],
        mapped=aims["components"][1],
    )
    if status != before["status"]:
        _followers_tell(action, tenant, actor, verb=f"state:{status}")
    return action


@transaction.atomic
def action_publish(*, tenant: CoordinationGroup, actor: User, action: Action) -> Action:
    """Make the action public with its wiki page (a published action stays so: publishing
    again changes nothing)."""
    _builder_check(actor, tenant)
    _action_check(tenant, action)
    if action.published:
        return action
    with tenant_scope(tenant):
        indicators_published_check(action.indicators.all(), field="indicators")
        action.published = True
        if action.page_id is None:
            action.page = _page_create(action, tenant, actor)
        action.save(update_fields=["published", "page", "updated_at"])
    audit_record(
        actor=actor, action="projects.action.published", target=action, tenant_id=tenant.pk
    )
    _followers_tell(action, tenant, actor, verb="published")
    return action


@transaction.atomic
def action_set_evaluations(
    *,
    tenant: CoordinationGroup,
    actor: User,
    action: Action,
    before: EvaluationSession | None,
    after: EvaluationSession | None,
) -> Action:
    """Name the evaluation sessions the action's change is measured between (either may be
    empty): sessions of tenant, the one before held no later than the one after."""
    _builder_check(actor, tenant)
    _action_check(tenant, action)
    for session, field in ((before, "before"), (after, "after")):
        if session is not None and session.tenant_id != tenant.pk:
            raise DomainError(_("This evaluation is not one of this coordination group's."), field)
    if before is not None and after is not None:
        if before.pk == after.pk:
            raise DomainError(
                _("Choose two different evaluations: one before, one after."), "after"
            )
        if before.held_on > after.held_on:
            raise DomainError(
                _("The evaluation before must be held no later than the evaluation after."),
                "after",
            )
    with tenant_scope(tenant):
        action.before, action.after = before, after
        action.save(update_fields=["before", "after", "updated_at"])
    audit_record(
        actor=actor,
        action="projects.action.evaluations_set",
        target=action,
        tenant_id=tenant.pk,
        before=before.pk if before else None,
        after=after.pk if after else None,
    )
    return action


# --- Pledges ------------------------------------------------------------------------------------


@transaction.atomic
def pledge_create(
    *,
    tenant: CoordinationGroup,
    actor: User,
    action: Action,
    pledger: str,
    offer: str,
    person: User | None = None,
    group: HomogeneousGroup | int | None = None,
    name: str = "",
    description: str = "",
    amount: object = None,
    unit: str = "",
) -> Pledge:
    """Record who offers what to action: a person (the actor by default; someone else only when
    a facilitator records it), one of tenant's homogeneous groups, a member organisation or a
    public body (named). Members pledge to published actions; facilitators to drafts too."""
    if not can_pledge(actor, tenant):
        raise DomainError(_("Only the members of this coordination group may pledge."))
    _action_check(tenant, action)
    builder = can_build_progress(actor, tenant)
    if not action.published and not builder:
        raise DomainError(_("This action is not published yet: pledges come once it is."))
    if action.status == Status.GIVEN_UP:
        raise DomainError(_("This action was given up: it takes no more pledges."))
    if pledger not in Pledge.Pledger.values:
        raise DomainError(_("Say who pledges."), "pledger")
    if offer not in Pledge.Offer.values:
        raise DomainError(_("Say what is offered."), "offer")
    hg = None
    label = ""
    if pledger == Pledge.Pledger.PERSON:
        person = person or actor
        if person.pk != actor.pk and not builder:
            raise DomainError(_("You may pledge only in your own name."), "pledger")
    else:
        person = None
    if pledger == Pledge.Pledger.HOMOGENEOUS_GROUP:
        ids = ids_clean([group] if group is not None else [], "group")
        if not ids:
            raise DomainError(_("Choose the homogeneous group that pledges."), "group")
        hg = tenant_rows(
            HomogeneousGroup,
            tenant,
            ids,
            "group",
            _("This homogeneous group is not in this coordination group."),
        )[0]
    if pledger in (Pledge.Pledger.ORGANISATION, Pledge.Pledger.PUBLIC_BODY):
        label = line_clean(name)
        if not label:
            raise DomainError(_("Give the name of the organisation or public body."), "name")
        if len(label) > NAME_MAX:
            raise DomainError(
                _("The name is too long (%(max)d characters at most).") % {"max": NAME_MAX},
                "name",
            )
    description = text_clean(description, "description")
    value = amount_clean(amount)
    unit = line_clean(unit)
    if len(unit) > UNIT_MAX:
        raise DomainError(
            _("The unit is too long (%(max)d characters at most).") % {"max": UNIT_MAX}, "unit"
        )
    with tenant_scope(tenant):
        pledge = Pledge.objects.create(
            tenant=tenant,
            action=action,
            pledger=pledger,
            person=person,
            group=hg,
            name=label,
            offer=offer,
            description=description,
            amount=value,
            unit=unit,
            created_by=actor,
        )
    audit_record(
        actor=actor,
        action="projects.pledge.created",
        target=pledge,
        tenant_id=tenant.pk,
        action_id=action.pk,
        pledger=pledger,
        offer=offer,
        amount=str(value) if value is not None else None,
        unit=unit,
    )
    _followers_tell(action, tenant, actor, verb="pledge")
    return pledge


def _pledge_settle(*, tenant: CoordinationGroup, actor: User, pledge: Pledge, state: str) -> Pledge:
    if pledge.tenant_id != tenant.pk:
        raise DomainError(_("Not found."))
    with tenant_scope(tenant):
        # Two people settling the same pledge at once: the second sees the first one's state.
        pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
        if not can_settle_pledge(actor, tenant, pledge, keep=state == Pledge.State.KEPT):
            raise DomainError(
                _("Only the person who pledged or the facilitators may change this pledge.")
            )
        if pledge.state == Pledge.State.WITHDRAWN:
            raise DomainError(
                _("This pledge was withdrawn: it cannot be kept.")
                if state == Pledge.State.KEPT
                else _("This pledge is already withdrawn.")
            )
        if pledge.state == Pledge.State.KEPT:
            raise DomainError(
                _("This pledge is already kept.")
                if state == Pledge.State.KEPT
                else _("This pledge was kept: it cannot be withdrawn.")
            )
        pledge.state = state
        pledge.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor,
        action=f"projects.pledge.{state}",
        target=pledge,
        tenant_id=tenant.pk,
        action_id=pledge.action_id,
    )
    return pledge


@transaction.atomic
def pledge_keep(*, tenant: CoordinationGroup, actor: User, pledge: Pledge) -> Pledge:
    """Mark an offered pledge kept: the facilitators, or the pledger herself."""
    return _pledge_settle(tenant=tenant, actor=actor, pledge=pledge, state=Pledge.State.KEPT)


@transaction.atomic
def pledge_withdraw(*, tenant: CoordinationGroup, actor: User, pledge: Pledge) -> Pledge:
    """Withdraw an offered pledge: the pledger herself, or the facilitators. A kept or
    withdrawn pledge stays as it is."""
    return _pledge_settle(tenant=tenant, actor=actor, pledge=pledge, state=Pledge.State.WITHDRAWN)
