"""Writing progress indicators: a coordination group's scales of situations, from the worst to
the ideal, for one component of well-being.

Texts are kept per language ({"fr": {"title": ..., "description": ...}}): a save in one
language leaves the others as they are. Every save appends an IndicatorRevision holding the
whole indicator (texts, scale, criteria), in the same transaction; a save based on an older
revision than the latest is refused with IndicatorConflict, which carries the latest one so the
person sees both versions. The number of levels and their names are data: five by default
(very bad, bad, average, good, ideal), from 2 to LEVELS_MAX.
"""

import copy
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from criteria.models import Component
from projects.evaluations.rollup import evaluations_mark_lineage
from projects.indicators.validation import (
    COMMENT_MAX,
    Level,
    component_in_grid,
    criteria_check,
    description_clean,
    has,
    language_check,
    levels_clean,
    merged,
    title_clean,
)
from projects.models import (
    Action,
    EvaluationSession,
    Indicator,
    IndicatorLevel,
    IndicatorRevision,
    Placement,
)
from territories.models import CoordinationGroup
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.tenancy import cross_tenant, tenant_scope
from wikispiral.text import line_clean

# The default scale, worst first; names are written in the indicator's language when it is made.
DEFAULT_LEVEL_NAMES = (
    pgettext_lazy("indicator level", "Very bad"),
    pgettext_lazy("indicator level", "Bad"),
    pgettext_lazy("indicator level", "Average"),
    pgettext_lazy("indicator level", "Good"),
    pgettext_lazy("indicator level", "Ideal"),
)


class IndicatorConflict(DomainError):
    """Someone saved the indicator after the revision the person started from: latest is the
    revision now current (None only if its row is missing)."""

    def __init__(
        self, *, indicator: Indicator, latest: IndicatorRevision | None, base_revision: int
    ) -> None:
        super().__init__(
            _(
                "Someone saved this indicator while you were editing it (version %(number)d). "
                "Nothing of yours was saved: compare the two versions, then save again."
            )
            % {"number": indicator.revision}
        )
        self.indicator = indicator
        self.latest = latest
        self.base_revision = base_revision


def default_levels(language: str) -> list[dict]:
    """The default scale (five levels, worst first) with its names written in language."""
    with translation.override(language):
        return [
            {"name": str(name), "description": "", "criteria": []} for name in DEFAULT_LEVEL_NAMES
        ]


# --- Writing ------------------------------------------------------------------------------------


def _levels_write(
    indicator: Indicator, language: str, levels: list[Level]
) -> list[tuple[dict, list[int]]]:
    """Make the indicator's scale levels (texts of language merged into each level's), and
    return each level's texts and criteria, worst first."""
    existing = {
        level.position: level for level in IndicatorLevel.objects.filter(indicator=indicator)
    }
    written: list[tuple[dict, list[int]]] = []
    for position, wanted in enumerate(levels, start=1):
        row = existing.get(position)
        texts = merged(
            row.texts if row is not None else {},
            language,
            {"name": wanted.name, "description": wanted.description},
        )
        if not has(texts, "name"):
            raise DomainError(
                _("Give level %(position)d a name.") % {"position": position}, field="levels"
            )
        if row is None:
            row = IndicatorLevel.objects.create(
                tenant_id=indicator.tenant_id, indicator=indicator, position=position, texts=texts
            )
            current: list[int] = []
        else:
            if texts != row.texts:
                row.texts = texts
                row.save(update_fields=["texts"])
            current = sorted(row.criteria.values_list("pk", flat=True))
        criteria = current if wanted.criteria is None else sorted(wanted.criteria)
        if criteria != current:
            row.criteria.set(criteria)
        written.append((texts, criteria))
    IndicatorLevel.objects.filter(indicator=indicator, position__gt=len(levels)).delete()
    return written


