"""The old site's addresses and what they became here (LegacyAddress): recorded by the import,
read when an old link is followed."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from wikispiral.movein.models import LegacyAddress, MoveIn

Kind = LegacyAddress.Kind
BATCH = 2_000


def address_key(kind: str, key: str | int) -> str:
    """The stored key: a page name case-folded (Tiki's names are case-insensitive), else as
    written, without surrounding spaces."""
    text = str(key).strip()
    return text.casefold()[:255] if kind == Kind.PAGE else text[:255]


def addresses_record(
    *,
    kind: str,
    targets: Iterable[tuple[str | int, models.Model]],
    move_in: MoveIn | None,
) -> int:
    """Point each old key of kind at its object (the latest import wins); return how many
    addresses were new or now point elsewhere."""
    wanted: dict[str, tuple[int, int]] = {}
    types: dict[type, int] = {}
    for key, target in targets:
        model = type(target)
        if model not in types:
            types[model] = ContentType.objects.get_for_model(model).pk
        wanted[address_key(kind, key)] = (types[model], int(target.pk))
    return _store(kind, wanted, move_in)


def addresses_record_feeds(
    *, targets: Iterable[tuple[str | int, str]], move_in: MoveIn | None
) -> int:
    """Point old tracker ids at the name of one of our feeds."""
    changed = 0
    for key, feed in targets:
        stored = address_key(Kind.TRACKER, key)
        found = LegacyAddress.objects.filter(kind=Kind.TRACKER, key=stored).first()
        if found is None:
            LegacyAddress.objects.create(kind=Kind.TRACKER, key=stored, feed=feed, move_in=move_in)
            changed += 1
        elif found.feed != feed:
            found.feed, found.move_in = feed, move_in
            found.content_type, found.object_id = None, None
            found.save(update_fields=["feed", "move_in", "content_type", "object_id"])
            changed += 1
    return changed


def _store(kind: str, wanted: dict[str, tuple[int, int]], move_in: MoveIn | None) -> int:
    changed = 0
    keys = list(wanted)
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        existing = {
            address.key: address
            for address in LegacyAddress.objects.filter(kind=kind, key__in=chunk)
        }
        new = []
        moved = []
        for key in chunk:
            content_type_id, object_id = wanted[key]
            found = existing.get(key)
            if found is None:
                new.append(
                    LegacyAddress(
                        kind=kind,
                        key=key,
                        content_type_id=content_type_id,
                        object_id=object_id,
                        move_in=move_in,
                    )
                )
            elif (found.content_type_id, found.object_id) != (content_type_id, object_id):
                found.content_type_id, found.object_id = content_type_id, object_id
                found.feed, found.move_in = "", move_in
                moved.append(found)
        LegacyAddress.objects.bulk_create(new, ignore_conflicts=True)
        if moved:
            LegacyAddress.objects.bulk_update(
                moved, ["content_type", "object_id", "feed", "move_in"]
            )
        changed += len(new) + len(moved)
    return changed


def address_find(kind: str, key: str | int) -> LegacyAddress | None:
    """The recorded address for an old key, or None."""
    return (
        LegacyAddress.objects.filter(kind=kind, key=address_key(kind, key))
        .select_related("content_type")
        .first()
    )


def address_targets(kind: str, keys: Iterable[str | int]) -> dict[str, tuple[str, int]]:
    """For old keys of kind: key as stored -> (model label "app.model", object id)."""
    stored = [address_key(kind, key) for key in keys]
    found: dict[str, tuple[str, int]] = {}
    for start in range(0, len(stored), BATCH):
        rows = LegacyAddress.objects.filter(
            kind=kind, key__in=stored[start : start + BATCH], object_id__isnull=False
        ).values_list("key", "content_type__app_label", "content_type__model", "object_id")
        for key, app, model, object_id in rows:
            if object_id is not None:
                found[key] = (f"{app}.{model}", object_id)
    return found
