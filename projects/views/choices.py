"""A participant's choices: writing them, their comments and "I do this too"."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects import selectors, services
from projects.forms import (
    ChoiceForm,
    CommentForm,
    ShareForm,
)
from projects.gate import ParticipantHttpRequest, ParticipantUserHttpRequest, participant_required
from projects.models import (
    Choice,
    Participant,
)
from projects.permissions import (
    can_contribute,
    can_take_part,
)


@require_http_methods(["GET", "POST"])
@participant_required(can_contribute)
def choice_new(request: ParticipantUserHttpRequest, participant: str) -> HttpResponse:
    found = request.participant
    form = ChoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            choice = services.choice_create(
                participant=found, actor=request.user, **form.service_fields()
            )
        except services.ProjectError as error:
            error.add_to(form)
        else:
            messages.success(request, _("Your choice is recorded."))
            return redirect("projects:choice", participant=found.slug, pk=choice.pk)
    context = {"participant": found, "form": form, "choice": None}
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/choice_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@participant_required(can_contribute)
def choice_edit(request: ParticipantUserHttpRequest, participant: str, pk: int) -> HttpResponse:
    found = request.participant
    choice = selectors.choice_get(participant=found, pk=pk)
    initial = {
        name: getattr(choice, name)
        for name in (
            "title",
            "category",
            "status",
            "started_on",
            "description",
            "results",
            "emissions_change_kg",
        )
    }
    form = ChoiceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.choice_update(choice=choice, actor=request.user, **form.service_fields())
        except services.ProjectError as error:
            error.add_to(form)
        else:
            messages.success(request, _("Saved."))
            return redirect("projects:choice", participant=found.slug, pk=choice.pk)
    context = {"participant": found, "form": form, "choice": choice}
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/choice_form.html", context, status=status)


def _choice_context(request: HttpRequest, found: Participant, choice: Choice) -> dict:
    mine = [other for other in selectors.participants_of(user=request.user) if other.pk != found.pk]
    sharers = selectors.choice_sharers(choice=choice)
    return {
        "participant": found,
        "choice": choice,
        "comments": selectors.choice_comments(choice=choice),
        "sharers": sharers,
        "can_contribute": can_contribute(request.user, found),
        "can_take_part": can_take_part(request.user),
        "share_form": ShareForm(participants=mine) if mine else None,
        "comment_form": CommentForm(),
    }


@require_GET
@participant_required(public=True)
def choice(request: ParticipantHttpRequest, participant: str, pk: int) -> HttpResponse:
    found = request.participant
    shown = selectors.choice_get(participant=found, pk=pk)
    return render(request, "projects/choice.html", _choice_context(request, found, shown))


type TakePartView = Callable[[ParticipantUserHttpRequest, Participant, Choice], HttpResponse]


def _taking_part(view: TakePartView) -> Callable[..., HttpResponse]:
    """Commenting and "I do this too" (POST): open to anyone signed in with a confirmed address
    (403 otherwise, once the choice is known to exist), not only to the participant's members.
    The view gets the participant and its choice named in the URL."""

    @require_POST
    @participant_required()
    @wraps(view)
    def wrapper(request: ParticipantUserHttpRequest, participant: str, pk: int) -> HttpResponse:
        shown = selectors.choice_get(participant=request.participant, pk=pk)
        if not can_take_part(request.user):
            return render(request, "projects/confirm_first.html", status=403)
        return view(request, request.participant, shown)

    return wrapper


@_taking_part
def choice_comment(
    request: ParticipantUserHttpRequest, found: Participant, shown: Choice
) -> HttpResponse:
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.choice_comment(
                choice=shown, actor=request.user, body=form.cleaned_data["body"]
            )
        except services.ProjectError as error:
            error.add_to(form)
        else:
            return redirect(reverse("projects:choice", args=[found.slug, shown.pk]) + "#comments")
    context = _choice_context(request, found, shown) | {"comment_form": form}
    return render(request, "projects/choice.html", context, status=400)


@_taking_part
def choice_share(
    request: ParticipantUserHttpRequest, found: Participant, shown: Choice
) -> HttpResponse:
    mine = [p for p in selectors.participants_of(user=request.user) if p.pk != found.pk]
    form = ShareForm(request.POST, participants=mine)
    if form.is_valid():
        try:
            services.choice_share(
                choice=shown, participant=form.cleaned_data["participant"], actor=request.user
            )
        except services.ProjectError as error:
            error.add_to(form)
        else:
            messages.success(request, _("Noted: you do this too."))
            return redirect("projects:choice", participant=found.slug, pk=shown.pk)
    elif not mine:
        form.add_error(None, _("Join the project first, then say you do this too."))
    context = _choice_context(request, found, shown) | {"share_form": form}
    return render(request, "projects/choice.html", context, status=400)
