"""Chaos, for every kind of background job, on PostgreSQL with real workers over Redis.

For each kind: a worker takes a job and is killed with SIGKILL in the middle of it (at the job's
checkpoint: inside the import's insert, before the syntheses' commit, after the PDF is laid
out, before the mail goes...); a second job of the same kind is enqueued while no worker runs,
and Redis is flushed, so its message is lost. A new worker starts, and one sweep (what beat
sends every minute) must bring both jobs to done, each exactly once.

With CHAOS_FIGURES=<file>, each kind appends its figures (faults, jobs recovered, seconds to
recover) to that file as a JSON line: bench/chaos.py runs this module and prints the table.
"""

import io
import json
import os
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from criteria.models import Criterion, ImportBatch, NetworkImportBatch
from criteria.transfer.network.services import (
    criteria_network_import_enqueue,
    criteria_network_import_preview,
)
from criteria.transfer.services import criteria_import_enqueue, criteria_import_preview
from projects.models import SummaryState
from projects.summaries import summaries_mark, summaries_recompute_enqueue
from syntheses import reports
from syntheses.models import Report, Scope, Snapshot
from syntheses.selectors import scope_get
from syntheses.services import (
    syntheses_mark_changed,
    syntheses_recompute_all,
    syntheses_recompute_all_enqueue,
)
from territories.models import CoordinationGroup
from territories.services import locality_ensure, region_ensure
from tests.factories import (
    make_coordination_group,
    make_country,
    make_criterion,
    make_homogeneous_group,
    make_page,
    make_user,
    reference_data,
)
from tests.movein.tiki_site import NETWORK_ID, write_site
from wikispiral.jobs.models import Job
from wikispiral.jobs.tasks import jobs_sweep_task
from wikispiral.mail import mail_send_on_commit
from wikispiral.movein.models import MoveIn
from wikispiral.movein.services import movein_start
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.models import Revision

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = 2
IMPORT_ROWS = 100_000
HEADER = "group,question,text,date,language,component,full_code\n"


@dataclass
class Scenario:
    """Work of one kind: start() enqueues one job; check() asserts the outcome after recovery."""

    kind: str
    start: Callable[[int], None]
    check: Callable[[], None]


def _wait_for(condition: Callable[[], bool], seconds: float, what: str, *workers) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            logs = "\n".join(worker.log()[-4000:] for worker in workers)
            raise AssertionError(f"{what} within {seconds:.0f} s\n{logs}")
        time.sleep(0.1)
    return time.monotonic() - started


# --- The work of each kind ------------------------------------------------------------------------


def _import_scenario(context: dict) -> Scenario:
    tenant = make_coordination_group()
    facilitator = make_user()
    with cross_tenant():
        make_homogeneous_group(tenant=tenant, slug="young-people")
    rows = "".join(
        f"young-people,Q1,Criterion number {n},2025-03-14,,,\n" for n in range(IMPORT_ROWS)
    )
    files = [
        (HEADER + rows).encode(),
        (HEADER + "young-people,Q2,One more,2025-03-14,,,\n").encode(),
    ]

    def start(number: int) -> None:
        batch = criteria_import_preview(
            tenant=tenant, actor=facilitator, filename=f"f{number}.csv", data=files[number]
        )
        assert batch.error_count == 0, batch.errors
        criteria_import_enqueue(tenant=tenant, batch=batch)

    def check() -> None:
        with cross_tenant():
            batches = list(ImportBatch.objects.filter(tenant=tenant).order_by("pk"))
            assert [batch.status for batch in batches] == ["done", "done"]
            assert [batch.rows_done for batch in batches] == [IMPORT_ROWS, 1]
            # Whole, exactly once: every text once, no row twice.
            criteria = Criterion.objects.filter(tenant=tenant)
            assert criteria.count() == IMPORT_ROWS + 1
            assert criteria.values("text").distinct().count() == IMPORT_ROWS + 1

    return Scenario("criteria.import", start, check)


