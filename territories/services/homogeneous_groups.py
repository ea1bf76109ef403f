"""Forming and editing homogeneous groups, each with its page in the group's space."""

import re
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import territories.services as package
from territories import hooks
from territories.followables import GROUP, group_url
from territories.models import (
    CoordinationGroup,
    HomogeneousGroup,
    Membership,
    Profile,
)
from territories.services._common import _LANGUAGE_CODE, TerritoryError, _clean_name, _clean_text
from territories.services.groups import page_languages, seed_page_body
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.notifications.services import change_record
from wikispiral.text import line_clean
from wikispiral.wiki.models import Page
from wikispiral.wiki.selectors import page_find
from wikispiral.wiki.services import PageExists, page_create

MAX_MEETING_DATES = 50
MAX_PARTICIPANTS = 100_000
PARTICIPANTS_AT_LEAST_ONE = gettext_lazy(
    "A group has at least one participant: leave the number empty if it is not known."
)
HG_RESERVED_SLUGS = frozenset({"new", "edit"})


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def meeting_dates_clean(values: Iterable[str | date]) -> list[str]:
    """Meeting dates as sorted, distinct ISO strings (YYYY-MM-DD); raise TerritoryError on a
    value that is not a real date, or one before 1990 or more than five years ahead."""
    latest = timezone.localdate() + timedelta(days=5 * 366)
    days: set[str] = set()
    for raw in values:
        text = raw.isoformat() if isinstance(raw, date) else (raw or "").strip()
        if not text:
            continue
        try:
            if not _ISO_DATE.match(text):
                raise ValueError(text)
            day = date.fromisoformat(text)
        except ValueError as exc:
            raise TerritoryError(
                _("“%(value)s” is not a date written like 2025-03-14.") % {"value": text[:30]},
                "meeting_dates",
            ) from exc
        if day.year < 1990 or day > latest:
            raise TerritoryError(
                _("%(value)s is not a plausible meeting date.") % {"value": text},
                "meeting_dates",
            )
        days.add(day.isoformat())
    if len(days) > MAX_MEETING_DATES:
        raise TerritoryError(
            _("Give at most %(max)d meeting dates.") % {"max": MAX_MEETING_DATES},
            "meeting_dates",
        )
    return sorted(days)


def participants_check(
    *, total: int | None, women: int | None, men: int | None, other: int | None
) -> None:
    """Counts are whole numbers from 0 to 100,000, the total at least 1 (unknown is None,
    never 0); the parts add up to no more than total."""
    counts = {
        "participants": total,
        "participants_women": women,
        "participants_men": men,
        "participants_other": other,
    }
    for name, value in counts.items():
        if value is None:
            continue
        if name == "participants" and value < 1:
            raise TerritoryError(str(PARTICIPANTS_AT_LEAST_ONE), name)
        if value < 0:
            raise TerritoryError(_("A number of people cannot be negative."), name)
        if value > MAX_PARTICIPANTS:
            raise TerritoryError(
                _("At most %(max)s people: check the number.") % {"max": f"{MAX_PARTICIPANTS:,}"},
                name,
            )
    parts = sum(value for value in (women, men, other) if value is not None)
    if total is not None and parts > total:
        raise TerritoryError(
            _(
                "Women, men and others add up to %(parts)d, more than the %(total)d "
                "participants. Correct the total or the parts."
            )
            % {"parts": parts, "total": total},
            "participants",
        )


