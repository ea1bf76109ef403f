"""The move-in's parts on their own: the mapping's [pages] part and tracker ids, the language
guess, the structure's page_ref_id, files as attachments, and bad input met by the import
(a mapping naming a missing column, an unknown place, a page file that is not MIME, a file
over the size limit, a structure file that is not CSV)."""

import contextlib
import zipfile

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_space, make_user
from tests.movein.tiki_site import MAPPING, png, write_site
from wikispiral.movein.models import MoveIn
from wikispiral.movein.report import report_load
from wikispiral.movein.storage import report_path
from wikispiral.wiki.models import Attachment
from wikispiral.wiki.tiki.attachments import tiki_attachment_import, tiki_attachment_name
from wikispiral.wiki.tiki.files import files_read
from wikispiral.wiki.tiki.languages import language_guess
from wikispiral.wiki.tiki.mapping import mapping_read
from wikispiral.wiki.tiki.structure import tiki_structure_read

LANGUAGES = ("en", "fr", "pt")


def test_mapping_pages_part_and_tracker_ids():
    mapping, problems = mapping_read(MAPPING)
    assert mapping is not None, problems
    assert mapping.pages_language == "en"
    assert mapping.pages_spaces == {"Mulhouse agenda": "GC136526"}
    assert mapping.trackers["groups"].tracker_id == 1
    only_pages, problems = mapping_read('[pages]\nlanguage = "pt"\n')
    assert only_pages is not None and only_pages.trackers == {} and not problems


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[pages]\nlanguage = "not a code"\n', "“language” must be a language code"),
        ("[pages.spaces]\nHome = 3\n", "must name a coordination group"),
        (
            '[trackers.g]\nfile = "g.csv"\nkind = "coordination_groups"\ntracker_id = "one"\n'
            '[trackers.g.columns]\nname = "Name"\nnetwork_id = "Id"\n',
            "“tracker_id” must be a whole number",
        ),
    ],
)
def test_mapping_pages_and_tracker_id_errors(text, message):
    mapping, problems = mapping_read(text)
    assert mapping is None
    assert any(message in problem.message for problem in problems), problems


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("!!Bienvenue\nLe __réseau__ des territoires de coresponsabilité.", "fr"),
        ("!!! O bem-estar de todos\n* uma responsabilidade partilhada", "pt"),
        ("((Home|The network)) of territories of co-responsibility, since 2005.", "en"),
    ],
)
def test_language_guess_reads_the_words_not_the_markup(text, language):
    guess = language_guess(text, languages=LANGUAGES)
    assert guess is not None and guess.language == language and guess.sure


def test_language_guess_gives_up_without_words():
    assert language_guess("{img fileId=3} ---- || ||", languages=LANGUAGES) is None
    unsure = language_guess("SPIRAL", languages=LANGUAGES)
    assert unsure is None or not unsure.sure


def test_structure_page_ref_ids_are_read_and_checked():
    structure = tiki_structure_read(b"page,parent,page_ref_id\nHome,,1\nSPIRAL,Home,2 17\nBad,,x\n")
    assert [(row.page, row.page_refs) for row in structure.rows] == [
        ("Home", (1,)),
        ("SPIRAL", (2, 17)),
    ]
    assert [problem.page for problem in structure.problems] == ["Bad"]


@pytest.mark.django_db
def test_a_gallery_file_becomes_an_attachment_once(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "5.png").write_bytes(png())
    listing = b"fileId,galleryId,name,filename\n5,1,Le logo,le logo.png\n"
    (tiki_file,) = files_read(folder, listing).files
    assert tiki_attachment_name(tiki_file) == "tiki-5-le-logo.png"
    space = make_space()
    actor = make_user()
    first = tiki_attachment_import(
        file=tiki_file, space=space, page=None, actor=actor, dry_run=False
    )
    again = tiki_attachment_import(
        file=tiki_file, space=space, page=None, actor=actor, dry_run=False
    )
    assert (first.status, again.status) == ("created", "unchanged")
    assert first.attachment is not None and first.attachment.file.read() == png()
    # The file changed on the old site: the attachment takes its new bytes.
    (folder / "5.png").write_bytes(png("green"))
    (changed,) = files_read(folder, listing).files
    updated = tiki_attachment_import(
        file=changed, space=space, page=None, actor=actor, dry_run=False
    )
    assert updated.status == "updated"
    assert Attachment.objects.get(space=space).sha256 == changed.sha256


