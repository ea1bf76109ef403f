"""Chaos: background jobs against a killed worker and a flushed broker, beside the baseline.

In one run:

1. New code: runs tests/test_chaos.py (pytest, in a subprocess, with CHAOS_FIGURES) on
   PostgreSQL and Redis db 11. For every kind of job a real Celery worker is killed with SIGKILL
   mid-job, a second job is enqueued while no worker runs and Redis is flushed, a rescuer starts
   and one sweep is sent: both jobs must finish, exactly once. Prints, per kind, the faults, the
   jobs, the jobs recovered, the seconds from the sweep to all done, the lease and pytest's
   verdict.
2. Baseline: checks out the commit before durable jobs (7bb1a8b) into a temporary git worktree,
   migrates a fresh database with its code and runs a driver script inside it that reproduces
   the issue on its criteria import, with real workers: (a) a worker killed with SIGKILL in the
   middle of a 100,000-row import, then a new worker and the baseline's sweeps, several
   "periods"; (b) with no worker running, a batch enqueued and its message lost in a Redis
   flush, then a worker and the sweeps. Prints what became of each batch beside the new code.

Exit status 0 whatever the figures (a measurement), non-zero when the set-up fails.

    .venv/bin/python bench/chaos.py [--rows 100000] [--sweeps 3] [--sweep-period 5] [--watch 30]
"""

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
import page_views as common  # noqa: E402

ROOT = common.ROOT
BASELINE_COMMIT = "7bb1a8b"
NEW_DB = "wikispiral_chaosbench"  # pytest works in test_wikispiral_chaosbench
BASELINE_DB = "wikispiral_chaos_baseline"
# A Redis database of its own (page_views 12, tests 13, directory 14, criteria 15): the chaos
# test flushes it, and so does the baseline's fault (b).
REDIS_URL = "redis://127.0.0.1:6379/11"
PYTEST_TIMEOUT_SECONDS = 480
DRIVER_TIMEOUT_SECONDS = 420
TEST_ID = "test_a_killed_worker_and_a_flushed_broker_lose_no_job"
KINDS = [
    "criteria.import",
    "syntheses.recompute",
    "syntheses.recompute_all",
    "syntheses.report",
    "projects.summaries",
    "mail.send",
    "wiki.search_index",
]
SetupError = common.SetupError


def database_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    # Leftovers from a developer's shell would point the run at other services; CI=true would
    # also demand a browser this module does not use.
    for name in (
        "CELERY_BROKER_URL",
        "CELERY_RESULT_BACKEND",
        "DATABASE_URL_FILE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "CELERY_TASK_DEFAULT_QUEUE",
        "CI",
    ):
        env.pop(name, None)
    env.update({"REDIS_URL": REDIS_URL, "PYTHONUNBUFFERED": "1"})
    return env


def postgres(statement: str) -> None:
    with psycopg.connect(common.PG_DSN.format(dbname="postgres"), autocommit=True) as conn:
        conn.execute(statement)


