"""Fast entry: a homogeneous group's criteria, one column per question, saved as they are typed.

With htmx each form answers only what changed (the new rows, a count, a status line with Undo);
without JavaScript every form posts, redirects back to its column and says what happened, with
the same Undo. Bad input answers 400 with the message, and nothing is saved; everything here is
for the coordination group's facilitators and editors (404 for anyone else).

Each column shows its latest criteria (SHOWN), so the page weighs the same whatever the group's
size; "Show the … earlier criteria" opens the column (?all=q<id>) or, with htmx, puts the
earlier rows above the others (the same address, answering its #earlier partial).
"""

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from criteria.entry import services
from criteria.entry.forms import (
    CriterionAddForm,
    CriterionEditForm,
    CriterionRestoreForm,
    EntrySettingsForm,
)
from criteria.entry.page_settings import (
    MAX_ID_DIGITS,
    Settings,
    expanded_questions,
    page_settings,
)
from criteria.entry.selectors import (
    entry_count,
    entry_counts,
    entry_criteria_get,
    entry_latest_by_question,
    entry_question_criteria,
)
from criteria.models import Criterion, Question
from criteria.permissions import CRITERIA_ROLES
from criteria.selectors import component_choices, grid_current, question_list
from territories.models import HomogeneousGroup
from wikispiral.errors import DomainError
from wikispiral.tenancy import MemberHttpRequest, get_for_tenant_or_404, tenant_required

# What the last plain (no JavaScript) save or removal left to undo, shown once on the page.
UNDO_SESSION_KEY = "criteria_entry_undo"
# How long a send's key is remembered, so a send repeated after a lost answer saves once.
SUBMISSION_SECONDS = 24 * 60 * 60
_SUBMISSION = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# How many criteria a question's column shows, its latest; the earlier ones come on demand
# (?all=q<id>, or in place with htmx), so the page weighs the same whatever the group's size.
SHOWN = 12


# --- Helpers ------------------------------------------------------------------------------------


def _group(request: MemberHttpRequest, hg: str) -> HomogeneousGroup:
    group = get_for_tenant_or_404(HomogeneousGroup, request.tenant, slug=hg)
    group.tenant = request.tenant  # already loaded: URLs built from the group need its slug
    return group


def _criterion(request: MemberHttpRequest, group: HomogeneousGroup, pk: int) -> Criterion:
    return get_for_tenant_or_404(Criterion, request.tenant, group=group, pk=pk)


