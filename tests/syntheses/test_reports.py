import datetime
import os
import re
import time
import zlib
from pathlib import Path

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from syntheses import reports, services
from syntheses.models import Report, SynthesisPage
from syntheses.selectors import Filters, scope_get
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
from wikispiral.jobs.services import job_run, jobs_sweep
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db

FACILITATOR = Membership.Role.FACILITATOR


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world():
    """A coordination group with a facilitator and criteria in three questions."""
    facilitator = make_user()
    tenant = make_coordination_group(facilitator=facilitator)
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant, participants=9)
    components = ["A01", "B02", "F01", "C01", "A01", "D01"]
    for index in range(30):
        make_criterion(
            tenant=tenant,
            group=group,
            component=components[index % len(components)],
            question=["Q1", "Q2", "Q3"][index % 3],
            text=f"Text number {index}",
            session_date=datetime.date(2025, 5, 1 + index % 20),
        )
    services.syntheses_recompute_all()
    return tenant, group, facilitator


def _key(tenant) -> str:
    return f"cg-{tenant.pk}"


def _ask(tenant, *, language="en", filters=None, actor=None) -> Report:
    return reports.report_request(
        ref=scope_get(_key(tenant)), language=language, filters=filters or Filters(), actor=actor
    )


def _pdf_pages(data: bytes) -> int:
    """Page objects in a PDF, looking inside its compressed object streams too (no pypdf)."""
    texts = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, flags=re.S):
        try:
            texts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![s\w])", text)) for text in texts)


# --- Asking ---------------------------------------------------------------------------------------


def test_asking_twice_at_once_gives_one_report_and_one_job(
    world, django_capture_on_commit_callbacks
):
    tenant, _group, facilitator = world
    filters = Filters(year_from=2025, question="Q1")

    with django_capture_on_commit_callbacks() as callbacks:
        first = _ask(tenant, filters=filters, actor=facilitator)
        second = _ask(tenant, filters=Filters(question="Q1", year_from=2025), actor=facilitator)

    assert first.pk == second.pk
    assert Report.objects.count() == 1
    assert len([c for c in callbacks if "_send_on_commit" in repr(c)]) == 1
    assert first.filters == {"question": "Q1", "year_from": 2025}


def test_a_request_losing_the_race_returns_the_winners_report(world, monkeypatch):
    tenant, _group, _facilitator = world
    winner = _ask(tenant)
    real_filter = Report.objects.filter
    calls = {"n": 0}

    def blind_first_look(*args, **kwargs):
        # The loser's first look happens before the winner commits: it sees nothing.
        calls["n"] += 1
        found = real_filter(*args, **kwargs)
        return found.none() if calls["n"] == 1 else found

    monkeypatch.setattr(Report.objects, "filter", blind_first_look)
    loser = _ask(tenant)

    assert loser.pk == winner.pk
    assert Report.objects.count() == 1


def test_another_language_or_filter_is_another_report(world):
    tenant, _group, _facilitator = world

    english = _ask(tenant)
    french = _ask(tenant, language="fr")
    filtered = _ask(tenant, filters=Filters(question="Q2"))

    assert len({english.pk, french.pk, filtered.pk}) == 3


def test_a_language_the_site_does_not_offer_is_refused(world):
    tenant, _group, _facilitator = world

    with pytest.raises(DomainError):
        _ask(tenant, language="xx")
    assert not Report.objects.exists()


# --- Drawing --------------------------------------------------------------------------------------


def test_rendering_twice_draws_one_pdf(world, settings):
    tenant, _group, _facilitator = world
    report = _ask(tenant)

    done = reports.report_render(report_id=report.pk)
    again = reports.report_render(report_id=report.pk)

    assert done.status == Report.Status.DONE and done.progress == 100
    assert again is None
    files = list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))
    assert len(files) == 1
    report.refresh_from_db()
    assert report.file.name.startswith("reports/") and report.file.name.endswith(".pdf")
    assert f"{_key(tenant)}-{report.pk}-en-" in report.file.name


