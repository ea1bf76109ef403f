"""Where a move-in's uploads and report wait: PRIVATE_ROOT/movein/<run>/, never served as
media (the web process and the worker share it)."""

import shutil
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile

from criteria.transfer.storage import private_root
from wikispiral.movein.models import MoveIn


def run_folder(move: MoveIn) -> Path:
    return private_root() / "movein" / str(move.pk)


def report_path(move: MoveIn) -> Path:
    return run_folder(move) / "report.json"


def upload_store(move: MoveIn, kind: str, uploaded: UploadedFile) -> Path:
    """Keep an uploaded source under the run's folder; the name is ours, not the person's
    (only its extension is kept, for the readers that look at it)."""
    original = Path(uploaded.name or "").name.lower()
    suffix = (
        "".join(Path(original).suffixes[-2:])
        if original.endswith(".tar.gz")
        else Path(original).suffix
    )
    safe_suffix = (
        suffix if suffix in {".zip", ".tar", ".tar.gz", ".tgz", ".csv", ".txt", ".toml"} else ""
    )
    path = run_folder(move) / f"{kind}{safe_suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return path


def sources_copy(source: MoveIn, target: MoveIn) -> dict[str, str]:
    """The sources of an earlier run (a dry run), copied for a new one; those gone are left
    out."""
    copied: dict[str, str] = {}
    folder = run_folder(target)
    folder.mkdir(parents=True, exist_ok=True)
    for kind, name in source.sources.items():
        path = Path(name)
        if not path.exists():
            continue
        if path.is_relative_to(run_folder(source)):
            destination = folder / path.name
            if path.is_dir():
                shutil.copytree(path, destination, dirs_exist_ok=True)
            else:
                shutil.copy2(path, destination)
            copied[kind] = str(destination)
        else:  # a path given to the command: used where it is
            copied[kind] = name
    return copied
