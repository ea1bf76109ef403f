"""The quarterly reviews' meetings: their theme and their report, a wiki page of the network
written by the organisers (the secretariat and the facilitators, as for workshops)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.models import QuarterlyReview
from projects.permissions import can_organise
from projects.services.validation import ProjectError, _clean_line
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.wiki.models import Page
from wikispiral.wiki.services import PageExists, page_create
from wikispiral.wiki.spaces import network_space_get_or_create

# The project began in 2020; a meeting is prepared at most a year ahead.
FIRST_YEAR = 2020
PREPARED_AHEAD = datetime.timedelta(days=366)
THEME_LIMIT = 200


def quarter_check(*, year: int, quarter: int) -> None:
    """Refuse a quarter that does not exist, is before the project or more than a year ahead."""
    if not 1 <= quarter <= 4 or not FIRST_YEAR <= year <= 9999:
        raise ProjectError(_("There is no such quarter in the project."))
    first_day = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    if first_day > timezone.localdate() + PREPARED_AHEAD:
        raise ProjectError(_("A quarterly meeting is prepared at most a year ahead."))


def _review_locked(*, year: int, quarter: int, actor: User) -> QuarterlyReview:
    if not can_organise(actor):
        raise ProjectError(
            _("Only the secretariat and facilitators prepare the quarterly meetings.")
        )
    quarter_check(year=year, quarter=quarter)
    QuarterlyReview.objects.get_or_create(year=year, quarter=quarter)
    return (
        QuarterlyReview.objects.select_for_update(of=("self",))
        .select_related("report")
        .get(year=year, quarter=quarter)
    )


@transaction.atomic
def quarterly_review_theme_set(
    *, actor: User, year: int, quarter: int, theme: str
) -> QuarterlyReview:
    """Set the theme of the quarter's meeting (shown on its review)."""
    theme = _clean_line(theme, "theme", _("The theme"), THEME_LIMIT)
    review = _review_locked(year=year, quarter=quarter, actor=actor)
    if review.theme == theme:
        return review
    review.theme = theme
    review.written_by = actor
    review.save(update_fields=["theme", "written_by", "updated_at"])
    audit_record(actor=actor, action="projects.review.theme_set", target=review, theme=theme)
    return review


def _report_body(review: QuarterlyReview) -> str:
    return _(
        "## Theme\n\n%(theme)s\n\n"
        "## Who took part\n\nTo be written.\n\n"
        "## What the figures of the quarter show\n\nTo be written.\n\n"
        "## What we learned\n\nTo be written.\n\n"
        "## What we decided\n\nTo be written."
    ) % {"theme": review.theme or _("To be written.")}


@transaction.atomic
def quarterly_review_report_create(*, actor: User, year: int, quarter: int, language: str) -> Page:
    """The report of the quarter's meeting: a wiki page of the network, started from an
    outline, that the organisers then write in the wiki (with its history). Asked twice, the
    page made the first time is returned."""
    review = _review_locked(year=year, quarter=quarter, actor=actor)
    if review.report is not None and not review.report.is_deleted:
        return review.report
    space = network_space_get_or_create()
    title = _("Right choices: the quarterly meeting of %(year)s, quarter %(quarter)s") % {
        "year": year,
        "quarter": quarter,
    }
    base = f"right-choices-review-{year}-q{quarter}"
    for attempt in range(1, 20):
        try:
            page = page_create(
                space=space,
                language=language,
                title=title,
                slug=base if attempt == 1 else f"{base}-{attempt}",
                body=_report_body(review),
                actor=actor,
                comment=_("Report of the quarterly meeting"),
            )
        except PageExists:
            continue  # a page someone wrote at that address stays as it is
        break
    else:
        raise ProjectError(_("Could not find a free address for the report. Try again."))
    review.report = page
    review.written_by = actor
    review.save(update_fields=["report", "written_by", "updated_at"])
    audit_record(actor=actor, action="projects.review.report_created", target=review)
    return page
