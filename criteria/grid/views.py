"""The grid: its public pages, the secretariat's versions and imports, and each coordination
group's own questions.

The grid pages are public reference data (no group's data on them) and cacheable for
anonymous readers. The secretariat pages answer 404 to anyone but network staff (anonymous
visitors are sent to log in); the question pages 404 to anyone but the group's facilitators.
Bad input answers 400 with the errors, never a 500, and saves nothing.
"""

import secrets
import time

from django.contrib import messages
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from criteria.grid import imports, selectors, services
from criteria.grid.forms import GridUploadForm, QuestionForm
from criteria.grid.imports import GridRow
from criteria.models import Component, GridVersion, Question
from criteria.selectors import sense_list
from territories.models import Membership
from territories.permissions import secretariat_required
from wikispiral.errors import DomainError
from wikispiral.tenancy import MemberHttpRequest, get_for_tenant_or_404, tenant_required
from wikispiral.typing import AuthenticatedHttpRequest

FACILITATOR = Membership.Role.FACILITATOR
# Anonymous readers (and caches between them and us) may keep a grid page this long: a new
# version appears a few times in a decade.
GRID_MAX_AGE = 10 * 60
PENDING_KEY = "criteria.grid.import"
PENDING_SECONDS = 60 * 60


# --- The public grid ---------------------------------------------------------------------------


def _grid_page(request: HttpRequest, number: int | None) -> HttpResponse:
    versions = list(GridVersion.objects.order_by("-number"))
    current = next((v for v in versions if v.is_current), None)
    wanted = [v for v in versions if v.number == number] if number is not None else [current]
    shown = wanted[0] if wanted else None
    if shown is None:
        raise Http404(_("No such grid version."))
    families = selectors.grid_families(version=shown)
    senses = list(sense_list())
    components = [c for f in families for c in f.component_list]
    context = {
        "version": shown,
        "current": current,
        "versions": versions,
        "families": families,
        "senses": senses,
        "component_count": len(components),
        "has_provisional": any(c.label_is_provisional() for c in components),
        # Names and descriptions in the reader's language that are our own translation.
        "has_provisional_translation": any(
            item.name_is_provisional() or item.description_is_provisional()
            for item in [*families, *senses]
        )
        or any(c.description_is_provisional() for c in components),
    }
    response = render(request, "criteria/grid/grid.html", context)
    # Public, shared caching only for a page that cannot hold anyone's name or messages.
    if request.user.is_authenticated or "messages" in request.COOKIES:
        patch_cache_control(response, private=True)
    else:
        patch_cache_control(response, public=True, max_age=GRID_MAX_AGE)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@require_GET
def grid(request: HttpRequest) -> HttpResponse:
    """The current grid: families, components, senses, the full code and the determination
    key."""
    return _grid_page(request, None)


@require_GET
def version(request: HttpRequest, version: int) -> HttpResponse:
    """Any version of the grid, with a note when it is not the current one."""
    return _grid_page(request, version)


# --- The secretariat: versions and imports -----------------------------------------------------


@secretariat_required
@never_cache
@require_GET
def versions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every version, which is current, and how many components and criteria each holds."""
    context = {"versions": selectors.grid_version_list(), "section": "grid"}
    return render(request, "criteria/grid/versions.html", context)


@secretariat_required
@require_GET
def template(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The current grid in the import format."""
    current = selectors.grid_version_get_or_404()
    response = HttpResponse(
        selectors.grid_template_csv(version=current), content_type="text/csv; charset=utf-8"
    )
    filename = f"grid-v{current.number}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _import_page(
    request: HttpRequest, form: GridUploadForm, errors: list | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "errors": errors or [],
        "required_columns": imports.REQUIRED_COLUMNS,
        "optional_columns": imports.OPTIONAL_COLUMNS,
        "statuses": Component.Status.choices,
        "section": "grid",
    }
    return render(request, "criteria/grid/import.html", context, status=status)