def _scale_size_check(indicator: Indicator, size: int) -> None:
    """Evaluations compare only on the same scale: once the territory was placed on it, or
    while other groups hold an adopted copy of it, its number of levels stays."""
    if IndicatorLevel.objects.filter(indicator=indicator).count() == size:
        return
    if Placement.objects.filter(indicator=indicator).exists():
        raise DomainError(
            _(
                "The territory was already placed on this scale: its number of levels cannot "
                "change, or the evaluations would no longer compare. Write a new indicator "
                "for another scale."
            ),
            field="levels",
        )
    with cross_tenant():
        in_lineage = (
            Indicator.objects.filter(lineage=indicator.lineage).exclude(pk=indicator.pk).exists()
        )
    if in_lineage:
        raise DomainError(
            _(
                "This indicator shares its scale with adopted copies in other groups, so that "
                "their evaluations add up: its number of levels cannot change."
            ),
            field="levels",
        )


def _back_to_draft_check(indicator: Indicator) -> None:
    """A published session or action shows the indicator: it stays published."""
    if indicator.status != Indicator.Status.PUBLISHED:
        return
    if (
        EvaluationSession.objects.filter(
            indicators=indicator, status=EvaluationSession.Status.PUBLISHED
        ).exists()
        or Action.objects.filter(indicators=indicator, published=True).exists()
    ):
        raise DomainError(
            _(
                "A published evaluation or action shows this indicator: it cannot go back to "
                "being a draft."
            ),
            field="status",
        )


def _revision_write(
    indicator: Indicator,
    *,
    actor: User | None,
    levels: list[tuple[dict, list[int]]],
    comment: str,
) -> IndicatorRevision:
    indicator.revision += 1
    indicator.save(update_fields=["revision", "updated_at"])
    content = {
        "component": indicator.component_id,
        "component_code": indicator.component.code,
        "language": indicator.language,
        "texts": indicator.texts,
        "status": indicator.status,
        "shared": indicator.shared,
        "levels": [
            {"position": position, "texts": texts, "criteria": criteria}
            for position, (texts, criteria) in enumerate(levels, start=1)
        ],
    }
    return IndicatorRevision.objects.create(
        tenant_id=indicator.tenant_id,
        indicator=indicator,
        number=indicator.revision,
        content=content,
        comment=line_clean(comment)[:COMMENT_MAX],
        author=actor if actor is not None and actor.is_authenticated else None,
    )


def _current_levels(indicator: Indicator) -> list[tuple[dict, list[int]]]:
    levels = IndicatorLevel.objects.filter(indicator=indicator).prefetch_related("criteria")
    return [
        (level.texts, sorted(criterion.pk for criterion in level.criteria.all()))
        for level in levels.order_by("position")
    ]


def _own(tenant: CoordinationGroup, indicator: Indicator) -> None:
    if indicator.tenant_id != tenant.pk:
        raise DomainError(_("Not found."))


