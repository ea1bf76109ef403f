"""Importing criteria network-wide, for the secretariat: check (preview), queue, commit.

One NetworkImportBatch follows a file from its preview to its commit. ImportBatch belongs to
one coordination group (tenant FK, scoped manager, one file per group), so the commit fans the
network batch out: inside one transaction it records, for every coordination group that gets
new rows, a done ImportBatch that its criteria point to (the group's facilitators see it among
their imports; its classification rows are written from it as in a group's own import), audits
it in that group, and tells the floors above (criteria_changed) exactly as a group's own import
does. Any error anywhere in the file, or any failure during the insert, writes nothing in any
group.

Re-importing: rows with an external key already given in their coordination group are left as
they are and counted as already there, so a file whose every row has a key may be imported
again and enters only its new rows. A file with rows without a key is refused once imported,
as a group's own import refuses a file twice (its keyless rows would be entered twice).
"""

import datetime
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path, PurePath

import pandas as pd
from celery.exceptions import SoftTimeLimitExceeded
from django.db import (
    InterfaceError,
    OperationalError,
    transaction,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from criteria.hooks import criteria_changed
from criteria.models import Criterion, ImportBatch, NetworkImportBatch
from criteria.transfer.imports import MAX_UPLOAD_BYTES
from criteria.transfer.network.checks import GroupPart, NetworkChecked, network_check_file
from criteria.transfer.services import (
    _insert_classifications,
    insert_criteria,
    progress_reporter,
)
from criteria.transfer.storage import private_path, write_atomically
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.jobs.services import JobLost, JobRun, job_enqueue, person_language
from wikispiral.tenancy import tenant_scope

logger = logging.getLogger(__name__)

Status = NetworkImportBatch.Status
ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)
JOB_KIND = "criteria.network_import"


def network_file_path(batch: NetworkImportBatch) -> Path:
    """Where the file of a network batch waits between its preview and its import."""
    return private_path("imports", batch.stored_name)


def network_job_key(batch: NetworkImportBatch) -> str:
    return f"{JOB_KIND}:{batch.pk}"


def _already_imported(batch: NetworkImportBatch) -> DomainError:
    when = timezone.localtime(batch.finished_at or batch.created_at)
    return DomainError(
        ngettext(
            "This file was already imported on %(date)s (%(count)d criterion). Some of its rows "
            "have no external key: importing it again would enter them twice.",
            "This file was already imported on %(date)s (%(count)d criteria). Some of its rows "
            "have no external key: importing it again would enter them twice.",
            batch.rows_done,
        )
        % {"date": date_format(when, "DATETIME_FORMAT"), "count": batch.rows_done},
        field="file",
    )


def criteria_network_import_preview(
    *, actor: User | None, filename: str, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES
) -> NetworkImportBatch:
    """Check an uploaded network file and record the outcome in a NetworkImportBatch.

    DomainError when the file is too large or was imported already while some rows have no
    external key, FileProblem when it cannot be used as a whole: then nothing is recorded. A
    file uploaded again before its import reuses its batch and is checked again; one being
    imported returns its batch unchanged.
    """
    return criteria_network_import_check(
        actor=actor, filename=filename, data=data, max_bytes=max_bytes
    )[0]


