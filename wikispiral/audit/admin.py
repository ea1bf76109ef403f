from django.contrib import admin

from wikispiral.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_label"]
    list_filter = ["action"]
    search_fields = ["action", "target_label", "target_id"]
    date_hierarchy = "created_at"

    # The log is append-only, even for administrators.
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
