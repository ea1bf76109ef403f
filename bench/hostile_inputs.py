"""Hostile uploads: the server time each upload endpoint spends refusing each hostile file,
now and at a baseline commit (before bounded reading), side by side.

For each tree (this working tree, then the baseline checked out with `git worktree` in
/tmp/ws-baseline), a child process sets Django up on a fresh SQLite database, logs in the people
each endpoint needs and posts every hostile file through Django's test client, one after the
other; per request it records the status, the CPU time and the wall time of the process, and
whether anything was saved. A baseline request that runs past --timeout seconds is stopped (the
child is killed and a new one goes on with the next file) and shows as ">60 s". Children run
with their address space capped (--memory-gb), so a bomb cannot take the machine down.

Exit status 0 whatever the figures (a measurement), non-zero when the set-up fails.

    .venv/bin/python bench/hostile_inputs.py [--baseline 7bb1a8b] [--timeout 60] [--no-baseline]
"""

import argparse
import json
import os
import queue
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests import hostile_files  # noqa: E402

BASELINE_DIR = Path("/tmp/ws-baseline")
DEFAULT_BASELINE = "7bb1a8b"
# The zip bomb: a workbook of about 1 MB whose sheet unpacks to 1 GiB.
BOMB_BYTES = 1024**3
MEGABYTE = 1024 * 1024
GOAL_SECONDS = 2.0
SPREADSHEETS = {
    "criteria import": (
        ["group", "question", "text", "date"],
        ["young", "Q1", "Bread for everyone", "2024-05-01"],
    ),
    "grid import": (
        ["family", "family_en", "family_fr", "code", "label_en", "label_fr", "description_en"]
        + ["status"],
        ["A", "Food", "Alimentation", "A01", "Food", "Alimentation", "What we eat", "confirmed"],
    ),
    "geography import": (
        ["continent", "country_code", "country", "region", "locality"],
        ["EU", "FR", "France", "Grand Est", "Mulhouse"],
    ),
}
PICTURES = ("wiki attachment", "group picture")


class SetupError(Exception):
    """The benchmark could not be prepared."""


@dataclass
class Case:
    endpoint: str
    name: str
    filename: str
    path: str
    size: int


# --- The corpus ---------------------------------------------------------------------------------


def corpus_write(directory: Path) -> list[Case]:
    cases = []
    # The same gigabyte as rows only: millions of them, about 4 MB packed.
    dense = hostile_files.zip_bomb_xlsx(
        hostile_files.BOMB_HEADER, hostile_files.BOMB_ROW, BOMB_BYTES, padding=0
    )
    for endpoint, (header, row) in SPREADSHEETS.items():
        corpus = hostile_files.spreadsheet_corpus(header, row, bomb_bytes=BOMB_BYTES)
        corpus = {
            "zip bomb xlsx": corpus.pop("zip bomb xlsx"),
            "dense zip bomb xlsx": hostile_files.Hostile("dense.xlsx", dense, ()),
            **corpus,
        }
        cases += _written(directory, endpoint, corpus)
    # Over both limits (5 MB for a group's picture, 10 MB for an attachment).
    pictures = hostile_files.picture_corpus(10 * MEGABYTE)
    for endpoint in PICTURES:
        cases += _written(directory, endpoint, pictures)
    return cases


def _written(directory: Path, endpoint: str, corpus: dict) -> list[Case]:
    cases = []
    for name, hostile in corpus.items():
        path = directory / f"{len(list(directory.iterdir())):03d}-{hostile.filename}"
        path.write_bytes(hostile.content)
        cases.append(Case(endpoint, name, hostile.filename, str(path), len(hostile.content)))
    return cases


# --- The child: one tree, Django set up, the files posted one by one ----------------------------


