"""A participant's answers to the SPIRAL questions: read by anyone, written by its members."""

from typing import cast

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from projects.forms import WellbeingForm
from projects.gate import ParticipantHttpRequest, ParticipantUserHttpRequest, participant_required
from projects.permissions import can_contribute
from projects.wellbeing.selectors import (
    answer_pool_of,
    project_scope_key,
    wellbeing_answers,
    wellbeing_questions,
)
from projects.wellbeing.services import wellbeing_answer, wellbeing_answer_remove
from wikispiral.accounts.models import User
from wikispiral.errors import DomainError


@require_http_methods(["GET", "POST"])
@participant_required(can_contribute, public=True)
def wellbeing(request: ParticipantHttpRequest, participant: str) -> HttpResponse:
    found = request.participant
    allowed = can_contribute(request.user, found)  # shows the form; POST passed the gate
    form = None
    status = 200
    if allowed:
        form = WellbeingForm(
            request.POST or None,
            questions=wellbeing_questions(),
            ask_country=found.country_id is None,
            language=(get_language() or "en").split("-")[0],
        )
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    saved = wellbeing_answer(
                        participant=found,
                        actor=cast(User, request.user),  # a POST passed the gate: signed in
                        answers=form.answers(),
                        language=form.cleaned_data["language"],
                        session_date=form.cleaned_data["session_date"],
                        country=form.cleaned_data.get("country"),
                    )
                except DomainError as error:
                    error.add_to(form)
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d answer is recorded. It counts in the syntheses once the "
                            "secretariat has classified it.",
                            "%(count)d answers are recorded. They count in the syntheses once "
                            "the secretariat has classified them.",
                            len(saved),
                        )
                        % {"count": len(saved)},
                    )
                    return redirect("projects:wellbeing", participant=found.slug)
    answers = wellbeing_answers(found)
    pool = answer_pool_of(found)
    context = {
        "participant": found,
        "form": form,
        "answers": answers,
        "answered": sum(len(item.criteria) for item in answers),
        "pool": pool,
        "pool_key": f"hg-{pool.group_id}" if pool is not None else None,
        "project_key": project_scope_key(),
        "can_contribute": allowed,
    }
    return render(request, "projects/wellbeing.html", context, status=status)


@require_POST
@participant_required(can_contribute)
def wellbeing_remove(
    request: ParticipantUserHttpRequest, participant: str, pk: int
) -> HttpResponse:
    found = request.participant
    try:
        wellbeing_answer_remove(participant=found, actor=request.user, criterion_id=pk)
    except DomainError as error:
        raise Http404(error.message) from error
    messages.success(request, _("The answer is taken back."))
    return redirect("projects:wellbeing", participant=found.slug)
