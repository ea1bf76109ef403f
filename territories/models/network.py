"""The network's life beyond its platforms: requests to become a member of the network, and the
messages people write to the secretariat or to a platform's facilitators."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from territories.models.core import CoordinationGroup, Country, NetworkMember

OPEN_STATUSES = ("submitted", "changes")


class MembershipRequest(models.Model):
    """A request to become a member of the network, until the secretariat decides.

    Full members are platforms (asked for by their facilitators), associate members are
    people and organisations (no vote), ex officio members are public authorities. Approving
    creates the NetworkMember, once (one-to-one). Joining is a step of its own: approving a
    platform's application does not make it a member.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes", _("Changes requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    kind = models.CharField(_("membership"), max_length=12, choices=NetworkMember.Kind.choices)
    nature = models.CharField(_("nature"), max_length=20, choices=NetworkMember.Nature.choices)
    name = models.CharField(_("name"), max_length=200)
    # A full member's platform; its facilitators ask.
    coordination_group = models.ForeignKey(
        CoordinationGroup,
        verbose_name=_("coordination group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="membership_requests",
    )
    country = models.ForeignKey(
        Country, verbose_name=_("country"), null=True, blank=True, on_delete=models.PROTECT
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    motivation = models.TextField(_("motivation"))
    applicant_name = models.CharField(_("your name"), max_length=150)
    applicant_email = models.EmailField(_("your email"))
    applicant_language = models.CharField(_("your language"), max_length=12, default="en")
    applicant = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who the member would be, normalised ("cg:12", or the nature, country and name folded):
    # one open request per member (a database constraint).
    member_key = models.CharField(max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    # The applicant's link carries this key; a new one is drawn at each request for changes.
    edit_key = models.CharField(max_length=64, unique=True)
    member = models.OneToOneField(
        NetworkMember,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="request",
    )
    decision_message = models.TextField(_("message to the applicant"), blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        verbose_name = _("membership request")
        verbose_name_plural = _("membership requests")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member_key"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="territories_one_open_membership_request",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-submitted_at"], name="territories_memreq_queue")
        ]

    def __str__(self) -> str:
        return self.name


class MembershipRequestComment(models.Model):
    """An internal note of the secretariat on a membership request (never shown to the
    applicant)."""

    request = models.ForeignKey(
        MembershipRequest, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("internal comment")
        verbose_name_plural = _("internal comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.body[:60]


class ContactMessage(models.Model):
    """A message written through a contact form: to the secretariat (no tenant) or to a
    platform's facilitators (its tenant). Stored, then mailed; the recipients' addresses are
    never shown to the sender. Messages to a platform are its rows (scoped); the secretariat's
    inbox reads the others with cross_tenant()."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    tenant = models.ForeignKey(
        CoordinationGroup,
        verbose_name=_("coordination group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contact_messages",
    )
    sender_name = models.CharField(_("your name"), max_length=150)
    sender_email = models.EmailField(_("your email"))
    sender_language = models.CharField(_("your language"), max_length=12, default="en")
    sender = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="new")
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("contact message")
        verbose_name_plural = _("contact messages")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="territories_contact_inbox")]

    def __str__(self) -> str:
        return self.subject


class NetworkLetter(models.Model):
    """The network letter: a wiki page of the network's space (with its translations),
    written by the secretariat and sent once to its subscribers (people who follow the kind
    "letter"), each in her language where a translation exists. Readable on the site after."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    title = models.CharField(_("title"), max_length=200)
    page = models.OneToOneField(
        "wiki.Page", verbose_name=_("page"), on_delete=models.PROTECT, related_name="letter"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set once, when sending starts (a second "send" is refused).
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("network letter")
        verbose_name_plural = _("network letters")
        ordering = ["-sent_at", "-created_at"]

    def __str__(self) -> str:
        return self.title


class LetterDelivery(models.Model):
    """One letter to one subscriber: written before the mail is queued, unique, so a letter is
    never mailed twice to the same person (a resent job skips those done)."""

    letter = models.ForeignKey(NetworkLetter, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(_("language"), max_length=12)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("letter delivery")
        verbose_name_plural = _("letter deliveries")
        constraints = [
            models.UniqueConstraint(fields=["letter", "user"], name="territories_letter_once")
        ]

    def __str__(self) -> str:
        return f"{self.letter_id} → {self.user_id}"
