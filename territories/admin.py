from django.contrib import admin

from territories.models import Continent, Country, Locality, Region


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
