"""Current reports: after the figures of a country change, that country, its continent and the
network each get one fresh published PDF, drawn by durable jobs, at most once a day per scope.

Jobs here wait as they do with a broker (the engine's inline mode is switched off and nothing is
sent): run_due() runs the recorded jobs whose time has come, and the clock is moved by hand.
"""

import datetime

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from criteria.models import Question
from criteria.selectors import component_by_code
from criteria.services import criterion_create
from syntheses import reports, services
from syntheses.models import Report, Scope, Snapshot
from syntheses.reports.document import report_pdf
from syntheses.selectors import scope_get, synthesis_figures
from tests.factories import (
    make_coordination_group,
    make_country,
    make_criterion,
    make_homogeneous_group,
)
from wikispiral.audit.models import AuditEntry
from wikispiral.jobs import services as job_services
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import job_run, jobs_sweep
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)
CURRENT = reports.CURRENT_KIND


class Clock:
    def __init__(self) -> None:
        self.now = START

    def move(self, **delta: float) -> datetime.datetime:
        self.now += datetime.timedelta(**delta)
        return self.now

    def to(self, moment: datetime.datetime) -> None:
        self.now = moment


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """A fixed time that tests move (every timezone.now(), auto_now_add included)."""
    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    """Jobs wait in the database as with a broker; what would be sent to a worker is listed."""
    messages: list[int] = []
    monkeypatch.setattr(job_services, "_eager", lambda: False)
    monkeypatch.setattr(
        job_services, "_send", lambda job_id, kind, countdown=None: messages.append(job_id)
    )
    return messages


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_pdf(monkeypatch):
    """WeasyPrint is tested with the reports (and in the first test here): elsewhere a
    stand-in PDF keeps these tests quick."""
    monkeypatch.setattr(reports, "report_pdf", lambda html: (b"%PDF-1.7 stand-in", 1))


def run_due(limit: int = 50) -> list[str]:
    """Run every recorded job that is waiting and due (as workers would), until none is;
    returns the kinds run."""
    ran: list[str] = []
    for _round in range(limit):
        due = list(
            Job.objects.filter(state=Job.State.WAITING)
            .filter(Q(run_after__isnull=True) | Q(run_after__lte=timezone.now()))
            .order_by("pk")
            .values_list("pk", "kind")
        )
        if not due:
            return ran
        for pk, kind in due:
            job_run(job_id=pk, heartbeat=False)
            ran.append(kind)
    raise AssertionError(f"jobs kept coming: {ran[-10:]}")


def _key(scope: str, pk: int = 0) -> str:
    return scope if scope == Scope.NETWORK else f"{scope}-{pk}"


def _published(scope: str, pk: int = 0) -> list[Report]:
    return list(
        Report.objects.filter(
            scope=scope, scope_id=pk, current=True, status=Report.Status.DONE
        ).order_by("created_at", "pk")
    )


def _change(tenant, text: str = "Bread on every table", component: str = "A01"):
    """A facilitator's change of criteria, through the service (hooks mark the syntheses)."""
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant)
        return criterion_create(
            tenant=tenant,
            group=group,
            question=Question.objects.shared().get(code="Q1"),
            text=text,
            actor=None,
            component=component_by_code(code=component),
        )


@pytest.fixture
def world(clock, sent):
    """A platform in France (Europe) and one in Brazil (South America) with criteria, whose
    current reports were drawn two days ago."""
    france = make_coordination_group(name="Paris platform", country=make_country())
    brazil = make_coordination_group(
        name="Recife platform",
        country=make_country(code="BR", name="Brazil", continent="SA"),
        language="pt",
    )
    make_criterion(tenant=france, component="B02", text="Quiet streets")
    make_criterion(tenant=brazil, component="C01", text="Shade in the square")
    services.syntheses_recompute_all()
    clock.move(minutes=11)
    run_due()
    clock.move(days=2)
    return france, brazil