def test_the_pdf_has_a_cover_contents_and_figures(world):
    tenant, _group, _facilitator = world
    report = reports.report_render(report_id=_ask(tenant).pk)

    data = report.file.read()

    assert data.startswith(b"%PDF")
    assert report.pages >= 3
    assert _pdf_pages(data) == report.pages
    assert report.criteria_count == 30
    assert report.grid_version.is_current
    assert report.finished_at is not None and report.snapshot_computed_at is not None


def test_a_report_freezes_the_snapshot_it_was_drawn_from(world):
    tenant, group, _facilitator = world
    report = reports.report_render(report_id=_ask(tenant).pk)
    make_criterion(tenant=tenant, group=group, component="A01")
    services.syntheses_recompute_all()

    report.refresh_from_db()
    html = reports.report_html(report)

    assert report.frozen["criteria_count"] == 30
    assert sum(report.frozen["cube"]["count"]) == 30
    assert report.frozen["grid_version"] == report.grid_version.number
    assert report.frozen["criteria"]["Q1"][0]["texts"]
    assert "30 criteria from 1 homogeneous group (9 participants)." in html


def test_the_report_lists_the_criteria_behind_the_main_components(world):
    tenant, _group, _facilitator = world
    report = _ask(tenant)
    reports.report_freeze(report=report, ref=scope_get(_key(tenant)))

    html = reports.report_html(report)

    q1 = report.frozen["criteria"]["Q1"]
    assert len(q1) <= reports.TOP_COMPONENTS
    assert all(len(entry["texts"]) <= reports.TEXTS_PER_COMPONENT for entry in q1)
    assert "Text number 0" in html
    assert "target-counter(attr(href), page)" in html
    assert "counter(pages)" in html


def test_a_report_asked_in_french_is_written_in_french(world):
    tenant, _group, _facilitator = world
    report = _ask(tenant, language="fr")
    reports.report_freeze(report=report, ref=scope_get(_key(tenant)))

    html = reports.report_html(report)

    assert '<html lang="fr">' in html
    assert "Sommaire" in html  # "Contents"
    assert "Alimentation" in html  # component A01
    assert "Bien-être" in html  # question Q1
    assert "Page " in html and " sur " in html  # "Page X of Y"
    assert "Contents" not in html


def test_filters_narrow_the_report_and_show_on_its_cover(world):
    tenant, _group, _facilitator = world
    report = _ask(tenant, filters=Filters(question="Q2"))
    reports.report_freeze(report=report, ref=scope_get(_key(tenant)))

    html = reports.report_html(report)

    assert report.criteria_count == 10
    assert "Question: Ill-being (Q2)" in html
    assert set(report.frozen["criteria"]) == {"Q2"}


def test_a_scope_without_criteria_gets_a_short_report_not_a_failure():
    tenant = make_coordination_group()
    services.syntheses_recompute_all()

    report = reports.report_render(report_id=_ask(tenant).pk)

    assert report.status == Report.Status.DONE
    assert 1 <= report.pages <= 2
    assert report.file.read().startswith(b"%PDF")
    assert "No criteria yet" in reports.report_html(report)


def test_a_scope_never_computed_gets_a_short_report():
    tenant = make_coordination_group()  # no snapshot at all

    report = reports.report_render(report_id=_ask(tenant).pk)

    assert report.status == Report.Status.DONE
    assert report.criteria_count == 0


def test_the_narrative_is_rendered_as_the_wiki_renders_it(world):
    tenant, _group, _facilitator = world
    page = make_page(
        title="Synthesis", body="# What we learnt\n\nPeople **care** <script>x</script> a lot."
    )
    SynthesisPage.objects.create(scope="cg", scope_id=tenant.pk, page=page)
    report = _ask(tenant)
    reports.report_freeze(report=report, ref=scope_get(_key(tenant)))

    html = reports.report_html(report)

    assert report.frozen["narrative"] == {"page": page.pk, "revision": page.current_revision_id}
    assert "<strong>care</strong>" in html
    assert "<script>" not in html
    assert 'id="narrative"' in html


