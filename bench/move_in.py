"""Move in (issue 15): `manage.py import_tiki` at network scale, beside a bare COPY of the same
rows in the same run.

Builds a fresh PostgreSQL database `wikispiral_bench_movein` (dropped and re-created), migrates
it, creates France › Grand Est › Mulhouse and a secretariat account, writes a synthetic Tiki
export (tests/movein/tiki_site.py: the 7 real pages of the test network plus filler pages of
--revisions revisions each, and a criteria tracker of --criteria items), then measures two runs
of `manage.py import_tiki` as child processes. A filler page's history has the usual shape of
a wiki page's: six paragraphs, each version rewriting one; --rewrite-all makes every version
one block unlike the last (the converter then reuses nothing: its worst case). As in
production a broker is configured (Redis database 11): what the import leaves for the worker
(the pages' search vectors) waits there and is counted, no worker runs.

1. trackers: `--trackers --mapping` (coordination group, homogeneous groups, the criteria);
2. pages: `--pages --structure --mapping` (every revision of every page). After the trackers,
   as import_tiki orders its own steps: the mapping sends pages to the group's space, and
   without the group it reports an error for each of them.

Prints each run's summary (and its report's warning and error lines), and the old addresses
recorded, by kind. For each run: wall time, CPU time of the child (user + sys, from os.wait4
on that child alone), CPU time of the PostgreSQL server processes over the same span (from
/proc), peak RSS of the child, and rows per second. Its exit status, its summary and the rows
in the database are checked (a mismatch is printed under the table, not fatal).

The yardstick, in the same run: the rows each import wrote (`COPY (SELECT ...) TO STDOUT`, held
in memory) copied with one bare `COPY ... FROM STDIN` into a fresh table of the same shape
(`CREATE TABLE ... (LIKE ... INCLUDING ALL)`: same columns, defaults, checks and indexes, no
foreign keys), committed, timed. Ratio = import wall time / COPY time.

Goals (issue 15, at full size: 100,000 revisions, 100,000 criteria): pages under 120 s,
criteria under 30 s, peak memory under 1 GB. A smaller run is judged on the rate the goal
implies (833 revisions/s, 3,333 criteria/s) and its time projected to 100,000 rows.

The database stays after the run (the next run recreates it). The machine is shared: the
footer prints the load average before the run, and the child's CPU time is steadier than its
wall time when other work runs (PostgreSQL's CPU counts every database of the server).

Exit status 0 whatever the figures (a measurement), non-zero when the set-up or an import
crashes.

    .venv/bin/python bench/move_in.py [--pages-count 5000] [--revisions 20] [--criteria 100000]
        [--quick] [--profile DIR] [--only pages|criteria]

--quick is 200 pages and 5,000 criteria. --profile DIR runs each import under pyinstrument
(installed in the venv) and writes DIR/{pages,criteria}.{txt,html,pstats}; it prints the
functions with the most own time. Profiled figures are slower than unprofiled ones.
"""

import argparse
import json
import os
import pstats
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname={dbname}"
DB_NAME = "wikispiral_bench_movein"
BENCH_REDIS_URL = "redis://127.0.0.1:6379/11"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
SECRETARY = "bench-secretary"
REAL_PAGES = 7  # tests/movein/tiki_site.py network_pages(): 13 revisions in all
FULL = 100_000
GOALS = {"pages_seconds": 120.0, "criteria_seconds": 30.0, "memory_mb": 1024.0}


class SetupError(Exception):
    """The bench could not be prepared, or an import crashed."""


# --- Environment --------------------------------------------------------------------------------


def bench_env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "wikispiral.settings",
            "DATABASE_URL": DATABASE_URL,
            "PRIVATE_ROOT": str(workdir / "private"),
            "MEDIA_ROOT": str(workdir / "media"),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    # As in production, a broker: the jobs the import leaves for the worker (search vectors of
    # the pages, syntheses of the groups) wait there, recorded in the database; no worker runs
    # during the bench, so the figures are the import's own. Redis database 11, emptied first.
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "WIKISPIRAL_TESTING"):
        env.pop(name, None)
    env["REDIS_URL"] = BENCH_REDIS_URL
    return env


