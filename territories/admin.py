from django.contrib import admin

from territories.models import (
    Continent,
    CoordinationGroup,
    Country,
    Locality,
    Membership,
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
