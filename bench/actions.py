"""From syntheses to action at scale: 2,000 platforms, 20,000 indicators, 1,000,000 placements.

Builds a fresh PostgreSQL database `wikispiral_bench_actions`: migrates, generates a demo network
(criteria.demo through `generate_demo_data`, about three homogeneous groups per coordination
group), adds the coordination groups it lacks up to `--platforms` by bulk SQL (copies of its
rows: their wiki spaces, countries, regions and localities, and two to four homogeneous groups
each) and hides 2% of them. Then, in bulk SQL seeded with setseed (the same rows every run):
ten published indicators per platform on components of the current grid, five levels and a
revision each, 30% of them in a network lineage (one shared root per platform, and two copies
adopted from the shared roots of other platforms); four published evaluation sessions per
platform (two a year over the two years before this one, 70% held by a homogeneous group, the
others by the whole platform) with their indicators; `--placements` placements spread over
them (participant numbers unique per session and indicator, placed on the session's day);
three co-responsibility actions per platform with two to four pledges each. Then VACUUM
ANALYZE, and measures:

1. `projects.evaluations.rollup.evaluations_recompute_all()`, every evaluation roll-up, `--repeat`
   times (its parts timed from outside), each time beside a bare SQL aggregate of the same
   placements (per platform, homogeneous group, lineage, year and level). The network
   snapshot's placements must equal SQL's count of the published placements of shared lineages
   in visible platforms.
2. An indicator page and an action page of the platform with the most placements under gunicorn
   (2 sync workers, production settings, DEBUG off) and wrk: the first request, p50/p99,
   requests per second and the server's CPU per request. Every response must be the full page.

Goals (issue 17): (1) under 5 s; (2) p99 under 100 ms. Exit status 0 whatever the figures; 1
when the set-up fails or the network snapshot is wrong; 3 when something could not be measured
(the roll-up function or a page missing: the figures measured are printed all the same).

    .venv/bin/python bench/actions.py [--platforms 2000] [--placements 1000000] [--repeat 3]
"""

import argparse
import inspect
import os
import resource
import shutil
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
DB_NAME = "wikispiral_bench_actions"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
# A Redis database of its own (projects 10, syntheses 11, page_views 12, tests 13, directory
# 14, criteria 15), flushed at start and end: Celery's broker here, with no worker.
REDIS_URL = "redis://127.0.0.1:6379/9"
GOALS = {"recompute_seconds": 5.0, "p99_ms": 100.0}
ROLLUP_FUNCTION = "evaluations_recompute_all"
# The roll-up's parts, timed from outside when the module has them (their code unchanged).
ROLLUP_PARTS = (
    "coordination_groups_frame",
    "fine_frame",
    "_groups_computed",
    "shared_lineages",
    "_places_computed",
    "_write",
    "_delete",
)
NOT_MEASURED = 3

