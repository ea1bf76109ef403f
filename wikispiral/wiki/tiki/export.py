"""Tiki's "export wiki pages" files, and the archives or folders that hold them.

What Tiki writes (lib/wiki/exportlib.php and MimeifyPageRevision in lib/ziplib.php): a `Date:`
and a `Mime-Version: 1.0 (Produced by Tiki)` header, then either one `application/x-tikiwiki`
part (a page exported with its current version only) or a `multipart/mixed` message whose
parts are the current version first, then the history newest first. Every Content-Type
parameter value is percent-encoded (PHP's rawurlencode) in the part's charset, which is
`utf-8` on recent sites and always `iso-8859-1` on old ones (even when the database held
UTF-8, so both are checked against the bytes). The body is "binary": the revision's lines,
each stripped of trailing blanks, ended by CRLF. The whole-wiki export is a tar named
export.tar whose members are named after the pages.

Every bound is checked while reading: the number of files, each file's size, the bytes
unpacked from the archive in total (counted as they come out of the decompressor, so a bomb
stops at the bound), and member names that are absolute or climb out with "..". Bad input
never raises: each file that cannot be read becomes an ExportProblem, and a page comes out
whole or not at all.
"""

import bz2
import codecs
import datetime
import email
import email.message
import gzip
import io
import lzma
import os
import tarfile
import zipfile
import zlib
from collections.abc import Buffer, Iterable, Iterator
from dataclasses import dataclass, field
from email import policy
from pathlib import Path, PurePosixPath
from typing import IO, Protocol

from django.utils.translation import gettext as _

from wikispiral.uploads.base import MEGABYTE, grouped
from wikispiral.wiki.tiki.mime import email_params, email_truncated, tiki_parts

PAGE_TYPE = "application/x-tikiwiki"
# Operating-system litter inside archives: skipped without a word.
_JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
_JUNK_DIRS = {"__MACOSX"}
_LATIN_CHARSETS = {"iso-8859-1", "iso-8859-15", "latin1", "latin-1", "cp1252", "windows-1252"}


@dataclass(frozen=True)
class ExportLimits:
    """Bounds of one reading. The network's site has a few thousand pages of twenty revisions;
    the bench (issue 15) reads 5,000 pages x 20 revisions."""

    max_files: int = 50_000
    max_file_bytes: int = 64 * MEGABYTE
    max_total_bytes: int = 2048 * MEGABYTE


DEFAULT_LIMITS = ExportLimits()


@dataclass(frozen=True)
class TikiRevision:
    """One version of a page as Tiki kept it; time is aware, in UTC."""

    version: int
    author: str
    time: datetime.datetime
    summary: str
    description: str
    text: str
    hits: int | None = None
    ip: str = ""


@dataclass(frozen=True)
class TikiPage:
    """A page and its whole exported history, oldest version first."""

    name: str
    source: str
    revisions: list[TikiRevision]


@dataclass(frozen=True)
class ExportProblem:
    """Something in a file or an archive the person must know; message is translated.

    page is empty when the file gave no page (it was refused); a warning about a page that was
    read all the same (a charset guessed) names it.
    """

    source: str
    message: str
    page: str = ""


@dataclass
class ExportReading:
    """The pages read from an export and the problems met, in the order met."""

    pages: list[TikiPage] = field(default_factory=list)
    problems: list[ExportProblem] = field(default_factory=list)


class _Refused(Exception):
    """This file (or archive) gives nothing; the message says why."""


# --- One page file ------------------------------------------------------------------------------


def _decode(raw: bytes, declared: str) -> tuple[str, str | None]:
    """The text of raw, and a warning when the declared charset could not be trusted."""
    name = declared.strip().lower()
    try:
        codec = codecs.lookup(name).name if name else ""
    except LookupError:
        codec = "unknown"
    if codec in {"unknown", ""}:
        text, used = _guess(raw)
        if not name:
            return text, _("No charset is given; the text was read as %(used)s.") % {"used": used}
        return text, _("The charset “%(charset)s” is unknown; the text was read as %(used)s.") % {
            "charset": declared.strip()[:40],
            "used": used,
        }
    if name in _LATIN_CHARSETS or codec in {"latin-1", "iso8859-1", "iso8859-15", "cp1252"}:
        if not raw.isascii():
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                # Old Tiki always wrote iso-8859-1, even over a UTF-8 database: valid UTF-8 with
                # accents is almost never Latin-1 text by chance.
                return text, _("The text says it is ISO-8859-1 but is UTF-8; it was read as UTF-8.")
        return _latin(raw), None
    try:
        return raw.decode(codec), None
    except UnicodeDecodeError:
        text, used = _guess(raw)
        return text, _(
            "The text is not valid %(charset)s; it was read as %(used)s. Check its accents."
        ) % {"charset": declared.strip()[:40], "used": used}


