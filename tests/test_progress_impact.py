"""Impact reports: asked for by a platform's facilitators, drawn by a durable job from a frozen
copy (the same frozen copy, the same HTML; later changes leave a report as it was), read by
whoever may see the platform, a draft action's by its members only."""

import datetime
import re
import zlib
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from criteria.models import Component
from projects.impact import document, services
from projects.impact.document import impact_report_html
from projects.models import (
    Action,
    EvaluationSession,
    ImpactReport,
    Indicator,
    IndicatorLevel,
    Placement,
    Pledge,
)
from territories.models import Membership
from territories.services import membership_set
from tests.factories import (
    make_coordination_group,
    make_criterion,
    make_homogeneous_group,
    make_page,
    make_user,
)
from wikispiral.errors import DomainError
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import jobs_sweep
from wikispiral.tenancy import cross_tenant, tenant_scope

pytestmark = pytest.mark.django_db

LEVELS = ["Very bad", "Bad", "Good", "Very good"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _indicator(tenant, title: str) -> Indicator:
    indicator = Indicator.objects.create(
        tenant=tenant,
        component=Component.objects.get(version__is_current=True, code="A01"),
        language="en",
        texts={"en": {"title": title}, "fr": {"title": f"{title} (fr)"}},
        status=Indicator.Status.PUBLISHED,
    )
    for position, name in enumerate(LEVELS, start=1):
        IndicatorLevel.objects.create(
            tenant=tenant,
            indicator=indicator,
            position=position,
            texts={"en": {"name": name}, "fr": {"name": f"{name} (fr)"}},
        )
    return indicator


def _session(tenant, title, held_on, indicator, levels) -> EvaluationSession:
    session = EvaluationSession.objects.create(
        tenant=tenant,
        title=title,
        held_on=held_on,
        participants=len(levels),
        status=EvaluationSession.Status.PUBLISHED,
    )
    session.indicators.add(indicator)
    for number, level in enumerate(levels, start=1):
        Placement.objects.create(
            tenant=tenant,
            session=session,
            indicator=indicator,
            level=level,
            participant=number,
            placed_on=held_on,
        )
    return session


@pytest.fixture
def world():
    """A platform with a facilitator, an indicator evaluated before (median 2, "Bad") and after
    (median 3.5), and a published action with a pledge, a criterion and a narrative."""
    facilitator = make_user()
    tenant = make_coordination_group(facilitator=facilitator)
    criterion = make_criterion(tenant=tenant, text="Water that is safe to drink", component="A01")
    with tenant_scope(tenant):
        group = make_homogeneous_group(tenant=tenant, name="Fishers of the bay")
        indicator = _indicator(tenant, "Access to clean water")
        before = _session(tenant, "Spring walk", datetime.date(2025, 3, 1), indicator, [1, 2, 2, 3])
        after = _session(tenant, "Autumn walk", datetime.date(2026, 3, 1), indicator, [3, 3, 4, 4])
        page = make_page(
            space=tenant.space,
            title="The new well",
            body="We **dug** a well together. <script>alert(1)</script>",
        )
        action = Action.objects.create(
            tenant=tenant,
            title="A well for the village",
            description="Dig a well\nand keep it clean.",
            language="en",
            status=Action.Status.UNDER_WAY,
            starts_on=datetime.date(2025, 4, 1),
            published=True,
            before=before,
            after=after,
            page=page,
        )
        action.indicators.add(indicator)
        action.components.add(indicator.component)
        action.groups.add(group)
        action.criteria.add(criterion)
        Pledge.objects.create(
            tenant=tenant,
            action=action,
            pledger=Pledge.Pledger.ORGANISATION,
            name="Town hall",
            offer=Pledge.Offer.MONEY,
            description="Pipes and a pump",
            amount=Decimal("1500.00"),
            unit="EUR",
        )
    return tenant, facilitator, action


def _ask(tenant, facilitator, action=None, language="en", *, run=True, capture=None):
    """Ask for a report; with run, its job runs inline once the request commits."""
    with capture(execute=run):
        report = services.impact_report_request(
            tenant=tenant, actor=facilitator, action=action, language=language
        )
    with tenant_scope(tenant):
        report.refresh_from_db()
    return report


def _pdf_pages(data: bytes) -> int:
    """Page objects in a PDF, looking inside its compressed object streams too (no pypdf)."""
    texts = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, flags=re.S):
        try:
            texts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![s\w])", text)) for text in texts)