# The coordination groups generate_demo_data did not make, copied from random ones it made
# (their places, kinds, texts), each with a wiki space and two to four homogeneous groups;
# then 2% of all the groups hidden.
PLATFORMS_SQL = """
SELECT setseed(0.1701);
CREATE TEMP TABLE bench_new AS
WITH t AS (SELECT array_agg(id ORDER BY id) AS ids FROM territories_coordinationgroup)
SELECT n, t.ids[1 + floor(random() * cardinality(t.ids))::int] AS template_id
FROM generate_series(1, %(missing)s) n, t;
INSERT INTO wiki_space (slug, name, kind, is_public, created_at)
SELECT 'bench-a-' || b.n, left(g.name, 180) || ' ' || b.n, 'cg', true, g.created_at
FROM bench_new b JOIN territories_coordinationgroup g ON g.id = b.template_id ORDER BY b.n;
INSERT INTO territories_coordinationgroup (
    network_id, name, slug, kind, actor_type, level, latitude, longitude, platform_description,
    territory_description, process_summary, stakeholders, contacts, support_needs, languages,
    status, created_at, modified_at, country_id, locality_id, referent_id, region_id, space_id,
    created_by_id, hidden_reason, is_hidden, picture, project)
SELECT 'BENCHA' || lpad(b.n::text, 6, '0'), s.name, s.slug, g.kind, g.actor_type, g.level,
       g.latitude + (random() - 0.5) * 0.04, g.longitude + (random() - 0.5) * 0.04,
       g.platform_description, g.territory_description, g.process_summary, g.stakeholders,
       g.contacts, g.support_needs, g.languages, g.status, g.created_at, g.modified_at,
       g.country_id, g.locality_id, NULL, g.region_id, s.id, NULL, '', false, '', 0
FROM bench_new b JOIN territories_coordinationgroup g ON g.id = b.template_id
JOIN wiki_space s ON s.slug = 'bench-a-' || b.n ORDER BY b.n;
CREATE TEMP TABLE bench_new_hg AS
WITH t AS (SELECT array_agg(id ORDER BY id) AS ids FROM territories_homogeneousgroup),
     g AS (SELECT id, languages, 2 + floor(random() * 3)::int AS hgs
           FROM territories_coordinationgroup WHERE network_id LIKE 'BENCHA%%')
SELECT g.id AS tenant_id, g.languages, k,
       t.ids[1 + floor(random() * cardinality(t.ids))::int] AS template_id
FROM g, t, generate_series(1, g.hgs) k;
INSERT INTO territories_homogeneousgroup (
    name, slug, profile_other, meeting_dates, participants, participants_women,
    participants_men, participants_other, language, notes, created_at, modified_at,
    created_by_id, page_id, tenant_id, profile_id, external_key)
SELECT h.name || ' ' || b.k, left(h.slug, 70) || '-' || b.k, h.profile_other, h.meeting_dates,
       h.participants, h.participants_women, h.participants_men, h.participants_other,
       coalesce(b.languages ->> 0, h.language), h.notes, h.created_at, h.modified_at, NULL, NULL,
       b.tenant_id, h.profile_id, ''
FROM bench_new_hg b JOIN territories_homogeneousgroup h ON h.id = b.template_id
ORDER BY b.tenant_id, b.k;
UPDATE territories_coordinationgroup SET is_hidden = true, hidden_reason = 'Hidden by the bench'
WHERE random() < 0.02;
UPDATE wiki_space SET is_public = false
WHERE id IN (SELECT space_id FROM territories_coordinationgroup WHERE is_hidden)
"""

# Ten indicators per platform; slot 3 is its shared root, slots 1 and 2 copies adopted from
# the shared roots of two other platforms (slot 1 from the next platform's, so every root is
# adopted; slot 2 from any other, never the same: one adoption per group), the others its own.
INDICATORS_SQL = """
SELECT setseed(0.1702);
CREATE TEMP TABLE bench_components AS
SELECT array_agg(c.id ORDER BY c.id) AS ids
FROM criteria_component c JOIN criteria_gridversion v ON v.id = c.version_id
WHERE v.is_current AND c.is_active;
INSERT INTO projects_indicator (
    tenant_id, component_id, language, texts, status, shared, origin_id, lineage, revision,
    created_by_id, created_at, updated_at)
SELECT x.tenant_id, k.id, x.language,
       jsonb_build_object(x.language, jsonb_build_object(
           'title', coalesce(k.names ->> x.language, k.names ->> 'en', k.code) || ' ' || x.slot,
           'description', 'How the territory stands on this component, from the worst '
                          'situation to the ideal one, in the participants'' words.')),
       'published', x.slot = 3, NULL, 0, 1, NULL, x.created_at, x.created_at
FROM (SELECT g.id AS tenant_id, slot, coalesce(g.languages ->> 0, 'en') AS language,
             c.ids[1 + floor(random() * cardinality(c.ids))::int] AS component_id,
             now() - interval '900 days' + slot * interval '1 day' AS created_at
      FROM territories_coordinationgroup g, generate_series(1, 10) slot, bench_components c) x
JOIN criteria_component k ON k.id = x.component_id
ORDER BY x.tenant_id, x.slot;
UPDATE projects_indicator SET lineage = id;
CREATE TEMP TABLE bench_slots AS
SELECT id, tenant_id, row_number() OVER (PARTITION BY tenant_id ORDER BY id) AS slot,
       dense_rank() OVER (ORDER BY tenant_id) AS pos
FROM projects_indicator;
CREATE INDEX ON bench_slots (tenant_id, slot);
WITH roots AS (SELECT s.pos, i.id, i.component_id, i.language, i.texts
               FROM bench_slots s JOIN projects_indicator i ON i.id = s.id WHERE s.slot = 3),
     n AS (SELECT max(pos) AS n FROM bench_slots),
     pick AS (SELECT s.id, CASE WHEN s.slot = 1 THEN s.pos %% n.n + 1
                                ELSE (s.pos + 1 + floor(random() * (n.n - 2))::int) %% n.n + 1
                           END AS root_pos
              FROM bench_slots s, n WHERE s.slot IN (1, 2))
UPDATE projects_indicator i
SET origin_id = r.id, lineage = r.id, component_id = r.component_id, language = r.language,
    texts = r.texts
FROM pick p JOIN roots r ON r.pos = p.root_pos WHERE i.id = p.id;
INSERT INTO projects_indicatorlevel (tenant_id, indicator_id, position, texts)
SELECT i.tenant_id, i.id, p, jsonb_build_object(i.language, jsonb_build_object(
           'name', (ARRAY['Very bad', 'Bad', 'Average', 'Good', 'Ideal'])[p],
           'description', 'Situation ' || p || ' of 5, as the participants describe it.'))
FROM projects_indicator i, generate_series(1, 5) p ORDER BY i.id, p;
INSERT INTO projects_indicatorrevision (
    tenant_id, indicator_id, number, content, comment, author_id, created_at)
SELECT i.tenant_id, i.id, 1,
       jsonb_build_object('component', i.component_id, 'language', i.language, 'texts', i.texts,
                          'status', i.status, 'shared', i.shared, 'levels', l.levels),
       '', NULL, i.created_at
FROM projects_indicator i
JOIN (SELECT indicator_id, jsonb_agg(jsonb_build_object('position', position, 'texts', texts,
                                                        'criteria', '[]'::jsonb)
                                     ORDER BY position) AS levels
      FROM projects_indicatorlevel GROUP BY indicator_id) l ON l.indicator_id = i.id
ORDER BY i.id
"""

