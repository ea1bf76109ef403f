"""Celery tasks of the criteria app: thin wrappers around one service each."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import translation

from criteria.models import ImportBatch
from criteria.transfer.services import criteria_import_commit
from territories.models import CoordinationGroup
from wikispiral.tenancy import tenant_scope


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def criteria_import_commit_task(tenant_id: int, batch_id: int) -> int:
    """Import a queued batch of criteria; returns the rows created (0 when the batch was already
    claimed, imported or is gone: safe to run twice)."""
    tenant = CoordinationGroup.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return 0
    with tenant_scope(tenant):
        batch = (
            ImportBatch.objects.filter(pk=batch_id, tenant=tenant)
            .select_related("created_by")
            .first()
        )
    if batch is None:
        return 0
    # Messages the import records are read by the person who uploaded the file.
    person = batch.created_by
    language = (person.preferred_language if person else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        return criteria_import_commit(tenant=tenant, batch=batch)
