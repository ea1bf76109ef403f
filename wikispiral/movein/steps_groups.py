"""The tracker steps of a move-in: coordination groups, homogeneous groups, criteria.

Each tracker's mapped rows are handed to the service that opens or imports such rows from a
secretariat's file (territories' bulk opening, criteria's network-wide import), so a Tiki item
gets the same checks and the same errors as a row of our own files, all or nothing per tracker.
The Tiki item id is the key: a group imported before is matched to what it became (its old
address), a criterion by its external key (`tiki-<item id>`), so importing a later export again
updates or skips, never duplicates.
"""

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext as _

from criteria.transfer.imports import FileProblem
from criteria.transfer.network.checks import NETWORK_COLUMNS, network_check_file
from criteria.transfer.network.services import (
    criteria_network_import_check,
    criteria_network_import_commit,
    network_file_path,
)
from territories.models import CoordinationGroup, HomogeneousGroup
from territories.services.bulk_open import (
    GROUP_COLUMNS,
    HOMOGENEOUS_GROUP_COLUMNS,
    BulkReport,
    groups_bulk_open,
    homogeneous_groups_bulk_open,
)
from wikispiral.errors import DomainError
from wikispiral.movein.addresses import address_targets, addresses_record
from wikispiral.movein.models import LegacyAddress
from wikispiral.movein.report import ERROR
from wikispiral.movein.sources import Sources, Tracker
from wikispiral.tenancy import cross_tenant
from wikispiral.uploads import Sheet
from wikispiral.wiki.tiki.mapping import COORDINATION_GROUPS, CRITERIA, HOMOGENEOUS_GROUPS

if TYPE_CHECKING:
    from wikispiral.movein.run import Context

Kind = LegacyAddress.Kind
# A criteria tracker as big as the bench's (100,000 items) fits; the upload limit of the
# secretariat's own criteria files is for files a person sends, not for this one.
CRITERIA_MAX_BYTES = 512 * 1024 * 1024

# Our field in the mapping -> the column of the bulk file, where the names differ.
_GROUP_FIELDS = {"description": "platform_description"}


def _subject(tracker: Tracker, row: int) -> str:
    return _("%(file)s, row %(row)d") % {"file": tracker.mapping.file, "row": row}


def _refuse_rows(context: "Context", tracker: Tracker, kind: str) -> bool:
    """Report each row's own problems; True when the tracker cannot be imported at all."""
    report = context.report
    if not tracker.usable:
        report.count(kind, "refused", len(tracker.reading.rows))
        report.add(kind, tracker.mapping.file, _("This tracker was not imported."), ERROR)
        return True
    bad = [row for row in tracker.rows if not row.ok]
    for row in tracker.rows:
        for problem in row.problems:
            report.add(kind, _subject(tracker, row.number), problem.message, problem.level)
    if bad:
        report.count(kind, "refused", len(tracker.rows))
        report.add(
            kind,
            tracker.mapping.file,
            _(
                "Nothing of this tracker was imported: correct the rows with an error (or their "
                "mapping) and run the import again."
            ),
            ERROR,
        )
        return True
    return False


def _bulk_report(context: "Context", tracker: Tracker, kind: str, result: BulkReport) -> bool:
    """Copy a bulk opening's outcome into the report; True when it wrote."""
    report = context.report
    for error in result.errors:
        column = f" ({error.column})" if error.column else ""
        report.add(kind, _subject(tracker, error.row) + column, error.message, ERROR)
    for place in result.unknown_places:
        label = " / ".join(part for part in (place.country, place.region, place.locality) if part)
        if label not in report.unknown_places:
            report.unknown_places.append(label)
    if result.errors:
        report.count(kind, "refused", result.rows)
        return False
    report.count(kind, "created", len(result.to_open))
    report.count(kind, "updated", len(result.updated))
    report.count(kind, "unchanged", len(result.unchanged))
    return True


def _sheet(header: tuple[str, ...], rows: list[tuple[int, dict[str, str]]]) -> Sheet:
    return Sheet(
        kind="csv",
        header=list(header),
        rows=[(number, [values.get(column, "") for column in header]) for number, values in rows],
    )


def _known(kind_model: type[models.Model], items: list[int]) -> dict[int, int]:
    """Item ids already imported as objects of this model: item id -> pk."""
    label = f"{kind_model._meta.app_label}.{kind_model._meta.model_name}"
    found = address_targets(Kind.ITEM, items)
    return {int(key): pk for key, (model, pk) in found.items() if model == label}


