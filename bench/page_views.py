"""Page-view throughput: a typical wiki page, anonymous and logged in, against a bare endpoint.

Builds a fresh PostgreSQL database with the demo content, runs gunicorn with production settings
(DEBUG off, Redis cache) and drives it with wrk, all in one server run:

    (a) anonymous GET of a typical page   (served from the anonymous page cache)
    (b) the same page for a logged-in editor  (rendered on every request)
    (c) /livez, which answers a few bytes without touching the database

The bare endpoint is the yardstick: (a) and (b) are reported as a ratio of its requests/second,
so the goals hold on any machine. Exit status 0 whatever the figures (it is a measurement),
non-zero when the set-up fails.

    .venv/bin/python bench/page_views.py [--duration 15] [--connections 16] [--workers 4]
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname={dbname}"
DB_NAME = "wikispiral_bench"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
# A Redis database of its own, so flushing it never touches a developer's or the tests' data.
REDIS_URL = "redis://127.0.0.1:6379/12"

NETWORK_SPACE = "network"
TYPICAL_PAGE_TITLE = "What is SPIRAL?"
EDITOR_USERNAME = "citizen"
EDITOR_PASSWORD = "demo-citizen-2026"  # noqa: S105 - a published demo account
LOGOUT_FORM_ACTION = 'action="/accounts/logout/"'

WRK_THREADS = 2
WARMUP_SECONDS = 3
P99_GOAL_MS = 50.0
RATIO_GOALS = {"anonymous": 0.70, "editor": 0.35}

# Only done() is defined: wrk then skips per-response Lua work, so the hook costs nothing, and
# gives the exact request and byte counts used to prove every response was the full page.
WRK_SUMMARY_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH-SUMMARY requests=%d bytes=%d\\n", summary.requests, summary.bytes))
end
"""


class SetupError(Exception):
    """The benchmark could not be prepared or a response was not what the page should be."""


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    bytes_read: int
    non_2xx_3xx: int
    socket_errors: str


@dataclass(frozen=True)
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def production_env(static_root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "wikispiral.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": REDIS_URL,
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
            "AXES_ENABLED": "true",
            "STATIC_ROOT": str(static_root),
            "PYTHONUNBUFFERED": "1",
        }
    )
    # Leftovers from a developer's shell would point the site at other services or at the
    # test suite's static storage.
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "WIKISPIRAL_TESTING"):
        env.pop(name, None)
    return env


