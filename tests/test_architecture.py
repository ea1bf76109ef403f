"""The floors look down only: the import-linter contract of pyproject.toml holds.

projects > syntheses > criteria > territories > the engine (docs/architecture.md). A lower floor
that imports a higher one, even inside a function, breaks the contract; so does a line of the
ratchet (`ignore_imports`) whose import is gone, so that the list only shrinks.
"""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Modules beside urls.py that wire or gather every app: in no floor, they may import any app.
PROJECT_LEVEL = {
    "__init__",
    "asgi",
    "celery",
    "context_processors",
    "gunicorn_conf",
    "mine",
    "movein",
    "settings",
    "site_feeds",
    "urls",
    "views",
    "wsgi",
}


def test_lower_floors_never_import_higher_ones() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    # --no-cache: no cache directory written into the working tree.
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = result.stdout.split("---------\nContracts\n---------", 1)[-1]
    assert result.returncode == 0, f"{report}\n{result.stderr}"


def test_every_module_beside_urls_has_a_floor_or_is_project_level() -> None:
    # A new wikispiral/<name>.py or wikispiral/<package>/ in no layer would escape the contract.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["id"] == "floors")["layers"]
    in_layers = {m.strip() for layer in layers for m in re.split(r"[:|]", layer)}
    modules = {
        path.stem if path.suffix == ".py" else path.name
        for path in (ROOT / "wikispiral").iterdir()
        if path.suffix == ".py" or (path / "__init__.py").is_file()
    }
    unplaced = sorted(
        name for name in modules - PROJECT_LEVEL if f"wikispiral.{name}" not in in_layers
    )
    assert not unplaced, (
        f"wikispiral modules in no floor: {unplaced}. Add each to a layer of the floors contract "
        "in pyproject.toml, or to PROJECT_LEVEL here if it gathers several apps."
    )
