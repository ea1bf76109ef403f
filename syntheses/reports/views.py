"""PDF reports of a synthesis: the list (public for visible scopes), asking for one (the
group's facilitators, the secretariat), its progress while it is drawn, and the download.

A hidden group's scopes answer 404 to everyone but its members and the secretariat; asking
for a report answers 404 to those who may not (anonymous visitors are sent to log in first,
whatever the scope, so nothing is revealed). Bad input answers 400 with the form's errors.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from syntheses import reports
from syntheses.models import Report
from syntheses.permissions import can_act_on_scope, can_view_scope
from syntheses.reports.services import IN_PROGRESS
from syntheses.selectors import Filters, ScopeRef, scope_get
from territories.models import Profile
from wikispiral.errors import DomainError
from wikispiral.jobs.selectors import job_retry_note
from wikispiral.typing import HtmxHttpRequest

MAX_FILTER_YEAR = 2200
FILTER_FIELDS = ("year_from", "year_to", "question", "profile", "language")


class ReportRequestForm(forms.Form):
    """The language of the report; the synthesis' current filters ride along hidden."""

    report_language = forms.ChoiceField(
        label=gettext_lazy("Language of the report"), choices=settings.LANGUAGES
    )
    year_from = forms.IntegerField(
        required=False, min_value=1900, max_value=MAX_FILTER_YEAR, widget=forms.HiddenInput
    )
    year_to = forms.IntegerField(
        required=False, min_value=1900, max_value=MAX_FILTER_YEAR, widget=forms.HiddenInput
    )
    question = forms.SlugField(required=False, max_length=12, widget=forms.HiddenInput)
    profile = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    language = forms.SlugField(required=False, max_length=12, widget=forms.HiddenInput)

    def clean_profile(self) -> int | None:
        # As on the synthesis page: a profile that does not exist is a broken link, not a
        # report of nothing to keep.
        pk = self.cleaned_data["profile"]
        if pk is not None and not Profile.objects.filter(pk=pk).exists():
            raise forms.ValidationError(
                _("There is no such group profile: choose one from the list.")
            )
        return pk

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        broken = [name for name in FILTER_FIELDS if name in self.errors]
        if broken:
            # Hidden fields: their own messages would name nothing the person can see.
            for name in broken:
                del self.errors[name]
            raise forms.ValidationError(
                _("The filters of this page are not valid: open the synthesis again and retry.")
            )
        low, high = data.get("year_from"), data.get("year_to")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError(_("The first year comes after the last one."))
        return data

    def filters(self) -> Filters:
        return Filters.from_cleaned(self.cleaned_data)


def report_form(filters: Filters | None = None) -> ReportRequestForm:
    """An unbound request form carrying filters (for the synthesis page)."""
    initial = {"report_language": translation.get_language(), **(filters or Filters()).as_dict()}
    return ReportRequestForm(initial=initial)


def reports_panel(request: HttpRequest, ref: ScopeRef, filters: Filters | None = None) -> dict:
    """Context for templates/syntheses/_reports.html on the synthesis page: the reports the
    reader may see and, for those who may ask for one, the request form."""
    may_request = can_act_on_scope(request.user, ref)
    return {
        "reports": reports.report_visible_list(ref=ref, user=request.user),
        "ref": ref,
        "report_form": report_form(filters) if may_request else None,
    }


def _visible_scope(request: HttpRequest, key: str) -> ScopeRef:
    ref = scope_get(key)
    if not can_view_scope(request.user, ref):
        raise Http404(_("No such synthesis."))
    return ref


def _filters_from_query(request: HttpRequest) -> Filters:
    """The filters of the query string, ignoring what does not parse (a link, not a form)."""
    probe = ReportRequestForm({"report_language": settings.LANGUAGE_CODE, **request.GET.dict()})
    return probe.filters() if probe.is_valid() else Filters()


def _list_page(
    request: HttpRequest, ref: ScopeRef, form: ReportRequestForm | None, status: int = 200
) -> HttpResponse:
    may_request = can_act_on_scope(request.user, ref)
    filters = form.filters() if form is not None and form.is_bound and form.is_valid() else None
    if filters is None:
        filters = _filters_from_query(request)
    if may_request and form is None:
        form = report_form(filters)
    context = {
        "ref": ref,
        "reports": reports.report_visible_list(ref=ref, user=request.user),
        "report_form": form if may_request else None,
        "filter_lines": reports.filters_described(filters),
    }
    return render(request, "syntheses/report_list.html", context, status=status)


@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest, key: str) -> HttpResponse:
    """GET: the scope's reports. POST (reports:request): ask for one, then its status page."""
    if request.method == "POST":
        return _request(request, key)
    return _list_page(request, _visible_scope(request, key), None)


def _request(request: HttpRequest, key: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    ref = scope_get(key)
    if not can_act_on_scope(request.user, ref):
        raise Http404(_("No such synthesis."))
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        return _list_page(request, ref, form, status=400)
    try:
        report = reports.report_request(
            ref=ref,
            language=form.cleaned_data["report_language"],
            filters=form.filters(),
            actor=request.user,
        )
    except DomainError as error:
        error.add_to(form)
        return _list_page(request, ref, form, status=400)
    if report.created_by_id == request.user.pk and report.status == Report.Status.QUEUED:
        messages.success(request, _("Your report is on its way: it takes a few seconds."))
    else:
        messages.info(request, _("The same report was already being drawn: here it is."))
    return redirect("reports:report", key=ref.key, report=report.pk)


@never_cache
@vary_on_headers("HX-Request")
@require_http_methods(["GET"])
def report_status(request: HtmxHttpRequest, key: str, report: int) -> HttpResponse:
    """A report's progress (polled by htmx every second while it is drawn), then its link."""
    ref = _visible_scope(request, key)
    found = reports.report_get(ref=ref, user=request.user, pk=report)
    # Said only when it tells more than the report's own status: "interrupted, starting again".
    retrying = (
        job_retry_note(key=reports.report_job_key(found.pk)) if found.status in IN_PROGRESS else ""
    )
    context = {"ref": ref, "report": found, "job_state": retrying}
    if request.htmx:
        if request.GET.get("seen") == f"{found.status}-{found.progress}" and not retrying:
            # Nothing new: htmx keeps the fragment (and screen readers hear nothing again).
            return HttpResponse(status=204)
        return render(request, "syntheses/report.html#status", context)
    return render(request, "syntheses/report.html", context)


@require_http_methods(["GET", "HEAD"])
def report_download(request: HttpRequest, key: str, report: int) -> FileResponse:
    """The PDF of a done report, as an attachment."""
    ref = _visible_scope(request, key)
    found = (
        Report.objects.filter(
            scope=ref.scope, scope_id=ref.scope_id, pk=report, status=Report.Status.DONE
        )
        .defer("frozen")
        .first()
    )
    if found is None or not found.file:
        raise Http404(_("No such report."))
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404(_("No such report.")) from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=reports.report_download_name(found, ref.name),
        content_type="application/pdf",
    )
    if ref.is_hidden:
        patch_cache_control(response, private=True, no_store=True)
    else:
        # A done report never changes.
        patch_cache_control(response, public=True, max_age=24 * 3600)
    return response