def _hg_values(
    *,
    current_profile_id: int | None,
    name: str,
    profile: Profile | None,
    profile_other: str,
    meeting_dates: Iterable[str | date],
    participants: int | None,
    participants_women: int | None,
    participants_men: int | None,
    participants_other: int | None,
    language: str,
    notes: str,
) -> dict[str, object]:
    name = _clean_name(name)
    profile_other = line_clean(profile_other)
    if len(profile_other) > 150:
        raise TerritoryError(
            _("The profile is too long (at most 150 characters)."), "profile_other"
        )
    # A profile the secretariat stopped offering stays valid on the groups that already use it.
    if profile is not None and not profile.is_active and profile.pk != current_profile_id:
        raise TerritoryError(_("This profile is no longer offered."), "profile")
    if profile is None and not profile_other:
        raise TerritoryError(_("Choose a profile, or describe it in your own words."), "profile")
    participants_check(
        total=participants, women=participants_women, men=participants_men, other=participants_other
    )
    language = (language or "").strip()
    if not _LANGUAGE_CODE.match(language):
        raise TerritoryError(_("Choose the language the group spoke."), "language")
    return {
        "name": name,
        "profile": profile,
        "profile_other": profile_other,
        "meeting_dates": meeting_dates_clean(meeting_dates),
        "participants": participants,
        "participants_women": participants_women,
        "participants_men": participants_men,
        "participants_other": participants_other,
        "language": language,
        "notes": _clean_text(notes, "notes"),
    }


def _hg_name_taken(group: CoordinationGroup, name: str, exclude_pk: int | None = None) -> None:
    taken = HomogeneousGroup.objects.with_scope(tenant=group).filter(
        tenant=group, name__iexact=name
    )
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise TerritoryError(
            _("This coordination group already has a homogeneous group called “%(name)s”.")
            % {"name": name},
            "name",
        )


