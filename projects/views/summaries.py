"""The project's summaries, their exports, the feeds of choices and the quarterly reviews."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from projects import exports, feeds, selectors
from projects.display import review_display, summary_display

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
