"""The time of `CI=true make test` (issue 14: "the time of make test must not grow"), in the
working tree and at a baseline commit, one after the other in the same run.

Each tree gets its own .venv (the baseline in a temporary git worktree, removed at the end);
installing and compiling translations happen before the clock starts. The suite runs on the
real services, as CI does (PostgreSQL, Redis, Celery workers, Chromium), on a database of its
own. Printed per tree: the load average before the run, wall time, CPU time of the processes
the suite waited for (user + system), the tests that passed, failed and were skipped, and the
wall time per test. The suites differ (a later tree has more tests), so compare per test too.

    .venv/bin/python bench/suite_time.py [--baseline 3e4d734] [--only head|baseline]
"""

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/wikispiral_suitebench"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _count(pattern: str, text: str) -> int:
    found = re.findall(rf"(\d+) {pattern}", text)
    return int(found[-1]) if found else 0


def measure(tree: Path, label: str) -> dict[str, float | str]:
    env = {**os.environ, "CI": "true", "DATABASE_URL": DATABASE_URL}
    subprocess.run(
        ["make", "install", "messages"], cwd=tree, env=env, check=True, capture_output=True
    )
    load = os.getloadavg()
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(["make", "test"], cwd=tree, env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - start, _children_cpu() - cpu
    log = Path(tempfile.gettempdir()) / f"suite_time-{label}.log"
    log.write_text(done.stdout + done.stderr)
    summary = [line for line in done.stdout.splitlines() if re.search(r" in [\d.]+s", line)]
    passed = _count("passed", summary[-1] if summary else "")
    return {
        "label": label,
        "exit": str(done.returncode),
        "load": " ".join(f"{value:.2f}" for value in load),
        "wall": wall,
        "cpu": cpu,
        "passed": passed,
        "failed": _count("failed", summary[-1] if summary else ""),
        "skipped": _count("skipped", summary[-1] if summary else ""),
        "per_test_ms": 1000 * wall / passed if passed else float("nan"),
        "log": str(log),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="3e4d734", help="commit to compare with")
    parser.add_argument("--only", choices=["head", "baseline"], help="measure one tree only")
    args = parser.parse_args()
    rows = []
    if args.only != "baseline":
        rows.append(measure(ROOT, "working tree"))
    if args.only != "head":
        worktree = Path(tempfile.gettempdir()) / f"suite-baseline-{os.getpid()}"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), args.baseline],
            capture_output=True,
            check=True,
        )
        try:
            rows.append(measure(worktree, f"baseline {args.baseline}"))
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)],
                capture_output=True,
                check=False,
            )
    print(f"CI=true make test on {os.cpu_count()} cores (ruff, mypy and pytest included)")
    for row in rows:
        print(
            f"{row['label']:>20}: exit {row['exit']}, load before {row['load']}, "
            f"wall {row['wall']:.0f} s, CPU {row['cpu']:.0f} s, {row['passed']} passed, "
            f"{row['failed']} failed, {row['skipped']} skipped, "
            f"{row['per_test_ms']:.0f} ms wall per test (log: {row['log']})"
        )
    if len(rows) == 2:
        head, base = rows
        print(
            f"working tree / baseline: wall {head['wall'] / base['wall']:.2f}, "
            f"CPU {head['cpu'] / base['cpu']:.2f}, "
            f"per test {head['per_test_ms'] / base['per_test_ms']:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
