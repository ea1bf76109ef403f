"""The files of Tiki's file galleries: a folder or a zip of the files, and a listing (CSV) that
says which file is which.

Tiki keeps each file as a row of `tiki_files` (fileId, galleryId, name, description, filename,
filesize, filetype, user, author, created, lastModif, path...), its bytes in the database or,
with "store in a directory" (fgal_use_dir), in a file named after its `path` column (a random
name without extension). Pages point at files by id (`{img fileId=N}`,
`tiki-download_file.php?fileId=N`), so the id is what must survive the move. The listing is what
an administrator copies from the gallery listing (tiki-list_file_gallery.php) or the table; its
header names the columns, in any order, case and spacing ignored:

    fileId, galleryId, name, description, filename, user (or creator), created (or date),
    path (optional: the stored name), filetype and filesize (read, not trusted)

A listing row finds its file by `path`, then by id (a file named `123`, `123.pdf` or
`123_report.pdf`), then by `filename`, then by `name`; a file's type is read from its first
bytes, never from its name or the listing, and only what the wiki accepts as an attachment
passes (PNG, JPEG, GIF, WebP images and PDF documents; pictures checked for their pixel count).

Every bound is checked while reading and bad input never raises: each file that cannot be used
is a FileProblem, and the files that pass are read again only when `TikiFile.open()` is called.
"""

import datetime
import hashlib
import io
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.utils.translation import gettext as _

from wikispiral.uploads.base import MEGABYTE, Limits, UploadProblem, file_kind, grouped
from wikispiral.uploads.images import MAX_IMAGE_PIXELS, image_check
from wikispiral.wiki.tiki.dates import (
    date_forms,
    date_parse,
)
from wikispiral.wiki.tiki.trackers import (
    ERROR,
    WARNING,
    CsvRefused,
    csv_records,
    separator_guess,
    text_decode,
    value_clean,
)

# What wiki attachments accept (wikispiral.wiki.services.ALLOWED_UPLOADS, and WebP), sniffed
# from the first bytes. tests/test_tiki_files.py checks the two lists agree.
ALLOWED_TYPES: dict[bytes, str] = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
    b"%PDF-": "application/pdf",
}
_JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
_JUNK_DIRS = {"__MACOSX"}
_LISTING_COLUMNS = {
    "fileid": "file_id",
    "id": "file_id",
    "galleryid": "gallery_id",
    "gallery": "gallery_id",
    "name": "name",
    "title": "name",
    "description": "description",
    "filename": "filename",
    "file": "filename",
    "user": "creator",
    "creator": "creator",
    "author": "author",
    "created": "created",
    "date": "created",
    "path": "path",
    "filetype": "filetype",
    "filesize": "filesize",
}


@dataclass(frozen=True)
class FilesLimits:
    """max_file_bytes: the wiki's attachment limit (settings.WIKI_ATTACHMENT_MAX_BYTES, which
    the importer passes; this module reads no settings)."""

    max_file_bytes: int = 10 * MEGABYTE
    max_files: int = 50_000
    max_total_bytes: int = 8192 * MEGABYTE
    max_pixels: int = MAX_IMAGE_PIXELS
    listing: Limits = field(default_factory=lambda: Limits(max_cell_chars=50_000))


DEFAULT_LIMITS = FilesLimits()


@dataclass(frozen=True)
class FileProblem:
    """A line for the report; file_id is the listing's id when the problem is about one."""

    source: str
    message: str
    file_id: int | None = None
    level: str = ERROR


@dataclass(frozen=True)
class TikiFile:
    """A gallery file that passed every check; open() reads its bytes again (None when they
    can no longer be read or have changed since they were checked)."""

    file_id: int
    gallery_id: int | None
    name: str
    filename: str
    description: str
    creator: str
    created: datetime.datetime | None
    content_type: str
    size: int
    sha256: str
    source: str
    opener: Callable[[], bytes | None] = field(repr=False, compare=False)

    def open(self) -> bytes | None:
        data = self.opener()
        if data is None or hashlib.sha256(data).hexdigest() != self.sha256:
            return None
        return data


@dataclass
class FilesReading:
    files: list[TikiFile] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(problem.level == ERROR for problem in self.problems)


@dataclass
class _Listed:
    number: int
    file_id: int
    gallery_id: int | None
    name: str
    filename: str
    description: str
    creator: str
    created: datetime.datetime | None
    path: str


class _Refused(Exception):
    pass