def test_a_failure_marks_the_report_failed_and_keeps_earlier_ones(world, monkeypatch):
    tenant, _group, _facilitator = world
    earlier = reports.report_render(report_id=_ask(tenant).pk)

    def broken(html):
        raise RuntimeError("layout exploded")

    monkeypatch.setattr(reports, "report_pdf", broken)
    failed = reports.report_render(report_id=_ask(tenant).pk)

    assert failed.status == Report.Status.FAILED
    assert failed.message == reports.FAILED_GENERIC
    assert "exploded" not in failed.message
    earlier.refresh_from_db()
    assert earlier.status == Report.Status.DONE and earlier.file


def test_a_transient_database_error_puts_the_report_back_in_the_queue(world, monkeypatch):
    tenant, _group, _facilitator = world
    report = _ask(tenant)

    def away(html):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(reports, "report_pdf", away)
    with pytest.raises(OperationalError):
        reports.report_render(report_id=report.pk)

    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED


def test_a_running_report_is_left_alone_until_its_time_limit_has_passed(world):
    tenant, _group, _facilitator = world
    report = _ask(tenant)
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.RUNNING, started_at=timezone.now()
    )

    assert reports.report_render(report_id=report.pk) is None

    Report.objects.filter(pk=report.pk).update(
        started_at=timezone.now() - reports.RUNNING_TIMEOUT - datetime.timedelta(seconds=1)
    )
    assert reports.report_render(report_id=report.pk).status == Report.Status.DONE


def test_the_jobs_sweep_gives_a_job_to_reports_without_one_and_gives_up_on_dying_ones(
    world, django_capture_on_commit_callbacks
):
    tenant, _group, _facilitator = world
    lost = _ask(tenant)  # asked outside any commit hook: its message never left
    dying = _ask(tenant, language="fr")
    Job.objects.filter(key=reports.report_job_key(lost.pk)).delete()  # a report from before jobs
    Job.objects.filter(key=reports.report_job_key(dying.pk)).update(
        state="running", attempts=3, lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    Report.objects.filter(pk=dying.pk).update(status=Report.Status.RUNNING)

    with django_capture_on_commit_callbacks(execute=True):
        swept = jobs_sweep()

    dying.refresh_from_db()
    lost.refresh_from_db()
    assert dying.status == Report.Status.FAILED
    assert dying.message == reports.FAILED_TOO_LONG
    assert Job.objects.get(key=reports.report_job_key(dying.pk)).state == "failed"
    assert len(swept.adopted) == 1
    assert lost.status == Report.Status.DONE  # inline here: the adopted job ran on commit


def test_asking_enqueues_the_task_after_the_commit(world, django_capture_on_commit_callbacks):
    tenant, _group, facilitator = world

    with django_capture_on_commit_callbacks(execute=True):
        report = _ask(tenant, actor=facilitator)

    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    assert report.created_by == facilitator
    job = Job.objects.get(key=reports.report_job_key(report.pk))
    assert job.state == "done"
    assert job_run(job_id=job.pk, heartbeat=False) == "skipped"


def test_the_fetcher_serves_static_files_only(settings):
    from weasyprint.urls import URLFetcherResponse

    served = reports.static_url_fetcher(f"{settings.SITE_URL}/static/css/site.css")

    assert isinstance(served, URLFetcherResponse)
    for url in (
        "https://example.org/tracker.png",
        f"{settings.SITE_URL}/media/reports/x.pdf",
        f"{settings.SITE_URL}/static/../../etc/passwd",
        "file:///etc/passwd",
    ):
        with pytest.raises(Exception):  # noqa: B017, PT011 (WeasyPrint catches whatever it is)
            reports.static_url_fetcher(url)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_draws_a_report_asked_twice_once(celery_worker_process, settings):
    from tests.factories import reference_data

    # The worker writes where its own settings say (the environment's MEDIA_ROOT or media/).
    settings.MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or settings.BASE_DIR / "media")
    reference_data()
    tenant = make_coordination_group()
    make_criterion(tenant=tenant, component="A01")
    services.syntheses_recompute_all()

    first = _ask(tenant, language="fr")
    second = _ask(tenant, language="fr")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        first.refresh_from_db()
        if first.status in (Report.Status.DONE, Report.Status.FAILED):
            break
        time.sleep(0.2)

    try:
        assert first.pk == second.pk
        assert first.status == Report.Status.DONE, celery_worker_process.log()
        assert first.file.read().startswith(b"%PDF")
        assert Report.objects.count() == 1
    finally:
        if first.file:
            first.file.delete(save=False)