def run_checked(args: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SetupError(
            f"{what} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
        )
    return result.stdout


def database_recreate() -> None:
    with psycopg.connect(PG_DSN.format(dbname="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    redis.Redis.from_url(BENCH_REDIS_URL).flushdb()


def setup_child(
    export: Path, pages_count: int, revisions: int, criteria: int, *, rewrite_all: bool = False
) -> dict:
    """In a child with Django set up: the places the criteria need, the secretariat account,
    the export written to disk."""
    from criteria.models import Criterion
    from territories.services import locality_ensure, region_ensure
    from tests.factories import make_country, make_user
    from tests.movein.tiki_site import write_site
    from wikispiral.movein.models import LegacyAddress
    from wikispiral.wiki.models import Revision

    country = make_country()
    region = region_ensure(country=country, name="Grand Est")[0]
    locality_ensure(region=region, name="Mulhouse")
    make_user(username=SECRETARY, secretariat=True)
    started = time.perf_counter()
    site = write_site(
        export,
        criteria=criteria,
        filler=max(0, pages_count - REAL_PAGES),
        filler_revisions=revisions,
        rewrite_all=rewrite_all,
    )
    return {
        "seconds": time.perf_counter() - started,
        "paths": site.options(),
        "pages_mb": Path(site.pages).stat().st_size / 1e6,
        "criteria_mb": (Path(site.trackers) / "criteria.csv").stat().st_size / 1e6,
        "revision_table": Revision._meta.db_table,
        "criterion_table": Criterion._meta.db_table,
        "address_table": LegacyAddress._meta.db_table,
    }


# --- Measuring one import -----------------------------------------------------------------------


def postgres_cpu() -> float | None:
    """CPU seconds (user + sys) of the PostgreSQL server processes visible in /proc and of the
    ones they have reaped, or None when none is visible (a server elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    seen = False
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        if name != "postgres" and not name.startswith("postgres:"):
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        # utime, stime, cutime, cstime (fields 14 to 17): the postmaster's cutime and cstime
        # hold the backends that have ended (the import's own, when it closes its connection).
        total += sum(int(value) for value in fields[11:15])
        seen = True
    return total / tick if seen else None


@dataclass
class Run:
    label: str
    wall: float = 0.0
    cpu: float = 0.0
    children_cpu: float = 0.0
    pg_cpu: float | None = None
    rss_mb: float = 0.0
    status: int = 0
    stdout: str = ""
    stderr: str = ""
    rows: int = 0
    copy_seconds: float = 0.0
    copy_read_seconds: float = 0.0
    copy_mb: float = 0.0
    problems: list[str] = field(default_factory=list)
    # The report's warning and error lines (level, subject, message), read before the
    # temporary folder goes.
    report_lines: list[tuple[str, str, str]] = field(default_factory=list)


def run_import(
    label: str, options: list[str], env: dict[str, str], workdir: Path, profile: Path | None
) -> Run:
    command = [sys.executable]
    if profile is not None:
        session = profile / f"{label}.pyisession"
        command += ["-m", "pyinstrument", "-r", "pyisession", "-o", str(session)]
    command += ["manage.py", "import_tiki", *options, "--as", SECRETARY]
    out_path, err_path = workdir / f"{label}.out", workdir / f"{label}.err"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    pg_before = postgres_cpu()
    started = time.perf_counter()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    pg_after = postgres_cpu()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = Run(
        label=label,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        children_cpu=(after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        pg_cpu=None if pg_before is None or pg_after is None else pg_after - pg_before,
        rss_mb=usage.ru_maxrss / 1024,
        status=process.returncode,
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
    )
    if run.status != 0:
        run.problems.append(f"import_tiki exited {run.status}")
    if "Import finished." not in run.stdout:
        run.problems.append("no 'Import finished.' in the command's output")
    for line in run.stdout.splitlines():
        if line.startswith("Report: "):
            try:
                data = json.loads(Path(line.removeprefix("Report: ").strip()).read_text())
            except (OSError, ValueError) as error:
                run.problems.append(f"report not readable: {error}")
                continue
            run.report_lines = [
                (item["level"], item["subject"], item["message"])
                for item in data.get("lines", [])
                if item.get("level") in ("warning", "error")
            ]
    if profile is not None:
        render_profile(profile, label)
    return run


def render_profile(profile: Path, label: str) -> None:
    session = profile / f"{label}.pyisession"
    if not session.exists():
        return
    base = [sys.executable, "-m", "pyinstrument", "--load", str(session)]
    for renderer, suffix in (("text", "txt"), ("html", "html"), ("pstats", "pstats")):
        subprocess.run(
            [*base, "-r", renderer, "-o", str(profile / f"{label}.{suffix}")],
            cwd=ROOT,
            check=False,
            capture_output=True,
        )


def hotspots(profile: Path, label: str, count: int = 12) -> list[str]:
    """The functions with the most own time in a profile (pyinstrument's pstats output)."""
    path = profile / f"{label}.pstats"
    if not path.exists():
        return [f"(no profile at {path})"]
    stats = pstats.Stats(str(path))
    total = sum(row[2] for row in stats.stats.values()) or 1.0  # type: ignore[attr-defined]
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)  # type: ignore[attr-defined]
    lines = []
    for (filename, line, name), (_cc, _nc, own, cumulative, _callers) in rows[:count]:
        where = filename.replace(str(ROOT) + "/", "")
        for marker in ("site-packages/", "lib/python3"):
            if marker in where:
                where = where.split(marker, 1)[1]
        lines.append(
            f"{own:8.2f} s {100 * own / total:5.1f} %  (cum {cumulative:7.2f} s)  "
            f"{name}  {where}:{line}"
        )
    return lines


# --- Counting and the COPY yardstick ------------------------------------------------------------


def scalar(query: sql.Composable | str, params: tuple = ()) -> int:
    with psycopg.connect(PG_DSN.format(dbname=DB_NAME)) as conn:
        row = conn.execute(query, params).fetchone()
        return int(row[0]) if row and row[0] is not None else 0


def copy_baseline(table: str, after_id: int, run: Run) -> None:
    """The rows of table with id > after_id, read out with COPY TO into memory, then one bare
    COPY FROM into a fresh table of the same shape, committed: the time is the COPY and its
    commit."""
    source = sql.Identifier(table)
    target = sql.Identifier(f"bench_copy_{table}")
    with psycopg.connect(PG_DSN.format(dbname=DB_NAME)) as conn:
        started = time.perf_counter()
        blocks: list[bytes] = []
        with conn.cursor() as cursor:
            query = sql.SQL("COPY (SELECT * FROM {} WHERE id > {} ORDER BY id) TO STDOUT").format(
                source, sql.Literal(after_id)
            )
            with cursor.copy(query) as copy:
                for block in copy:
                    blocks.append(bytes(block))
        conn.commit()
        run.copy_read_seconds = time.perf_counter() - started
        run.copy_mb = sum(map(len, blocks)) / 1e6
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(target))
        conn.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(target, source))
        conn.commit()
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            cursor.copy(sql.SQL("COPY {} FROM STDIN").format(target)) as copy,
        ):
            for block in blocks:
                copy.write(block)
        conn.commit()
        run.copy_seconds = time.perf_counter() - started
        copied = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(target)).fetchone()
        if copied is None or copied[0] != run.rows:
            run.problems.append(f"COPY wrote {copied} rows, the import {run.rows}")
        conn.execute(sql.SQL("DROP TABLE {}").format(target))
        conn.commit()


