"""Shared fixtures, and the guards that keep CI honest.

Locally the suite runs on whatever is there: SQLite, inline Celery, no browser. Tests that need a
real service (markers ``postgres``, ``celery_worker``, ``browser``) are then skipped, each with
the reason.

Under ``CI=true`` every service must be real: the session stops at once unless the database is
PostgreSQL, Redis answers and Chromium is installed, and any test that still skips is reported
as a failure. A green CI run therefore means every test ran against the real stack.
"""

import functools
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test import Client
from django.utils import translation
from pytest_django.fixtures import Settings as SettingsFixture
from pytest_django.live_server_helper import LiveServer

from criteria.suggestions import suggestion_model_forget
from tests.factories import make_user
from wikispiral.accounts.models import User

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CI = os.environ.get("CI", "").strip().lower() == "true"

CHROMIUM_PATH = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WORKER_START_TIMEOUT = 60.0


# --- What this machine offers -------------------------------------------------------------------


def _postgres_problem() -> str | None:
    if connection.vendor != "postgresql":
        return (
            f"needs PostgreSQL, the database is {connection.vendor} "
            "(set DATABASE_URL=postgres://..., as `CI=true make test` does)"
        )
    return None


@functools.cache
def _redis_problem() -> str | None:
    import redis

    urls = {
        "REDIS_URL": django_settings.REDIS_URL,
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
    }
    for name, url in urls.items():
        if not url:
            return f"needs Redis, {name} is not set (as `CI=true make test` does)"
        if not url.startswith(("redis://", "rediss://")):
            return f"needs Redis, {name} is {url!r}"
        try:
            with redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2) as client:
                client.ping()
        except redis.RedisError as exc:
            parts = urlsplit(url)  # host and port only: the URL may carry a password
            return (
                f"needs Redis, {name} ({parts.hostname}:{parts.port or 6379}) does not answer "
                f"({exc.__class__.__name__}: {exc})"
            )
    return None


def _worker_problem() -> str | None:
    # The worker runs in another process, so it can only see a test database on a server:
    # SQLite test databases live in memory.
    return _postgres_problem() or _redis_problem()


@functools.cache
def _browser_problem() -> str | None:
    if not os.access(CHROMIUM_PATH, os.X_OK):
        return f"needs Chromium at {CHROMIUM_PATH} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs the playwright package (pip install -e '.[dev]')"
    return None


MARKER_REQUIREMENTS: dict[str, Callable[[], str | None]] = {
    "postgres": _postgres_problem,
    "celery_worker": _worker_problem,
    "browser": _browser_problem,
}


# --- CI guards ----------------------------------------------------------------------------------


