"""The audit log: who did what to which object, when. Rows are only ever added."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Dotted, app first: "territories.application.approved".
    action = models.CharField(_("what"), max_length=80)
    # "app_label.model" and primary key of the object acted on; plain columns rather than a
    # generic foreign key, so an entry outlives its object.
    target_type = models.CharField(max_length=80)
    target_id = models.CharField(max_length=40)
    target_label = models.CharField(_("object"), max_length=200, blank=True)
    # The coordination group concerned, if any (an id: the core does not import territories).
    tenant_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-created_at"], name="audit_target")
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"
