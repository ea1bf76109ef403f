"""Criteria at network scale: spreadsheet import, fast entry, classification queue, Info criteria.

Builds a fresh PostgreSQL database `wikispiral_bench_criteria` and measures, in one run:

1. Import of a 100,000-row CSV into one coordination group through the real services (preview,
   then commit), in a child process so its peak memory is the import's own; then, in the same
   process, a bare `COPY` of the same rows into the criteria table (rolled back), with and
   without the foreign-key checks PostgreSQL defers to the commit.
2. A coordination group of 20,000 demo criteria (generate_demo_data's texts, ~80% classified).
3. gunicorn as in production (DEBUG off, Redis cache, 2 workers), then:
   - adding one criterion on the fast-entry page (an htmx POST, as the browser sends it),
     N sequential requests by a logged-in facilitator;
   - the classification queue of the 20,000-criterion group (facilitator, wrk);
   - the Info criteria page of that group (anonymous reader, wrk).

Prints each figure beside its goal. Exit status 0 whatever the figures (a measurement),
non-zero when the set-up fails.

    .venv/bin/python bench/criteria.py [--rows 100000] [--duration 10] [--adds 300]
"""

import argparse
import json
import os
import re
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
import page_views as common  # noqa: E402

ROOT = common.ROOT
DB_NAME = "wikispiral_bench_criteria"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
# A Redis database of its own (page_views 12, directory 14, tests 13), flushed at start.
REDIS_URL = "redis://127.0.0.1:6379/15"
FACILITATOR = "bench-facilitator"
FACILITATOR_PASSWORD = "bench-facilitator-2026"  # noqa: S105 - a throwaway bench account
GOALS = {"import_seconds": 20.0, "import_memory_mb": 1024.0, "p99_ms": 100.0}
SEED = 20261124


