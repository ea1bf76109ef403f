"""Syntheses at network scale: recomputing every snapshot, after one group adds criteria, the
synthesis page of a country, and PDF reports.

Builds a fresh PostgreSQL database `wikispiral_bench_syntheses`, generates `--criteria` demo
criteria (criteria.demo, in a child process, so that this process's peak memory is the engine's
own), runs VACUUM ANALYZE, and measures in one run, `--repeat` times each, (1) and the
baselines interleaved:

1. `syntheses.services.syntheses_recompute_all()`, the nightly pass, three ways each round:
   forced (`force=True`: every cube of every scope rebuilt from the criteria; the first round
   from no snapshot stored); a night with nothing changed (every scope's fingerprint computed
   from the criteria and compared with its snapshot's); a night after 1% of the coordination
   groups had one criterion reclassified behind the services' back (raw SQL: no scope marked),
   which the check must find and recompute. Their parts are timed from outside (the functions
   they call are wrapped, their code unchanged).
2. One homogeneous group adds 60 criteria through the real services (criterion_create, then
   criterion_classify, each committed on its own as the fast-entry and classification pages do).
   Celery sends its jobs to Redis db 11, where no worker listens, so nothing runs inline; then,
   from the 60 saves committed, `syntheses_recompute_pending()` runs until no scope is pending.
   A different group each round.
3. The synthesis page of the biggest country, served by gunicorn (2 sync workers), under wrk.
4. PDF reports of the biggest locality, the biggest country and the network, each drawn by
   the task's code (report_render) in a fresh process: time, pages, memory per page.
Baselines over the same rows, each one bare SQL statement through psycopg (statement and fetch
of every row timed):
   (a) `GROUP BY GROUPING SETS`: counts per (component, question) for every level at once
       (homogeneous group, coordination group, locality, region, country, continent, network);
   (b) the finest grain: `GROUP BY locality, component, question`.

Prints each figure (median of the rounds) beside its goal. Exit status 0 whatever the figures
(a measurement), non-zero when the set-up fails or the engine's counts are wrong.

    .venv/bin/python bench/syntheses.py [--criteria 1000000] [--repeat 3] [--reuse]
"""

import argparse
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
import page_views as common  # noqa: E402

ROOT = common.ROOT
DB_NAME = "wikispiral_bench_syntheses"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
# A Redis database of its own (page_views 12, tests 13, directory 14, criteria 15), flushed at
# start and end. It is Celery's broker here: jobs land in it and no worker takes them.
REDIS_URL = "redis://127.0.0.1:6379/11"
SEED = 20261201
ADDED = 60
GOALS = {
    "grouping_sets_ratio": 0.5,
    "finest_ratio": 2.5,
    "after_add_seconds": 1.0,
    "page_p99_ms": 100.0,
    "locality_pdf_seconds": 1.0,
    "pages_per_second": 5.0,
    "mb_per_page": 6.0,
}

# Counts per (component, question) at every level in one statement. GROUPING() tells which set
# a row belongs to; places count the criteria of visible coordination groups only (the FILTER).
GROUPING_SETS_SQL = """
SELECT GROUPING(hg.id, c.tenant_id, cg.locality_id, cg.region_id, cg.country_id,
                co.continent_id) AS level,
       hg.id, c.tenant_id, cg.locality_id, cg.region_id, cg.country_id, co.continent_id,
       c.component_id, c.question_id,
       count(*) AS criteria,
       count(*) FILTER (WHERE NOT cg.is_hidden) AS visible
FROM criteria_criterion c
JOIN criteria_component k ON k.id = c.component_id
JOIN territories_homogeneousgroup hg ON hg.id = c.group_id
JOIN territories_coordinationgroup cg ON cg.id = c.tenant_id
JOIN territories_country co ON co.id = cg.country_id
WHERE c.status = 'classified' AND k.version_id = %(version)s
GROUP BY GROUPING SETS (
    (hg.id, c.component_id, c.question_id),
    (c.tenant_id, c.component_id, c.question_id),
    (cg.locality_id, c.component_id, c.question_id),
    (cg.region_id, c.component_id, c.question_id),
    (cg.country_id, c.component_id, c.question_id),
    (co.continent_id, c.component_id, c.question_id),
    (c.component_id, c.question_id)
)
"""
# GROUPING(...) of the network set: all six keys aggregated away.
NETWORK_LEVEL = 0b111111

FINEST_SQL = """
SELECT cg.locality_id, c.component_id, c.question_id, count(*) AS criteria
FROM criteria_criterion c
JOIN criteria_component k ON k.id = c.component_id
JOIN territories_coordinationgroup cg ON cg.id = c.tenant_id
WHERE c.status = 'classified' AND k.version_id = %(version)s
GROUP BY cg.locality_id, c.component_id, c.question_id
"""


