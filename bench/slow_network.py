"""Pages on a slow network, as a phone in a village sees them (issue 16).

Builds the demo site in a fresh PostgreSQL database, serves it with gunicorn and production
settings (DEBUG off, WhiteNoise's far-future caching of static files, compression), and drives
Debian's Chromium through Playwright at phone size (390 x 844) with a throttled profile:
about 400 kbit/s down and up, 400 ms of latency (Chrome DevTools' network emulation).

For the home page, a coordination group's page, the criteria entry page (as the demo
facilitator) and the network's synthesis page it reports, for a first view (empty browser
cache) and a second view (the same browser, cache kept):

    - bytes transferred (everything the page loaded, as counted by Chromium on the wire),
    - the HTML's size before and after compression,
    - the time from the start of the navigation until the main content is visible (Chromium's
      largest contentful paint: the biggest block of the page drawn with its styles), and
      until the load event.

Goals: first view under 3 s, second under 1.5 s; HTML under 40 KB before compression.
Exit status 0 whatever the figures (a measurement), non-zero when the set-up fails.

    .venv/bin/python bench/slow_network.py [--down-kbit 400] [--latency-ms 400] [--workers 2]
"""

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import page_views as common  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 390, "height": 844}
FIRST_VIEW_GOAL_S = 3.0
SECOND_VIEW_GOAL_S = 1.5
HTML_GOAL_BYTES = 40 * 1024
FACILITATOR = ("facilitator", "demo-facilitator-2026")
MAIN_CONTENT = "main h1"
# The Makefile's `run` target, in order.
SEED_COMMANDS = [
    ["migrate", "--noinput", "-v0"],
    ["import_geography"],
    ["seed_demo", "--force", "--quiet"],
    ["seed_territories"],
    ["generate_demo_data", "--criteria", "600", "--force"],
    ["seed_projects"],
]


@dataclass
class View:
    seconds_to_content: float
    seconds_to_load: float
    bytes_on_wire: int
    requests: int


@dataclass
class PageResult:
    name: str
    path: str
    html_bytes: int
    html_gzip_bytes: int
    first: View
    second: View


def prepare_site(env: dict[str, str]) -> None:
    """The demo site as `make run` builds it (same commands), tasks run inline while seeding."""
    common.database_recreate()
    common.redis_flush()
    manage = [sys.executable, "manage.py"]
    common.run_checked([*manage, "collectstatic", "--noinput", "-v0"], env, "collectstatic")
    inline = {name: value for name, value in env.items() if name != "REDIS_URL"}
    for command in SEED_COMMANDS:
        common.run_checked([*manage, *command], inline, " ".join(command))
    common.redis_flush()


def demo_paths() -> dict[str, str]:
    """The facilitator's first coordination group with criteria, and one of its groups."""
    with psycopg.connect(common.PG_DSN.format(dbname=common.DB_NAME)) as conn:
        row = conn.execute(
            """
            SELECT cg.slug, hg.slug FROM territories_membership m
            JOIN accounts_user u ON u.id = m.user_id
            JOIN territories_coordinationgroup cg ON cg.id = m.tenant_id
            JOIN territories_homogeneousgroup hg ON hg.tenant_id = cg.id
            WHERE u.username = %s AND m.role = 'facilitator'
            ORDER BY (SELECT count(*) FROM criteria_criterion c WHERE c.group_id = hg.id)
                DESC, cg.slug, hg.slug
            LIMIT 1
            """,
            [FACILITATOR[0]],
        ).fetchone()
    if row is None:
        raise common.SetupError("The demo facilitator has no coordination group with groups")
    cg, hg = row
    return {
        "home": "/",
        "group page": f"/cg/{cg}/",
        "entry page": f"/cg/{cg}/groups/{hg}/criteria/",
        "synthesis": "/syntheses/network/",
    }


def html_sizes(port: int, path: str, cookie: str) -> tuple[int, int]:
    headers = {"Cookie": cookie} if cookie else {}
    plain = common.http_request(port, path, headers=headers)
    gzipped = common.http_request(port, path, headers={**headers, "Accept-Encoding": "gzip"})
    if plain.status != 200:
        raise common.SetupError(f"GET {path} answered {plain.status}")
    compressed = len(gzipped.body) if gzipped.headers.get("Content-Encoding") == "gzip" else 0
    return len(plain.body), compressed


# Paint timings of the navigation, in seconds from its start: the first contentful paint and the
# largest contentful paint (the main content drawn with its styles), as Chromium records them.
PAINTS_JS = """() => new Promise((resolve) => {
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    const done = (lcp) => resolve([fcp ? fcp.startTime / 1000 : null, lcp]);
    new PerformanceObserver((list) => {
        const entries = list.getEntries();
        done(entries[entries.length - 1].startTime / 1000);
    }).observe({type: "largest-contentful-paint", buffered: true});
    setTimeout(() => done(null), 2000);
})"""


