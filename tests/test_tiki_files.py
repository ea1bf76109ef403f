"""Reading the files of Tiki's file galleries with their listing (wikispiral/wiki/tiki/files.py).

The listing's columns are tiki_files' own (fileId, galleryId, name, description, filename, user,
created, path); the files come as a folder or a zip, named by id, by their file name or by the
name Tiki stored them under (path).
"""

import datetime
import io
import zipfile

import pytest
from PIL import Image

from wikispiral.wiki.services import ALLOWED_UPLOADS
from wikispiral.wiki.tiki.files import (
    ALLOWED_TYPES,
    FilesLimits,
    content_type_sniff,
    files_read,
)

UTC = datetime.UTC
PDF = b"%PDF-1.4\n% a small document\n%%EOF\n"


def png(width: int = 4, height: int = 4) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(out, format="PNG")
    return out.getvalue()


def listing(rows: list[list[str]], *, encoding: str = "utf-8", separator: str = ",") -> bytes:
    header = ["fileId", "galleryId", "name", "description", "filename", "user", "created"]
    lines = [separator.join(header)]
    for row in rows:
        lines.append(separator.join(f'"{cell}"' for cell in row))
    return ("\n".join(lines) + "\n").encode(encoding)


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def errors(reading):
    return [p for p in reading.problems if p.level == "error"]


def test_the_sniffed_types_are_the_wiki_attachments():
    assert {magic: kind for magic, (kind, _ext) in ALLOWED_UPLOADS.items()} == ALLOWED_TYPES
    assert content_type_sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert content_type_sniff(b"<svg xmlns=") is None


def test_folder_matched_by_id_and_by_filename(tmp_path):
    (tmp_path / "12").mkdir()
    (tmp_path / "12" / "5_rapport.pdf").write_bytes(PDF)
    (tmp_path / "logo.png").write_bytes(png())
    rows = [
        ["5", "12", "Rapport annuel", "Le rapport%%%de 2010", "rapport.pdf", "alice", "1262304000"],
        ["6", "12", "Logo", "", "logo.png", "bob", "1262390400"],
    ]
    reading = files_read(tmp_path, listing(rows))
    assert reading.ok, reading.problems
    report, logo = reading.files
    assert report.file_id == 5
    assert report.gallery_id == 12
    assert report.name == "Rapport annuel"
    assert report.description == "Le rapport\nde 2010"
    assert report.creator == "alice"
    assert report.created == datetime.datetime(2010, 1, 1, tzinfo=UTC)
    assert report.content_type == "application/pdf"
    assert report.source == "12/5_rapport.pdf"
    assert report.open() == PDF
    assert logo.content_type == "image/png"
    assert logo.size == len(png())


def test_zip_bytes_with_iso_8859_1_semicolon_listing_and_stored_paths():
    data = zipped({"files/a81f3c": PDF, "files/unlisted.pdf": PDF})
    rows = [["7", "3", "Relatório de Évora", "Été", "relatorio.pdf", "joão", "04/03/2012 10:00"]]
    header = "fileId;galleryId;name;description;filename;user;created;path\n"
    body = ";".join(f'"{c}"' for c in [*rows[0], "a81f3c"]) + "\n"
    reading = files_read(data, (header + body).encode("iso-8859-1"))
    (found,) = reading.files
    assert found.name == "Relatório de Évora"
    assert found.creator == "joão"
    assert found.created == datetime.datetime(2012, 3, 4, 10, 0, tzinfo=UTC)
    assert found.source == "files/a81f3c"
    assert found.open() == PDF
    sources = {p.source for p in reading.problems if p.level == "warning"}
    assert "files/unlisted.pdf" in sources  # not in the listing: skipped, said
    assert reading.ok


def test_zip_file_on_disk(tmp_path):
    archive = tmp_path / "gallery.zip"
    archive.write_bytes(zipped({"9.png": png()}))
    reading = files_read(archive, listing([["9", "1", "Carte", "", "carte.png", "a", ""]]))
    assert reading.ok, reading.problems
    assert reading.files[0].open() == png()
    archive.write_bytes(zipped({"9.png": png(5, 5)}))
    assert reading.files[0].open() is None  # changed since it was checked