def bench_env(static_root: Path) -> dict[str, str]:
    env = common.production_env(static_root)
    env.update({"DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL})
    # Report files and uploads stay in the run's temporary directory.
    env["MEDIA_ROOT"] = str(static_root.parent / "media")
    env["PRIVATE_ROOT"] = str(static_root.parent / "private")
    return env


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- Set-up: database, generated network ---------------------------------------------------------


def prepare_database(env: dict[str, str]) -> None:
    with psycopg.connect(common.PG_DSN.format(dbname="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    common.run_checked(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"], env, "migrate"
    )


def generate_child(criteria: int, seed: int) -> dict:
    """Runs in its own process: the demo network, in one transaction."""
    from criteria.demo import demo_generate

    started = time.perf_counter()
    summary = demo_generate(criteria=criteria, seed=seed)
    return {
        "seconds": time.perf_counter() - started,
        "summary": summary.line(),
        "rss_peak": peak_rss_mb(),
    }


def run_generate(env: dict[str, str], criteria: int, seed: int) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--generate-child", str(criteria), "--seed", str(seed)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise common.SetupError(f"Generating failed:\n{result.stdout}{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def vacuum_analyze() -> float:
    """As autovacuum would have done on a live site: statistics and the visibility map."""
    started = time.perf_counter()
    with psycopg.connect(common.PG_DSN.format(dbname=DB_NAME), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def data_shape() -> dict[str, int]:
    from django.db import connection

    queries = {
        "coordination groups": "SELECT count(*) FROM territories_coordinationgroup",
        "hidden coordination groups": (
            "SELECT count(*) FROM territories_coordinationgroup WHERE is_hidden"
        ),
        "homogeneous groups": "SELECT count(*) FROM territories_homogeneousgroup",
        "criteria": "SELECT count(*) FROM criteria_criterion",
        "classified criteria": (
            "SELECT count(*) FROM criteria_criterion c JOIN criteria_component k"
            " ON k.id = c.component_id JOIN criteria_gridversion v ON v.id = k.version_id"
            " WHERE c.status = 'classified' AND v.is_current"
        ),
        "localities": (
            "SELECT count(DISTINCT locality_id) FROM territories_coordinationgroup"
            " WHERE locality_id IS NOT NULL"
        ),
        "regions": (
            "SELECT count(DISTINCT region_id) FROM territories_coordinationgroup"
            " WHERE region_id IS NOT NULL"
        ),
        "countries": "SELECT count(DISTINCT country_id) FROM territories_coordinationgroup",
        "continents": (
            "SELECT count(DISTINCT co.continent_id) FROM territories_coordinationgroup cg"
            " JOIN territories_country co ON co.id = cg.country_id"
        ),
    }
    shape = {}
    with connection.cursor() as cursor:
        for label, query in queries.items():
            cursor.execute(query)
            shape[label] = cursor.fetchone()[0]
    return shape


# --- Timing the engine's parts from outside ------------------------------------------------------


@dataclass
class Phases:
    """Time in wrapped functions, inclusive (seconds) and without the wrapped functions they
    call (own); SQL time and queries under each (the innermost wrapped function running)."""

    seconds: Counter = field(default_factory=Counter)
    own: Counter = field(default_factory=Counter)
    sql: Counter = field(default_factory=Counter)
    queries: Counter = field(default_factory=Counter)
    sizes: Counter = field(default_factory=Counter)
    # [label, time spent in wrapped functions it called]
    stack: list[list] = field(default_factory=list)

    def wrap(self, function: Callable, label: str, size: Callable | None) -> Callable:
        @wraps(function)
        def timed(*args, **kwargs):
            frame = [label, 0.0]
            self.stack.append(frame)
            started = time.perf_counter()
            try:
                result = function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                self.stack.pop()
                self.seconds[label] += elapsed
                self.own[label] += elapsed - frame[1]
                if self.stack:
                    self.stack[-1][1] += elapsed
            if size is not None:
                measured = size(args, kwargs, result)
                if isinstance(measured, dict):
                    self.sizes.update(measured)
                else:
                    self.sizes[label] += measured
            return result

        return timed

    def execute(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            label = self.stack[-1][0] if self.stack else "other"
            self.sql[label] += time.perf_counter() - started
            self.queries[label] += 1


@contextmanager
def instrumented() -> Iterator[Phases]:
    """Wrap the engine's stages (module attributes, looked up at call time) and time every
    query; everything is put back on exit."""
    from django.db import connection

    from syntheses import compute, services

    phases = Phases()
    targets = [
        (compute, "criteria_hashes", "hashes", lambda a, k, result: len(result)),
        (compute, "scope_fingerprints", "fingerprints", None),
        (compute, "fine_frame", "fine", lambda a, k, result: len(result)),
        (compute, "stage_one", "stage_one", None),
        (compute, "coordination_groups_frame", "places", None),
        (services, "_place_ids", "place_ids", None),
        (compute, "stage_two", "stage_two", lambda a, k, result: len(result)),
        (services, "_places_roll_up", "roll_up", lambda a, k, result: result),
        (services, "_children", "children", None),
        (compute, "roll_up_level", "roll_up_sum", None),
        (services, "_pending_claim", "claim", lambda a, k, result: len(result[0])),
        (services, "_write", "write", lambda a, k, result: len(a[0])),
    ]
    saved = []
    for module, name, label, size in targets:
        original = getattr(module, name)
        saved.append((module, name, original))
        setattr(module, name, phases.wrap(original, label, size))
    try:
        with connection.execute_wrapper(phases.execute):
            yield phases
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


# --- 1. Recompute everything, and the baselines ------------------------------------------------


@dataclass
class Round:
    total: float
    phases: Phases
    checked: int
    recomputed: int


def recompute_all(*, force: bool) -> Round:
    from syntheses.services import syntheses_recompute_all

    with instrumented() as phases:
        started = time.perf_counter()
        check = syntheses_recompute_all(force=force)
        total = time.perf_counter() - started
    return Round(total, phases, check.checked, check.recomputed)


def change_unmarked(conn: psycopg.Connection, number: int, share: float = 0.01) -> int:
    """Reclassify one criterion in each of share of the coordination groups (another one each
    round) with raw SQL, as a bug or a hand-made fix would: no scope is marked. Returns how
    many groups changed."""
    tenants = [
        row[0]
        for row in conn.execute(
            "SELECT id FROM territories_coordinationgroup ORDER BY id"
        ).fetchall()
    ]
    rng = random.Random(SEED * 7 + number)
    chosen = rng.sample(tenants, max(1, int(len(tenants) * share)))
    conn.execute(
        """
        UPDATE criteria_criterion c SET component_id = (
            SELECT k.id FROM criteria_component k
            WHERE k.version_id = k0.version_id AND k.id <> c.component_id
            ORDER BY k.id LIMIT 1)
        FROM criteria_component k0
        WHERE k0.id = c.component_id AND c.id IN (
            SELECT DISTINCT ON (tenant_id) id FROM criteria_criterion
            WHERE status = 'classified' AND tenant_id = ANY(%(tenants)s)
            ORDER BY tenant_id, id)
        """,
        {"tenants": chosen},
    )
    return len(chosen)


def baseline(conn: psycopg.Connection, sql: str, version: int) -> tuple[float, list[tuple]]:
    started = time.perf_counter()
    rows = conn.execute(sql, {"version": version}).fetchall()
    return time.perf_counter() - started, rows


def check_recompute(
    grouping_rows: list[tuple], finest_rows: list[tuple], shape: dict[str, int]
) -> None:
    """The engine's network figure against both baselines, and one snapshot per scope."""
    from syntheses.models import Scope, Snapshot

    network = Snapshot.objects.get(scope=Scope.NETWORK, scope_id=0).criteria_count
    visible = sum(row[-1] for row in grouping_rows if row[0] == NETWORK_LEVEL)
    finest = sum(row[-1] for row in finest_rows)
    if network != visible:
        raise common.SetupError(
            f"The network snapshot counts {network:,} criteria, GROUPING SETS {visible:,}"
        )
    if not shape["hidden coordination groups"] and network != finest:
        raise common.SetupError(
            f"The network snapshot counts {network:,} criteria, the finest grain {finest:,}"
        )
    scopes = 1 + sum(
        shape[label]
        for label in (
            "homogeneous groups",
            "coordination groups",
            "localities",
            "regions",
            "countries",
            "continents",
        )
    )
    if Snapshot.objects.count() != scopes:
        raise common.SetupError(f"{Snapshot.objects.count():,} snapshots for {scopes:,} scopes")


# --- 2. One group adds 60 criteria ---------------------------------------------------------------


@dataclass
class AddRound:
    group: str
    group_criteria: int
    cg_criteria: int
    cg_groups: int
    marked: int
    saves: float
    total: float
    passes: int
    written: int
    phases: Phases


def groups_to_add_to(rounds: int) -> list[tuple[int, int]]:
    """(coordination group, homogeneous group) pairs: coordination groups of median size, one
    per round, and the first homogeneous group of each."""
    from django.db.models import Count

    from criteria.models import Criterion
    from territories.models import HomogeneousGroup
    from wikispiral.tenancy import cross_tenant

    with cross_tenant():
        sizes = list(
            Criterion.objects.order_by()
            .values_list("tenant_id")
            .annotate(n=Count("id"))
            .order_by("n", "tenant_id")
        )
        middle = len(sizes) // 2
        chosen = [tenant for tenant, _n in sizes[middle : middle + rounds]]
        pairs = []
        for tenant in chosen:
            hg = HomogeneousGroup.objects.filter(tenant_id=tenant).order_by("pk").first()
            pairs.append((tenant, hg.pk))
    return pairs


def add_and_recompute(tenant_id: int, group_id: int, number: int) -> AddRound:
    from criteria.models import Component, Criterion, Question
    from criteria.services import criterion_classify, criterion_create
    from syntheses.models import PendingScope, Scope, Snapshot
    from syntheses.services import syntheses_recompute_pending
    from territories.models import CoordinationGroup, HomogeneousGroup
    from tests.factories import make_user
    from wikispiral.accounts.models import User
    from wikispiral.tenancy import cross_tenant

    rng = random.Random(SEED + number)
    actor = User.objects.filter(username="bench-syntheses").first() or make_user(
        username="bench-syntheses"
    )
    components = list(
        Component.objects.filter(version__is_current=True, is_active=True).select_related("version")
    )
    questions = list(Question.objects.shared().filter(code__in=("Q1", "Q2", "Q3")))
    with cross_tenant():
        tenant = CoordinationGroup.objects.select_related("country").get(pk=tenant_id)
        group = HomogeneousGroup.objects.get(pk=group_id)
        checked = [
            (Scope.HOMOGENEOUS_GROUP, group.pk),
            (Scope.COORDINATION_GROUP, tenant.pk),
            (Scope.NETWORK, 0),
        ]
        before = {
            key: Snapshot.objects.get(scope=key[0], scope_id=key[1]).criteria_count
            for key in checked
        }
        if PendingScope.objects.exists():
            raise common.SetupError("Scopes are pending before the criteria are added")
        started = time.perf_counter()
        for index in range(ADDED):
            criterion = criterion_create(
                tenant=tenant,
                group=group,
                question=rng.choice(questions),
                text=f"Bench criterion {number}-{index}: time with my family",
                actor=actor,
            )
            criterion_classify(
                tenant=tenant, criterion=criterion, component=rng.choice(components), actor=actor
            )
        saves = time.perf_counter() - started
        marked = PendingScope.objects.count()

        # From the 60 saves committed to every affected snapshot updated.
        passes = written = 0
        with instrumented() as phases:
            started = time.perf_counter()
            while True:
                written += syntheses_recompute_pending()
                passes += 1
                if not PendingScope.objects.exists() or passes >= 20:
                    break
            total = time.perf_counter() - started
        if PendingScope.objects.exists():
            raise common.SetupError(f"Scopes still pending after {passes} passes")

        cg_criteria = Criterion.objects.filter(tenant=tenant).count()
        group_criteria = Criterion.objects.filter(group=group).count()
        cg_groups = HomogeneousGroup.objects.filter(tenant=tenant).count()
        for key in checked:
            after = Snapshot.objects.get(scope=key[0], scope_id=key[1]).criteria_count
            if after != before[key] + ADDED:
                raise common.SetupError(
                    f"Snapshot {key[0]}:{key[1]} counts {after:,} criteria, "
                    f"expected {before[key] + ADDED:,}"
                )
    return AddRound(
        group=f"{tenant.slug} / {group.slug}",
        group_criteria=group_criteria,
        cg_criteria=cg_criteria,
        cg_groups=cg_groups,
        marked=marked,
        saves=saves,
        total=total,
        passes=passes,
        written=written,
        phases=phases,
    )


# --- 3. The synthesis page of a country, served by gunicorn ------------------------------------


@dataclass
class PageFigures:
    path: str
    name: str
    criteria: int
    bytes: int
    queries_cold: int
    queries_warm: int
    first_ms: float
    wrk: "common.WrkResult"
    cpu_ms: float


def biggest_place(scope: str) -> tuple[int, str, int]:
    """The place of this level with the most criteria in its snapshot: id, name, criteria."""
    from syntheses.models import Snapshot
    from syntheses.selectors import scope_get

    snapshot = Snapshot.objects.filter(scope=scope).order_by("-criteria_count").first()
    if snapshot is None or not snapshot.criteria_count:
        raise common.SetupError(f"No {scope} snapshot with criteria")
    ref = scope_get(scope if scope == "network" else f"{scope}-{snapshot.scope_id}")
    return snapshot.scope_id, ref.name, snapshot.criteria_count


def page_queries(path: str) -> tuple[int, int]:
    """Queries of the first (cold figures cache) and of a second (warm) request."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = []
    for _attempt in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, HTTP_HOST=common.HOST)
        if response.status_code != 200:
            raise common.SetupError(f"GET {path} answered {response.status_code}")
        counts.append(len(queries))
    cache.clear()  # the bench's own Redis db: the server starts from an empty cache
    return counts[0], counts[1]


def country_page(env: dict[str, str], workdir: Path, duration: int, connections: int):
    place, name, criteria = biggest_place("country")
    path = f"/syntheses/country-{place}/"
    queries_cold, queries_warm = page_queries(path)
    script = workdir / "summary.lua"
    script.write_text(common.WRK_SUMMARY_SCRIPT)
    log_path = workdir / "gunicorn.log"
    server = argparse.Namespace(workers=2, worker_class="sync", threads=1)
    port = common.free_port()
    try:
        with common.gunicorn_running(env, port, server, log_path) as pid:
            started = time.perf_counter()
            first = common.http_request(port, path)
            first_ms = (time.perf_counter() - started) * 1000
            if first.status != 200 or name.encode() not in first.body:
                raise common.SetupError(f"GET {path} answered {first.status} without {name}")
            result, cpu_ms = common.measure(
                f"http://{common.HOST}:{port}{path}",
                duration=duration,
                connections=connections,
                script=script,
                headers={},
                expected_size=len(first.body),
                strict=True,
                label="country synthesis page",
                server_pid=pid,
            )
    except common.SetupError as error:
        raise common.SetupError(f"{error}\n{common.tail(log_path)}") from error
    return PageFigures(
        path, name, criteria, len(first.body), queries_cold, queries_warm, first_ms, result, cpu_ms
    )


# --- 4. PDF reports, drawn by the task's code in a fresh process each ---------------------------


@dataclass
class PdfFigures:
    scope: str
    name: str
    criteria: int
    seconds: float  # the second report drawn by the process (a worker's usual case)
    first_seconds: float  # the first one (imports, fonts, templates loaded on the way)
    pages: int
    size: int
    rss_before: float  # MB, before the timed report (the first one drawn and its imports kept)
    rss_peak: float  # MB, the process's high-water mark while the timed report was drawn

    @property
    def per_page_mb(self) -> float:
        return (self.rss_peak - self.rss_before) / max(self.pages, 1)


def memory_mb(field_name: str) -> float:
    """VmRSS or VmHWM of this process in MB. Not ru_maxrss: Linux carries it over from the
    parent across fork and exec, so a fresh child would report the bench's own peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    raise common.SetupError(f"{field_name} not in /proc/self/status")


def render_child(report_ids: list[int]) -> dict:
    """Draw queued reports one after the other as the Celery task does (report_render) in this
    fresh process, timing each and measuring the memory they added."""
    from syntheses.reports import report_render

    seconds = []
    before = memory_mb("VmRSS")
    for report_id in report_ids:
        if seconds:
            # The next report's own peak: reset the high-water mark to the present size.
            Path("/proc/self/clear_refs").write_text("5")
            before = memory_mb("VmRSS")
        started = time.perf_counter()
        report = report_render(report_id=report_id)
        seconds.append(time.perf_counter() - started)
        if report is None or report.status != "done":
            message = report.message if report is not None else "nothing to do"
            raise SystemExit(f"report {report_id} not drawn: {message}")
    return {
        "first_seconds": seconds[0],
        "seconds": seconds[-1],
        "pages": report.pages,
        "size": report.file.size,
        "rss_before": before,
        "rss_peak": memory_mb("VmHWM"),
    }


def pdf_report(env: dict[str, str], scope: str) -> PdfFigures:
    from syntheses.models import Report

    place, name, criteria = biggest_place(scope)
    # Two reports of the same scope (English and French, so neither waits for the other).
    reports = [
        Report.objects.create(scope=scope, scope_id=place, language=language)
        for language in ("fr", "en")
    ]
    result = subprocess.run(
        [sys.executable, __file__, "--render-child", ",".join(str(r.pk) for r in reports)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise common.SetupError(f"drawing the {scope} report failed:\n{result.stderr[-3000:]}")
    drawn = json.loads(result.stdout.strip().splitlines()[-1])
    return PdfFigures(scope, name, criteria, **drawn)


# --- Report --------------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float], unit: float = 1.0, digits: int = 2) -> str:
    shown = ", ".join(f"{value * unit:.{digits}f}" for value in values)
    return f"[{shown}]" if len(values) > 1 else ""


def verdict(value: float, goal: float) -> str:
    return "PASS" if value <= goal else "FAIL"


def phase_line(label: str, seconds: list[float], sql: list[float] | None = None) -> str:
    text = f"    {label:<48}{median(seconds):>8.3f} s"
    if sql is not None:
        text += f"   (SQL {median(sql):.3f} s)"
    return text


def report(
    *,
    shape: dict[str, int],
    generated: dict | None,
    vacuum: float | None,
    rounds: dict[str, list[Round]],
    changed_groups: list[int],
    grouping: list[tuple[float, int]],
    finest: list[tuple[float, int]],
    adds: list[AddRound],
    snapshots: dict[str, int],
    stored: dict[str, float],
    rss: dict[str, float],
    load: float,
    page: PageFigures,
    pdfs: list[PdfFigures],
) -> None:
    from syntheses.models import Scope

    def each(runs: list[Round], key: str, where: str = "own") -> list[float]:
        return [getattr(r.phases, where)[key] for r in runs]

    def parts(runs: list[Round], lines: list[tuple[str, str, bool]]) -> None:
        for label, key, sql in lines:
            print(phase_line(label, each(runs, key), each(runs, key, "sql") if sql else None))
        rest = [r.total - sum(r.phases.own.values()) for r in runs]
        print(phase_line("the rest (removals, pending, commit)", rest, each(runs, "other", "sql")))

    print()
    print("Data shape")
    print(
        f"  {shape['criteria']:,} criteria ({shape['classified criteria']:,} classified, "
        f"current grid), {shape['homogeneous groups']:,} homogeneous groups, "
        f"{shape['coordination groups']:,} coordination groups "
        f"({shape['hidden coordination groups']} hidden)"
    )
    print(
        f"  {shape['localities']:,} localities, {shape['regions']:,} regions, "
        f"{shape['countries']} countries, {shape['continents']} continents"
    )
    if generated is not None:
        print(
            f"  generated in {generated['seconds']:.0f} s (child process, peak "
            f"{generated['rss_peak']:.0f} MB); VACUUM ANALYZE {vacuum:.1f} s"
        )
    total = ", ".join(f"{snapshots[scope]:,} {scope}" for scope in Scope.values)
    print(f"  snapshots {sum(snapshots.values()):,}: {total}")

    grouping_s = [seconds for seconds, _rows in grouping]
    finest_s = [seconds for seconds, _rows in finest]
    forced, steady, changed = rounds["forced"], rounds["steady"], rounds["changed"]
    repeat = len(forced)

    def ratios(seconds: float) -> str:
        gs, fine = seconds / median(grouping_s), seconds / median(finest_s)
        return (
            f"{gs:.2f} × GROUPING SETS ({verdict(gs, GOALS['grouping_sets_ratio'])}), "
            f"{fine:.2f} × finest grain ({verdict(fine, GOALS['finest_ratio'])})"
        )

    print()
    print(f"(1) Recompute every scope at every level: the nightly pass (median of {repeat})")
    print(
        f"    {'baseline (a) GROUPING SETS, all levels':<48}{median(grouping_s):>8.2f} s   "
        f"{grouping[0][1]:,} rows {spread(grouping_s)}"
    )
    print(
        f"    {'baseline (b) finest grain (locality)':<48}{median(finest_s):>8.2f} s   "
        f"{finest[0][1]:,} rows {spread(finest_s)}"
    )
    print(
        f"    goals: ≤ {GOALS['grouping_sets_ratio']} × (a) = "
        f"{GOALS['grouping_sets_ratio'] * median(grouping_s):.2f} s and ≤ "
        f"{GOALS['finest_ratio']} × (b) = {GOALS['finest_ratio'] * median(finest_s):.2f} s"
    )
    night = [r.total for r in steady]
    print()
    print(
        f"    {'a night, nothing changed (check every scope)':<48}{median(night):>8.2f} s"
        f"   {spread(night)}"
    )
    print(f"    {'  ratios':<48}{ratios(median(night))}")
    print(
        f"    {'  scopes checked, recomputed':<48}{steady[0].checked:>8,}   {steady[0].recomputed}"
    )
    parts(
        steady,
        [
            (
                f"criteria hashes, one aggregate ({steady[0].phases.sizes['hashes']:,} groups)",
                "hashes",
                True,
            ),
            ("fingerprints of every scope (numpy)", "fingerprints", False),
            ("places frame (coordination_groups_frame)", "places", True),
            ("place ids (_place_ids)", "place_ids", True),
        ],
    )
    moved = [r.total for r in changed]
    print()
    print(
        f"    {'a night after 1% of groups changed unmarked':<48}{median(moved):>8.2f} s   "
        f"{spread(moved)}"
    )
    print(f"    {'  ratios':<48}{ratios(median(moved))}")
    print(
        f"    {'  groups changed, scopes recomputed':<48}{changed_groups[0]:>8,}   "
        + ", ".join(f"{r.recomputed:,}" for r in changed)
    )
    parts(
        changed,
        [
            ("criteria hashes, one aggregate", "hashes", True),
            ("fingerprints of every scope (numpy)", "fingerprints", False),
            ("finest-grain query of the changed groups", "fine", True),
            ("stage one rest (their hg and cg cubes)", "stage_one", True),
            ("what lies under each place (_children)", "children", True),
            ("places rolled up: snapshots below read", "roll_up", True),
            ("sums (compute.roll_up_level, pandas)", "roll_up_sum", False),
            ("writes (_write)", "write", True),
        ],
    )
    full = [r.total for r in forced[1:]] or [forced[0].total]
    print()
    print(
        f"    {'forced: every cube rebuilt from the criteria':<48}{median(full):>8.2f} s   "
        f"{spread(full)}   (figures found unchanged are not rewritten)"
    )
    print(f"    {'  ratios':<48}{ratios(median(full))}")
    print(
        f"    {'  the first, no snapshot stored':<48}{forced[0].total:>8.2f} s   "
        f"{ratios(forced[0].total)}"
    )
    print(
        f"    {'  snapshots written':<48}{forced[0].recomputed:>8,}   "
        f"{stored['json_mb']:.0f} MB of JSON, table {stored['table_mb']:.0f} MB on disk"
    )
    fine_rows = forced[0].phases.sizes["fine"]
    parts(
        forced[1:] or forced,
        [
            ("criteria hashes, one aggregate", "hashes", True),
            (f"finest-grain query, to a frame ({fine_rows:,} rows)", "fine", True),
            ("stage one rest (hg and cg cubes, pandas)", "stage_one", True),
            ("fingerprints of every scope (numpy)", "fingerprints", False),
            ("places frame (coordination_groups_frame)", "places", True),
            ("place ids (_place_ids)", "place_ids", True),
            ("roll-up to places (stage_two, pandas)", "stage_two", False),
            ("writes (_write)", "write", True),
        ],
    )

    print()
    print(f"(2) Recompute after one group adds {ADDED} criteria (median of {len(adds)})")
    for add in adds:
        print(
            f"    group {add.group}: {add.group_criteria:,} criteria after, its coordination "
            f"group {add.cg_criteria:,} in {add.cg_groups} groups"
        )
    print(
        f"    {f'{ADDED} creates + {ADDED} classifications (services)':<48}"
        f"{median([a.saves for a in adds]):>8.2f} s   (not part of the figure)"
    )
    print(f"    {'scopes marked pending':<48}{adds[0].marked:>8}")
    totals = [a.total for a in adds]
    print(
        f"    {'commit → every snapshot updated':<48}{median(totals):>8.3f} s   "
        f"goal < {GOALS['after_add_seconds']:.0f} s   "
        f"{verdict(median(totals), GOALS['after_add_seconds'])}   {spread(totals, digits=3)}"
    )
    print(
        f"    {'recompute_pending passes, snapshots written':<48}{adds[0].passes:>8}"
        f"   {adds[0].written:,} snapshots"
    )
    for label, key, sql in (
        ("claim the pending scopes", "claim", True),
        ("finest-grain query (the coordination group)", "fine", True),
        ("stage one rest (its hg and cg cubes)", "stage_one", True),
        ("what lies under each place (_children)", "children", True),
        ("snapshots one level below read", "roll_up", True),
        ("sums (compute.roll_up_level, pandas)", "roll_up_sum", False),
        ("writes (_write)", "write", True),
    ):
        seconds = [a.phases.own[key] for a in adds]
        queries = [a.phases.sql[key] for a in adds] if sql else None
        print(phase_line(label, seconds, queries))
    rest = [a.total - sum(a.phases.own.values()) for a in adds]
    print(
        phase_line(
            "the rest (pending checks, deletes)", rest, [a.phases.sql["other"] for a in adds]
        )
    )
    print(f"    {'  places rolled up, level by level':<48}{adds[0].phases.sizes['roll_up']:>8,}")

    print()
    print(
        f"(3) Synthesis page of a country: {page.name}, {page.criteria:,} criteria "
        f"(gunicorn 2 sync workers, wrk {page.wrk.requests:,} requests)"
    )
    print(
        f"    {page.path}: {page.bytes:,} bytes, {page.queries_cold} queries cold, "
        f"{page.queries_warm} warm (figures cached per snapshot)"
    )
    print(f"    {'first request (cold figures cache)':<48}{page.first_ms:>8.1f} ms")
    print(
        f"    {'p50 / p99':<48}{page.wrk.p50_ms:>8.1f} / {page.wrk.p99_ms:.1f} ms   goal p99 < "
        f"{GOALS['page_p99_ms']:.0f} ms   {verdict(page.wrk.p99_ms, GOALS['page_p99_ms'])}"
    )
    print(
        f"    {'requests per second':<48}{page.wrk.requests_per_second:>8.0f}"
        f"   server CPU {page.cpu_ms:.1f} ms per request"
    )
    print()
    print(
        "(4) PDF reports (report_render, the task's code, in a fresh process: a French report "
        "first, then the English one, timed)"
    )
    for pdf in pdfs:
        rate = pdf.pages / pdf.seconds
        print(
            f"    {pdf.scope + ' ' + pdf.name:<30}{pdf.criteria:>9,} criteria  {pdf.seconds:5.2f} s"
            f" (first {pdf.first_seconds:4.2f} s)  {pdf.pages:3} pages  {rate:5.1f} pages/s  "
            f"{pdf.size / 1e3:4.0f} kB  {pdf.per_page_mb:4.1f} MB/page (peak {pdf.rss_peak:.0f} "
            f"MB, {pdf.rss_before:.0f} MB before)"
        )
    locality = next(pdf for pdf in pdfs if pdf.scope == "locality")
    rate = min(pdf.pages / pdf.seconds for pdf in pdfs)
    worst = max(pdf.per_page_mb for pdf in pdfs)
    print(
        f"    {'locality report':<48}{locality.seconds:>8.2f} s   goal < "
        f"{GOALS['locality_pdf_seconds']:.0f} s   "
        f"{verdict(locality.seconds, GOALS['locality_pdf_seconds'])}"
    )
    fast_enough = "PASS" if rate >= GOALS["pages_per_second"] else "FAIL"
    print(
        f"    {'pages per second (slowest report)':<48}{rate:>8.1f}   goal ≥ "
        f"{GOALS['pages_per_second']:.0f}   {fast_enough}"
    )
    print(
        f"    {'memory per page (worst report)':<48}{worst:>8.1f} MB   goal < "
        f"{GOALS['mb_per_page']:.0f} MB   {verdict(worst, GOALS['mb_per_page'])}"
    )
    print()
    print(
        f"Peak memory (ru_maxrss) of this process: {rss['django']:.0f} MB with Django loaded, "
        f"{rss['recompute_all']:.0f} MB after the first (1), {rss['baselines']:.0f} MB after "
        f"the baselines' fetches, {rss['after_add']:.0f} MB after (2)"
    )
    print(
        f"machine   nproc {os.cpu_count()}, load average {load:.2f} before the run, "
        f"Python {sys.version.split()[0]}, {postgres_version()}"
    )
    print("Celery    broker Redis db 11, no worker: jobs are queued, recomputation runs here")


def snapshots_stored() -> dict[str, float]:
    """The snapshots as the service wrote them: JSON text and the table's size on disk."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum(octet_length(cube::text) + octet_length(groups::text)),"
            " pg_total_relation_size('syntheses_snapshot') FROM syntheses_snapshot"
        )
        json_bytes, table_bytes = cursor.fetchone()
    return {"json_mb": json_bytes / 1e6, "table_mb": table_bytes / 1e6}


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--criteria", type=int, default=1_000_000, help="generated criteria")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each measurement")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the demo network")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database the last run left (no recreation; for profiling)",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk for (3)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections for (3)")
    parser.add_argument("--generate-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--render-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render_child:
        django_setup(dict(os.environ))
        ids = [int(pk) for pk in args.render_child.split(",")]
        print(json.dumps(render_child(ids)))
        return 0
    if args.generate_child:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wikispiral.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        print(json.dumps(generate_child(args.generate_child, args.seed)))
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="wikispiral-bench-syntheses-") as tmp:
        env = bench_env(Path(tmp) / "static")
        broker = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
        try:
            broker.flushdb()
            generated = vacuum = None
            if not args.reuse:
                print(f"Preparing database {DB_NAME}, Redis db 11...", flush=True)
                prepare_database(env)
                print(f"Generating {args.criteria:,} criteria (child process)...", flush=True)
                generated = run_generate(env, args.criteria, args.seed)
                print(f"  {generated['summary']}", flush=True)
                vacuum = vacuum_analyze()
            else:
                # The database the last run left, brought up to the code's migrations.
                common.run_checked(
                    [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
                    env,
                    "migrate",
                )
            django_setup(env)
            from criteria.selectors import grid_current
            from syntheses.models import Snapshot

            rss = {"django": peak_rss_mb()}
            shape = data_shape()
            version = grid_current().pk
            rounds: dict[str, list[Round]] = {"forced": [], "steady": [], "changed": []}
            grouping, finest, changed_groups = [], [], []
            with psycopg.connect(common.PG_DSN.format(dbname=DB_NAME), autocommit=True) as conn:
                # The first forced round starts from no snapshot at all (every figure written).
                Snapshot.objects.all().delete()
                for number in range(args.repeat):
                    print(f"(1) round {number + 1} of {args.repeat}...", flush=True)
                    rounds["forced"].append(recompute_all(force=True))
                    if number == 0:
                        # A high-water mark: taken before the baselines fetch their rows here.
                        rss["recompute_all"] = peak_rss_mb()
                    rounds["steady"].append(recompute_all(force=False))
                    if rounds["steady"][-1].recomputed:
                        raise common.SetupError("a night with nothing changed recomputed scopes")
                    changed_groups.append(change_unmarked(conn, number))
                    rounds["changed"].append(recompute_all(force=False))
                    if not rounds["changed"][-1].recomputed:
                        raise common.SetupError("the check missed criteria changed unmarked")
                    seconds, rows = baseline(conn, GROUPING_SETS_SQL, version)
                    grouping.append((seconds, len(rows)))
                    grouping_rows = rows
                    seconds, rows = baseline(conn, FINEST_SQL, version)
                    finest.append((seconds, len(rows)))
                    check_recompute(grouping_rows, rows, shape)
                    del grouping_rows, rows
                    # What the check recomputed is what a full pass gives.
                    if recompute_all(force=False).recomputed:
                        raise common.SetupError("a second check found more to recompute")
            rss["baselines"] = peak_rss_mb()
            stored = snapshots_stored()
            adds = []
            for number, (tenant, group) in enumerate(groups_to_add_to(args.repeat)):
                print(f"(2) round {number + 1} of {args.repeat}...", flush=True)
                adds.append(add_and_recompute(tenant, group, number))
            rss["after_add"] = peak_rss_mb()
            from django.db.models import Count

            snapshots = Counter(
                dict(Snapshot.objects.order_by().values_list("scope").annotate(n=Count("id")))
            )
            print("(3) country page: collectstatic, gunicorn, wrk...", flush=True)
            common.run_checked(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                env,
                "collectstatic",
            )
            page = country_page(env, Path(tmp), args.duration, args.connections)
            pdfs = []
            for scope in ("locality", "country", "network"):
                print(f"(4) {scope} report...", flush=True)
                pdfs.append(pdf_report(env, scope))
            broker.flushdb()
        except (common.SetupError, OSError, psycopg.Error, redis.RedisError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    report(
        shape=shape,
        generated=generated,
        vacuum=vacuum,
        rounds=rounds,
        changed_groups=changed_groups,
        grouping=grouping,
        finest=finest,
        adds=adds,
        snapshots=snapshots,
        stored=stored,
        rss=rss,
        load=load,
        page=page,
        pdfs=pdfs,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
