"""Opening and editing coordination groups."""

import re
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.loader import select_template
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territories import hooks
from territories.followables import GROUP, group_url
from territories.models import (
    CoordinationGroup,
    Country,
    Locality,
    Membership,
    Region,
)
from territories.services._common import (
    _LANGUAGE_CODE,
    TerritoryError,
    _clean_name,
    _clean_text,
    coordination_group_lock,
    places_check,
)
from territories.services.memberships import membership_set
from territories.services.pictures import picture_check
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.notifications.services import change_record
from wikispiral.text import line_clean
from wikispiral.wiki import caching
from wikispiral.wiki.models import Page, Space
from wikispiral.wiki.selectors import space_slug_taken
from wikispiral.wiki.services import page_create
from wikispiral.wiki.spaces import space_create, space_rename

MAX_LANGUAGES = 20
RESERVED_SLUGS = frozenset({"network", "new", "admin", "accounts", "search", "recent", "feeds"})
_NETWORK_ID = re.compile(r"^GC(\d{4,10})$")


def network_id_next() -> str:
    """The next free network id (GC + six digits or more), one above the highest in use."""
    numbers = [
        int(match.group(1))
        for value in CoordinationGroup.objects.values_list("network_id", flat=True)
        if (match := _NETWORK_ID.match(value))
    ]
    return f"GC{max(numbers, default=100000) + 1:06d}"


def seed_page_body(name: str, language: str, context: dict[str, object]) -> str:
    """The body of a page the platform seeds, from templates/territories/seed/<name>.<language>.md
    (a whole page per language, as a translator edits it), or the English one for a language
    that has no file yet; rendered with language active, so that profiles read in it too."""
    with translation.override(language):
        template = select_template(
            [f"territories/seed/{name}.{language}.md", f"territories/seed/{name}.en.md"]
        )
        return template.render(context).strip() + "\n"


def page_languages(codes: Iterable[str]) -> list[str]:
    """The wiki languages among a group's languages (pt-BR counts as pt), in the group's order;
    the site's language when the group speaks none the wiki offers."""
    offered = {code for code, _name in settings.LANGUAGES}
    chosen = [base for code in codes if (base := code.split("-")[0].lower()) in offered]
    return list(dict.fromkeys(chosen)) or [settings.LANGUAGE_CODE]


def _home_pages_create(group: CoordinationGroup, actor: User | None) -> list[Page]:
    """The group's home page in each of its languages the wiki offers, each written wholly in
    its language, the later ones translations of the first (the group's main language)."""
    context = {
        "platform": group.platform_description,
        "territory": group.territory_description,
        "process": group.process_summary,
    }
    pages: list[Page] = []
    for language in page_languages(group.languages):
        with translation.override(language):
            comment = _("Platform opened")
        pages.append(
            page_create(
                space=group.space,
                language=language,
                title=group.name,
                slug="home",
                body=seed_page_body("home", language, context),
                actor=actor,
                comment=comment,
                translation_of=pages[0] if pages else None,
            )
        )
    return pages


@transaction.atomic
def coordination_group_create(
    *,
    actor: User | None,
    name: str,
    network_id: str,
    country: Country,
    slug: str | None = None,
    region: Region | None = None,
    locality: Locality | None = None,
    facilitator: User | None = None,
    language: str = "en",
    languages: Iterable[str] = (),
    **details: object,
) -> CoordinationGroup:
    """Open a coordination group: the group, its wiki space, its home page in each of its
    languages (language first, then languages) that the wiki offers, its facilitator."""
    name = line_clean(name)
    if not name:
        raise TerritoryError(_("A coordination group needs a name."), "name")
    slug = slugify(slug or name)[:80].strip("-")
    if not slug or slug in RESERVED_SLUGS:
        raise TerritoryError(_("Choose a name that gives a usable address."), "slug")
    places_check(country=country, region=region, locality=locality)
    group_languages = languages_clean([language, *languages])
    if CoordinationGroup.objects.filter(network_id=network_id).exists():
        raise TerritoryError(_("This network id is already used."), "network_id")
    if space_slug_taken(slug=slug):
        raise TerritoryError(_("This address is already used by another space."), "slug")
    space = space_create(
        slug=slug,
        name=name,
        kind=Space.Kind.COORDINATION_GROUP,
        is_public=not details.get("is_hidden", False),
    )
    group = CoordinationGroup(
        name=name,
        slug=slug,
        network_id=network_id,
        country=country,
        region=region,
        locality=locality,
        space=space,
        languages=group_languages,
        created_by=actor,
        **details,
    )
    try:
        group.full_clean(exclude=["space"])
        group.save()
    except ValidationError as exc:
        raise TerritoryError("; ".join(exc.messages)) from exc
    except IntegrityError as exc:
        raise TerritoryError(_("This network id or address is already used.")) from exc
    _home_pages_create(group, actor)
    if facilitator is not None:
        membership_set(group=group, user=facilitator, role=Membership.Role.FACILITATOR)
    audit_record(
        actor=actor,
        action="territories.coordination_group.created",
        target=group,
        tenant_id=group.pk,
        network_id=group.network_id,
    )
    return group