def child(tree: Path, manifest: Path, start: int, workdir: Path, memory_gb: float) -> None:
    limit = int(memory_gb * 1024**3)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.chdir(tree)
    sys.path[:] = [str(tree)] + [p for p in sys.path if Path(p).resolve() != ROOT]
    for module in [name for name in sys.modules if name == "tests" or name.startswith("tests.")]:
        del sys.modules[module]
    database = workdir / f"bench-{os.getpid()}.sqlite3"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "wikispiral.settings",
            "DATABASE_URL": f"sqlite:///{database}",
            "MEDIA_ROOT": str(workdir / f"media-{os.getpid()}"),
            "PRIVATE_ROOT": str(workdir / f"private-{os.getpid()}"),
            "DEBUG": "false",
            "SECRET_KEY": "bench-hostile-inputs-not-a-secret-" + "x" * 30,
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "CRITICAL",
            "AXES_ENABLED": "false",
            "SECURE_SSL_REDIRECT": "false",
        }
    )
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL", "CI"):
        os.environ.pop(name, None)
    if tree.resolve() != ROOT:
        # The baseline did not depend on defusedxml; openpyxl uses it whenever it is installed
        # (the venv is shared), so it is switched off to measure the baseline as it was.
        os.environ["OPENPYXL_DEFUSEDXML"] = "False"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings
    from django.core.signals import got_request_exception

    # Production settings without collectstatic: pages name static files without a manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    got_request_exception.connect(_exception_keep)
    endpoints = _endpoints()
    cases = [Case(**item) for item in json.loads(manifest.read_text())]
    print("READY", flush=True)
    for index in range(start, len(cases)):
        case = cases[index]
        print(f"START {index}", flush=True)
        print("RESULT " + json.dumps(_measure(endpoints[case.endpoint], case)), flush=True)


@dataclass
class _Endpoint:
    post: object
    saved: object


def _endpoints() -> dict[str, _Endpoint]:
    from django.test import Client
    from django.urls import reverse

    from criteria.models import Criterion, GridVersion, ImportBatch
    from territories.models import Country, Locality, Region
    from tests.factories import (
        make_coordination_group,
        make_homogeneous_group,
        make_user,
        network_space,
    )
    from wikispiral.tenancy import cross_tenant
    from wikispiral.wiki.models import Attachment

    def client_for(user: object) -> Client:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        return client

    facilitator = make_user(username="bench-facilitator")
    tenant = make_coordination_group(name="Bench hostile", facilitator=facilitator)
    with cross_tenant():
        make_homogeneous_group(tenant=tenant, name="Young", slug="young")
    secretary = make_user(username="bench-secretary", secretariat=True)
    network_space()
    facilitator_client = client_for(facilitator)
    secretary_client = client_for(secretary)
    member_client = client_for(make_user(username="bench-member"))

    def criteria_saved() -> tuple:
        with cross_tenant():
            return ImportBatch.objects.count(), Criterion.objects.count()

    def picture_saved() -> tuple:
        tenant.refresh_from_db()
        return bool(tenant.picture), tenant.name

    import_url = reverse("transfer:import", kwargs={"cg": tenant.slug})
    edit_url = reverse("groups:edit", kwargs={"cg": tenant.slug})
    details = {"name": "Renamed", "level": tenant.level, "languages": ["en"]}
    return {
        "criteria import": _Endpoint(
            lambda file: facilitator_client.post(import_url, {"file": file}), criteria_saved
        ),
        "grid import": _Endpoint(
            lambda file: secretary_client.post(
                reverse("grid:import"), {"file": file, "name": "Grid 2", "notes": ""}
            ),
            lambda: (
                GridVersion.objects.count(),
                "criteria.grid.import" in secretary_client.session,
            ),
        ),
        "geography import": _Endpoint(
            lambda file: secretary_client.post(reverse("secretariat:geography"), {"file": file}),
            lambda: (Country.objects.count(), Region.objects.count(), Locality.objects.count()),
        ),
        "wiki attachment": _Endpoint(
            lambda file: member_client.post(
                reverse("wiki:attachments", kwargs={"space": "network"}), {"file": file}
            ),
            lambda: Attachment.objects.count(),
        ),
        "group picture": _Endpoint(
            lambda file: facilitator_client.post(edit_url, {**details, "picture": file}),
            picture_saved,
        ),
    }


_EXCEPTIONS: list[str] = []


