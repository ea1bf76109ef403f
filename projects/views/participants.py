"""Pages of the project and of a participant: the project's home, joining, a participant's page
and its footprints. Thin: parse, check, call one service, render.

Refusals of a participant's forms to people who do not write for it answer 404 (as a
coordination group's do), anonymous visitors are sent to log in first."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from projects import charts, selectors, services
from projects.forms import (
    FootprintForm,
    JoinForm,
    ParticipantForm,
)
from projects.gate import (
    ParticipantHttpRequest,
    ParticipantUserHttpRequest,
    participant_required,
)
from projects.models import (
    GOAL_KG_PER_PERSON,
    Category,
    Participant,
)
from projects.permissions import (
    can_contribute,
    can_manage_participant,
    can_take_part,
)
from wikispiral.accounts.models import User


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The project: what it is, how many take part, the latest choices."""
    counts = selectors.participant_counts()
    context = {
        "kinds": [(label, counts.get(kind, 0)) for kind, label in Participant.Kind.choices],
        "total": sum(counts.values()),
        "latest": selectors.latest_choices(limit=12),
        "mine": selectors.participants_of(user=request.user),
        "goal_tonnes": charts.tonnes_text(GOAL_KG_PER_PERSON),
    }
    return render(request, "projects/home.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def join(request: HttpRequest) -> HttpResponse:
    if not can_take_part(request.user):
        return render(request, "projects/confirm_first.html", status=403)
    form = JoinForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                participant = services.participant_join(
                    actor=cast(User, request.user),  # login_required sent anonymous visitors away
                    kind=data["kind"],
                    subtype=data["subtype"],
                    name=data["name"],
                    people=data["people"],
                    country=data["country"],
                    coordination_group=data["coordination_group"],
                    language=get_language() or "en",
                )
            except services.ProjectError as error:
                error.add_to(form)
            else:
                messages.success(request, _("Welcome to the project."))
                return redirect("projects:participant", participant=participant.slug)
        status = 400
    return render(request, "projects/join.html", {"form": form}, status=status)


@require_GET
@participant_required(public=True)
def participant_page(request: ParticipantHttpRequest, participant: str) -> HttpResponse:
    found = request.participant
    footprints = selectors.footprint_list(participant=found)
    path = charts.footprint_path(footprints)
    context = {
        "participant": found,
        "choices": selectors.choice_list(participant=found),
        "footprints": list(zip(footprints, path.points, strict=True)),
        "path": path,
        "chart": charts.footprint_svg(path, chart_id="footprint-path"),
        "can_contribute": can_contribute(request.user, found),
        "can_manage": can_manage_participant(request.user, found),
        "answered": selectors.participant_answered(participant=found),
    }
    return render(request, "projects/participant.html", context)


@require_http_methods(["GET", "POST"])
@participant_required(can_manage_participant)
def participant_edit(request: ParticipantUserHttpRequest, participant: str) -> HttpResponse:
    found = request.participant
    initial = {"name": found.name, "people": found.people, "country": found.country}
    form = ParticipantForm(request.POST or None, initial=initial)
    tied = found.kind == Participant.Kind.TERRITORY and found.coordination_group_id is not None
    if tied or selectors.participant_answered(participant=found):
        # A tied territory's country is its group's; answers count in the country they were in.
        form.fields["country"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_update(
                participant=found,
                actor=request.user,
                name=form.cleaned_data["name"],
                people=form.cleaned_data["people"],
                country=form.cleaned_data["country"],
            )
        except services.ProjectError as error:
            error.add_to(form)
        else:
            messages.success(request, _("Saved."))
            return redirect("projects:participant", participant=found.slug)
    status = 400 if request.method == "POST" else 200
    context = {"participant": found, "form": form}
    return render(request, "projects/participant_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@participant_required(can_contribute)
def footprint_new(request: ParticipantUserHttpRequest, participant: str) -> HttpResponse:
    found = request.participant
    form = FootprintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.footprint_record(
                participant=found,
                actor=request.user,
                measured_on=data["measured_on"],
                total_kg=data["total_kg"],
                by_category=form.parts(),
                source=data["source"],
            )
        except services.ProjectError as error:
            error.add_to(form)
        else:
            messages.success(request, _("Your footprint is recorded."))
            return redirect(reverse("projects:participant", args=[found.slug]) + "#footprint")
    context = {
        "participant": found,
        "form": form,
        "part_fields": [form[f"part_{value}"] for value in Category.values],
        "goal_tonnes": charts.tonnes_text(GOAL_KG_PER_PERSON),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/footprint_form.html", context, status=status)