def run_checked(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SetupError(
            f"{what} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
        )


def database_recreate() -> None:
    with psycopg.connect(PG_DSN.format(dbname="postgres"), autocommit=True) as conn:
        # FORCE ends connections a previous, interrupted run may have left open.
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def redis_flush() -> None:
    redis.Redis.from_url(REDIS_URL, socket_timeout=5).flushdb()


def prepare_site(env: dict[str, str]) -> None:
    database_recreate()
    redis_flush()
    manage = [sys.executable, "manage.py"]
    run_checked([*manage, "collectstatic", "--noinput", "--verbosity", "0"], env, "collectstatic")
    run_checked([*manage, "migrate", "--noinput", "--verbosity", "0"], env, "migrate")
    run_checked([*manage, "seed_demo", "--force", "--quiet"], env, "seed_demo")
    # The seed wrote through the cache; start the measurement from an empty one all the same.
    redis_flush()


def typical_page_path() -> str:
    with psycopg.connect(PG_DSN.format(dbname=DB_NAME)) as conn:
        rows = conn.execute(
            """
            SELECT p.slug, p.title FROM wiki_page p JOIN wiki_space s ON s.id = p.space_id
            WHERE s.slug = %s AND p.language = 'en' AND NOT p.is_deleted
            ORDER BY p.title
            """,
            [NETWORK_SPACE],
        ).fetchall()
    for slug, title in rows:
        if title == TYPICAL_PAGE_TITLE:
            return f"/wiki/{NETWORK_SPACE}/en/{slug}/"
    titles = ", ".join(repr(title) for _, title in rows) or "none"
    raise SetupError(f"No English page titled {TYPICAL_PAGE_TITLE!r}; seeded pages: {titles}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def http_request(
    port: int,
    path: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> Response:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        raw = conn.getresponse()
        return Response(raw.status, raw.headers, raw.read())
    finally:
        conn.close()


@contextmanager
def gunicorn_running(
    env: dict[str, str], port: int, options: argparse.Namespace, log_path: Path
) -> Iterator[int]:
    """Run gunicorn until the block ends; yield the master's process id."""
    command = [
        str(VENV_BIN / "gunicorn"),
        "wikispiral.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(options.workers),
        "--worker-class",
        options.worker_class,
        "--threads",
        str(options.threads),
        "--log-level",
        "warning",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SetupError(f"gunicorn exited with {process.returncode}:\n{tail(log_path)}")
            try:
                if http_request(port, "/healthz").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SetupError(f"/healthz did not answer 200 within 60 s:\n{tail(log_path)}")
            time.sleep(0.2)
        yield process.pid
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def process_tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (the gunicorn workers)."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(child) for child in children.read_text().split()]
    ticks = 0
    for one in pids:
        try:
            # Fields after the command name, which may hold spaces, closed by the last ")".
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def cookies_from(response: Response, jar: dict[str, str]) -> None:
    # Not http.cookiejar: with DEBUG off the cookies are marked Secure, and a jar would rightly
    # refuse to send them back over the plain http this benchmark uses.
    for header in response.headers.get_all("Set-Cookie") or []:
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            jar[name] = morsel.value


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def editor_cookie(port: int) -> str:
    """Log the editor in through the real form; return the Cookie header of the session."""
    jar: dict[str, str] = {}
    form_page = http_request(port, "/accounts/login/")
    if form_page.status != 200:
        raise SetupError(f"GET /accounts/login/ answered {form_page.status}")
    cookies_from(form_page, jar)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form_page.body)
    if token is None or "csrftoken" not in jar:
        raise SetupError("The login page carries no CSRF token or cookie")
    origin = f"http://{HOST}:{port}"
    fields = {
        "csrfmiddlewaretoken": token.group(1).decode(),
        "username": EDITOR_USERNAME,
        "password": EDITOR_PASSWORD,
    }
    logged_in = http_request(
        port,
        "/accounts/login/",
        method="POST",
        body=urlencode(fields).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie_header(jar),
            "Referer": f"{origin}/accounts/login/",
            "Origin": origin,
        },
    )
    cookies_from(logged_in, jar)
    if logged_in.status != 302 or "sessionid" not in jar:
        raise SetupError(
            f"Logging in as {EDITOR_USERNAME!r} answered {logged_in.status} without a session"
        )
    return cookie_header({name: jar[name] for name in ("sessionid", "csrftoken")})


def check_responses(port: int, page: str, cookie: str) -> dict[str, int]:
    """Prove each endpoint answers what it should; return each one's full response size."""
    sizes: dict[str, int] = {}
    first = http_request(port, page)  # warms the rendered-markup and anonymous caches
    second = http_request(port, page)
    for attempt in (first, second):
        if attempt.status != 200:
            raise SetupError(f"Anonymous GET {page} answered {attempt.status}")
    if second.headers.get("X-Page-Cache") != "hit":
        raise SetupError(f"The 2nd anonymous GET {page} was not served from the page cache")
    if LOGOUT_FORM_ACTION.encode() in second.body:
        raise SetupError("The anonymous page shows a Log out button")
    sizes["anonymous"] = response_size(second)

    editor = http_request(port, page, headers={"Cookie": cookie})
    if editor.status != 200:
        raise SetupError(f"Logged-in GET {page} answered {editor.status}")
    if LOGOUT_FORM_ACTION.encode() not in editor.body:
        raise SetupError("The logged-in page shows no Log out button: the session did not hold")
    if editor.headers.get("X-Page-Cache"):
        raise SetupError("The logged-in page came from the anonymous page cache")
    sizes["editor"] = response_size(editor)

    bare = http_request(port, "/livez")
    if bare.status != 200:
        raise SetupError(f"GET /livez answered {bare.status}")
    sizes["bare"] = response_size(bare)
    return sizes


def response_size(response: Response) -> int:
    # What wrk counts as bytes read: status line, headers, blank line, body.
    head = f"HTTP/1.1 {response.status} {http.client.responses[response.status]}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in response.headers.items()) + "\r\n"
    return len(head.encode("latin-1")) + len(response.body)


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_LATENCY_RE = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)