def _network_import_scenario(context: dict) -> Scenario:
    tenant = make_coordination_group()
    secretary = make_user(secretariat=True)
    with cross_tenant():
        make_homogeneous_group(tenant=tenant, slug="young-people")
    header = "coordination_group,group,question,text,date,external_key\n"
    rows = "".join(
        f"{tenant.network_id},young-people,Q1,Network criterion {n},2025-03-14,k{n}\n"
        for n in range(IMPORT_ROWS // 2)
    )
    files = [
        (header + rows).encode(),
        (header + f"{tenant.network_id},young-people,Q2,One more,2025-03-14,extra\n").encode(),
    ]

    def start(number: int) -> None:
        batch = criteria_network_import_preview(
            actor=secretary, filename=f"n{number}.csv", data=files[number]
        )
        assert batch.error_count == 0, batch.errors
        criteria_network_import_enqueue(batch=batch)

    def check() -> None:
        batches = list(NetworkImportBatch.objects.order_by("pk"))
        assert [batch.status for batch in batches] == ["done", "done"]
        assert [batch.rows_done for batch in batches] == [IMPORT_ROWS // 2, 1]
        with cross_tenant():
            criteria = Criterion.objects.filter(tenant=tenant)
            assert criteria.count() == IMPORT_ROWS // 2 + 1
            assert criteria.values("external_key").distinct().count() == IMPORT_ROWS // 2 + 1

    return Scenario("criteria.network_import", start, check)


def _movein_scenario(context: dict) -> Scenario:
    country = make_country()
    region = region_ensure(country=country, name="Grand Est")[0]
    locality_ensure(region=region, name="Mulhouse")
    secretary = make_user(secretariat=True)
    site = write_site(Path(django_settings.PRIVATE_ROOT) / "chaos-export", criteria=300)
    uploads = {
        "pages": site.pages,
        "structure": site.structure,
        "mapping": site.mapping,
        "files": site.files,
    }

    def start(number: int) -> None:
        files = {
            kind: SimpleUploadedFile(path.name, path.read_bytes()) for kind, path in uploads.items()
        }
        trackers = io.BytesIO()
        with zipfile.ZipFile(trackers, "w") as archive:
            for path in site.trackers.iterdir():
                archive.writestr(path.name, path.read_bytes())
        files["trackers"] = SimpleUploadedFile("trackers.zip", trackers.getvalue())
        # One import at a time: the second is the secretariat's dry run beside it.
        movein_start(actor=secretary, uploads=files, dry_run=number == 1)

    def check() -> None:
        runs = list(MoveIn.objects.order_by("pk"))
        assert [run.status for run in runs] == ["done", "done"], [r.message for r in runs]
        assert [run.error_count for run in runs] == [0, 0]
        # Whole, exactly once: the rescued run finished what the killed one began; the dry
        # run wrote nothing.
        with cross_tenant():
            assert CoordinationGroup.objects.filter(network_id=NETWORK_ID).count() == 1
            assert Criterion.objects.count() == 300
            assert Criterion.objects.values("external_key").distinct().count() == 300
        assert Revision.objects.filter(source_format="tiki").count() == 13
        assert runs[0].counts["criteria"] == {"created": 300}
        # The dry run saw the criteria to come or already there, as it ran before or after.
        assert runs[1].dry_run and runs[1].counts["criteria"] in (
            {"created": 300},
            {"unchanged": 300},
        )

    return Scenario("movein.import", start, check)


def _recompute_scenario(context: dict) -> Scenario:
    tenant = make_coordination_group()
    make_criterion(tenant=tenant, component="A01")
    syntheses_recompute_all()

    def start(number: int) -> None:
        make_criterion(tenant=tenant, component="B01")
        syntheses_mark_changed(tenant=tenant)

    def check() -> None:
        assert Snapshot.objects.get(scope=Scope.NETWORK).criteria_count == 3
        cg = Snapshot.objects.get(scope=Scope.COORDINATION_GROUP, scope_id=tenant.pk)
        assert cg.criteria_count == 3

    return Scenario("syntheses.recompute", start, check)


def _recompute_all_scenario(context: dict) -> Scenario:
    tenant = make_coordination_group()
    make_criterion(tenant=tenant, component="A01")

    def start(number: int) -> None:
        syntheses_recompute_all_enqueue(force=True)

    def check() -> None:
        assert Snapshot.objects.get(scope=Scope.NETWORK).criteria_count == 1

    return Scenario("syntheses.recompute_all", start, check)


def _report_scenario(context: dict) -> Scenario:
    tenant = make_coordination_group()
    make_criterion(tenant=tenant, component="A01")
    syntheses_recompute_all()
    ref = scope_get(f"cg-{tenant.pk}")

    def start(number: int) -> None:
        reports.report_request(
            ref=ref, language=["en", "fr"][number], filters=reports.Filters(), actor=None
        )

    def check() -> None:
        done = list(Report.objects.order_by("pk"))
        assert [report.status for report in done] == ["done", "done"]
        for report in done:
            assert Path(report.file.path).read_bytes().startswith(b"%PDF")
        # The killed run had laid its PDF out but not saved it: one file per report.
        assert len(list(Path(django_settings.MEDIA_ROOT).rglob("*.pdf"))) == 2

    return Scenario("syntheses.report", start, check)


def _summaries_scenario(context: dict) -> Scenario:
    def start(number: int) -> None:
        summaries_mark()
        summaries_recompute_enqueue(force=number == 0)

    def check() -> None:
        state = SummaryState.objects.get(pk=1)
        assert state.dirty_since is None
        assert state.computed_at is not None

    return Scenario("projects.summaries", start, check)


def _mail_scenario(context: dict) -> Scenario:
    names = [f"Platform {uuid.uuid4().hex[:8]}" for _ in range(2)]

    def start(number: int) -> None:
        mail_send_on_commit(
            to=f"person{number}@example.org",
            template="invitations/email/invitation",
            context={
                "subject": names[number],
                "invites": names[number],
                "accept_url": "https://x/i/1",
            },
            language="en",
        )

    def check() -> None:
        # The console backend writes each mail to the worker's log: each once, by the rescuer.
        for number, name in enumerate(names):
            assert context["rescuer"].log().count(f"To: person{number}@example.org") == 1
            assert name in context["rescuer"].log()
            assert name not in context["doomed"].log()

    return Scenario("mail.send", start, check)


def _search_scenario(context: dict) -> Scenario:
    pages = []

    def start(number: int) -> None:
        pages.append(make_page(title=f"Chaos page {number}", body="Lavender and thyme."))

    def check() -> None:
        from wikispiral.wiki.models import Page

        for page in pages:
            assert Page.objects.filter(pk=page.pk, search_vector__isnull=False).exists()

    return Scenario("wiki.search_index", start, check)


# Kinds whose key names the work, not an object: one job waits for all of it.
SINGLE_WAITING = {"syntheses.recompute", "syntheses.recompute_all"}

SCENARIOS = {
    "criteria.import": _import_scenario,
    "criteria.network_import": _network_import_scenario,
    "movein.import": _movein_scenario,
    "syntheses.recompute": _recompute_scenario,
    "syntheses.recompute_all": _recompute_all_scenario,
    "syntheses.report": _report_scenario,
    "projects.summaries": _summaries_scenario,
    "mail.send": _mail_scenario,
    "wiki.search_index": _search_scenario,
}


@pytest.mark.parametrize("kind", list(SCENARIOS))
def test_a_killed_worker_and_a_flushed_broker_lose_no_job(
    kind, private_workers, settings, tmp_path
):
    reference_data()
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.PROJECT_SUMMARIES_DELAY_SECONDS = 0
    worker_env = {
        "JOBS_LEASE_SECONDS": str(LEASE_SECONDS),
        "JOBS_REQUEUE_AFTER_SECONDS": "1",
        "MEDIA_ROOT": str(media),
        "PRIVATE_ROOT": str(settings.PRIVATE_ROOT),
        "PROJECT_SUMMARIES_DELAY_SECONDS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    context: dict = {}
    scenario = SCENARIOS[kind](context)  # set-up work goes to the suite's own worker
    first_job = (Job.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    # From here on, every job this test enqueues goes to its private workers' queue.
    settings.CELERY_TASK_DEFAULT_QUEUE = private_workers.queue

    def jobs():
        return Job.objects.filter(kind=kind, pk__gte=first_job)

    doomed = context["doomed"] = private_workers(JOBS_TEST_PAUSE_SECONDS="120", **worker_env)
    scenario.start(0)
    _wait_for(
        lambda: "paused at its checkpoint" in doomed.log(),
        120,
        f"the first {kind} job did not reach its checkpoint",
        doomed,
    )
    doomed.process.kill()  # SIGKILL, in the middle of the job
    doomed.process.wait(timeout=10)
    scenario.start(1)  # its message waits in Redis, no worker to take it...
    redis.Redis.from_url(django_settings.CELERY_BROKER_URL).flushdb()  # ...and is lost
    assert sorted(jobs().values_list("state", flat=True)) == ["running", "waiting"]

    rescuer = context["rescuer"] = private_workers(**worker_env)
    _wait_for(
        lambda: not jobs().filter(state="running", lease_until__gt=timezone.now()).exists(),
        LEASE_SECONDS + 5,
        "the dead worker's lease did not run out",
    )
    time.sleep(1)  # the lost message's job is older than JOBS_REQUEUE_AFTER_SECONDS
    jobs_sweep_task.apply_async(queue=private_workers.queue)  # what beat sends every minute
    recovered_in = _wait_for(
        lambda: not jobs().exclude(state__in=["done", "failed"]).exists(),
        60,  # one sweep period
        f"the {kind} jobs did not finish",
        rescuer,
    )

    states = list(jobs().order_by("pk").values_list("state", "attempts", "interruptions"))
    if kind in SINGLE_WAITING:
        # The same work asked again while the first ran: the interrupted job took its place.
        assert states == [("done", 2, 1)], (states, rescuer.log()[-4000:])
    else:
        assert states == [("done", 2, 1), ("done", 1, 0)], (states, rescuer.log()[-4000:])
    scenario.check()
    _record(kind, recovered_in)


def _record(kind: str, seconds: float) -> None:
    target = os.environ.get("CHAOS_FIGURES")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as figures:
        figures.write(
            json.dumps(
                {
                    "kind": kind,
                    "faults": ["SIGKILL mid-job", "broker flushed with a job queued"],
                    "jobs": 2,
                    "recovered": 2,
                    "seconds_to_recover": round(seconds, 2),
                    "lease_seconds": LEASE_SECONDS,
                }
            )
            + "\n"
        )