def _laid_out_text(html: str) -> str:
    """The text WeasyPrint lays out on the PDF's pages (pypdf is not installed to read the
    file back): every text box of every page."""
    from django.conf import settings
    from weasyprint import HTML

    from syntheses.reports import static_url_fetcher

    rendered = HTML(
        string=html, base_url=f"{settings.SITE_URL}/", url_fetcher=static_url_fetcher
    ).render()
    texts: list[str] = []

    def walk(box) -> None:
        if getattr(box, "text", None):
            texts.append(box.text)
        for child in getattr(box, "children", None) or []:
            walk(child)

    for page in rendered.pages:
        walk(page._page_box)
    return " ".join(texts)


# --- Asking and drawing ---------------------------------------------------------------------------


def test_an_action_report_is_drawn_by_its_job_into_a_pdf(world, django_capture_on_commit_callbacks):
    tenant, facilitator, action = world

    report = _ask(tenant, facilitator, action, capture=django_capture_on_commit_callbacks)

    assert report.status == ImpactReport.Status.DONE, report.message
    assert report.progress == 100 and report.started_at and report.finished_at
    assert report.pages >= 1
    data = report.file.read()
    assert data.startswith(b"%PDF")
    assert _pdf_pages(data) == report.pages
    assert Job.objects.get(key=services.impact_report_job_key(report.pk)).state == "done"
    text = _laid_out_text(impact_report_html(frozen=report.frozen))
    assert "A well for the village" in text
    assert "Town hall" in text and "Pipes and a pump" in text
    assert "2 (Bad)" in text  # the median before
    assert "3.5 (between Good and Very good)" in text  # the median after
    assert "+1.5" in text


def test_the_frozen_copy_holds_what_the_report_shows(world, django_capture_on_commit_callbacks):
    tenant, facilitator, action = world

    frozen = _ask(tenant, facilitator, action, capture=django_capture_on_commit_callbacks).frozen

    (entry,) = frozen["actions"]
    assert frozen["kind"] == "action" and frozen["language"] == "en"
    assert entry["title"] == "A well for the village" and entry["state"] == "Under way"
    assert entry["groups"] == ["Fishers of the bay"]
    assert entry["indicators"][0]["levels"] == LEVELS
    assert entry["components"][0]["code"] == "A01"
    assert entry["criteria"][0]["text"] == "Water that is safe to drink"
    assert entry["criteria"][0]["question"] == "Q1"
    assert entry["pledges"][0] == {
        "pledger": "Town hall",
        "pledger_kind": "A member organisation",
        "offer": "Money",
        "description": "Pipes and a pump",
        "amount": "1500.00",
        "unit": "EUR",
        "state": "Offered",
        "state_code": "offered",
    }
    assert entry["before"]["title"] == "Spring walk" and entry["before"]["participants"] == 4
    (change,) = entry["changes"]
    assert change["before"] == {"counts": [1, 2, 1, 0], "median": 2.0}
    assert change["after"] == {"counts": [0, 0, 2, 2], "median": 3.5}
    assert change["moved"] == 1.5
    with tenant_scope(tenant):
        assert entry["narrative"]["revision"] == action.page.current_revision_id
    assert "<strong>dug</strong>" in entry["narrative"]["html"]
    assert "<script>" not in entry["narrative"]["html"]


def test_a_report_in_french_names_levels_and_indicators_in_french(
    world, django_capture_on_commit_callbacks
):
    tenant, facilitator, action = world

    report = _ask(tenant, facilitator, action, "fr", capture=django_capture_on_commit_callbacks)
    html = impact_report_html(frozen=report.frozen)

    assert report.frozen["actions"][0]["indicators"][0]["levels"][0] == "Very bad (fr)"
    assert '<html lang="fr">' in html
    assert "Access to clean water (fr)" in html


