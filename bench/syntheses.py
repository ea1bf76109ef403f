"""Syntheses at network scale: recomputing every snapshot, and after one group adds criteria.

Builds a fresh PostgreSQL database `wikispiral_bench_syntheses`, generates `--criteria` demo
criteria (criteria.demo, in a child process, so that this process's peak memory is the engine's
own), runs VACUUM ANALYZE, and measures in one run, `--repeat` times each, (1) and the
baselines interleaved:

1. `syntheses.services.syntheses_recompute_all()`: every scope at every level. Its parts are
   timed from outside (the functions it calls are wrapped, their code unchanged): the
   finest-grain query (compute.fine_frame), the rest of stage one (pandas, homogeneous and
   coordination groups), the place ids, the roll-up to places (compute.stage_two) and the
   writes (services._write), each with the time spent in SQL.
2. One homogeneous group adds 60 criteria through the real services (criterion_create, then
   criterion_classify, each committed on its own as the fast-entry and classification pages do).
   Celery sends its jobs to Redis db 11, where no worker listens, so nothing runs inline; then,
   from the 60 saves committed, `syntheses_recompute_pending()` runs until no scope is pending.
   A different group each round.
Baselines over the same rows, each one bare SQL statement through psycopg (statement and fetch
of every row timed):
   (a) `GROUP BY GROUPING SETS`: counts per (component, question) for every level at once
       (homogeneous group, coordination group, locality, region, country, continent, network);
   (b) the finest grain: `GROUP BY locality, component, question`.
(3) the synthesis page of a country and (4) a country PDF report are not built yet.

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
GOALS = {"grouping_sets_ratio": 0.5, "finest_ratio": 2.5, "after_add_seconds": 1.0}

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
        (compute, "fine_frame", "fine", lambda a, k, result: len(result)),
        (compute, "stage_one", "stage_one", None),
        (compute, "coordination_groups_frame", "places", None),
        (services, "_place_ids", "place_ids", None),
        (compute, "stage_two", "stage_two", lambda a, k, result: len(result)),
        (
            services,
            "_cg_snapshots",
            "cg_snapshots",
            lambda a, k, result: {"cg_snapshots": len(a[0]), "cg_rows": len(result[0])},
        ),
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
    written: int


def recompute_all() -> Round:
    from syntheses.services import syntheses_recompute_all

    with instrumented() as phases:
        started = time.perf_counter()
        written = syntheses_recompute_all()
        total = time.perf_counter() - started
    return Round(total, phases, written)


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
    questions = list(Question.objects.filter(tenant=None, code__in=("Q1", "Q2", "Q3")))
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
    rounds: list[Round],
    grouping: list[tuple[float, int]],
    finest: list[tuple[float, int]],
    adds: list[AddRound],
    snapshots: dict[str, int],
    stored: dict[str, float],
    rss: dict[str, float],
    load: float,
) -> None:
    from syntheses.models import Scope

    def each(key: str, where: str = "own") -> list[float]:
        return [getattr(r.phases, where)[key] for r in rounds]

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

    repeat = len(rounds)
    grouping_s = [seconds for seconds, _rows in grouping]
    finest_s = [seconds for seconds, _rows in finest]
    engine = [r.total for r in rounds]
    print()
    print(f"(1) Recompute every scope at every level (median of {repeat})")
    print(f"    {'syntheses_recompute_all()':<48}{median(engine):>8.2f} s   {spread(engine)}")
    print(
        f"    {'snapshots written':<48}{rounds[0].written:>8,}   "
        f"{stored['json_mb']:.0f} MB of JSON, table {stored['table_mb']:.0f} MB on disk"
    )
    fine_rows = rounds[0].phases.sizes["fine"]
    for label, key, sql in (
        (f"finest-grain query, to a frame ({fine_rows:,} rows)", "fine", True),
        ("stage one rest (hg and cg cubes, pandas)", "stage_one", True),
        ("places frames (coordination_groups_frame ×2)", "places", True),
        ("place ids (_place_ids, without its frame)", "place_ids", True),
        ("roll-up to places (stage_two, pandas)", "stage_two", False),
        ("writes (_write)", "write", True),
    ):
        print(phase_line(label, each(key), each(key, "sql") if sql else None))
    rest = [r.total - sum(r.phases.own.values()) for r in rounds]
    print(phase_line("the rest (deletes, commit)", rest, each("other", "sql")))
    print(
        f"    {'baseline (a) GROUPING SETS, all levels':<48}{median(grouping_s):>8.2f} s   "
        f"{grouping[0][1]:,} rows {spread(grouping_s)}"
    )
    print(
        f"    {'baseline (b) finest grain (locality)':<48}{median(finest_s):>8.2f} s   "
        f"{finest[0][1]:,} rows {spread(finest_s)}"
    )
    ratio_gs = median(engine) / median(grouping_s)
    ratio_fine = median(engine) / median(finest_s)
    print(
        f"    {'ratio to GROUPING SETS':<48}{ratio_gs:>8.2f} ×   goal ≤ "
        f"{GOALS['grouping_sets_ratio']} ×   {verdict(ratio_gs, GOALS['grouping_sets_ratio'])}"
    )
    print(
        f"    {'ratio to the finest grain':<48}{ratio_fine:>8.2f} ×   goal ≤ "
        f"{GOALS['finest_ratio']} ×   {verdict(ratio_fine, GOALS['finest_ratio'])}"
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
        ("places frame (coordination_groups_frame)", "places", True),
        ("coordination-group snapshots read", "cg_snapshots", True),
        ("roll-up to places (stage_two)", "stage_two", False),
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
    sizes = adds[0].phases.sizes
    print(
        f"    {'  snapshots read by the roll-up':<48}{sizes['cg_snapshots']:>8,}"
        f"   coordination groups, {sizes['cg_rows']:,} cube rows"
    )

    print()
    print("(3) Synthesis page of a country                  not built yet (no figure)")
    print("(4) Country PDF report                           not built yet (no figure)")
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
    parser.add_argument("--generate-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
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
            django_setup(env)
            from criteria.selectors import grid_current

            rss = {"django": peak_rss_mb()}
            shape = data_shape()
            version = grid_current().pk
            rounds, grouping, finest = [], [], []
            with psycopg.connect(common.PG_DSN.format(dbname=DB_NAME), autocommit=True) as conn:
                for number in range(args.repeat):
                    print(f"(1) round {number + 1} of {args.repeat}...", flush=True)
                    rounds.append(recompute_all())
                    if number == 0:
                        # A high-water mark: taken before the baselines fetch their rows here.
                        rss["recompute_all"] = peak_rss_mb()
                    seconds, rows = baseline(conn, GROUPING_SETS_SQL, version)
                    grouping.append((seconds, len(rows)))
                    grouping_rows = rows
                    seconds, rows = baseline(conn, FINEST_SQL, version)
                    finest.append((seconds, len(rows)))
                    check_recompute(grouping_rows, rows, shape)
                    del grouping_rows, rows
            rss["baselines"] = peak_rss_mb()
            stored = snapshots_stored()
            adds = []
            for number, (tenant, group) in enumerate(groups_to_add_to(args.repeat)):
                print(f"(2) round {number + 1} of {args.repeat}...", flush=True)
                adds.append(add_and_recompute(tenant, group, number))
            rss["after_add"] = peak_rss_mb()
            from django.db.models import Count

            from syntheses.models import Snapshot

            snapshots = Counter(
                dict(Snapshot.objects.order_by().values_list("scope").annotate(n=Count("id")))
            )
            broker.flushdb()
        except (common.SetupError, OSError, psycopg.Error, redis.RedisError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    report(
        shape=shape,
        generated=generated,
        vacuum=vacuum,
        rounds=rounds,
        grouping=grouping,
        finest=finest,
        adds=adds,
        snapshots=snapshots,
        stored=stored,
        rss=rss,
        load=load,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