@transaction.atomic
def indicator_create(
    *,
    tenant: CoordinationGroup,
    actor: User | None,
    component: Component,
    language: str,
    title: str,
    description: str = "",
    levels: list[dict] | None = None,
    comment: str = "",
) -> Indicator:
    """A new draft indicator of tenant for component (of the current grid), written in
    language; levels worst first ({"name", "description", "criteria": [ids]}), five default
    ones when None. Revision 1 holds it. DomainError, nothing saved, on bad input."""
    with tenant_scope(tenant):
        language = language_check(tenant, language)
        component = component_in_grid(component, move=False)
        title = title_clean(title)
        if not title:
            raise DomainError(_("Give the indicator a title."), field="title")
        description = description_clean(description)
        cleaned = levels_clean(default_levels(language) if levels is None else levels)
        for position, level in enumerate(cleaned, start=1):
            if not level.name:
                raise DomainError(
                    _("Give level %(position)d a name.") % {"position": position}, field="levels"
                )
        criteria_check(tenant, cleaned)
        indicator = Indicator.objects.create(
            tenant=tenant,
            component=component,
            language=language,
            texts=merged({}, language, {"title": title, "description": description}),
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        # An indicator written here heads its own lineage (adoptions follow their origin's).
        indicator.lineage = indicator.pk
        indicator.save(update_fields=["lineage"])
        written = _levels_write(indicator, language, cleaned)
        _revision_write(indicator, actor=actor, levels=written, comment=comment)
        audit_record(
            actor=actor,
            action="projects.indicator.created",
            target=indicator,
            tenant_id=tenant.pk,
            component=component.code,
            language=language,
            levels=len(written),
        )
    return indicator


@transaction.atomic
def indicator_update(
    *,
    tenant: CoordinationGroup,
    actor: User | None,
    indicator: Indicator,
    base_revision: int,
    language: str,
    title: str,
    description: str,
    levels: list[dict],
    status: str | None = None,
    shared: bool | None = None,
    comment: str = "",
) -> Indicator:
    """Save the indicator's texts in language (the other languages kept), its scale (levels
    added or removed at the end; a level's "criteria" None keeps its links), and optionally its
    status and sharing, as a new revision. IndicatorConflict when base_revision is not the
    latest; DomainError, nothing saved, on bad input. Returns the saved indicator."""
    with tenant_scope(tenant):
        _own(tenant, indicator)
        locked = (
            Indicator.objects.select_for_update()
            .select_related("component__version")
            .get(pk=indicator.pk)
        )
        if base_revision != locked.revision:
            latest = IndicatorRevision.objects.filter(
                indicator=locked, number=locked.revision
            ).first()
            raise IndicatorConflict(indicator=locked, latest=latest, base_revision=base_revision)
        language = language_check(tenant, language)
        if status is not None and status not in Indicator.Status.values:
            raise DomainError(_("Choose whether the indicator is a draft or published."), "status")
        component = component_in_grid(locked.component, move=True)
        texts = merged(
            locked.texts,
            language,
            {"title": title_clean(title), "description": description_clean(description)},
        )
        if not has(texts, "title"):
            raise DomainError(_("Give the indicator a title."), field="title")
        cleaned = levels_clean(levels)
        criteria_check(tenant, cleaned)
        _scale_size_check(locked, len(cleaned))
        if status == Indicator.Status.DRAFT:
            _back_to_draft_check(locked)
        before = {"status": locked.status, "shared": locked.shared, "component": component.code}
        moved = component.pk != locked.component_id
        locked.component = component
        locked.texts = texts
        if status is not None:
            locked.status = status
        if shared is not None:
            locked.shared = bool(shared)
        locked.save(update_fields=["component", "texts", "status", "shared", "updated_at"])
        written = _levels_write(locked, language, cleaned)
        revision = _revision_write(locked, actor=actor, levels=written, comment=comment)
        _places_follow(locked, before)
        audit_record(
            actor=actor,
            action="projects.indicator.updated",
            target=locked,
            tenant_id=tenant.pk,
            revision=revision.number,
            language=language,
            levels=len(written),
            status=locked.status,
            shared=locked.shared,
            before=before,
            component_moved=moved,
        )
    return locked


def _places_follow(indicator: Indicator, before: Mapping[str, object]) -> None:
    """The places add up the evaluations of the lineages whose first indicator is shared and
    published: when that changes, the places of every group holding the lineage follow."""
    if indicator.lineage != indicator.pk:
        return
    if (before["status"], before["shared"]) != (indicator.status, indicator.shared):
        evaluations_mark_lineage(lineage=indicator.pk)


def _state_set(
    *,
    tenant: CoordinationGroup,
    actor: User | None,
    indicator: Indicator,
    action: str,
    comment: str,
    field: str,
    value: str | bool,
) -> Indicator:
    with tenant_scope(tenant):
        _own(tenant, indicator)
        locked = (
            Indicator.objects.select_for_update()
            .select_related("component__version")
            .get(pk=indicator.pk)
        )
        if getattr(locked, field) == value:
            return locked
        before = {"status": locked.status, "shared": locked.shared}
        setattr(locked, field, value)
        locked.component = component_in_grid(locked.component, move=True)
        locked.save(update_fields=[field, "component", "updated_at"])
        _places_follow(locked, before)
        revision = _revision_write(
            locked, actor=actor, levels=_current_levels(locked), comment=comment
        )
        audit_record(
            actor=actor,
            action=action,
            target=locked,
            tenant_id=tenant.pk,
            revision=revision.number,
            changed={field: value},
        )
    return locked


@transaction.atomic
def indicator_publish(
    *, tenant: CoordinationGroup, actor: User | None, indicator: Indicator
) -> Indicator:
    """Make the indicator public (a new revision; nothing happens when it already is)."""
    return _state_set(
        tenant=tenant,
        actor=actor,
        indicator=indicator,
        action="projects.indicator.published",
        comment=_("Published"),
        field="status",
        value=Indicator.Status.PUBLISHED,
    )


@transaction.atomic
def indicator_share(
    *, tenant: CoordinationGroup, actor: User | None, indicator: Indicator, shared: bool
) -> Indicator:
    """Offer the indicator to the network (other platforms may adopt it once it is published),
    or take the offer back; a new revision when it changes."""
    return _state_set(
        tenant=tenant,
        actor=actor,
        indicator=indicator,
        action="projects.indicator.shared" if shared else "projects.indicator.unshared",
        comment=_("Shared with the network") if shared else _("No longer shared"),
        field="shared",
        value=bool(shared),
    )


@transaction.atomic
def indicator_adopt(
    *, tenant: CoordinationGroup, actor: User | None, source: Indicator
) -> Indicator:
    """Copy another platform's shared, published indicator into tenant as a draft: its texts
    and scale in every language, not its criteria (they are the other platform's), with origin
    and lineage set so that evaluations on both add up. The component follows the grid's
    mapping when it was superseded. DomainError, nothing saved, otherwise."""
    with cross_tenant():
        found = (
            Indicator.objects.select_related("tenant", "component__version")
            .filter(pk=source.pk)
            .first()
        )
        if (
            found is None
            or found.status != Indicator.Status.PUBLISHED
            or not found.shared
            or found.tenant.is_hidden
        ):
            raise DomainError(_("This indicator is not shared with the network."))
        if found.tenant_id == tenant.pk:
            raise DomainError(_("This indicator is already one of this coordination group's."))
        levels = list(
            IndicatorLevel.objects.filter(indicator=found)
            .order_by("position")
            .values_list("texts", flat=True)
        )
    component = component_in_grid(found.component, move=True)
    with tenant_scope(tenant):
        already = DomainError(
            _("%(group)s has already adopted this indicator.") % {"group": tenant.name}
        )
        if Indicator.objects.filter(tenant=tenant, origin=found).exists():
            raise already
        try:
            # Two adoptions at once: the database keeps one (projects_indicator_adopted_once).
            with transaction.atomic():
                indicator = Indicator.objects.create(
                    tenant=tenant,
                    component=component,
                    language=found.language,
                    texts=copy.deepcopy(found.texts),
                    origin=found,
                    lineage=found.lineage or found.pk,
                    created_by=actor if actor is not None and actor.is_authenticated else None,
                )
        except IntegrityError:
            raise already from None
        written: list[tuple[dict, list[int]]] = []
        for position, texts in enumerate(levels, start=1):
            IndicatorLevel.objects.create(
                tenant=tenant, indicator=indicator, position=position, texts=copy.deepcopy(texts)
            )
            written.append((texts, []))
        _revision_write(
            indicator,
            actor=actor,
            levels=written,
            comment=_("Adopted from %(group)s") % {"group": found.tenant.name},
        )
        audit_record(
            actor=actor,
            action="projects.indicator.adopted",
            target=indicator,
            tenant_id=tenant.pk,
            origin=found.pk,
            origin_tenant=found.tenant_id,
            lineage=indicator.lineage,
            component=component.code,
        )
    return indicator
