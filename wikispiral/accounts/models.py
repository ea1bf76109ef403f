from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from wikispiral.accounts.zones import validate_time_zone


class User(AbstractUser):
    """A person with an account.

    Network-wide roles live here (secretariat, admin through is_superuser); roles inside a
    coordination group live on its membership rows (territories app), so one person can
    facilitate several groups.
    """

    email = models.EmailField(_("email address"))
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )
    # An IANA zone ("Europe/Paris", "Atlantic/Cape_Verde"): dates and times are shown in it.
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone]
    )
    is_secretariat = models.BooleanField(
        _("network secretariat"),
        default=False,
        help_text=_("Staff of the TOGETHER network: approves platforms, edits protected pages."),
    )
    email_confirmed_at = models.DateTimeField(_("email confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_unique_ci",
                violation_error_message=_("An account with this email address already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args: object, **kwargs: object) -> None:
        super().save(*args, **kwargs)
        # Not a workflow, cache hygiene: the authentication backend serves users from the cache
        # (accounts.backends). Dropped now and after commit, so no reader keeps an old copy.
        from django.core.cache import cache
        from django.db import transaction

        from wikispiral.accounts.backends import user_cache_key

        cache.delete(user_cache_key(self.pk))
        transaction.on_commit(lambda: cache.delete(user_cache_key(self.pk)))

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    @property
    def is_network_staff(self) -> bool:
        """Secretariat or admin: the people who may act on every space of the network."""
        return self.is_active and (self.is_secretariat or self.is_superuser)