def pytest_sessionstart(session: pytest.Session) -> None:
    if not CI:
        return
    problems = [
        problem
        for problem in (_postgres_problem(), _redis_problem(), _browser_problem())
        if problem is not None
    ]
    if problems:
        pytest.exit(
            "CI=true runs every test against the real services, but this machine lacks them:\n"
            + "\n".join(f"  - {problem}" for problem in problems),
            returncode=pytest.ExitCode.TESTS_FAILED,
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for marker_name, problem_of in MARKER_REQUIREMENTS.items():
            if item.get_closest_marker(marker_name) is None:
                continue
            problem = problem_of()
            if problem is not None:
                item.add_marker(pytest.mark.skip(reason=f"{marker_name}: {problem}"))
                break


def _skip_reason(longrepr: object) -> str:
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    # An expected failure (xfail) also reports as skipped; it is not a skip.
    if CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = (
            f"skipped under CI=true, where every test must run: {_skip_reason(report.longrepr)}"
        )
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    # A module-level skip (pytest.importorskip, skip(allow_module_level=True)) hides many tests.
    if CI and report.skipped:
        report.outcome = "failed"
        report.longrepr = (
            f"module skipped under CI=true, where every test must run: "
            f"{_skip_reason(report.longrepr)}"
        )
    return report


# --- Every test ---------------------------------------------------------------------------------


def _clear_cache(cache: BaseCache) -> None:
    if isinstance(cache, RedisCache):
        # cache.clear() would FLUSHDB, and the Celery broker shares that Redis database:
        # delete only the keys this cache wrote (Django's key format is "<prefix>:<version>:<key>").
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _test_settings(settings: SettingsFixture, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Fast password hashing and empty caches; AXES_ENABLED stays as configured (on).

    pytest-django already routes mail to the locmem backend (``mailoutbox``).
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A request in another language leaves it active in this thread (LocaleMiddleware does not
    # put it back): every test starts in the site's default language.
    translation.activate(settings.LANGUAGE_CODE)
    # Private files (uploads waiting for import, built exports) never land in the checkout.
    settings.PRIVATE_ROOT = tmp_path_factory.mktemp("private")
    for cache in caches.all():
        _clear_cache(cache)
    # The suggestion model lives in process memory: no test sees one trained by another.
    suggestion_model_forget()


def _uses_transactional_db(request: pytest.FixtureRequest) -> bool:
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        return True
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return False
    return bool(marker.kwargs.get("transaction", marker.args[0] if marker.args else False))


@pytest.fixture(autouse=True)
def _celery_mode(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tasks run inline, except in tests that use the real worker.

    Under CI the broker is configured, so without this tasks enqueued by ordinary tests would sit
    in Redis: inline execution keeps every run, local or CI, behaving the same.
    """
    from wikispiral.celery import app as celery_app

    wants_worker = (
        request.node.get_closest_marker("celery_worker") is not None
        or "celery_worker_process" in request.fixturenames
    )
    if wants_worker:
        if not _uses_transactional_db(request):
            pytest.fail(
                "a celery_worker test must use @pytest.mark.django_db(transaction=True): the "
                "worker is another process and only sees committed rows",
                pytrace=False,
            )
        request.getfixturevalue("celery_worker_process")
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = not wants_worker
    yield
    celery_app.conf.task_always_eager = previous


# --- Users and clients --------------------------------------------------------------------------
# pytest-django provides admin_user and admin_client (a superuser named "admin").


@pytest.fixture
def user(db: None) -> User:
    return make_user()


@pytest.fixture
def other_user(db: None) -> User:
    return make_user()


@pytest.fixture
def secretariat_user(db: None) -> User:
    return make_user(secretariat=True)


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    """Return a function that gives a fresh client logged in as the given user."""

    def _client_for(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _client_for


@pytest.fixture
def editor_client(user: User, client_for: Callable[[User], Client]) -> Client:
    """A client logged in as ``user``, whose email address is confirmed."""
    return client_for(user)


# --- A real Celery worker -----------------------------------------------------------------------


@dataclass(frozen=True)
class CeleryWorker:
    hostname: str
    log_path: Path
    process: subprocess.Popen[bytes]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _test_database_url(test_database_name: str) -> str:
    from wikispiral.settings import env_str

    configured = env_str("DATABASE_URL")
    if not configured:
        raise RuntimeError("DATABASE_URL is not set but the database is PostgreSQL")
    return urlsplit(configured)._replace(path="/" + quote(test_database_name)).geturl()


def _worker_env() -> dict[str, str]:
    env = {
        **os.environ,
        # django_db_setup has renamed the database to the test one (test_<name>).
        "DATABASE_URL": _test_database_url(connection.settings_dict["NAME"]),
        # Idle connections held between tasks would block the flush after each test.
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": django_settings.REDIS_URL,
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": django_settings.CELERY_RESULT_BACKEND,
        "DJANGO_SETTINGS_MODULE": "wikispiral.settings",
        "WIKISPIRAL_TESTING": "true",
    }
    for inherited in ("DATABASE_URL_FILE", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(inherited, None)
    return env


def _worker_start(env: dict[str, str], log_path: Path, queue: str) -> CeleryWorker:
    """Start a solo worker consuming queue; fail the test unless it answers ping in time."""
    from wikispiral.celery import app as celery_app

    hostname = f"pytest-{os.getpid()}-{uuid.uuid4().hex[:8]}@wikispiral-tests"
    with log_path.open("wb") as log_file:
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
                queue,
                "--loglevel=INFO",
                "--hostname",
                hostname,
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
            ],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    worker = CeleryWorker(hostname=hostname, log_path=log_path, process=process)
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while not celery_app.control.ping(destination=[hostname], timeout=1.0):
        if process.poll() is not None:
            pytest.fail(
                f"the Celery worker exited with code {process.returncode}:\n{worker.log()}",
                pytrace=False,
            )
        if time.monotonic() > deadline:
            _worker_stop(worker)
            pytest.fail(
                f"the Celery worker did not answer ping within {WORKER_START_TIMEOUT:.0f}s:\n"
                f"{worker.log()}",
                pytrace=False,
            )
    return worker


def _worker_stop(worker: CeleryWorker) -> None:
    if worker.process.poll() is not None:
        return
    worker.process.terminate()
    try:
        worker.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.process.kill()
        worker.process.wait()


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup: None,
    django_db_blocker: object,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[CeleryWorker]:
    """A real ``celery worker`` subprocess on the test database and the test Redis.

    Tests that use it (mark them ``celery_worker``) must be
    ``@pytest.mark.django_db(transaction=True)`` so the worker sees their rows.
    """
    from wikispiral.celery import app as celery_app

    problem = _worker_problem()
    if problem is not None:
        pytest.skip(problem)
    # Messages left by an interrupted run would reach this worker and act on rows that are gone.
    celery_app.control.purge()
    worker = _worker_start(
        _worker_env(), tmp_path_factory.mktemp("celery") / "worker.log", "celery"
    )
    try:
        yield worker
    finally:
        _worker_stop(worker)


@pytest.fixture
def private_workers(
    celery_worker_process: CeleryWorker, tmp_path: Path
) -> Iterator[Callable[..., CeleryWorker]]:
    """Start workers of this test's own, on a queue nobody else reads (also their default
    queue, so what they enqueue stays theirs): ``start(**env) -> CeleryWorker``. A test may
    kill them; whatever is left is stopped at the end. The queue is ``start.queue``."""
    queue = f"private-{uuid.uuid4().hex[:8]}"
    started: list[CeleryWorker] = []

    def start(**extra_env: str) -> CeleryWorker:
        env = {**_worker_env(), "CELERY_TASK_DEFAULT_QUEUE": queue, **extra_env}
        worker = _worker_start(env, tmp_path / f"worker-{len(started)}.log", queue)
        started.append(worker)
        return worker

    start.queue = queue
    try:
        yield start
    finally:
        for worker in started:
            _worker_stop(worker)


# --- A real browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator["Browser"]:
    """Debian's Chromium driven by Playwright (we never download Playwright's own browsers)."""
    problem = _browser_problem()
    if problem is not None:
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread, so Django's guard against
    # calling the ORM from async code would trip on every query the test makes.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM_PATH), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: "Browser", live_server: LiveServer) -> Iterator["Page"]:
    """A fresh browser context per test; relative URLs go to the live server."""
    from tests.browser.helpers import browser_page

    with browser_page(browser, live_server.url) as new_page:
        yield new_page


@pytest.fixture
def browser_login(page: "Page", live_server: LiveServer) -> Callable[[User], None]:
    """Return a function that logs ``page`` in as a user, without going through the form."""

    def _browser_login(user: User) -> None:
        client = Client()
        client.force_login(user)
        session_cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": session_cookie.value,
                    "url": live_server.url,
                }
            ]
        )

    return _browser_login
