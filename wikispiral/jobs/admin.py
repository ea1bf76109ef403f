from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wikispiral.errors import DomainError
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import job_retry


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Operators see every job and start failed ones again; rows are written by the engine."""

    list_display = ["created_at", "kind", "key", "state", "attempts", "interruptions", "message"]
    # Arguments may hold secrets (a mail's links): operators see what ran, not what it carried.
    exclude = ["args", "token"]
    list_filter = ["state", "kind"]
    search_fields = ["key", "message"]
    date_hierarchy = "created_at"
    actions = ["retry"]

    @admin.action(description=_("Start the selected failed jobs again"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        for job in queryset.filter(state=Job.State.FAILED):
            try:
                job_retry(job=job, actor=request.user)
            except DomainError as error:
                self.message_user(request, f"{job}: {error.message}", messages.WARNING)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
