"""Importing criteria into a coordination group, and exporting them.

Import pages are for the group's facilitators and editors (404 to anyone else). Exports are
public for groups that are not hidden: criteria are published data, and exports never carry who
entered or classified them. Country and network exports read across groups and leave hidden
ones out.
"""

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from criteria.models import TEXT_MAX_LENGTH, ImportBatch
from criteria.permissions import CRITERIA_ROLES, can_enter_criteria
from criteria.selectors import component_list, question_list
from criteria.transfer import exports
from criteria.transfer.forms import ImportForm, YearForm
from criteria.transfer.imports import MAX_UPLOAD_BYTES
from criteria.transfer.selectors import (
    criteria_export_rows,
    export_groups,
    export_rows,
    export_years,
    import_batch_list,
    import_batch_sample,
)
from criteria.transfer.services import (
    ACTIVE_STATUSES,
    criteria_import_enqueue,
    criteria_import_preview,
    criteria_import_retry,
    import_job_key,
)
from territories.models import Country, HomogeneousGroup
from wikispiral.errors import DomainError
from wikispiral.jobs.selectors import job_retry_note
from wikispiral.tenancy import (
    MemberHttpRequest,
    TenantHttpRequest,
    get_for_tenant_or_404,
    tenant_required,
)

EXPORT_MAX_AGE = 300
ERRORS_PER_PAGE = 100
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# --- Import -------------------------------------------------------------------------------------


def _columns_help() -> list[tuple[str, str, bool]]:
    """(column, what it holds, required) for the upload page."""
    return [
        (
            "group",
            _("The homogeneous group: its short name (slug) or its exact name in this group."),
            True,
        ),
        ("question", _("The question's code: Q1, Q2, Q3 or one of this group's own."), True),
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
        (
            "full_code",
            _("A full code inside that component, such as A01-11/P15/k."),
            False,
        ),
    ]


def _import_page(
    request: MemberHttpRequest, form: ImportForm, *, status: int = 200, problem: str = ""
) -> HttpResponse:
    context = {
        "group": request.tenant,
        "form": form,
        "problem": problem,
        "columns": _columns_help(),
        "french_headers": "groupe, question, texte, date, langue, composante, code_complet",
        "max_megabytes": MAX_UPLOAD_BYTES // (1024 * 1024),
        "batches": import_batch_list(tenant=request.tenant),
    }
    return render(request, "criteria/transfer/import.html", context, status=status)


