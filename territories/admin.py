from django.contrib import admin

from territories.models import (
    Application,
    ApplicationComment,
    Continent,
    CoordinationGroup,
    Country,
    HomogeneousGroup,
    Invitation,
    Locality,
    Membership,
    NetworkMember,
    Profile,
    Region,
)
from wikispiral.wiki import caching


@admin.register(Continent)
class ContinentAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "continent"]
    list_filter = ["continent"]
    search_fields = ["code", "name"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "country"]
    list_filter = ["country"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Locality)
class LocalityAdmin(admin.ModelAdmin):
    list_display = ["name", "region"]
    list_filter = ["region__country"]
    search_fields = ["name"]
    list_select_related = ["region", "region__country"]
    prepopulated_fields = {"slug": ["name"]}


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(CoordinationGroup)
class CoordinationGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "network_id", "kind", "country", "status", "modified_at"]
    list_filter = ["kind", "status", "country__continent", "country"]
    search_fields = ["name", "network_id", "slug"]
    readonly_fields = ["space", "created_at", "modified_at"]
    list_select_related = ["country"]
    inlines = [MembershipInline]

    def has_add_permission(self, request) -> bool:
        # Groups are opened by approving an application (territories.services), which also
        # creates their wiki space and home page.
        return False

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # Roles may have changed: retire cached page copies built with the old ones.
        caching.invalidate(space_slug=form.instance.space.slug)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order", "is_active"]
    list_editable = ["order", "is_active"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(HomogeneousGroup)
class HomogeneousGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "profile", "participants", "language", "created_at"]
    list_filter = ["profile", "language"]
    search_fields = ["name", "tenant__name"]
    list_select_related = ["tenant", "profile"]
    raw_id_fields = ["tenant", "page", "created_by"]
    autocomplete_fields = ["facilitators"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "tenant", "role", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["tenant"]
    search_fields = ["email", "tenant__name"]
    exclude = ["token_hash"]
    readonly_fields = ["accepted_at", "accepted_by", "revoked_at", "invited_by"]

    def has_add_permission(self, request) -> bool:
        # Only the service mails the link (and knows the token).
        return False


class ApplicationCommentInline(admin.TabularInline):
    model = ApplicationComment
    extra = 0
    readonly_fields = ["author", "created_at"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "kind", "status", "submitted_at"]
    list_filter = ["status", "kind", "country"]
    search_fields = ["name", "applicant_name", "applicant_email"]
    list_select_related = ["country"]
    exclude = ["edit_key"]
    readonly_fields = ["status", "coordination_group", "decided_by", "decided_at"]
    inlines = [ApplicationCommentInline]


@admin.register(NetworkMember)
class NetworkMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "nature", "country", "joined_on", "is_listed"]
    list_filter = ["kind", "nature", "is_listed"]
    search_fields = ["name"]
    raw_id_fields = ["coordination_group"]