def content_type_sniff(head: bytes) -> str | None:
    """The attachment type of a file from its first bytes, or None when the wiki refuses it."""
    for magic, content_type in ALLOWED_TYPES.items():
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def name_problem(name: str) -> str | None:
    """Why a file name (in an archive or a listing) is refused, or None when it is safe."""
    if "\x00" in name:
        return _("This name holds a null character; the file was skipped.")
    unified = name.replace("\\", "/")
    parts = PurePosixPath(unified).parts
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":") or ".." in parts:
        return _("This name points outside the folder or archive; the file was skipped.")
    return None


def _is_junk(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return bool(parts) and (parts[-1] in _JUNK_NAMES or any(p in _JUNK_DIRS for p in parts))


# --- The listing --------------------------------------------------------------------------------


def _listing(data: bytes, source: str, limits: Limits, reading: FilesReading) -> list[_Listed]:
    if len(data) > limits.max_bytes:
        raise _Refused(
            _("The listing is larger than %(max)s MB.")
            % {"max": grouped(limits.max_bytes // MEGABYTE)}
        )
    try:
        file_kind(source, data, csv_only=True)
    except UploadProblem as problem:
        raise _Refused(problem.message) from problem
    text, _used, warning = text_decode(data, None)
    if warning:
        reading.problems.append(FileProblem(source=source, message=warning, level=WARNING))
    records = iter(csv_records(text, separator_guess(text, limits), False, limits))
    header: list[str] = []
    for _number, cells in records:
        if any(cell.strip() for cell in cells):
            header = cells
            break
    keys = [
        _LISTING_COLUMNS.get(re.sub(r"[^a-z]", "", cell.lower().lstrip("\ufeff")), "")
        for cell in header
    ]
    if "file_id" not in keys or not {"filename", "name", "path"} & set(keys):
        raise _Refused(
            _(
                "The listing needs a fileId column and a filename (or name, or path) column; "
                "its header is: %(header)s."
            )
            % {"header": ", ".join(header[:20])}
        )
    rows = [(number, cells) for number, cells in records if any(c.strip() for c in cells)]
    created_at = keys.index("created") if "created" in keys else None
    form: str | None = None
    if created_at is not None:
        forms = date_forms(cells[created_at] for _n, cells in rows if created_at < len(cells))
        form = forms[0] if forms else None
    listed: list[_Listed] = []
    seen: dict[int, int] = {}
    for number, cells in rows:
        if len(cells) != len(header):
            reading.problems.append(
                FileProblem(
                    source=source,
                    message=_(
                        "Line %(line)d of the listing has %(count)d columns where the header "
                        "has %(width)d."
                    )
                    % {"line": number, "count": len(cells), "width": len(header)},
                )
            )
            continue
        values: dict[str, str] = {}
        for key, cell in zip(keys, cells, strict=True):
            if key and key not in values:
                values[key] = value_clean(cell).strip()
        raw_id = values.get("file_id", "")
        if not raw_id.isdigit():
            reading.problems.append(
                FileProblem(
                    source=source,
                    message=_("Line %(line)d of the listing has no file id.") % {"line": number},
                )
            )
            continue
        file_id = int(raw_id)
        if file_id in seen:
            reading.problems.append(
                FileProblem(
                    source=source,
                    file_id=file_id,
                    message=_(
                        "Line %(line)d of the listing repeats the file id %(id)d of line "
                        "%(first)d; it was left out."
                    )
                    % {"line": number, "id": file_id, "first": seen[file_id]},
                )
            )
            continue
        seen[file_id] = number
        gallery = values.get("gallery_id", "")
        created_text = values.get("created", "")
        created = date_parse(created_text, form=form) if created_text and form else None
        if created_text and created is None:
            reading.problems.append(
                FileProblem(
                    source=source,
                    file_id=file_id,
                    level=WARNING,
                    message=_("“%(value)s” is not a date; the file keeps no date.")
                    % {"value": created_text[:40]},
                )
            )
        listed.append(
            _Listed(
                number=number,
                file_id=file_id,
                gallery_id=int(gallery) if gallery.isdigit() else None,
                name=values.get("name", ""),
                filename=values.get("filename", ""),
                description=values.get("description", ""),
                creator=values.get("creator", "") or values.get("author", ""),
                created=created,
                path=values.get("path", ""),
            )
        )
    return listed


# --- The files ----------------------------------------------------------------------------------


@dataclass
class _Member:
    name: str  # relative path, "/" separated
    size: int
    read: Callable[[int], bytes | None]  # at most that many bytes + 1, None when unreadable


def _folder_members(folder: Path, reading: FilesReading, limits: FilesLimits) -> list[_Member]:
    members: list[_Member] = []
    for directory, subdirectories, names in os.walk(folder, followlinks=False):
        subdirectories[:] = sorted(d for d in subdirectories if d not in _JUNK_DIRS)
        for name in sorted(names):
            path = Path(directory) / name
            relative = path.relative_to(folder).as_posix()
            if _is_junk(relative):
                continue
            if len(members) >= limits.max_files:
                raise _Refused(_too_many(limits))
            if path.is_symlink() or not path.is_file():
                reading.problems.append(
                    FileProblem(
                        source=relative,
                        message=_("This is a link or a device, not a file; it was skipped."),
                        level=WARNING,
                    )
                )
                continue
            members.append(
                _Member(name=relative, size=path.stat().st_size, read=_path_reader(path))
            )
    return members


def _path_reader(path: Path) -> Callable[[int], bytes | None]:
    def read(limit: int) -> bytes | None:
        try:
            with path.open("rb") as stream:
                return stream.read(limit + 1)
        except OSError:
            return None

    return read


def _zip_members(
    opener: Callable[[], BinaryIO],
    reading: FilesReading,
    limits: FilesLimits,
    label: str,
) -> list[_Member]:
    try:
        with opener() as stream, zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise _Refused(
            _("The zip archive %(name)s is damaged or cut short; make it again.") % {"name": label}
        ) from error
    files = [info for info in infos if not info.is_dir() and not _is_junk(info.filename)]
    if len(files) > limits.max_files:
        raise _Refused(_too_many(limits))
    if sum(info.file_size for info in files) > limits.max_total_bytes:
        raise _Refused(
            _("The files unpack to more than %(max)s MB; split them into several archives.")
            % {"max": grouped(limits.max_total_bytes // MEGABYTE)}
        )
    members: list[_Member] = []
    for info in files:
        refusal = name_problem(info.filename)
        if refusal is not None:
            reading.problems.append(FileProblem(source=info.filename, message=refusal))
            continue
        members.append(
            _Member(
                name=info.filename.replace("\\", "/"),
                size=info.file_size,
                read=_zip_reader(opener, info.filename),
            )
        )
    return members


def _zip_reader(opener: Callable[[], BinaryIO], member: str) -> Callable[[int], bytes | None]:
    def read(limit: int) -> bytes | None:
        try:
            with (
                opener() as stream,
                zipfile.ZipFile(stream) as archive,
                archive.open(member) as data,
            ):
                return data.read(limit + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, zlib.error):
            return None
        except NotImplementedError:
            return None

    return read


def _too_many(limits: FilesLimits) -> str:
    return _("There are more than %(max)s files; split them into several archives.") % {
        "max": grouped(limits.max_files)
    }


def _too_big(limits: FilesLimits) -> str:
    return _("This file is larger than %(max)s MB, the limit for attachments; it was skipped.") % {
        "max": grouped(max(1, limits.max_file_bytes // MEGABYTE))
    }


def _basename(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _id_match(basename: str, file_id: int) -> bool:
    text = str(file_id)
    return basename == text or basename.startswith((f"{text}.", f"{text}_", f"{text}-", f"{text} "))


def _candidates(row: _Listed, members: list[_Member]) -> list[_Member]:
    if row.path:
        wanted = row.path.replace("\\", "/").strip("/")
        found = [m for m in members if m.name == wanted]
        found = found or [m for m in members if _basename(m.name) == _basename(wanted)]
        if found:
            return found
    found = [m for m in members if _id_match(_basename(m.name), row.file_id)]
    if found:
        return found
    for wanted in (row.filename, row.name):
        if not wanted:
            continue
        found = [m for m in members if _basename(m.name) == wanted]
        if len(found) > 1 and row.gallery_id is not None:
            in_gallery = [m for m in found if str(row.gallery_id) in m.name.split("/")[:-1]]
            found = in_gallery or found
        if found:
            return found
    return []


def _matched(
    listed: list[_Listed], members: list[_Member], reading: FilesReading, label: str
) -> Iterator[tuple[_Listed, _Member]]:
    used: dict[str, int] = {}
    for row in listed:
        if row.path and (refusal := name_problem(row.path)) is not None:
            reading.problems.append(
                FileProblem(source=row.path, message=refusal, file_id=row.file_id)
            )
            continue
        found = [m for m in _candidates(row, members) if m.name not in used]
        if not found:
            reading.problems.append(
                FileProblem(
                    source=label,
                    file_id=row.file_id,
                    message=_(
                        "The file %(id)d (“%(name)s”, line %(line)d of the listing) is not among "
                        "the files."
                    )
                    % {"id": row.file_id, "name": row.filename or row.name, "line": row.number},
                )
            )
            continue
        if len(found) > 1:
            reading.problems.append(
                FileProblem(
                    source=label,
                    file_id=row.file_id,
                    message=_(
                        "Several files could be the file %(id)d (%(names)s); name it by its id "
                        "(such as %(id)d_%(name)s) and try again."
                    )
                    % {
                        "id": row.file_id,
                        "names": ", ".join(m.name for m in found[:5]),
                        "name": row.filename or row.name,
                    },
                )
            )
            continue
        used[found[0].name] = row.file_id
        yield row, found[0]
    for member in members:
        if member.name not in used:
            reading.problems.append(
                FileProblem(
                    source=member.name,
                    level=WARNING,
                    message=_("This file is not in the listing; it was skipped."),
                )
            )


def _checked(
    row: _Listed, member: _Member, limits: FilesLimits, reading: FilesReading
) -> TikiFile | None:
    def refuse(message: str) -> None:
        reading.problems.append(
            FileProblem(source=member.name, message=message, file_id=row.file_id)
        )

    if member.size > limits.max_file_bytes:
        refuse(_too_big(limits))
        return None
    data = member.read(limits.max_file_bytes)
    if data is None:
        refuse(_("This file cannot be read (damaged or encrypted); it was skipped."))
        return None
    if len(data) > limits.max_file_bytes:
        refuse(_too_big(limits))
        return None
    if not data:
        refuse(_("This file is empty; it was skipped."))
        return None
    content_type = content_type_sniff(data[:16])
    if content_type is None:
        refuse(
            _(
                "Only PNG, JPEG, GIF, WebP images and PDF files can be attached; this file is "
                "none of them and was skipped."
            )
        )
        return None
    if content_type.startswith("image/"):
        try:
            image_check(
                io.BytesIO(data),
                size=len(data),
                max_bytes=limits.max_file_bytes,
                max_pixels=limits.max_pixels,
                verify=False,
            )
        except UploadProblem as problem:
            refuse(problem.message)
            return None
    reader = member.read
    limit = limits.max_file_bytes

    def opener() -> bytes | None:
        again = reader(limit)
        return again if again is not None and len(again) <= limit else None

    return TikiFile(
        file_id=row.file_id,
        gallery_id=row.gallery_id,
        name=row.name or row.filename,
        filename=row.filename or _basename(member.name),
        description=row.description,
        creator=row.creator,
        created=row.created,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        source=member.name,
        opener=opener,
    )


def files_read(
    files: Path | bytes,
    listing: bytes,
    *,
    listing_name: str = "listing.csv",
    limits: FilesLimits = DEFAULT_LIMITS,
) -> FilesReading:
    """The gallery files (a folder, a zip file, or a zip's bytes) matched to the listing's rows,
    each checked as an attachment is, and every problem met; never raises for bad input."""
    reading = FilesReading()
    label = files.name if isinstance(files, Path) else "files.zip"
    try:
        listed = _listing(listing, listing_name, limits.listing, reading)
    except (_Refused, CsvRefused) as refusal:
        reading.problems.append(FileProblem(source=listing_name, message=str(refusal)))
        return reading
    try:
        if isinstance(files, Path) and files.is_dir():
            members = _folder_members(files, reading, limits)
        elif isinstance(files, Path):
            path = files
            members = _zip_members(lambda: path.open("rb"), reading, limits, label)
        else:
            content = files
            members = _zip_members(lambda: io.BytesIO(content), reading, limits, label)
    except _Refused as refusal:
        reading.problems.append(FileProblem(source=label, message=str(refusal)))
        return reading
    except OSError:
        reading.problems.append(FileProblem(source=label, message=_("This file cannot be opened.")))
        return reading
    members = [m for m in members if _basename(m.name).casefold() != listing_name.casefold()]
    for row, member in _matched(listed, members, reading, label):
        checked = _checked(row, member, limits, reading)
        if checked is not None:
            reading.files.append(checked)
    return reading