def _scopes(tenant) -> list[tuple[str, int]]:
    return [
        (Scope.COUNTRY, tenant.country_id),
        (Scope.CONTINENT, tenant.country.continent_id),
        (Scope.NETWORK, 0),
    ]


def test_a_change_publishes_one_pdf_for_its_country_continent_and_network(
    world, clock, monkeypatch
):
    monkeypatch.setattr(reports, "report_pdf", report_pdf)  # WeasyPrint, for real
    france, brazil = world
    before = {scope: len(_published(*scope)) for scope in _scopes(france) + _scopes(brazil)}
    assert all(count == 1 for count in before.values())

    _change(france)
    run_due()  # the recomputation; the reports wait for the settle delay

    assert not Report.objects.filter(created_at__gt=START + datetime.timedelta(days=1)).exists()
    waiting = Job.objects.filter(kind=CURRENT, state=Job.State.WAITING)
    assert sorted(waiting.values_list("key", flat=True)) == sorted(
        reports.current_report_key(*scope) for scope in _scopes(france)
    )
    assert {job.run_after for job in waiting} == {clock.now + reports.CURRENT_SETTLE}

    clock.move(minutes=10)
    ran = run_due()

    assert ran.count(CURRENT) == 3 and ran.count("syntheses.report") == 3
    for scope in _scopes(france):
        published = _published(*scope)
        assert len(published) == 2, scope
        fresh = published[-1]
        assert fresh.created_by is None and fresh.filters == {}
        assert fresh.file.read().startswith(b"%PDF")
        # Drawn from the figures the synthesis page shows now.
        snapshot = Snapshot.objects.get(scope=scope[0], scope_id=scope[1])
        assert fresh.criteria_count == synthesis_figures(snapshot).total
        assert fresh.snapshot_computed_at == snapshot.computed_at
    for scope in _scopes(brazil)[:2]:
        assert len(_published(*scope)) == 1, scope  # nothing changed there
    # Every step is a recorded job, and the network published it: an audit entry, nobody acting.
    keys = {reports.current_report_key(*scope) for scope in _scopes(france)}
    assert (
        set(
            Job.objects.filter(kind=CURRENT, state=Job.State.DONE, key__in=keys).values_list(
                "key", flat=True
            )
        )
        == keys
    )
    fresh_ids = {_published(*scope)[-1].pk for scope in _scopes(france)}
    assert not Job.objects.exclude(state=Job.State.DONE).exists()
    entries = AuditEntry.objects.filter(
        action="syntheses.report.current_published", target_id__in=[str(pk) for pk in fresh_ids]
    )
    assert entries.count() == 3
    assert not entries.exclude(actor=None).exists()


def test_a_second_change_the_same_day_waits_until_a_day_after_the_last(world, clock):
    france, _brazil = world
    _change(france)
    run_due()
    clock.move(minutes=10)
    run_due()
    country = (Scope.COUNTRY, france.country_id)
    first = _published(*country)[-1]

    clock.move(hours=2)
    _change(france, text="A bench by the river", component="D01")
    run_due()
    waiting = Job.objects.get(key=reports.current_report_key(*country), state=Job.State.WAITING)
    assert waiting.run_after == first.created_at + reports.CURRENT_EVERY

    for hours in (1, 10, 10):
        clock.move(hours=hours)
        run_due()
        assert _published(*country)[-1].pk == first.pk, hours
    assert waiting.run_after > clock.now

    clock.to(waiting.run_after)
    run_due()

    for scope in _scopes(france):
        assert len(_published(*scope)) == 3, scope
    latest = _published(*country)[-1]
    assert latest.created_at == first.created_at + reports.CURRENT_EVERY
    assert latest.criteria_count == first.criteria_count + 1


