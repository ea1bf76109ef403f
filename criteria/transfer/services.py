"""Importing criteria from a spreadsheet: check (preview), queue, commit.

The preview records an ImportBatch keyed by the file's SHA-256, so the same file is refused once
imported and reused (re-checked) while it is not. The commit re-reads the stored file, checks it
again (groups or the grid may have changed meanwhile) and inserts every row in one transaction:
COPY on PostgreSQL, bulk_create elsewhere. Classification rows for pre-classified rows are
written by one INSERT ... SELECT in the same transaction.
"""

import datetime
import hashlib
import logging
from collections.abc import Callable, Iterator
from pathlib import PurePath

import pandas as pd
from celery.exceptions import SoftTimeLimitExceeded
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from psycopg import sql

from criteria.hooks import criteria_changed
from criteria.models import Classification, Criterion, ImportBatch, NetworkImportBatch
from criteria.transfer.imports import MAX_UPLOAD_BYTES, check_file
from criteria.transfer.storage import import_file_path, private_path, write_atomically
from territories.models import CoordinationGroup
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.jobs.aside import row_update_aside
from wikispiral.jobs.services import JobLost, JobRun, job_enqueue, person_language
from wikispiral.tenancy import tenant_scope

logger = logging.getLogger(__name__)

Status = ImportBatch.Status
ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)
PROGRESS_EVERY = 10_000
BULK_BATCH_SIZE = 2_000
CRITERION_COLUMNS = (
    "tenant_id",
    "group_id",
    "question_id",
    "text",
    "language",
    "session_date",
    "status",
    "component_id",
    "full_code",
    "classified_by_id",
    "classified_at",
    "entered_by_id",
    "import_batch_id",
    "external_key",
    "created_at",
    "modified_at",
)


def _already_imported(batch: ImportBatch) -> DomainError:
    when = timezone.localtime(batch.finished_at or batch.created_at)
    return DomainError(
        ngettext(
            "This file was already imported into this coordination group on %(date)s "
            "(%(count)d criterion). Importing it again would enter its criteria twice.",
            "This file was already imported into this coordination group on %(date)s "
            "(%(count)d criteria). Importing it again would enter its criteria twice.",
            batch.rows_done,
        )
        % {"date": date_format(when, "DATETIME_FORMAT"), "count": batch.rows_done},
        field="file",
    )


def criteria_import_preview(
    *, tenant: CoordinationGroup, actor: User | None, filename: str, data: bytes
) -> ImportBatch:
    """Check an uploaded file and record the outcome (rows, errors) in an ImportBatch.

    DomainError when the file is too large or was already imported into tenant, FileProblem
    when it cannot be used as a whole (not a spreadsheet, past a limit...): then nothing is
    recorded. A file uploaded again before being imported reuses its batch and is checked again;
    one being imported returns its batch unchanged. A readable file is kept privately for the
    commit.
    """
    filename = PurePath(filename or "").name[:255] or "criteria.csv"
    if len(data) > MAX_UPLOAD_BYTES:
        raise DomainError(
            _("The file is larger than %(size)d MB: split it into several files.")
            % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
            field="file",
        )
    digest = hashlib.sha256(data).hexdigest()
    with tenant_scope(tenant):
        existing = ImportBatch.objects.filter(tenant=tenant, file_sha256=digest).first()
        if existing is not None and existing.status == Status.DONE:
            raise _already_imported(existing)
        if existing is not None and existing.status in ACTIVE_STATUSES:
            return existing
        batch = existing or ImportBatch(tenant=tenant, file_sha256=digest)
        notes = ""
        # FileProblem goes up to the upload form: a file that cannot be read leaves no batch.
        table, _lookups, checked = check_file(tenant=tenant, filename=filename, data=data)
        stored_name = f"{tenant.pk}/{digest}.{table.kind}"
        write_atomically(private_path("imports", stored_name), data)
        rows, error_count, errors = checked.rows, checked.error_count, checked.errors
        if table.ignored:
            notes = _("These columns are not used and were left aside: %(columns)s.") % {
                "columns": ", ".join(f"“{column}”" for column in table.ignored)
            }
        if batch.stored_name and batch.stored_name != stored_name:
            private_path("imports", batch.stored_name).unlink(missing_ok=True)
        batch.filename = filename
        batch.stored_name = stored_name
        batch.status = Status.PREVIEWED
        batch.rows = rows
        batch.rows_done = 0
        batch.error_count = error_count
        batch.errors = errors
        batch.message = notes
        batch.finished_at = None
        batch.created_by = actor if actor is not None and actor.is_authenticated else None
        try:
            with transaction.atomic():
                batch.save()
        except IntegrityError:
            # The same file sent twice at the same moment: the other request recorded it.
            return ImportBatch.objects.get(tenant=tenant, file_sha256=digest)
    return batch


