"""Territories: the geography of the network (continent → country → region → locality), the
coordination groups (the tenant) with their members, homogeneous groups and invitations, the
applications that open new groups, and the membership of the network.

Tenant-owned rows (homogeneous groups, invitations) use a django-scopes manager: a query on them
raises ScopeError unless a tenant scope is active (see wikispiral/tenancy.py), so a view that
forgets to scope cannot read another group's rows.
"""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from territories.display import participants_figure, participants_text


class _Named(models.Model):
    """A place with an English name and optional names in other languages."""

    name = models.CharField(_("name"), max_length=150)
    names = models.JSONField(
        _("names in other languages"), default=dict, blank=True, help_text='{"fr": "…", "pt": "…"}'
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        return self.names.get(language or get_language() or "en") or self.name


class Continent(_Named):
    code = models.CharField(
        _("code"), max_length=2, unique=True, validators=[RegexValidator(r"^[A-Z]{2}$")]
    )

    class Meta:
        verbose_name = _("continent")
        verbose_name_plural = _("continents")
        ordering = ["name"]


class Country(_Named):
    code = models.CharField(
        _("ISO 3166 code"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two capital letters, e.g. FR or CV."))],
    )
    continent = models.ForeignKey(
        Continent, verbose_name=_("continent"), on_delete=models.PROTECT, related_name="countries"
    )

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]


class Region(_Named):
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="regions"
    )
    slug = models.SlugField(_("slug"), max_length=150, allow_unicode=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "slug"], name="territories_region_unique")
        ]


class Locality(_Named):
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="localities"
    )
    slug = models.SlugField(_("slug"), max_length=150, allow_unicode=True)

    class Meta:
        verbose_name = _("locality")
        verbose_name_plural = _("localities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "slug"], name="territories_locality_unique")
        ]


