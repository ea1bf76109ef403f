"""What a move-in from the old Tiki site leaves behind: each run with its report, and the old
site's addresses, so that its links keep working."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class MoveIn(models.Model):
    """One run of the import (from the secretariat's page or `manage.py import_tiki`): the files
    it was given, where it stands, and its report (counts here, every line in report.json)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Origin(models.TextChoices):
        PAGE = "page", _("secretariat page")
        COMMAND = "command", _("command line")

    dry_run = models.BooleanField(_("dry run"), default=False)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.PAGE)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # Where each source waits: {"pages": "<path>", ...}; paths under PRIVATE_ROOT/movein/<pk>/
    # for the page's uploads, as given for the command. filenames: what the person uploaded.
    sources = models.JSONField(default=dict, blank=True)
    filenames = models.JSONField(default=dict, blank=True)
    phase = models.CharField(_("step"), max_length=20, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # {"pages": {"created": 3, ...}, "revisions": {...}, ...}: the report's counts per kind.
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("move-in from Tiki")
        verbose_name_plural = _("moves-in from Tiki")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"move-in {self.pk}"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class LegacyAddress(models.Model):
    """An address of the old site (a page name, an item, a file...) and what it became here.

    The target is an object (a wiki page, a coordination or homogeneous group, an attachment, a
    space), resolved to its address when a link is followed, so a page moved later is still
    found; or, for a tracker's feed, the name of the feed in `feed`."""

    class Kind(models.TextChoices):
        PAGE = "page", _("wiki page")
        PAGE_REF = "page_ref", _("structure node")
        ITEM = "item", _("tracker item")
        FILE = "file", _("gallery file")
        GALLERY = "gallery", _("file gallery")
        TRACKER = "tracker", _("tracker")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Page names case-folded (Tiki's are case-insensitive); ids as written.
    key = models.CharField(max_length=255)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    feed = models.CharField(max_length=40, blank=True)
    move_in = models.ForeignKey(
        MoveIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="addresses"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="movein_address_unique"),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"