# What facilitators may change; status, kind, network id, slug and moderation stay with the
# secretariat.
COORDINATION_GROUP_EDITABLE = frozenset(
    {
        "name",
        "actor_type",
        "level",
        "referent",
        "region",
        "locality",
        "latitude",
        "longitude",
        "platform_description",
        "territory_description",
        "process_summary",
        "stakeholders",
        "contacts",
        "support_needs",
        "languages",
    }
)
_TEXT_FIELDS = (
    "actor_type",
    "platform_description",
    "territory_description",
    "process_summary",
    "stakeholders",
    "contacts",
    "support_needs",
)


def languages_clean(codes: Iterable[str]) -> list[str]:
    """Language codes (en, fr, pt-BR…), without duplicates, in the order given."""
    cleaned: list[str] = []
    for raw in codes:
        code = (raw or "").strip()
        if not code:
            continue
        if not _LANGUAGE_CODE.match(code):
            raise TerritoryError(
                _("“%(code)s” is not a language code (two or three small letters, e.g. ar).")
                % {"code": code[:20]},
                "languages",
            )
        if code not in cleaned:
            cleaned.append(code)
    if len(cleaned) > MAX_LANGUAGES:
        raise TerritoryError(
            _("Give at most %(max)d languages.") % {"max": MAX_LANGUAGES}, "languages"
        )
    return cleaned


def _check_referent(group: CoordinationGroup, referent: CoordinationGroup | None) -> None:
    seen = {group.pk}
    current_id = referent.pk if referent is not None else None
    # Walk up the chain as saved (the objects in hand may be stale): platforms refer to a
    # regional or national one, a few levels at most.
    for _step in range(50):
        if current_id is None:
            return
        if current_id in seen:
            raise TerritoryError(
                _("This platform already follows yours: choose another referent."), "referent"
            )
        seen.add(current_id)
        current_id = (
            CoordinationGroup.objects.filter(pk=current_id)
            .values_list("referent_id", flat=True)
            .first()
        )
    raise TerritoryError(_("The chain of referent platforms is too long."), "referent")


def _check_coordinates(latitude: object, longitude: object) -> None:
    if (latitude is None) != (longitude is None):
        raise TerritoryError(_("Give both latitude and longitude, or neither."), "longitude")
    if latitude is not None and not -90 <= latitude <= 90:
        raise TerritoryError(_("The latitude must be between -90 and 90."), "latitude")
    if longitude is not None and not -180 <= longitude <= 180:
        raise TerritoryError(_("The longitude must be between -180 and 180."), "longitude")


@transaction.atomic
def coordination_group_update(
    *,
    actor: User,
    group: CoordinationGroup,
    picture: UploadedFile | None = None,
    picture_remove: bool = False,
    **fields: object,
) -> CoordinationGroup:
    """Save the descriptive fields facilitators edit (COORDINATION_GROUP_EDITABLE) and the
    picture; raise TerritoryError naming the field when a value is refused, saving nothing.

    Renaming the group renames its wiki space too; its address (slug) never changes, so links
    keep working.
    """
    unexpected = set(fields) - COORDINATION_GROUP_EDITABLE
    if unexpected:
        raise TypeError(f"not editable here: {', '.join(sorted(unexpected))}")
    group = coordination_group_lock(group)
    values = {name: getattr(group, name) for name in COORDINATION_GROUP_EDITABLE}
    values.update(fields)
    values["name"] = _clean_name(values["name"])
    for name in _TEXT_FIELDS:
        values[name] = _clean_text(values[name], name)
    values["actor_type"] = line_clean(values["actor_type"])
    if len(values["actor_type"]) > 100:
        raise TerritoryError(
            _("The actor type is too long (at most 100 characters)."), "actor_type"
        )
    if values["level"] not in CoordinationGroup.Level.values:
        raise TerritoryError(_("Unknown level."), "level")
    places_check(country=group.country, region=values["region"], locality=values["locality"])
    _check_referent(group, values["referent"])
    _check_coordinates(values["latitude"], values["longitude"])
    values["languages"] = languages_clean(values["languages"])

    changed = [name for name, value in values.items() if getattr(group, name) != value]
    region_id_before, locality_id_before = group.region_id, group.locality_id
    for name in changed:
        setattr(group, name, values[name])
    if {"locality", "region"} & set(changed):
        hooks.group_places_changed(
            group=group, region_id_before=region_id_before, locality_id_before=locality_id_before
        )
    old_picture = group.picture.name if group.picture else ""
    if picture is not None:
        extension = picture_check(picture)
        # Our own file name: the uploaded one may be long, odd or say more than it should.
        group.picture.save(f"{group.slug}-{secrets.token_hex(4)}{extension}", picture, save=False)
        changed.append("picture")
    elif picture_remove and old_picture:
        group.picture = ""
        changed.append("picture")
    if not changed:
        return group
    group.save(update_fields=[*changed, "modified_at"])
    if "name" in changed:
        space_rename(space=group.space, name=group.name)
    if "picture" in changed and old_picture:
        storage = group.picture.storage
        transaction.on_commit(lambda: storage.delete(old_picture))
    audit_record(
        actor=actor,
        action="territories.coordination_group.updated",
        target=group,
        tenant_id=group.pk,
        fields=sorted(changed),
    )
    # Those who follow the group hear of it (notifications, in this transaction).
    change_record(
        kind=GROUP,
        key=group.pk,
        actor=actor,
        title=group.name,
        url=group_url(group),
        verb="updated",
    )
    caching.invalidate(space_slug=group.space.slug)
    return group