def coordination_groups_step(context: "Context", sources: Sources) -> None:
    tracker = sources.trackers.get(COORDINATION_GROUPS)
    if tracker is None:
        return
    context.progress("coordination_groups", 0, len(tracker.rows))
    if _refuse_rows(context, tracker, "coordination_groups"):
        return
    with cross_tenant():
        known = _known(CoordinationGroup, [row.item_id for row in tracker.rows])
        network_ids = dict(
            CoordinationGroup.objects.filter(pk__in=known.values()).values_list("pk", "network_id")
        )
    rows = []
    for row in tracker.rows:
        values = {_GROUP_FIELDS.get(name, name): value for name, value in row.values.items()}
        email = values.pop("contact_email", "")
        if email and email not in values.get("contacts", ""):  # added to the contacts
            values["contacts"] = "\n".join(filter(None, [values.get("contacts", ""), email]))
        before = known.get(row.item_id)
        if before is not None and before not in network_ids:
            before = None  # its group is gone: opened again
        if before is not None:
            given = values.get("network_id", "")
            if given and given.upper() != network_ids[before]:
                context.report.add(
                    "coordination_groups",
                    _subject(tracker, row.number),
                    _(
                        "This item was imported before as %(before)s; it stays that group (the "
                        "network id %(given)s in the export is not used)."
                    )
                    % {"before": network_ids[before], "given": given},
                )
            values["network_id"] = network_ids[before]
        rows.append((row.number, values))
    result = groups_bulk_open(
        sheet=_sheet(GROUP_COLUMNS, rows), actor=context.actor, filename=tracker.mapping.file
    )
    if not _bulk_report(context, tracker, "coordination_groups", result):
        return
    groups = _remember(
        context, tracker, result, context.group_items, CoordinationGroup, "coordination_groups"
    )
    context.network_ids.update({pk: group.network_id for pk, group in groups.items()})


def _remember[Written: models.Model](
    context: "Context",
    tracker: Tracker,
    result: BulkReport,
    items: dict[int, int],
    model: type[Written],
    kind: str,
) -> dict[int, Written]:
    """After a tracker's groups are written: each item's object (item id -> pk in items), its
    old address, and the page the trackers say is its own; return the objects by pk."""
    by_number = {row.number: row for row in tracker.rows}
    items.update({by_number[number].item_id: pk for number, pk in result.objects.items()})
    with cross_tenant():
        found = model._default_manager.in_bulk(list(items.values()))
    changed = addresses_record(
        kind=Kind.ITEM,
        targets=[(item, found[pk]) for item, pk in items.items() if pk in found],
        move_in=context.move,
    )
    context.report.count("addresses", "created", changed)
    for row in tracker.rows:
        page = row.values.get("page", "")
        pk = items.get(row.item_id)
        if page and pk is not None:
            context.page_owners[page.casefold()] = (kind, pk)
    context.progress(kind, len(tracker.rows), len(tracker.rows))
    return found


def _group_reference(context: "Context", value: str) -> str:
    """A coordination group named by a Tiki item id becomes its network id; other values (a
    network id, an address, a name) are left for the bulk check to find."""
    if value.isdigit() and int(value) in context.group_items:
        return context.network_ids.get(context.group_items[int(value)], value)
    return value


def homogeneous_groups_step(context: "Context", sources: Sources) -> None:
    tracker = sources.trackers.get(HOMOGENEOUS_GROUPS)
    if tracker is None:
        return
    context.progress("homogeneous_groups", 0, len(tracker.rows))
    if _refuse_rows(context, tracker, "homogeneous_groups"):
        return
    _group_items_complete(
        context, [row.values.get("coordination_group", "") for row in tracker.rows]
    )
    with cross_tenant():
        known = _known(HomogeneousGroup, [row.item_id for row in tracker.rows])
        keys = dict(
            HomogeneousGroup.objects.filter(pk__in=known.values()).values_list("pk", "external_key")
        )
    rows = []
    missing_profile = False
    for row in tracker.rows:
        values = dict(row.values)
        values["coordination_group"] = _group_reference(
            context, values.get("coordination_group", "")
        )
        before = known.get(row.item_id)
        values["key"] = (
            (keys.get(before) if before else "") or values.get("key") or f"tiki-{row.item_id}"
        )
        dates = [values.pop(name, "") for name in ("started_on", "ended_on")]
        values["meeting_dates"] = " ".join(
            d for d in [values.get("meeting_dates", ""), *dates] if d
        )
        if not values.get("profile"):
            values["profile"] = _("Not given on the old site")
            missing_profile = True
        rows.append((row.number, values))
    if missing_profile:
        context.report.add(
            "homogeneous_groups",
            tracker.mapping.file,
            _(
                "Some groups have no profile in the export: their profile says “Not given on "
                "the old site”."
            ),
        )
    result = homogeneous_groups_bulk_open(
        sheet=_sheet(HOMOGENEOUS_GROUP_COLUMNS, rows),
        actor=context.actor,
        filename=tracker.mapping.file,
    )
    if not _bulk_report(context, tracker, "homogeneous_groups", result):
        return
    _remember(context, tracker, result, context.hg_items, HomogeneousGroup, "homogeneous_groups")