def test_listing_row_whose_file_is_missing(tmp_path):
    (tmp_path / "1.pdf").write_bytes(PDF)
    rows = [["1", "1", "Un", "", "un.pdf", "a", ""], ["2", "1", "Deux", "", "deux.pdf", "a", ""]]
    reading = files_read(tmp_path, listing(rows))
    assert [f.file_id for f in reading.files] == [1]
    (problem,) = errors(reading)
    assert problem.file_id == 2
    assert "not among the files" in problem.message


def test_oversize_and_disallowed_types_and_too_many_pixels(tmp_path):
    (tmp_path / "1.pdf").write_bytes(PDF + b"x" * 2000)
    (tmp_path / "2.docx").write_bytes(b"PK\x03\x04 a word document")
    (tmp_path / "3.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "4.png").write_bytes(png(100, 100))
    (tmp_path / "5.pdf").write_bytes(b"")
    rows = [[str(n), "1", f"F{n}", "", "", "a", ""] for n in range(1, 6)]
    limits = FilesLimits(max_file_bytes=1024, max_pixels=5000)
    reading = files_read(tmp_path, listing(rows), limits=limits)
    assert reading.files == []
    by_id = {p.file_id: p.message for p in errors(reading)}
    assert "larger than" in by_id[1]
    assert "Only PNG" in by_id[2]
    assert "Only PNG" in by_id[3]
    assert "pixels" in by_id[4]
    assert "empty" in by_id[5]


def test_traversal_names_are_refused():
    data = zipped({"../evil.pdf": PDF, "/etc/passwd.pdf": PDF, "ok/3.pdf": PDF})
    rows = [["3", "1", "ok", "", "", "a", ""]]
    reading = files_read(data, listing(rows))
    assert [f.file_id for f in reading.files] == [3]
    refused = {p.source for p in errors(reading)}
    assert {"../evil.pdf", "/etc/passwd.pdf"} <= refused
    header = "fileId,name,path\n"
    climbing = files_read(data, (header + '4,"x","../../secret"\n').encode())
    assert any("outside" in p.message and p.file_id == 4 for p in errors(climbing))


def test_symlink_in_a_folder_is_skipped(tmp_path):
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(PDF)
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "1.pdf").symlink_to(outside)
    reading = files_read(folder, listing([["1", "1", "x", "", "1.pdf", "a", ""]]))
    assert reading.files == []
    assert any("link" in p.message for p in reading.problems)


def test_two_candidates_for_one_row_are_reported(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "doc.pdf").write_bytes(PDF)
    (tmp_path / "b" / "doc.pdf").write_bytes(PDF)
    reading = files_read(tmp_path, listing([["8", "", "Doc", "", "doc.pdf", "a", ""]]))
    assert reading.files == []
    assert any("Several files" in p.message for p in errors(reading))


@pytest.mark.parametrize(
    ("files", "listing_data", "expected"),
    [
        (b"not a zip", listing([]), "damaged"),
        (zipped({}), b"name,description\nx,y\n", "fileId column"),
        (zipped({}), b"\x89PNG\r\n\x1a\n\x00\x00", "not a spreadsheet"),
    ],
)
def test_bad_archives_and_listings(files, listing_data, expected):
    reading = files_read(files, listing_data)
    assert not reading.ok
    assert any(expected in p.message for p in reading.problems), reading.problems


def test_duplicate_file_ids_in_the_listing(tmp_path):
    (tmp_path / "1.pdf").write_bytes(PDF)
    rows = [["1", "1", "a", "", "", "x", ""], ["1", "1", "b", "", "", "x", ""]]
    reading = files_read(tmp_path, listing(rows))
    assert [f.name for f in reading.files] == ["a"]
    assert any("repeats the file id 1" in p.message for p in errors(reading))