# Four published sessions per platform (the start of each half of the two years before this
# one, plus up to 150 days), each evaluating the three network-lineage indicators and 60% of
# the others. A platform's activity (1 to 7.4) weighs its sessions' sizes.
SESSIONS_SQL = """
SELECT setseed(0.1703);
CREATE TEMP TABLE bench_hgs AS
SELECT tenant_id, array_agg(id ORDER BY id) AS ids
FROM territories_homogeneousgroup GROUP BY tenant_id;
CREATE TEMP TABLE bench_activity AS
SELECT id AS tenant_id, exp(random() * 2) AS factor FROM territories_coordinationgroup ORDER BY id;
INSERT INTO projects_evaluationsession (
    tenant_id, title, held_on, group_id, participants, notes, status, created_by_id,
    created_at, updated_at)
SELECT x.tenant_id, 'Evaluation of ' || to_char(x.held_on, 'YYYY-MM-DD'), x.held_on,
       x.group_id, x.weight, '', 'published', NULL, x.held_on + interval '1 day',
       x.held_on + interval '2 days'
FROM (SELECT a.tenant_id,
             (date_trunc('year', current_date) - interval '2 years'
              + k * interval '6 months')::date + floor(random() * 150)::int AS held_on,
             CASE WHEN random() < 0.7 AND h.ids IS NOT NULL
                  THEN h.ids[1 + floor(random() * cardinality(h.ids))::int] END AS group_id,
             greatest(1, round(a.factor * (6 + random() * 25)))::int AS weight
      FROM bench_activity a LEFT JOIN bench_hgs h ON h.tenant_id = a.tenant_id,
           generate_series(0, 3) k) x
ORDER BY x.tenant_id, x.held_on;
INSERT INTO projects_evaluationsession_indicators (evaluationsession_id, indicator_id)
SELECT s.id, b.id FROM projects_evaluationsession s JOIN bench_slots b ON b.tenant_id = s.tenant_id
WHERE b.slot <= 3 OR random() < 0.6 ORDER BY s.id, b.id
"""

# Exactly %(placements)s placements: each (session, indicator) pair gets its session's share
# (weight), rounded down, the remainder one each to the first pairs. Levels around a centre of
# each pair, a little higher in the later year. Then each session's participants: its largest
# pair.
PLACEMENTS_SQL = """
SELECT setseed(0.1704);
CREATE TEMP TABLE bench_pairs AS
WITH pairs AS (
    SELECT m.evaluationsession_id AS session_id, m.indicator_id, s.tenant_id, s.held_on,
           s.participants AS weight,
           1.5 + random() * 2.5 + CASE WHEN s.held_on >= date_trunc('year', current_date)
                                                      - interval '1 year'
                                       THEN 0.4 ELSE 0 END AS centre,
           row_number() OVER (ORDER BY m.evaluationsession_id, m.indicator_id) AS rn
    FROM projects_evaluationsession_indicators m
    JOIN projects_evaluationsession s ON s.id = m.evaluationsession_id),
based AS (SELECT *, floor(%(placements)s::numeric * weight / sum(weight) OVER ())::int AS base
          FROM pairs)
SELECT *, base + CASE WHEN rn <= %(placements)s - sum(base) OVER () THEN 1 ELSE 0 END AS n
FROM based;
INSERT INTO projects_placement (tenant_id, session_id, indicator_id, level, participant, placed_on)
SELECT p.tenant_id, p.session_id, p.indicator_id,
       least(5, greatest(1, round(p.centre + (random() + random() - 1) * 2)))::int, k, p.held_on
FROM bench_pairs p, generate_series(1, p.n) k;
UPDATE projects_evaluationsession s SET participants = greatest(1, m.n)
FROM (SELECT session_id, max(n) AS n FROM bench_pairs GROUP BY session_id) m
WHERE m.session_id = s.id
"""

