"""Syntheses: counts of criteria per family and component for a scope, computed by Celery jobs
and stored as snapshots that pages read (they never aggregate on the request path).

A snapshot holds the scope's *cube*: counts at the grain (component, question, year, group
profile, language), so every filter the pages offer is a sum over the cube; and the table of the
homogeneous groups behind it (for "how many groups and participants").

What needs recomputing is recorded in the database (PendingScope), not only in the broker: a
lost task or a flushed Redis leaves the rows, and the sweep enqueues them again.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from syntheses.fields import PackedJSONField


class Scope(models.TextChoices):
    HOMOGENEOUS_GROUP = "hg", _("Homogeneous group")
    COORDINATION_GROUP = "cg", _("Coordination group")
    LOCALITY = "locality", _("Locality")
    REGION = "region", _("Region")
    COUNTRY = "country", _("Country")
    CONTINENT = "continent", _("Continent")
    NETWORK = "network", _("Network")
    # A network project's platforms added up (scope_id: territories' CoordinationGroup.Project).
    PROJECT = "project", _("Project")


class Snapshot(models.Model):
    """The latest synthesis of one scope (one row per scope, replaced in one statement)."""

    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices)
    # The homogeneous group's, coordination group's or place's id; 0 for the network.
    scope_id = models.PositiveIntegerField(_("scope id"), default=0)
    grid_version = models.ForeignKey(
        "criteria.GridVersion", on_delete=models.PROTECT, related_name="+"
    )
    criteria_count = models.PositiveIntegerField(_("criteria"), default=0)
    groups_count = models.PositiveIntegerField(_("homogeneous groups"), default=0)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    # Columns of equal length: component, question, year, profile (id, 0 for none), language,
    # count. Columnar, because it loads straight into a pandas DataFrame.
    cube = PackedJSONField(_("counts"), default=dict)
    # Columns: group (id), profile, participants, years (list), languages (list).
    groups = PackedJSONField(_("groups"), default=dict)
    # A fingerprint of grid_version, cube and groups: a recomputation that finds the same
    # figures leaves the row as it is (but computed_at).
    digest = models.CharField(_("digest"), max_length=32, blank=True, editable=False)
    # A fingerprint of what the figures were computed from (compute.scope_fingerprints): the
    # nightly pass recomputes a scope only when the criteria give another one.
    fingerprint = models.BigIntegerField(_("fingerprint"), default=0, editable=False)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("synthesis snapshot")
        verbose_name_plural = _("synthesis snapshots")
        constraints = [
            models.UniqueConstraint(fields=["scope", "scope_id"], name="syntheses_snapshot_scope")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.scope_id}"


class PendingScope(models.Model):
    """A scope whose snapshot is out of date. Marking it again while a job computes it moves
    marked_at on, so the job does not delete it when done and it is computed once more."""

    scope = models.CharField(max_length=12, choices=Scope.choices)
    scope_id = models.PositiveIntegerField(default=0)
    marked_at = models.DateTimeField()
    # Set by the job that took it; a claim older than the sweep's limit is taken again.
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("pending synthesis")
        verbose_name_plural = _("pending syntheses")
        constraints = [
            models.UniqueConstraint(fields=["scope", "scope_id"], name="syntheses_pending_scope")
        ]
        indexes = [models.Index(fields=["claimed_at", "marked_at"], name="syntheses_pending")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.scope_id}"


class Check(models.Model):
    """One nightly pass: every scope's fingerprint computed from the criteria and compared with
    its snapshot's; the scopes that differed were recomputed."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    forced = models.BooleanField(_("everything recomputed"), default=False)
    checked = models.PositiveIntegerField(_("scopes checked"), default=0)
    recomputed = models.PositiveIntegerField(_("scopes recomputed"), default=0)
    removed = models.PositiveIntegerField(_("snapshots removed"), default=0)

    class Meta:
        verbose_name = _("nightly check")
        verbose_name_plural = _("nightly checks")
        get_latest_by = "finished_at"

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M} {self.recomputed}/{self.checked}"


class SynthesisPage(models.Model):
    """The wiki page that carries a scope's synthesis: its narrative keeps the page's full
    revision history; the data blocks come from the latest snapshot when the page is shown."""

    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices)
    scope_id = models.PositiveIntegerField(_("scope id"), default=0)
    page = models.OneToOneField("wiki.Page", on_delete=models.CASCADE, related_name="synthesis")

    class Meta:
        verbose_name = _("synthesis page")
        verbose_name_plural = _("synthesis pages")
        constraints = [
            models.UniqueConstraint(fields=["scope", "scope_id"], name="syntheses_page_scope")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.scope_id}"


class Report(models.Model):
    """A PDF report of a scope in one language. It freezes the figures it was drawn from, so
    it can be reproduced and compared with the next one."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being drawn")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices)
    scope_id = models.PositiveIntegerField(_("scope id"), default=0)
    language = models.CharField(_("language"), max_length=12)
    # The filters it was asked with ({"year": 2025, "question": "Q1", ...}), canonical JSON.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.TextField(_("message"), blank=True)
    # The snapshot as it was when the report was drawn.
    grid_version = models.ForeignKey(
        "criteria.GridVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    criteria_count = models.PositiveIntegerField(_("criteria"), default=0)
    frozen = models.JSONField(_("frozen figures"), default=dict, blank=True)
    snapshot_computed_at = models.DateTimeField(_("figures of"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="reports/%Y/", blank=True)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Drawn without anyone asking, once the scope's figures changed (the network, continents
    # and countries: syntheses.reports.current), at most once a day; published by the network.
    current = models.BooleanField(_("current report"), default=False)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        constraints = [
            # A report asked twice at once is one job: one report in progress per scope,
            # language and filters (and one current report beside those people asked for).
            models.UniqueConstraint(
                fields=["scope", "scope_id", "language", "filters", "current"],
                condition=models.Q(status__in=["queued", "running"]),
                name="syntheses_report_once_in_progress",
            )
        ]
        indexes = [
            models.Index(fields=["scope", "scope_id", "-created_at"], name="syntheses_reports")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.scope_id} {self.language} {self.created_at:%Y-%m-%d}"
