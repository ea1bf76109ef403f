"""Files that wait on the server but are never served as media: uploaded spreadsheets between
their preview and their import, and the built open-data archive.

They live under settings.PRIVATE_ROOT when the project defines it, else next to MEDIA_ROOT in
"private/" (outside the directory the web server publishes). The web process and the Celery
worker must share it.
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings

from criteria.models import ImportBatch


def private_root() -> Path:
    configured = getattr(settings, "PRIVATE_ROOT", None)
    return Path(configured) if configured else Path(settings.MEDIA_ROOT).parent / "private"


def private_path(*parts: str) -> Path:
    """A path under the private root; parts come from our code, never from a person."""
    path = private_root().joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_atomically(path: Path, data: bytes) -> None:
    """Write data to path so that a reader sees the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def import_file_path(batch: ImportBatch) -> Path:
    """Where the file of an import batch waits between its preview and its import."""
    return private_path("imports", batch.stored_name)