@never_cache
@tenant_required(*CRITERIA_ROLES)
@require_http_methods(["GET", "POST"])
def import_upload(request: MemberHttpRequest, cg: str) -> HttpResponse:
    """The upload form; POST checks the file and shows its preview (POST-redirect-GET)."""
    if request.method == "GET":
        return _import_page(request, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = criteria_import_preview(
                tenant=request.tenant,
                actor=request.user,
                filename=upload.name,
                data=upload.read(),
            )
        except DomainError as error:
            error.add_to(form)
        else:
            return redirect("transfer:import_batch", cg=cg, batch=batch.pk)
    return _import_page(request, form, status=400)


@tenant_required(*CRITERIA_ROLES)
@require_GET
def import_template(request: MemberHttpRequest, cg: str, fmt: str) -> HttpResponseBase:
    """The template to fill: a header and two example rows (the XLSX adds a reference sheet)."""
    groups = list(export_groups(tenant=request.tenant))
    filename = f"criteria-template-{request.tenant.slug}.{fmt}"
    if fmt == "csv":
        response: HttpResponseBase = HttpResponse(
            "".join(exports.import_template_csv(tenant=request.tenant, groups=groups)),
            content_type=CONTENT_TYPES["csv"],
        )
    else:
        file = exports.import_template_xlsx(
            tenant=request.tenant,
            groups=groups,
            questions=question_list(tenant=request.tenant),
            components=component_list(),
        )
        response = FileResponse(file, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _batch_page(
    request: MemberHttpRequest, batch: ImportBatch, *, status: int = 200, problem: str = ""
) -> HttpResponse:
    running = batch.status in ACTIVE_STATUSES
    job_state = job_retry_note(key=import_job_key(batch)) if running else ""
    if request.htmx:
        response = render(
            request,
            "criteria/transfer/batch.html#status",
            {"group": request.tenant, "batch": batch, "running": running, "job_state": job_state},
        )
        if not running:
            # The outcome changes the whole page (errors, sample, links): load it again.
            response["HX-Refresh"] = "true"
        patch_vary_headers(response, ["HX-Request"])
        return response
    errors = Paginator(batch.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    can_import = batch.status == ImportBatch.Status.PREVIEWED and not batch.error_count
    context = {
        "group": request.tenant,
        "batch": batch,
        "running": running,
        "job_state": job_state,
        "can_retry": batch.status == ImportBatch.Status.FAILED and not batch.error_count,
        "errors": errors,
        "errors_truncated": batch.error_count > len(batch.errors),
        "can_import": can_import,
        "sample": import_batch_sample(tenant=request.tenant, batch=batch) if can_import else [],
        "problem": problem,
    }
    response = render(request, "criteria/transfer/batch.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@never_cache
@tenant_required(*CRITERIA_ROLES)
@require_GET
def import_batch(request: MemberHttpRequest, cg: str, batch: int) -> HttpResponse:
    """A checked file: its errors or a sample of its rows, and the import's progress."""
    return _batch_page(request, get_for_tenant_or_404(ImportBatch, request.tenant, pk=batch))


@tenant_required(*CRITERIA_ROLES)
@require_POST
def import_commit(request: MemberHttpRequest, cg: str, batch: int) -> HttpResponse:
    """Queue the import of a checked file (a second click does nothing)."""
    found = get_for_tenant_or_404(ImportBatch, request.tenant, pk=batch)
    try:
        criteria_import_enqueue(tenant=request.tenant, batch=found)
    except DomainError as error:
        return _batch_page(request, found, status=409, problem=error.message)
    found.refresh_from_db()
    if found.status == ImportBatch.Status.DONE:
        messages.success(
            request,
            ngettext(
                "%(count)d criterion was imported from %(name)s.",
                "%(count)d criteria were imported from %(name)s.",
                found.rows_done,
            )
            % {"count": found.rows_done, "name": found.filename},
        )
    return redirect("transfer:import_batch", cg=cg, batch=found.pk)


@tenant_required(*CRITERIA_ROLES)
@require_POST
def import_retry(request: MemberHttpRequest, cg: str, batch: int) -> HttpResponse:
    """Start a failed import again from the file already on the server."""
    found = get_for_tenant_or_404(ImportBatch, request.tenant, pk=batch)
    try:
        criteria_import_retry(tenant=request.tenant, batch=found)
    except DomainError as error:
        return _batch_page(request, found, status=409, problem=error.message)
    return redirect("transfer:import_batch", cg=cg, batch=found.pk)


# --- Export -------------------------------------------------------------------------------------


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("year", "").strip()
    if not raw:
        return None
    if not raw.isdecimal() or len(raw) > 4 or not 1900 <= int(raw) <= 2100:
        raise BadRequest(_("The year must be written with four digits, e.g. 2024."))
    return int(raw)


def _export_response(
    rows_queryset: QuerySet,
    *,
    fmt: str,
    name: str,
    year: int | None,
    public: bool,
    across_groups: bool = False,
) -> HttpResponseBase:
    stamp = timezone.localdate().isoformat()
    filename = f"criteria-{name}{f'-{year}' if year else ''}-{stamp}.{fmt}"
    response: HttpResponseBase
    if fmt == "csv":
        rows = export_rows(rows_queryset)
        response = StreamingHttpResponse(exports.csv_chunks(rows), content_type=CONTENT_TYPES[fmt])
    elif fmt == "json":
        rows = export_rows(rows_queryset)
        response = StreamingHttpResponse(exports.json_chunks(rows), content_type=CONTENT_TYPES[fmt])
    elif across_groups:
        language = translation.get_language() or "en"
        path = exports.xlsx_across_groups(
            name=f"{name}-{year or 'all'}-{language}", rows_queryset=rows_queryset
        )
        response = FileResponse(path.open("rb"), content_type=CONTENT_TYPES[fmt])
    else:
        rows = export_rows(rows_queryset)
        response = FileResponse(exports.xlsx_file(rows), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    if public:
        patch_cache_control(response, public=True, max_age=EXPORT_MAX_AGE)
    else:
        # A hidden group's members may export it: no shared cache may keep a copy.
        patch_cache_control(response, private=True, no_store=True)
    # Labels follow the reader's language (header or cookie).
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


@tenant_required(public=True)
@require_GET
def export_page(request: TenantHttpRequest, cg: str) -> HttpResponse:
    """The download links of a coordination group's criteria, with a year filter."""
    form = YearForm(request.GET or None, years=export_years(tenant=request.tenant))
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else None
    context = {
        "group": request.tenant,
        "form": form,
        "year": year,
        "groups": export_groups(tenant=request.tenant),
        "formats": ["csv", "xlsx", "json"],
        "can_import": can_enter_criteria(request.user, request.tenant),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "criteria/transfer/export.html", context, status=status)


@tenant_required(public=True)
@require_GET
def export_cg(request: TenantHttpRequest, cg: str, fmt: str) -> HttpResponseBase:
    year = _year(request)
    rows = criteria_export_rows(tenant=request.tenant, year=year)
    return _export_response(
        rows, fmt=fmt, name=request.tenant.slug, year=year, public=not request.tenant.is_hidden
    )


@tenant_required(public=True)
@require_GET
def export_hg(request: TenantHttpRequest, cg: str, hg: str, fmt: str) -> HttpResponseBase:
    year = _year(request)
    group = get_for_tenant_or_404(HomogeneousGroup, request.tenant, slug=hg)
    rows = criteria_export_rows(tenant=request.tenant, group=group, year=year)
    return _export_response(
        rows,
        fmt=fmt,
        name=f"{request.tenant.slug}-{group.slug}",
        year=year,
        public=not request.tenant.is_hidden,
    )


@require_GET
def export_country(request: HttpRequest, country: str, fmt: str) -> HttpResponseBase:
    year = _year(request)
    found = Country.objects.filter(code=country.upper()).first()
    if found is None:
        raise Http404(_("No such country."))
    rows = criteria_export_rows(country=found, year=year)
    return _export_response(
        rows, fmt=fmt, name=found.code, year=year, public=True, across_groups=True
    )


@require_GET
def export_network(request: HttpRequest, fmt: str) -> HttpResponseBase:
    year = _year(request)
    rows = criteria_export_rows(year=year)
    return _export_response(
        rows, fmt=fmt, name="network", year=year, public=True, across_groups=True
    )


@require_GET
def open_data(request: HttpRequest) -> HttpResponseBase:
    """The network's open-data archive, built once per data version and served from its file."""
    path, version = exports.open_data_archive()
    etag = f'"{version}"'
    response: HttpResponseBase | None = get_conditional_response(request, etag=etag)
    if response is None:
        filename = f"wikispiral-criteria-open-data-{timezone.localdate().isoformat()}.zip"
        response = FileResponse(
            path.open("rb"), as_attachment=True, filename=filename, content_type="application/zip"
        )
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=EXPORT_MAX_AGE)
    return response