def wrk_parse(output: str) -> WrkResult:
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    percentiles = {
        int(p): float(value) * _UNIT_MS[unit] for p, value, unit in _LATENCY_RE.findall(output)
    }
    summary = re.search(r"BENCH-SUMMARY requests=(\d+) bytes=(\d+)", output)
    if rps is None or set(percentiles) != {50, 99} or summary is None:
        raise SetupError(f"Cannot read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:\s+(.+)$", output, re.MULTILINE)
    return WrkResult(
        requests_per_second=float(rps.group(1)),
        p50_ms=percentiles[50],
        p99_ms=percentiles[99],
        requests=int(summary.group(1)),
        bytes_read=int(summary.group(2)),
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=socket_errors.group(1).strip() if socket_errors else "",
    )


def wrk_run(
    url: str, *, seconds: int, connections: int, script: Path, headers: dict[str, str]
) -> WrkResult:
    args = [
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(script),
    ]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    result = subprocess.run([*args, url], capture_output=True, text=True)
    if result.returncode != 0:
        raise SetupError(f"wrk failed (exit {result.returncode}): {result.stderr}")
    return wrk_parse(result.stdout)


def measure(
    url: str,
    *,
    duration: int,
    connections: int,
    script: Path,
    headers: dict[str, str],
    expected_size: int,
    strict: bool,
    label: str,
    server_pid: int,
) -> tuple[WrkResult, float]:
    """wrk's figures and the server's CPU milliseconds per request over the measured run."""
    wrk_run(url, seconds=WARMUP_SECONDS, connections=connections, script=script, headers=headers)
    cpu_before = process_tree_cpu_seconds(server_pid)
    result = wrk_run(url, seconds=duration, connections=connections, script=script, headers=headers)
    cpu_ms = (process_tree_cpu_seconds(server_pid) - cpu_before) * 1000 / max(result.requests, 1)
    if strict:
        if result.non_2xx_3xx or result.socket_errors:
            raise SetupError(
                f"{label}: {result.non_2xx_3xx} error responses, socket errors: "
                f"{result.socket_errors or 'none'}"
            )
        # wrk counts only 4xx/5xx as errors; a redirect or an error page would also change
        # the mean response size, so that catches any response that was not the 200 page.
        mean_size = result.bytes_read / max(result.requests, 1)
        if abs(mean_size - expected_size) > 0.02 * expected_size:
            raise SetupError(
                f"{label}: responses average {mean_size:.0f} bytes, the page is {expected_size}: "
                "some requests were not answered with the page"
            )
    return result, cpu_ms


def git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "(no commit)"
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return f"{commit}{' + uncommitted changes' if dirty else ''}"


def verdict(result: WrkResult, ratio: float, ratio_goal: float | None) -> str:
    misses = []
    if ratio_goal is not None and ratio < ratio_goal:
        misses.append("ratio")
    if result.p99_ms >= P99_GOAL_MS:
        misses.append("p99")
    return "PASS" if not misses else f"FAIL ({', '.join(misses)})"