# Three actions per platform (the first always published), between its first and last
# sessions, on two of its indicators (one adopted), their components and one homogeneous group;
# two to four pledges each.
ACTIONS_SQL = """
SELECT setseed(0.1705);
CREATE TEMP TABLE bench_span AS
SELECT tenant_id, (array_agg(id ORDER BY held_on, id))[1] AS first_id,
       (array_agg(id ORDER BY held_on DESC, id DESC))[1] AS last_id
FROM projects_evaluationsession GROUP BY tenant_id;
INSERT INTO projects_action (
    tenant_id, title, description, language, status, starts_on, ends_on, published, page_id,
    before_id, after_id, created_by_id, created_at, updated_at)
SELECT x.tenant_id, x.title, x.description, x.language, x.status, x.starts_on,
       CASE WHEN x.status IN ('done', 'given_up') THEN x.starts_on + 120 END,
       x.k = 1 OR random() < 0.8, NULL, sp.first_id, sp.last_id, NULL,
       (x.starts_on - 30)::timestamptz, (x.starts_on + 10)::timestamptz
FROM (SELECT g.id AS tenant_id, k, coalesce(g.languages ->> 0, 'en') AS language,
             (ARRAY['Shared vegetable garden', 'A listening space for young people',
                    'Repair café', 'Visits to isolated elders', 'Neighbourhood car sharing',
                    'Open school yard'])[1 + floor(random() * 6)::int] || ' ' || k AS title,
             'What the platform and its partners do together to improve the indicators '
             'below, and who brings what.' AS description,
             (ARRAY['proposed', 'agreed', 'under_way', 'under_way', 'done', 'given_up'])
                 [1 + floor(random() * 6)::int] AS status,
             (date_trunc('year', current_date) - interval '1 year')::date
                 + floor(random() * 300)::int AS starts_on
      FROM territories_coordinationgroup g, generate_series(1, 3) k) x
LEFT JOIN bench_span sp ON sp.tenant_id = x.tenant_id
ORDER BY x.tenant_id, x.k;
INSERT INTO projects_action_indicators (action_id, indicator_id)
SELECT a.id, b.id FROM projects_action a JOIN bench_slots b ON b.tenant_id = a.tenant_id
WHERE b.slot = 1 OR b.slot = 4 + a.id %% 7;
INSERT INTO projects_action_components (action_id, component_id)
SELECT DISTINCT m.action_id, i.component_id
FROM projects_action_indicators m JOIN projects_indicator i ON i.id = m.indicator_id;
INSERT INTO projects_action_groups (action_id, homogeneousgroup_id)
SELECT a.id, h.ids[1 + a.id %% cardinality(h.ids)]
FROM projects_action a JOIN bench_hgs h ON h.tenant_id = a.tenant_id;
INSERT INTO projects_pledge (
    tenant_id, action_id, pledger, person_id, group_id, name, offer, description, amount, unit,
    state, created_by_id, created_at, updated_at)
SELECT x.tenant_id, x.action_id, x.pledger, NULL,
       CASE WHEN x.pledger = 'hg' THEN x.group_id END,
       CASE x.pledger WHEN 'organisation' THEN 'Neighbourhood association ' || x.k
                      WHEN 'public_body' THEN 'Town hall' ELSE '' END,
       x.offer, 'Offered at the platform''s meeting.',
       CASE x.offer WHEN 'money' THEN round((50 + random() * 2000)::numeric, 2)
                    WHEN 'time' THEN (2 + floor(random() * 40))::numeric END,
       CASE x.offer WHEN 'money' THEN 'EUR' WHEN 'time' THEN 'hours' ELSE '' END,
       (ARRAY['offered', 'offered', 'kept', 'withdrawn'])[1 + floor(random() * 4)::int],
       NULL, x.created_at, x.created_at
FROM (SELECT a.tenant_id, a.id AS action_id, k, g.homogeneousgroup_id AS group_id,
             CASE WHEN k = 1 AND g.homogeneousgroup_id IS NOT NULL THEN 'hg'
                  WHEN k = 3 THEN 'public_body' ELSE 'organisation' END AS pledger,
             (ARRAY['time', 'place', 'money', 'equipment', 'skills'])
                 [1 + floor(random() * 5)::int] AS offer,
             a.created_at
      FROM (SELECT *, 2 + floor(random() * 3)::int AS pledges FROM projects_action) a
      LEFT JOIN projects_action_groups g ON g.action_id = a.id,
      generate_series(1, a.pledges) k) x
ORDER BY x.action_id, x.k
"""

