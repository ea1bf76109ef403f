"""The record of every background job: what is waiting, who claimed it and until when.

The database, not the broker, is the source of truth: a message lost in a Redis flush or with a
killed worker is found again by the sweep (wikispiral.jobs.services.jobs_sweep).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    # Registered kind, dotted, app first: "criteria.import", "syntheses.report", "mail.send".
    kind = models.CharField(_("kind"), max_length=60)
    # What the job works on, e.g. "criteria.import:42": at most one job waits per key.
    key = models.CharField(_("key"), max_length=200)
    # The coordination group concerned, if any (an id: this floor does not import territories).
    tenant_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    args = models.JSONField(_("arguments"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.WAITING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("attempt limit"), default=3)
    # How many times a worker died or lost the job under it (the sweep took it back).
    interruptions = models.PositiveSmallIntegerField(_("interruptions"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    # The reason of the failure, or of the last retry, in the language of the person who asked.
    message = models.TextField(_("message"), blank=True)
    language = models.CharField(_("language"), max_length=12, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    # When a message was last handed to the broker; the sweep hands it again if nobody claims.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # Not before (backoff after a transient error).
    run_after = models.DateTimeField(null=True, blank=True)
    # The claim: a fresh token per run, the worker's name, and the lease a heartbeat renews.
    token = models.UUIDField(null=True, blank=True, default=None, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(state="waiting"),
                name="jobs_one_waiting_per_key",
            )
        ]
        indexes = [
            models.Index(fields=["key", "-created_at"], name="jobs_by_key"),
            models.Index(fields=["state", "lease_until"], name="jobs_by_state_lease"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.state})"

    @staticmethod
    def new_token() -> uuid.UUID:
        return uuid.uuid4()
