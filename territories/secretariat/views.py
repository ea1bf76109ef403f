"""The network secretariat's pages, and the public directory of network members.

Every secretariat view is wrapped in `secretariat_required` (anonymous → log in, anyone else →
404) and reads across groups. Invalid input answers 400 with the page and its errors; writes go
through territories.secretariat.services and redirect (post/redirect/get).
"""

from collections.abc import Iterable

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from territories.models import CoordinationGroup, Profile
from territories.permissions import is_network_staff, secretariat_required
from territories.secretariat import selectors, services
from territories.secretariat.forms import (
    AuditFilterForm,
    GeographyCommitForm,
    GeographyUploadForm,
    GroupFilterForm,
    HideForm,
    MemberFilterForm,
    NetworkMemberForm,
    NoteForm,
    ProfileForm,
    geography_sign,
)
from territories.services import GeographyImport, TerritoryError
from wikispiral.typing import AuthenticatedHttpRequest

GROUPS_PER_PAGE = 25
MEMBERS_PER_PAGE = 25
AUDIT_PER_PAGE = 50

GEOGRAPHY_TEMPLATE_CSV = (
    "continent,country_code,country,country_fr,country_pt,region,locality\n"
    "EU,FR,France,France,França,Grand Est,Mulhouse\n"
    "AF,CV,Cape Verde,Cap-Vert,Cabo Verde,Santiago,Praia\n"
)


def _page(request: HttpRequest, items: QuerySet, per_page: int) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _group_page_url(slug: str) -> str | None:
    # The public group page belongs to the directory; until it exists, list without links.
    try:
        return reverse("directory:group", kwargs={"cg": slug})
    except NoReverseMatch:
        return None


# --- Dashboard ---------------------------------------------------------------------------------


@secretariat_required
@never_cache
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What waits for the secretariat, and the latest entries of the audit log."""
    context = {
        "counts": selectors.dashboard_counts(),
        "recent": selectors.audit_recent(),
    }
    return render(request, "secretariat/dashboard.html", context)


# --- Moderation of groups ----------------------------------------------------------------------


@secretariat_required
@never_cache
@require_GET
def groups(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Coordination groups to moderate, filtered by state, type, country and name."""
    form = GroupFilterForm(request.GET, countries=selectors.countries_with_groups())
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        page = _page(
            request,
            selectors.group_moderation_list(
                state=data["state"], kind=data["kind"], country=data["country"], query=data["q"]
            ),
            GROUPS_PER_PAGE,
        )
    else:
        page, status = None, 400
    return render(
        request, "secretariat/groups.html", {"form": form, "page_obj": page}, status=status
    )


def _group_or_404(cg: str) -> CoordinationGroup:
    group = selectors.group_get(slug=cg)
    if group is None:
        raise Http404(_("No such coordination group."))
    return group