def report(
    results: dict[str, WrkResult],
    server_cpu_ms: dict[str, float],
    *,
    page: str,
    args: argparse.Namespace,
    load: float,
) -> None:
    bare = results["bare"].requests_per_second
    rows = [
        ("(a) anonymous page", "anonymous"),
        ("(b) logged-in editor page", "editor"),
        ("(c) bare endpoint", "bare"),
    ]
    print()
    print(
        f"{'endpoint':<28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}   {'ratio to bare':<15}"
        f"{'goal':<26}result"
    )
    for label, key in rows:
        result = results[key]
        ratio = result.requests_per_second / bare if bare else 0.0
        ratio_goal = RATIO_GOALS.get(key)
        goal = f"p99 < {P99_GOAL_MS:.0f} ms"
        if ratio_goal is not None:
            goal = f">= {ratio_goal:.2f}, {goal}"
        print(
            f"{label:<28}{result.requests_per_second:>9.0f}{result.p50_ms:>9.2f}"
            f"{result.p99_ms:>9.2f}   {ratio:<15.2f}{goal:<26}{verdict(result, ratio, ratio_goal)}"
        )
    gunicorn_version = subprocess.run(
        [str(VENV_BIN / "gunicorn"), "--version"], capture_output=True, text=True
    ).stdout.strip()
    cpu = ", ".join(f"{label[:3]} {server_cpu_ms[key]:.2f} ms" for label, key in rows)
    print()
    # What the ratios stand for, and less swayed by other work on the machine than req/s.
    print(f"server CPU   {cpu} per request (gunicorn master + workers)")
    print(
        f"page         {page} (anonymous: shared page cache;"
        " editor: per-reader page copy, user from cache)"
    )
    print(
        f"machine      nproc {os.cpu_count()}, load average {load:.2f} before the run, "
        f"Python {sys.version.split()[0]}, {gunicorn_version}"
    )
    print(
        f"gunicorn     {args.workers} workers, {args.worker_class} worker class, "
        f"{args.threads} thread(s) each, DEBUG=false, "
        "PostgreSQL + Redis cache"
    )
    print(
        f"wrk          {WRK_THREADS} threads, {args.connections} connections, "
        f"{args.duration} s after a {WARMUP_SECONDS} s warm-up, same machine as the server"
    )
    print(f"commit       {git_commit()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--worker-class", default="sync", help="gunicorn worker class (sync, gthread, ...)"
    )
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    args = parser.parse_args()
    # A SIGTERM becomes SystemExit, so the finally blocks still stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if shutil.which("wrk") is None:
        print("error: wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="wikispiral-bench-") as tmp:
        workdir = Path(tmp)
        env = production_env(workdir / "static")
        script = workdir / "summary.lua"
        script.write_text(WRK_SUMMARY_SCRIPT)
        log_path = workdir / "gunicorn.log"
        # Other work on the machine shares its CPUs with the server: worth knowing.
        load = os.getloadavg()[0]
        try:
            print("Preparing database wikispiral_bench, Redis db 12, static files...", flush=True)
            prepare_site(env)
            page = typical_page_path()
            port = free_port()
            with gunicorn_running(env, port, args, log_path) as server_pid:
                cookie = editor_cookie(port)
                sizes = check_responses(port, page, cookie)
                base = f"http://{HOST}:{port}"
                runs = {
                    "anonymous": (page, {}),
                    "editor": (page, {"Cookie": cookie}),
                    "bare": ("/livez", {}),
                }
                results: dict[str, WrkResult] = {}
                server_cpu_ms: dict[str, float] = {}
                for key, (path, headers) in runs.items():
                    print(f"Measuring {key}: {path} ({args.duration} s)...", flush=True)
                    results[key], server_cpu_ms[key] = measure(
                        base + path,
                        duration=args.duration,
                        connections=args.connections,
                        script=script,
                        headers=headers,
                        expected_size=sizes[key],
                        strict=key != "bare",
                        label=key,
                        server_pid=server_pid,
                    )
                # A session that expired or an error page mid-run would have shown up above;
                # this confirms the editor was still logged in at the end.
                check_responses(port, page, cookie)
        except (SetupError, OSError, psycopg.Error, redis.RedisError) as error:
            print(f"error: {error}", file=sys.stderr)
            if log_path.exists() and log_path.stat().st_size:
                print(f"gunicorn log (last lines):\n{tail(log_path)}", file=sys.stderr)
            return 1
    report(results, server_cpu_ms, page=page, args=args, load=load)
    return 0


if __name__ == "__main__":
    sys.exit(main())
