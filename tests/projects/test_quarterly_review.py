"""The quarterly review carries the meeting's theme and its report (a wiki page of the network
the organisers start from the review and write in the wiki) beside the quarter's figures."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import services, summaries
from projects.models import QuarterlyReview
from tests.factories import make_coordination_group, make_user
from wikispiral.audit.models import AuditEntry
from wikispiral.wiki.models import Page
from wikispiral.wiki.services import page_delete, page_revise

pytestmark = pytest.mark.django_db

YEAR, QUARTER = 2026, 3


def _organiser():
    user = make_user()
    make_coordination_group(facilitator=user)
    return user


def _urls(year: int = YEAR, quarter: int = QUARTER) -> tuple[str, str, str]:
    return (
        reverse("projects:review", args=[year, quarter]),
        reverse("projects:review_theme", args=[year, quarter]),
        reverse("projects:review_report", args=[year, quarter]),
    )


def test_an_organiser_sets_the_theme_and_everyone_reads_it_with_the_figures(client):
    services.participant_join(actor=make_user(), kind="citizen", subtype="individual", name="Ana")
    summaries.summaries_recompute(force=True)
    now = timezone.localdate()
    year, quarter = now.year, (now.month - 1) // 3 + 1
    page, theme, _report = _urls(year, quarter)
    client.force_login(_organiser())

    saved = client.post(theme, {"theme": "Eating well on a small budget"})

    assert saved.status_code == 302 and saved["Location"] == page
    review = QuarterlyReview.objects.get()
    assert (review.year, review.quarter, review.theme) == (
        year,
        quarter,
        "Eating well on a small budget",
    )
    assert AuditEntry.objects.filter(action="projects.review.theme_set").exists()
    client.logout()
    html = client.get(page).content.decode()
    assert "Eating well on a small budget" in html
    assert "New participants" in html  # the figures are there too
    assert "Save the theme" not in html  # no form for a reader
    listed = client.get(reverse("projects:reviews")).content.decode()
    assert "Eating well on a small budget" in listed


def test_the_theme_of_a_quarter_without_figures_yet_lists_it(client):
    client.force_login(_organiser())
    _page, theme, _report = _urls()

    client.post(theme, {"theme": "Getting around"})

    listed = client.get(reverse("projects:reviews")).content.decode()
    assert reverse("projects:review", args=[YEAR, QUARTER]) in listed
    assert "Getting around" in listed


@pytest.mark.parametrize(
    ("year", "quarter", "theme", "message"),
    [
        (YEAR, QUARTER, "", "This field is required."),
        (YEAR, QUARTER, "   ", "This field is required."),
        (YEAR, QUARTER, "x" * 201, "at most 200 characters"),
        (2019, 4, "Before the project", "There is no such quarter in the project."),
        (2099, 1, "Far ahead", "A quarterly meeting is prepared at most a year ahead."),
    ],
)
def test_a_bad_theme_or_quarter_is_refused_with_a_message_and_nothing_saved(
    client, year, quarter, theme, message
):
    client.force_login(_organiser())

    response = client.post(reverse("projects:review_theme", args=[year, quarter]), {"theme": theme})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert not QuarterlyReview.objects.exists()


def test_a_quarter_that_cannot_exist_is_not_found(client):
    client.force_login(_organiser())
    assert (
        client.post(reverse("projects:review_theme", args=[YEAR, 5]), {"theme": "T"}).status_code
        == 404
    )
    assert client.get(reverse("projects:review", args=[YEAR, 0])).status_code == 404


def test_only_organisers_prepare_the_meeting(client):
    page, theme, report = _urls()
    assert client.post(theme, {"theme": "Mine"}).status_code == 302  # log in first
    client.force_login(make_user())

    assert client.post(theme, {"theme": "Mine"}).status_code == 404
    assert client.post(report).status_code == 404
    assert "Save the theme" not in client.get(page).content.decode()
    assert not QuarterlyReview.objects.exists()
    with pytest.raises(services.ProjectError, match="Only the secretariat and facilitators"):
        services.quarterly_review_theme_set(
            actor=make_user(), year=YEAR, quarter=QUARTER, theme="Mine"
        )


def test_the_report_is_started_from_the_review_as_a_wiki_page_and_shown_there(client):
    organiser = _organiser()
    page, theme, report = _urls()
    client.force_login(organiser)
    client.post(theme, {"theme": "Energy at home"})

    started = client.post(report)

    review = QuarterlyReview.objects.select_related("report__space").get()
    wiki = review.report
    assert started.status_code == 302
    assert started["Location"] == wiki.url_for("edit")
    assert wiki.space.slug == "network"
    assert "Energy at home" in wiki.current_revision.body  # the outline starts with the theme
    again = client.post(report)
    assert again["Location"] == wiki.url_for("edit")  # the same page, not a second one
    assert Page.objects.filter(slug__startswith="right-choices-review").count() == 1
    page_revise(
        page=wiki,
        actor=organiser,
        title=wiki.title,
        body="## What we learned\n\nHeating at 19 °C is easy.",
        base_revision_id=wiki.current_revision_id,
    )
    client.logout()
    html = client.get(page).content.decode()
    assert "Heating at 19 °C is easy." in html
    assert wiki.get_absolute_url() in html
    assert "Write the report" not in html


def test_a_deleted_report_can_be_started_again(client):
    organiser = _organiser()
    client.force_login(organiser)
    page, _theme, report = _urls()
    client.post(report)
    first = QuarterlyReview.objects.get().report
    page_delete(page=first, actor=organiser)

    assert "Write the report" in client.get(page).content.decode()
    client.post(report)

    second = QuarterlyReview.objects.get().report
    assert second.pk != first.pk and not second.is_deleted
    assert second.slug == f"right-choices-review-{YEAR}-q{QUARTER}-2"


def test_the_review_page_has_its_headings_and_labelled_form(client):
    client.force_login(_organiser())
    html = client.get(_urls()[0]).content.decode()
    assert "<h1>Review of 2026, quarter 3</h1>" in html
    assert '<h2 id="meeting-title">' in html and '<h2 id="figures-title">' in html
    assert '<label for="id_theme">Theme of the meeting' in html


def test_a_review_of_an_earlier_quarter_can_still_be_written(client):
    client.force_login(_organiser())
    past = timezone.localdate() - datetime.timedelta(days=400)
    quarter = (past.month - 1) // 3 + 1
    response = client.post(
        reverse("projects:review_theme", args=[past.year, quarter]), {"theme": "Looking back"}
    )
    assert response.status_code == 302
