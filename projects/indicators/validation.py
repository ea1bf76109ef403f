"""Checking what a person gives for an indicator before anything is written: its language,
component (a superseded grid's component follows the grid mapping), texts, scale and the
criteria behind each level. Each check raises DomainError with a translated message."""

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from criteria.models import Component, Criterion
from criteria.selectors import criterion_list
from projects.indicators.selectors import component_current, indicator_language_codes
from projects.models import Indicator
from territories.models import CoordinationGroup
from wikispiral.errors import DomainError
from wikispiral.text import invisibles_strip, line_clean, newlines_normalise

LEVELS_MIN = 2
LEVELS_MAX = 10
TITLE_MAX = 200
DESCRIPTION_MAX = 5000
LEVEL_NAME_MAX = 120
LEVEL_DESCRIPTION_MAX = 2000
COMMENT_MAX = 300
CRITERIA_PER_LEVEL_MAX = 300


@dataclass(frozen=True)
class Level:
    name: str
    description: str
    criteria: list[int] | None  # None: keep the level's criteria as they are


def language_check(tenant: CoordinationGroup, language: str) -> str:
    code = (language or "").strip().lower()
    if code not in indicator_language_codes(tenant):
        raise DomainError(_("Choose the language the indicator is written in."), field="language")
    return code


def component_in_grid(component: Component, *, move: bool) -> Component:
    """component when it is in use in the current grid; with move, where the grid's mapping
    took a superseded one (as criteria were moved). DomainError otherwise."""
    if component.version.is_current:
        if not component.is_active:
            raise DomainError(
                _("Component %(code)s is not in use in the current grid.")
                % {"code": component.code},
                field="component",
            )
        return component
    mapped = component_current(component)
    if mapped is not None and move:
        return mapped
    if mapped is not None:
        message = _(
            "Component %(code)s belongs to an earlier version of the grid; in the current grid "
            "it is %(new)s. Choose a component of the current grid. Nothing was saved."
        )
    else:
        message = _(
            "Component %(code)s belongs to an earlier version of the grid and has no place in "
            "the current one. Nothing was saved."
        )
    raise DomainError(
        message % {"code": component.code, "new": getattr(mapped, "code", "")}, field="component"
    )


def text_clean(value: object, *, maximum: int, message: str, field: str) -> str:
    cleaned = invisibles_strip(newlines_normalise(str(value or ""))).strip()
    if len(cleaned) > maximum:
        raise DomainError(message % {"max": maximum, "count": len(cleaned)}, field=field)
    return cleaned


def title_clean(title: object) -> str:
    cleaned = line_clean(str(title or ""))
    if len(cleaned) > TITLE_MAX:
        raise DomainError(
            _("A title has at most %(max)d characters (this one has %(count)d).")
            % {"max": TITLE_MAX, "count": len(cleaned)},
            field="title",
        )
    return cleaned


def description_clean(description: object) -> str:
    return text_clean(
        description,
        maximum=DESCRIPTION_MAX,
        message=_("A description has at most %(max)d characters (this one has %(count)d)."),
        field="description",
    )


def levels_clean(levels: object) -> list[Level]:
    if not isinstance(levels, list | tuple):
        raise DomainError(_("Describe the levels of the scale."), field="levels")
    if len(levels) < LEVELS_MIN:
        raise DomainError(
            _("A scale needs at least %(min)d levels, from the worst situation to the ideal.")
            % {"min": LEVELS_MIN},
            field="levels",
        )
    if len(levels) > LEVELS_MAX:
        raise DomainError(
            _("A scale has at most %(max)d levels.") % {"max": LEVELS_MAX}, field="levels"
        )
    cleaned = []
    for position, level in enumerate(levels, start=1):
        if not isinstance(level, Mapping):
            raise DomainError(_("Describe the levels of the scale."), field="levels")
        name = line_clean(str(level.get("name") or ""))
        if len(name) > LEVEL_NAME_MAX:
            raise DomainError(
                _("The name of level %(position)d has at most %(max)d characters.")
                % {"position": position, "max": LEVEL_NAME_MAX},
                field="levels",
            )
        description = text_clean(
            level.get("description"),
            maximum=LEVEL_DESCRIPTION_MAX,
            message=_(
                "The description of a level has at most %(max)d characters (this one has "
                "%(count)d)."
            ),
            field="levels",
        )
        raw = level.get("criteria")
        criteria = None if raw is None else ids(raw, position)
        cleaned.append(Level(name, description, criteria))
    return cleaned


def ids(raw: object, position: int) -> list[int]:
    refused = DomainError(
        _("The criteria chosen for level %(position)d cannot be used.") % {"position": position},
        field="levels",
    )
    if not isinstance(raw, Iterable) or isinstance(raw, str | bytes):
        raise refused
    ids: list[int] = []
    for value in raw:
        text = str(value).strip()
        if not text.isdecimal() or len(text) > 18:
            raise refused
        ids.append(int(text))
    ids = list(dict.fromkeys(ids))
    if len(ids) > CRITERIA_PER_LEVEL_MAX:
        raise DomainError(
            _("Link at most %(max)d criteria to one level.") % {"max": CRITERIA_PER_LEVEL_MAX},
            field="levels",
        )
    return ids


def criteria_check(tenant: CoordinationGroup, levels: list[Level]) -> None:
    """Every criterion linked must be one of tenant's classified criteria."""
    wanted = {pk for level in levels for pk in (level.criteria or ())}
    if not wanted:
        return
    found = set(
        criterion_list(tenant=tenant, status=Criterion.Status.CLASSIFIED)
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    for position, level in enumerate(levels, start=1):
        if any(pk not in found for pk in level.criteria or ()):
            raise DomainError(
                _(
                    "Some criteria chosen for level %(position)d are not classified criteria of "
                    "this coordination group. Nothing was saved."
                )
                % {"position": position},
                field="levels",
            )


def merged(texts: Mapping, language: str, values: Mapping[str, str]) -> dict:
    """texts with language's entries replaced by values (empty values removed: the reader then
    sees another language's text); the other languages untouched."""
    merged = copy.deepcopy(dict(texts or {}))
    entry = {**(merged.get(language) or {}), **values}
    entry = {key: value for key, value in entry.items() if value}
    if entry:
        merged[language] = entry
    else:
        merged.pop(language, None)
    return merged


def has(texts: Mapping, key: str) -> bool:
    return any((value or {}).get(key) for value in texts.values())


def indicators_published_check(indicators: Iterable[Indicator], *, field: str) -> None:
    """What is published (a session, an action) shows only published indicators: a draft's
    texts would otherwise reach everyone through it."""
    drafts = [i for i in indicators if i.status != Indicator.Status.PUBLISHED]
    if drafts:
        raise DomainError(
            _("Publish these indicators first, they are still drafts: %(titles)s.")
            % {"titles": ", ".join(f"“{indicator.title}”" for indicator in drafts)},
            field=field,
        )
