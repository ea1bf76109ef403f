"""Homogeneous groups opened in bulk, as a facilitator forms them."""

import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territories.models import (
    CoordinationGroup,
    HomogeneousGroup,
    Profile,
)
from territories.services._common import _LANGUAGE_CODE, MAX_TEXT_LENGTH, TerritoryError
from territories.services.bulk_open._common import BulkReport, _fold, _Rows, _start, _write
from territories.services.homogeneous_groups import (
    homogeneous_group_create,
    homogeneous_group_update,
    meeting_dates_clean,
    participants_check,
)
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.tenancy import cross_tenant
from wikispiral.text import line_clean
from wikispiral.uploads import Sheet

HOMOGENEOUS_GROUP_COLUMNS = (
    "coordination_group",
    "key",
    "name",
    "profile",
    "meeting_dates",
    "participants",
    "participants_women",
    "participants_men",
    "participants_other",
    "language",
    "notes",
)
HOMOGENEOUS_GROUP_REQUIRED = ("coordination_group", "name", "profile")
_COUNTS = ("participants", "participants_women", "participants_men", "participants_other")
_MAX_KEY = 40

# --- Homogeneous groups ------------------------------------------------------------------------


@dataclass
class _HgPlan:
    row: int
    label: str
    group: CoordinationGroup
    existing: HomogeneousGroup | None
    key: str
    values: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, Any] = field(default_factory=dict)


class _HgLookups:
    def __init__(self) -> None:
        self.groups: dict[str, CoordinationGroup] = {}
        # A name two groups share is ambiguous (None): the row must give the id or the address.
        self.names: dict[str, CoordinationGroup | None] = {}
        for group in CoordinationGroup.objects.all():
            self.groups[group.network_id.casefold()] = group
            self.groups[group.slug.casefold()] = group
            name = _fold(group.name)
            self.names[name] = None if name in self.names else group
        self.profiles: dict[str, Profile] = {}
        for profile in Profile.objects.filter(is_active=True):
            self.profiles[profile.slug.casefold()] = profile
            for label in (profile.name, *profile.names.values()):
                self.profiles.setdefault(_fold(str(label)), profile)
        self.existing = list(HomogeneousGroup.objects.all())

    def find(self, group: CoordinationGroup, key: str, name: str) -> HomogeneousGroup | None:
        of_group = [hg for hg in self.existing if hg.tenant_id == group.pk]
        if key:
            for hg in of_group:
                if hg.external_key == key:
                    return hg
        for hg in of_group:
            if hg.name.casefold() == name.casefold():
                return hg
        return None


def _number(value: str) -> int:
    value = value.strip()
    if value.endswith(".0"):
        value = value[:-2]
    return int(value)


def _hg_row(number: int, row: dict[str, str], rows: _Rows, lookups: _HgLookups) -> _HgPlan | None:
    errors_before = len(rows.report.errors)

    def error(column: str, message: str) -> None:
        rows.error(number, column, message)

    named = row["coordination_group"]
    group = lookups.groups.get(_fold(named)) or lookups.names.get(_fold(named))
    if not named:
        error("coordination_group", _("The coordination group is missing."))
    elif group is None and _fold(named) in lookups.names:
        error(
            "coordination_group",
            _("Several coordination groups are named “%(value)s”: write its network id.")
            % {"value": named[:100]},
        )
    elif group is None:
        error(
            "coordination_group",
            _(
                "There is no coordination group “%(value)s”: write its network id (GC…), its "
                "address (slug) or its exact name."
            )
            % {"value": named[:100]},
        )
    key = row["key"]
    if len(key) > _MAX_KEY:
        error("key", _("The key is too long (at most %(max)d characters).") % {"max": _MAX_KEY})
    name = line_clean(row["name"])
    if not name:
        error("name", _("The name is missing."))
    elif len(name) > 200 or not slugify(name):
        error("name", _("Choose a name that gives a usable address (at most 200 characters)."))
    profile = lookups.profiles.get(_fold(row["profile"])) if row["profile"] else None
    profile_other = "" if profile is not None else line_clean(row["profile"])
    if profile is None and not profile_other:
        error("profile", _("Choose a profile, or describe it in your own words."))
    elif len(profile_other) > 150:
        error("profile", _("The profile is too long (at most 150 characters)."))
    dates: list[str] = []
    try:
        # A workbook's date cells read as "2025-03-14 00:00:00": keep the day.
        raw_dates = re.split(r"[\s,;]+", re.sub(r"\b00:00:00\b", "", row["meeting_dates"]))
        dates = meeting_dates_clean(raw_dates)
    except TerritoryError as exc:
        error("meeting_dates", exc.message)
    counts: dict[str, int | None] = {}
    for column in _COUNTS:
        try:
            counts[column] = _number(row[column]) if row[column] else None
        except ValueError:
            error(column, _("“%(value)s” is not a whole number.") % {"value": row[column][:20]})
    if len(counts) == len(_COUNTS):
        try:
            participants_check(
                total=counts["participants"],
                women=counts["participants_women"],
                men=counts["participants_men"],
                other=counts["participants_other"],
            )
        except TerritoryError as exc:
            error(exc.field or "participants", exc.message)
    language = row["language"].lower()
    if language and not _LANGUAGE_CODE.match(language):
        error("language", _("“%(value)s” is not a language code.") % {"value": language[:20]})
    notes = row["notes"].replace("\r\n", "\n").strip()
    if len(notes) > MAX_TEXT_LENGTH:
        error(
            "notes",
            _("This text is too long (at most %(max)d characters).") % {"max": MAX_TEXT_LENGTH},
        )
    if len(rows.report.errors) > errors_before or group is None:
        return None
    existing = lookups.find(group, key, name)
    if existing is not None and key and existing.external_key not in ("", key):
        error(
            "name",
            _("The group “%(name)s” of this coordination group has another key (%(key)s).")
            % {"name": name, "key": existing.external_key},
        )
        return None
    language = language or (group.languages[0] if group.languages else settings.LANGUAGE_CODE)
    values: dict[str, Any] = {
        "name": name,
        "profile": profile,
        "profile_other": profile_other,
        "meeting_dates": dates,
        **counts,
        "language": language,
        "notes": notes,
    }
    plan = _HgPlan(
        row=number,
        label=f"{name} ({group.network_id})",
        group=group,
        existing=existing,
        key=key,
        values=values,
    )
    if existing is not None:
        given = {column: value for column, value in values.items() if value not in ("", None, [])}
        if row["profile"]:
            given |= {"profile": profile, "profile_other": profile_other}
        if not row["language"]:
            given.pop("language", None)
        plan.changes = {
            column: value for column, value in given.items() if getattr(existing, column) != value
        }
        if key and existing.external_key != key:
            plan.changes["external_key"] = key
    return plan


