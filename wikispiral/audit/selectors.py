"""Reading the audit log."""

from django.db.models import Model, QuerySet

from wikispiral.audit.models import AuditEntry


def audit_list(*, target: Model | None = None, action_prefix: str = "") -> QuerySet[AuditEntry]:
    """Entries, newest first, about one object and/or whose action starts with a prefix."""
    entries = AuditEntry.objects.select_related("actor")
    if target is not None:
        entries = entries.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
    if action_prefix:
        entries = entries.filter(action__startswith=action_prefix)
    return entries