def _exception_keep(sender: object, request: object = None, **kwargs: object) -> None:
    error = sys.exc_info()[1]
    _EXCEPTIONS.append(f"{type(error).__name__}: {str(error)[:80]}")


_ERROR = re.compile(r'class="errorlist[^"]*"[^>]*>(.*?)</(?:ul|div|p)>', re.S)


def _measure(endpoint: _Endpoint, case: Case) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(case.filename, Path(case.path).read_bytes())
    before = endpoint.saved()
    _EXCEPTIONS.clear()
    wall = time.perf_counter()
    cpu = time.process_time()
    try:
        response = endpoint.post(upload)
        status = response.status_code
        body = response.content.decode("utf-8", "replace")
    except MemoryError:
        status, body = 500, ""
        _EXCEPTIONS.append("MemoryError (in the test client)")
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    found = _ERROR.search(body)
    message = re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip() if found else ""
    return {
        "status": status,
        "cpu": cpu,
        "wall": wall,
        "saved": endpoint.saved() != before,
        "message": message[:70],
        "exception": _EXCEPTIONS[0] if _EXCEPTIONS else "",
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# --- The parent: a child per tree, restarted after a timeout ------------------------------------


def _lines(stream: object, into: queue.Queue) -> None:
    for line in stream:
        into.put(line.rstrip("\n"))
    into.put(None)


def run_tree(
    tree: Path, manifest: Path, count: int, workdir: Path, *, timeout: float, memory_gb: float
) -> dict[int, dict]:
    results: dict[int, dict] = {}
    start = 0
    while start < count:
        log = (workdir / f"child-{tree.name}-{start}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, __file__, "--child", str(tree), str(manifest), str(start)]
            + [str(workdir), str(memory_gb)],
            cwd=tree,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            start_new_session=True,
        )
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
        current, deadline = None, time.monotonic() + 300  # set-up: migrate, people
        try:
            while True:
                try:
                    line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
                except queue.Empty:
                    line = ""
                if line is None:
                    break
                if line.startswith("START "):
                    current = int(line.split()[1])
                    deadline = time.monotonic() + timeout
                elif line.startswith("RESULT ") and current is not None:
                    results[current] = json.loads(line[len("RESULT ") :])
                    current, deadline = None, time.monotonic() + timeout
                elif line == "READY":
                    deadline = time.monotonic() + timeout
                elif time.monotonic() >= deadline:
                    if current is None:
                        raise SetupError(f"{tree}: the child stalled; see {log.name}")
                    results[current] = {"timeout": True}
                    break
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            log.close()
        if current is not None and current not in results:
            # The child died (killed by the memory cap, or crashed) during this file.
            results[current] = {"died": process.returncode}
        missing = [index for index in range(start, count) if index not in results]
        if missing and missing[0] == start and current is None:
            raise SetupError(f"{tree}: the child stopped before any file; see {log.name}")
        start = missing[0] if missing else count
    return results


def baseline_tree(commit: str) -> Path:
    if BASELINE_DIR.exists():
        head = subprocess.run(
            ["git", "-C", str(BASELINE_DIR), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        wanted = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", commit], capture_output=True, text=True
        ).stdout.strip()
        if head and head == wanted:
            return BASELINE_DIR
        raise SetupError(f"{BASELINE_DIR} exists but is not {commit}: remove it first")
    result = subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(BASELINE_DIR), commit],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SetupError(f"git worktree add failed:\n{result.stderr}")
    return BASELINE_DIR


# --- Report -------------------------------------------------------------------------------------


def _cell(result: dict | None, timeout: float) -> str:
    if result is None:
        return f"{'—':>6} {'':>7} {'':>7} {'':>5}"
    if result.get("timeout"):
        return f"{'—':>6} {'':>7} {f'>{timeout:.0f} s':>7} {'?':>5}"
    if "died" in result:
        return f"{'died':>6} {'':>7} {'':>7} {'?':>5}"
    saved = "yes" if result["saved"] else "no"
    return f"{result['status']:>6} {result['cpu']:>7.2f} {result['wall']:>7.2f} {saved:>5}"


def _size(size: int) -> str:
    return f"{size / MEGABYTE:.1f} MB" if size >= 100_000 else f"{size} B"


def report(
    cases: list[Case],
    now: dict[int, dict],
    baseline: dict[int, dict] | None,
    *,
    commit: str,
    timeout: float,
    load: tuple[float, float, float],
) -> None:
    head = f"{'status':>6} {'CPU s':>7} {'wall s':>7} {'saved':>5}"
    print()
    print(f"{'endpoint':<17}{'hostile file':<38}{'size':>9}   now: {head}", end="")
    print(f"   {commit}: {head}" if baseline is not None else "")
    for index, case in enumerate(cases):
        line = f"{case.endpoint:<17}{case.name:<38}{_size(case.size):>9}   "
        line += "     " + _cell(now.get(index), timeout)
        if baseline is not None:
            line += "   " + " " * (len(commit) + 2) + _cell(baseline.get(index), timeout)
        print(line)
    notes = [
        (label, cases[index], result["exception"])
        for label, results in (("now", now), (commit, baseline or {}))
        for index, result in sorted(results.items())
        if result.get("exception")
    ]
    if notes:
        print()
        print("server errors:")
        for label, case, exception in notes:
            print(f"  {label:<8}{case.endpoint:<17}{case.name:<38}{exception}")
    measured = [r for r in now.values() if "cpu" in r]
    worst = max(measured, key=lambda r: r["cpu"], default=None)
    refused = sum(1 for r in measured if 400 <= r["status"] < 500 and not r["saved"])
    print()
    print(
        f"now          {refused}/{len(cases)} refused with a 4xx and nothing saved; slowest "
        f"refusal {worst['cpu']:.2f} s CPU, {max(r['wall'] for r in measured):.2f} s wall "
        f"(goal < {GOAL_SECONDS:.0f} s)"
        if worst
        else "now          no figures"
    )
    if baseline is not None:
        errors = sum(1 for r in baseline.values() if r.get("status", 0) >= 500 or "died" in r)
        slow = sum(1 for r in baseline.values() if r.get("timeout"))
        print(
            f"{commit:<13}{errors} server errors (or a child killed), {slow} past {timeout:.0f} s, "
            f"{sum(1 for r in baseline.values() if r.get('saved'))} saved something"
        )
    print()
    print(
        "CPU and wall time are the test client's post() in the child process: the view, plus "
        "the client encoding and Django parsing the multipart body (a few ms for 10 MB)."
    )
    print(
        f"machine      nproc {os.cpu_count()}, load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f} before the run, Python {sys.version.split()[0]}, SQLite"
    )


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        tree, manifest, start, workdir, memory_gb = sys.argv[2:7]
        child(Path(tree), Path(manifest), int(start), Path(workdir), float(memory_gb))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="commit to compare with")
    parser.add_argument("--no-baseline", action="store_true", help="measure this tree only")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    parser.add_argument(
        "--memory-gb", type=float, default=6.0, help="address-space cap of each child"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    load = os.getloadavg()
    print(f"load average before the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="wikispiral-hostile-") as tmp:
            workdir = Path(tmp)
            files = workdir / "files"
            files.mkdir()
            started = time.perf_counter()
            cases = corpus_write(files)
            manifest = workdir / "manifest.json"
            manifest.write_text(json.dumps([case.__dict__ for case in cases]))
            print(
                f"corpus: {len(cases)} files built in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
            now = run_tree(
                ROOT,
                manifest,
                len(cases),
                workdir,
                timeout=args.timeout,
                memory_gb=args.memory_gb,
            )
            baseline = None
            if not args.no_baseline:
                tree = baseline_tree(args.baseline)
                print(f"baseline: {args.baseline} in {tree}", flush=True)
                baseline = run_tree(
                    tree,
                    manifest,
                    len(cases),
                    workdir,
                    timeout=args.timeout,
                    memory_gb=args.memory_gb,
                )
            report(cases, now, baseline, commit=args.baseline, timeout=args.timeout, load=load)
    except SetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
