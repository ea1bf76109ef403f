"""The secretariat opens coordination groups and homogeneous groups in bulk: upload a sheet,
read the preview (what would open, change or stay; every row error; unknown places), open.

The previewed rows come back signed in a hidden field (as the geography import does), so the
opening reads exactly what was previewed, checked again, without a file kept on the server.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from territories.permissions import secretariat_required
from territories.secretariat.bulk.forms import (
    BULK_MAX_PAYLOAD_CHARS,
    BulkCommitForm,
    BulkUploadForm,
    bulk_sign,
)
from territories.services import (
    GROUP_COLUMNS,
    HOMOGENEOUS_GROUP_COLUMNS,
    BulkReport,
    groups_bulk_open,
    groups_bulk_preview,
    homogeneous_groups_bulk_open,
    homogeneous_groups_bulk_preview,
)
from wikispiral.accounts.models import User
from wikispiral.typing import AuthenticatedHttpRequest, StrOrPromise
from wikispiral.uploads import Sheet

RESULT_SESSION_KEY = "secretariat_bulk_result"


@dataclass(frozen=True)
class Kind:
    code: str
    title: StrOrPromise
    columns: tuple[str, ...]
    example: str
    help: tuple[tuple[str, StrOrPromise], ...]
    preview: Callable[..., BulkReport]
    open: Callable[..., BulkReport]


KINDS = {
    "groups": Kind(
        code="groups",
        title=gettext_lazy("Open coordination groups in bulk"),
        columns=GROUP_COLUMNS,
        example=(
            "GC136526,Mulhouse en transition,mulhouse,territory,,FR,Grand Est,Mulhouse,,,,,,,"
            "validated,facilitator@example.org,fr,fr;de\n"
        ),
        help=(
            (
                "network_id",
                gettext_lazy("Optional: the network id, like GC136526 (else a new one)."),
            ),
            ("name", gettext_lazy("Required: the platform's name.")),
            ("slug", gettext_lazy("Optional: its address; else made from the name.")),
            ("type", gettext_lazy("territory, collective_actor or citizens_group.")),
            ("country", gettext_lazy("Required: ISO code or name, as on the geography page.")),
            ("region", gettext_lazy("Optional: a region of that country.")),
            ("locality", gettext_lazy("Optional: a locality of that region.")),
            ("status", gettext_lazy("active, validated (the default) or archived.")),
            (
                "facilitator_email",
                gettext_lazy("Optional: the facilitator, invited by e-mail as on approval."),
            ),
            ("language", gettext_lazy("The language of its pages: en, fr or pt.")),
            ("languages", gettext_lazy("Optional: other languages used, separated by ;.")),
        ),
        preview=groups_bulk_preview,
        open=groups_bulk_open,
    ),
    "homogeneous_groups": Kind(
        code="homogeneous_groups",
        title=gettext_lazy("Open homogeneous groups in bulk"),
        columns=HOMOGENEOUS_GROUP_COLUMNS,
        example="GC136526,hg-1,Young people of the centre,young-people,2025-03-14,10,5,5,,fr,\n",
        help=(
            (
                "coordination_group",
                gettext_lazy("Required: its network id, address (slug) or exact name."),
            ),
            ("key", gettext_lazy("Optional: your own id for the group, to import it again.")),
            ("name", gettext_lazy("Required: the group's name.")),
            ("profile", gettext_lazy("Required: a profile's short name, or your own words.")),
            ("meeting_dates", gettext_lazy("Optional: dates like 2025-03-14, separated by ;.")),
            (
                "participants",
                gettext_lazy("Optional: how many took part (then women, men, other)."),
            ),
            ("language", gettext_lazy("Optional: the language the group spoke.")),
        ),
        preview=homogeneous_groups_bulk_preview,
        open=homogeneous_groups_bulk_open,
    ),
}


def _kind(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError as exc:
        raise Http404(_("Not found.")) from exc


def _render(
    request: AuthenticatedHttpRequest,
    kind: Kind,
    *,
    form: BulkUploadForm,
    report: BulkReport | None = None,
    payload: str = "",
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "kind": kind,
        "form": form,
        "report": report,
        "payload": payload,
        "problem": problem,
        "section": "bulk",
    }
    return render(request, "secretariat/bulk_open.html", context, status=status)


def _upload(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    kind = _kind(code)
    if request.method == "GET":
        return _render(request, kind, form=BulkUploadForm())
    form = BulkUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, kind, form=form, status=400)
    upload = form.cleaned_data["file"]
    report = kind.preview(sheet=upload.sheet)
    if report.errors:
        return _render(request, kind, form=form, report=report, status=400)
    payload = bulk_sign(kind.code, upload)
    if len(payload) > BULK_MAX_PAYLOAD_CHARS:
        problem = _("This file is too large to open at once: split it into several files.")
        return _render(request, kind, form=form, report=report, problem=problem, status=400)
    return _render(request, kind, form=BulkUploadForm(), report=report, payload=payload)


def _open(request: AuthenticatedHttpRequest, code: str, actor: User) -> HttpResponse:
    kind = _kind(code)
    form = BulkCommitForm(request.POST, kind=kind.code)
    if not form.is_valid():
        problem = " ".join(str(error) for error in form.errors.get("payload", []))
        return _render(
            request,
            kind,
            form=BulkUploadForm(),
            problem=problem or _("Upload the file again."),
            status=400,
        )
    upload = form.cleaned_data["payload"]
    sheet: Sheet = upload.sheet
    report = kind.open(sheet=sheet, actor=actor, filename=upload.filename)
    if not report.committed:
        return _render(
            request,
            kind,
            form=BulkUploadForm(),
            report=report,
            problem=_("Nothing was opened: the file no longer passes the checks."),
            status=400,
        )
    request.session[RESULT_SESSION_KEY] = {
        "kind": kind.code,
        "filename": upload.filename,
        "opened": report.to_open,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }
    return redirect("secretariat:bulk_result")


@secretariat_required
@never_cache
@require_http_methods(["GET", "POST"])
def groups(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a sheet of coordination groups and preview what opening it would do."""
    return _upload(request, "groups")