# --- Report -------------------------------------------------------------------------------------


def summary_lines(run: Run) -> list[str]:
    lines = [line for line in run.stdout.splitlines() if not line.startswith("… ")]
    lines += [line for line in run.stderr.splitlines() if line.strip()][-20:]
    return lines


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(
    runs: dict[str, Run],
    setup: dict,
    args: argparse.Namespace,
    load: tuple,
    pg_version: str,
    addresses: dict[str, int],
) -> None:
    print()
    print(
        f"export    {args.pages_count:,} pages ({REAL_PAGES} real + "
        f"{max(0, args.pages_count - REAL_PAGES):,} "
        f"filler x {args.revisions} revisions), pages.zip {setup['pages_mb']:.1f} MB; "
        f"{args.criteria:,} criteria, criteria.csv {setup['criteria_mb']:.1f} MB; "
        f"written in {setup['seconds']:.1f} s"
    )
    for run in runs.values():
        print()
        print(f"--- {run.label}: import_tiki's summary (exit {run.status}) ---")
        for line in summary_lines(run):
            print(f"    {line}")
        for level, subject, message in run.report_lines[:12]:
            print(f"    [{level}] {subject}: {message[:150]}")
        if len(run.report_lines) > 12:
            print(f"    ... and {len(run.report_lines) - 12} more warning or error lines")
    print()
    header = (
        f"{'figure':<34}{'goal':>16}{'measured':>14}{'COPY':>10}{'ratio':>9}"
        f"{'projected':>12}  verdict"
    )
    print(header)
    print("-" * len(header))
    rate_goals = {
        "pages": ("revisions", GOALS["pages_seconds"]),
        "criteria": ("criteria", GOALS["criteria_seconds"]),
    }
    for key, run in runs.items():
        unit, seconds_goal = rate_goals[key]
        rate = run.rows / run.wall if run.wall else 0.0
        goal_rate = FULL / seconds_goal
        projected = FULL / rate if rate else float("inf")
        ratio = run.wall / run.copy_seconds if run.copy_seconds else float("inf")
        print(
            f"{f'{run.label}: wall time':<34}{f'< {seconds_goal:.0f} s @100k':>16}"
            f"{run.wall:>12.1f} s{run.copy_seconds:>8.2f} s{ratio:>8.0f}x"
            f"{projected:>10.1f} s  {verdict(projected < seconds_goal)}"
        )
        print(
            f"{f'{run.label}: {unit}/s':<34}{f'>= {goal_rate:,.0f}':>16}{rate:>14,.0f}"
            f"{(run.rows / run.copy_seconds if run.copy_seconds else 0):>10,.0f}"
            f"{'':>9}{'':>12}  {verdict(rate >= goal_rate)}"
        )
        print(
            f"{f'{run.label}: peak RSS (child)':<34}{f'< {GOALS["memory_mb"]:.0f} MB':>16}"
            f"{run.rss_mb:>11.0f} MB{'':>10}{'':>9}{'':>12}  "
            f"{verdict(run.rss_mb < GOALS['memory_mb'])}"
        )
        pg = f"{run.pg_cpu:.1f} s" if run.pg_cpu is not None else "n/a"
        print(
            f"{'':<4}rows {run.rows:,}; CPU: child {run.cpu:.1f} s "
            f"({100 * run.cpu / run.wall if run.wall else 0:.0f} % of wall, "
            f"{1e3 * run.cpu / run.rows if run.rows else 0:.2f} ms/row; RUSAGE_CHILDREN delta "
            f"{run.children_cpu:.1f} s), PostgreSQL server {pg}; COPY of {run.copy_mb:.1f} MB "
            f"(read out in {run.copy_read_seconds:.2f} s)"
        )
    print()
    print(
        "ratio = import wall time / bare COPY time of the same rows into a table of the same "
        "shape (indexes, no FKs); projected = time for 100,000 rows at the measured rate"
    )
    print(f"old addresses in the database, by kind: {addresses}")
    problems = [(run.label, p) for run in runs.values() for p in run.problems]
    if problems:
        print()
        print("Problems:")
        for label, problem in problems:
            print(f"  {label}: {problem}")
    if args.profile:
        for key in runs:
            print()
            print(f"Most own time, {runs[key].label} (pyinstrument, {args.profile / key}.txt):")
            for line in hotspots(args.profile, key):
                print(f"  {line}")
    print()
    print(
        f"machine   nproc {os.cpu_count()}, load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f} before the run; Python {sys.version.split()[0]}; {pg_version}"
    )
    print(f"commit    {git_commit()}{' (profiled: slower)' if args.profile else ''}")


