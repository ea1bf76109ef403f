"""Operations: health check, settings helpers, the production checklist, the Celery worker."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from tests.conftest import CeleryWorker
from wikispiral.celery import app as celery_app
from wikispiral.settings import env_bool, env_int, env_list, env_str


@pytest.mark.django_db
def test_healthz_reports_database_ok(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    if settings.REDIS_URL:
        assert body["checks"]["redis"] == "ok"


@pytest.mark.parametrize("value", ["maybe", "2", "tru", "enabled"])
def test_env_bool_rejects_unknown_values(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("WIKISPIRAL_TEST_FLAG", value)

    with pytest.raises(ImproperlyConfigured, match="WIKISPIRAL_TEST_FLAG"):
        env_bool("WIKISPIRAL_TEST_FLAG", False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("1", True), ("On", True), ("false", False), ("0", False), ("", False)],
)
def test_env_bool_reads_spelled_booleans(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: bool
) -> None:
    monkeypatch.setenv("WIKISPIRAL_TEST_FLAG", value)

    assert env_bool("WIKISPIRAL_TEST_FLAG", not expected) is expected


def test_env_bool_defaults_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WIKISPIRAL_TEST_FLAG", raising=False)

    assert env_bool("WIKISPIRAL_TEST_FLAG", True) is True


def test_env_int_rejects_non_integers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIKISPIRAL_TEST_NUMBER", "ten")

    with pytest.raises(ImproperlyConfigured, match="WIKISPIRAL_TEST_NUMBER"):
        env_int("WIKISPIRAL_TEST_NUMBER", 1)


def test_env_int_reads_integers_and_defaults_when_blank(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIKISPIRAL_TEST_NUMBER", "42")
    assert env_int("WIKISPIRAL_TEST_NUMBER", 1) == 42

    monkeypatch.setenv("WIKISPIRAL_TEST_NUMBER", " ")
    assert env_int("WIKISPIRAL_TEST_NUMBER", 1) == 1


def test_env_str_required_fails_when_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WIKISPIRAL_TEST_SECRET", raising=False)
    monkeypatch.delenv("WIKISPIRAL_TEST_SECRET_FILE", raising=False)

    with pytest.raises(ImproperlyConfigured, match="WIKISPIRAL_TEST_SECRET"):
        env_str("WIKISPIRAL_TEST_SECRET", required=True)


def test_env_str_reads_secret_from_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("s3cret-from-file\n", encoding="utf-8")
    monkeypatch.setenv("WIKISPIRAL_TEST_SECRET", "from-the-variable")
    monkeypatch.setenv("WIKISPIRAL_TEST_SECRET_FILE", str(secret_file))

    assert env_str("WIKISPIRAL_TEST_SECRET", required=True) == "s3cret-from-file"


def test_env_str_fails_when_secret_file_is_unreadable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WIKISPIRAL_TEST_SECRET_FILE", str(tmp_path / "missing"))

    with pytest.raises(ImproperlyConfigured, match="WIKISPIRAL_TEST_SECRET_FILE"):
        env_str("WIKISPIRAL_TEST_SECRET")


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIKISPIRAL_TEST_HOSTS", " a.example.org, ,b.example.org ,")

    assert env_list("WIKISPIRAL_TEST_HOSTS", []) == ["a.example.org", "b.example.org"]


def test_env_example_lists_every_variable_settings_reads() -> None:
    settings_source = (settings.BASE_DIR / "wikispiral" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"""env_[a-z]+\(\s*["']([A-Z0-9_]+)["']""", settings_source))
    example = (settings.BASE_DIR / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^(?:# )?([A-Z0-9_]+)=", example, flags=re.MULTILINE))

    assert read, "no env_* calls found in settings.py"
    assert read - listed == set()


# The deploy check must see the real configuration: nothing silenced, nothing test-only (the
# browser fixture sets DJANGO_ALLOW_ASYNC_UNSAFE in this process).
NOT_IN_PRODUCTION = {
    "SILENCED_SYSTEM_CHECKS",
    "WIKISPIRAL_TESTING",
    "SECRET_KEY_FILE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def _production_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in NOT_IN_PRODUCTION}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="wikispiral.example.org",
        **overrides,
    )
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_deploy_checklist_is_clean_with_production_settings() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "(0 silenced)" in output


def test_production_settings_refuse_to_start_without_secret_key() -> None:
    env = _production_env()
    del env["SECRET_KEY"]

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_celery_worker_answers_ping(celery_worker_process: CeleryWorker) -> None:
    replies = celery_app.control.ping(destination=[celery_worker_process.hostname], timeout=5)

    assert replies == [{celery_worker_process.hostname: {"ok": "pong"}}]