@secretariat_required
@require_POST
def groups_open(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open the previewed coordination groups, checked again, all or nothing."""
    return _open(request, "groups", request.user)


@secretariat_required
@never_cache
@require_http_methods(["GET", "POST"])
def homogeneous_groups(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a sheet of homogeneous groups and preview what opening it would do."""
    return _upload(request, "homogeneous_groups")


@secretariat_required
@require_POST
def homogeneous_groups_open(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open the previewed homogeneous groups, checked again, all or nothing."""
    return _open(request, "homogeneous_groups", request.user)


@secretariat_required
@never_cache
@require_GET
def result(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What the last file opened in this session did."""
    outcome = request.session.get(RESULT_SESSION_KEY)
    if not isinstance(outcome, dict) or outcome.get("kind") not in KINDS:
        return redirect("secretariat:bulk_groups")
    context = {"outcome": outcome, "kind": KINDS[outcome["kind"]], "section": "bulk"}
    return render(request, "secretariat/bulk_result.html", context)


def _template(kind: Kind) -> HttpResponse:
    response = HttpResponse(
        ",".join(kind.columns) + "\n" + kind.example, content_type="text/csv; charset=utf-8"
    )
    filename = kind.code.replace("_", "-")
    response["Content-Disposition"] = f'attachment; filename="{filename}-template.csv"'
    return response


@secretariat_required
@require_GET
def groups_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A CSV with the header line of coordination groups and one example row."""
    return _template(KINDS["groups"])


@secretariat_required
@require_GET
def homogeneous_groups_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A CSV with the header line of homogeneous groups and one example row."""
    return _template(KINDS["homogeneous_groups"])