@secretariat_required
@never_cache
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a grid file; with no error in its rows, keep it for the preview (in the
    session, private to this person) and go there."""
    if request.method == "GET":
        next_number = (GridVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1
        initial = {"name": _("Grid version %(number)d") % {"number": next_number}}
        return _import_page(request, GridUploadForm(initial=initial))
    form = GridUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    rows, errors = imports.grid_file_read(data=upload.read(), filename=upload.name)
    if errors:
        return _import_page(request, form, errors=errors, status=400)
    token = secrets.token_urlsafe(18)
    request.session[PENDING_KEY] = {
        "token": token,
        "at": time.time(),
        "current": GridVersion.objects.get(is_current=True).number,
        "name": form.cleaned_data["name"],
        "notes": form.cleaned_data["notes"],
        "filename": upload.name,
        "rows": [row.as_dict() for row in rows],
    }
    return redirect("grid:import_preview", token=token)


def _pending(request: HttpRequest, token: str) -> dict | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or not constant_time_compare(pending["token"], token):
        return None
    if time.time() - pending["at"] > PENDING_SECONDS:
        return None
    return pending


@secretariat_required
@never_cache
@require_http_methods(["GET", "POST"])
def import_preview(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """What the uploaded grid would add, remove, relabel and move; POST imports it."""
    pending = _pending(request, token)
    if pending is None:
        messages.warning(
            request, _("This preview is no longer available: upload the grid file again.")
        )
        return redirect("grid:import")
    rows = [GridRow.from_dict(row) for row in pending["rows"]]
    preview = imports.grid_import_preview(rows=rows)
    problem = ""
    status = 200
    version_changed = preview.current.number != pending["current"]
    if version_changed:
        problem = _(
            "The current grid changed since this file was checked: upload it again to see "
            "what it would change now."
        )
        status = 409
    elif request.method == "POST":
        if preview.errors:
            problem = _("Nothing was imported: correct the errors below first.")
            status = 400
        else:
            try:
                created = services.grid_version_import(
                    actor=request.user,
                    rows=rows,
                    mapping=preview.mapping,
                    name=pending["name"],
                    notes=pending["notes"],
                    source_filename=pending["filename"],
                )
            except DomainError as error:
                problem = error.message
                status = 400
            else:
                del request.session[PENDING_KEY]
                messages.success(
                    request,
                    ngettext(
                        "Grid version %(number)d is now the current grid; %(moved)d criterion "
                        "moved to it.",
                        "Grid version %(number)d is now the current grid; %(moved)d criteria "
                        "moved to it.",
                        preview.criteria_moved,
                    )
                    % {"number": created.number, "moved": preview.criteria_moved},
                )
                return redirect("grid:versions")
    context = {
        "preview": preview,
        "pending": pending,
        "token": token,
        "problem": problem,
        "can_import": not preview.errors and not version_changed,
        "section": "grid",
        "action": reverse("grid:import_preview", kwargs={"token": token}),
    }
    return render(request, "criteria/grid/import_preview.html", context, status=status)


# --- A group's own questions -------------------------------------------------------------------


def _questions_page(
    request: MemberHttpRequest, form: QuestionForm | None = None, status: int = 200
) -> HttpResponse:
    network, own = selectors.question_list_for_group(tenant=request.tenant)
    context = {
        "group": request.tenant,
        "network_questions": network,
        "own_questions": own,
        "form": form or QuestionForm(),
        "tab": "questions",
    }
    return render(request, "criteria/grid/questions.html", context, status=status)


@never_cache
@tenant_required(FACILITATOR)
@require_http_methods(["GET", "POST"])
def questions(request: MemberHttpRequest, cg: str) -> HttpResponse:
    """The network's questions and the group's own; POST adds one of the group's."""
    if request.method == "GET":
        return _questions_page(request)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            question = services.question_create(
                tenant=request.tenant, actor=request.user, **form.service_fields()
            )
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(
                request, _("The question %(code)s is added.") % {"code": question.code}
            )
            return redirect("grid:questions", cg=cg)
    return _questions_page(request, form, status=400)


@never_cache
@tenant_required(FACILITATOR)
@require_http_methods(["GET", "POST"])
def question_edit(request: MemberHttpRequest, cg: str, question: int) -> HttpResponse:
    found = get_for_tenant_or_404(Question, request.tenant, pk=question)
    status = 200
    if request.method == "POST":
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                services.question_update(
                    tenant=request.tenant,
                    question=found,
                    actor=request.user,
                    **form.service_fields(),
                )
            except DomainError as error:
                error.add_to(form)
            else:
                messages.success(
                    request, _("The question %(code)s is saved.") % {"code": found.code}
                )
                return redirect("grid:questions", cg=cg)
        status = 400
    else:
        form = QuestionForm(initial=QuestionForm.initial_for(found))
    context = {
        "group": request.tenant,
        "question": found,
        "form": form,
        "tab": "questions",
        "criteria_count": services.question_criteria_count(tenant=request.tenant, question=found),
    }
    return render(request, "criteria/grid/question_edit.html", context, status=status)


@tenant_required(FACILITATOR)
@require_POST
def question_deactivate(request: MemberHttpRequest, cg: str, question: int) -> HttpResponse:
    found = get_for_tenant_or_404(Question, request.tenant, pk=question)
    services.question_deactivate(tenant=request.tenant, question=found, actor=request.user)
    messages.success(
        request,
        _("The question %(code)s is no longer offered; its criteria stay.") % {"code": found.code},
    )
    return redirect("grid:questions", cg=cg)


@tenant_required(FACILITATOR)
@require_POST
def question_reactivate(request: MemberHttpRequest, cg: str, question: int) -> HttpResponse:
    found = get_for_tenant_or_404(Question, request.tenant, pk=question)
    services.question_reactivate(tenant=request.tenant, question=found, actor=request.user)
    messages.success(request, _("The question %(code)s is offered again.") % {"code": found.code})
    return redirect("grid:questions", cg=cg)


@tenant_required(FACILITATOR)
@require_POST
def question_delete(request: MemberHttpRequest, cg: str, question: int) -> HttpResponse:
    found = get_for_tenant_or_404(Question, request.tenant, pk=question)
    try:
        services.question_delete(tenant=request.tenant, question=found, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return _questions_page(request, status=409)
    messages.success(request, _("The question %(code)s is deleted.") % {"code": found.code})
    return redirect("grid:questions", cg=cg)