def _latin(raw: bytes) -> str:
    # Browsers read ISO-8859-1 as Windows-1252 (curly quotes, the euro sign); the five bytes
    # Windows-1252 leaves undefined fall back to Latin-1.
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _guess(raw: bytes) -> tuple[str, str]:
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return _latin(raw), "ISO-8859-1"


def _revision(
    params: dict[str, bytes], raw: bytes, warnings: list[str]
) -> tuple[str, TikiRevision]:
    charset = params.get("charset", b"").decode("ascii", "replace")
    text, warning = _decode(raw, charset)
    if warning and warning not in warnings:
        warnings.append(warning)

    def param(key: str) -> str:
        value, _warning = _decode(params.get(key, b""), charset)
        return value

    name = param("pagename").strip()
    if not name:
        raise _Refused(_("A revision has no page name (pagename)."))
    try:
        version = int(param("version"))
        stamp = int(param("lastmodified"))
        moment = datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC)
    except (ValueError, OverflowError, OSError) as error:
        raise _Refused(
            _("A revision of “%(page)s” has no valid version number or date.") % {"page": name}
        ) from error
    hits_text = param("hits").strip()
    return name, TikiRevision(
        version=version,
        author=param("author").strip(),
        time=moment,
        summary=param("summary").strip(),
        description=param("description").strip(),
        # Tiki ends every line with CRLF and adds one after the last line.
        text=text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n"),
        hits=int(hits_text) if hits_text.isdigit() else None,
        ip=param("author_id").strip(),
    )


def _email_parts(data: bytes) -> list[tuple[dict[str, bytes], bytes]]:
    """The revisions' parameters and bodies, by the email parser (any MIME message)."""
    message = email.message_from_bytes(data, policy=policy.compat32)
    content_type = message.get_content_type()
    if content_type == "multipart/mixed":
        if email_truncated(message):
            raise _Refused(_("This page file is cut short (its last revision is incomplete)."))
        parts = message.get_payload()
        if not isinstance(parts, list):
            raise _Refused(_("This file is not a Tiki page export (it is not in MIME form)."))
    elif content_type == PAGE_TYPE:
        parts = [message]
    else:
        raise _Refused(_("This file is not a Tiki page export (it is not in MIME form)."))
    found: list[tuple[dict[str, bytes], bytes]] = []
    for part in parts:
        if not isinstance(part, email.message.Message) or part.get_content_type() != PAGE_TYPE:
            raise _Refused(_("This file holds a part that is not a wiki page revision."))
        body = part.get_payload(decode=True)
        found.append((email_params(part), body if isinstance(body, bytes) else b""))
    return found


def _page(data: bytes, source: str) -> tuple[TikiPage, list[str]]:
    head = data[:4096].lstrip()
    if not head or b"\x00" in head or b":" not in head.split(b"\n", 1)[0]:
        raise _Refused(_("This file is not a Tiki page export (it is not in MIME form)."))
    # Tiki's own shape, read fast; anything else (and every defect) by the email parser.
    parts = tiki_parts(data)
    if parts is None:
        parts = _email_parts(data)
    warnings: list[str] = []
    names: list[str] = []
    by_version: dict[int, TikiRevision] = {}
    for params, raw in parts:
        name, revision = _revision(params, raw, warnings)
        names.append(name)
        known = by_version.get(revision.version)
        if known is None:
            by_version[revision.version] = revision
        elif known.text != revision.text:
            # The current version comes first and is the one Tiki shows: it wins.
            warnings.append(
                _("Version %(version)d appears twice with different texts; the first was kept.")
                % {"version": revision.version}
            )
    if not by_version:
        raise _Refused(_("This page file holds no revision."))
    if len(set(names)) > 1:
        raise _Refused(
            _("This file mixes revisions of several pages (%(names)s).")
            % {"names": ", ".join(sorted(set(names))[:5])}
        )
    revisions = [by_version[version] for version in sorted(by_version)]
    return TikiPage(name=names[0], source=source, revisions=revisions), warnings


def page_file_read(data: bytes, *, source: str) -> tuple[TikiPage | None, list[ExportProblem]]:
    """The page in one exported file, or None, and what went wrong; never raises."""
    try:
        page, warnings = _page(data, source)
    except _Refused as refusal:
        return None, [ExportProblem(source=source, message=str(refusal))]
    except Exception:  # a parser surprise on hostile bytes must not stop the whole import
        return None, [ExportProblem(source=source, message=_("This page file cannot be read."))]
    return page, [ExportProblem(source=source, message=m, page=page.name) for m in warnings]


# --- Archives and folders -----------------------------------------------------------------------