def criteria_import_enqueue(*, tenant: CoordinationGroup, batch: ImportBatch) -> bool:
    """Queue a checked batch without errors for import, as a durable job; False when it was
    already queued, running or imported (a second click does nothing). DomainError while it
    has errors."""
    if batch.tenant_id != tenant.pk:
        raise DomainError(_("Not found."))
    if batch.error_count:
        raise DomainError(_("Correct the errors in the file and upload it again first."))
    with tenant_scope(tenant):
        queued = ImportBatch.objects.filter(
            pk=batch.pk, tenant=tenant, status=Status.PREVIEWED, error_count=0
        ).update(status=Status.QUEUED, message="")
    if queued:
        _job_enqueue(tenant=tenant, batch=batch)
    return bool(queued)


def criteria_import_retry(*, tenant: CoordinationGroup, batch: ImportBatch) -> None:
    """Start a failed import again from its stored file (checked again by the job); nothing
    when it is already waiting or running again (a second click). DomainError when it did not
    fail or its file is gone (then it must be uploaded again)."""
    if batch.tenant_id != tenant.pk:
        raise DomainError(_("Not found."))
    if criteria_import_revive(tenant=tenant, batch=batch):
        _job_enqueue(tenant=tenant, batch=batch)


def criteria_import_revive(*, tenant: CoordinationGroup, batch: ImportBatch) -> bool:
    """Put a failed batch back to waiting for its job; False when it already waits or runs.
    DomainError when its file is gone or it did not fail."""
    if not batch.stored_name or not import_file_path(batch).exists():
        raise DomainError(_("The uploaded file is no longer on the server: upload it again."))
    with tenant_scope(tenant):
        batches = ImportBatch.objects.filter(pk=batch.pk, tenant=tenant, error_count=0)
        if batches.filter(status__in=ACTIVE_STATUSES).exists():
            return False
        if not batches.filter(status=Status.FAILED).update(
            status=Status.QUEUED, rows_done=0, message=""
        ):
            raise DomainError(_("Only a failed import can be started again."))
    return True


def import_job_key(batch: ImportBatch) -> str:
    return f"criteria.import:{batch.pk}"


def _job_enqueue(*, tenant: CoordinationGroup, batch: ImportBatch) -> None:
    person = batch.created_by
    job_enqueue(
        kind="criteria.import",
        key=import_job_key(batch),
        args={"tenant_id": tenant.pk, "batch_id": batch.pk},
        tenant_id=tenant.pk,
        actor=person,
        # Messages the import records are read by the person who uploaded the file.
        language=person_language(person),
    )


