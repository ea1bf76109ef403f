"""The secretariat's move-in pages: start a run (a dry run first), follow it, read and download
its report. Every view is behind `secretariat_required` (anonymous: log in; anyone else: 404)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from territories.permissions import secretariat_required
from wikispiral.errors import DomainError
from wikispiral.jobs.selectors import job_latest, job_retry_note
from wikispiral.movein.forms import MoveInForm, max_bytes
from wikispiral.movein.models import MoveIn
from wikispiral.movein.report import LEVELS, Report, counts_table, report_csv, report_load
from wikispiral.movein.run import PHASES, movein_percent
from wikispiral.movein.services import movein_again, movein_job_key, movein_retry, movein_start
from wikispiral.movein.storage import report_path
from wikispiral.typing import AuthenticatedHttpRequest

LINES_PER_PAGE = 100
RUNS_LISTED = 10


def _start_page(
    request: AuthenticatedHttpRequest, form: MoveInForm, *, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "runs": MoveIn.objects.select_related("created_by")[:RUNS_LISTED],
        "max_megabytes": max_bytes() // (1024 * 1024),
    }
    return render(request, "movein/start.html", context, status=status)


@secretariat_required
@never_cache
@require_http_methods(["GET", "POST"])
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The form (and the latest runs); POST keeps the files and queues the run."""
    if request.method == "GET":
        return _start_page(request, MoveInForm())
    form = MoveInForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            move = movein_start(
                actor=request.user, uploads=form.uploads(), dry_run=form.cleaned_data["dry_run"]
            )
        except DomainError as error:
            error.add_to(form)
        else:
            return redirect("movein:detail", move=move.pk)
    return _start_page(request, form, status=400)


def _percent(move: MoveIn) -> int:
    if move.phase:
        return movein_percent(move)
    job = job_latest(key=movein_job_key(move))
    return int(job.progress) if job is not None and job.progress else 0


@secretariat_required
@never_cache
@require_GET
def detail(request: AuthenticatedHttpRequest, move: int) -> HttpResponse:
    """A run: its progress while it runs (the status part is refreshed by htmx, or by the
    page itself without JavaScript), then its report."""
    found = get_object_or_404(MoveIn.objects.select_related("created_by"), pk=move)
    running = found.active
    status = {
        "move": found,
        "running": running,
        "percent": _percent(found) if running else 100,
        "phase": PHASES.get(found.phase, ""),
        "job_state": job_retry_note(key=movein_job_key(found)) if running else "",
    }
    if request.htmx:
        response = render(request, "movein/detail.html#status", status)
        if not running:
            response["HX-Refresh"] = "true"
        patch_vary_headers(response, ["HX-Request"])
        return response
    report = None if running else report_load(report_path(found))
    level = request.GET.get("level", "")
    lines = []
    if report is not None:
        lines = [line for line in report.lines if not level or line.level == level]
    context = {
        **status,
        "report": report,
        "counts": counts_table(report.counts if report else found.counts),
        "levels": [
            (key, label, report.level_count(key) if report else 0) for key, label in LEVELS.items()
        ],
        "level": level if level in LEVELS else "",
        "lines": Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page")),
        "can_import": found.dry_run and found.status == MoveIn.Status.DONE,
        "can_retry": found.status == MoveIn.Status.FAILED and found.origin == MoveIn.Origin.PAGE,
    }
    response = render(request, "movein/detail.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@secretariat_required
@require_POST
def again(request: AuthenticatedHttpRequest, move: int) -> HttpResponse:
    """After a finished dry run: import for real from the same files (anything else is refused
    with a message)."""
    found = get_object_or_404(MoveIn, pk=move)
    try:
        new = movein_again(actor=request.user, source=found, dry_run=False)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("movein:detail", move=found.pk)
    return redirect("movein:detail", move=new.pk)


@secretariat_required
@require_POST
def retry(request: AuthenticatedHttpRequest, move: int) -> HttpResponse:
    """Start a failed run again (it picks up where it stopped)."""
    found = get_object_or_404(MoveIn, pk=move)
    try:
        movein_retry(move=found)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("movein:detail", move=found.pk)


def _report(move: int) -> tuple[MoveIn, Report]:
    found = get_object_or_404(MoveIn, pk=move)
    report = report_load(report_path(found))
    if report is None:
        raise Http404(_("This run has no report yet."))
    return found, report


@secretariat_required
@require_GET
def report_json(request: AuthenticatedHttpRequest, move: int) -> HttpResponse:
    found, report = _report(move)
    response = HttpResponse(report.to_json(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="move-in-{found.pk}-report.json"'
    patch_cache_control(response, private=True, no_cache=True)
    return response


@secretariat_required
@require_GET
def report_csv_download(request: AuthenticatedHttpRequest, move: int) -> HttpResponse:
    found, report = _report(move)
    response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="move-in-{found.pk}-report.csv"'
    patch_cache_control(response, private=True, no_cache=True)
    return response
