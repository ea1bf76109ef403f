"""Daily digests at network scale: 50,000 people following 200,000 things, 10,000 changes in a day.

Builds a fresh PostgreSQL database `wikispiral_notify_bench` (dropped first), migrates, then in
bulk SQL seeded with setseed (the same rows every run): 4,000 coordination groups with their
wiki spaces (2% hidden, their spaces private), 196,000 wiki pages in those spaces, so 200,000
followable things (pages and groups); 50,000 people (a third each in English, French and
Portuguese, in a dozen time zones, 2% without a confirmed address); their choices (60% none
made, so daily; 25% daily, 8% weekly, 4% immediate, 3% never); `--follows` follows (each person
a few things, the popular ones followed by many: a cube of a uniform draw); `--changes` changes
over the last 24 hours (95% pages, 5% groups, popular things changing more), each by someone,
now and then by one of its followers. Then VACUUM ANALYZE, and, `--repeat` rounds of:

1. `wikispiral.notifications.digests.digests_build(period="daily")`: every daily digest, built
   and written with everyone's `digest_sent_until` (its parts timed from outside, its queries
   and its time in SQL counted through a Django execute wrapper), then undone (digests deleted,
   `digest_sent_until` cleared) for the next round;
2. beside it, the bare SQL join that finds who must be told (`digests.PAIRS_SQL`, the pairs
   fetched through psycopg): the yardstick.

Then, once: sending the digests of the last round through Django's locmem mail backend (no
SMTP: what the job costs this process), and one page of the notifications of the person who
follows the most things (the on-site list, in process).

Goal (issue 18): every daily digest built in under 60 s on this 2-core machine, in a number of
queries that does not grow with the number of people. Exit status 0 whatever the figures; 1
when the set-up fails or a round's digests disagree with the bare join.

    .venv/bin/python bench/digests.py [--people 50000] [--things 200000] [--follows 400000]
        [--changes 10000] [--repeat 3]
"""

import argparse
import os
import resource
import signal
import statistics
import sys
import tempfile
import time
from functools import wraps
from pathlib import Path

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
import page_views as common  # noqa: E402

ROOT = common.ROOT
DB_NAME = "wikispiral_notify_bench"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
# Redis database 8, flushed at start and end: Celery's broker here, with no worker.
REDIS_URL = "redis://127.0.0.1:6379/8"
GOAL_SECONDS = 60.0
GROUPS = 4_000
# The builder's parts, timed from outside (their code unchanged).
PARTS = ("_pairs", "_changes", "_visible", "_digests_save", "_sent_until")

