"""Reading Tiki's "export wiki pages" files and archives (wikispiral/wiki/tiki/export.py).

The files are built here the way Tiki writes them (lib/wiki/exportlib.php, MimeifyPageRevision
in lib/ziplib.php): CRLF lines, every Content-Type parameter percent-encoded in the part's
charset, empty values as "", the current version first and the history newest first.
"""

import datetime
import io
import os
import tarfile
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from wikispiral.wiki.tiki import (
    ExportLimits,
    TikiPage,
    export_iter,
    export_read,
    export_read_bytes,
    page_file_read,
)

UTC = datetime.UTC


def tiki_part(
    name: str,
    version: int,
    text: str,
    *,
    charset: str = "utf-8",
    encode_as: str | None = None,
    author: str = "admin",
    summary: str = "",
    description: str = "",
    lastmodified: int = 1_262_304_000,
    hits: int | None = 7,
) -> bytes:
    """One application/x-tikiwiki part; encode_as writes bytes in another charset than the one
    declared (old Tiki always declared iso-8859-1)."""
    codec = encode_as or charset

    def encoded(value: str) -> str:
        return quote(value.encode(codec), safe="") or '""'

    params = [
        ("pagename", encoded(name)),
        ("flags", '""'),
        ("author", encoded(author)),
        ("version", str(version)),
        ("lastmodified", str(lastmodified)),
        ("author_id", "192.0.2.1"),
        ("summary", encoded(summary)),
    ]
    if hits is not None:
        params.append(("hits", str(hits)))
    params += [("description", encoded(description)), ("charset", charset)]
    head = "Content-Type: application/x-tikiwiki" + "".join(
        f";\r\n  {key}={value}" for key, value in params
    )
    head += "\r\nContent-Transfer-Encoding: binary\r\n\r\n"
    body = "".join(line.rstrip() + "\r\n" for line in text.split("\n"))
    return head.encode("ascii") + body.encode(codec)


def tiki_file(*parts: bytes) -> bytes:
    head = b"Date: Mon,  4 Jan 2010 10:00:00 +0000\r\nMime-Version: 1.0 (Produced by Tiki)\r\n"
    if len(parts) == 1:
        return head + parts[0]
    boundary = b"=_multipart_boundary_1"
    separator = b"\r\n--" + boundary + b"\r\n"
    return (
        head
        + b'Content-Type: multipart/mixed;\r\n  boundary="'
        + boundary
        + b'"\r\n'
        + separator
        + separator.join(parts)
        + b"\r\n--"
        + boundary
        + b"--\r\n"
    )


def french_page() -> bytes:
    """A page of an old site: three revisions, ISO-8859-1, accents in name, text and summary."""
    return tiki_file(
        tiki_part(
            "Coordination Vila Nova",
            3,
            "!Ação coletiva\nLa coordination de Vila Nova réunit élus et habitants.\n"
            "Participação: 12 pessoas, informações e opções.",
            charset="iso-8859-1",
            author="joão",
            summary="révision française",
            description="Plateforme de Vila Nova",
            lastmodified=1_300_000_300,
            hits=42,
        ),
        tiki_part(
            "Coordination Vila Nova",
            2,
            "Deuxième version, ça avance.",
            charset="iso-8859-1",
            author="céline",
            lastmodified=1_300_000_200,
        ),
        tiki_part(
            "Coordination Vila Nova",
            1,
            "Première ébauche.",
            charset="iso-8859-1",
            author="céline",
            lastmodified=1_300_000_100,
        ),
    )


def test_reads_every_revision_of_an_iso_8859_1_page_oldest_first() -> None:
    page, problems = page_file_read(french_page(), source="Coordination Vila Nova")

    assert problems == []
    assert page is not None
    assert page.name == "Coordination Vila Nova"
    assert [r.version for r in page.revisions] == [1, 2, 3]
    first, _second, last = page.revisions
    assert first.text == "Première ébauche."
    assert first.author == "céline"
    assert first.time == datetime.datetime(2011, 3, 13, 7, 8, 20, tzinfo=UTC)
    assert last.text == (
        "!Ação coletiva\nLa coordination de Vila Nova réunit élus et habitants.\n"
        "Participação: 12 pessoas, informações e opções."
    )
    assert last.author == "joão"
    assert last.summary == "révision française"
    assert last.description == "Plateforme de Vila Nova"
    assert last.hits == 42
    assert last.ip == "192.0.2.1"
    assert last.time.tzinfo is UTC


