"""Writing to the audit log; call it inside the transaction of the change it records."""

from django.db.models import Model

from wikispiral.accounts.models import User
from wikispiral.audit.models import AuditEntry


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: Model | None = None,
    target_type: str = "",
    target_label: str = "",
    tenant_id: int | None = None,
    **data: object,
) -> AuditEntry:
    """Append one entry: actor did action to target (a model instance or, for something that
    is not a row, such as an import, a type and a label); data must be JSON-serialisable."""
    if target is not None:
        target_type, target_id, target_label = (
            target._meta.label_lower,
            str(target.pk),
            str(target),
        )
    else:
        target_id = ""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:200],
        tenant_id=tenant_id,
        data=data,
    )