SETUP_SQL = """
SELECT setseed(0.1801);
INSERT INTO territories_continent (name, names, code) VALUES ('Europe', '{}'::jsonb, 'EU')
ON CONFLICT DO NOTHING;
INSERT INTO territories_country (name, names, code, continent_id)
SELECT 'France', '{"fr": "France", "pt": "França"}'::jsonb, 'FR', id
FROM territories_continent WHERE code = 'EU' ON CONFLICT DO NOTHING;
INSERT INTO wiki_space (slug, name, kind, is_public, created_at)
VALUES ('network', 'Network', 'network', true, now() - interval '400 days')
ON CONFLICT DO NOTHING;
INSERT INTO wiki_space (slug, name, kind, is_public, created_at)
SELECT 'bench-n-' || n, 'Platform ' || n, 'cg', random() >= 0.02,
       now() - interval '400 days'
FROM generate_series(1, %(groups)s) n;
INSERT INTO territories_coordinationgroup (
    network_id, name, slug, kind, actor_type, level, latitude, longitude, platform_description,
    territory_description, process_summary, stakeholders, contacts, support_needs, languages,
    status, created_at, modified_at, country_id, locality_id, referent_id, region_id, space_id,
    created_by_id, hidden_reason, is_hidden, picture, project)
SELECT 'GC' || lpad((200000 + n)::text, 6, '0'), s.name, s.slug, 'territory', '', 'locality',
       NULL, NULL, '', '', '', '', '', '', '["fr"]'::jsonb, 'active', s.created_at, s.created_at,
       c.id, NULL, NULL, NULL, s.id, NULL, CASE WHEN s.is_public THEN '' ELSE 'Bench' END,
       NOT s.is_public, '', 0
FROM generate_series(1, %(groups)s) n
JOIN wiki_space s ON s.slug = 'bench-n-' || n
CROSS JOIN (SELECT id FROM territories_country WHERE code = 'FR') c;
INSERT INTO wiki_page (
    space_id, language, slug, title, parent_id, position, translation_key, current_revision_id,
    is_protected, is_deleted, created_at, updated_at)
SELECT s.id, (ARRAY['en', 'fr', 'pt'])[1 + n %% 3], 'page-' || n, 'Page ' || n || ' of ' || s.name,
       NULL, 0, gen_random_uuid(), NULL, false, false, now() - interval '300 days',
       now() - interval '300 days'
FROM generate_series(1, %(pages)s) n
JOIN wiki_space s ON s.slug = 'bench-n-' || (1 + n %% %(groups)s);
CREATE TEMP TABLE bench_things AS
SELECT row_number() OVER (ORDER BY kind, id) AS rank, kind, id::text AS key, title, url
FROM (SELECT 'page' AS kind, p.id, p.title,
             '/wiki/' || s.slug || '/' || p.language || '/' || p.slug || '/' AS url
      FROM wiki_page p JOIN wiki_space s ON s.id = p.space_id WHERE s.slug LIKE 'bench-n-%%'
      UNION ALL
      SELECT 'group', g.id, g.name, '/cg/' || g.slug || '/' FROM territories_coordinationgroup g
     ) things;
CREATE UNIQUE INDEX ON bench_things (rank);
INSERT INTO accounts_user (
    password, last_login, is_superuser, username, first_name, last_name, is_staff, is_active,
    date_joined, email, display_name, preferred_language, time_zone, is_secretariat,
    email_confirmed_at)
SELECT '!', NULL, false, 'reader' || n, '', '', false, true, now() - interval '500 days',
       'reader' || n || '@example.org', 'Reader ' || n, (ARRAY['en', 'fr', 'pt'])[1 + n %% 3],
       (ARRAY['', 'Europe/Paris', 'Europe/Lisbon', 'Europe/Brussels', 'Europe/Rome',
              'Europe/Bucharest', 'Africa/Casablanca', 'Atlantic/Cape_Verde', 'Africa/Libreville',
              'Africa/Dakar', 'America/Sao_Paulo', 'UTC'])[1 + n %% 12],
       false, CASE WHEN random() < 0.98 THEN now() - interval '400 days' END
FROM generate_series(1, %(people)s) n;
CREATE TEMP TABLE bench_people AS
SELECT row_number() OVER (ORDER BY id) AS rank, id FROM accounts_user
WHERE username LIKE 'reader%%';
CREATE UNIQUE INDEX ON bench_people (rank);
INSERT INTO notifications_preference (user_id, frequency, follow_edits, seen_until,
                                      digest_sent_until)
SELECT id, CASE WHEN r < 0.25 THEN 'daily' WHEN r < 0.33 THEN 'weekly'
                WHEN r < 0.37 THEN 'immediate' ELSE 'never' END,
       true, NULL, now() - interval '1 day' - interval '1 hour'
FROM (SELECT id, random() AS r FROM bench_people) p WHERE r < 0.40;
INSERT INTO notifications_follow (user_id, kind, key, created_at)
SELECT p.id, t.kind, t.key, now() - interval '30 days'
FROM (SELECT 1 + floor(random() * %(people)s)::int AS person,
             1 + floor(%(things)s * power(random(), 3))::int AS thing
      FROM generate_series(1, %(follows)s)) f
JOIN bench_people p ON p.rank = f.person
JOIN bench_things t ON t.rank = f.thing
ON CONFLICT DO NOTHING;
INSERT INTO notifications_change (kind, key, actor_id, title, url, summary, verb, created_at)
SELECT t.kind, t.key, p.id, t.title, t.url,
       CASE WHEN random() < 0.5 THEN 'Corrected a date' ELSE '' END,
       CASE WHEN t.kind = 'page' THEN 'edit' ELSE 'updated' END,
       now() - random() * interval '24 hours'
FROM (SELECT 1 + floor(%(things)s * power(random(), 2))::int AS thing,
             1 + floor(random() * %(people)s)::int AS person
      FROM generate_series(1, %(changes)s)) c
JOIN bench_things t ON t.rank = c.thing
JOIN bench_people p ON p.rank = c.person
"""

SHAPE = {
    "people": "SELECT count(*) FROM accounts_user",
    "pages": "SELECT count(*) FROM wiki_page",
    "groups": "SELECT count(*) FROM territories_coordinationgroup",
    "hidden groups": "SELECT count(*) FROM territories_coordinationgroup WHERE is_hidden",
    "follows": "SELECT count(*) FROM notifications_follow",
    "followed things": (
        "SELECT count(*) FROM (SELECT DISTINCT kind, key FROM notifications_follow) f"
    ),
    "people following": "SELECT count(DISTINCT user_id) FROM notifications_follow",
    "changes": "SELECT count(*) FROM notifications_change",
    "choices made": "SELECT count(*) FROM notifications_preference",
}