def test_reads_a_page_exported_with_its_current_version_only() -> None:
    data = tiki_file(tiki_part("Accueil", 5, "Bem-vindo à rede.\n\nSegunda linha."))

    page, problems = page_file_read(data, source="Accueil")

    assert problems == []
    assert page is not None
    assert [(r.version, r.text) for r in page.revisions] == [
        (5, "Bem-vindo à rede.\n\nSegunda linha.")
    ]


def test_parameters_with_reserved_characters_come_back_as_written() -> None:
    name = 'SPIRAL » "Histoire"; a=b'
    data = tiki_file(tiki_part(name, 1, "x", summary="50% done; (draft)"))

    page, problems = page_file_read(data, source="x")

    assert problems == []
    assert page is not None
    assert page.name == name
    assert page.revisions[0].summary == "50% done; (draft)"


def test_utf8_text_declared_iso_8859_1_is_read_as_utf8_with_a_warning() -> None:
    data = tiki_file(tiki_part("Page", 1, "Ação e opções", charset="iso-8859-1", encode_as="utf-8"))

    page, problems = page_file_read(data, source="Page")

    assert page is not None
    assert page.revisions[0].text == "Ação e opções"
    assert [p.message for p in problems] == [
        "The text says it is ISO-8859-1 but is UTF-8; it was read as UTF-8."
    ]
    assert problems[0].page == "Page"


def test_text_that_is_not_the_declared_utf8_is_read_as_latin1_with_a_warning() -> None:
    data = tiki_file(tiki_part("Page", 1, "Réunion à Lisboa", charset="utf-8", encode_as="latin-1"))

    page, problems = page_file_read(data, source="Page")

    assert page is not None
    assert page.revisions[0].text == "Réunion à Lisboa"
    assert [p.message for p in problems] == [
        "The text is not valid utf-8; it was read as ISO-8859-1. Check its accents."
    ]


def test_an_unknown_charset_is_a_warning_and_the_text_is_guessed() -> None:
    part = tiki_part("Página", 1, "Informação", encode_as="utf-8")
    data = tiki_file(part.replace(b"charset=utf-8", b"charset=x-klingon"))

    page, problems = page_file_read(data, source="f")

    assert page is not None
    assert page.revisions[0].text == "Informação"
    assert [p.message for p in problems] == [
        "The charset “x-klingon” is unknown; the text was read as UTF-8."
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"Just some text\nwith lines\n",
        b"\x89PNG\r\n\x1a\n\x00\x00binary",
        b"Subject: hello\r\n\r\nAn e-mail, not a page.\r\n",
    ],
    ids=["empty", "plain-text", "binary", "other-mime"],
)
def test_a_file_that_is_not_a_tiki_export_is_a_problem(data: bytes) -> None:
    page, problems = page_file_read(data, source="notes.txt")

    assert page is None
    assert [(p.source, p.message) for p in problems] == [
        ("notes.txt", "This file is not a Tiki page export (it is not in MIME form).")
    ]