def production_env(static_root: Path) -> dict[str, str]:
    env = common.production_env(static_root)
    env.update({"DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL})
    # As the Dockerfile runs it: workers start training the suggestion model as they boot.
    env["GUNICORN_CMD_ARGS"] = "--config python:wikispiral.gunicorn_conf"
    return env


def prepare_schema(env: dict[str, str]) -> None:
    with psycopg.connect(common.PG_DSN.format(dbname="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    redis.Redis.from_url(REDIS_URL, socket_timeout=5).flushdb()
    manage = [sys.executable, "manage.py"]
    common.run_checked(
        [*manage, "collectstatic", "--noinput", "--verbosity", "0"], env, "collectstatic"
    )
    common.run_checked([*manage, "migrate", "--noinput", "--verbosity", "0"], env, "migrate")


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ["ALLOWED_HOSTS"] = env["ALLOWED_HOSTS"] + ",testserver"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- 1. The import, in a child process ----------------------------------------------------------


def import_csv(rows: int, slugs: list[str], codes: list[str]) -> bytes:
    """A spreadsheet as a facilitator would fill it: demo texts, 40% already classified."""
    import random

    from criteria.demo import criterion_text

    rng = random.Random(SEED)
    lines = ["group,question,text,date,language,component,full_code"]
    for number in range(rows):
        code = rng.choice(codes)
        question = rng.randint(1, 3)
        language = rng.choice(("en", "fr", "pt"))
        text = criterion_text(rng, code=code, question=question - 1, language=language)
        text = text.replace('"', '""')
        component = code if rng.random() < 0.4 else ""
        day = f"202{rng.randint(3, 6)}-{rng.randint(1, 9):02d}-{rng.randint(1, 28):02d}"
        lines.append(
            f'{slugs[number % len(slugs)]},Q{question},"{text}",{day},{language},{component},'
        )
    return ("\n".join(lines) + "\n").encode()


def import_child(rows: int) -> dict:
    """Runs in its own process (so its peak memory is the import's): preview, commit, then a
    bare COPY of the same rows, rolled back."""
    from django.db import connection, transaction
    from django.utils import timezone
    from psycopg import sql

    from criteria.models import Component, Criterion
    from criteria.transfer import services
    from territories.models import HomogeneousGroup
    from tests.factories import make_coordination_group, make_user
    from wikispiral.tenancy import cross_tenant, tenant_scope

    rss_start = peak_rss_mb()
    actor = make_user(username="bench-importer")
    tenant = make_coordination_group(name="Bench import", facilitator=actor, network_id="GC900001")
    with cross_tenant():
        HomogeneousGroup.objects.bulk_create(
            HomogeneousGroup(tenant=tenant, name=f"Group {n}", slug=f"group-{n}", language="en")
            for n in range(20)
        )
    slugs = [f"group-{n}" for n in range(20)]
    codes = list(
        Component.objects.filter(version__is_current=True, is_active=True).values_list(
            "code", flat=True
        )
    )
    data = import_csv(rows, slugs, codes)

    started = time.perf_counter()
    batch = services.criteria_import_preview(
        tenant=tenant, actor=actor, filename="bench.csv", data=data
    )
    preview = time.perf_counter() - started
    if batch.error_count:
        raise common.SetupError(f"The bench file has errors: {batch.errors[:3]}")
    started = time.perf_counter()
    created = services.criteria_import_commit(tenant=tenant, batch=batch)
    commit = time.perf_counter() - started
    if created != rows:
        raise common.SetupError(f"Imported {created} rows of {rows}: {batch.message}")
    rss_import = peak_rss_mb()

    # The same rows, already resolved to ids, through a bare COPY (nothing checked, nothing
    # parsed): the floor any import of this table stands on.
    with tenant_scope(tenant):
        checked = services.check_file(tenant=tenant, filename="bench.csv", data=data)[2]
    prepared = list(
        services._criterion_rows(
            checked.valid, tenant=tenant, batch=batch, actor_id=actor.pk, now=timezone.now()
        )
    )
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(Criterion._meta.db_table),
        sql.SQL(", ").join(map(sql.Identifier, services.CRITERION_COLUMNS)),
    )
    copies = {}
    for label, immediate in (("copy", False), ("copy_fk", True)):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    if immediate:
                        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: checked at
                        # COMMIT, which a rolled-back COPY never reaches. This checks them now.
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                started = time.perf_counter()
                with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
                    for row in prepared:
                        copy.write_row(row)
                copies[label] = time.perf_counter() - started
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    return {
        "rows": rows,
        "megabytes": len(data) / 1e6,
        "preview": preview,
        "commit": commit,
        "rss_start": rss_start,
        "rss_peak": rss_import,
        **copies,
    }


def run_import(env: dict[str, str], rows: int) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--import-child", str(rows)],
        cwd=ROOT,
        env={**env, "ALLOWED_HOSTS": env["ALLOWED_HOSTS"] + ",testserver"},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise common.SetupError(f"The import child failed:\n{result.stdout}{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- 2. The 20,000-criterion group --------------------------------------------------------------


def load_group(criteria: int) -> dict:
    from criteria.demo import demo_generate
    from criteria.models import Criterion
    from territories.models import CoordinationGroup, HomogeneousGroup, Membership
    from territories.services import membership_set
    from tests.factories import make_user
    from wikispiral.tenancy import cross_tenant

    before = set(CoordinationGroup.objects.values_list("pk", flat=True))
    started = time.perf_counter()
    demo_generate(criteria=criteria, seed=SEED, platforms=1)
    seconds = time.perf_counter() - started
    tenant = CoordinationGroup.objects.exclude(pk__in=before).get()
    user = make_user(username=FACILITATOR, password=FACILITATOR_PASSWORD)
    membership_set(group=tenant, user=user, role=Membership.Role.FACILITATOR)
    with cross_tenant():
        hg = HomogeneousGroup.objects.filter(tenant=tenant).order_by("pk").first()
        total = Criterion.objects.filter(tenant=tenant).count()
        waiting = Criterion.objects.filter(tenant=tenant).exclude(status="classified").count()
    return {
        "tenant": tenant.slug,
        "hg": hg.slug,
        "criteria": total,
        "waiting": waiting,
        "seconds": seconds,
    }


# --- 3. Over HTTP -------------------------------------------------------------------------------


def login(port: int) -> str:
    """Log the facilitator in through the real form; the Cookie header of the session."""
    jar: dict[str, str] = {}
    form = common.http_request(port, "/accounts/login/")
    common.cookies_from(form, jar)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
    if token is None:
        raise common.SetupError("The login page carries no CSRF token")
    origin = f"http://{common.HOST}:{port}"
    answer = common.http_request(
        port,
        "/accounts/login/",
        method="POST",
        body=urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": FACILITATOR,
                "password": FACILITATOR_PASSWORD,
            }
        ).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": common.cookie_header(jar),
            "Referer": f"{origin}/accounts/login/",
            "Origin": origin,
        },
    )
    common.cookies_from(answer, jar)
    if answer.status != 302 or "sessionid" not in jar:
        raise common.SetupError(f"Logging in answered {answer.status}")
    return common.cookie_header({name: jar[name] for name in ("sessionid", "csrftoken")})


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure_adds(port: int, cookie: str, group: dict, adds: int) -> dict:
    """Sequential htmx POSTs of one criterion each, as the fast-entry page sends them."""
    entry = f"/cg/{group['tenant']}/groups/{group['hg']}/criteria/"
    page = common.http_request(port, entry, headers={"Cookie": cookie})
    if page.status != 200:
        raise common.SetupError(f"GET {entry} answered {page.status}")
    body = page.body.decode()
    action = re.search(r'hx-post="([^"]+/add/)"', body) or re.search(r'action="([^"]+/add/)"', body)
    question = re.search(r'name="question" value="(\d+)"', body)
    session_date = re.search(r'name="session_date" value="([\d-]+)"', body)
    if not (action and question and session_date):
        raise common.SetupError("The fast-entry page has no add form")
    csrf = re.search(r"csrftoken=([^;]+)", cookie).group(1)
    origin = f"http://{common.HOST}:{port}"
    timings = []
    for number in range(adds + 10):
        fields = {
            "question": question.group(1),
            "text": f"Having time for my family, note {number}",
            "session_date": session_date.group(1),
            "language": "en",
            "component": "",
            "submission": secrets.token_hex(8),
        }
        started = time.perf_counter()
        answer = common.http_request(
            port,
            action.group(1),
            method="POST",
            body=urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
                "X-CSRFToken": csrf,
                "HX-Request": "true",
                "Referer": f"{origin}{entry}",
                "Origin": origin,
            },
        )
        elapsed = (time.perf_counter() - started) * 1000
        if answer.status != 200 or b"note" not in answer.body:
            raise common.SetupError(f"POST {action.group(1)} answered {answer.status}")
        if number >= 10:  # the first ones warm the workers
            timings.append(elapsed)
    return {
        "requests": len(timings),
        "p50_ms": statistics.median(timings),
        "p99_ms": percentile(timings, 0.99),
    }


