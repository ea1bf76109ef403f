"""The secretariat's network-wide import of criteria: upload, preview, confirm, progress, result.

Every view is wrapped in `secretariat_required` (anonymous → log in, anyone else → 404), as the
secretariat's other pages are.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from criteria.models import TEXT_MAX_LENGTH, NetworkImportBatch
from criteria.transfer.forms import ImportForm
from criteria.transfer.imports import MAX_UPLOAD_BYTES
from criteria.transfer.network.selectors import (
    network_import_batch_list,
    network_import_batch_sample,
)
from criteria.transfer.network.services import (
    ACTIVE_STATUSES,
    criteria_network_import_enqueue,
    criteria_network_import_preview,
    criteria_network_import_retry,
    network_job_key,
)
from territories.permissions import secretariat_required
from wikispiral.errors import DomainError
from wikispiral.jobs.selectors import job_retry_note
from wikispiral.typing import AuthenticatedHttpRequest

ERRORS_PER_PAGE = 100
BATCHES_LISTED = 10
TEMPLATE_CSV = (
    "coordination_group,group,question,text,date,language,component,full_code,external_key\n"
    "GC136526,young-people,Q1,Having friends to talk to,2025-03-14,en,,,tiki-101\n"
    "braga,Elders,Q2,Living alone,2025-03-15,pt,F01,,tiki-102\n"
)


def _columns_help() -> list[tuple[str, str, bool]]:
    """(column, what it holds, required) for the upload page."""
    return [
        (
            "coordination_group",
            _("The coordination group: its short name (slug) or its network id (GC136526)."),
            True,
        ),
        (
            "group",
            _("The homogeneous group: its short name (slug) or its exact name in that group."),
            True,
        ),
        ("question", _("The question's code: Q1, Q2, Q3 or one of that group's own."), True),
        (
            "text",
            _("The criterion, at most %(max)d characters.") % {"max": TEXT_MAX_LENGTH},
            True,
        ),
        ("date", _("The session date, as YYYY-MM-DD (DD/MM/YYYY also works)."), True),
        (
            "language",
            _("The language of the text (en, fr, pt…); empty means the group's language."),
            False,
        ),
        ("component", _("A component code of the current grid (A01…): classifies the row."), False),
        ("full_code", _("A full code inside that component, such as A01-11/P15/k."), False),
        (
            "external_key",
            _(
                "The row's id in the system it comes from (a Tiki item id): a row whose key is "
                "already in its coordination group is not entered again."
            ),
            False,
        ),
    ]


def _upload_page(
    request: AuthenticatedHttpRequest, form: ImportForm, *, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "columns": _columns_help(),
        "max_megabytes": MAX_UPLOAD_BYTES // (1024 * 1024),
        "batches": network_import_batch_list(limit=BATCHES_LISTED),
    }
    return render(request, "criteria/transfer/network_import.html", context, status=status)


@secretariat_required
@never_cache
@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The upload form; POST checks the file and shows its preview (POST-redirect-GET)."""
    if request.method == "GET":
        return _upload_page(request, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = criteria_network_import_preview(
                actor=request.user, filename=upload.name, data=upload.read()
            )
        except DomainError as error:
            error.add_to(form)
        else:
            return redirect("network_import:batch", batch=batch.pk)
    return _upload_page(request, form, status=400)


@secretariat_required
@require_GET
def template(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A CSV to start from: the header and two example rows."""
    response = HttpResponse(TEMPLATE_CSV, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="criteria-network-template.csv"'
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _batch_page(
    request: AuthenticatedHttpRequest,
    batch: NetworkImportBatch,
    *,
    status: int = 200,
    problem: str = "",
) -> HttpResponse:
    running = batch.status in ACTIVE_STATUSES
    job_state = job_retry_note(key=network_job_key(batch)) if running else ""
    if request.htmx:
        response = render(
            request,
            "criteria/transfer/network_batch.html#status",
            {"batch": batch, "running": running, "job_state": job_state},
        )
        if not running:
            response["HX-Refresh"] = "true"
        patch_vary_headers(response, ["HX-Request"])
        return response
    can_import = batch.status == NetworkImportBatch.Status.PREVIEWED and not batch.error_count
    context = {
        "batch": batch,
        "running": running,
        "job_state": job_state,
        "can_retry": batch.status == NetworkImportBatch.Status.FAILED and not batch.error_count,
        "errors": Paginator(batch.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page")),
        "errors_truncated": batch.error_count > len(batch.errors),
        "can_import": can_import,
        "to_enter": batch.rows - batch.rows_existing,
        "sample": network_import_batch_sample(batch=batch) if can_import else [],
        "problem": problem,
    }
    response = render(request, "criteria/transfer/network_batch.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@secretariat_required
@never_cache
@require_GET
def batch(request: AuthenticatedHttpRequest, batch: int) -> HttpResponse:
    """A checked network file: its errors or its groups and first rows, then the progress."""
    return _batch_page(request, get_object_or_404(NetworkImportBatch, pk=batch))


@secretariat_required
@require_POST
def commit(request: AuthenticatedHttpRequest, batch: int) -> HttpResponse:
    """Queue the import of a checked network file (a second click does nothing)."""
    found = get_object_or_404(NetworkImportBatch, pk=batch)
    try:
        criteria_network_import_enqueue(batch=found)
    except DomainError as error:
        return _batch_page(request, found, status=409, problem=error.message)
    found.refresh_from_db()
    if found.status == NetworkImportBatch.Status.DONE:
        messages.success(
            request,
            ngettext(
                "%(count)d criterion was imported from %(name)s.",
                "%(count)d criteria were imported from %(name)s.",
                found.rows_done,
            )
            % {"count": found.rows_done, "name": found.filename},
        )
    return redirect("network_import:batch", batch=found.pk)


@secretariat_required
@require_POST
def retry(request: AuthenticatedHttpRequest, batch: int) -> HttpResponse:
    """Start a failed network import again from the file already on the server."""
    found = get_object_or_404(NetworkImportBatch, pk=batch)
    try:
        criteria_network_import_retry(batch=found)
    except DomainError as error:
        return _batch_page(request, found, status=409, problem=error.message)
    return redirect("network_import:batch", batch=found.pk)