def database_exists(name: str) -> bool:
    with psycopg.connect(common.PG_DSN.format(dbname="postgres"), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row is not None


def redis_flush() -> None:
    with redis.Redis.from_url(REDIS_URL, socket_timeout=5) as client:
        client.flushdb()


def process_group_end(process: subprocess.Popen) -> None:
    """End a child started in a session of its own, and whatever it started (its workers)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # the group is the child's own pid


# --- 1. The new code: tests/test_chaos.py ---------------------------------------------------------


def run_new(workdir: Path) -> dict:
    """Run the chaos module; return its figures per kind, pytest's verdict per kind and rc."""
    figures_path = workdir / "figures.jsonl"
    junit_path = workdir / "junit.xml"
    log_path = workdir / "pytest.log"
    if not database_exists(NEW_DB):
        postgres(f'CREATE DATABASE "{NEW_DB}"')
    env = base_env()
    env.update({"DATABASE_URL": database_url(NEW_DB), "CHAOS_FIGURES": str(figures_path)})
    command = [
        sys.executable,
        "-m",
        "pytest",
        "tests/test_chaos.py",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--junitxml={junit_path}",
    ]
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            returncode = process.wait(timeout=PYTEST_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            returncode = None
        finally:
            process_group_end(process)
    seconds = time.monotonic() - started
    if returncode is None:
        # Killed: pytest-django had no chance to drop its test database.
        postgres(f'DROP DATABASE IF EXISTS "test_{NEW_DB}" WITH (FORCE)')
    figures = {}
    if figures_path.exists():
        for line in figures_path.read_text().splitlines():
            if line.strip():
                record = json.loads(line)
                figures[record["kind"]] = record
    verdicts = junit_verdicts(junit_path)
    if returncode not in (0, 1):
        what = "timed out" if returncode is None else f"exited with {returncode}"
        raise SetupError(f"pytest tests/test_chaos.py {what}:\n{common.tail(log_path, 60)}")
    return {
        "figures": figures,
        "verdicts": verdicts,
        "seconds": seconds,
        "log": log_path,
        "returncode": returncode,
    }


def junit_verdicts(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    verdicts = {}
    # The file pytest just wrote for this run, not input from elsewhere.
    for case in ElementTree.parse(path).iter("testcase"):  # noqa: S314
        name = case.get("name", "")
        if not name.startswith(TEST_ID + "["):
            continue
        kind = name[len(TEST_ID) + 1 : -1]
        if case.find("failure") is not None:
            verdicts[kind] = "FAIL"
        elif case.find("error") is not None:
            verdicts[kind] = "ERROR"
        elif case.find("skipped") is not None:
            verdicts[kind] = "skipped"
        else:
            verdicts[kind] = "PASS"
    return verdicts


# --- 2. The baseline, in a worktree -------------------------------------------------------------

# Runs with cwd = the baseline's worktree and its settings: the two faults on its
# criteria import, with real Celery workers (its own code, this venv). Findings go to a JSON file.
DRIVER = r'''import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

CONFIG = json.loads(Path(sys.argv[1]).read_text())
WORKTREE = Path.cwd().resolve()
sys.path.insert(0, str(WORKTREE))

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402

import criteria  # noqa: E402
from criteria.models import Criterion, ImportBatch  # noqa: E402
from criteria.transfer.services import criteria_import_enqueue, criteria_import_preview  # noqa
from projects.tasks import summaries_sweep_task  # noqa: E402
from syntheses.report_tasks import reports_sweep_task  # noqa: E402
from syntheses.tasks import syntheses_sweep_task  # noqa: E402
from tests.factories import (  # noqa: E402
    make_coordination_group,
    make_homogeneous_group,
    make_user,
    reference_data,
)
from wikispiral.celery import app  # noqa: E402
from wikispiral.tenancy import cross_tenant  # noqa: E402

if not Path(criteria.__file__).resolve().is_relative_to(WORKTREE):
    sys.exit(f"the driver imported {criteria.__file__}, not the baseline's code")

HEADER = "group,question,text,date,language,component,full_code\n"
QUEUE = settings.CELERY_TASK_DEFAULT_QUEUE
SWEEPS = (syntheses_sweep_task, reports_sweep_task, summaries_sweep_task)
LOG_DIR = Path(CONFIG["log_dir"])
BROKER = redis.Redis.from_url(settings.CELERY_BROKER_URL)
started_workers = []


def say(message):
    print(f"  baseline: {message}", flush=True)


def tail(path, lines=40):
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def worker_start(name):
    hostname = f"chaos-{name}-{uuid.uuid4().hex[:6]}@baseline"
    log_path = LOG_DIR / f"worker-{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "wikispiral",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                QUEUE,
                "--loglevel=INFO",
                "--hostname",
                hostname,
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
            ],
            cwd=WORKTREE,
            env=dict(os.environ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    started_workers.append(process)
    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[hostname], timeout=1.0):
        if process.poll() is not None:
            raise RuntimeError(f"worker {name} exited with {process.returncode}:\n{tail(log_path)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"worker {name} did not answer ping in 60 s:\n{tail(log_path)}")
    return process, log_path


def worker_stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def batch_state(pk):
    with cross_tenant():
        status, rows_done = (
            ImportBatch.objects.filter(pk=pk).values_list("status", "rows_done").get()
        )
        saved = Criterion.objects.filter(import_batch_id=pk).count()
    return status, rows_done, saved


def sweep_and_watch(pk, rows, log_path):
    """Send the baseline's sweeps (what beat sends every minute) CONFIG["sweeps"] times, one
    compressed "period" apart, and watch the batch until CONFIG["watch"] s after the first."""
    started = time.monotonic()
    sent = 0
    recovered_in = None
    while True:
        elapsed = time.monotonic() - started
        if sent < CONFIG["sweeps"] and elapsed >= sent * CONFIG["sweep_period"]:
            for task in SWEEPS:
                task.apply_async(queue=QUEUE)
            sent += 1
        status, rows_done, saved = batch_state(pk)
        if status == "done" and saved == rows and recovered_in is None:
            recovered_in = elapsed
        if (recovered_in is not None and sent == CONFIG["sweeps"]) or elapsed > CONFIG["watch"]:
            break
        time.sleep(0.2)
    # The worker logs "Task <name>[<id>] succeeded in ...s: <result>" for each task it ran.
    log = log_path.read_text(errors="replace").splitlines()
    ran = sum(
        1
        for line in log
        if " succeeded in " in line and any(f"Task {task.name}[" in line for task in SWEEPS)
    )
    status, rows_done, saved = batch_state(pk)
    return {
        "sweeps_sent": sent,
        "sweep_tasks_sent": sent * len(SWEEPS),
        "sweep_tasks_run": ran,
        "watched_seconds": round(time.monotonic() - started, 1),
        "status": status,
        "rows_done": rows_done,
        "saved": saved,
        "rows": rows,
        "recovered": status == "done" and saved == rows,
        "recovered_in": None if recovered_in is None else round(recovered_in, 2),
    }


def fault_a(tenant, facilitator):
    """A worker killed with SIGKILL in the middle of the import; a new worker; sweeps."""
    rows = CONFIG["rows"]
    body = "".join(f"young-people,Q1,Criterion number {n},2025-03-14,,,\n" for n in range(rows))
    began = time.monotonic()
    batch = criteria_import_preview(
        tenant=tenant, actor=facilitator, filename="big.csv", data=(HEADER + body).encode()
    )
    if batch.error_count:
        raise RuntimeError(f"the preview found errors: {batch.errors[:3]}")
    say(f"previewed {rows} rows in {time.monotonic() - began:.1f} s; starting a worker")
    doomed, _doomed_log = worker_start("doomed")
    criteria_import_enqueue(tenant=tenant, batch=batch)
    began = time.monotonic()
    running_since = None
    while True:
        status, rows_done, _saved = batch_state(batch.pk)
        now = time.monotonic()
        if status == "running":
            running_since = running_since or now
            # Kill once the insert is under way (progress is written every 10,000 rows).
            if rows_done > 0 or now - running_since > 60:
                break
        elif status in ("done", "failed"):
            break
        if now - began > 180:
            raise RuntimeError(f"the batch was still {status} after 180 s")
        time.sleep(0.02)
    killed = status == "running"
    if killed:
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)
        say(f"SIGKILL while running, progress {rows_done} of {rows} rows")
    else:
        say(f"the import ended ({status}) before the worker could be killed")
    time.sleep(1)  # PostgreSQL ends the dead worker's session, rolling its insert back
    at_kill = dict(zip(("status", "rows_done", "saved"), batch_state(batch.pk), strict=True))
    unacked = BROKER.hlen("unacked")
    rescuer, rescuer_log = worker_start("rescuer-a")
    say(f"new worker started; {CONFIG['sweeps']} sweeps, {CONFIG['sweep_period']} s apart")
    outcome = sweep_and_watch(batch.pk, rows, rescuer_log)
    outcome.update({"killed": killed, "at_kill": at_kill, "unacked_messages": unacked})
    return outcome, rescuer


def fault_b(tenant, facilitator, rescuer):
    """No worker; a batch enqueued and its message lost in a Redis flush; a worker; sweeps."""
    worker_stop(rescuer)
    data = (HEADER + "young-people,Q2,One more,2025-03-14,,,\n").encode()
    batch = criteria_import_preview(tenant=tenant, actor=facilitator, filename="one.csv", data=data)
    criteria_import_enqueue(tenant=tenant, batch=batch)
    waiting = BROKER.llen(QUEUE)
    status_before = batch_state(batch.pk)[0]
    BROKER.flushdb()
    say(f"batch {status_before}, {waiting} message(s) in the queue, Redis flushed")
    worker, worker_log = worker_start("rescuer-b")
    outcome = sweep_and_watch(batch.pk, 1, worker_log)
    outcome.update({"status_before_flush": status_before, "messages_flushed": waiting})
    worker_stop(worker)
    return outcome


def main():
    results = {
        "visibility_timeout": settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout"),
        "sweeps": [task.name for task in SWEEPS],
    }
    try:
        reference_data()
        tenant = make_coordination_group()
        facilitator = make_user()
        with cross_tenant():
            make_homogeneous_group(tenant=tenant, slug="young-people")
        results["a"], rescuer = fault_a(tenant, facilitator)
        say(f"(a) after the sweeps: {results['a']['status']}, {results['a']['saved']} rows saved")
        results["b"] = fault_b(tenant, facilitator, rescuer)
        say(f"(b) after the sweeps: {results['b']['status']}")
    finally:
        for process in started_workers:
            worker_stop(process)
        Path(CONFIG["results"]).write_text(json.dumps(results, indent=1))


main()
'''


def run_baseline(workdir: Path, args: argparse.Namespace) -> dict:
    worktree = Path(f"/tmp/wikispiral-baseline-{os.getpid()}")
    env = base_env()
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "wikispiral.settings",
            "DATABASE_URL": database_url(BASELINE_DB),
            "DATABASE_CONN_MAX_AGE": "0",
            "WIKISPIRAL_TESTING": "true",
            "DEBUG": "true",
            "PYTHONPATH": str(worktree),
            "CELERY_TASK_DEFAULT_QUEUE": f"chaos-baseline-{os.getpid()}",
            "MEDIA_ROOT": str(workdir / "baseline-media"),
            "PRIVATE_ROOT": str(workdir / "baseline-private"),
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        }
    )
    added = False
    try:
        result = subprocess.run(
            ["git", "worktree", "add", "--detach", str(worktree), args.baseline],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise SetupError(f"git worktree add failed:\n{result.stdout}{result.stderr}")
        added = True
        postgres(f'DROP DATABASE IF EXISTS "{BASELINE_DB}" WITH (FORCE)')
        postgres(f'CREATE DATABASE "{BASELINE_DB}"')
        redis_flush()
        print(f"Baseline {args.baseline}: migrating {BASELINE_DB}...", flush=True)
        result = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
            cwd=worktree,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise SetupError(f"baseline migrate failed:\n{result.stdout}{result.stderr}")
        driver = workdir / "baseline_driver.py"
        driver.write_text(DRIVER)
        log_dir = workdir / "baseline-logs"
        log_dir.mkdir()
        results_path = workdir / "baseline.json"
        config = workdir / "baseline-config.json"
        config.write_text(
            json.dumps(
                {
                    "rows": args.rows,
                    "sweeps": args.sweeps,
                    "sweep_period": args.sweep_period,
                    "watch": args.watch,
                    "log_dir": str(log_dir),
                    "results": str(results_path),
                }
            )
        )
        print("Baseline: running the driver (faults (a) and (b))...", flush=True)
        process = subprocess.Popen(
            [sys.executable, str(driver), str(config)],
            cwd=worktree,
            env=env,
            start_new_session=True,  # its workers share its group: ended with it, whatever happens
        )
        try:
            returncode = process.wait(timeout=DRIVER_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            returncode = None
        finally:
            process_group_end(process)
        results = json.loads(results_path.read_text()) if results_path.exists() else {}
        if returncode != 0 or "b" not in results:
            logs = "\n".join(
                f"--- {path.name}\n{common.tail(path, 30)}" for path in sorted(log_dir.glob("*"))
            )
            what = "timed out" if returncode is None else f"exited with {returncode}"
            raise SetupError(f"the baseline driver {what}\n{logs}")
        return results
    finally:
        postgres(f'DROP DATABASE IF EXISTS "{BASELINE_DB}" WITH (FORCE)')
        if added:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(worktree)],
                cwd=ROOT,
                capture_output=True,
            )


# --- The tables ---------------------------------------------------------------------------------


def print_new(new: dict) -> None:
    print()
    print(
        f"New code: tests/test_chaos.py ({new['seconds']:.0f} s, pytest exit {new['returncode']})"
    )
    print(
        f"{'kind':<26}{'faults':>7}{'jobs':>6}{'recovered':>11}{'s to recover':>14}"
        f"{'lease s':>9}   pytest"
    )
    faults: list[str] = []
    for kind in KINDS:
        record = new["figures"].get(kind)
        verdict = new["verdicts"].get(kind, "not run")
        if record is None:
            print(f"{kind:<26}{'-':>7}{'-':>6}{'-':>11}{'-':>14}{'-':>9}   {verdict}")
            continue
        faults = faults or record["faults"]
        print(
            f"{kind:<26}{len(record['faults']):>7}{record['jobs']:>6}{record['recovered']:>11}"
            f"{record['seconds_to_recover']:>14.2f}{record['lease_seconds']:>9}   {verdict}"
        )
    if faults:
        print(f"faults: {'; '.join(faults)} (one of each per kind)")
    print("s to recover: from the one sweep sent to both jobs done, each exactly once")
    failed = [kind for kind, verdict in new["verdicts"].items() if verdict != "PASS"]
    if failed:
        print(f"not passed: {', '.join(failed)}; pytest output (last lines):")
        print(common.tail(new["log"], 40))


def baseline_cell(outcome: dict) -> str:
    state = f"{outcome['status']}, {outcome['saved']} of {outcome['rows']} rows"
    sweeps = f"{outcome['sweeps_sent']} sweeps"
    if outcome["recovered"]:
        return f"recovered in {outcome['recovered_in']} s after {sweeps} ({state})"
    return f"not recovered after {sweeps} in {outcome['watched_seconds']:.0f} s ({state})"


def print_baseline(baseline: dict, new: dict | None, args: argparse.Namespace) -> None:
    record = (new or {}).get("figures", {}).get("criteria.import")
    verdict = (new or {}).get("verdicts", {}).get("criteria.import", "not run")
    if record is not None and verdict == "PASS":
        new_cell = f"recovered in {record['seconds_to_recover']} s after 1 sweep"
    else:
        new_cell = f"not recovered (pytest: {verdict})" if new else "not run"
    a, b = baseline["a"], baseline["b"]
    print()
    print(f"Baseline {args.baseline} beside the new code: criteria.import, {args.rows} rows")
    fault_a = "SIGKILL mid-import" if a["killed"] else "SIGKILL missed (import ended first)"
    rows = [
        (fault_a, baseline_cell(a)),
        ("broker flushed, batch queued", baseline_cell(b)),
    ]
    width = max(len(cell) for _fault, cell in rows)
    for fault, cell in rows:
        print(f"criteria.import | {fault:<28} | baseline: {cell:<{width}} | new: {new_cell}")
    at_kill = a["at_kill"]
    print(
        f"(a) at the kill: {at_kill['status']}, progress {at_kill['rows_done']} rows, "
        f"{at_kill['saved']} saved; the broker held {a['unacked_messages']} unacknowledged "
        "message(s),"
    )
    print(
        f"    redelivered only after the visibility timeout ({baseline['visibility_timeout']} s), "
        "to a task that skips a running batch"
    )
    print(
        f"(b) before the flush: {b['status_before_flush']}, {b['messages_flushed']} message(s) "
        "in the queue"
    )
    names = ", ".join(name.rsplit(".", 1)[-1] for name in baseline["sweeps"])
    print(
        f"sweeps: {names}, sent {args.sweeps} times {args.sweep_period:g} s apart (beat: every "
        f"60 s); run by the new worker: (a) {a['sweep_tasks_run']} of {a['sweep_tasks_sent']}, "
        f"(b) {b['sweep_tasks_run']} of {b['sweep_tasks_sent']}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the baseline import")
    parser.add_argument("--sweeps", type=int, default=3, help="baseline sweep periods")
    parser.add_argument(
        "--sweep-period", type=float, default=5.0, help="seconds between baseline sweeps"
    )
    parser.add_argument(
        "--watch", type=float, default=30.0, help="seconds to watch a baseline batch"
    )
    parser.add_argument("--baseline", default=BASELINE_COMMIT, help="the commit to compare with")
    parser.add_argument("--skip-new", action="store_true", help="only the baseline")
    parser.add_argument("--skip-baseline", action="store_true", help="only the new code")
    args = parser.parse_args()
    # A SIGTERM becomes SystemExit, so the finally blocks still end workers and the worktree.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))

    load = os.getloadavg()
    print("chaos.py: background jobs against a killed worker and a flushed broker")
    print(
        f"machine   nproc {os.cpu_count()}, load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f} (1, 5, 15 min) before the run, Python {sys.version.split()[0]}"
    )
    print(f"commit    {common.git_commit()}; baseline {args.baseline}")
    print(f"services  PostgreSQL {common.PG_DSN.split(' dbname')[0]}, Redis {REDIS_URL}")
    new = baseline = None
    with tempfile.TemporaryDirectory(prefix="wikispiral-chaos-") as tmp:
        workdir = Path(tmp)
        try:
            if not args.skip_new:
                print("New code: pytest tests/test_chaos.py (about 2 minutes)...", flush=True)
                new = run_new(workdir)
                print_new(new)
            if not args.skip_baseline:
                print(flush=True)
                baseline = run_baseline(workdir, args)
                print_baseline(baseline, new, args)
        except (SetupError, OSError, psycopg.Error, redis.RedisError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
