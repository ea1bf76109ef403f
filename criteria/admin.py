"""The criteria in Django's admin, for network staff to look things up.

The grid is versioned reference data: versions are made by the secretariat's import page, with
the mapping that moves criteria, so the admin only shows them. Criteria are the citizens'
words: the admin never edits their text, and changes of classification go through the
classification pages, which keep the history.
"""

from django.contrib import admin
from django.http import HttpRequest

from criteria.models import (
    Component,
    Criterion,
    Family,
    GridMapping,
    GridVersion,
    Question,
    SenseCategory,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """View only: no add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(GridVersion)
class GridVersionAdmin(ReadOnlyAdmin):
    list_display = ("number", "name", "is_current", "created_at", "source_filename")
    list_filter = ("is_current",)
    search_fields = ("name", "notes")


@admin.register(Family)
class FamilyAdmin(ReadOnlyAdmin):
    list_display = ("letter", "__str__", "version", "order")
    list_filter = ("version",)
    list_select_related = ("version",)


@admin.register(Component)
class ComponentAdmin(ReadOnlyAdmin):
    list_display = ("code", "__str__", "family", "version", "status", "is_active", "order")
    list_filter = ("version", "status", "is_active", "family__letter")
    list_select_related = ("version", "family")
    search_fields = ("code", "names", "descriptions")


@admin.register(GridMapping)
class GridMappingAdmin(ReadOnlyAdmin):
    list_display = ("from_component", "to_component")
    list_filter = ("to_component__version",)
    list_select_related = ("from_component", "to_component")


@admin.register(SenseCategory)
class SenseCategoryAdmin(ReadOnlyAdmin):
    list_display = ("code", "__str__", "order")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """Texts and order may be corrected here; codes and owners stay (criteria refer to them,
    and a group manages its own questions on its questions page)."""

    list_display = ("code", "__str__", "tenant", "order", "is_active")
    list_filter = ("is_active", ("tenant", admin.EmptyFieldListFilter))
    list_select_related = ("tenant",)
    search_fields = ("code", "texts")
    readonly_fields = ("tenant", "code", "created_at")
    fields = ("tenant", "code", "texts", "short_names", "order", "is_active", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "tenant", "group", "question", "status", "component", "language")
    list_filter = ("status", "language", "question", "component__version", "tenant")
    list_select_related = ("tenant", "group", "question", "component")
    search_fields = ("text", "full_code")
    date_hierarchy = "session_date"
    show_full_result_count = False
    raw_id_fields = ("tenant", "group", "component", "import_batch")