def measure_view(page, client, url: str) -> View:  # noqa: ANN001 (Playwright objects)
    sizes: dict[str, int] = {}

    def finished(event: dict) -> None:
        sizes[event["requestId"]] = int(event.get("encodedDataLength", 0))

    client.on("Network.loadingFinished", finished)
    started = time.monotonic()
    page.goto(url, wait_until="commit")
    page.wait_for_selector(MAIN_CONTENT, state="visible")
    page.wait_for_load_state("load")
    to_load = time.monotonic() - started
    first_paint, largest_paint = page.evaluate(PAINTS_JS)
    # Late events of the same navigation (favicon, cached assets) land within a few ms.
    page.wait_for_timeout(300)
    client.remove_listener("Network.loadingFinished", finished)
    if largest_paint is None:
        raise common.SetupError(f"Chromium recorded no largest contentful paint for {url}")
    del first_paint
    return View(largest_paint, to_load, sum(sizes.values()), len(sizes))


def log_in(page, base: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", FACILITATOR[0])
    page.fill("input[name=password]", FACILITATOR[1])
    page.click("main form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("load")


def run_browser(port: int, paths: dict[str, str], options: argparse.Namespace) -> list[dict]:
    from playwright.sync_api import sync_playwright

    base = f"http://{common.HOST}:{port}"
    conditions = {
        "offline": False,
        "latency": options.latency_ms,
        "downloadThroughput": options.down_kbit * 1000 / 8,
        "uploadThroughput": options.up_kbit * 1000 / 8,
    }
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            for name, path in paths.items():
                context = browser.new_context(viewport=VIEWPORT, is_mobile=True, has_touch=True)
                page = context.new_page()
                client = context.new_cdp_session(page)
                client.send("Network.enable")
                if name == "entry page":
                    log_in(page, base)
                client.send("Network.clearBrowserCache")
                client.send("Network.emulateNetworkConditions", conditions)
                first = measure_view(page, client, base + path)
                # The second view: a link followed back to the same page, cache kept.
                second = measure_view(page, client, base + path)
                cookies = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
                results.append({"name": name, "path": path, "first": first, "second": second})
                results[-1]["cookie"] = cookies if name == "entry page" else ""
                context.close()
        finally:
            browser.close()
    return results


def verdict(value: float, goal: float) -> str:
    return "meets" if value <= goal else "MISSES"


def report(results: list[PageResult], options: argparse.Namespace, load: tuple) -> None:
    print(f"commit {common.git_commit()}  load before the run {load[0]:.2f} {load[1]:.2f}")
    print(
        f"profile: {options.down_kbit} kbit/s down, {options.up_kbit} kbit/s up, "
        f"{options.latency_ms} ms latency; viewport {VIEWPORT['width']}x{VIEWPORT['height']}"
    )
    header = (
        f"{'page':<12} {'HTML':>8} {'gzip':>7}  {'1st: KB':>8} {'req':>4} {'content':>8} "
        f"{'load':>6}  {'2nd: KB':>8} {'req':>4} {'content':>8} {'load':>6}"
    )
    print(header)
    for r in results:
        print(
            f"{r.name:<12} {r.html_bytes / 1024:>6.1f}KB {r.html_gzip_bytes / 1024:>5.1f}KB  "
            f"{r.first.bytes_on_wire / 1024:>8.1f} {r.first.requests:>4} "
            f"{r.first.seconds_to_content:>7.2f}s {r.first.seconds_to_load:>5.2f}s  "
            f"{r.second.bytes_on_wire / 1024:>8.1f} {r.second.requests:>4} "
            f"{r.second.seconds_to_content:>7.2f}s {r.second.seconds_to_load:>5.2f}s"
        )
    print()
    for r in results:
        print(
            f"{r.name}: first view {r.first.seconds_to_content:.2f} s "
            f"({verdict(r.first.seconds_to_content, FIRST_VIEW_GOAL_S)} {FIRST_VIEW_GOAL_S} s), "
            f"second {r.second.seconds_to_content:.2f} s "
            f"({verdict(r.second.seconds_to_content, SECOND_VIEW_GOAL_S)} {SECOND_VIEW_GOAL_S} s), "
            f"HTML {r.html_bytes / 1024:.1f} KB "
            f"({verdict(r.html_bytes, HTML_GOAL_BYTES)} 40 KB)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--down-kbit", type=int, default=400)
    parser.add_argument("--up-kbit", type=int, default=400)
    parser.add_argument("--latency-ms", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    options.worker_class, options.threads = "sync", 1
    load = os.getloadavg()
    try:
        with tempfile.TemporaryDirectory(prefix="wikispiral-slow-") as tmp:
            env = common.production_env(Path(tmp) / "static")
            prepare_site(env)
            paths = demo_paths()
            port = common.free_port()
            with common.gunicorn_running(env, port, options, Path(tmp) / "gunicorn.log"):
                browsed = run_browser(port, paths, options)
                results = []
                for item in browsed:
                    html, gz = html_sizes(port, item["path"], item["cookie"])
                    first, second = item["first"], item["second"]
                    results.append(PageResult(item["name"], item["path"], html, gz, first, second))
    except common.SetupError as error:
        print(f"set-up failed: {error}", file=sys.stderr)
        return 1
    report(results, options, load)
    return 0


if __name__ == "__main__":
    sys.exit(main())