class CoordinationGroup(models.Model):
    """A multi-stakeholder platform: the tenant. Everything a group owns points here."""

    class Kind(models.TextChoices):
        TERRITORY = "territory", _("Territory of co-responsibility")
        COLLECTIVE_ACTOR = "collective_actor", _("Collective actor (school, hospital, company…)")
        CITIZENS_GROUP = "citizens_group", _("Citizens' group")

    class Level(models.TextChoices):
        LOCALITY = "locality", _("Locality")
        REGION = "region", _("Region")
        COUNTRY = "country", _("Country")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        VALIDATED = "validated", _("Validated")
        ARCHIVED = "archived", _("Archived")

    class Project(models.IntegerChoices):
        """A network project whose platforms the secretariat runs, one per country: their
        criteria also add up to the project's own synthesis (syntheses' project scope)."""

        NONE = 0, _("None")
        RIGHT_CHOICES = 1, _("Together let's learn to make the right choices")

    network_id = models.CharField(
        _("network id"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^GC\d{4,10}$", _("Like GC136526."))],
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.TERRITORY)
    actor_type = models.CharField(_("actor type"), max_length=100, blank=True)
    level = models.CharField(
        _("level"), max_length=10, choices=Level.choices, default=Level.LOCALITY
    )
    referent = models.ForeignKey(
        "self",
        verbose_name=_("referent platform"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followers",
    )
    country = models.ForeignKey(Country, verbose_name=_("country"), on_delete=models.PROTECT)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    locality = models.ForeignKey(
        Locality, verbose_name=_("locality"), null=True, blank=True, on_delete=models.PROTECT
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    platform_description = models.TextField(_("the platform"), blank=True)
    territory_description = models.TextField(_("the territory"), blank=True)
    process_summary = models.TextField(_("summary of the process"), blank=True)
    stakeholders = models.TextField(
        _("stakeholders"), blank=True, help_text=_("One member organisation per line.")
    )
    contacts = models.TextField(_("contacts"), blank=True)
    support_needs = models.TextField(_("support needs"), blank=True)
    languages = models.JSONField(_("languages used"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    project = models.PositiveSmallIntegerField(
        _("project"), choices=Project.choices, default=Project.NONE
    )
    picture = models.ImageField(_("picture"), upload_to="groups/%Y/", blank=True)
    # Moderation by the secretariat (mostly of citizens' groups): a hidden group is out of the
    # directory, feeds and syntheses, and its space is private; hiding is reversible and logged.
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The group's pages live in this wiki space (created with the group).
    space = models.OneToOneField(
        "wiki.Space", on_delete=models.PROTECT, related_name="coordination_group"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        verbose_name = _("coordination group")
        verbose_name_plural = _("coordination groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "country"],
                condition=models.Q(project__gt=0),
                name="territories_cg_one_project_platform_per_country",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="territories_cg_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="territories_cg_longitude_range",
            ),
        ]
        # The directory lists visible groups by name, a page at a time; the groups feed takes
        # the latest changed, and so does the directory's cache version. (Full-text search has a
        # PostgreSQL-only index: migration 0006.)
        indexes = [
            models.Index(
                fields=["name", "id"],
                condition=models.Q(is_hidden=False),
                name="territories_cg_visible_name",
            ),
            models.Index(
                fields=["-modified_at"],
                condition=models.Q(is_hidden=False),
                name="territories_cg_changed",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def awaiting_validation(self) -> bool:
        """Open and public, but not yet validated by the secretariat (citizens' groups)."""
        return self.status == self.Status.ACTIVE


class Membership(models.Model):
    """A person's role inside one coordination group; a person may belong to several."""

    class Role(models.TextChoices):
        FACILITATOR = "facilitator", _("Facilitator")
        EDITOR = "editor", _("Editor")
        MEMBER = "member", _("Member")

    tenant = models.ForeignKey(
        CoordinationGroup, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="territories_membership_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.tenant}"


class Profile(_Named):
    """A kind of homogeneous group (young people, elected officials…); the secretariat keeps
    the list."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("group profile")
        verbose_name_plural = _("group profiles")
        ordering = ["order", "name"]


class HomogeneousGroup(models.Model):
    """Citizens who share a situation and answer the SPIRAL questions together.

    A network project's platform also pools its participants' individual answers in one
    group per kind of participant (kind "project"): counted by the syntheses like any other,
    but not a group of 8–12 people, so the homogeneous-groups feed and directory leave it out.
    """

    class Kind(models.TextChoices):
        GROUP = "group", _("Homogeneous group")
        PROJECT = "project", _("Answers of a project's participants")

    tenant = models.ForeignKey(
        CoordinationGroup,
        verbose_name=_("coordination group"),
        on_delete=models.CASCADE,
        related_name="homogeneous_groups",
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80)
    profile = models.ForeignKey(
        Profile, verbose_name=_("profile"), null=True, blank=True, on_delete=models.PROTECT
    )
    profile_other = models.CharField(_("profile (other)"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.GROUP)
    # ISO dates (YYYY-MM-DD), sorted; a group may meet several times.
    meeting_dates = models.JSONField(_("meeting dates"), default=list, blank=True)
    # None when the facilitators gave no number; never 0 (see territories/display.py).
    participants = models.PositiveIntegerField(
        _("participants"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
    )
    participants_women = models.PositiveIntegerField(_("women"), null=True, blank=True)
    participants_men = models.PositiveIntegerField(_("men"), null=True, blank=True)
    participants_other = models.PositiveIntegerField(_("other"), null=True, blank=True)
    facilitators = models.ManyToManyField(
        "accounts.User",
        verbose_name=_("facilitators"),
        blank=True,
        related_name="facilitated_groups",
    )
    language = models.CharField(_("language"), max_length=12, default="en")
    notes = models.TextField(_("notes"), blank=True)
    # The group's id in a file it was imported from (a Tiki item id, a secretariat's own key):
    # importing the file again finds the group instead of adding it twice.
    external_key = models.CharField(_("external key"), max_length=40, blank=True, default="")
    # Its own page, in the coordination group's space.
    page = models.OneToOneField(
        "wiki.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="homogeneous_group",
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("homogeneous group")
        verbose_name_plural = _("homogeneous groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="territories_hg_slug_unique"),
            models.UniqueConstraint(
                fields=["tenant", "external_key"],
                condition=~models.Q(external_key=""),
                name="territories_hg_external_key_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(participants__isnull=True) | models.Q(participants__gte=1),
                name="territories_hg_participants_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["-created_at"], name="territories_hg_created"),
            # The directory's cache version reads MAX(modified_at) of every homogeneous group.
            models.Index(fields=["modified_at"], name="territories_hg_modified"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def profile_label(self) -> str:
        if self.profile_id and self.profile_other:
            return f"{self.profile.label()} ({self.profile_other})"
        return self.profile.label() if self.profile_id else self.profile_other

    @property
    def participants_text(self) -> str:
        """A phrase: "12 participants", or that the number was not given."""
        return participants_text(self.participants)

    @property
    def participants_figure(self) -> str:
        """Under a "Participants" heading: "12", or "not given"."""
        return participants_figure(self.participants)


class Invitation(models.Model):
    """An emailed, single-use, expiring offer of a role in a coordination group. Only a hash of
    the token is stored: a leaked database does not leak usable links."""

    tenant = models.ForeignKey(
        CoordinationGroup, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=12, choices=Membership.Role.choices)
    language = models.CharField(_("language"), max_length=12, default="en")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.tenant}"


class Application(models.Model):
    """A territory's or an actor's request to open a coordination group, until the secretariat
    decides. Approving links the group it created, once (one-to-one), so approving twice can
    never open two groups."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes", _("Changes requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    name = models.CharField(_("territory or actor name"), max_length=200)
    kind = models.CharField(
        _("type"),
        max_length=20,
        choices=CoordinationGroup.Kind.choices,
        default=CoordinationGroup.Kind.TERRITORY,
    )
    actor_type = models.CharField(_("actor type"), max_length=100, blank=True)
    country = models.ForeignKey(Country, verbose_name=_("country"), on_delete=models.PROTECT)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    locality = models.ForeignKey(
        Locality, verbose_name=_("locality"), null=True, blank=True, on_delete=models.PROTECT
    )
    place = models.CharField(_("place (details)"), max_length=200, blank=True)
    applicant_name = models.CharField(_("your name"), max_length=150)
    applicant_role = models.CharField(_("your role"), max_length=150)
    applicant_email = models.EmailField(_("your email"))
    applicant_language = models.CharField(_("your language"), max_length=12, default="en")
    applicant = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.TextField(_("description"))
    stakeholders = models.TextField(_("stakeholders already involved"), blank=True)
    motivation = models.TextField(_("motivation"))
    languages = models.JSONField(_("languages"), default=list, blank=True)
    consent_to_publish = models.BooleanField(_("consent to publish"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    # The applicant's edit link carries this key; a new key is drawn at each request for
    # changes, so an old link stops working once the application moved on.
    edit_key = models.CharField(max_length=64, unique=True)
    coordination_group = models.OneToOneField(
        CoordinationGroup,
        verbose_name=_("coordination group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="application",
    )
    decision_message = models.TextField(_("message to the applicant"), blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["status", "-submitted_at"], name="territories_app_queue")]

    def __str__(self) -> str:
        return self.name


class ApplicationComment(models.Model):
    """An internal note of the secretariat on an application (never shown to the applicant)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="comments")
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


class NetworkMember(models.Model):
    """A member of the TOGETHER network, as listed in the member directory."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full member")
        EX_OFFICIO = "ex_officio", _("Ex officio member")
        ASSOCIATE = "associate", _("Associate member")

    class Nature(models.TextChoices):
        COORDINATION_GROUP = "coordination_group", _("Coordination group")
        PUBLIC_AUTHORITY = "public_authority", _("Public authority")
        ORGANISATION = "organisation", _("Organisation")
        PERSON = "person", _("Person")

    kind = models.CharField(_("membership"), max_length=12, choices=Kind.choices)
    nature = models.CharField(_("nature"), max_length=20, choices=Nature.choices)
    name = models.CharField(_("name"), max_length=200)
    coordination_group = models.OneToOneField(
        CoordinationGroup,
        verbose_name=_("coordination group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="network_member",
    )
    country = models.ForeignKey(
        Country, verbose_name=_("country"), null=True, blank=True, on_delete=models.PROTECT
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    joined_on = models.DateField(_("member since"))
    is_listed = models.BooleanField(_("listed in the directory"), default=True)

    class Meta:
        verbose_name = _("network member")
        verbose_name_plural = _("network members")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