def wait_for_suggestions(port: int, path: str, cookie: str, seconds: float = 60) -> None:
    """Workers train their suggestion model as they boot; measure the queue once it answers
    with suggestions (each request may reach either worker, so several in a row must)."""
    deadline = time.monotonic() + seconds
    in_a_row = 0
    while in_a_row < 6:
        answer = common.http_request(port, path, headers={"Cookie": cookie})
        in_a_row = in_a_row + 1 if b'class="suggestions"' in answer.body else 0
        if time.monotonic() > deadline:
            raise common.SetupError(f"GET {path} shows no suggestions after {seconds:.0f} s")
        time.sleep(0.2)


def measure_get(
    base: str, path: str, *, cookie: str, args: argparse.Namespace, script: Path
) -> common.WrkResult:
    headers = {"Cookie": cookie} if cookie else {}
    common.wrk_run(
        base + path, seconds=common.WARMUP_SECONDS, connections=2, script=script, headers=headers
    )
    result = common.wrk_run(
        base + path, seconds=args.duration, connections=2, script=script, headers=headers
    )
    if result.non_2xx_3xx or result.socket_errors:
        raise common.SetupError(
            f"GET {path}: {result.non_2xx_3xx} error responses, socket errors: "
            f"{result.socket_errors or 'none'}"
        )
    return result


def first_request_ms(port: int, path: str, cookie: str, marker: bytes) -> float:
    started = time.perf_counter()
    answer = common.http_request(port, path, headers={"Cookie": cookie} if cookie else {})
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status != 200 or marker not in answer.body:
        raise common.SetupError(f"GET {path} answered {answer.status} without {marker!r}")
    return elapsed


def count_queries(paths: dict[str, tuple[str, bool]]) -> dict[str, int]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for label, (path, logged_in) in paths.items():
        client = Client()
        if logged_in:
            client.force_login(get_user_model().objects.get(username=FACILITATOR))
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise common.SetupError(f"GET {path} answered {response.status_code}")
        counts[label] = len(queries)
    return counts


def verdict(value: float, goal: float) -> str:
    return "PASS" if value < goal else "FAIL"


