"""The criteria app's durable jobs: importing a checked spreadsheet."""

from criteria.models import ImportBatch
from criteria.transfer.services import criteria_import_commit, criteria_import_revive
from territories.models import CoordinationGroup
from wikispiral.errors import DomainError
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import JobRun, job_kind
from wikispiral.tenancy import cross_tenant

Status = ImportBatch.Status


def _batches(job: Job):
    return ImportBatch.objects.filter(pk=job.args["batch_id"], tenant_id=job.args["tenant_id"])


def _import_reset(job: Job) -> None:
    # The dead run's inserts died with its transaction: only the claim is left to undo.
    with cross_tenant():
        _batches(job).filter(status=Status.RUNNING).update(status=Status.QUEUED, rows_done=0)


def _import_failed(job: Job, message: str) -> None:
    with cross_tenant():
        _batches(job).filter(status__in=[Status.QUEUED, Status.RUNNING]).update(
            status=Status.FAILED, rows_done=0, message=message
        )


def _import_revive(job: Job) -> None:
    tenant = CoordinationGroup.objects.get(pk=job.args["tenant_id"])
    with cross_tenant():
        batch = _batches(job).get()
    criteria_import_revive(tenant=tenant, batch=batch)


def _import_orphans() -> list[dict]:
    with cross_tenant():
        batches = ImportBatch.objects.filter(status__in=[Status.QUEUED, Status.RUNNING])
        return [
            {
                "key": f"criteria.import:{pk}",
                "args": {"tenant_id": tenant_id, "batch_id": pk},
                "tenant_id": tenant_id,
            }
            for pk, tenant_id in batches.values_list("pk", "tenant_id")[:500]
        ]


@job_kind(
    "criteria.import",
    reset=_import_reset,
    failed=_import_failed,
    revive=_import_revive,
    orphans=_import_orphans,
    max_attempts=3,
    time_limit=1800,
)
def criteria_import_job(job: Job, run: JobRun) -> dict:
    """Import one queued batch, all or nothing (the batch's own claim makes a second run a
    no-op); a batch the import marked failed fails the job with the same message."""
    tenant = CoordinationGroup.objects.filter(pk=job.args["tenant_id"]).first()
    with cross_tenant():
        batch = _batches(job).select_related("created_by").first()
    if tenant is None or batch is None:
        return {"created": 0}
    created = criteria_import_commit(tenant=tenant, batch=batch, run=run)
    with cross_tenant():
        batch.refresh_from_db()
    if batch.status == Status.FAILED:
        raise DomainError(batch.message)
    return {"created": created}
