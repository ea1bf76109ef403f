from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wikispiral.accounts.models import User


class EmailConfirmedFilter(admin.SimpleListFilter):
    title = _("email confirmed")
    parameter_name = "email_confirmed"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() == "yes":
            return queryset.filter(email_confirmed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(email_confirmed_at__isnull=True)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    # Django's UserAdmin builds its forms with modelform_factory(self.model), so its stock
    # creation and change forms work unchanged on this AbstractUser subclass.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Personal info"),
            {"fields": ("display_name", "first_name", "last_name", "email", "preferred_language")},
        ),
        (_("Email confirmation"), {"fields": ("email_confirmed_at",)}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_secretariat",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "email",
                    "display_name",
                    "preferred_language",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = (
        "username",
        "email",
        "display_name",
        "email_confirmed",
        "is_secretariat",
        "is_staff",
        "is_active",
    )
    list_filter = (
        "is_secretariat",
        "is_staff",
        "is_superuser",
        "is_active",
        EmailConfirmedFilter,
        "preferred_language",
    )
    search_fields = ("username", "email", "display_name", "first_name", "last_name")
    ordering = ("username",)

    @admin.display(boolean=True, description=_("email confirmed"), ordering="email_confirmed_at")
    def email_confirmed(self, obj: User) -> bool:
        return obj.email_confirmed_at is not None