def criteria_import_commit(
    *, tenant: CoordinationGroup, batch: ImportBatch, run: JobRun | None = None
) -> int:
    """Insert the rows of a checked batch, all or nothing, and mark it done; return how many
    criteria were created, or 0 when the batch was not waiting (imported, being imported, or
    with errors): safe to run twice. With run (the durable job), progress goes to the job and
    the insert commits only while the job's claim is still this run's.

    Deliberately not one atomic block: the claim (a conditional UPDATE) commits first so a
    second run sees it, and a failure is recorded after the inserts have rolled back.
    """
    with tenant_scope(tenant):
        claimed = ImportBatch.objects.filter(
            pk=batch.pk,
            tenant=tenant,
            status__in=[Status.PREVIEWED, Status.QUEUED],
            error_count=0,
        ).update(status=Status.RUNNING, rows_done=0)
        if not claimed:
            return 0
        batch.refresh_from_db()
        try:
            created = _commit_claimed(tenant, batch, run)
        except JobLost:
            # The sweep gave the batch to another run: that one records the outcome.
            raise
        except DomainError as problem:
            _fail(batch, problem.message)
            return 0
        except (OperationalError, InterfaceError, SoftTimeLimitExceeded):
            # Transient (connection lost, deadlock) or too long: the job decides what follows
            # (another attempt, or failed with its reason); the batch waits for it meanwhile.
            ImportBatch.objects.filter(pk=batch.pk, status=Status.RUNNING).update(
                status=Status.QUEUED
            )
            raise
        except Exception:
            logger.exception("criteria import %s failed", batch.pk)
            _fail(
                batch,
                _(
                    "The import failed and nothing was saved. Upload the file again; if it "
                    "fails again, tell the secretariat."
                ),
            )
            return 0
    if created:
        path = import_file_path(batch)
        transaction.on_commit(lambda: path.unlink(missing_ok=True))
    return created


def _fail(batch: ImportBatch, message: str) -> None:
    # Conditional: a run that lost its claim (the sweep gave the batch to another, which may
    # have imported it since) must not mark it failed over its successor's outcome.
    ImportBatch.objects.filter(pk=batch.pk, status=Status.RUNNING).update(
        status=Status.FAILED, message=message
    )
    batch.refresh_from_db()


def _commit_claimed(tenant: CoordinationGroup, batch: ImportBatch, run: JobRun | None) -> int:
    try:
        data = import_file_path(batch).read_bytes() if batch.stored_name else None
    except FileNotFoundError:
        data = None
    if data is None:
        raise DomainError(_("The uploaded file is no longer on the server: upload it again."))
    _table, _lookups, checked = check_file(tenant=tenant, filename=batch.filename, data=data)
    if checked.error_count:
        # The groups, questions or grid changed since the preview: show the new errors.
        ImportBatch.objects.filter(pk=batch.pk, status=Status.RUNNING).update(
            status=Status.PREVIEWED,
            error_count=checked.error_count,
            errors=checked.errors,
            message=_(
                "The file no longer passes the checks (something changed since it was "
                "checked): nothing was imported."
            ),
        )
        return 0
    now = timezone.now()
    actor_id = batch.created_by_id
    with transaction.atomic():
        report = progress_reporter(batch, run)
        created = insert_criteria(
            valid=checked.valid,
            tenant_id=tenant.pk,
            batch_id=batch.pk,
            actor_id=actor_id,
            now=now,
            report=report,
        )
        classified = _insert_classifications(batch=batch, actor_id=actor_id, now=now)
        if run is not None:
            run.confirm()
        batch.status = Status.DONE
        batch.rows_done = created
        batch.finished_at = timezone.now()
        batch.message = ""
        batch.save(update_fields=["status", "rows_done", "finished_at", "message"])
        audit_record(
            actor=batch.created_by,
            action="criteria.import.committed",
            target=batch,
            tenant_id=tenant.pk,
            rows=created,
            classified=classified,
            file_sha256=batch.file_sha256,
        )
        if classified:
            criteria_changed(tenant=tenant)
    return created


