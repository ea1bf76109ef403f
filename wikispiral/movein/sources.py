"""Reading what a move-in is given, before anything is written: the page export, the structure
CSV, the tracker exports with their mapping, and the gallery files with their listing. Every
problem becomes a line of the report; nothing here raises for bad input."""

import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

from wikispiral.movein.report import ERROR, WARNING, Report
from wikispiral.uploads import UploadProblem
from wikispiral.wiki.tiki import ExportReading, Structure, export_read, tiki_structure_read
from wikispiral.wiki.tiki.files import DEFAULT_LIMITS as FILES_LIMITS
from wikispiral.wiki.tiki.files import FilesLimits, FilesReading, files_read
from wikispiral.wiki.tiki.mapping import (
    MappedRow,
    Mapping,
    TrackerMapping,
    mapped_rows,
    mapping_check,
    mapping_read,
)
from wikispiral.wiki.tiki.trackers import TrackerReading, tracker_read

# The names under which a files folder or zip may hold its listing.
LISTING_NAMES = ("listing.csv", "files.csv", "tiki_files.csv")
MAX_TRACKER_BYTES = 256 * 1024 * 1024
MAX_MAPPING_BYTES = 256 * 1024

SOURCE_KINDS = ("pages", "structure", "trackers", "mapping", "files", "listing")


@dataclass
class Tracker:
    """One tracker export read through its part of the mapping."""

    mapping: TrackerMapping
    reading: TrackerReading
    rows: list[MappedRow]

    @property
    def usable(self) -> bool:
        return self.reading.ok and not any(p.level == ERROR for p in self.reading.problems)


@dataclass
class Sources:
    pages: ExportReading | None = None
    structure: Structure | None = None
    mapping: Mapping | None = None
    trackers: dict[str, Tracker] = field(default_factory=dict)  # by kind
    files: FilesReading | None = None


