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