def test_the_platform_report_gathers_published_actions_and_indicators(
    world, django_capture_on_commit_callbacks
):
    tenant, facilitator, action = world
    with tenant_scope(tenant):
        Action.objects.create(tenant=tenant, title="A secret plan", language="en")

    report = _ask(tenant, facilitator, None, capture=django_capture_on_commit_callbacks)

    assert report.status == ImpactReport.Status.DONE, report.message
    assert [entry["title"] for entry in report.frozen["actions"]] == ["A well for the village"]
    (indicator,) = report.frozen["indicators"]
    assert indicator["session"]["title"] == "Autumn walk"  # the latest published one
    assert indicator["distribution"] == {"counts": [0, 0, 2, 2], "median": 3.5}
    html = impact_report_html(frozen=report.frozen)
    assert "A secret plan" not in html
    assert "Access to clean water" in html


def test_the_same_frozen_copy_gives_the_same_html_whatever_changes_later(
    world, django_capture_on_commit_callbacks
):
    tenant, facilitator, action = world
    report = _ask(tenant, facilitator, action, capture=django_capture_on_commit_callbacks)
    first = impact_report_html(frozen=report.frozen)

    with tenant_scope(tenant):
        Action.objects.filter(pk=action.pk).update(title="Renamed", status=Action.Status.GIVEN_UP)
        Pledge.objects.filter(action=action).update(name="Somebody else")
        Placement.objects.filter(session=action.after).update(level=1)
        report.refresh_from_db()
    again = impact_report_html(frozen=report.frozen)

    assert again == first
    assert "A well for the village" in again and "Renamed" not in again
    assert "Somebody else" not in again


def test_user_text_is_escaped_in_the_pdf_html(world, django_capture_on_commit_callbacks):
    tenant, facilitator, action = world
    with tenant_scope(tenant):
        Action.objects.filter(pk=action.pk).update(
            title="<script>alert('title')</script>", description="<img src=x onerror=alert(1)>"
        )
        Pledge.objects.filter(action=action).update(name="<b>Bold</b> town")

    report = _ask(tenant, facilitator, action, capture=django_capture_on_commit_callbacks)
    html = impact_report_html(frozen=report.frozen)

    assert report.status == ImpactReport.Status.DONE
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "<b>Bold</b>" not in html
    assert "<strong>dug</strong>" in html  # the narrative's own markup, sanitised


def test_asking_twice_while_one_is_drawn_gives_the_same_report(
    world, django_capture_on_commit_callbacks
):
    tenant, facilitator, action = world

    first = _ask(tenant, facilitator, action, run=False, capture=django_capture_on_commit_callbacks)
    second = _ask(
        tenant, facilitator, action, run=False, capture=django_capture_on_commit_callbacks
    )
    french = _ask(
        tenant, facilitator, action, "fr", run=False, capture=django_capture_on_commit_callbacks
    )

    assert first.pk == second.pk != french.pk
    assert first.status == ImpactReport.Status.QUEUED
    assert Job.objects.filter(key=services.impact_report_job_key(first.pk)).count() == 1


def test_only_facilitators_ask_in_a_language_of_the_site(world):
    tenant, _facilitator, action = world
    member = make_user()
    membership_set(group=tenant, user=member, role=Membership.Role.MEMBER)

    with pytest.raises(DomainError):
        services.impact_report_request(tenant=tenant, actor=member, action=action, language="en")
    with pytest.raises(DomainError):
        services.impact_report_request(
            tenant=tenant, actor=_facilitator, action=action, language="xx"
        )
    with cross_tenant():
        assert not ImpactReport.objects.exists()


