"""The project's summaries, their exports, the feeds of choices and the quarterly reviews
(with their meeting's theme and report)."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from projects import exports, feeds, selectors, services
from projects.display import review_display, summary_display
from projects.forms import ReviewThemeForm
from projects.permissions import can_organise
from wikispiral.accounts.models import User
from wikispiral.errors import DomainError
from wikispiral.wiki.selectors import revision_render

feed_rss = feeds.ChoicesFeed()


feed_atom = feeds.ChoicesAtomFeed()


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


@require_GET
def reviews(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "quarters": selectors.review_quarters(),
        "can_organise": can_organise(request.user),
        "current_year": today.year,
        "current_quarter": (today.month - 1) // 3 + 1,
    }
    return render(request, "projects/reviews.html", context)


def _review_page(
    request: HttpRequest,
    year: int,
    quarter: int,
    *,
    theme_form: ReviewThemeForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    found = selectors.review_get(year=year, quarter=quarter)
    meeting = selectors.quarterly_review_get(year=year, quarter=quarter)
    report = meeting.report if meeting is not None else None
    if report is not None and (report.is_deleted or report.current_revision is None):
        report = None
    organiser = can_organise(request.user)
    if organiser and theme_form is None:
        theme_form = ReviewThemeForm(initial={"theme": meeting.theme if meeting else ""})
    context = {
        "year": year,
        "quarter": quarter,
        "summary": found,
        "review": review_display(found.figures if found is not None else {}),
        "meeting": meeting,
        "report": report,
        "report_text": revision_render(page=report, revision=report.current_revision)
        if report is not None and report.current_revision is not None
        else None,
        "can_organise": organiser,
        "theme_form": theme_form if organiser else None,
        "problem": problem,
    }
    return render(request, "projects/review.html", context, status=status)


@require_GET
def review(request: HttpRequest, year: int, quarter: int) -> HttpResponse:
    """A quarter of the project: its meeting's theme and report, and its figures (who joined,
    the choices, what they avoid, workshops held)."""
    return _review_page(request, year, quarter)


def _organiser_of(request: HttpRequest, year: int, quarter: int) -> User:
    if not can_organise(request.user):
        raise Http404(_("No such page."))
    selectors.review_get(year=year, quarter=quarter)  # 404 for a quarter that cannot exist
    return cast(User, request.user)


@require_POST
@login_required
def review_theme(request: HttpRequest, year: int, quarter: int) -> HttpResponse:
    """The organisers set the theme of the quarter's meeting."""
    actor = _organiser_of(request, year, quarter)
    form = ReviewThemeForm(request.POST)
    if form.is_valid():
        try:
            services.quarterly_review_theme_set(
                actor=actor, year=year, quarter=quarter, theme=form.cleaned_data["theme"]
            )
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("The theme of the meeting is saved."))
            return redirect("projects:review", year=year, quarter=quarter)
    return _review_page(request, year, quarter, theme_form=form, status=400)


@require_POST
@login_required
def review_report(request: HttpRequest, year: int, quarter: int) -> HttpResponse:
    """The organisers start the report of the quarter's meeting: a page of the wiki, then
    written there."""
    actor = _organiser_of(request, year, quarter)
    try:
        page = services.quarterly_review_report_create(
            actor=actor, year=year, quarter=quarter, language=get_language() or "en"
        )
    except DomainError as error:
        return _review_page(request, year, quarter, problem=error.message, status=400)
    messages.success(request, _("The report is a page of the wiki: write it there."))
    return redirect(page.url_for("edit"))