def test_a_page_file_cut_short_is_refused_whole() -> None:
    data = french_page()

    page, problems = page_file_read(data[: len(data) * 2 // 3], source="cut")

    assert page is None
    assert [p.message for p in problems] == [
        "This page file is cut short (its last revision is incomplete)."
    ]


def test_a_revision_without_a_valid_version_refuses_the_page() -> None:
    part = tiki_part("Page", 1, "x").replace(b"version=1", b"version=one")

    page, problems = page_file_read(tiki_file(part, tiki_part("Page", 2, "y")), source="f")

    assert page is None
    assert [p.message for p in problems] == [
        "A revision of “Page” has no valid version number or date."
    ]


def test_a_file_mixing_two_pages_is_refused() -> None:
    data = tiki_file(tiki_part("One", 2, "a"), tiki_part("Two", 1, "b"))

    page, problems = page_file_read(data, source="f")

    assert page is None
    assert [p.message for p in problems] == [
        "This file mixes revisions of several pages (One, Two)."
    ]


def test_a_version_listed_twice_keeps_the_current_one_and_says_so() -> None:
    data = tiki_file(tiki_part("Page", 2, "current"), tiki_part("Page", 2, "stale copy"))

    page, problems = page_file_read(data, source="f")

    assert page is not None
    assert [r.text for r in page.revisions] == ["current"]
    assert [p.message for p in problems] == [
        "Version 2 appears twice with different texts; the first was kept."
    ]


# --- Archives -----------------------------------------------------------------------------------


def two_pages() -> dict[str, bytes]:
    return {
        "Coordination Vila Nova": french_page(),
        "Accueil": tiki_file(tiki_part("Accueil", 1, "Bem-vindo")),
    }


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def tar_bytes(files: dict[str, bytes], mode: str = "w:gz") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def names(pages: list[TikiPage]) -> list[str]:
    return sorted(page.name for page in pages)


def test_reads_a_zip_archive(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    files = two_pages() | {"__MACOSX/._Accueil": b"\x00\x05junk", "wiki/.DS_Store": b"x"}
    path.write_bytes(zip_bytes(files))

    reading = export_read(path)

    assert reading.problems == []
    assert names(reading.pages) == ["Accueil", "Coordination Vila Nova"]
    vila = next(p for p in reading.pages if p.name == "Coordination Vila Nova")
    assert [r.author for r in vila.revisions] == ["céline", "céline", "joão"]


def test_reads_a_tar_gz_archive(tmp_path: Path) -> None:
    path = tmp_path / "export.tar.gz"
    path.write_bytes(tar_bytes(two_pages()))

    reading = export_read(path)

    assert reading.problems == []
    assert names(reading.pages) == ["Accueil", "Coordination Vila Nova"]


def test_reads_a_plain_tar_as_tiki_writes_it(tmp_path: Path) -> None:
    path = tmp_path / "export.tar"
    path.write_bytes(tar_bytes(two_pages(), mode="w:"))

    reading = export_read(path)

    assert reading.problems == []
    assert names(reading.pages) == ["Accueil", "Coordination Vila Nova"]


def test_reads_an_old_v7_tar_without_the_ustar_magic(tmp_path: Path) -> None:
    path = tmp_path / "export.tar"
    raw = bytearray(tar_bytes(two_pages(), mode="w:"))
    for offset in range(0, len(raw), 512):  # turn every ustar header into a V7 one
        if raw[offset + 257 : offset + 262] == b"ustar":
            raw[offset + 257 : offset + 265] = b"\x00" * 8
            raw[offset + 148 : offset + 156] = b" " * 8
            checksum = sum(raw[offset : offset + 512])
            raw[offset + 148 : offset + 156] = b"%06o\x00 " % checksum
    path.write_bytes(bytes(raw))

    reading = export_read(path)

    assert reading.problems == []
    assert names(reading.pages) == ["Accueil", "Coordination Vila Nova"]


def test_reads_a_folder_and_its_subfolders(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "Accueil").write_bytes(two_pages()["Accueil"])
    (tmp_path / "sub" / "Vila").write_bytes(two_pages()["Coordination Vila Nova"])

    reading = export_read(tmp_path)

    assert reading.problems == []
    assert names(reading.pages) == ["Accueil", "Coordination Vila Nova"]


def test_reads_an_archive_held_in_memory() -> None:
    reading = export_read_bytes(zip_bytes(two_pages()), filename="upload.zip")

    assert reading.problems == []
    assert names(reading.pages) == ["Accueil", "Coordination Vila Nova"]


def test_export_iter_yields_pages_one_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(zip_bytes(two_pages()))

    items = export_iter(path)

    first = next(items)
    assert first.__class__.__name__ == "TikiPage"
    assert len(list(items)) == 1


def test_a_single_page_file_is_an_export_of_one_page(tmp_path: Path) -> None:
    path = tmp_path / "Accueil"
    path.write_bytes(two_pages()["Accueil"])

    reading = export_read(path)

    assert reading.problems == []
    assert names(reading.pages) == ["Accueil"]


def test_a_truncated_zip_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    data = zip_bytes(two_pages())
    path = tmp_path / "export.zip"
    path.write_bytes(data[: len(data) // 2])

    reading = export_read(path)

    assert reading.pages == []
    assert [(p.source, p.message) for p in reading.problems] == [
        ("export.zip", "The zip archive is damaged or cut short; export it again.")
    ]


def test_a_truncated_tar_gz_keeps_the_pages_read_before_the_damage(tmp_path: Path) -> None:
    files = {
        "Accueil": two_pages()["Accueil"],
        "Big": tiki_file(tiki_part("Big", 1, os.urandom(60_000).hex())),
    }
    data = tar_bytes(files)
    path = tmp_path / "export.tar.gz"
    path.write_bytes(data[: len(data) - 20_000])

    reading = export_read(path)

    assert names(reading.pages) == ["Accueil"]
    assert [p.source for p in reading.problems] == ["export.tar.gz"]
    assert reading.problems[0].message.startswith("The archive is damaged or cut short")


def test_a_damaged_zip_member_is_skipped_and_the_others_read(tmp_path: Path) -> None:
    data = bytearray(zip_bytes(two_pages()))
    start = data.find(b"PK\x03\x04")
    name_length = int.from_bytes(data[start + 26 : start + 28], "little")
    payload = start + 30 + name_length
    data[payload + 5 : payload + 25] = b"\xff" * 20  # corrupt the first member's deflate data
    path = tmp_path / "export.zip"
    path.write_bytes(bytes(data))

    reading = export_read(path)

    assert names(reading.pages) == ["Accueil"]
    assert [p.message for p in reading.problems] == [
        "This file is damaged in the archive (or encrypted); it was skipped."
    ]


@pytest.mark.parametrize("evil", ["../outside", "/etc/passwd", "pages/../../up", "C:/windows"])
def test_zip_names_that_climb_out_are_skipped(tmp_path: Path, evil: str) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(zip_bytes(two_pages() | {evil: tiki_file(tiki_part("Evil", 1, "x"))}))

    reading = export_read(path)

    assert names(reading.pages) == ["Accueil", "Coordination Vila Nova"]
    assert [(p.source, p.message) for p in reading.problems] == [
        (evil, "This name points outside the archive; the file was skipped.")
    ]


def test_tar_names_that_climb_out_and_links_are_skipped(tmp_path: Path) -> None:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, content in (two_pages() | {"../../evil": b"x"}).items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
        link = tarfile.TarInfo("shadow")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/shadow"
        archive.addfile(link)
    path = tmp_path / "export.tgz"
    path.write_bytes(out.getvalue())

    reading = export_read(path)

    assert names(reading.pages) == ["Accueil", "Coordination Vila Nova"]
    assert [(p.source, p.message) for p in reading.problems] == [
        ("../../evil", "This name points outside the archive; the file was skipped."),
        ("shadow", "This is a link or a device, not a file; it was skipped."),
    ]


def test_too_many_files_refuses_the_archive(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    files = {f"page{i}": tiki_file(tiki_part(f"Page {i}", 1, "x")) for i in range(3)}
    path.write_bytes(zip_bytes(files))

    reading = export_read(path, limits=ExportLimits(max_files=2))

    assert reading.pages == []
    assert [(p.source, p.message) for p in reading.problems] == [
        ("export.zip", "The export holds more than 2 files; split it into several archives.")
    ]


def test_too_many_files_in_a_folder_stops_the_reading(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"page{i}").write_bytes(tiki_file(tiki_part(f"Page {i}", 1, "x")))

    reading = export_read(tmp_path, limits=ExportLimits(max_files=2))

    assert len(reading.pages) == 2
    assert [p.message for p in reading.problems] == [
        "The export holds more than 2 files; split it into several archives."
    ]


def test_a_compression_bomb_stops_at_the_byte_budget(tmp_path: Path) -> None:
    bomb = tiki_file(tiki_part("Bomb", 1, "a" * (8 * 1024 * 1024)))
    path = tmp_path / "export.tar.gz"
    path.write_bytes(tar_bytes({"bomb": bomb}))
    assert path.stat().st_size < 100_000

    reading = export_read(path, limits=ExportLimits(max_total_bytes=1024 * 1024))

    assert reading.pages == []
    assert [p.message for p in reading.problems] == [
        "The export unpacks to more than 1 MB; split it into several archives."
    ]


def test_a_zip_declaring_more_than_the_budget_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(zip_bytes({"big": b"0" * (3 * 1024 * 1024)}))

    reading = export_read(path, limits=ExportLimits(max_total_bytes=1024 * 1024))

    assert reading.pages == []
    assert [p.message for p in reading.problems] == [
        "The export unpacks to more than 1 MB; split it into several archives."
    ]


def test_a_file_over_the_size_limit_is_skipped(tmp_path: Path) -> None:
    files = two_pages() | {"huge": tiki_file(tiki_part("Huge", 1, "b" * 3 * 1024 * 1024))}
    path = tmp_path / "export.zip"
    path.write_bytes(zip_bytes(files))

    reading = export_read(path, limits=ExportLimits(max_file_bytes=1024 * 1024))

    assert names(reading.pages) == ["Accueil", "Coordination Vila Nova"]
    assert [(p.source, p.message) for p in reading.problems] == [
        ("huge", "This file is larger than 1 MB; it was skipped.")
    ]


def test_the_same_page_twice_keeps_the_first(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    accueil = two_pages()["Accueil"]
    path.write_bytes(zip_bytes({"a/Accueil": accueil, "b/Accueil": accueil}))

    reading = export_read(path)

    assert names(reading.pages) == ["Accueil"]
    assert [(p.source, p.message) for p in reading.problems] == [
        ("b/Accueil", "The page “Accueil” was already read from a/Accueil; skipped.")
    ]


def test_a_symlink_in_a_folder_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "Accueil").write_bytes(two_pages()["Accueil"])
    secret = tmp_path.parent / f"{tmp_path.name}-secret"
    secret.write_bytes(tiki_file(tiki_part("Secret", 1, "x")))
    (tmp_path / "link").symlink_to(secret)

    reading = export_read(tmp_path)

    assert names(reading.pages) == ["Accueil"]
    assert [(p.source, p.message) for p in reading.problems] == [
        ("link", "This is a link or a device, not a file; it was skipped.")
    ]


def test_bad_files_inside_an_archive_are_problems_beside_the_good_pages(tmp_path: Path) -> None:
    files = two_pages() | {"notes.txt": b"not a page", "cut": french_page()[:900]}
    path = tmp_path / "export.zip"
    path.write_bytes(zip_bytes(files))

    reading = export_read(path)

    assert names(reading.pages) == ["Accueil", "Coordination Vila Nova"]
    assert [(p.source, p.message) for p in reading.problems] == [
        ("notes.txt", "This file is not a Tiki page export (it is not in MIME form)."),
        ("cut", "This page file is cut short (its last revision is incomplete)."),
    ]


def test_a_missing_path_is_a_problem(tmp_path: Path) -> None:
    reading = export_read(tmp_path / "nothing.zip")

    assert reading.pages == []
    assert [p.message for p in reading.problems] == ["This file cannot be opened."]


# --- The fast reader of Tiki's own shape (wikispiral/wiki/tiki/mime.py) -------------------------


def _fast_and_email(data: bytes):
    from wikispiral.wiki.tiki.export import _email_parts
    from wikispiral.wiki.tiki.mime import tiki_parts

    return tiki_parts(data), _email_parts(data)


@pytest.mark.parametrize(
    "data",
    [
        french_page(),
        tiki_file(tiki_part("Solo", 1, "Only the current version.\n\n* a list")),
        tiki_file(
            tiki_part("A;B=C d%", 2, "x", summary='50% done; "quoted" = yes', description=""),
            tiki_part("A;B=C d%", 1, "line\r\n--not a boundary\r\nend", hits=None),
        ),
        tiki_file(tiki_part("Empty", 1, "")),
    ],
    ids=["iso-8859-1 history", "single part", "reserved characters", "empty text"],
)
def test_the_fast_reader_gives_what_the_email_parser_gives(data: bytes) -> None:
    fast, slow = _fast_and_email(data)
    assert fast is not None  # Tiki's own shape: read without the email parser
    assert [(params, body.rstrip(b"\r\n")) for params, body in fast] == [
        (params, body.rstrip(b"\r\n")) for params, body in slow
    ]


def test_the_fast_reader_leaves_other_shapes_to_the_email_parser() -> None:
    from wikispiral.wiki.tiki.mime import tiki_parts

    page = french_page()
    assert tiki_parts(page[: len(page) - 40]) is None  # cut short: no closing boundary
    encoded = page.replace(
        b"Content-Transfer-Encoding: binary", b"Content-Transfer-Encoding: base64"
    )
    assert tiki_parts(encoded) is None
    rfc2231 = page.replace(b"pagename=", b"pagename*=", 1)
    assert tiki_parts(rfc2231) is None
    # ...whose answer the page reader keeps: the same refusal as before.
    read, problems = page_file_read(page[: len(page) - 40], source="cut.txt")
    assert read is None and "cut short" in problems[0].message