def _short(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(60)


def _entry_url(group: HomogeneousGroup, settings: Settings | None = None, anchor: str = "") -> str:
    url = reverse("entry:entry", kwargs={"cg": group.tenant.slug, "hg": group.slug})
    query = settings.query() if settings else ""
    return f"{url}{'?' + query if query else ''}{'#' + anchor if anchor else ''}"


def _form_errors(form: forms.BaseForm, error: DomainError | None = None) -> list[str]:
    problems = [str(message) for messages_ in form.errors.values() for message in messages_]
    if error is not None:
        problems.append(error.message)
    return problems


def _context(request: MemberHttpRequest, group: HomogeneousGroup, **extra: object) -> dict:
    settings = extra.get("settings")
    query = settings.query() if isinstance(settings, Settings) else ""
    page = reverse("entry:entry", kwargs={"cg": request.tenant.slug, "hg": group.slug})
    return {
        "tenant": request.tenant,
        "group": group,
        # What rows put before "12/edit/": nothing where they land on the page's own address
        # (the page, and the htmx answers swapped into it), which saves ~40 bytes a link; the
        # page's address elsewhere (the page again after a refused plain POST to add/).
        "criteria_url": "" if request.htmx or request.path == page else page,
        "query": f"?{query}" if query else "",
        **extra,
    }


def _entered(
    request: MemberHttpRequest, group: HomogeneousGroup, data: dict[str, Any]
) -> dict[str, Any]:
    """What the entry and undo forms hand to the services: who enters, where, and the
    criterion's fields from the form's cleaned data."""
    fields = ("question", "text", "language", "session_date", "component")
    return {
        "tenant": request.tenant,
        "group": group,
        "actor": request.user,
        **{name: data[name] for name in fields},
    }


def _submission_key(group: HomogeneousGroup, submission: str) -> str | None:
    if not _SUBMISSION.match(submission or ""):
        return None
    return f"criteria-entry:{group.tenant_id}:{group.pk}:{submission}"


# --- The page -----------------------------------------------------------------------------------


@dataclass
class Column:
    question: Question
    criteria: list[Criterion]
    total: int = 0
    more_query: str = ""
    text: str = ""
    component: str = ""
    errors: list[str] = field(default_factory=list)
    undo: dict | None = None
    autofocus: bool = False

    @property
    def count(self) -> int:
        return max(self.total, len(self.criteria))

    @property
    def earlier(self) -> int:
        """How many earlier criteria the column leaves out (its "Show the … earlier" link)."""
        return self.count - len(self.criteria)

    @property
    def key(self) -> str:
        return f"q{self.question.pk}"

    @property
    def picker_id(self) -> str:
        return f"component-{self.key}"

    @property
    def picker_help_id(self) -> str:
        return f"component-help-{self.key}"


def _page(
    request: MemberHttpRequest,
    group: HomogeneousGroup,
    *,
    settings: Settings,
    settings_form: EntrySettingsForm,
    failed: tuple[int | None, str, str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    tenant = request.tenant
    undo = request.session.pop(UNDO_SESSION_KEY, None) if status == 200 else None
    if undo and undo.get("group") != group.pk:
        undo = None
    latest = entry_latest_by_question(tenant=tenant, group=group, shown=SHOWN)
    totals = entry_counts(tenant=tenant, group=group)
    columns = []
    for question in question_list(tenant=tenant):
        if question.pk in settings.expanded and totals.get(question.pk, 0) > SHOWN:
            criteria = entry_question_criteria(tenant=tenant, group=group, question_id=question.pk)
        else:
            criteria = latest.get(question.pk, [])
        columns.append(
            Column(
                question=question,
                criteria=criteria,
                total=totals.get(question.pk, 0),
                more_query=settings.query(expand=question.pk),
            )
        )
    for column in columns:
        if failed and failed[0] == column.question.pk:
            column.text, column.component, column.errors = failed[1], failed[2], failed[3]
            column.autofocus = True
        if undo and undo.get("question") == column.question.pk:
            column.undo = undo
            column.autofocus = True
    context = _context(
        request,
        group,
        columns=columns,
        settings=settings,
        settings_form=settings_form,
        choices=component_choices(version=grid_current()),
        submission=uuid.uuid4().hex,
        problem=_form_errors(settings_form) if settings_form.is_bound else [],
        group_url=reverse("groups:homogeneous_group", kwargs={"cg": tenant.slug, "hg": group.slug}),
    )
    return render(request, "criteria/entry/page.html", context, status=status)


# Compressed like every answer (wikispiral.edge.TextCompressionMiddleware), and light before
# that: one list of components for the page, rows that share their Remove form (issue 16).
@never_cache
@tenant_required(*CRITERIA_ROLES)
@require_http_methods(["GET"])
def entry(request: MemberHttpRequest, cg: str, hg: str) -> HttpResponse:
    """The group's criteria in one column per question, each with its add form."""
    group = _group(request, hg)
    settings, settings_form = page_settings(group, request.GET)
    before = request.GET.get("before", "")
    if request.htmx and len(settings.expanded) == 1 and before.isdecimal():
        response = _earlier(request, group, settings, int(before[:MAX_ID_DIGITS]))
    else:
        status = 400 if settings_form.is_bound and settings_form.errors else 200
        response = _page(
            request, group, settings=settings, settings_form=settings_form, status=status
        )
    # One address, two answers (the page; with htmx, a column's earlier rows).
    patch_vary_headers(response, ["HX-Request"])
    return response


def _earlier(
    request: MemberHttpRequest, group: HomogeneousGroup, settings: Settings, before: int
) -> HttpResponse:
    """A column's "Show the … earlier criteria" with htmx: the rows listed before the first
    one shown (its id in before), put above it; the first takes the focus, the link goes."""
    question_id = settings.expanded[0]
    criteria = entry_question_criteria(
        tenant=request.tenant, group=group, question_id=question_id, before=before
    )
    settings.expanded = []  # the rows' links keep the page's settings, not ?all=
    context = _context(
        request, group, criteria=criteria, question_id=question_id, settings=settings
    )
    return render(request, "criteria/entry/page.html#earlier", context)


# --- Adding, and undoing it ---------------------------------------------------------------------


def _added(
    request: MemberHttpRequest,
    group: HomogeneousGroup,
    question: Question,
    created: list[Criterion],
    settings: Settings,
) -> HttpResponse:
    undo = _undo_added(group, question, created)
    if request.htmx:
        context = _context(
            request,
            group,
            question=question,
            criteria=created,
            count=entry_count(tenant=request.tenant, group=group, question_id=question.pk),
            undo=undo,
            settings=settings,
        )
        return render(request, "criteria/entry/page.html#added", context)
    messages.success(request, undo["message"])
    request.session[UNDO_SESSION_KEY] = undo
    return redirect(_entry_url(group, settings, f"q{question.pk}"))


def _undo_added(group: HomogeneousGroup, question: Question, created: list[Criterion]) -> dict:
    """What the status line says after a save, and what its Undo takes back."""
    first = _short(created[0].text)
    return {
        "group": group.pk,
        "question": question.pk,
        "kind": "added",
        "ids": [criterion.pk for criterion in created],
        "message": (
            _("Saved: “%(text)s”.")
            if len(created) == 1
            else ngettext(
                "Saved %(count)d criterion, from “%(text)s”.",
                "Saved %(count)d criteria, from “%(text)s”.",
                len(created),
            )
        )
        % {"text": first, "count": len(created)},
    }


@tenant_required(*CRITERIA_ROLES)
@require_POST
def add(request: MemberHttpRequest, cg: str, hg: str) -> HttpResponse:
    """Enter criteria for one question: one per non-empty line, all or none."""
    group = _group(request, hg)
    form = CriterionAddForm(request.POST, tenant=request.tenant, group=group)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        settings = page_settings(group)[0]
        settings.session_date, settings.language = data["session_date"], data["language"]
        settings.expanded = expanded_questions(request.POST)
        key = _submission_key(group, data["submission"])
        done = cache.get(key) if key else None
        if done:
            # The same send again (its answer was lost on the way): answer what it saved.
            created = entry_criteria_get(tenant=request.tenant, group=group, ids=done)
            if created:
                return _added(request, group, data["question"], created, settings)
        try:
            created = services.criteria_enter(**_entered(request, group, data))
        except DomainError as refusal:
            error = refusal
        else:
            if key:
                cache.set(key, [criterion.pk for criterion in created], SUBMISSION_SECONDS)
            return _added(request, group, data["question"], created, settings)
    problems = _form_errors(form, error)
    if request.htmx:
        return render(request, "criteria/entry/page.html#errors", {"errors": problems}, status=400)
    # The hidden date and language may be what was wrong: then the page falls back to the
    # defaults, and the column says what to fix.
    settings = page_settings(group, request.POST)[0]
    settings_form = EntrySettingsForm(
        initial={"session_date": settings.session_date, "language": settings.language},
        group=group,
    )
    question_id = form.cleaned_data.get("question")
    failed = (
        getattr(question_id, "pk", None),
        request.POST.get("text", ""),
        request.POST.get("component", ""),
        problems,
    )
    if failed[0] is None:
        messages.error(request, " ".join(problems))
    return _page(
        request,
        group,
        settings=settings,
        settings_form=settings_form,
        failed=failed,
        status=400,
    )


def _ids(request: MemberHttpRequest) -> list[int]:
    return [
        int(value)
        for value in request.POST.getlist("criterion")
        if value.isdecimal() and len(value) <= MAX_ID_DIGITS
    ][:500]


@tenant_required(*CRITERIA_ROLES)
@require_POST
def undo(request: MemberHttpRequest, cg: str, hg: str) -> HttpResponse:
    """Take back what was just added: remove the criteria posted (of this group only)."""
    group = _group(request, hg)
    settings = page_settings(group, request.GET)[0]
    criteria = entry_criteria_get(tenant=request.tenant, group=group, ids=_ids(request))
    question_id = criteria[0].question_id if criteria else None
    removed_ids = [criterion.pk for criterion in criteria]  # deleting clears each pk
    kept = services.criteria_remove(tenant=request.tenant, criteria=criteria, actor=request.user)
    if kept:
        if len(kept) == 1:
            message = _("Undone: “%(text)s” is removed.") % {"text": _short(kept[0]["text"])}
        else:
            message = ngettext(
                "Undone: %(count)d criterion is removed.",
                "Undone: %(count)d criteria are removed.",
                len(kept),
            ) % {"count": len(kept)}
    else:
        message = _("Nothing to undo: these criteria were already removed.")
    if request.htmx:
        context = _context(
            request,
            group,
            removed_ids=removed_ids,
            question_id=question_id,
            count=entry_count(tenant=request.tenant, group=group, question_id=question_id)
            if question_id
            else None,
            message=message,
        )
        return render(request, "criteria/entry/page.html#undone", context)
    messages.success(request, message)
    return redirect(_entry_url(group, settings, f"q{question_id}" if question_id else ""))


# --- Removing, and undoing it -------------------------------------------------------------------


@tenant_required(*CRITERIA_ROLES)
@require_POST
def remove(request: MemberHttpRequest, cg: str, hg: str, criterion: int) -> HttpResponse:
    """Remove a criterion typed by mistake; the answer offers to put it back. The page's rows
    post its one #entry-remove form, which carries the page's settings (not in each address)."""
    group = _group(request, hg)
    settings = page_settings(group, request.GET or request.POST)[0]
    found = _criterion(request, group, criterion)
    component = found.component.code if found.component else ""
    kept = services.criteria_remove(tenant=request.tenant, criteria=[found], actor=request.user)[0]
    kept.update(component=component, pk=criterion)
    message = _("Removed: “%(text)s”.") % {"text": _short(kept["text"])}
    if request.htmx:
        context = _context(
            request,
            group,
            kept=kept,
            message=message,
            count=entry_count(tenant=request.tenant, group=group, question_id=kept["question_id"]),
            question_id=kept["question_id"],
            settings=settings,
        )
        return render(request, "criteria/entry/page.html#removed", context)
    messages.success(request, message)
    request.session[UNDO_SESSION_KEY] = {
        "group": group.pk,
        "question": kept["question_id"],
        "kind": "removed",
        "kept": kept,
        "message": message,
    }
    return redirect(_entry_url(group, settings, f"q{kept['question_id']}"))


@tenant_required(*CRITERIA_ROLES)
@require_POST
def restore(request: MemberHttpRequest, cg: str, hg: str) -> HttpResponse:
    """Put back a criterion just removed, from the values its Undo button carries."""
    group = _group(request, hg)
    settings, settings_form = page_settings(group, request.GET)
    form = CriterionRestoreForm(request.POST, tenant=request.tenant, group=group)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            criterion = services.criterion_restore(**_entered(request, group, data))
        except DomainError as refusal:
            error = refusal
        else:
            message = _("Back: “%(text)s”.") % {"text": _short(criterion.text)}
            if request.htmx:
                context = _context(
                    request,
                    group,
                    criterion=criterion,
                    question_id=criterion.question_id,
                    count=entry_count(
                        tenant=request.tenant, group=group, question_id=criterion.question_id
                    ),
                    message=message,
                    settings=settings,
                )
                return render(request, "criteria/entry/page.html#restored", context)
            messages.success(request, message)
            return redirect(_entry_url(group, settings, f"q{criterion.question_id}"))
    problems = _form_errors(form, error)
    if request.htmx:
        return render(
            request, "criteria/entry/page.html#restore_failed", {"errors": problems}, status=400
        )
    messages.error(request, " ".join(problems))
    return _page(request, group, settings=settings, settings_form=settings_form, status=400)


# --- Correcting one criterion -------------------------------------------------------------------


def _edit_response(
    request: MemberHttpRequest,
    group: HomogeneousGroup,
    criterion: Criterion,
    form: CriterionEditForm,
    settings: Settings,
    status: int = 200,
) -> HttpResponse:
    context = _context(
        request,
        group,
        criterion=criterion,
        form=form,
        questions=list(question_list(tenant=request.tenant)),
        # Inline (htmx), the field completes from the page's list of components.
        choices=[] if request.htmx else component_choices(version=grid_current()),
        text=form["text"].value() or "",
        question_value=str(form["question"].value() or criterion.question_id),
        component_value=(form["component"].value() or "").strip().upper()
        if form.is_bound
        else (criterion.component.code if criterion.component else ""),
        errors=_form_errors(form) if form.is_bound else [],
        settings=settings,
        page_url=_entry_url(group, settings, f"criterion-{criterion.pk}"),
    )
    template = "criteria/entry/page.html#edit_row" if request.htmx else "criteria/entry/edit.html"
    return render(request, template, context, status=status)


@never_cache
@tenant_required(*CRITERIA_ROLES)
@require_http_methods(["GET", "POST"])
def edit(request: MemberHttpRequest, cg: str, hg: str, criterion: int) -> HttpResponse:
    """Fix a typo (or the question, or the component) of one criterion."""
    group = _group(request, hg)
    settings = page_settings(group, request.GET)[0]
    found = _criterion(request, group, criterion)
    if request.method == "GET":
        form = CriterionEditForm(
            initial={"text": found.text, "question": found.question_id},
            tenant=request.tenant,
            group=group,
        )
        return _edit_response(request, group, found, form, settings)
    form = CriterionEditForm(request.POST, tenant=request.tenant, group=group)
    if form.is_valid():
        data = form.cleaned_data
        old_question = found.question_id
        try:
            found = services.criterion_correct(
                tenant=request.tenant,
                criterion=found,
                actor=request.user,
                text=data["text"],
                question=data["question"],
                component=data["component"],
            )
        except DomainError as refusal:
            refusal.add_to(form)
        else:
            message = _("Corrected: “%(text)s”.") % {"text": _short(found.text)}
            if request.htmx:
                context = _context(
                    request,
                    group,
                    criterion=found,
                    moved_from=old_question if old_question != found.question_id else None,
                    count=entry_count(
                        tenant=request.tenant, group=group, question_id=found.question_id
                    ),
                    old_count=entry_count(
                        tenant=request.tenant, group=group, question_id=old_question
                    )
                    if old_question != found.question_id
                    else None,
                    message=message,
                    settings=settings,
                )
                return render(request, "criteria/entry/page.html#edited", context)
            messages.success(request, message)
            return redirect(_entry_url(group, settings, f"criterion-{found.pk}"))
    return _edit_response(request, group, found, form, settings, status=400)


@never_cache
@tenant_required(*CRITERIA_ROLES)
@require_http_methods(["GET"])
def row(request: MemberHttpRequest, cg: str, hg: str, criterion: int) -> HttpResponse:
    """One criterion's row (Cancel of an inline edit); without htmx, the page at that row."""
    group = _group(request, hg)
    settings = page_settings(group, request.GET)[0]
    found = _criterion(request, group, criterion)
    if not request.htmx:
        return redirect(_entry_url(group, settings, f"criterion-{found.pk}"))
    context = _context(request, group, criterion=found, focus_edit=True, settings=settings)
    return render(request, "criteria/entry/page.html#row", context)