def progress_reporter(
    batch: ImportBatch | NetworkImportBatch, run: JobRun | None
) -> Callable[[int], None]:
    """Write rows_done as the insert goes, on a connection of its own: the inserting
    transaction's writes are invisible to the page until it commits. PostgreSQL only (SQLite
    would wait on its own writer's lock); elsewhere progress jumps to the end. The job hears
    of it too, and a test may stop the job here, in the middle of the insert."""

    def to_job(done: int) -> None:
        if run is not None:
            run.progress(100 * done // max(batch.rows, 1))
            run.checkpoint()

    if connection.vendor != "postgresql":
        return to_job

    def report(done: int) -> None:
        to_job(done)
        row_update_aside(
            type(batch), batch.pk, {"rows_done": done}, only_if={"status": Status.RUNNING}
        )

    return report


def _criterion_rows(
    valid: pd.DataFrame,
    keys: list[str | None],
    *,
    tenant_id: int,
    batch_id: int,
    actor_id: int | None,
    now: datetime.datetime,
) -> Iterator[tuple]:
    """One tuple per criterion, in CRITERION_COLUMNS order."""
    classified = Criterion.Status.CLASSIFIED.value
    unclassified = Criterion.Status.UNCLASSIFIED.value
    components = [None if pd.isna(value) else int(value) for value in valid["component_id"]]
    for group_id, question_id, text, language, session_date, component_id, full_code, key in zip(
        valid["group_id"].tolist(),
        valid["question_id"].tolist(),
        valid["text"].tolist(),
        valid["language"].tolist(),
        valid["session_date"].tolist(),
        components,
        valid["full_code"].tolist(),
        keys,
        strict=True,
    ):
        is_classified = component_id is not None
        yield (
            tenant_id,
            group_id,
            question_id,
            text,
            language,
            session_date,
            classified if is_classified else unclassified,
            component_id,
            full_code if is_classified else "",
            actor_id if is_classified else None,
            now if is_classified else None,
            actor_id,
            batch_id,
            key or None,
            now,
            now,
        )


def insert_criteria(
    *,
    valid: pd.DataFrame,
    tenant_id: int,
    batch_id: int,
    actor_id: int | None,
    now: datetime.datetime,
    report: Callable[[int], None],
    keys: list[str | None] | None = None,
) -> int:
    """Insert valid's rows (with their external keys, if given) as criteria of one coordination
    group and one batch: COPY on PostgreSQL, bulk_create elsewhere; report(done) as it goes."""
    if keys is None:
        keys = [None] * len(valid)
    rows = _criterion_rows(
        valid, keys, tenant_id=tenant_id, batch_id=batch_id, actor_id=actor_id, now=now
    )
    done = 0
    if connection.vendor == "postgresql":
        statement = sql.SQL("COPY {table} ({columns}) FROM STDIN").format(
            table=sql.Identifier(Criterion._meta.db_table),
            columns=sql.SQL(", ").join(sql.Identifier(name) for name in CRITERION_COLUMNS),
        )
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                done += 1
                if done % PROGRESS_EVERY == 0:
                    report(done)
        return done
    chunk: list[Criterion] = []
    for row in rows:
        chunk.append(Criterion(**dict(zip(CRITERION_COLUMNS, row, strict=True))))
        if len(chunk) == BULK_BATCH_SIZE:
            Criterion.objects.bulk_create(chunk)
            done += len(chunk)
            chunk = []
            if done % PROGRESS_EVERY == 0:
                report(done)
    Criterion.objects.bulk_create(chunk)
    return done + len(chunk)


def _insert_classifications(
    *, batch: ImportBatch, actor_id: int | None, now: datetime.datetime
) -> int:
    """The first history step of every pre-classified criterion of batch, in one statement."""
    quote = connection.ops.quote_name
    note = _("Classified in the imported file %(name)s.") % {"name": batch.filename}
    # Table and column names come from the models, never from input.
    statement = (
        f"INSERT INTO {quote(Classification._meta.db_table)} "  # noqa: S608
        "(tenant_id, criterion_id, status, component_id, full_code, note, by_grid_mapping, "
        "actor_id, created_at) "
        "SELECT tenant_id, id, status, component_id, full_code, %s, %s, %s, %s "
        f"FROM {quote(Criterion._meta.db_table)} "
        "WHERE import_batch_id = %s AND component_id IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            statement,
            [
                note[:500],
                False,
                actor_id,
                connection.ops.adapt_datetimefield_value(now),
                batch.pk,
            ],
        )
        return cursor.rowcount