# --- Views ----------------------------------------------------------------------------------------


def _request_url(tenant) -> str:
    return reverse("reports:request", kwargs={"key": _key(tenant)})


def test_a_facilitator_asks_for_a_report_and_lands_on_its_status_page(
    world, client_for, django_capture_on_commit_callbacks
):
    tenant, _group, facilitator = world

    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(facilitator).post(
            _request_url(tenant), {"report_language": "fr", "question": "Q1"}
        )

    report = Report.objects.get()
    assert response.status_code == 302
    assert response.url == reverse(
        "reports:report", kwargs={"key": _key(tenant), "report": report.pk}
    )
    assert (report.language, report.filters, report.created_by) == (
        "fr",
        {"question": "Q1"},
        facilitator,
    )
    assert Job.objects.filter(key=reports.report_job_key(report.pk), state="waiting").count() == 1
    assert len([c for c in callbacks if "_send_on_commit" in repr(c)]) == 1


def test_a_facilitator_of_another_group_gets_404(world, client_for):
    tenant, _group, _facilitator = world
    outsider = make_user()
    make_coordination_group(facilitator=outsider)

    response = client_for(outsider).post(_request_url(tenant), {"report_language": "en"})

    assert response.status_code == 404
    assert not Report.objects.exists()


def test_a_plain_member_may_not_ask_for_a_report(world, client_for):
    tenant, _group, _facilitator = world
    member = make_user()
    membership_set(group=tenant, user=member, role=Membership.Role.MEMBER)

    response = client_for(member).post(_request_url(tenant), {"report_language": "en"})

    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    tenant, _group, _facilitator = world

    response = client.post(_request_url(tenant), {"report_language": "en"})

    assert response.status_code == 302
    assert reverse("accounts:login") in response.url
    assert not Report.objects.exists()


def test_place_reports_are_for_the_secretariat(world, client_for, secretariat_user):
    tenant, _group, facilitator = world
    url = reverse("reports:request", kwargs={"key": f"country-{tenant.country_id}"})

    refused = client_for(facilitator).post(url, {"report_language": "en"})
    accepted = client_for(secretariat_user).post(url, {"report_language": "en"})

    assert refused.status_code == 404
    assert accepted.status_code == 302
    assert Report.objects.get().scope == "country"


def test_bad_input_is_refused_with_a_message_and_nothing_saved(world, client_for):
    tenant, _group, facilitator = world
    client = client_for(facilitator)

    bad_language = client.post(_request_url(tenant), {"report_language": "xx"})
    bad_years = client.post(
        _request_url(tenant), {"report_language": "en", "year_from": 2026, "year_to": 2020}
    )
    not_a_year = client.post(_request_url(tenant), {"report_language": "en", "year_from": "soon"})

    assert bad_language.status_code == 400
    assert b"Language of the report" in bad_language.content
    assert bad_years.status_code == 400
    assert b"The first year comes after the last one." in bad_years.content
    assert not_a_year.status_code == 400
    assert b"The filters of this page are not valid" in not_a_year.content
    assert not Report.objects.exists()


