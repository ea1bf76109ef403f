"""Territories: the geography of the network (continent → country → region → locality).

Coordination groups, homogeneous groups and applications arrive in later increments of the
territories issue; they will point into this tree.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


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

    def __str__(self) -> str:
        return self.name


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

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="territories_membership_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.tenant}"