def git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{commit}{' + uncommitted changes' if dirty else ''}"


# --- Main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pages-count", type=int, default=5_000, help="pages, the 7 real ones included"
    )
    parser.add_argument("--revisions", type=int, default=20, help="revisions per filler page")
    parser.add_argument(
        "--criteria", type=int, default=100_000, help="items of the criteria tracker"
    )
    parser.add_argument("--quick", action="store_true", help="200 pages, 5,000 criteria")
    parser.add_argument("--only", choices=("pages", "criteria"), help="one of the two imports")
    parser.add_argument("--profile", type=Path, help="run the imports under pyinstrument, into DIR")
    parser.add_argument(
        "--rewrite-all",
        action="store_true",
        help="filler versions rewrite the whole page as one block (the converter's worst case: "
        "nothing of an earlier version is reused)",
    )
    parser.add_argument("--setup-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.pages_count, args.criteria = 200, 5_000
    if args.setup_child:
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        print(
            json.dumps(
                setup_child(
                    args.setup_child,
                    args.pages_count,
                    args.revisions,
                    args.criteria,
                    rewrite_all=args.rewrite_all,
                )
            )
        )
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if args.profile:
        args.profile = args.profile.resolve()
        args.profile.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="wikispiral-bench-movein-") as tmp:
        workdir = Path(tmp)
        env = bench_env(workdir)
        try:
            with psycopg.connect(PG_DSN.format(dbname="postgres")) as conn:
                pg_version = "PostgreSQL " + str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
            print(
                f"Load average before the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
                flush=True,
            )
            print(f"Preparing database {DB_NAME} (migrate)...", flush=True)
            database_recreate()
            run_checked(
                [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
                env,
                "migrate",
            )
            print(
                f"Places, secretariat account, export of {args.pages_count:,} pages x "
                f"{args.revisions} and {args.criteria:,} criteria...",
                flush=True,
            )
            out = run_checked(
                [
                    sys.executable,
                    __file__,
                    "--setup-child",
                    str(workdir / "export"),
                    "--pages-count",
                    str(args.pages_count),
                    "--revisions",
                    str(args.revisions),
                    "--criteria",
                    str(args.criteria),
                    *(["--rewrite-all"] if args.rewrite_all else []),
                ],
                env,
                "set-up",
            )
            setup = json.loads(out.strip().splitlines()[-1])
            paths = setup["paths"]
            runs: dict[str, Run] = {}
            if args.only in (None, "criteria"):
                table = setup["criterion_table"]
                before_id = scalar(sql.SQL("SELECT max(id) FROM {}").format(sql.Identifier(table)))
                before = scalar(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
                print(f"Importing the trackers ({time.strftime('%H:%M:%S')})...", flush=True)
                options = ["--trackers", paths["trackers"], "--mapping", paths["mapping"]]
                run = run_import("criteria", options, env, workdir, args.profile)
                run.rows = (
                    scalar(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
                    - before
                )
                if run.rows != args.criteria:
                    run.problems.append(
                        f"{run.rows:,} criteria in the database, {args.criteria:,} in the export"
                    )
                print(
                    f"  {run.wall:.1f} s, {run.rows:,} criteria; COPY of the same rows...",
                    flush=True,
                )
                copy_baseline(table, before_id, run)
                runs["criteria"] = run
            if args.only == "pages":
                # The groups the mapping sends pages to, unmeasured (without them each page
                # the mapping sends to a group is an error).
                groups = workdir / "groups-only"
                groups.mkdir()
                for name in ("groups.csv", "homogeneous_groups.csv"):
                    shutil.copy(Path(paths["trackers"]) / name, groups / name)
                # The mapping names the criteria tracker: its header and first item (a header
                # alone stops the import on an UploadProblem, "no criteria under it").
                with (Path(paths["trackers"]) / "criteria.csv").open("rb") as full:
                    (groups / "criteria.csv").write_bytes(full.readline() + full.readline())
                print("Importing the groups first (not measured)...", flush=True)
                first = run_import(
                    "groups",
                    ["--trackers", str(groups), "--mapping", paths["mapping"]],
                    env,
                    workdir,
                    None,
                )
                if first.problems:
                    raise SetupError(f"the groups' import failed: {first.problems}\n{first.stderr}")
            if args.only in (None, "pages"):
                table = setup["revision_table"]
                before_id = scalar(sql.SQL("SELECT max(id) FROM {}").format(sql.Identifier(table)))
                before = scalar(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
                print(f"Importing the pages ({time.strftime('%H:%M:%S')})...", flush=True)
                options = [
                    "--pages",
                    paths["pages"],
                    "--structure",
                    paths["structure"],
                    "--mapping",
                    paths["mapping"],
                ]
                run = run_import("pages", options, env, workdir, args.profile)
                run.rows = (
                    scalar(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
                    - before
                )
                expected = args.revisions * max(0, args.pages_count - REAL_PAGES) + 13
                if run.rows != expected:
                    run.problems.append(
                        f"{run.rows:,} revisions in the database, {expected:,} in the export"
                    )
                print(
                    f"  {run.wall:.1f} s, {run.rows:,} revisions; COPY of the same rows...",
                    flush=True,
                )
                copy_baseline(table, before_id, run)
                runs["pages"] = run
            with psycopg.connect(PG_DSN.format(dbname=DB_NAME)) as conn:
                addresses = dict(
                    conn.execute(
                        sql.SQL("SELECT kind, count(*) FROM {} GROUP BY kind ORDER BY kind").format(
                            sql.Identifier(setup["address_table"])
                        )
                    ).fetchall()
                )
                # What the import left for the worker (none runs during the bench).
                addresses["jobs left waiting for the worker"] = dict(
                    conn.execute(
                        "SELECT kind, count(*) FROM jobs_job WHERE state = 'waiting' "
                        "GROUP BY kind ORDER BY kind"
                    ).fetchall()
                )
        except (SetupError, OSError, psycopg.Error) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        for run in runs.values():
            run.label = {"pages": "pages", "criteria": "criteria tracker"}[run.label]
        report(runs, setup, args, load, pg_version, addresses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