def test_an_unknown_scope_is_404(client, secretariat_user, client_for):
    assert client.get(reverse("reports:list", kwargs={"key": "cg-999999"})).status_code == 404
    assert client.get(reverse("reports:list", kwargs={"key": "nonsense"})).status_code == 404
    response = client_for(secretariat_user).post(
        reverse("reports:request", kwargs={"key": "country-999999"}), {"report_language": "en"}
    )
    assert response.status_code == 404


def test_the_status_page_polls_while_the_report_is_drawn(world, client_for):
    tenant, _group, facilitator = world
    report = _ask(tenant, actor=facilitator)
    url = reverse("reports:report", kwargs={"key": _key(tenant), "report": report.pk})
    client = client_for(facilitator)

    page = client.get(url)
    fragment = client.get(url, headers={"HX-Request": "true"})
    unchanged = client.get(f"{url}?seen=queued-0", headers={"HX-Request": "true"})

    assert page.status_code == 200
    assert b"<progress" in page.content and b'hx-trigger="every 1s"' in page.content
    assert b'aria-live="polite"' in page.content
    assert b"Refresh" in page.content
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    assert b'hx-trigger="every 1s"' in fragment.content
    assert unchanged.status_code == 204
    assert "HX-Request" in page["Vary"]


def test_the_status_page_says_when_a_report_was_interrupted(world, client_for):
    tenant, _group, facilitator = world
    report = _ask(tenant, actor=facilitator)
    Job.objects.filter(key=reports.report_job_key(report.pk)).update(attempts=1, interruptions=1)
    url = reverse("reports:report", kwargs={"key": _key(tenant), "report": report.pk})

    page = client_for(facilitator).get(url).content.decode()

    assert "Report in English: Waiting. Interrupted, starting again." in page


def test_the_status_page_of_a_done_report_links_the_download(world, client):
    tenant, _group, _facilitator = world
    report = reports.report_render(report_id=_ask(tenant).pk)
    url = reverse("reports:report", kwargs={"key": _key(tenant), "report": report.pk})

    response = client.get(url, headers={"HX-Request": "true"})

    download = reverse("reports:download", kwargs={"key": _key(tenant), "report": report.pk})
    assert response.status_code == 200
    assert download.encode() in response.content
    assert b"hx-trigger" not in response.content


def test_a_report_in_progress_is_not_shown_to_the_public(world, client):
    tenant, _group, _facilitator = world
    report = _ask(tenant)
    url = reverse("reports:report", kwargs={"key": _key(tenant), "report": report.pk})

    assert client.get(url).status_code == 404


def test_a_failed_report_says_why_in_plain_words(world, client_for, monkeypatch):
    tenant, _group, facilitator = world
    monkeypatch.setattr(reports, "report_pdf", lambda html: 1 / 0)
    report = reports.report_render(report_id=_ask(tenant).pk)
    url = reverse("reports:report", kwargs={"key": _key(tenant), "report": report.pk})

    response = client_for(facilitator).get(url)

    assert b"could not be drawn" in response.content