def _group_items_complete(context: "Context", values: list[str]) -> None:
    """Groups named by item ids imported by an earlier run (a later export sent without its
    groups tracker): found through their old addresses."""
    items = [int(v) for v in values if v.isdigit() and int(v) not in context.group_items]
    if items:
        context.group_items.update(_known(CoordinationGroup, items))
    with cross_tenant():
        context.network_ids.update(
            CoordinationGroup.objects.filter(
                pk__in=[pk for pk in context.group_items.values() if pk not in context.network_ids]
            ).values_list("pk", "network_id")
        )


def criteria_step(context: "Context", sources: Sources) -> None:
    tracker = sources.trackers.get(CRITERIA)
    if tracker is None:
        return
    report = context.report
    context.progress("criteria", 0, len(tracker.rows))
    if _refuse_rows(context, tracker, "criteria") or not tracker.rows:
        return
    created_on = {row.number: row.created for row in tracker.reading.rows}
    hg_refs = [row.values.get("homogeneous_group", "") for row in tracker.rows]
    items = [int(v) for v in hg_refs if v.isdigit() and int(v) not in context.hg_items]
    if items:
        context.hg_items.update(_known(HomogeneousGroup, items))
    with cross_tenant():
        hgs = {
            pk: (tenant_id, slug)
            for pk, tenant_id, slug in HomogeneousGroup.objects.filter(
                pk__in=list(context.hg_items.values())
            ).values_list("pk", "tenant_id", "slug")
        }
    _group_items_complete(
        context, [row.values.get("coordination_group", "") for row in tracker.rows]
    )
    with cross_tenant():
        context.network_ids.update(
            CoordinationGroup.objects.filter(
                pk__in=[tenant for tenant, _slug in hgs.values()]
            ).values_list("pk", "network_id")
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(NETWORK_COLUMNS)
    numbers: list[int] = []
    for row in tracker.rows:
        values = row.values
        group = _group_reference(context, values.get("coordination_group", ""))
        hg = values.get("homogeneous_group", "")
        if hg.isdigit() and int(hg) in context.hg_items and context.hg_items[int(hg)] in hgs:
            tenant_id, slug = hgs[context.hg_items[int(hg)]]
            hg = slug
            group = context.network_ids.get(tenant_id, group)
        date = values.get("date", "")
        item_created = created_on.get(row.number)
        if not date and item_created is not None:
            date = item_created.date().isoformat()
        line = {
            "coordination_group": group,
            "group": hg,
            "question": values.get("question", ""),
            "text": values.get("text", ""),
            "date": date,
            "language": values.get("language", ""),
            "component": values.get("component", ""),
            "full_code": values.get("full_code", ""),
            "external_key": values.get("key") or f"tiki-{row.item_id}",
        }
        writer.writerow([line[column] for column in NETWORK_COLUMNS])
        numbers.append(row.number)
    data = out.getvalue().encode("utf-8")
    filename = Path(tracker.mapping.file).stem + ".csv"
    try:
        if context.move.dry_run:
            # Checked in memory: a dry run leaves no file and no batch behind.
            dry = network_check_file(filename=filename, data=data)
            if not _criteria_errors(context, tracker, numbers, dry.errors, dry.error_count):
                report.count("criteria", "created", dry.rows - dry.existing)
                report.count("criteria", "unchanged", dry.existing)
            return
        batch, checked = criteria_network_import_check(
            actor=context.actor, filename=filename, data=data, max_bytes=CRITERIA_MAX_BYTES
        )
    except (FileProblem, DomainError) as problem:
        report.add("criteria", tracker.mapping.file, problem.message, ERROR)
        report.count("criteria", "refused", len(tracker.rows))
        return
    if _criteria_errors(context, tracker, numbers, batch.errors, batch.error_count):
        network_file_path(batch).unlink(missing_ok=True)
        return

    def progress(done: int) -> None:
        context.progress("criteria", done, len(tracker.rows))

    created = criteria_network_import_commit(
        batch=batch, run=context.run, progress=progress, checked=checked
    )
    batch.refresh_from_db()
    if batch.status != batch.Status.DONE:
        report.add("criteria", tracker.mapping.file, batch.message, ERROR)
        report.count("criteria", "refused", len(tracker.rows))
        return
    report.count("criteria", "created", created)
    report.count("criteria", "unchanged", batch.rows_existing)
    # No old address per criterion: a link to one is found by its external key (legacy.py).


def _criteria_errors(
    context: "Context", tracker: Tracker, numbers: list[int], errors: list[dict], count: int
) -> bool:
    """Report the check's row errors under the tracker's own row numbers; True if any."""
    if not count:
        return False
    report = context.report
    for error in errors:
        index = int(error["row"]) - 2
        number = numbers[index] if 0 <= index < len(numbers) else int(error["row"])
        report.add(
            "criteria",
            f"{_subject(tracker, number)} ({error['column']})",
            error["message"],
            ERROR,
        )
    if count > len(errors):
        report.add(
            "criteria",
            tracker.mapping.file,
            _("%(count)d more errors are not listed.") % {"count": count - len(errors)},
            ERROR,
        )
    report.count("criteria", "refused", len(tracker.rows))
    return True