def _run(site, capture) -> MoveIn:
    with capture(execute=True), contextlib.suppress(CommandError):  # the report says which
        call_command("import_tiki", "--as", "secretary", **site.options())
    return MoveIn.objects.latest("pk")


def _lines(move: MoveIn) -> list[str]:
    report = report_load(report_path(move))
    assert report is not None
    return [f"{line.level} {line.subject}: {line.message}" for line in report.lines]


@pytest.mark.django_db
def test_a_mapping_naming_a_missing_column_refuses_that_tracker(
    tmp_path,
    places,
    secretary,
    django_capture_on_commit_callbacks,
):
    site = write_site(tmp_path / "export")
    site.mapping.write_text(MAPPING.replace('text = "Text"', 'text = "Texte"'), encoding="utf-8")
    move = _run(site, django_capture_on_commit_callbacks)
    lines = _lines(move)
    assert any("“Texte”" in line and "does not have" in line for line in lines), lines
    assert move.counts["criteria"] == {"refused": 30}
    assert move.counts["coordination_groups"] == {"created": 1}  # the other trackers came in


@pytest.mark.django_db
def test_an_unknown_place_is_listed_not_guessed(
    tmp_path,
    places,
    secretary,
    django_capture_on_commit_callbacks,
):
    site = write_site(tmp_path / "export")
    groups = site.trackers / "groups.csv"
    groups.write_text(groups.read_text().replace("Grand Est", "Atlantis"), encoding="utf-8")
    move = _run(site, django_capture_on_commit_callbacks)
    report = report_load(report_path(move))
    assert report is not None and any("Atlantis" in place for place in report.unknown_places)
    assert move.counts["coordination_groups"] == {"refused": 1}
    # Without their group, the homogeneous groups and criteria are refused with their rows named.
    assert move.counts["homogeneous_groups"] == {"refused": 2}
    assert any("homogeneous_groups.csv, row 2" in line for line in _lines(move))


@pytest.mark.django_db
def test_bad_files_in_the_export_are_lines_of_the_report(
    tmp_path,
    places,
    secretary,
    settings,
    django_capture_on_commit_callbacks,
):
    site = write_site(tmp_path / "export")
    with zipfile.ZipFile(site.pages, "a") as archive:
        archive.writestr("notes.txt", b"Just some notes, not a page export.\n")
    settings.WIKI_ATTACHMENT_MAX_BYTES = 60  # the PNGs are larger, the PDF is not
    site.structure.write_bytes(b"\x00\x01 not a csv")
    move = _run(site, django_capture_on_commit_callbacks)
    lines = _lines(move)
    assert any("notes.txt" in line and "not a Tiki page export" in line for line in lines), lines
    assert any(line.startswith("error structure.csv") for line in lines), lines
    assert move.counts["files"] == {"created": 1}
    assert sum(
        "101" in line or "103" in line for line in lines if "files" in line or "larg" in line
    )
    assert move.counts["pages"]["created"] == 5  # the good pages came in all the same


@pytest.mark.django_db
def test_a_contact_email_is_added_to_the_contacts(
    tmp_path, places, secretary, django_capture_on_commit_callbacks
):
    from territories.models import CoordinationGroup
    from wikispiral.tenancy import cross_tenant

    site = write_site(tmp_path / "export")
    groups = site.trackers / "groups.csv"
    lines = groups.read_text().splitlines()
    lines[0] += ",Contacts -- 9,Email -- 10"
    lines[1] += ',"Town hall, 2 rue X",contact@example.org'
    groups.write_text("\n".join(lines) + "\n", encoding="utf-8")
    site.mapping.write_text(
        MAPPING.replace(
            'page = "Page"\nlanguage = "Language"\n\n[trackers.hgs]',
            'page = "Page"\nlanguage = "Language"\ncontacts = "Contacts"\n'
            'contact_email = "Email"\n\n[trackers.hgs]',
        ),
        encoding="utf-8",
    )
    move = _run(site, django_capture_on_commit_callbacks)
    assert move.error_count == 0, _lines(move)
    with cross_tenant():
        group = CoordinationGroup.objects.get(network_id="GC136526")
    assert group.contacts == "Town hall, 2 rue X\ncontact@example.org"
