"""Directory, group page and feeds at network scale, against /healthz in the same server run.

Builds a fresh PostgreSQL database `wikispiral_bench_directory` with 4,000 coordination groups,
12,000 homogeneous groups and a wiki space per group (pages with revisions for 200 of them),
runs gunicorn with production settings (DEBUG off, Redis cache) and drives each endpoint with
wrk; the queries per request are counted in this process with Django's test client on the same
database. Exit status 0 whatever the figures (it is a measurement), non-zero when the set-up
fails.

    .venv/bin/python bench/directory.py [--duration 10] [--connections 2] [--workers 2]
"""

import argparse
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The server, wrk and response helpers are page_views.py's, so both benchmarks measure alike.
import page_views as common  # noqa: E402

ROOT = common.ROOT
DB_NAME = "wikispiral_bench_directory"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
# A Redis database of its own (page_views.py uses 12), so flushing it touches nothing else.
REDIS_URL = "redis://127.0.0.1:6379/14"
P99_GOAL_MS = 50.0
SEED = 20260401

GROUPS = 4000
HOMOGENEOUS_PER_GROUP = 3
GROUPS_WITH_PAGES = 200
PAGES_PER_GROUP = 5
COUNTRIES = 60
REGIONS_PER_COUNTRY = 5
LOCALITIES_PER_REGION = 4

_VOCABULARY = (
    "citizens well-being co-responsibility territory dialogue youth elders school hospital "
    "neighbourhood solidarity garden seed library cooperative market culture health housing "
    "mobility energy water climate migrants inclusion employment training volunteers parents "
    "farmers artists sport music listening trust commons care food river forest island mountain "
    "harbour village district town valley coast network platform forum council assembly"
)
WORDS = _VOCABULARY.split()
LANGUAGES = ("en", "fr", "pt", "es", "it", "de", "ar")
ACTOR_TYPES = ("School", "Hospital", "Company", "Association", "Town hall", "University")


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str