def criteria_network_import_check(
    *, actor: User | None, filename: str, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES
) -> tuple[NetworkImportBatch, NetworkChecked | None]:
    """criteria_network_import_preview, with what the check found (None for a batch already
    waiting or running), for a caller that imports at once (commit(checked=...))."""
    filename = PurePath(filename or "").name[:255] or "criteria.csv"
    if len(data) > max_bytes:
        raise DomainError(
            _("The file is larger than %(size)d MB: split it into several files.")
            % {"size": max_bytes // (1024 * 1024)},
            field="file",
        )
    digest = hashlib.sha256(data).hexdigest()
    latest = NetworkImportBatch.objects.filter(file_sha256=digest).order_by("-pk").first()
    if latest is not None and latest.status in ACTIVE_STATUSES:
        return latest, None
    if latest is not None and latest.status == Status.DONE and not latest.all_keyed:
        raise _already_imported(latest)
    reusable = latest is not None and latest.status in (Status.PREVIEWED, Status.FAILED)
    batch = latest if reusable and latest is not None else NetworkImportBatch(file_sha256=digest)
    # FileProblem goes up to the upload form: a file that cannot be read leaves no batch.
    checked = network_check_file(filename=filename, data=data)
    stored_name = f"network/{digest}.{checked.kind}"
    write_atomically(private_path("imports", stored_name), data)
    batch.filename = filename
    batch.stored_name = stored_name
    batch.status = Status.PREVIEWED
    batch.rows = checked.rows
    batch.rows_done = 0
    batch.rows_existing = checked.existing
    batch.all_keyed = checked.all_keyed
    batch.error_count = checked.error_count
    batch.errors = checked.errors
    batch.groups = [part.summary() for part in checked.parts]
    batch.message = (
        _("These columns are not used and were left aside: %(columns)s.")
        % {"columns": ", ".join(f"“{column}”" for column in checked.ignored)}
        if checked.ignored
        else ""
    )
    batch.finished_at = None
    batch.created_by = actor if actor is not None and actor.is_authenticated else None
    batch.save()
    return batch, checked


def criteria_network_import_enqueue(*, batch: NetworkImportBatch) -> bool:
    """Queue a checked batch without errors as a durable job; False when it was already queued,
    running or imported (a second click does nothing). DomainError while it has errors."""
    if batch.error_count:
        raise DomainError(_("Correct the errors in the file and upload it again first."))
    queued = NetworkImportBatch.objects.filter(
        pk=batch.pk, status=Status.PREVIEWED, error_count=0
    ).update(status=Status.QUEUED, message="")
    if queued:
        _job_enqueue(batch)
    return bool(queued)


def criteria_network_import_retry(*, batch: NetworkImportBatch) -> None:
    """Start a failed import again from its stored file; nothing when it already waits or runs
    again. DomainError when it did not fail or its file is gone."""
    if criteria_network_import_revive(batch=batch):
        _job_enqueue(batch)


def criteria_network_import_revive(*, batch: NetworkImportBatch) -> bool:
    """Put a failed batch back to waiting for its job; False when it already waits or runs."""
    if not batch.stored_name or not network_file_path(batch).exists():
        raise DomainError(_("The uploaded file is no longer on the server: upload it again."))
    batches = NetworkImportBatch.objects.filter(pk=batch.pk, error_count=0)
    if batches.filter(status__in=ACTIVE_STATUSES).exists():
        return False
    if not batches.filter(status=Status.FAILED).update(
        status=Status.QUEUED, rows_done=0, message=""
    ):
        raise DomainError(_("Only a failed import can be started again."))
    return True


def _job_enqueue(batch: NetworkImportBatch) -> None:
    person = batch.created_by
    job_enqueue(
        kind=JOB_KIND,
        key=network_job_key(batch),
        args={"batch_id": batch.pk},
        actor=person,
        language=person_language(person),
    )


def criteria_network_import_commit(
    *,
    batch: NetworkImportBatch,
    run: JobRun | None = None,
    progress: Callable[[int], None] | None = None,
    checked: NetworkChecked | None = None,
) -> int:
    """Insert the new rows of a checked network batch in every coordination group, all or
    nothing, and mark it done; return how many criteria were created, or 0 when the batch was
    not waiting: safe to run twice. Not one atomic block, as the per-group commit: the claim
    commits first, a failure is recorded after the inserts rolled back."""
    claimed = NetworkImportBatch.objects.filter(
        pk=batch.pk, status__in=[Status.PREVIEWED, Status.QUEUED], error_count=0
    ).update(status=Status.RUNNING, rows_done=0)
    if not claimed:
        return 0
    batch.refresh_from_db()
    try:
        created = _commit_claimed(batch, run, progress, checked)
    except JobLost:
        raise
    except DomainError as problem:
        _fail(batch, problem.message)
        return 0
    except (OperationalError, InterfaceError, SoftTimeLimitExceeded):
        NetworkImportBatch.objects.filter(pk=batch.pk, status=Status.RUNNING).update(
            status=Status.QUEUED
        )
        raise
    except Exception:
        logger.exception("network criteria import %s failed", batch.pk)
        _fail(
            batch,
            _(
                "The import failed and nothing was saved in any coordination group. Upload the "
                "file again; if it fails again, tell the technical team."
            ),
        )
        return 0
    if batch.status == Status.DONE:
        path = network_file_path(batch)
        transaction.on_commit(lambda: path.unlink(missing_ok=True))
    return created


def _fail(batch: NetworkImportBatch, message: str) -> None:
    NetworkImportBatch.objects.filter(pk=batch.pk, status=Status.RUNNING).update(
        status=Status.FAILED, message=message
    )
    batch.refresh_from_db()


def _commit_claimed(
    batch: NetworkImportBatch,
    run: JobRun | None,
    progress: Callable[[int], None] | None,
    checked: NetworkChecked | None,
) -> int:
    if checked is None:  # checked again: the file may wait a while between check and import
        checked = _check_again(batch)
    if checked.error_count:
        NetworkImportBatch.objects.filter(pk=batch.pk, status=Status.RUNNING).update(
            status=Status.PREVIEWED,
            error_count=checked.error_count,
            errors=checked.errors,
            message=_(
                "The file no longer passes the checks (something changed since it was "
                "checked): nothing was imported."
            ),
        )
        batch.refresh_from_db()
        return 0
    now = timezone.now()
    recorded = progress_reporter(batch, run)

    def report(done: int) -> None:
        recorded(done)
        if progress is not None:
            progress(done)

    created = existing = 0
    summaries = []
    with transaction.atomic():
        for part in checked.parts:
            made, kept, group_batch = _commit_part(
                part, batch=batch, now=now, report=_shifted(report, created + existing)
            )
            created += made
            existing += kept
            summaries.append(
                {
                    **part.summary(),
                    "new": made,
                    "existing": kept,
                    "batch": group_batch.pk if group_batch else None,
                }
            )
        if run is not None:
            run.confirm()
        batch.status = Status.DONE
        batch.rows_done = created
        batch.rows_existing = existing
        batch.groups = summaries
        batch.finished_at = timezone.now()
        batch.message = ""
        batch.save(
            update_fields=[
                "status",
                "rows_done",
                "rows_existing",
                "groups",
                "finished_at",
                "message",
            ]
        )
        audit_record(
            actor=batch.created_by,
            action="criteria.network_import.committed",
            target=batch,
            rows=created,
            existing=existing,
            groups=len([s for s in summaries if s["new"]]),
            file_sha256=batch.file_sha256,
        )
    return created


def _check_again(batch: NetworkImportBatch) -> NetworkChecked:
    try:
        data = network_file_path(batch).read_bytes() if batch.stored_name else None
    except FileNotFoundError:
        data = None
    if data is None:
        raise DomainError(_("The uploaded file is no longer on the server: upload it again."))
    return network_check_file(filename=batch.filename, data=data)


def _shifted(report: Callable[[int], None], offset: int) -> Callable[[int], None]:
    """report, counting the rows of the groups already entered."""
    return lambda done: report(offset + done)


def _commit_part(
    part: GroupPart,
    *,
    batch: NetworkImportBatch,
    now: datetime.datetime,
    report: Callable[[int], None],
) -> tuple[int, int, ImportBatch | None]:
    """Enter one coordination group's new rows under a done ImportBatch of its own; return
    (created, already there, the group's batch or None when nothing was new)."""
    tenant = part.group
    valid = part.checked.valid
    keys = part.keys
    with tenant_scope(tenant):
        # Checked again in the transaction: keys given since the check count as already there.
        wanted = sorted({key for key in keys if key})
        taken = set(
            Criterion.objects.filter(tenant=tenant, external_key__in=wanted).values_list(
                "external_key", flat=True
            )
            if wanted
            else []
        )
        fresh = ~keys.isin(taken) | (keys == "")
        rows = valid[fresh.to_numpy()]
        row_keys = keys[fresh.to_numpy()]
        kept = len(valid) - len(rows)
        if rows.empty:
            return 0, kept, None
        marker = f"network:{batch.pk}:{tenant.pk}:{batch.file_sha256}"
        group_batch = ImportBatch.objects.create(
            tenant=tenant,
            file_sha256=hashlib.sha256(marker.encode()).hexdigest(),
            filename=batch.filename,
            status=ImportBatch.Status.DONE,
            rows=part.checked.rows,
            rows_done=len(rows),
            message=_("Imported by the network secretariat from a file of several groups."),
            created_by=batch.created_by,
            finished_at=now,
        )
        actor_id = batch.created_by_id
        created = _insert(
            rows,
            row_keys,
            tenant_id=tenant.pk,
            batch_id=group_batch.pk,
            actor_id=actor_id,
            now=now,
            report=report,
        )
        classified = _insert_classifications(batch=group_batch, actor_id=actor_id, now=now)
        audit_record(
            actor=batch.created_by,
            action="criteria.import.committed",
            target=group_batch,
            tenant_id=tenant.pk,
            rows=created,
            classified=classified,
            existing=kept,
            file_sha256=batch.file_sha256,
            network_import=batch.pk,
        )
        if classified:
            criteria_changed(tenant=tenant)
    return created, kept, group_batch


def _insert(
    valid: pd.DataFrame,
    keys: pd.Series,
    *,
    tenant_id: int,
    batch_id: int,
    actor_id: int | None,
    now: datetime.datetime,
    report: Callable[[int], None],
) -> int:
    """One group's part, inserted as the per-group import inserts (a test fails it midway)."""
    return insert_criteria(
        valid=valid,
        keys=keys.tolist(),
        tenant_id=tenant_id,
        batch_id=batch_id,
        actor_id=actor_id,
        now=now,
        report=report,
    )
