"""The network's events: international meetings (a programme of sessions over several days),
general assemblies, training seminars for facilitators, quarterly network meetings, and the
network projects' events (the right-choices workshops), all in one model.

An event has a programme of sessions; each session has its times (stored in UTC, shown in the
reader's zone and in the organiser's), its languages, its places and an on-line link shown
only to those signed up. After the event, its report and conclusions are wiki pages.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from territories.models.core import CoordinationGroup


class Event(models.Model):
    class Kind(models.TextChoices):
        INTERNATIONAL_MEETING = "international", _("International meeting")
        GENERAL_ASSEMBLY = "assembly", _("General assembly")
        TRAINING = "training", _("Training seminar")
        QUARTERLY = "quarterly", _("Quarterly network meeting")
        WORKSHOP = "workshop", _("Project workshop")
        OTHER = "other", _("Other event")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    # The network project it belongs to (0: the network's own event).
    project = models.PositiveSmallIntegerField(
        _("project"),
        choices=CoordinationGroup.Project.choices,
        default=CoordinationGroup.Project.NONE,
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    # The organiser's zone (an IANA name, "Europe/Paris"): pages show each time in it as well
    # as in the reader's.
    time_zone = models.CharField(_("organiser's time zone"), max_length=64)
    languages = models.JSONField(_("languages"), default=list)
    place = models.CharField(_("place"), max_length=200, blank=True)
    is_online = models.BooleanField(_("on-line"), default=True)
    # Shown only to those signed up; a session may have its own.
    meeting_url = models.URLField(_("link to the meeting"), max_length=500, blank=True)
    # Free text a project may use to say who it is for ("citizens") and on what ("food").
    audience = models.CharField(_("for"), max_length=20, blank=True)
    theme = models.CharField(_("theme"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    report = models.OneToOneField(
        "wiki.Page",
        verbose_name=_("report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_report",
    )
    conclusions = models.OneToOneField(
        "wiki.Page",
        verbose_name=_("conclusions"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_conclusions",
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The first session's start and the last one's end, kept by the services for lists/feeds.
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="territories_events_upcoming"),
            models.Index(fields=["-published_at"], name="territories_events_published"),
        ]

    def __str__(self) -> str:
        return self.title


class EventSession(models.Model):
    """One item of an event's programme: a plenary, a workshop, a day of a seminar."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # A subset of the event's languages (empty: the event's).
    languages = models.JSONField(_("languages"), default=list, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    meeting_url = models.URLField(_("link to the meeting"), max_length=500, blank=True)
    # None: no limit.
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    report = models.OneToOneField(
        "wiki.Page",
        verbose_name=_("report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_session_report",
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="territories_session_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="territories_session_places",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EventSignup(models.Model):
    """A person signed up to one session (one place each)."""

    session = models.ForeignKey(EventSession, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_signups"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the job that sends the reminder, before it sends: never twice.
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="territories_signup_once")
        ]
        indexes = [models.Index(fields=["reminded_at"], name="territories_signup_remind")]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.session_id}"