def production_env(static_root: Path) -> dict[str, str]:
    env = common.production_env(static_root)
    env.update({"DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL})
    return env


def database_recreate() -> None:
    with psycopg.connect(common.PG_DSN.format(dbname="postgres"), autocommit=True) as conn:
        # FORCE ends connections a previous, interrupted run may have left open.
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def redis_flush() -> None:
    redis.Redis.from_url(REDIS_URL, socket_timeout=5).flushdb()


def prepare_schema(env: dict[str, str]) -> None:
    database_recreate()
    redis_flush()
    manage = [sys.executable, "manage.py"]
    common.run_checked(
        [*manage, "collectstatic", "--noinput", "--verbosity", "0"], env, "collectstatic"
    )
    common.run_checked([*manage, "migrate", "--noinput", "--verbosity", "0"], env, "migrate")


def django_setup(env: dict[str, str]) -> None:
    """This process talks to the bench database too: to load the data and count queries."""
    os.environ.update(env)
    # The test client's host.
    os.environ["ALLOWED_HOSTS"] = env["ALLOWED_HOSTS"] + ",testserver"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def load_data(rng: random.Random) -> dict[str, str]:
    """Bulk-load the network; return the slug of the group to measure and a search word."""
    from django.db import connection, transaction
    from django.utils import timezone

    from territories.models import (
        Continent,
        CoordinationGroup,
        Country,
        HomogeneousGroup,
        Locality,
        Membership,
        Profile,
        Region,
    )
    from wikispiral.accounts.models import User
    from wikispiral.tenancy import cross_tenant
    from wikispiral.wiki.models import Page, Revision, Space

    now = timezone.now()
    with transaction.atomic():
        continents = list(Continent.objects.all())
        france = Country.objects.create(
            code="FR", name="France", continent=Continent.objects.get(code="EU")
        )
        codes = [f"{a}{b}" for a in "ABCDEGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJ"]
        countries = [france] + Country.objects.bulk_create(
            Country(
                code=code,
                name=f"{rng.choice(WORDS).title()}land {code}",
                names={"fr": f"Pays {code}", "pt": f"País {code}"},
                continent=rng.choice(continents),
            )
            for code in rng.sample(codes, COUNTRIES - 1)
        )
        regions = Region.objects.bulk_create(
            Region(country=country, name=f"{rng.choice(WORDS).title()} region {n}", slug=f"r{n}")
            for country in countries
            for n in range(REGIONS_PER_COUNTRY)
        )
        localities = Locality.objects.bulk_create(
            Locality(region=region, name=f"{rng.choice(WORDS).title()}ville {n}", slug=f"l{n}")
            for region in regions
            for n in range(LOCALITIES_PER_REGION)
        )
        # One group in fifty is hidden, and its space private, as hiding does.
        spaces = Space.objects.bulk_create(
            Space(
                slug=f"cg-{n:05d}",
                name=f"Platform {n}",
                kind=Space.Kind.COORDINATION_GROUP,
                is_public=n % 50 != 7,
            )
            for n in range(GROUPS)
        )
        french_localities = localities[: REGIONS_PER_COUNTRY * LOCALITIES_PER_REGION]
        groups = []
        for n, space in enumerate(spaces):
            # One group in ten is French, so the filtered page has a few hundred to show.
            locality = rng.choice(french_localities if n % 10 == 0 else localities)
            # A word one group in a hundred uses: what a real search looks like.
            rare = " Agroecology." if n % 100 == 3 else ""
            groups.append(
                CoordinationGroup(
                    network_id=f"GC{200000 + n}",
                    name=f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} platform {n}",
                    slug=space.slug,
                    kind=rng.choice(CoordinationGroup.Kind.values),
                    actor_type=rng.choice(ACTOR_TYPES) if n % 3 == 0 else "",
                    country_id=locality.region.country_id,
                    region=locality.region,
                    locality=locality,
                    platform_description=_text(rng, rng.randint(40, 120)) + rare,
                    territory_description=_text(rng, rng.randint(20, 80)),
                    process_summary=_text(rng, rng.randint(20, 60)),
                    stakeholders="\n".join(_text(rng, 3) for _ in range(rng.randint(2, 6))),
                    contacts="contact@example.org",
                    languages=rng.sample(LANGUAGES, rng.randint(1, 3)),
                    status=rng.choice(CoordinationGroup.Status.values),
                    is_hidden=not space.is_public,
                    space=space,
                )
            )
        groups = CoordinationGroup.objects.bulk_create(groups)
        profiles = list(Profile.objects.all())
        with cross_tenant():
            HomogeneousGroup.objects.bulk_create(
                HomogeneousGroup(
                    tenant=group,
                    name=f"{profile.name} of {group.name}",
                    slug=f"{profile.slug}-{n}",
                    profile=profile,
                    participants=rng.randint(5, 40),
                    meeting_dates=["2025-03-01", "2025-04-12"],
                    notes=_text(rng, 30),
                )
                for group in groups
                for n, profile in enumerate(rng.sample(profiles, HOMOGENEOUS_PER_GROUP))
            )
        facilitators = User.objects.bulk_create(
            User(username=f"facilitator{n}", email=f"f{n}@example.org", display_name=f"Fac {n}")
            for n in range(GROUPS_WITH_PAGES)
        )
        visible = [group for group in groups if not group.is_hidden]
        with_pages = visible[:GROUPS_WITH_PAGES]
        Membership.objects.bulk_create(
            Membership(tenant=group, user=user, role=Membership.Role.FACILITATOR)
            for group, user in zip(with_pages, facilitators, strict=True)
        )
        pages = Page.objects.bulk_create(
            Page(
                space=group.space,
                language=rng.choice(("en", "fr", "pt")),
                slug=f"page-{n}",
                title=f"{rng.choice(WORDS).title()} notes {n}",
            )
            for group in with_pages
            for n in range(PAGES_PER_GROUP)
        )
        revisions = []
        for page in pages:
            for number in range(1, rng.randint(1, 3) + 1):
                revisions.append(
                    Revision(
                        page=page,
                        number=number,
                        kind=Revision.Kind.CREATE if number == 1 else Revision.Kind.EDIT,
                        title=page.title,
                        slug=page.slug,
                        body="## Notes\n\n" + _text(rng, 200),
                        comment=_text(rng, 4),
                        author=rng.choice(facilitators),
                        created_at=now - timedelta(days=rng.randint(0, 700)),
                    )
                )
        Revision.objects.bulk_create(revisions)
    with connection.cursor() as cursor:
        # Spread creation and change dates over three years, as a network that grew.
        cursor.execute(
            "UPDATE territories_coordinationgroup SET created_at = now() - random() * "
            "interval '1100 days', modified_at = now() - random() * interval '400 days'"
        )
        cursor.execute(
            "UPDATE territories_homogeneousgroup SET created_at = now() - random() * "
            "interval '1000 days'"
        )
        cursor.execute(
            """
            UPDATE wiki_page p SET current_revision_id = r.id, updated_at = r.created_at
            FROM (SELECT DISTINCT ON (page_id) id, page_id, created_at FROM wiki_revision
                  ORDER BY page_id, number DESC) r
            WHERE r.page_id = p.id
            """
        )
        # As autovacuum would have done by then on a live site: statistics, and the visibility
        # map that index-only scans rely on.
        cursor.execute("VACUUM ANALYZE")
    return {"group": with_pages[0].slug, "rare": "agroecology", "common": "solidarity"}


def count_queries(endpoints: list[Endpoint]) -> dict[str, int]:
    """Queries per anonymous request, and a check that each answers 200 with what it should."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for endpoint in endpoints:
        client.get(endpoint.path)  # warm connection and caches, as wrk's warm-up does
        with CaptureQueriesContext(connection) as queries:
            response = client.get(endpoint.path)
        if response.status_code != 200:
            raise common.SetupError(f"GET {endpoint.path} answered {response.status_code}")
        body = response.content.decode()
        is_directory = endpoint.path.startswith("/groups/?") or endpoint.path == "/groups/"
        if is_directory and body.count('<th scope="row">') < 10:
            raise common.SetupError(f"GET {endpoint.path} lists fewer than 10 groups")
        if endpoint.path.endswith(".rss") and body.count("<item>") < 5:
            raise common.SetupError(f"GET {endpoint.path} has fewer than 5 items")
        counts[endpoint.label] = len(queries)
    return counts


def measure(
    base: str, endpoint: Endpoint, args: argparse.Namespace, script: Path
) -> common.WrkResult:
    common.wrk_run(
        base + endpoint.path,
        seconds=common.WARMUP_SECONDS,
        connections=args.connections,
        script=script,
        headers={},
    )
    result = common.wrk_run(
        base + endpoint.path,
        seconds=args.duration,
        connections=args.connections,
        script=script,
        headers={},
    )
    if result.non_2xx_3xx or result.socket_errors:
        raise common.SetupError(
            f"{endpoint.label}: {result.non_2xx_3xx} error responses, socket errors: "
            f"{result.socket_errors or 'none'}"
        )
    return result


def report(
    endpoints: list[Endpoint],
    results: dict[str, common.WrkResult],
    queries: dict[str, int],
    *,
    args: argparse.Namespace,
    load: float,
    seconds_to_load: float,
) -> None:
    print()
    print(
        f"{'endpoint':<34}{'queries':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}   {'goal':<16}result"
    )
    for endpoint in endpoints:
        result = results[endpoint.label]
        verdict = "PASS" if result.p99_ms < P99_GOAL_MS else "FAIL (p99)"
        print(
            f"{endpoint.label:<34}{queries.get(endpoint.label, 0):>8}"
            f"{result.requests_per_second:>9.0f}{result.p50_ms:>9.2f}{result.p99_ms:>9.2f}   "
            f"{f'p99 < {P99_GOAL_MS:.0f} ms':<16}{verdict}"
        )
    print()
    for endpoint in endpoints:
        print(f"{endpoint.label:<34}{endpoint.path}")
    print()
    print(
        f"data         {GROUPS} coordination groups (1 in 50 hidden), "
        f"{GROUPS * HOMOGENEOUS_PER_GROUP} homogeneous groups, {COUNTRIES} countries, "
        f"{GROUPS_WITH_PAGES * PAGES_PER_GROUP} pages in {GROUPS_WITH_PAGES} spaces; "
        f"loaded in {seconds_to_load:.1f} s"
    )
    print(
        f"machine      nproc {os.cpu_count()}, load average {load:.2f} before the run, "
        f"Python {sys.version.split()[0]}"
    )
    print(
        f"gunicorn     {args.workers} workers, sync, DEBUG=false, PostgreSQL + Redis cache; "
        f"anonymous requests"
    )
    print(
        f"wrk          {common.WRK_THREADS} threads, {args.connections} connections, "
        f"{args.duration} s after a {common.WARMUP_SECONDS} s warm-up, same machine as the server"
    )
    print(f"commit       {common.git_commit()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=2, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if shutil.which("wrk") is None:
        print("error: wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    server_args = argparse.Namespace(workers=args.workers, worker_class="sync", threads=1)

    with tempfile.TemporaryDirectory(prefix="wikispiral-bench-directory-") as tmp:
        workdir = Path(tmp)
        env = production_env(workdir / "static")
        script = workdir / "summary.lua"
        script.write_text(common.WRK_SUMMARY_SCRIPT)
        log_path = workdir / "gunicorn.log"
        load = os.getloadavg()[0]
        try:
            print(f"Preparing database {DB_NAME}, Redis db 14, static files...", flush=True)
            prepare_schema(env)
            django_setup(env)
            started = time.monotonic()
            sample = load_data(random.Random(SEED))
            seconds_to_load = time.monotonic() - started
            redis_flush()
            group = sample["group"]
            endpoints = [
                Endpoint("/healthz (yardstick)", "/healthz"),
                Endpoint("directory, first page", "/groups/"),
                Endpoint(
                    "directory, filtered",
                    "/groups/?" + urlencode({"country": "FR", "kind": "territory"}),
                ),
                Endpoint(
                    "directory, search (1 in 100)",
                    "/groups/?" + urlencode({"q": sample["rare"]}),
                ),
                Endpoint(
                    "directory, search (nearly all)",
                    "/groups/?" + urlencode({"q": sample["common"]}),
                ),
                Endpoint("group page", f"/cg/{group}/"),
                Endpoint("feed: coordination groups", "/groups/feed.rss"),
                Endpoint("feed: homogeneous groups", "/groups/homogeneous/feed.rss"),
                Endpoint("feed: one group", f"/cg/{group}/feed.rss"),
            ]
            queries = count_queries(endpoints)
            port = common.free_port()
            with common.gunicorn_running(env, port, server_args, log_path):
                base = f"http://{common.HOST}:{port}"
                results = {}
                for endpoint in endpoints:
                    print(f"Measuring {endpoint.label} ({args.duration} s)...", flush=True)
                    results[endpoint.label] = measure(base, endpoint, args, script)
        except (common.SetupError, OSError, psycopg.Error, redis.RedisError) as error:
            print(f"error: {error}", file=sys.stderr)
            if log_path.exists() and log_path.stat().st_size:
                print(f"gunicorn log (last lines):\n{common.tail(log_path)}", file=sys.stderr)
            return 1
    report(endpoints, results, queries, args=args, load=load, seconds_to_load=seconds_to_load)
    return 0


if __name__ == "__main__":
    sys.exit(main())
