"""What the actions' services check: the texts, the dates, the ids of the group's rows, the
components of the grid and the pledges' amounts. Each refusal is a DomainError whose message is
in the reader's language and names the field.

The components an action aims at are those of the current grid. One of a superseded grid
version is moved along the grid's mappings (criteria.GridMapping, as the grid import moves
criteria); one that no mapping carries to the current grid is refused.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from criteria.models import Component, GridMapping
from projects.models import Action
from territories.models import CoordinationGroup
from wikispiral.errors import DomainError
from wikispiral.tenancy import tenant_scope
from wikispiral.text import invisibles_strip, line_clean, newlines_normalise

TITLE_MAX = 200
TEXT_MAX = 5000
NAME_MAX = 200
UNIT_MAX = 20
# What Pledge.amount holds (12 digits, 2 after the point).
AMOUNT_MAX = Decimal("9999999999.99")
CENT = Decimal("0.01")
# SPIRAL dates from 2005; older dates and dates far ahead are typing mistakes.
EARLIEST = datetime.date(2000, 1, 1)
AHEAD_YEARS = 30
# Grid versions a mapping may be followed through (there have been three in twenty years).
MAPPING_DEPTH = 10


def title_clean(title: str | None) -> str:
    cleaned = line_clean(title)
    if not cleaned:
        raise DomainError(_("Give the action a title."), "title")
    if len(cleaned) > TITLE_MAX:
        raise DomainError(
            _("The title is too long (%(max)d characters at most).") % {"max": TITLE_MAX}, "title"
        )
    return cleaned


def text_clean(text: str | None, field: str) -> str:
    cleaned = invisibles_strip(newlines_normalise(text or "")).strip()
    if len(cleaned) > TEXT_MAX:
        raise DomainError(
            _("This text is too long (%(max)d characters at most).") % {"max": TEXT_MAX}, field
        )
    return cleaned


def language_clean(language: str | None) -> str:
    code = (language or "").strip().lower()
    if code not in dict(settings.LANGUAGES):
        raise DomainError(_("Choose one of the languages the wiki offers."), "language")
    return code


def date_check(value: datetime.date | None, field: str) -> None:
    if value is None:
        return
    latest = datetime.date(timezone.localdate().year + AHEAD_YEARS, 12, 31)
    if not EARLIEST <= value <= latest:
        raise DomainError(
            _("Give a date between %(earliest)s and %(latest)s.")
            % {"earliest": EARLIEST.year, "latest": latest.year},
            field,
        )


def dates_check(
    status: str, starts_on: datetime.date | None, ends_on: datetime.date | None
) -> None:
    if status not in Action.Status.values:
        raise DomainError(_("Choose one of the states offered."), "status")
    date_check(starts_on, "starts_on")
    date_check(ends_on, "ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError(_("The action cannot end before it starts."), "ends_on")
    if status == Action.Status.DONE and ends_on is None:
        raise DomainError(_("A done action needs the date it ended."), "ends_on")


def ids_clean(values: Iterable[object] | None, field: str) -> list[int]:
    """The ids in values (rows or numbers), without repeats."""
    ids: list[int] = []
    for value in values or ():
        pk = getattr(value, "pk", value)
        if isinstance(pk, bool) or not isinstance(pk, int):
            try:
                pk = int(str(pk))
            except ValueError:
                raise DomainError(_("Choose among the items offered."), field) from None
        ids.append(pk)
    return list(dict.fromkeys(ids))


def tenant_rows[M: Model](
    model: type[M], tenant: CoordinationGroup, ids: list[int], field: str, message: str
) -> list[M]:
    if not ids:
        return []
    with tenant_scope(tenant):
        rows = list(model._default_manager.filter(tenant=tenant, pk__in=ids))
    if len(rows) != len(ids):
        raise DomainError(message, field)
    return rows


def current_successors(component: Component) -> list[Component]:
    """Where component went in the current grid, following the mappings from version to
    version (several components when it was split)."""
    found: list[Component] = []
    seen = {component.pk}
    frontier = [component.pk]
    for _depth in range(MAPPING_DEPTH):
        if not frontier:
            break
        targets = (
            GridMapping.objects.filter(from_component_id__in=frontier)
            .select_related("to_component__version")
            .order_by("to_component__order", "to_component__code")
        )
        frontier = []
        for mapping in targets:
            target = mapping.to_component
            if target.pk in seen:
                continue
            seen.add(target.pk)
            if target.version.is_current:
                if target.is_active:
                    found.append(target)
            else:
                frontier.append(target.pk)
    return found


def components_current(
    values: Iterable[object] | None,
) -> tuple[list[Component], dict[str, list[str]]]:
    """The components of the current grid for values (rows or ids), and what was moved from a
    superseded grid version ({old code: [new codes]}). DomainError for a component that does
    not exist, is not in use, or that no mapping carries to the current grid."""
    ids = ids_clean(values, "components")
    if not ids:
        return [], {}
    components = {c.pk: c for c in Component.objects.filter(pk__in=ids).select_related("version")}
    if len(components) != len(ids):
        raise DomainError(_("This component is not in the grid."), "components")
    chosen: dict[int, Component] = {}
    mapped: dict[str, list[str]] = {}
    for pk in ids:
        component = components[pk]
        if component.version.is_current:
            if not component.is_active:
                raise DomainError(
                    _("Component %(code)s is not in use in the current grid.")
                    % {"code": component.code},
                    "components",
                )
            chosen.setdefault(component.pk, component)
            continue
        successors = current_successors(component)
        if not successors:
            raise DomainError(
                _(
                    "Component %(code)s belongs to grid version %(number)d, which is no longer "
                    "in use, and no mapping says where it went in the current grid: choose a "
                    "component of the current grid."
                )
                % {"code": component.code, "number": component.version.number},
                "components",
            )
        mapped[component.code] = [successor.code for successor in successors]
        for successor in successors:
            chosen.setdefault(successor.pk, successor)
    return list(chosen.values()), mapped


def amount_clean(amount: object) -> Decimal | None:
    """A pledge's amount as a Decimal with at most two decimals, or None; DomainError for a
    negative, infinite or oversized one."""
    if amount is None or (isinstance(amount, str) and not amount.strip()):
        return None
    if isinstance(amount, bool | float):
        amount = str(amount)
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("Write the amount as a number."), "amount") from None
    if not value.is_finite():
        raise DomainError(_("Write the amount as a number."), "amount")
    if value < 0:
        raise DomainError(_("An amount cannot be negative."), "amount")
    if value > AMOUNT_MAX:
        raise DomainError(
            _("The amount is too large (%(max)s at most).") % {"max": AMOUNT_MAX}, "amount"
        )
    if value != value.quantize(CENT):
        raise DomainError(_("Give the amount with two decimals at most."), "amount")
    return value.quantize(CENT)
