"""What people follow, what changed, and how each person wants to be told.

A follow names a thing by its kind and key ("page" 12, "group" 3, "scope" "country:5", "action"
7, "event" 2, "letter" "network"); each floor registers its kinds (titles, addresses, who may
see them) with the engine, so this floor never imports the apps above. A change is one row per
thing changed, written by the app that changed it (`change_record`) in its own transaction: a
person's notifications are the changes of what she follows, by others, joined at read time (no
row per follower), and the digest job joins them the same way for everyone at once.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    kind = models.CharField(_("kind"), max_length=20)
    key = models.CharField(_("key"), max_length=100)
    created_at = models.DateTimeField(_("followed since"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "key"], name="notifications_follow_once"
            )
        ]
        indexes = [models.Index(fields=["kind", "key"], name="notifications_followers")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.kind}:{self.key}"


class Change(models.Model):
    kind = models.CharField(_("kind"), max_length=20)
    key = models.CharField(_("key"), max_length=100)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(_("address"), max_length=500)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    # What happened, as a code the kind translates when it is shown ("edit", "published",
    # "state:done"), so each reader reads it in her own language; summary is the actor's own
    # words (an edit summary, a name), shown as written.
    verb = models.CharField(_("what"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [
            models.Index(fields=["kind", "key", "created_at"], name="notifications_change_thing"),
            models.Index(fields=["created_at"], name="notifications_change_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} at {self.created_at}"


class Preference(models.Model):
    """How a person wants to be told (no row: the defaults)."""

    class Frequency(models.TextChoices):
        NEVER = "never", _("Never (on the site only)")
        IMMEDIATE = "immediate", _("At once")
        DAILY = "daily", _("Once a day")
        WEEKLY = "weekly", _("Once a week")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    frequency = models.CharField(
        _("e-mail digest"), max_length=10, choices=Frequency.choices, default=Frequency.DAILY
    )
    # Like MediaWiki's "add pages I create and edit to my watchlist" (on by default there too).
    follow_edits = models.BooleanField(_("follow the pages I create or edit"), default=True)
    # The on-site list marks as new what changed after this.
    seen_until = models.DateTimeField(null=True, blank=True)
    # The next digest covers the changes after this (set by the digest job as it sends).
    digest_sent_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.frequency}"


class Digest(models.Model):
    """One digest mail, rendered in its reader's language and written in the same transaction
    that moves her `digest_sent_until` on (so a digest is built once), then sent by the
    "notifications.send" job, which marks it sent (so it is sent once, give or take a worker
    killed between the SMTP conversation and the mark, as any mail job)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=10, choices=Preference.Frequency.choices)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    headers = models.JSONField(_("headers"), default=dict)
    changes = models.PositiveIntegerField(_("changes"), default=0)
    # The changes it tells of were recorded at most this late.
    covers_until = models.DateTimeField(_("covers until"))
    created_at = models.DateTimeField(_("built at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The mail server refused the address for good: never tried again.
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    problem = models.CharField(_("problem"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(sent_at__isnull=True, failed_at__isnull=True),
                name="notifications_digest_unsent",
            ),
            models.Index(fields=["created_at"], name="notifications_digest_time"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.period} {self.created_at}"
