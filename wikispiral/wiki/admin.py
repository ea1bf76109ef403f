from django.contrib import admin

from wikispiral.wiki import caching
from wikispiral.wiki.models import Attachment, Page, PageRedirect, Revision, Space


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "is_public", "created_at"]
    list_filter = ["kind", "is_public"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # Cached pages carry their space (public or not): make every copy stale.
        caching.invalidate(structure=True)


class RevisionInline(admin.TabularInline):
    model = Revision
    fk_name = "page"
    readonly_fields = ("number", "kind", "title", "author", "created_at", "comment", "size_delta")
    fields = readonly_fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    """Pages are written through the wiki so that every change is a revision; admin only reads."""

    list_display = [
        "title",
        "space",
        "language",
        "slug",
        "is_protected",
        "is_deleted",
        "updated_at",
    ]
    list_filter = ["space", "language", "is_protected", "is_deleted"]
    search_fields = ["title", "slug"]
    readonly_fields = [f.name for f in Page._meta.fields]
    inlines = [RevisionInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Append-only: revisions are never edited or removed here."""

    list_display = ["page", "number", "kind", "author", "created_at", "size_delta"]
    list_filter = ["kind"]
    search_fields = ["page__title", "comment", "author__username"]
    readonly_fields = [f.name for f in Revision._meta.fields]
    list_select_related = ["page", "author"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PageRedirect)
class PageRedirectAdmin(admin.ModelAdmin):
    list_display = ["slug", "language", "space", "target", "created_at"]
    list_filter = ["space", "language"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "space", "content_type", "size", "uploaded_by", "created_at"]
    list_filter = ["space", "content_type"]
    search_fields = ["name"]
    readonly_fields = ["sha256", "size", "content_type"]