def _homogeneous_groups_check(sheet: Sheet) -> tuple[BulkReport, list[_HgPlan]]:
    report, rows = _start(sheet, HOMOGENEOUS_GROUP_COLUMNS, HOMOGENEOUS_GROUP_REQUIRED)
    if report.errors:
        return report, []
    lookups = _HgLookups()
    plans: list[_HgPlan] = []
    seen: dict[tuple[int, str], int] = {}
    for number, row in rows:
        plan = _hg_row(number, row, rows, lookups)
        if plan is None:
            continue
        for column, value in (("key", plan.key), ("name", plan.values["name"].casefold())):
            if not value:
                continue
            if (plan.group.pk, column + value) in seen:
                rows.error(
                    number,
                    column,
                    _("The same homogeneous group is already on row %(row)d.")
                    % {"row": seen[(plan.group.pk, column + value)]},
                )
            else:
                seen[(plan.group.pk, column + value)] = number
        plans.append(plan)
    if report.errors:
        return report, []
    for plan in plans:
        if plan.existing is None:
            report.to_open.append(plan.label)
        elif plan.changes:
            report.updated.append(plan.label)
        else:
            report.unchanged.append(plan.label)
    return report, plans


def _hg_open(plan: _HgPlan, actor: User) -> HomogeneousGroup:
    if plan.existing is None:
        hg = homogeneous_group_create(actor=actor, group=plan.group, **plan.values)
        if plan.key:
            hg.external_key = plan.key
            hg.save(update_fields=["external_key"])
        audit_record(
            actor=actor,
            action="territories.homogeneous_group.bulk_opened",
            target=hg,
            tenant_id=plan.group.pk,
            slug=hg.slug,
            row=plan.row,
        )
        return hg
    changes = dict(plan.changes)
    key = changes.pop("external_key", None)
    hg = plan.existing
    if changes:
        hg = homogeneous_group_update(actor=actor, hg=hg, **changes)
    if key is not None:
        hg.external_key = key
        hg.save(update_fields=["external_key", "modified_at"])
    return hg


def homogeneous_groups_bulk_preview(*, sheet: Sheet) -> BulkReport:
    """Check every row of a homogeneous groups sheet; nothing is written."""
    with cross_tenant():
        return _homogeneous_groups_check(sheet)[0]


def homogeneous_groups_bulk_open(*, sheet: Sheet, actor: User, filename: str = "") -> BulkReport:
    """Check the sheet again and, if no row has an error, form its new homogeneous groups (each
    with its page) and update the existing ones; all or nothing, audited per group and once
    for the file."""
    with cross_tenant():
        report, plans = _homogeneous_groups_check(sheet)
        if report.errors:
            return report
        rows = _Rows(sheet, HOMOGENEOUS_GROUP_COLUMNS, report)
        return _write(
            report,
            plans,
            lambda plan: _hg_open(plan, actor),
            actor=actor,
            action="territories.homogeneous_group.bulk_file",
            filename=filename,
            column=lambda name: rows.header(name if name in HOMOGENEOUS_GROUP_COLUMNS else "name"),
        )
