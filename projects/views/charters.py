"""Charters: the list, drafting one, opening the vote, voting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects import selectors, services
from projects.charter_rule import QUORUM_AT_LEAST
from projects.forms import (
    CharterForm,
    CharterOpenForm,
    VoteForm,
)
from projects.models import Charter
from projects.permissions import (
    can_open_charter,
    can_organise,
)
from wikispiral.errors import DomainError
from wikispiral.wiki.selectors import revision_render


@require_GET
def charters(request: HttpRequest) -> HttpResponse:
    # Votes over since the job last ran are decided before they are listed.
    services.charters_close_due()
    context = {
        "charters": selectors.charter_list(),
        "now": timezone.now(),
        "can_draft": can_organise(request.user),
    }
    return render(request, "projects/charters.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def charter_new(request: HttpRequest) -> HttpResponse:
    if not can_organise(request.user):
        raise Http404(_("No such page."))
    form = CharterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            charter = services.charter_draft(
                actor=request.user,
                title=form.cleaned_data["title"],
                workshop=form.cleaned_data["workshop"],
                language=get_language() or "en",
            )
        except (services.ProjectError, DomainError) as error:
            error.add_to(form)
        else:
            messages.success(request, _("The draft is a wiki page: write it together."))
            return redirect("projects:charter", charter=charter.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/charter_new.html", {"form": form}, status=status)


def _charter_context(request: HttpRequest, charter: Charter) -> dict:
    now = timezone.now()
    state = charter.state(now)
    mine = selectors.participants_of(user=request.user)
    voted = selectors.charter_voted(charter=charter, participants=mine) if mine else set()
    can_open = state == "draft" and can_open_charter(request.user, charter)
    waiting = [participant for participant in mine if participant.pk not in voted]
    return {
        "charter": charter,
        "state": state,
        "rule": selectors.charter_rule_get(charter=charter, now=now),
        "quorum_at_least": QUORUM_AT_LEAST,
        "text": revision_render(page=charter.page, revision=charter.revision)
        if charter.revision is not None
        else None,
        "results": selectors.charter_results(charter=charter) if state == "closed" else None,
        "vote_form": VoteForm(participants=waiting) if state == "open" and waiting else None,
        "voted": [participant for participant in mine if participant.pk in voted],
        "open_form": CharterOpenForm() if can_open else None,
    }


def _charter_decided(pk: int) -> Charter:
    """The charter, its outcome decided first when its vote is over (the job may not have run
    yet)."""
    found = selectors.charter_get(pk=pk)
    if found.opens_at is not None and not found.outcome and found.state(timezone.now()) == "closed":
        services.charter_close(charter=found)
        found = selectors.charter_get(pk=pk)
    return found


@require_GET
def charter(request: HttpRequest, charter: int) -> HttpResponse:
    found = _charter_decided(charter)
    return render(request, "projects/charter.html", _charter_context(request, found))


@require_POST
@login_required
def charter_open(request: HttpRequest, charter: int) -> HttpResponse:
    found = selectors.charter_get(pk=charter)
    if found.opens_at is not None or not can_open_charter(request.user, found):
        raise Http404(_("No such page."))
    form = CharterOpenForm(request.POST)
    if form.is_valid():
        try:
            services.charter_open(
                charter=found, actor=request.user, closes_at=form.cleaned_data["closes_at"]
            )
        except services.ProjectError as error:
            error.add_to(form)
        else:
            messages.success(request, _("The vote is open."))
            return redirect("projects:charter", charter=found.pk)
    context = _charter_context(request, found) | {"open_form": form}
    return render(request, "projects/charter.html", context, status=400)


@require_POST
@login_required
def charter_vote(request: HttpRequest, charter: int) -> HttpResponse:
    found = _charter_decided(charter)
    form = VoteForm(request.POST, participants=selectors.participants_of(user=request.user))
    if form.is_valid():
        try:
            services.charter_vote(
                charter=found,
                participant=form.cleaned_data["participant"],
                actor=request.user,
                voice=form.cleaned_data["voice"],
                remarks=form.cleaned_data["remarks"],
            )
        except services.ProjectError as error:
            error.add_to(form)
        else:
            messages.success(request, _("Your voice is counted."))
            return redirect("projects:charter", charter=found.pk)
    context = _charter_context(request, found) | {"vote_form": form}
    return render(request, "projects/charter.html", context, status=400)