def test_a_hundred_changes_make_one_waiting_job_per_scope(world, clock):
    france, _brazil = world
    earlier = set(Job.objects.values_list("pk", flat=True))
    for number in range(100):
        _change(france, text=f"Wish {number}")
        if number % 10 == 9:
            run_due()  # a recomputation writes new figures and asks for the reports again
        clock.move(seconds=3)
    for _again in range(100):
        reports.current_reports_schedule(scopes=_scopes(france))

    for scope in _scopes(france):
        jobs = Job.objects.filter(key=reports.current_report_key(*scope)).exclude(pk__in=earlier)
        assert [job.state for job in jobs] == [Job.State.WAITING], scope

    clock.move(minutes=10)
    run_due()

    for scope in _scopes(france):
        assert len(_published(*scope)) == 2, scope
    assert _published(Scope.COUNTRY, france.country_id)[-1].criteria_count == 101


def test_a_hidden_groups_criteria_stay_out_of_the_public_reports(world, clock):
    france, _brazil = world
    hidden = make_coordination_group(name="Closed platform", country=france.country, is_hidden=True)

    # A change in the hidden group moves only its own synthesis: no public report for it.
    _change(hidden, text="Secret harvest of the closed platform", component="A01")
    run_due()
    assert Snapshot.objects.get(scope=Scope.COORDINATION_GROUP, scope_id=hidden.pk).criteria_count
    assert not Job.objects.filter(kind=CURRENT, state=Job.State.WAITING).exists()

    _change(france, text="Fresh bread for the neighbours", component="A01")
    run_due()
    clock.move(minutes=10)
    run_due()

    country = scope_get(_key(Scope.COUNTRY, france.country_id))
    report = _published(Scope.COUNTRY, france.country_id)[-1]
    snapshot = Snapshot.objects.get(scope=Scope.COUNTRY, scope_id=france.country_id)
    assert report.created_at == clock.now
    assert report.criteria_count == synthesis_figures(snapshot).total == 2
    texts = [
        entry["text"]
        for entries in report.frozen["criteria"].values()
        for component in entries
        for entry in component["texts"]
    ]
    assert "Fresh bread for the neighbours" in texts
    assert not [text for text in texts if "secret" in text.lower()]
    assert "secret" not in reports.report_html(report).lower()
    assert country.name in reports.report_html(report)


def test_the_current_report_is_on_the_synthesis_page_and_in_the_feed(world, clock, client):
    france, _brazil = world
    _change(france)
    run_due()
    clock.move(minutes=10)
    run_due()
    key = _key(Scope.COUNTRY, france.country_id)
    report = _published(Scope.COUNTRY, france.country_id)[-1]
    download = reverse("reports:download", kwargs={"key": key, "report": report.pk})

    page = client.get(reverse("syntheses:synthesis", kwargs={"key": key}))
    assert page.status_code == 200
    assert download in page.content.decode()
    feed = client.get(reverse("wiki:feed_latest_rss")).content.decode()
    assert download in feed
    assert "Report: France (English)" in feed
    assert client.get(download).status_code == 200


def test_a_report_follows_the_language_of_the_places_platforms(world, clock):
    _france, brazil = world
    _change(brazil, text="Sombra na praça")
    run_due()
    clock.move(minutes=10)
    run_due()

    assert _published(Scope.COUNTRY, brazil.country_id)[-1].language == "pt"
    assert _published(Scope.CONTINENT, brazil.country.continent_id)[-1].language == "pt"
    assert _published(Scope.NETWORK)[-1].language == "en"


