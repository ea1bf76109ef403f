"""The criteria app's durable jobs: importing a checked spreadsheet, into one coordination
group or network-wide."""

from criteria.models import ImportBatch, NetworkImportBatch
from criteria.transfer.network.services import JOB_KIND as NETWORK_JOB_KIND
from criteria.transfer.network.services import (
    criteria_network_import_commit,
    criteria_network_import_revive,
)
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


# --- Network-wide imports (the secretariat's): one batch fanned out over the groups -----------

NetworkStatus = NetworkImportBatch.Status


def _network_batches(job: Job):
    return NetworkImportBatch.objects.filter(pk=job.args["batch_id"])


def _network_reset(job: Job) -> None:
    _network_batches(job).filter(status=NetworkStatus.RUNNING).update(
        status=NetworkStatus.QUEUED, rows_done=0
    )


def _network_failed(job: Job, message: str) -> None:
    _network_batches(job).filter(status__in=[NetworkStatus.QUEUED, NetworkStatus.RUNNING]).update(
        status=NetworkStatus.FAILED, rows_done=0, message=message
    )


def _network_revive(job: Job) -> None:
    criteria_network_import_revive(batch=_network_batches(job).get())


def _network_orphans() -> list[dict]:
    batches = NetworkImportBatch.objects.filter(
        status__in=[NetworkStatus.QUEUED, NetworkStatus.RUNNING]
    )
    return [
        {"key": f"{NETWORK_JOB_KIND}:{pk}", "args": {"batch_id": pk}}
        for pk in batches.values_list("pk", flat=True)[:500]
    ]


@job_kind(
    NETWORK_JOB_KIND,
    reset=_network_reset,
    failed=_network_failed,
    revive=_network_revive,
    orphans=_network_orphans,
    max_attempts=3,
    time_limit=1800,
)
def criteria_network_import_job(job: Job, run: JobRun) -> dict:
    """Import one queued network batch into every group it names, all or nothing; a batch the
    import marked failed fails the job with the same message."""
    batch = _network_batches(job).select_related("created_by").first()
    if batch is None:
        return {"created": 0}
    # The commit enters each group's scope in turn; the lookups read across groups.
    with cross_tenant():
        created = criteria_network_import_commit(batch=batch, run=run)
    batch.refresh_from_db()
    if batch.status == NetworkStatus.FAILED:
        raise DomainError(batch.message)
    return {"created": created}