def test_a_failure_marks_the_report_failed_with_a_plain_message(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    tenant, facilitator, action = world

    def broken(html):
        raise RuntimeError("layout exploded")

    monkeypatch.setattr(document, "impact_report_pdf", broken)
    report = _ask(tenant, facilitator, action, capture=django_capture_on_commit_callbacks)

    assert report.status == ImpactReport.Status.FAILED
    assert report.message == services.FAILED_GENERIC
    assert not report.file
    assert Job.objects.get(key=services.impact_report_job_key(report.pk)).state == "failed"


def test_a_report_whose_worker_died_is_drawn_again(world, django_capture_on_commit_callbacks):
    tenant, facilitator, action = world
    report = _ask(
        tenant, facilitator, action, run=False, capture=django_capture_on_commit_callbacks
    )
    now = timezone.now()
    # A worker claimed the job and the report, then was killed: its lease ran out.
    Job.objects.filter(key=services.impact_report_job_key(report.pk)).update(
        state="running",
        attempts=1,
        token=Job.new_token(),
        claimed_at=now - datetime.timedelta(minutes=5),
        lease_until=now - datetime.timedelta(seconds=1),
    )
    with tenant_scope(tenant):
        ImpactReport.objects.filter(pk=report.pk).update(
            status=ImpactReport.Status.RUNNING, started_at=now, progress=30
        )

    with django_capture_on_commit_callbacks(execute=True):
        swept = jobs_sweep()

    with tenant_scope(tenant):
        report.refresh_from_db()
    job = Job.objects.get(key=services.impact_report_job_key(report.pk))
    assert swept.taken_back == [job.pk]
    assert report.status == ImpactReport.Status.DONE
    assert report.file.read().startswith(b"%PDF")
    assert job.state == "done" and job.interruptions == 1


def test_the_sweep_gives_a_job_to_a_report_that_lost_its_own(
    world, django_capture_on_commit_callbacks
):
    tenant, facilitator, action = world
    report = _ask(
        tenant, facilitator, action, run=False, capture=django_capture_on_commit_callbacks
    )
    Job.objects.filter(key=services.impact_report_job_key(report.pk)).delete()  # broker flushed

    with django_capture_on_commit_callbacks(execute=True):
        swept = jobs_sweep()

    with tenant_scope(tenant):
        report.refresh_from_db()
    assert len(swept.adopted) == 1
    assert report.status == ImpactReport.Status.DONE


# --- Pages ----------------------------------------------------------------------------------------


def _urls(tenant, report) -> list[str]:
    return [
        reverse("impact:list", kwargs={"cg": tenant.slug}),
        reverse("impact:report", kwargs={"cg": tenant.slug, "report": report.pk}),
        reverse("impact:download", kwargs={"cg": tenant.slug, "report": report.pk}),
    ]


def test_a_facilitator_asks_on_the_action_and_lands_on_the_status_page(
    world, client_for, django_capture_on_commit_callbacks
):
    tenant, facilitator, action = world
    url = reverse("impact:ask_action", kwargs={"cg": tenant.slug, "action": action.pk})

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(facilitator).post(url, {"language": "en"})

    with tenant_scope(tenant):
        report = ImpactReport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("impact:report", kwargs={"cg": tenant.slug, "report": report.pk})
    page = client_for(facilitator).get(response.url)
    download = reverse("impact:download", kwargs={"cg": tenant.slug, "report": report.pk})
    assert download.encode() in page.content
    assert report.action_id == action.pk and report.created_by == facilitator


def test_a_facilitator_asks_for_the_platform_report_in_another_language(
    world, client_for, django_capture_on_commit_callbacks
):
    tenant, facilitator, _action = world
    url = reverse("impact:ask", kwargs={"cg": tenant.slug})

    page = client_for(facilitator).get(url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(facilitator).post(url, {"language": "pt"})
    bad = client_for(facilitator).post(url, {"language": "xx"})

    with tenant_scope(tenant):
        report = ImpactReport.objects.get()
    assert b'<select name="language"' in page.content
    assert response.status_code == 302
    assert report.action is None and report.language == "pt"
    assert report.status == ImpactReport.Status.DONE
    assert bad.status_code == 400 and b"Language of the report" in bad.content


def test_members_and_visitors_may_not_ask(world, client, client_for):
    tenant, _facilitator, action = world
    member = make_user()
    membership_set(group=tenant, user=member, role=Membership.Role.MEMBER)
    url = reverse("impact:ask_action", kwargs={"cg": tenant.slug, "action": action.pk})

    assert client_for(member).post(url, {"language": "en"}).status_code == 404
    assert client.post(url, {"language": "en"}).status_code == 404
    assert b"Draw an impact report" not in client.get(url).content
    with cross_tenant():
        assert not ImpactReport.objects.exists()


def test_anyone_downloads_a_done_report_of_a_published_action(
    world, client, django_capture_on_commit_callbacks
):
    tenant, facilitator, action = world
    report = _ask(tenant, facilitator, action, capture=django_capture_on_commit_callbacks)

    listing = client.get(
        reverse("impact:ask_action", kwargs={"cg": tenant.slug, "action": action.pk})
    )
    response = client.get(_urls(tenant, report)[2])

    assert listing.status_code == 200 and _urls(tenant, report)[2].encode() in listing.content
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="impact-a-well-for-the-village-en-'
        f'{report.finished_at.date().isoformat()}.pdf"'
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_report_in_progress_is_shown_to_facilitators_only(
    world, client, client_for, django_capture_on_commit_callbacks
):
    tenant, facilitator, action = world
    report = _ask(
        tenant, facilitator, action, run=False, capture=django_capture_on_commit_callbacks
    )
    status = _urls(tenant, report)[1]

    page = client_for(facilitator).get(status)
    fragment = client_for(facilitator).get(status, headers={"HX-Request": "true"})
    unchanged = client_for(facilitator).get(
        f"{status}?seen=queued-0", headers={"HX-Request": "true"}
    )

    assert page.status_code == 200 and b"<progress" in page.content and b"Refresh" in page.content
    assert b'hx-trigger="every 1s"' in fragment.content and b"<html" not in fragment.content
    assert unchanged.status_code == 204
    assert client.get(status).status_code == 302  # anonymous: the login offer (a 404 inside)
    assert client.get(_urls(tenant, report)[2]).status_code == 302


def test_a_draft_actions_report_is_for_members_only(
    world, client, client_for, django_capture_on_commit_callbacks
):
    tenant, facilitator, action = world
    with tenant_scope(tenant):
        Action.objects.filter(pk=action.pk).update(published=False)
    report = _ask(tenant, facilitator, action, capture=django_capture_on_commit_callbacks)
    member = make_user()
    membership_set(group=tenant, user=member, role=Membership.Role.MEMBER)
    stranger = make_user()
    action_url = reverse("impact:ask_action", kwargs={"cg": tenant.slug, "action": action.pk})

    for url in [*_urls(tenant, report)[1:], action_url]:
        assert client.get(url).status_code == 302, url  # anonymous: login offer
        assert client_for(stranger).get(url).status_code == 404, url
        assert client_for(member).get(url).status_code == 200, url
    assert (
        _urls(tenant, report)[2].encode()
        not in client_for(stranger).get(_urls(tenant, report)[0]).content
    )


def test_outsiders_get_404_for_a_hidden_platform_and_for_another_platforms_reports(
    world, client, client_for, django_capture_on_commit_callbacks
):
    tenant, facilitator, action = world
    report = _ask(tenant, facilitator, action, capture=django_capture_on_commit_callbacks)
    outsider = make_user()
    theirs = make_coordination_group(facilitator=outsider)

    # Another platform's address never finds this report, even for its facilitator.
    for url in _urls(theirs, report)[1:]:
        assert client_for(outsider).get(url).status_code == 404
    tenant.is_hidden = True
    tenant.save(update_fields=["is_hidden"])
    for url in _urls(tenant, report):
        assert client_for(outsider).get(url).status_code == 404, url
        assert client_for(facilitator).get(url).status_code == 200, url
    ask = reverse("impact:ask", kwargs={"cg": tenant.slug})
    assert client_for(outsider).post(ask, {"language": "en"}).status_code == 404


def test_the_list_shows_done_reports_to_everyone_and_all_to_facilitators(
    world, client, client_for, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    tenant, facilitator, _action = world
    done = _ask(tenant, facilitator, None, capture=django_capture_on_commit_callbacks)
    waiting = _ask(
        tenant, facilitator, None, "fr", run=False, capture=django_capture_on_commit_callbacks
    )
    url = reverse("impact:list", kwargs={"cg": tenant.slug})

    with django_assert_max_num_queries(6):
        public = client.get(url)
    mine = client_for(facilitator).get(url)

    assert _urls(tenant, done)[2].encode() in public.content
    assert _urls(tenant, waiting)[1].encode() not in public.content
    assert b"Draw an impact report" not in public.content
    assert _urls(tenant, waiting)[1].encode() in mine.content
    assert b"Draw an impact report" in mine.content