def test_a_waiting_job_outlives_a_lost_message_and_a_killed_worker(world, clock, sent):
    france, _brazil = world
    _change(france)
    run_due()
    country_job = Job.objects.get(
        key=reports.current_report_key(Scope.COUNTRY, france.country_id),
        state=Job.State.WAITING,
    )
    sent.clear()

    # Its message is lost: the minute sweep sends the job again once its time has come.
    jobs_sweep()
    assert country_job.pk not in sent
    clock.move(minutes=10)
    jobs_sweep()
    assert country_job.pk in sent

    # The report's worker dies while drawing: the sweep takes the job back, the next run
    # draws the same report, once.
    job_run(job_id=country_job.pk, heartbeat=False)
    report = Report.objects.get(current=True, scope=Scope.COUNTRY, status=Report.Status.QUEUED)
    drawing = Job.objects.get(key=reports.report_job_key(report.pk))
    assert job_services._claim(drawing.pk, "worker-that-dies") is not None
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, started_at=clock.now)
    clock.move(minutes=5)
    swept = jobs_sweep()
    assert drawing.pk in swept.taken_back
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED
    run_due()

    assert [r.pk for r in _published(Scope.COUNTRY, france.country_id)][-1] == report.pk
    assert len(_published(Scope.COUNTRY, france.country_id)) == 2


def test_inline_mode_draws_no_current_report(clock, django_capture_on_commit_callbacks):
    """Without a broker the engine runs jobs at once, inside the request of the change: no
    current report is drawn there (the syntheses are recomputed as ever)."""
    tenant = make_coordination_group()

    with django_capture_on_commit_callbacks(execute=True):
        _change(tenant)

    assert Snapshot.objects.get(scope=Scope.NETWORK).criteria_count == 1
    assert not Job.objects.filter(kind=CURRENT).exists()
    assert not Report.objects.exists()


def test_a_current_job_run_early_draws_nothing_and_twice_one_report(world, clock):
    france, _brazil = world
    country = (Scope.COUNTRY, france.country_id)
    last = _published(*country)[-1]

    # An operator starts a current job again within the day: nothing is drawn.
    clock.to(last.created_at + datetime.timedelta(hours=23))
    assert reports.current_report_start(scope=country[0], scope_id=country[1]) is None

    clock.to(last.created_at + reports.CURRENT_EVERY)
    first = reports.current_report_start(scope=country[0], scope_id=country[1])
    again = reports.current_report_start(scope=country[0], scope_id=country[1])
    assert first is not None and again == first
    run_due()
    assert _published(*country)[-1] == first
    # Only the network, continents and countries get current reports.
    assert reports.current_report_start(scope=Scope.COORDINATION_GROUP, scope_id=france.pk) is None


def test_a_current_job_run_before_its_time_waits_again_instead_of_dropping_the_change(world, clock):
    """Timed from its predecessor's claim (a few ms before that report was recorded), or by a
    clock running early, the job can run a little before a day has passed: the change it
    stands for is not lost, it waits again until the day is over and is drawn then."""
    france, _brazil = world
    country = (Scope.COUNTRY, france.country_id)
    last = _published(*country)[-1]
    clock.to(last.created_at + reports.CURRENT_EVERY - datetime.timedelta(milliseconds=5))
    key = reports.current_report_key(*country)
    job = job_services.job_enqueue(
        kind=CURRENT,
        key=key,
        args={"scope": country[0], "scope_id": country[1]},
    )
    job_run(job_id=job.pk, heartbeat=False)
    assert _published(*country)[-1] == last
    waiting = Job.objects.get(key=key, state=Job.State.WAITING)
    assert waiting.run_after == last.created_at + reports.CURRENT_EVERY

    clock.to(waiting.run_after)
    run_due()
    assert len(_published(*country)) == 2


def test_a_draft_criterion_alone_schedules_no_current_report(world, clock):
    """Only published figures count: an unclassified criterion moves the snapshots'
    fingerprint, not their digest, and no identical PDF is drawn the next day."""
    france, _brazil = world
    with cross_tenant():
        group = make_homogeneous_group(tenant=france)
        criterion_create(
            tenant=france,
            group=group,
            question=Question.objects.shared().get(code="Q1"),
            text="Not classified yet",
            actor=None,
        )
    services.syntheses_recompute_all()
    assert not Job.objects.filter(kind=CURRENT, state=Job.State.WAITING).exists()