def _read_bytes(path: Path, limit: int, report: Report, kind: str) -> bytes | None:
    try:
        size = path.stat().st_size
        if size > limit:
            report.add(
                kind,
                path.name,
                _("The file is larger than %(size)d MB.") % {"size": limit // (1024 * 1024)},
                ERROR,
            )
            return None
        return path.read_bytes()
    except OSError:
        report.add(kind, path.name, _("The file cannot be read."), ERROR)
        return None


def _tracker_files(path: Path, report: Report) -> dict[str, bytes]:
    """The CSV files of a folder, a zip or one CSV, by their base name."""
    found: dict[str, bytes] = {}
    if path.is_dir():
        for member in sorted(path.iterdir()):
            if member.is_file() and member.suffix.lower() in {".csv", ".txt"}:
                data = _read_bytes(member, MAX_TRACKER_BYTES, report, "sources")
                if data is not None:
                    found[member.name] = data
        return found
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                total = 0
                for info in archive.infolist():
                    name = PurePosixPath(info.filename).name
                    if info.is_dir() or not name.lower().endswith((".csv", ".txt")):
                        continue
                    total += info.file_size
                    if info.file_size > MAX_TRACKER_BYTES or total > 4 * MAX_TRACKER_BYTES:
                        report.add(
                            "sources", name, _("The file is too large once unpacked."), ERROR
                        )
                        continue
                    found[name] = archive.read(info)
        except (zipfile.BadZipFile, OSError, EOFError):
            report.add("sources", path.name, _("The zip file is damaged or cut short."), ERROR)
        return found
    data = _read_bytes(path, MAX_TRACKER_BYTES, report, "sources")
    if data is not None:
        found[path.name] = data
    return found


def trackers_read(
    trackers: Path | None, mapping: Path, report: Report
) -> tuple[Mapping | None, dict]:
    """The mapping and each tracker export it names, read and mapped; by kind."""
    data = _read_bytes(mapping, MAX_MAPPING_BYTES, report, "sources")
    if data is None:
        return None, {}
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.add("sources", mapping.name, _("The mapping file is not UTF-8 text."), ERROR)
        return None, {}
    parsed, problems = mapping_read(text)
    for problem in problems:
        subject = (
            f"{mapping.name} [trackers.{problem.tracker}]" if problem.tracker else mapping.name
        )
        report.add("sources", subject, problem.message, problem.level)
    if parsed is None or trackers is None:
        return parsed, {}
    files = _tracker_files(trackers, report)
    by_name = {name.casefold(): data for name, data in files.items()}
    result: dict[str, Tracker] = {}
    for name, part in parsed.trackers.items():
        content = by_name.get(PurePosixPath(part.file).name.casefold())
        if content is None:
            report.add(
                "sources",
                f"[trackers.{name}]",
                _("The export “%(file)s” named by the mapping is not among the tracker files.")
                % {"file": part.file},
                ERROR,
            )
            continue
        if part.kind in result:
            report.add(
                "sources",
                f"[trackers.{name}]",
                _("Another part of the mapping already imports this kind of tracker."),
                ERROR,
            )
            continue
        reading = tracker_read(
            content,
            filename=part.file,
            separator=part.separator,
            encoding=part.encoding,
            timezone=part.timezone,
        )
        reading.problems.extend(mapping_check(part, reading))
        result[part.kind] = Tracker(
            mapping=part,
            reading=reading,
            rows=mapped_rows(part, reading) if reading.ok else [],
        )
    return parsed, result


def _listing_in(path: Path) -> tuple[bytes | None, str]:
    if path.is_dir():
        for name in LISTING_NAMES:
            candidate = path / name
            if candidate.is_file():
                return candidate.read_bytes(), name
        return None, ""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                base = PurePosixPath(info.filename).name
                if base.lower() in LISTING_NAMES and info.file_size < 64 * 1024 * 1024:
                    return archive.read(info), base
    except (zipfile.BadZipFile, OSError, EOFError):
        return None, ""
    return None, ""


def files_source_read(path: Path, listing: Path | None, report: Report) -> FilesReading | None:
    """The gallery files and their listing (given, or found in the folder or zip)."""
    if listing is not None:
        listing_data = _read_bytes(listing, 64 * 1024 * 1024, report, "files")
        listing_name = listing.name
    else:
        listing_data, listing_name = _listing_in(path)
        if listing_data is None:
            report.add(
                "files",
                path.name,
                _(
                    "The files come without their listing: add a listing.csv (file id, name, "
                    "gallery...) to the folder or zip, or give it separately."
                ),
                ERROR,
            )
            return None
    if listing_data is None:
        return None
    limits = FilesLimits(
        max_file_bytes=settings.WIKI_ATTACHMENT_MAX_BYTES,
        max_files=FILES_LIMITS.max_files,
        max_total_bytes=FILES_LIMITS.max_total_bytes,
        max_pixels=FILES_LIMITS.max_pixels,
    )
    reading = files_read(path, listing_data, listing_name=listing_name, limits=limits)
    for problem in reading.problems:
        subject = f"{problem.source} ({problem.file_id})" if problem.file_id else problem.source
        report.add("files", subject, problem.message, problem.level)
    return reading


def sources_read(paths: dict[str, Path], report: Report) -> Sources:
    """Read every source given (keys of SOURCE_KINDS); problems go to the report."""
    sources = Sources()
    if "pages" in paths:
        sources.pages = export_read(paths["pages"])
        for problem in sources.pages.problems:
            # A problem naming a page was read past (a charset guessed); one without refused a file.
            level = WARNING if problem.page else ERROR
            report.add("pages", problem.page or problem.source, problem.message, level)
    if "structure" in paths:
        data = _read_bytes(paths["structure"], 2 * 1024 * 1024, report, "structure")
        if data is not None:
            try:
                sources.structure = tiki_structure_read(data)
            except UploadProblem as refusal:
                report.add("structure", paths["structure"].name, refusal.message, ERROR)
        if sources.structure is not None:
            for row_problem in sources.structure.problems:
                subject = row_problem.page or _("row %(row)d") % {"row": row_problem.row}
                level = WARNING if row_problem.row else ERROR
                report.add("structure", subject, row_problem.message, level)
    if "mapping" in paths:
        sources.mapping, sources.trackers = trackers_read(
            paths.get("trackers"), paths["mapping"], report
        )
        for tracker in sources.trackers.values():
            for tracker_problem in tracker.reading.problems:
                row = tracker_problem.row
                subject = tracker_problem.source + (
                    " " + _("row %(row)d") % {"row": row} if row else ""
                )
                report.add(
                    tracker.mapping.kind, subject, tracker_problem.message, tracker_problem.level
                )
    elif "trackers" in paths:
        report.add("sources", "", _("Tracker exports need their mapping file."), ERROR)
    if "files" in paths:
        sources.files = files_source_read(paths["files"], paths.get("listing"), report)
    return sources
