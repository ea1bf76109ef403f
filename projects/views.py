"""Pages of "Together let's learn to make the right choices": the project, joining, a
participant's page, its choices and footprints. Thin: parse, check, call one service, render.

Refusals of a participant's forms to people who do not write for it answer 404 (as a
coordination group's do), anonymous visitors are sent to log in first."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects import charts, exports, feeds, selectors, services
from projects.display import review_display, summary_display
from projects.forms import (
    CharterForm,
    CharterOpenForm,
    ChoiceForm,
    CommentForm,
    ConclusionsForm,
    FootprintForm,
    JoinForm,
    MemberForm,
    ParticipantForm,
    ShareForm,
    VoteForm,
    WorkshopForm,
)
from projects.models import (
    GOAL_KG_PER_PERSON,
    Category,
    Choice,
    Participant,
    ParticipantInvitation,
)
from projects.permissions import (
    can_contribute,
    can_manage_participant,
    can_open_charter,
    can_organise,
    can_run_workshop,
    can_take_part,
)
from territories.groups.forms import InvitationSignupForm
from territories.services import INVITATION_VALIDITY
from wikispiral.accounts.ratelimit import rate_limited_response
from wikispiral.accounts.selectors import user_get_for_login
from wikispiral.accounts.views import MODEL_BACKEND
from wikispiral.errors import DomainError
from wikispiral.wiki.selectors import revision_render

feed_rss = feeds.ChoicesFeed()
feed_atom = feeds.ChoicesAtomFeed()


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


def _needs_login(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    if (refusal := _needs_login(request)) is not None:
        return refusal
    if not can_take_part(request.user):
        return render(request, "projects/confirm_first.html", status=403)
    form = JoinForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                participant = services.participant_join(
                    actor=request.user,
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
def participant_page(request: HttpRequest, participant: str) -> HttpResponse:
    found = selectors.participant_get(slug=participant)
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
    }
    return render(request, "projects/participant.html", context)


def _participant_for(
    request: HttpRequest, participant: str, allowed: Callable[[object, Participant], bool]
) -> Participant | HttpResponse:
    """The participant of slug for someone allowed (can_contribute, can_manage_participant);
    anonymous visitors log in first, anyone else gets 404."""
    if (refusal := _needs_login(request)) is not None:
        return refusal
    found = selectors.participant_get(slug=participant)
    if not allowed(request.user, found):
        raise Http404(_("No such participant."))
    return found


@require_http_methods(["GET", "POST"])
def participant_edit(request: HttpRequest, participant: str) -> HttpResponse:
    found = _participant_for(request, participant, can_manage_participant)
    if isinstance(found, HttpResponse):
        return found
    initial = {"name": found.name, "people": found.people, "country": found.country}
    form = ParticipantForm(request.POST or None, initial=initial)
    if found.kind == Participant.Kind.TERRITORY or found.wellbeing_group_id is not None:
        # The country of a territory is its group's; answers count in the country they were in.
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
def choice_new(request: HttpRequest, participant: str) -> HttpResponse:
    found = _participant_for(request, participant, can_contribute)
    if isinstance(found, HttpResponse):
        return found
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
def choice_edit(request: HttpRequest, participant: str, pk: int) -> HttpResponse:
    found = _participant_for(request, participant, can_contribute)
    if isinstance(found, HttpResponse):
        return found
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
def choice(request: HttpRequest, participant: str, pk: int) -> HttpResponse:
    found = selectors.participant_get(slug=participant)
    shown = selectors.choice_get(participant=found, pk=pk)
    return render(request, "projects/choice.html", _choice_context(request, found, shown))


def _take_part(
    request: HttpRequest, participant: str, pk: int
) -> tuple[Participant, Choice] | HttpResponse:
    if (refusal := _needs_login(request)) is not None:
        return refusal
    found = selectors.participant_get(slug=participant)
    shown = selectors.choice_get(participant=found, pk=pk)
    if not can_take_part(request.user):
        return render(request, "projects/confirm_first.html", status=403)
    return found, shown


@require_POST
def choice_comment(request: HttpRequest, participant: str, pk: int) -> HttpResponse:
    taken = _take_part(request, participant, pk)
    if isinstance(taken, HttpResponse):
        return taken
    found, shown = taken
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


@require_POST
def choice_share(request: HttpRequest, participant: str, pk: int) -> HttpResponse:
    taken = _take_part(request, participant, pk)
    if isinstance(taken, HttpResponse):
        return taken
    found, shown = taken
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


@require_http_methods(["GET", "POST"])
def footprint_new(request: HttpRequest, participant: str) -> HttpResponse:
    found = _participant_for(request, participant, can_contribute)
    if isinstance(found, HttpResponse):
        return found
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


def _summary(request: HttpRequest, key: str) -> tuple:
    ref = selectors.summary_ref(key)
    summary = selectors.summary_get(ref)
    display = summary_display(summary.figures if summary is not None else {})
    return ref, summary, display


@require_GET
def summary(request: HttpRequest, key: str = "project") -> HttpResponse:
    """The figures of the project, a country or a coordination group, from the latest job."""
    ref, found, display = _summary(request, key)
    context = {"ref": ref, "summary": found, "display": display}
    return render(request, "projects/summary.html", context)


@require_GET
def summary_export(request: HttpRequest, key: str, kind: str) -> HttpResponse:
    """The summary's tables as CSV or XLSX."""
    ref, _found, display = _summary(request, key)
    name = f"right-choices-{ref.key}"
    if kind == "csv":
        response = HttpResponse(
            exports.summary_csv(display), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if kind == "xlsx":
        response = HttpResponse(
            exports.summary_xlsx(display),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    raise Http404(_("No such format."))


# --- Workshops ------------------------------------------------------------------------------


@require_GET
def workshops(request: HttpRequest) -> HttpResponse:
    context = {
        "upcoming": selectors.workshop_list(upcoming=True),
        "past": selectors.workshop_list(upcoming=False, limit=20),
        "can_organise": can_organise(request.user),
    }
    return render(request, "projects/workshops.html", context)


@require_http_methods(["GET", "POST"])
def workshop_new(request: HttpRequest) -> HttpResponse:
    if (refusal := _needs_login(request)) is not None:
        return refusal
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
def workshop_signup(request: HttpRequest, workshop: int) -> HttpResponse:
    if (refusal := _needs_login(request)) is not None:
        return refusal
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
def workshop_leave(request: HttpRequest, workshop: int) -> HttpResponse:
    if (refusal := _needs_login(request)) is not None:
        return refusal
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
def workshop_conclude(request: HttpRequest, workshop: int) -> HttpResponse:
    if (refusal := _needs_login(request)) is not None:
        return refusal
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


# --- Charters -------------------------------------------------------------------------------


@require_GET
def charters(request: HttpRequest) -> HttpResponse:
    context = {
        "charters": selectors.charter_list(),
        "now": timezone.now(),
        "can_draft": can_organise(request.user),
    }
    return render(request, "projects/charters.html", context)


@require_http_methods(["GET", "POST"])
def charter_new(request: HttpRequest) -> HttpResponse:
    if (refusal := _needs_login(request)) is not None:
        return refusal
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


def _charter_context(request: HttpRequest, charter: object) -> dict:
    now = timezone.now()
    state = charter.state(now)
    mine = selectors.participants_of(user=request.user)
    voted = selectors.charter_voted(charter=charter, participants=mine) if mine else set()
    can_open = state == "draft" and can_open_charter(request.user, charter)
    waiting = [participant for participant in mine if participant.pk not in voted]
    return {
        "charter": charter,
        "state": state,
        "text": revision_render(page=charter.page, revision=charter.revision)
        if charter.revision is not None
        else None,
        "results": selectors.charter_results(charter=charter) if state == "closed" else None,
        "vote_form": VoteForm(participants=waiting) if state == "open" and waiting else None,
        "voted": [participant for participant in mine if participant.pk in voted],
        "open_form": CharterOpenForm() if can_open else None,
    }


@require_GET
def charter(request: HttpRequest, charter: int) -> HttpResponse:
    found = selectors.charter_get(pk=charter)
    return render(request, "projects/charter.html", _charter_context(request, found))


@require_POST
def charter_open(request: HttpRequest, charter: int) -> HttpResponse:
    if (refusal := _needs_login(request)) is not None:
        return refusal
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
def charter_vote(request: HttpRequest, charter: int) -> HttpResponse:
    if (refusal := _needs_login(request)) is not None:
        return refusal
    found = selectors.charter_get(pk=charter)
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


# --- Quarterly reviews ----------------------------------------------------------------------


@require_GET
def reviews(request: HttpRequest) -> HttpResponse:
    quarters = [
        (summary.scope_id // 10, summary.scope_id % 10) for summary in selectors.review_list()
    ]
    return render(request, "projects/reviews.html", {"quarters": quarters})


@require_GET
def review(request: HttpRequest, year: int, quarter: int) -> HttpResponse:
    """A quarter of the project: who joined, the choices, what they avoid, workshops held."""
    found = selectors.review_get(year=year, quarter=quarter)
    context = {
        "year": year,
        "quarter": quarter,
        "summary": found,
        "review": review_display(found.figures if found is not None else {}),
    }
    return render(request, "projects/review.html", context)


@require_POST
def workshop_cancel(request: HttpRequest, workshop: int) -> HttpResponse:
    if (refusal := _needs_login(request)) is not None:
        return refusal
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


# --- Who writes for a participant -----------------------------------------------------------


def _members_page(
    request: HttpRequest,
    participant: Participant,
    *,
    form: MemberForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "participant": participant,
        "members": selectors.participant_members(participant=participant),
        "invitations": selectors.participant_invitation_pending_list(participant=participant),
        "form": form or MemberForm(),
        "problem": problem,
    }
    return render(request, "projects/participant_members.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def participant_members(request: HttpRequest, participant: str) -> HttpResponse:
    """Who writes for the participant and the pending invitations; POST adds someone with an
    account, or emails an invitation to an address no account uses."""
    found = _participant_for(request, participant, can_manage_participant)
    if isinstance(found, HttpResponse):
        return found
    if request.method == "GET":
        return _members_page(request, found)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            added = services.participant_member_add_or_invite(
                participant=found,
                actor=request.user,
                identifier=form.cleaned_data["identifier"],
                role=form.cleaned_data["role"],
                language=get_language(),
            )
        except services.TooManyInvitations:
            return rate_limited_response(
                request, retry_after_seconds=services.INVITATIONS_WINDOW_SECONDS
            )
        except services.ProjectError as error:
            error.add_to(form)
        else:
            if isinstance(added, ParticipantInvitation):
                messages.success(
                    request,
                    _("An invitation was sent to %(email)s. The link works for %(days)s days.")
                    % {"email": added.email, "days": INVITATION_VALIDITY.days},
                )
            else:
                messages.success(request, _("Added."))
            return redirect("projects:participant_members", participant=found.slug)
    return _members_page(request, found, form=form, status=400)


@require_POST
def participant_member_remove(request: HttpRequest, participant: str, user_id: int) -> HttpResponse:
    found = _participant_for(request, participant, can_manage_participant)
    if isinstance(found, HttpResponse):
        return found
    try:
        services.participant_member_remove(participant=found, actor=request.user, user_id=user_id)
    except services.ProjectError as error:
        return _members_page(request, found, problem=error.message, status=400)
    messages.success(request, _("Removed."))
    return redirect("projects:participant_members", participant=found.slug)


@require_POST
def participant_invitation_revoke(request: HttpRequest, participant: str, pk: int) -> HttpResponse:
    found = _participant_for(request, participant, can_manage_participant)
    if isinstance(found, HttpResponse):
        return found
    invitation = selectors.participant_invitation_get(participant=found, pk=pk)
    try:
        services.participant_invitation_revoke(invitation=invitation, actor=request.user)
    except services.ProjectError as error:
        return _members_page(request, found, problem=error.message, status=400)
    messages.success(
        request,
        _("The invitation sent to %(email)s no longer works.") % {"email": invitation.email},
    )
    return redirect("projects:participant_members", participant=found.slug)


# --- Accepting an invitation ----------------------------------------------------------------


def _invitation_problem(request: HttpRequest, problem: str, status: int) -> HttpResponse:
    return render(request, "groups/invitation_problem.html", {"problem": problem}, status=status)


@never_cache
@sensitive_post_parameters("password", "password_confirm")
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Show an invitation to write for a participant and accept it: logged in with a button,
    otherwise by creating the account here (an existing account logs in first)."""
    found = selectors.participant_invitation_by_token(token=token)
    problem = services.participant_invitation_problem(found)
    if problem:
        # Used or expired links existed and are gone (410); unknown or revoked ones, 404.
        gone = found is not None and found.revoked_at is None
        return _invitation_problem(request, problem, 410 if gone else 404)
    account_exists = user_get_for_login(identifier=found.email) is not None
    context = {
        "invitation": found,
        "participant": found.participant,
        "account_exists": account_exists,
        "needs_confirmation": request.user.is_authenticated
        and services.invitation_needs_confirmed_address(invitation=found, user=request.user),
        "form": None,
        "login_url": redirect_to_login(request.path)["Location"],
    }
    status = 200
    if request.user.is_authenticated:
        if request.method == "POST":
            if context["needs_confirmation"]:
                return render(request, "projects/confirm_first.html", status=403)
            try:
                services.participant_invitation_accept(token=token, user=request.user)
            except services.InvitationUnusable as error:
                return _invitation_problem(request, error.message, 410)
            except services.ProjectError as error:
                return _invitation_problem(request, error.message, 400)
            return _invitation_accepted(request, found)
    elif not account_exists:
        form = InvitationSignupForm(request.POST or None)
        if request.method == "POST":
            if form.is_valid():
                data = form.cleaned_data
                try:
                    user = services.participant_invitation_accept_with_signup(
                        token=token,
                        username=data["username"],
                        password=data["password"],
                        display_name=data["display_name"],
                        preferred_language=get_language(),
                    )
                except services.InvitationUnusable as error:
                    return _invitation_problem(request, error.message, 410)
                except services.ProjectError as error:
                    return _invitation_problem(request, error.message, 400)
                except ValidationError as exc:
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    auth_login(request, user, backend=MODEL_BACKEND)
                    return _invitation_accepted(request, found)
            status = 400
        context["form"] = form
    elif request.method == "POST":
        # An account holds this address: only its owner, logged in, may accept.
        status = 400
    return render(request, "projects/invitation.html", context, status=status)


def _invitation_accepted(request: HttpRequest, invitation: ParticipantInvitation) -> HttpResponse:
    messages.success(
        request,
        _("You now write for %(participant)s, as %(role)s.")
        % {
            "participant": invitation.participant.name,
            "role": invitation.get_role_display().lower(),
        },
    )
    return redirect("projects:participant", participant=invitation.participant.slug)
