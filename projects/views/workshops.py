"""Workshops: the list, organising one, signing up, leaving, concluding, cancelling."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects import selectors, services
from projects.forms import (
    ConclusionsForm,
    ShareForm,
    WorkshopForm,
)
from projects.permissions import (
    can_organise,
    can_run_workshop,
)
from wikispiral.errors import DomainError


@require_GET
def workshops(request: HttpRequest) -> HttpResponse:
    context = {
        "upcoming": selectors.workshop_list(upcoming=True),
        "past": selectors.workshop_list(upcoming=False, limit=20),
        "can_organise": can_organise(request.user),
    }
    return render(request, "projects/workshops.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def workshop_new(request: HttpRequest) -> HttpResponse:
    if not can_organise(request.user):
        raise Http404(_("No such page."))
    zone = request.user.time_zone or "UTC"
    form = WorkshopForm(request.POST or None, zone=zone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workshop = services.workshop_create(
                actor=request.user,
                title=data["title"],
                theme=data["theme"],
                audience=data["audience"],
                starts_at=data["starts_at"],
                time_zone=data["time_zone"],
                duration_minutes=data["duration_minutes"],
                languages=data["languages"].replace(";", ",").split(","),
                meeting_url=data["meeting_url"],
                capacity=data["capacity"],
                description=data["description"],
            )
        except services.ProjectError as error:
            error.add_to(form)
        else:
            messages.success(request, _("The workshop is scheduled."))
            return redirect("projects:workshop", workshop=workshop.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/workshop_form.html", {"form": form}, status=status)


def _workshop_context(request: HttpRequest, workshop: object) -> dict:
    mine = selectors.participants_of(user=request.user)
    signed = selectors.workshop_signups(workshop=workshop)
    signed_ids = {participant.pk for participant in signed}
    is_ahead = workshop.starts_at > timezone.now()
    is_open = workshop.cancelled_at is None and is_ahead
    return {
        "workshop": workshop,
        "signed": signed,
        "mine_signed": [p for p in mine if p.pk in signed_ids],
        "signup_form": ShareForm(participants=[p for p in mine if p.pk not in signed_ids])
        if any(p.pk not in signed_ids for p in mine)
        else None,
        "has_participant": bool(mine),
        "is_open": is_open,
        "places_left": max(workshop.capacity - workshop.taken, 0),
        "can_conclude": can_run_workshop(request.user, workshop) and not is_ahead,
        "can_cancel": can_run_workshop(request.user, workshop) and is_open,
    }


@require_GET
def workshop(request: HttpRequest, workshop: int) -> HttpResponse:
    found = selectors.workshop_get(pk=workshop)
    return render(request, "projects/workshop.html", _workshop_context(request, found))


@require_POST
@login_required
def workshop_signup(request: HttpRequest, workshop: int) -> HttpResponse:
    found = selectors.workshop_get(pk=workshop)
    mine = selectors.participants_of(user=request.user)
    form = ShareForm(request.POST, participants=mine)
    if form.is_valid():
        try:
            services.workshop_signup(
                workshop=found, participant=form.cleaned_data["participant"], actor=request.user
            )
        except services.ProjectError as error:
            error.add_to(form)
        else:
            messages.success(request, _("You are on the list."))
            return redirect("projects:workshop", workshop=found.pk)
    elif not mine:
        form.add_error(None, _("Join the project first, then sign up."))
    context = _workshop_context(request, found) | {"signup_form": form}
    return render(request, "projects/workshop.html", context, status=400)


@require_POST
@login_required
def workshop_leave(request: HttpRequest, workshop: int) -> HttpResponse:
    found = selectors.workshop_get(pk=workshop)
    form = ShareForm(request.POST, participants=selectors.participants_of(user=request.user))
    if form.is_valid():
        try:
            services.workshop_signup_cancel(
                workshop=found, participant=form.cleaned_data["participant"], actor=request.user
            )
        except services.ProjectError as error:
            error.add_to(form)
        else:
            messages.success(request, _("You are off the list."))
            return redirect("projects:workshop", workshop=found.pk)
    context = _workshop_context(request, found) | {"leave_form": form}
    return render(request, "projects/workshop.html", context, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def workshop_conclude(request: HttpRequest, workshop: int) -> HttpResponse:
    found = selectors.workshop_get(pk=workshop)
    if not can_run_workshop(request.user, found) or found.starts_at > timezone.now():
        raise Http404(_("No such page."))
    initial = {}
    if found.conclusions is not None:
        initial["body"] = found.conclusions.current_revision.body
    form = ConclusionsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            page = services.workshop_conclude(
                workshop=found,
                actor=request.user,
                body=form.cleaned_data["body"],
                language=get_language() or "en",
            )
        except (services.ProjectError, DomainError) as error:
            error.add_to(form)
        else:
            messages.success(request, _("The conclusions are published."))
            return redirect(page.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    context = {"workshop": found, "form": form}
    return render(request, "projects/workshop_conclude.html", context, status=status)


@require_POST
@login_required
def workshop_cancel(request: HttpRequest, workshop: int) -> HttpResponse:
    found = selectors.workshop_get(pk=workshop)
    if not can_run_workshop(request.user, found):
        raise Http404(_("No such page."))
    try:
        services.workshop_cancel(workshop=found, actor=request.user)
    except services.ProjectError as error:
        context = _workshop_context(request, found) | {"problem": error.message}
        return render(request, "projects/workshop.html", context, status=400)
    messages.success(request, _("The workshop is cancelled; those signed up are told."))
    return redirect("projects:workshop", workshop=found.pk)