def bench_env(static_root: Path) -> dict[str, str]:
    env = common.production_env(static_root)
    env.update({"DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL})
    # Sending is measured through the locmem backend: no mail leaves the machine.
    env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    return env


def run_sql(conn: psycopg.Connection, sql: str, params: dict) -> None:
    for statement in sql.split(";\n"):
        if statement.strip():
            conn.execute(statement, params)


def prepare(env: dict[str, str], args: argparse.Namespace) -> dict[str, float]:
    timings: dict[str, float] = {}
    with psycopg.connect(common.PG_DSN.format(dbname="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    redis.Redis.from_url(REDIS_URL, socket_timeout=5).flushdb()
    started = time.perf_counter()
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"]
    common.run_checked(migrate, env, "migrate")
    timings["migrate"] = time.perf_counter() - started
    params = {
        "groups": GROUPS,
        "pages": args.things - GROUPS,
        "things": args.things,
        "people": args.people,
        "follows": args.follows,
        "changes": args.changes,
    }
    with psycopg.connect(common.PG_DSN.format(dbname=DB_NAME), autocommit=True) as conn:
        started = time.perf_counter()
        run_sql(conn, SETUP_SQL, params)
        timings["rows"] = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        timings["vacuum"] = time.perf_counter() - started
    return timings


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def shape() -> dict[str, int]:
    from django.db import connection

    figures = {}
    with connection.cursor() as cursor:
        for label, query in SHAPE.items():
            cursor.execute(query)
            figures[label] = cursor.fetchone()[0]
    return figures


def timed(owner: object, name: str, into: dict[str, float]) -> object:
    original = getattr(owner, name)

    @wraps(original)
    def wrapper(*args: object, **kwargs: object) -> object:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            into[name] = into.get(name, 0.0) + time.perf_counter() - started

    setattr(owner, name, wrapper)
    return original


class SqlTimer:
    """Queries and time in SQL of everything run through Django's cursors."""

    def __init__(self) -> None:
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def undo() -> None:
    """Put the database back as before a build: no digest, no digest_sent_until moved on."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM notifications_digest")
        cursor.execute("DELETE FROM jobs_job WHERE kind = 'notifications.send'")
        # The rows the build made for people who had made no choice go (they were the
        # default); the others' digest_sent_until goes back to where the set-up put it.
        cursor.execute(
            "DELETE FROM notifications_preference WHERE user_id NOT IN "
            "(SELECT user_id FROM bench_chosen)"
        )
        cursor.execute(
            "UPDATE notifications_preference p SET digest_sent_until = c.digest_sent_until "
            "FROM bench_chosen c WHERE c.user_id = p.user_id"
        )


def build_round(cutoff) -> dict[str, float]:  # noqa: ANN001
    from django.db import connection

    from wikispiral.notifications import digests, writing

    parts: dict[str, float] = {}
    originals = {name: timed(digests, name, parts) for name in PARTS}
    render = timed(writing.Writer, "write", parts)
    naming = timed(writing.Writer, "name_things", parts)
    sql = SqlTimer()
    cpu = time.process_time()
    started = time.perf_counter()
    try:
        with connection.execute_wrapper(sql):
            built = digests.digests_build(period="daily", cutoff=cutoff)
    finally:
        for name, original in originals.items():
            setattr(digests, name, original)
        writing.Writer.write = render
        writing.Writer.name_things = naming
    parts["total"] = time.perf_counter() - started
    parts["cpu"] = time.process_time() - cpu
    parts["sql"], parts["queries"] = sql.seconds, sql.queries
    parts["readers"], parts["digests"], parts["told"] = built.readers, built.digests, built.changes
    return parts


def bare_join(cutoff) -> tuple[float, int, int]:  # noqa: ANN001
    """The statement that finds who must be told, alone: seconds to its last row, pairs, people."""
    from wikispiral.notifications import digests

    with psycopg.connect(common.PG_DSN.format(dbname=DB_NAME), autocommit=True) as conn:
        params = digests.pairs_params("daily", cutoff)
        sql = digests.pairs_sql()
        started = time.perf_counter()
        rows = conn.execute(sql, params).fetchall()
        seconds = time.perf_counter() - started
    return seconds, len(rows), len({row[0] for row in rows})


def send_once() -> tuple[float, int]:
    from wikispiral.notifications import digests

    started = time.perf_counter()
    sent = digests.digests_send()
    return time.perf_counter() - started, sent


def busiest_page() -> tuple[int, int, float, int]:
    """(things followed, rows shown, ms, queries) of one page of notifications of the person
    who follows the most."""
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from wikispiral.accounts.models import User
    from wikispiral.notifications import selectors
    from wikispiral.notifications.models import Follow

    top = Follow.objects.values("user").annotate(n=Count("id")).order_by("-n", "user").first() or {
        "user": 0,
        "n": 0,
    }
    user = User.objects.get(pk=top["user"])
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        page = selectors.notifications_page(user=user, number=1)
        milliseconds = (time.perf_counter() - started) * 1000
    return top["n"], len(page.rows), milliseconds, len(captured)


def spread(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def report(*, figures, timings, rounds, bares, sending, busiest, peak, load) -> None:
    print()
    print("Data shape")
    print("  " + ", ".join(f"{value:,} {label}" for label, value in figures.items()))
    print(
        f"  migrate {timings['migrate']:.0f} s, bulk SQL {timings['rows']:.0f} s, "
        f"VACUUM ANALYZE {timings['vacuum']:.0f} s"
    )
    print()
    totals = [r["total"] for r in rounds]
    median = statistics.median(totals)
    bare = statistics.median(seconds for seconds, _pairs, _people in bares)
    verdict = "PASS" if median < GOAL_SECONDS else "FAIL"
    print(f"(1) Every daily digest (median of {len(rounds)})")
    print(
        f"    {'digests_build(period=daily)':<38}{median:7.2f} s   [{spread(totals)}]   "
        f"goal < {GOAL_SECONDS:.0f} s   {verdict}"
    )
    first = rounds[0]
    labels = {
        "_pairs": "the join (who is told what)",
        "_changes": "the changes of the day",
        "_visible": "who may see what (bulk, per kind)",
        "name_things": "naming the things, per language",
        "write": "writing, one mail per person",
        "_digests_save": "the digests written (bulk INSERT)",
        "_sent_until": "digest_sent_until moved on",
        "sql": "in SQL (Django cursors)",
        "cpu": "CPU of this process",
    }
    for name, label in labels.items():
        print(f"      {label:<36}{statistics.median(r.get(name, 0.0) for r in rounds):7.2f} s")
    print(
        f"      queries {int(first['queries'])} for {int(first['digests']):,} digests to "
        f"{int(first['readers']):,} people ({int(first['told']):,} changes told): none per person"
    )
    print(f"      peak memory of this process         {peak:.0f} MB")
    print(
        f"(2) {'bare SQL join, who must be told':<38}{bare:7.2f} s   "
        f"[{spread([s for s, _p, _n in bares])}]   {bares[0][1]:,} pairs, {bares[0][2]:,} people"
    )
    print(f"    {'ratio build / bare join':<38}{median / bare:7.1f}")
    seconds, sent = sending
    print()
    print(f"Sending the last round's {sent:,} digests (locmem backend, no SMTP): {seconds:.1f} s")
    things, rows, milliseconds, queries = busiest
    print(
        f"Notifications page of the person following the most ({things} things): "
        f"{rows} rows, {milliseconds:.0f} ms, {queries} queries"
    )
    print()
    print(
        f"machine   nproc {os.cpu_count()}, load average {load:.2f} before the run, "
        f"Python {sys.version.split()[0]}"
    )
    print(f"commit    {common.git_commit()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--things", type=int, default=200_000)
    parser.add_argument("--follows", type=int, default=400_000)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.things <= GROUPS:
        parser.error(f"--things must be more than the {GROUPS:,} groups")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    load = os.getloadavg()[0]
    broker = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    with tempfile.TemporaryDirectory(prefix="wikispiral-bench-digests-") as tmp:
        env = bench_env(Path(tmp) / "static")
        try:
            print(f"Preparing {DB_NAME}: migrate, then the rows in bulk SQL...", flush=True)
            timings = prepare(env, args)
            django_setup(env)
            from django.db import connection
            from django.utils import timezone

            with connection.cursor() as cursor:
                cursor.execute(
                    "CREATE TEMP TABLE bench_chosen AS "
                    "SELECT user_id, digest_sent_until FROM notifications_preference"
                )
            figures = shape()
            cutoff = timezone.now()
            rounds, bares = [], []
            for number in range(args.repeat):
                print(f"round {number + 1} of {args.repeat}...", flush=True)
                if number:
                    undo()
                # The bare join first: the build moves everyone's digest_sent_until on.
                bares.append(bare_join(cutoff))
                rounds.append(build_round(cutoff))
                if rounds[-1]["readers"] != bares[-1][2]:
                    raise common.SetupError(
                        f"the build told {int(rounds[-1]['readers']):,} people, the bare join "
                        f"finds {bares[-1][2]:,}"
                    )
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            sending = send_once()
            busiest = busiest_page()
            broker.flushdb()
        except (common.SetupError, OSError, psycopg.Error, redis.RedisError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    report(
        figures=figures,
        timings=timings,
        rounds=rounds,
        bares=bares,
        sending=sending,
        busiest=busiest,
        peak=peak,
        load=load,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