class _Budget:
    def __init__(self, limits: ExportLimits) -> None:
        self.limits = limits
        self.used = 0
        self.files = 0

    def spend(self, count: int) -> None:
        self.used += count
        if self.used > self.limits.max_total_bytes:
            raise _Refused(
                _("The export unpacks to more than %(max)s MB; split it into several archives.")
                % {"max": grouped(self.limits.max_total_bytes // MEGABYTE)}
            )

    def count_file(self) -> None:
        self.files += 1
        if self.files > self.limits.max_files:
            raise _Refused(_too_many(self.limits))


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _CountedReader(io.RawIOBase):
    """A decompressed stream whose every byte is counted against the budget."""

    def __init__(self, stream: _Readable, budget: _Budget) -> None:
        self._stream = stream
        self._budget = budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Buffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self._stream.read(len(view))
        self._budget.spend(len(data))
        view[: len(data)] = data
        return len(data)


def _member_problem(name: str) -> str | None:
    """Why an archive member's name is refused, or None when it is safe to read."""
    if "\x00" in name:
        return _("This name holds a null character; the file was skipped.")
    unified = name.replace("\\", "/")
    parts = PurePosixPath(unified).parts
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":") or ".." in parts:
        return _("This name points outside the archive; the file was skipped.")
    return None


def _is_junk(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return bool(parts) and (parts[-1] in _JUNK_NAMES or any(p in _JUNK_DIRS for p in parts))


def _too_many(limits: ExportLimits) -> str:
    return _("The export holds more than %(max)s files; split it into several archives.") % {
        "max": grouped(limits.max_files)
    }


def _too_big(limits: ExportLimits) -> str:
    return _("This file is larger than %(max)s MB; it was skipped.") % {
        "max": grouped(limits.max_file_bytes // MEGABYTE)
    }


def _read_bounded(stream: IO[bytes], limits: ExportLimits) -> bytes | None:
    data = stream.read(limits.max_file_bytes + 1)
    return None if len(data) > limits.max_file_bytes else data


def _files_from_zip(
    file: IO[bytes], budget: _Budget
) -> Iterator[tuple[str, bytes] | ExportProblem]:
    limits = budget.limits
    try:
        archive = zipfile.ZipFile(file)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise _Refused(_("The zip archive is damaged or cut short; export it again.")) from error
    if len(members) > limits.max_files:
        raise _Refused(_too_many(limits))
    declared = sum(member.file_size for member in members)
    if declared > limits.max_total_bytes:
        budget.spend(declared)
    for member in members:
        if member.is_dir() or _is_junk(member.filename):
            continue
        budget.count_file()
        refusal = _member_problem(member.filename)
        if refusal is not None:
            yield ExportProblem(source=member.filename, message=refusal)
            continue
        if member.file_size > limits.max_file_bytes:
            yield ExportProblem(source=member.filename, message=_too_big(limits))
            continue
        try:
            with archive.open(member) as stream:
                data = _read_bounded(io.BufferedReader(_CountedReader(stream, budget)), limits)
        except _Refused:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, zlib.error):
            yield ExportProblem(
                source=member.filename,
                message=_("This file is damaged in the archive (or encrypted); it was skipped."),
            )
            continue
        if data is None:
            yield ExportProblem(source=member.filename, message=_too_big(limits))
            continue
        yield member.filename, data


def _decompressed(file: IO[bytes]) -> _Readable:
    magic = file.read(6)
    file.seek(0)
    if magic.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=file)
    if magic.startswith(b"BZh"):
        return bz2.BZ2File(file)
    if magic.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile(file)
    return file


def _files_from_tar(
    file: IO[bytes], budget: _Budget
) -> Iterator[tuple[str, bytes] | ExportProblem]:
    limits = budget.limits
    counted = io.BufferedReader(_CountedReader(_decompressed(file), budget))
    try:
        # Stream mode: members are read in order, never seeking, so a bomb stops at the budget.
        with tarfile.open(fileobj=counted, mode="r|") as archive:
            for member in archive:
                if member.isdir() or _is_junk(member.name):
                    continue
                budget.count_file()
                refusal = _member_problem(member.name)
                if refusal is not None:
                    yield ExportProblem(source=member.name, message=refusal)
                    continue
                if not member.isfile():
                    yield ExportProblem(
                        source=member.name,
                        message=_("This is a link or a device, not a file; it was skipped."),
                    )
                    continue
                if member.size > limits.max_file_bytes:
                    yield ExportProblem(source=member.name, message=_too_big(limits))
                    continue
                stream = archive.extractfile(member)
                data = stream.read() if stream is not None else b""
                if len(data) != member.size:
                    raise EOFError("member cut short")
                yield member.name, data
    except _Refused:
        raise
    except (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError, ValueError) as error:
        raise _Refused(
            _(
                "The archive is damaged or cut short; the pages read before the damage are "
                "listed, the rest is missing. Export it again."
            )
        ) from error


def _files_from_folder(
    folder: Path, budget: _Budget
) -> Iterator[tuple[str, bytes] | ExportProblem]:
    limits = budget.limits
    for directory, subdirectories, names in os.walk(folder, followlinks=False):
        subdirectories[:] = sorted(d for d in subdirectories if d not in _JUNK_DIRS)
        for name in sorted(names):
            path = Path(directory) / name
            relative = path.relative_to(folder).as_posix()
            if _is_junk(relative):
                continue
            budget.count_file()
            if path.is_symlink() or not path.is_file():
                yield ExportProblem(
                    source=relative,
                    message=_("This is a link or a device, not a file; it was skipped."),
                )
                continue
            try:
                if path.stat().st_size > limits.max_file_bytes:
                    yield ExportProblem(source=relative, message=_too_big(limits))
                    continue
                with path.open("rb") as stream:
                    data = _read_bounded(stream, limits)
            except OSError:
                yield ExportProblem(source=relative, message=_("This file cannot be opened."))
                continue
            if data is None:
                yield ExportProblem(source=relative, message=_too_big(limits))
                continue
            budget.spend(len(data))
            yield relative, data


def _is_tar(file: IO[bytes]) -> bool:
    head = file.read(512)
    file.seek(0)
    if head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")):
        return True
    return len(head) == 512 and (head[257:262] == b"ustar" or _tar_checksum_ok(head))


def _tar_checksum_ok(header: bytes) -> bool:
    """An old (V7) tar header, as Tiki's own tar class writes: its checksum adds up."""
    try:
        stored = int(header[148:156].split(b"\x00", 1)[0].strip() or b"-1", 8)
    except ValueError:
        return False
    return stored == sum(header[:148]) + 8 * 32 + sum(header[156:])


def _files(
    file: IO[bytes], label: str, budget: _Budget
) -> Iterator[tuple[str, bytes] | ExportProblem]:
    head = file.read(4)
    file.seek(0)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        yield from _files_from_zip(file, budget)
    elif _is_tar(file):
        yield from _files_from_tar(file, budget)
    else:  # one page file on its own
        budget.count_file()
        data = _read_bounded(file, budget.limits)
        if data is None:
            yield ExportProblem(source=label, message=_too_big(budget.limits))
        else:
            budget.spend(len(data))
            yield label, data


def _pages(
    files: Iterable[tuple[str, bytes] | ExportProblem], label: str
) -> Iterator[TikiPage | ExportProblem]:
    seen: dict[str, str] = {}
    try:
        for item in files:
            if isinstance(item, ExportProblem):
                yield item
                continue
            source, data = item
            page, problems = page_file_read(data, source=source)
            if page is not None and page.name in seen:
                yield ExportProblem(
                    source=source,
                    message=_("The page “%(page)s” was already read from %(first)s; skipped.")
                    % {"page": page.name, "first": seen[page.name]},
                )
                continue
            yield from problems
            if page is not None:
                seen[page.name] = source
                yield page
    except _Refused as refusal:
        yield ExportProblem(source=label, message=str(refusal))


def export_iter(
    path: Path, *, limits: ExportLimits = DEFAULT_LIMITS
) -> Iterator[TikiPage | ExportProblem]:
    """The pages of an export (a folder, a zip, a tar, a .tar.gz or one page file) one at a
    time, with the problems met in between; never raises for bad input."""
    budget = _Budget(limits)
    label = path.name
    if path.is_dir():
        yield from _pages(_files_from_folder(path, budget), label)
        return
    try:
        stream = path.open("rb")
    except OSError:
        yield ExportProblem(source=label, message=_("This file cannot be opened."))
        return
    with stream:
        yield from _pages(_files(stream, label, budget), label)


def export_read(path: Path, *, limits: ExportLimits = DEFAULT_LIMITS) -> ExportReading:
    """Every page of an export and every problem met; see export_iter."""
    return _collect(export_iter(path, limits=limits))


def export_read_bytes(
    data: bytes, *, filename: str, limits: ExportLimits = DEFAULT_LIMITS
) -> ExportReading:
    """The same as export_read, for an upload held in memory."""
    budget = _Budget(limits)
    return _collect(_pages(_files(io.BytesIO(data), filename, budget), filename))


def _collect(items: Iterable[TikiPage | ExportProblem]) -> ExportReading:
    reading = ExportReading()
    for item in items:
        if isinstance(item, TikiPage):
            reading.pages.append(item)
        else:
            reading.problems.append(item)
    return reading