def report(imported: dict, group: dict, adds: dict, pages: dict, queries: dict, load: float):
    goal_ms = GOALS["p99_ms"]
    print()
    print("Import of a CSV into one coordination group (PostgreSQL)")
    print(f"  rows                     {imported['rows']:,} ({imported['megabytes']:.1f} MB)")
    print(f"  preview (parse, check)   {imported['preview']:.2f} s")
    print(f"  commit (COPY + history)  {imported['commit']:.2f} s")
    total = imported["preview"] + imported["commit"]
    print(
        f"  preview + commit         {total:.2f} s   goal < {GOALS['import_seconds']:.0f} s   "
        f"{verdict(total, GOALS['import_seconds'])}"
    )
    print(
        f"  peak memory (RSS)        {imported['rss_peak']:.0f} MB (Django alone "
        f"{imported['rss_start']:.0f} MB)   goal < 1 GB   "
        f"{verdict(imported['rss_peak'], GOALS['import_memory_mb'])}"
    )
    print(f"  bare COPY, same rows     {imported['copy']:.2f} s (foreign keys checked at commit)")
    print(f"  bare COPY + FK checks    {imported['copy_fk']:.2f} s")
    print()
    print(
        f"Coordination group of {group['criteria']:,} criteria ({group['waiting']:,} waiting), "
        f"generated in {group['seconds']:.1f} s"
    )
    print(f"{'':2}{'endpoint':<36}{'queries':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}   result")
    print(
        f"  {'add one criterion (htmx POST)':<36}{'-':>8}{'':>9}"
        f"{adds['p50_ms']:>9.2f}{adds['p99_ms']:>9.2f}   {verdict(adds['p99_ms'], goal_ms)} "
        f"({adds['requests']} sequential)"
    )
    for label, (result, first) in pages.items():
        print(
            f"  {label:<36}{queries.get(label, 0):>8}{result.requests_per_second:>9.0f}"
            f"{result.p50_ms:>9.2f}{result.p99_ms:>9.2f}   {verdict(result.p99_ms, goal_ms)} "
            f"(first request {first:.0f} ms)"
        )
    print()
    print(
        f"machine   nproc {os.cpu_count()}, load average {load:.2f} before the run, "
        f"Python {sys.version.split()[0]}"
    )
    print("gunicorn  2 sync workers, DEBUG=false, PostgreSQL + Redis cache")
    print(f"wrk       {common.WRK_THREADS} threads, 2 connections, after a 3 s warm-up")
    print(f"commit    {common.git_commit()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the imported CSV")
    parser.add_argument("--criteria", type=int, default=20_000, help="criteria of the group")
    parser.add_argument("--adds", type=int, default=300, help="criteria added one by one")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk measurement")
    parser.add_argument("--import-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_child:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wikispiral.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        print(json.dumps(import_child(args.import_child)))
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if shutil.which("wrk") is None:
        print("error: wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    server_args = argparse.Namespace(workers=2, worker_class="sync", threads=1)
    with tempfile.TemporaryDirectory(prefix="wikispiral-bench-criteria-") as tmp:
        workdir = Path(tmp)
        env = production_env(workdir / "static")
        env["PRIVATE_ROOT"] = str(workdir / "private")
        script = workdir / "summary.lua"
        script.write_text(common.WRK_SUMMARY_SCRIPT)
        log_path = workdir / "gunicorn.log"
        load = os.getloadavg()[0]
        try:
            print(f"Preparing database {DB_NAME}, Redis db 15, static files...", flush=True)
            prepare_schema(env)
            print(f"Importing {args.rows:,} rows...", flush=True)
            imported = run_import(env, args.rows)
            django_setup(env)
            print(f"Generating a group of {args.criteria:,} criteria...", flush=True)
            group = load_group(args.criteria)
            queue = f"/cg/{group['tenant']}/classify/"
            info = f"/cg/{group['tenant']}/info-criteria/"
            queries = count_queries(
                {"classification queue": (queue, True), "Info criteria": (info, False)}
            )
            redis.Redis.from_url(REDIS_URL, socket_timeout=5).flushdb()
            port = common.free_port()
            pages = {}
            with common.gunicorn_running(env, port, server_args, log_path):
                base = f"http://{common.HOST}:{port}"
                cookie = login(port)
                wait_for_suggestions(port, queue, cookie)
                print(f"Adding {args.adds} criteria one by one...", flush=True)
                adds = measure_adds(port, cookie, group, args.adds)
                for label, path, who, marker in (
                    ("classification queue", queue, cookie, b"data-component-picker"),
                    ("Info criteria", info, "", b"<details"),
                ):
                    first = first_request_ms(port, path, who, marker)
                    print(f"Measuring {label} ({args.duration} s)...", flush=True)
                    pages[label] = (
                        measure_get(base, path, cookie=who, args=args, script=script),
                        first,
                    )
        except (common.SetupError, OSError, psycopg.Error, redis.RedisError) as error:
            print(f"error: {error}", file=sys.stderr)
            if log_path.exists() and log_path.stat().st_size:
                print(f"gunicorn log (last lines):\n{common.tail(log_path)}", file=sys.stderr)
            return 1
    report(imported, group, adds, pages, queries, load)
    return 0


if __name__ == "__main__":
    sys.exit(main())