# The yardstick: the same placements counted at the roll-up's finest grain, in one statement.
BASELINE_SQL = """
SELECT s.tenant_id, s.group_id, i.lineage, extract(year FROM s.held_on)::int AS year, p.level,
       count(*)
FROM projects_placement p
JOIN projects_evaluationsession s ON s.id = p.session_id
JOIN projects_indicator i ON i.id = p.indicator_id
WHERE s.status = 'published'
GROUP BY s.tenant_id, s.group_id, i.lineage, year, p.level
"""

# What the network snapshot must count: published placements of the lineages whose root is
# shared and published, in coordination groups that are not hidden.
NETWORK_SQL = """
SELECT count(*) FILTER (WHERE NOT g.is_hidden AND r.id IS NOT NULL),
       count(*) FILTER (WHERE NOT g.is_hidden),
       count(*) FILTER (WHERE r.id IS NOT NULL)
FROM projects_placement p
JOIN projects_evaluationsession s ON s.id = p.session_id
JOIN projects_indicator i ON i.id = p.indicator_id
JOIN territories_coordinationgroup g ON g.id = s.tenant_id
LEFT JOIN projects_indicator r
       ON r.id = i.lineage AND r.shared AND r.status = 'published' AND r.id = r.lineage
WHERE s.status = 'published'
"""


