"""Writing to the audit log; call it inside the transaction of the change it records."""

from django.db.models import Model

from wikispiral.accounts.models import User
from wikispiral.audit.models import AuditEntry


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: Model,
    tenant_id: int | None = None,
    **data: object,
) -> AuditEntry:
    """Append one entry: actor did action to target (data must be JSON-serialisable)."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:200],
        tenant_id=tenant_id,
        data=data,
    )