def _hg_slug(group: CoordinationGroup, name: str) -> str:
    base = slugify(name)[:70].strip("-")
    if not base:
        raise TerritoryError(_("Choose a name that gives a usable address."), "name")
    # Addresses never change after creation, so a renamed group may hold the slug a new name
    # would take: such a newcomer gets a numbered address instead of an error.
    taken = (
        set(
            HomogeneousGroup.objects.with_scope(tenant=group)
            .filter(tenant=group, slug__startswith=base)
            .values_list("slug", flat=True)
        )
        | HG_RESERVED_SLUGS
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _facilitators_check(group: CoordinationGroup, facilitators: Iterable[User]) -> list[User]:
    facilitators = list(facilitators)
    members = set(
        Membership.objects.with_scope(tenant=group)
        .filter(tenant=group, user__in=[user.pk for user in facilitators])
        .values_list("user_id", flat=True)
    )
    if any(user.pk not in members for user in facilitators):
        raise TerritoryError(
            _("The facilitators must be members of the coordination group."), "facilitators"
        )
    return facilitators


def _page_language(group: CoordinationGroup, language: str) -> str:
    """The wiki language of a homogeneous group's page: the one it spoke when the wiki offers
    it, else the coordination group's first one the wiki offers, else the site's."""
    return page_languages([language, *group.languages])[0]


def _hg_page_body(hg: HomogeneousGroup, language: str) -> str:
    with translation.override(language):
        profile = hg.profile_label  # the profile's name in the page's language
    return seed_page_body("homogeneous_group", language, {"profile": profile})


def _hg_page_create(*, hg: HomogeneousGroup, actor: User | None) -> Page:
    group = hg.tenant
    language = _page_language(group, hg.language)
    home = page_find(space=group.space, language=language, slug="home")
    # The page is written wholly in its language, whoever creates it in whichever interface.
    body = _hg_page_body(hg, language)
    with translation.override(language):
        comment = _("Homogeneous group created")
    base = f"group-{hg.slug}"
    # A page someone already wrote at that address is left alone: take the next free one.
    for attempt in range(1, 20):
        try:
            return page_create(
                space=group.space,
                language=language,
                title=hg.name,
                slug=base if attempt == 1 else f"{base}-{attempt}",
                body=body,
                actor=actor,
                parent=home,
                comment=comment,
            )
        except PageExists:
            continue
    raise TerritoryError(_("Could not find a free address for the group's page."), "name")


@transaction.atomic
def homogeneous_group_create(
    *,
    actor: User | None,
    group: CoordinationGroup,
    name: str,
    profile: Profile | None = None,
    profile_other: str = "",
    meeting_dates: Iterable[str | date] = (),
    participants: int | None = None,
    participants_women: int | None = None,
    participants_men: int | None = None,
    participants_other: int | None = None,
    facilitators: Iterable[User] = (),
    language: str = "en",
    notes: str = "",
    kind: str = HomogeneousGroup.Kind.GROUP,
) -> HomogeneousGroup:
    """Form a homogeneous group in group, with its own page in the group's space; raise
    TerritoryError naming the field when a value is refused, saving nothing. kind "project":
    the pooled answers of a network project's participants, with no page (left out of the
    feeds and the directory)."""
    if kind not in HomogeneousGroup.Kind.values:
        raise TerritoryError(_("Unknown kind of homogeneous group."), "kind")
    values = _hg_values(
        current_profile_id=None,
        name=name,
        profile=profile,
        profile_other=profile_other,
        meeting_dates=meeting_dates,
        participants=participants,
        participants_women=participants_women,
        participants_men=participants_men,
        participants_other=participants_other,
        language=language,
        notes=notes,
    )
    facilitators = _facilitators_check(group, facilitators)
    _hg_name_taken(group, values["name"])
    hg = HomogeneousGroup(
        tenant=group, slug=_hg_slug(group, values["name"]), kind=kind, created_by=actor
    )
    for field_name, value in values.items():
        setattr(hg, field_name, value)
    try:
        with transaction.atomic():
            hg.save()
    except IntegrityError as exc:
        # Another facilitator created a group with the same address a moment ago.
        raise TerritoryError(
            _("A homogeneous group with this name was just created. Choose another name."),
            "name",
        ) from exc
    hg.facilitators.set(facilitators)
    # Pooled answers are no group that meets: no page of their own (the participants have).
    if kind == HomogeneousGroup.Kind.GROUP:
        # Through the package, so that replacing territories.services._hg_page_create reaches
        # here.
        hg.page = package._hg_page_create(hg=hg, actor=actor)
        hg.save(update_fields=["page"])
    audit_record(
        actor=actor,
        action="territories.homogeneous_group.created",
        target=hg,
        tenant_id=group.pk,
        slug=hg.slug,
    )
    # Those who follow the coordination group hear of its new group (notifications).
    change_record(
        kind=GROUP,
        key=group.pk,
        actor=actor,
        title=group.name,
        url=group_url(group),
        summary=hg.name,
        verb="homogeneous_group",
    )
    return hg


HOMOGENEOUS_GROUP_EDITABLE = frozenset(
    {
        "name",
        "profile",
        "profile_other",
        "meeting_dates",
        "participants",
        "participants_women",
        "participants_men",
        "participants_other",
        "facilitators",
        "language",
        "notes",
    }
)


@transaction.atomic
def homogeneous_group_update(
    *, actor: User, hg: HomogeneousGroup, **changes: object
) -> HomogeneousGroup:
    """Change some details of a homogeneous group (HOMOGENEOUS_GROUP_EDITABLE; what is not
    given stays). Its address and its wiki page stay as they are: the page is wiki content,
    renamed (if wanted) by moving it in the wiki, and links to the group keep working."""
    unexpected = set(changes) - HOMOGENEOUS_GROUP_EDITABLE
    if unexpected:
        raise TypeError(f"not editable here: {', '.join(sorted(unexpected))}")
    group = hg.tenant
    current = {name: getattr(hg, name) for name in HOMOGENEOUS_GROUP_EDITABLE - {"facilitators"}}
    facilitators = changes.pop("facilitators", None)
    values = _hg_values(current_profile_id=hg.profile_id, **{**current, **changes})
    _hg_name_taken(group, values["name"], exclude_pk=hg.pk)
    changed = [name for name, value in values.items() if getattr(hg, name) != value]
    for field_name in changed:
        setattr(hg, field_name, values[field_name])
    if facilitators is not None:
        facilitators = _facilitators_check(group, facilitators)
        old_facilitators = set(hg.facilitators.values_list("pk", flat=True))
        if old_facilitators != {user.pk for user in facilitators}:
            hg.facilitators.set(facilitators)
            changed.append("facilitators")
    if not changed:
        return hg
    hg.save(update_fields=[name for name in changed if name != "facilitators"] + ["modified_at"])
    audit_record(
        actor=actor,
        action="territories.homogeneous_group.updated",
        target=hg,
        tenant_id=group.pk,
        fields=sorted(changed),
    )
    hooks.homogeneous_group_changed(tenant=group, homogeneous_group=hg, fields=frozenset(changed))
    return hg