def bench_env(static_root: Path) -> dict[str, str]:
    env = common.production_env(static_root)
    env.update({"DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL})
    env["MEDIA_ROOT"] = str(static_root.parent / "media")
    env["PRIVATE_ROOT"] = str(static_root.parent / "private")
    return env


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    # The test client counts the pages' queries in this process.
    os.environ["ALLOWED_HOSTS"] = env["ALLOWED_HOSTS"] + ",testserver"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def run_sql(conn: psycopg.Connection, sql: str, params: dict) -> None:
    # One statement at a time (a statement with parameters is prepared alone).
    for statement in sql.split(";\n"):
        if statement.strip():
            conn.execute(statement, params)


def prepare(env: dict[str, str], args: argparse.Namespace) -> dict[str, float]:
    timings: dict[str, float] = {}
    with psycopg.connect(common.PG_DSN.format(dbname="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    redis.Redis.from_url(REDIS_URL, socket_timeout=5).flushdb()
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"]
    common.run_checked(migrate, env, "migrate")
    started = time.perf_counter()
    # About 78 criteria per homogeneous group: --groups asks for about three per platform.
    demo_groups = min(args.platforms, max(3, args.criteria // 240))
    demo = [sys.executable, "manage.py", "generate_demo_data", "--force", "--seed", "17"]
    demo += ["--criteria", str(args.criteria), "--groups", str(demo_groups)]
    common.run_checked(demo, env, "generate_demo_data")
    timings["network"] = time.perf_counter() - started
    with psycopg.connect(common.PG_DSN.format(dbname=DB_NAME), autocommit=True) as conn:
        made = conn.execute("SELECT count(*) FROM territories_coordinationgroup").fetchone()[0]
        params = {"missing": max(0, args.platforms - made), "placements": args.placements}
        timings["demo groups"] = made
        for label, sql in (
            ("platforms", PLATFORMS_SQL),
            ("indicators", INDICATORS_SQL),
            ("sessions", SESSIONS_SQL),
            ("placements", PLACEMENTS_SQL),
            ("actions", ACTIONS_SQL),
        ):
            print(f"  {label}...", flush=True)
            started = time.perf_counter()
            run_sql(conn, sql, params)
            timings[label] = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        timings["vacuum"] = time.perf_counter() - started
    return timings


def shape() -> dict[str, int]:
    from django.db import connection

    queries = {
        "coordination groups": "SELECT count(*) FROM territories_coordinationgroup",
        "hidden": "SELECT count(*) FROM territories_coordinationgroup WHERE is_hidden",
        "homogeneous groups": "SELECT count(*) FROM territories_homogeneousgroup",
        "countries": "SELECT count(DISTINCT country_id) FROM territories_coordinationgroup",
        "localities": "SELECT count(DISTINCT locality_id) FROM territories_coordinationgroup",
        "indicators": "SELECT count(*) FROM projects_indicator",
        "in a network lineage": (
            "SELECT count(*) FROM projects_indicator i JOIN projects_indicator r"
            " ON r.id = i.lineage WHERE r.shared"
        ),
        "levels": "SELECT count(*) FROM projects_indicatorlevel",
        "sessions": "SELECT count(*) FROM projects_evaluationsession",
        "session indicators": "SELECT count(*) FROM projects_evaluationsession_indicators",
        "placements": "SELECT count(*) FROM projects_placement",
        "actions": "SELECT count(*) FROM projects_action",
        "pledges": "SELECT count(*) FROM projects_pledge",
    }
    figures = {}
    with connection.cursor() as cursor:
        for label, query in queries.items():
            cursor.execute(query)
            figures[label] = cursor.fetchone()[0]
    return figures


def timed(module: object, name: str, into: dict[str, float]) -> object:
    original = getattr(module, name)

    @wraps(original)
    def wrapper(*args: object, **kwargs: object) -> object:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            into[name] = into.get(name, 0.0) + time.perf_counter() - started

    setattr(module, name, wrapper)
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


def baseline(conn: psycopg.Connection) -> tuple[float, int]:
    """The bare aggregate, from the statement to its last row fetched."""
    started = time.perf_counter()
    rows = conn.execute(BASELINE_SQL).fetchall()
    return time.perf_counter() - started, len(rows)


def recompute_rounds(repeat: int) -> tuple[list[dict[str, float]], list[tuple[float, int]]]:
    """(rounds of the roll-up with their parts, rounds of the bare aggregate), alternated."""
    from django.db import connection

    from projects.evaluations import rollup
    from projects.models import EvaluationSnapshot

    recompute = getattr(rollup, ROLLUP_FUNCTION)
    kwargs = {"force": True} if "force" in inspect.signature(recompute).parameters else {}
    # The first round writes every snapshot, none being stored.
    EvaluationSnapshot.objects.all().delete()
    rounds, baselines = [], []
    with psycopg.connect(common.PG_DSN.format(dbname=DB_NAME), autocommit=True) as conn:
        for number in range(repeat):
            print(f"(1) round {number + 1} of {repeat}...", flush=True)
            parts: dict[str, float] = {}
            originals = {
                name: timed(rollup, name, parts) for name in ROLLUP_PARTS if hasattr(rollup, name)
            }
            sql = SqlTimer()
            cpu = time.process_time()
            started = time.perf_counter()
            try:
                with connection.execute_wrapper(sql):
                    written = recompute(**kwargs)
            finally:
                for name, original in originals.items():
                    setattr(rollup, name, original)
            parts["total"] = time.perf_counter() - started
            parts["cpu"] = time.process_time() - cpu
            parts["sql"], parts["queries"] = sql.seconds, sql.queries
            parts["written"] = written if isinstance(written, int) else -1
            rounds.append(parts)
            baselines.append(baseline(conn))
    return rounds, baselines


def check_network() -> dict[str, int]:
    """The network snapshot's placements against SQL; raises SetupError when they differ."""
    from django.db import connection

    from projects.models import EvaluationSnapshot

    with connection.cursor() as cursor:
        cursor.execute(NETWORK_SQL)
        expected, visible, shared = cursor.fetchone()
    snapshot = EvaluationSnapshot.objects.filter(scope="network", scope_id=0).first()
    if snapshot is None or snapshot.placements_count != expected:
        found = "no network snapshot" if snapshot is None else f"{snapshot.placements_count:,}"
        raise common.SetupError(
            f"network snapshot: {found} placements; SQL counts {expected:,} published placements"
            f" of shared lineages in visible platforms ({visible:,} of all lineages in visible"
            f" platforms, {shared:,} of shared lineages in all platforms)"
        )
    return {"network": expected}


def page_targets() -> dict[str, str]:
    """The visible platform with the most placements: its adopted indicator with the most
    placements, and its published action with the most pledges."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT g.id, g.slug FROM projects_placement p"
            " JOIN territories_coordinationgroup g ON g.id = p.tenant_id WHERE NOT g.is_hidden"
            " GROUP BY g.id, g.slug ORDER BY count(*) DESC, g.id LIMIT 1"
        )
        tenant, slug = cursor.fetchone()
        cursor.execute(
            "SELECT i.id FROM projects_indicator i LEFT JOIN projects_placement p"
            " ON p.indicator_id = i.id WHERE i.tenant_id = %s"
            " GROUP BY i.id ORDER BY (i.origin_id IS NULL), count(p.id) DESC, i.id LIMIT 1",
            [tenant],
        )
        indicator = cursor.fetchone()[0]
        cursor.execute(
            "SELECT a.id FROM projects_action a LEFT JOIN projects_pledge p ON p.action_id = a.id"
            " WHERE a.tenant_id = %s AND a.published"
            " GROUP BY a.id ORDER BY count(p.id) DESC, a.id LIMIT 1",
            [tenant],
        )
        action = cursor.fetchone()[0]
    return {
        "indicator page": f"/cg/{slug}/indicators/{indicator}/",
        "action page": f"/cg/{slug}/actions/{action}/",
    }


def page_queries(path: str) -> tuple[int, int, int, float]:
    """Status, queries of a cold and a warm anonymous request and the warm one's milliseconds
    in SQL (Django's test client)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = []
    status, sql_ms = 0, 0.0
    for _attempt in range(2):
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        counts.append(len(captured))
        sql_ms = 1000 * sum(float(query["time"]) for query in captured.captured_queries)
    return status, counts[0], counts[1], sql_ms


def pages(env: dict[str, str], workdir: Path, paths: dict[str, str], args) -> dict[str, dict]:
    """Each page under gunicorn and wrk; a page that does not answer 200 is not measured."""
    script = workdir / "summary.lua"
    script.write_text(common.WRK_SUMMARY_SCRIPT)
    log_path = workdir / "gunicorn.log"
    server = argparse.Namespace(workers=2, worker_class="sync", threads=1)
    port = common.free_port()
    figures: dict[str, dict] = {}
    try:
        with common.gunicorn_running(env, port, server, log_path) as pid:
            for label, path in paths.items():
                started = time.perf_counter()
                first = common.http_request(port, path)
                first_ms = (time.perf_counter() - started) * 1000
                if first.status != 200:
                    location = first.headers.get("Location", "")
                    figures[label] = {"path": path, "status": first.status, "to": location}
                    continue
                result, cpu_ms = common.measure(
                    f"http://{common.HOST}:{port}{path}",
                    duration=args.duration,
                    connections=args.connections,
                    script=script,
                    headers={},
                    expected_size=common.response_size(first),
                    strict=True,
                    label=path,
                    server_pid=pid,
                )
                figures[label] = {
                    "path": path,
                    "status": 200,
                    "size": len(first.body),
                    "first_ms": first_ms,
                    "result": result,
                    "cpu_ms": cpu_ms,
                }
    except common.SetupError as error:
        raise common.SetupError(f"{error}\n{common.tail(log_path)}") from error
    return figures


def snapshots_count() -> dict[str, int]:
    from django.db.models import Count

    from projects.models import EvaluationSnapshot

    return dict(EvaluationSnapshot.objects.order_by().values_list("scope").annotate(n=Count("id")))


def verdict(value: float, goal: float) -> str:
    return "PASS" if value < goal else "FAIL"


def spread(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def report(*, figures, timings, rounds, baselines, snapshots, peak, page_figures, queries, load):
    print()
    print("Data shape")
    print("  " + ", ".join(f"{value:,} {label}" for label, value in figures.items()))
    print(
        f"  demo network {timings['network']:.0f} s ({int(timings['demo groups'])} coordination"
        f" groups), bulk SQL: "
        + ", ".join(
            f"{label} {timings[label]:.1f} s"
            for label in ("platforms", "indicators", "sessions", "placements", "actions")
        )
        + f", VACUUM ANALYZE {timings['vacuum']:.1f} s"
    )
    print()
    if rounds:
        totals = [r["total"] for r in rounds]
        median = statistics.median(totals)
        bare = statistics.median(seconds for seconds, _rows in baselines)
        print(f"(1) Recompute every evaluation roll-up (median of {len(rounds)})")
        print(
            f"    {ROLLUP_FUNCTION + '()':<38}{median:7.2f} s   [{spread(totals)}]   goal < "
            f"{GOALS['recompute_seconds']:.0f} s   {verdict(median, GOALS['recompute_seconds'])}"
        )
        for name in (*ROLLUP_PARTS, "sql", "cpu"):
            if name not in rounds[0]:
                continue
            label = {
                "sql": "in SQL (Django cursors)",
                "cpu": "CPU of this process",
            }.get(name, name)
            print(f"      {label:<36}{statistics.median(r.get(name, 0.0) for r in rounds):7.2f} s")
        print(
            f"      queries {int(rounds[0]['queries'])}, snapshots computed "
            f"{int(rounds[0]['written']):,}, stored: "
            + ", ".join(f"{n:,} {scope}" for scope, n in snapshots.items())
        )
        print(f"      peak memory of this process         {peak:.0f} MB")
    else:
        bare = statistics.median(seconds for seconds, _rows in baselines) if baselines else 0
        print(
            f"(1) NOT MEASURED: projects.evaluations.rollup has no {ROLLUP_FUNCTION}()   goal < "
            f"{GOALS['recompute_seconds']:.0f} s"
        )
    if baselines:
        print(
            f"    {'bare SQL aggregate, same placements':<38}{bare:7.2f} s   "
            f"[{spread([s for s, _r in baselines])}]   {baselines[0][1]:,} rows"
        )
    if rounds and bare:
        print(f"    {'ratio roll-up / bare SQL':<38}{median / bare:7.1f}")
    if rounds:
        print("    network snapshot's placements = SQL's count of shared lineages: checked")
    print()
    print("(2) Pages of the platform with the most placements (gunicorn 2 sync workers, wrk)")
    for label, page in page_figures.items():
        cold, warm, sql_ms = queries.get(label, (0, 0, 0, 0.0))[1:]
        if page["status"] != 200:
            what = "route or object missing" if page["status"] == 404 else "not the page"
            if page.get("to"):
                what = f"to {page['to']}"
            print(
                f"    {label:<15}{page['path']}  NOT MEASURED: answered {page['status']} ({what})"
            )
            continue
        result = page["result"]
        print(
            f"    {label:<15}p50 {result.p50_ms:6.1f} ms   p99 {result.p99_ms:6.1f} ms   "
            f"{result.requests_per_second:5.0f} req/s   server CPU {page['cpu_ms']:5.1f} ms/request"
            f"   goal p99 < {GOALS['p99_ms']:.0f} ms   {verdict(result.p99_ms, GOALS['p99_ms'])}"
        )
        print(
            f"    {'':<15}{page['path']}: {page['size']:,} bytes, first request "
            f"{page['first_ms']:.0f} ms; {cold}/{warm} queries cold/warm, the warm one "
            f"{sql_ms:.0f} ms in SQL (test client)"
        )
    print()
    print(
        f"machine   nproc {os.cpu_count()}, load average {load:.2f} before the run, "
        f"Python {sys.version.split()[0]}"
    )
    print(f"commit    {common.git_commit()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platforms", type=int, default=2_000)
    parser.add_argument("--placements", type=int, default=1_000_000)
    parser.add_argument(
        "--criteria", type=int, default=20_000, help="demo network's criteria (its groups)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    if args.platforms < 3:
        parser.error("--platforms must be at least 3 (indicators are adopted across platforms)")
    if shutil.which("wrk") is None:
        print("error: wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    load = os.getloadavg()[0]
    broker = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    with tempfile.TemporaryDirectory(prefix="wikispiral-bench-actions-") as tmp:
        env = bench_env(Path(tmp) / "static")
        try:
            print(f"Preparing {DB_NAME}: demo network, then the rows in bulk SQL...", flush=True)
            timings = prepare(env, args)
            django_setup(env)
            from projects.evaluations import rollup

            figures = shape()
            rounds: list[dict[str, float]] = []
            if hasattr(rollup, ROLLUP_FUNCTION):
                rounds, baselines = recompute_rounds(args.repeat)
                check_network()
            else:
                with psycopg.connect(common.PG_DSN.format(dbname=DB_NAME)) as conn:
                    baselines = [baseline(conn) for _round in range(args.repeat)]
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            snapshots = snapshots_count()
            print("(2) pages: collectstatic, queries, gunicorn, wrk...", flush=True)
            common.run_checked(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                env,
                "collectstatic",
            )
            paths = page_targets()
            queries = {label: page_queries(path) for label, path in paths.items()}
            page_figures = pages(env, Path(tmp), paths, args)
            broker.flushdb()
        except (common.SetupError, OSError, psycopg.Error, redis.RedisError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    report(
        figures=figures,
        timings=timings,
        rounds=rounds,
        baselines=baselines,
        snapshots=snapshots,
        peak=peak,
        page_figures=page_figures,
        queries=queries,
        load=load,
    )
    missing = not rounds or any(page["status"] != 200 for page in page_figures.values())
    return NOT_MEASURED if missing else 0


if __name__ == "__main__":
    sys.exit(main())
