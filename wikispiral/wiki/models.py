"""The page engine: spaces hold pages, pages hold an append-only chain of revisions."""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Space(models.Model):
    """A set of pages with one owner: the network, a coordination group, a group, a participant.

    Later apps attach their tenant to a space (one-to-one from their side), so the engine never
    needs to know about coordination groups; permissions ask the space's kind who may edit.
    """

    class Kind(models.TextChoices):
        NETWORK = "network", _("Network")
        COORDINATION_GROUP = "cg", _("Coordination group")
        HOMOGENEOUS_GROUP = "hg", _("Homogeneous group")
        PARTICIPANT = "participant", _("Project participant")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NETWORK)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Pages of a space that is not public are drafts.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Page(models.Model):
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="pages")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    slug = models.SlugField(_("slug"), max_length=200, allow_unicode=True)
    title = models.CharField(_("title"), max_length=255)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position among its siblings"), default=0)
    # Translations of one page share a key; at most one page per language and key.
    translation_key = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    current_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_protected = models.BooleanField(_("protected"), default=False)
    is_deleted = models.BooleanField(_("deleted"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last modified"), default=timezone.now, db_index=True)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["position", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["space", "language", "slug"],
                name="wiki_page_unique_slug_per_space_language",
                violation_error_message=_("A page with this address already exists."),
            ),
            models.UniqueConstraint(
                fields=["translation_key", "language"],
                name="wiki_page_one_translation_per_language",
            ),
        ]
        indexes = [models.Index(fields=["space", "language", "parent"], name="wiki_page_tree")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "wiki:page", kwargs={"space": self.space.slug, "lang": self.language, "slug": self.slug}
        )

    def url_for(self, action: str) -> str:
        return reverse(
            f"wiki:{action}",
            kwargs={"space": self.space.slug, "lang": self.language, "slug": self.slug},
        )


class PageRedirect(models.Model):
    """An old address of a moved page; creating a page at that address replaces it."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="redirects")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    slug = models.SlugField(max_length=200, allow_unicode=True)
    target = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="redirects_in")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")
        constraints = [
            models.UniqueConstraint(
                fields=["space", "language", "slug"], name="wiki_redirect_unique_slug"
            )
        ]

    def __str__(self) -> str:
        return f"{self.slug} → {self.target}"


class Revision(models.Model):
    """One saved state of a page. Never updated after insert.

    The chain is kept linear by the database itself: (page, number) is unique and a revision
    has at most one child, so two saves on the same base can never both become current.
    """

    class Kind(models.TextChoices):
        CREATE = "create", _("created")
        EDIT = "edit", _("edited")
        MERGE = "merge", _("edited (merged with a concurrent edit)")
        REVERT = "revert", _("reverted")
        MOVE = "move", _("moved")
        DELETE = "delete", _("deleted")
        RESTORE = "restore", _("restored")
        PROTECT = "protect", _("protection changed")

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("number"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.EDIT)
    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=200, allow_unicode=True)
    body = models.TextField(_("text"), blank=True)
    comment = models.CharField(_("summary"), max_length=255, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wiki_revisions",
    )
    # An imported author with no account here (issue 15): shown where author is null.
    author_name = models.CharField(_("imported author"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("saved at"), default=timezone.now, db_index=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    size_delta = models.IntegerField(_("size change"), default=0)
    reverted_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What body was converted from at import, kept for audit; never rendered.
    source = models.TextField(_("original text"), blank=True)
    source_format = models.CharField(_("original format"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="wiki_revision_unique_number"),
            models.UniqueConstraint(
                fields=["parent"],
                condition=Q(parent__isnull=False),
                name="wiki_revision_one_child",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.page} #{self.number}"

    @property
    def author_shown(self) -> str:
        """Who saved it, as shown: the account's public name, else the imported name, else ""."""
        if self.author_id is not None and self.author is not None:
            return self.author.public_name
        return self.author_name


class Attachment(models.Model):
    """An image or PDF uploaded to a space, referenced from pages as attachments/<name>."""

    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="attachments")
    page = models.ForeignKey(
        Page, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="wiki/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.UniqueConstraint(fields=["space", "name"], name="wiki_attachment_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