def _render_group(
    request: HttpRequest,
    group: CoordinationGroup,
    *,
    bound: dict[str, forms.Form] | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    # Three forms on one page each get their own element ids; field names stay plain.
    forms_by_action = {
        "validate": NoteForm(auto_id="validate_%s"),
        "hide": HideForm(auto_id="hide_%s"),
        "unhide": NoteForm(auto_id="unhide_%s"),
        **(bound or {}),
    }
    context = {
        "group": group,
        "validate_form": forms_by_action["validate"],
        "hide_form": forms_by_action["hide"],
        "unhide_form": forms_by_action["unhide"],
        "problem": problem,
        "history": selectors.group_moderation_history(group=group),
        "group_url": _group_page_url(group.slug),
    }
    return render(request, "secretariat/group.html", context, status=status)


@secretariat_required
@never_cache
@require_GET
def group(request: AuthenticatedHttpRequest, cg: str) -> HttpResponse:
    """One group's state, the moderation actions and its moderation history."""
    return _render_group(request, _group_or_404(cg))


@secretariat_required
@require_POST
def group_validate(request: AuthenticatedHttpRequest, cg: str) -> HttpResponse:
    group = _group_or_404(cg)
    form = NoteForm(request.POST, auto_id="validate_%s")
    if not form.is_valid():
        return _render_group(request, group, bound={"validate": form}, status=400)
    try:
        services.coordination_group_validate(
            group=group, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except TerritoryError as exc:
        return _render_group(request, group, problem=exc.message, status=400)
    messages.success(request, _("%(group)s is validated.") % {"group": group.name})
    return redirect("secretariat:group", cg=group.slug)


@secretariat_required
@require_POST
def group_hide(request: AuthenticatedHttpRequest, cg: str) -> HttpResponse:
    group = _group_or_404(cg)
    form = HideForm(request.POST, auto_id="hide_%s")
    if form.is_valid():
        try:
            services.coordination_group_hide(
                group=group, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except TerritoryError as exc:
            exc.add_to(form)
        else:
            messages.success(
                request,
                _("%(group)s is hidden; its space is no longer public.") % {"group": group.name},
            )
            return redirect("secretariat:group", cg=group.slug)
    return _render_group(request, group, bound={"hide": form}, status=400)


@secretariat_required
@require_POST
def group_unhide(request: AuthenticatedHttpRequest, cg: str) -> HttpResponse:
    group = _group_or_404(cg)
    form = NoteForm(request.POST, auto_id="unhide_%s")
    if not form.is_valid():
        return _render_group(request, group, bound={"unhide": form}, status=400)
    services.coordination_group_unhide(
        group=group, actor=request.user, reason=form.cleaned_data["reason"]
    )
    messages.success(
        request, _("%(group)s is visible again; its space is public.") % {"group": group.name}
    )
    return redirect("secretariat:group", cg=group.slug)


# --- Geography ---------------------------------------------------------------------------------


def _render_geography(
    request: HttpRequest,
    *,
    form: GeographyUploadForm,
    report: GeographyImport | None = None,
    payload: str = "",
    commit_problem: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "report": report,
        "payload": payload,
        "commit_problem": commit_problem,
        "columns": GEOGRAPHY_TEMPLATE_CSV.splitlines()[0].split(","),
        "continents": selectors.continent_list(),
    }
    return render(request, "secretariat/geography.html", context, status=status)


@secretariat_required
@never_cache
@require_http_methods(["GET", "POST"])
def geography(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a geography CSV and preview what importing it would do (nothing is saved)."""
    if request.method == "GET":
        return _render_geography(request, form=GeographyUploadForm())
    form = GeographyUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_geography(request, form=form, status=400)
    text = form.cleaned_data["file"]
    report = services.geography_preview(data=text)
    if report.errors:
        return _render_geography(request, form=form, report=report, status=400)
    return _render_geography(
        request, form=GeographyUploadForm(), report=report, payload=geography_sign(text)
    )


@secretariat_required
@require_POST
def geography_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Import the previewed file, checked again, all or nothing."""
    form = GeographyCommitForm(request.POST)
    if not form.is_valid():
        payload_errors: Iterable[object] = form.errors.get("payload", [])
        problem = " ".join(str(error) for error in payload_errors) or _("Upload the file again.")
        return _render_geography(
            request, form=GeographyUploadForm(), commit_problem=problem, status=400
        )
    report = services.geography_commit(data=form.cleaned_data["payload"], actor=request.user)
    if not report.committed:
        return _render_geography(
            request,
            form=GeographyUploadForm(),
            report=report,
            commit_problem=_("Nothing was imported: the file no longer passes the checks."),
            status=400,
        )
    messages.success(
        request,
        _(
            "Imported %(rows)d rows: %(countries)d countries, %(regions)d regions and "
            "%(localities)d localities added."
        )
        % {"rows": report.rows, **report.created},
    )
    return redirect("secretariat:geography")


@secretariat_required
@require_GET
def geography_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A CSV with the expected header and two example rows."""
    response = HttpResponse(GEOGRAPHY_TEMPLATE_CSV, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="geography-template.csv"'
    return response


# --- Group profiles ----------------------------------------------------------------------------


def _profile_data(form: ProfileForm) -> services.ProfileData:
    data = form.cleaned_data
    return services.ProfileData(
        name=data["name"],
        names={"fr": data["name_fr"], "pt": data["name_pt"]},
        order=data["order"],
        is_active=data["is_active"],
    )


@secretariat_required
@never_cache
@require_GET
def profiles(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every group profile, offered or not."""
    return render(request, "secretariat/profiles.html", {"profiles": selectors.profile_list()})


@secretariat_required
@never_cache
@require_http_methods(["GET", "POST"])
def profile_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                profile = services.profile_create(actor=request.user, data=_profile_data(form))
            except TerritoryError as exc:
                exc.add_to(form)
            else:
                messages.success(request, _("Profile “%(name)s” added.") % {"name": profile.name})
                return redirect("secretariat:profiles")
        status = 400
    else:
        form = ProfileForm()
    return render(
        request, "secretariat/profile_form.html", {"form": form, "profile": None}, status=status
    )


@secretariat_required
@never_cache
@require_http_methods(["GET", "POST"])
def profile_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    profile = Profile.objects.filter(pk=pk).first()
    if profile is None:
        raise Http404(_("No such profile."))
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.profile_update(
                    profile=profile, actor=request.user, data=_profile_data(form)
                )
            except TerritoryError as exc:
                exc.add_to(form)
            else:
                messages.success(request, _("Profile “%(name)s” saved.") % {"name": profile.name})
                return redirect("secretariat:profiles")
        status = 400
    else:
        form = ProfileForm(
            initial={
                "name": profile.name,
                "name_fr": profile.names.get("fr", ""),
                "name_pt": profile.names.get("pt", ""),
                "order": profile.order,
                "is_active": profile.is_active,
            }
        )
    return render(
        request,
        "secretariat/profile_form.html",
        {"form": form, "profile": profile},
        status=status,
    )


# --- Network members ---------------------------------------------------------------------------


@never_cache
@require_GET
def members(request: HttpRequest) -> HttpResponse:
    """The public directory of network members (the secretariat also sees unlisted ones)."""
    staff = is_network_staff(request.user)
    form = MemberFilterForm(request.GET, countries=selectors.network_member_countries())
    status = 200
    page = None
    rows = []
    if not form.is_valid():
        status = 400
    else:
        filters = {key: form.cleaned_data[key] for key in ("kind", "nature", "country")}
        page = _page(
            request,
            selectors.network_member_list(
                listed_only=not staff, query=form.cleaned_data["q"], **filters
            ),
            MEMBERS_PER_PAGE,
        )
        rows = [
            (
                member,
                _group_page_url(member.coordination_group.slug)
                if member.coordination_group_id and not member.coordination_group.is_hidden
                else None,
            )
            for member in page
        ]
    context = {"form": form, "page_obj": page, "rows": rows, "staff": staff}
    return render(request, "secretariat/members.html", context, status=status)


def _member_data(form: NetworkMemberForm) -> services.MemberData:
    data = form.cleaned_data
    return services.MemberData(
        kind=data["kind"],
        nature=data["nature"],
        name=data["name"],
        coordination_group=data["coordination_group"],
        country=data["country"],
        website=data["website"],
        description=data["description"],
        joined_on=data["joined_on"],
        is_listed=data["is_listed"],
    )


@secretariat_required
@never_cache
@require_http_methods(["GET", "POST"])
def member_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = NetworkMemberForm(request.POST)
        if form.is_valid():
            try:
                member = services.network_member_create(actor=request.user, data=_member_data(form))
            except TerritoryError as exc:
                exc.add_to(form)
            else:
                messages.success(request, _("%(name)s added.") % {"name": member.name})
                return redirect("secretariat:members")
        status = 400
    else:
        form = NetworkMemberForm()
    return render(
        request, "secretariat/member_form.html", {"form": form, "member": None}, status=status
    )


@secretariat_required
@never_cache
@require_http_methods(["GET", "POST"])
def member_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = selectors.network_member_get(pk=pk)
    if member is None:
        raise Http404(_("No such member."))
    status = 200
    if request.method == "POST":
        form = NetworkMemberForm(request.POST)
        if form.is_valid():
            try:
                services.network_member_update(
                    member=member, actor=request.user, data=_member_data(form)
                )
            except TerritoryError as exc:
                exc.add_to(form)
            else:
                messages.success(request, _("%(name)s saved.") % {"name": member.name})
                return redirect("secretariat:members")
        status = 400
    else:
        form = NetworkMemberForm(
            initial={
                "kind": member.kind,
                "nature": member.nature,
                "name": member.name,
                "coordination_group": member.coordination_group_id,
                "country": member.country_id,
                "website": member.website,
                "description": member.description,
                "joined_on": member.joined_on,
                "is_listed": member.is_listed,
            }
        )
    return render(
        request, "secretariat/member_form.html", {"form": form, "member": member}, status=status
    )


# --- Audit log ---------------------------------------------------------------------------------


@secretariat_required
@never_cache
@require_GET
def audit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The audit log, newest first, filtered by action prefix and text."""
    form = AuditFilterForm(request.GET, prefixes=selectors.audit_prefixes())
    status = 200
    page = None
    if form.is_valid():
        page = _page(
            request,
            selectors.audit_search(
                action_prefix=form.cleaned_data["action"], text=form.cleaned_data["q"]
            ),
            AUDIT_PER_PAGE,
        )
    else:
        status = 400
    return render(
        request, "secretariat/audit.html", {"form": form, "page_obj": page}, status=status
    )