def test_anyone_downloads_a_done_report_of_a_visible_scope(world, client):
    tenant, _group, _facilitator = world
    report = reports.report_render(report_id=_ask(tenant).pk)

    response = client.get(
        reverse("reports:download", kwargs={"key": _key(tenant), "report": report.pk})
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_report_not_done_or_of_another_scope_cannot_be_downloaded(world, client):
    tenant, _group, _facilitator = world
    queued = _ask(tenant)
    done = reports.report_render(report_id=_ask(tenant, language="fr").pk)
    other = make_coordination_group()

    not_done = client.get(
        reverse("reports:download", kwargs={"key": _key(tenant), "report": queued.pk})
    )
    elsewhere = client.get(
        reverse("reports:download", kwargs={"key": _key(other), "report": done.pk})
    )

    assert not_done.status_code == 404
    assert elsewhere.status_code == 404


def test_the_list_shows_done_reports_to_everyone_and_all_to_facilitators(
    world, client, client_for, django_assert_max_num_queries
):
    tenant, _group, facilitator = world
    done = reports.report_render(report_id=_ask(tenant).pk)
    waiting = _ask(tenant, language="fr")
    url = reverse("reports:list", kwargs={"key": _key(tenant)})

    with django_assert_max_num_queries(4):
        public = client.get(url)
    facilitator_client = client_for(facilitator)
    facilitator_client.get(url)
    with django_assert_max_num_queries(10):
        mine = facilitator_client.get(url)

    download = reverse("reports:download", kwargs={"key": _key(tenant), "report": done.pk})
    status = reverse("reports:report", kwargs={"key": _key(tenant), "report": waiting.pk})
    assert public.status_code == 200
    assert download.encode() in public.content
    assert status.encode() not in public.content
    assert b"Draw a PDF report" not in public.content
    assert status.encode() in mine.content
    assert b"Draw a PDF report" in mine.content


def test_a_hidden_groups_reports_are_404_to_outsiders(world, client, client_for):
    tenant, _group, facilitator = world
    report = reports.report_render(report_id=_ask(tenant).pk)
    tenant.is_hidden = True
    tenant.save(update_fields=["is_hidden"])
    outsider = make_user()
    kwargs = {"key": _key(tenant), "report": report.pk}
    urls = [
        reverse("reports:list", kwargs={"key": _key(tenant)}),
        reverse("reports:report", kwargs=kwargs),
        reverse("reports:download", kwargs=kwargs),
    ]

    for url in urls:
        assert client.get(url).status_code == 404
        assert client_for(outsider).get(url).status_code == 404
        assert client_for(facilitator).get(url).status_code == 200
    assert client_for(outsider).post(urls[0], {"report_language": "en"}).status_code == 404


def test_a_hidden_homogeneous_groups_report_is_404_to_outsiders(world, client, client_for):
    tenant, group, facilitator = world
    tenant.is_hidden = True
    tenant.save(update_fields=["is_hidden"])
    key = f"hg-{group.pk}"

    assert client.get(reverse("reports:list", kwargs={"key": key})).status_code == 404
    response = client_for(facilitator).post(
        reverse("reports:request", kwargs={"key": key}), {"report_language": "en"}
    )
    assert response.status_code == 302


# --- Feeds ----------------------------------------------------------------------------------------


def test_published_reports_are_done_reports_of_visible_scopes(world, django_assert_num_queries):
    tenant, group, facilitator = world
    hidden = make_coordination_group(is_hidden=True)
    cg_report = reports.report_render(report_id=_ask(tenant).pk)
    hg_report = reports.report_render(
        report_id=reports.report_request(
            ref=scope_get(f"hg-{group.pk}"), language="fr", filters=Filters(), actor=None
        ).pk
    )
    country_report = reports.report_render(
        report_id=reports.report_request(
            ref=scope_get(f"country-{tenant.country_id}"),
            language="en",
            filters=Filters(),
            actor=None,
        ).pk
    )
    reports.report_render(report_id=_ask(hidden).pk)
    _ask(tenant, language="pt")  # not done

    with django_assert_num_queries(1):
        everything = reports.reports_published()
    of_group = reports.reports_published(tenant=tenant)
    later = reports.reports_published(since=timezone.now() + datetime.timedelta(minutes=1))

    assert [item.report.pk for item in everything] == [
        country_report.pk,
        hg_report.pk,
        cg_report.pk,
    ]
    assert {item.report.pk for item in of_group} == {cg_report.pk, hg_report.pk}
    assert later == []
    item = everything[-1]
    assert item.title == f"Report: {tenant.name} (English)"
    assert everything[1].title == f"Report: {group.name} — {tenant.name} (French)"
    assert everything[0].scope_name == tenant.country.name
    assert item.link == reverse(
        "reports:download", kwargs={"key": _key(tenant), "report": cg_report.pk}
    )
    assert item.date == item.created_at == cg_report.finished_at
    assert "30 criteria" in item.description
