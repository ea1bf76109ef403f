"""A small (or, for the bench, large) synthetic export of the network's old Tiki site, written
the way Tiki writes its exports (tests/test_tiki_export.py for the page files, the tracker CSV
as tiki-export_tracker writes it, the gallery listing as the files' table has it).

The network of the test: a coordination group of Mulhouse (France) with its page and one more
page in its space, two homogeneous groups with their pages, network pages in English with a
French translation in a tree (Home › SPIRAL › History of TOGETHER's activities), pictures and
a PDF from the file gallery, and criteria of both homogeneous groups. `later=True` writes the
export of the same site some weeks on: two more revisions of "SPIRAL" and five more criteria.
"""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from tests.test_tiki_export import tiki_file, tiki_part

START = int(datetime.datetime(2012, 3, 1, 9, 0, tzinfo=datetime.UTC).timestamp())
DAY = 86_400
PDF = b"%PDF-1.4\n% the network's report\n%%EOF\n"

CG_ITEM = 5001
HG_ITEMS = (5101, 5102)
CRITERIA_FIRST_ITEM = 6001
NETWORK_ID = "GC136526"


def png(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(out, format="PNG")
    return out.getvalue()


@dataclass
class SitePaths:
    pages: Path
    structure: Path
    trackers: Path
    mapping: Path
    files: Path

    def options(self) -> dict[str, str]:
        """Arguments of import_tiki."""
        return {
            "pages": str(self.pages),
            "structure": str(self.structure),
            "trackers": str(self.trackers),
            "mapping": str(self.mapping),
            "files": str(self.files),
        }


def _page(name: str, texts: list[str], *, author: str = "admin", charset: str = "utf-8") -> bytes:
    """A page file: the current version first, the history newest first (as Tiki writes)."""
    parts = [
        tiki_part(
            name,
            version,
            text,
            charset=charset,
            author=author if version % 2 else "marie",
            summary=f"version {version}",
            lastmodified=START + version * DAY,
        )
        for version, text in reversed(list(enumerate(texts, 1)))
    ]
    return tiki_file(*parts)


def network_pages(later: bool) -> dict[str, bytes]:
    spiral = [
        "!SPIRAL\nThe method: __well-being of all__ defined ((Home|together)).",
        "!SPIRAL\nThe method: __well-being of all__, defined ((Home|together)).\n"
        "* Q1 well-being\n* Q2 ill-being\n* Q3 what can I do",
    ]
    if later:
        spiral += [
            spiral[-1] + "\n\nSee ((History of TOGETHER's activities)).",
            spiral[-1] + "\n\n~np~__kept__~/np~",
        ]
    return {
        "Home": _page(
            "Home",
            [
                "!Welcome\nThe network of ((SPIRAL)).",
                "!Welcome\nThe network of ((SPIRAL|co-responsibility)).\n"
                '{img fileId=101 alt="logo"}\n'
                "[tiki-download_file.php?fileId=102|The 2015 report]",
                "!Welcome\nThe network of ((SPIRAL|co-responsibility)), since 2005.\n"
                '{img fileId=101 alt="logo"}\n[tiki-download_file.php?fileId=102|The 2015 report]\n'
                "{FANCYTABLE()}a|b{FANCYTABLE}",
            ],
        ),
        "Accueil": _page(
            "Accueil",
            ["!Bienvenue\nLe réseau des territoires de coresponsabilité, depuis 2005. Ça marche."],
            charset="iso-8859-1",
        ),
        "SPIRAL": _page("SPIRAL", spiral),
        "History of TOGETHER's activities": _page(
            "History of TOGETHER's activities",
            [
                "!!History\nFrom 2005 the Council of Europe ...",
                "!!History\nFrom 2005, the Council of Europe and the territories.",
            ],
        ),
        "Mulhouse platform": _page(
            "Mulhouse platform",
            [
                "!Plateforme de Mulhouse\nLa plateforme réunit les habitants de Mulhouse.",
                "!Plateforme de Mulhouse\nLa plateforme réunit les habitants et les élus.",
                "!Plateforme de Mulhouse\nLa plateforme réunit habitants, associations et élus.\n"
                "{img fileId=103}",
            ],
        ),
        "Mulhouse agenda": _page(
            "Mulhouse agenda", ["!Agenda\nRéunion le 12 mars à la mairie de Mulhouse."]
        ),
        "Young people of Mulhouse": _page(
            "Young people of Mulhouse",
            ["!!Jeunes de Mulhouse\nDix jeunes de 16 à 20 ans se sont réunis au centre social."],
        ),
    }


def filler_pages(count: int, revisions: int, *, rewrite_all: bool = False) -> dict[str, bytes]:
    """Pages for the bench: count pages of revisions versions each, shaped as a wiki page's
    history usually is: six paragraphs (a heading, prose with links, a list, a table), each
    version rewriting one of them and keeping the others. rewrite_all: the converter's worst
    case, each version one block different from the last in its first line."""
    pages: dict[str, bytes] = {}
    for number in range(count):
        if rewrite_all:
            name = f"Territory page {number}"
            pages[name] = _page(
                name,
                [
                    f"!Territory {number}\n__Version {version}__ of a page about the "
                    "((Home|network)).\n"
                    + "* well-being of all\n* co-responsibility\n" * 8
                    + f"||a|b\nc|{version}||\n"
                    for version in range(1, revisions + 1)
                ],
            )
            continue
        name = f"Territory page {number}"
        paragraphs = [
            f"!Territory {number}",
            f"The platform of territory {number} belongs to the ((Home|network)) of "
            "territories of co-responsibility; its citizens say what ''well-being of all'' "
            "means for them.",
            "* well-being of all\n* co-responsibility\n** access to healthy food\n"
            "** a place to meet\n* __what I can do__",
            "||Group|Criteria\nYoung people|12\nElders|9||",
            "!!History\nThe first meetings took place in the town hall; see ((SPIRAL)).",
            "[https://example.org/report|The report] and -+notes+- of the facilitators.",
        ]
        texts = []
        for version in range(1, revisions + 1):
            edited = version % len(paragraphs)
            paragraphs[edited] += f"\nEdited in version {version}."
            texts.append("\n\n".join(paragraphs))
        pages[name] = _page(name, texts)
    return pages


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _csv(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _created(day: int) -> str:
    return datetime.datetime.fromtimestamp(START + day * DAY, tz=datetime.UTC).strftime(
        "%Y-%m-%d %H:%M"
    )


def groups_csv() -> bytes:
    header = [
        "itemId",
        "status",
        "created",
        "lastModif",
        "Name -- 1",
        "Network id -- 2",
        "Country -- 3",
        "Region -- 4",
        "Locality -- 5",
        "Description -- 6",
        "Page -- 7",
        "Language -- 8",
    ]
    row = [
        CG_ITEM,
        "o",
        _created(1),
        _created(2),
        "Mulhouse",
        NETWORK_ID,
        "FR",
        "Grand Est",
        "Mulhouse",
        "Citizens and councillors%%%of Mulhouse",
        "Mulhouse platform",
        "fr",
    ]
    return _csv([header, row])


def homogeneous_groups_csv() -> bytes:
    header = [
        "itemId",
        "status",
        "created",
        "lastModif",
        "Name -- 11",
        "Coordination group -- 12",
        "Profile -- 13",
        "Participants -- 14",
        "Language -- 15",
        "Page -- 16",
    ]
    rows = [
        [
            HG_ITEMS[0],
            "o",
            _created(3),
            _created(3),
            "Young people",
            CG_ITEM,
            "Young people",
            10,
            "fr",
            "Young people of Mulhouse",
        ],
        [HG_ITEMS[1], "o", _created(4), _created(4), "Elders", CG_ITEM, "", 9, "fr", ""],
    ]
    return _csv([header, *rows])


def criteria_csv(count: int, *, start: int = 0, components: tuple[str, ...] = ()) -> bytes:
    """count criteria items (from the start-th): the homogeneous groups in turn, Q1 to Q3; every
    other one classified with one of components (the grid's codes) when given."""
    header = [
        "itemId",
        "status",
        "created",
        "lastModif",
        "Group -- 21",
        "Question -- 22",
        "Text -- 23",
        "Language -- 24",
        "Component -- 25",
    ]
    rows: list[list[object]] = [header]
    for index in range(start, start + count):
        rows.append(
            [
                CRITERIA_FIRST_ITEM + index,
                "o",
                _created(10 + index % 300),
                _created(10 + index % 300),
                HG_ITEMS[index % 2],
                str(index % 3 + 1),
                f"Criterion {index}: having friends, ça va",
                "fr",
                components[index // 2 % len(components)] if components and index % 2 else "",
            ]
        )
    return _csv(rows)


MAPPING = f"""
[pages]
language = "en"

[pages.spaces]
"Mulhouse agenda" = "{NETWORK_ID}"

[trackers.groups]
file = "groups.csv"
kind = "coordination_groups"
tracker_id = 1

[trackers.groups.columns]
network_id = "Network id"
name = "Name"
country = "Country"
region = "Region"
locality = "Locality"
description = "Description"
page = "Page"
language = "Language"

[trackers.hgs]
file = "homogeneous_groups.csv"
kind = "homogeneous_groups"
tracker_id = 2

[trackers.hgs.columns]
name = "Name"
key = "itemId"
coordination_group = "Coordination group"
profile = "Profile"
participants = "Participants"
language = "Language"
page = "Page"

[trackers.criteria]
file = "criteria.csv"
kind = "criteria"
tracker_id = 3

[trackers.criteria.columns]
homogeneous_group = "Group"
question = "Question"
text = "Text"
language = "Language"
component = "Component"
"""

STRUCTURE = (
    "page,parent,position,language,translation of,page_ref_id\n"
    "Home,,1,en,,1\n"
    "SPIRAL,Home,1,en,,2\n"
    "History of TOGETHER's activities,SPIRAL,1,en,,3\n"
    "Accueil,,2,fr,Home,4\n"
    "Mulhouse platform,,,fr,,\n"
)


def write_site(
    folder: Path,
    *,
    later: bool = False,
    criteria: int = 30,
    filler: int = 0,
    filler_revisions: int = 20,
    components: tuple[str, ...] = (),
    rewrite_all: bool = False,
) -> SitePaths:
    """Write the exports into folder; later: the same site's export some weeks on (two more
    revisions of SPIRAL, five more criteria)."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = network_pages(later)
    pages.update(filler_pages(filler, filler_revisions, rewrite_all=rewrite_all))
    pages_zip = _zip(folder / "pages.zip", {f"{name}.txt": data for name, data in pages.items()})
    structure = folder / "structure.csv"
    structure.write_text(STRUCTURE, encoding="utf-8")
    trackers = folder / "trackers"
    trackers.mkdir(exist_ok=True)
    (trackers / "groups.csv").write_bytes(groups_csv())
    (trackers / "homogeneous_groups.csv").write_bytes(homogeneous_groups_csv())
    (trackers / "criteria.csv").write_bytes(
        criteria_csv(criteria + (5 if later else 0), components=components)
    )
    mapping = folder / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    listing = _csv(
        [
            ["fileId", "galleryId", "name", "description", "filename", "user", "created"],
            [101, 7, "Logo", "The network's logo", "logo.png", "admin", START],
            [102, 7, "Report 2015", "", "report-2015.pdf", "admin", START],
            [103, 8, "Mulhouse", "", "mulhouse.png", "marie", START],
        ]
    )
    files = _zip(
        folder / "files.zip",
        {"listing.csv": listing, "101.png": png(), "102.pdf": PDF, "103.png": png("blue")},
    )
    return SitePaths(
        pages=pages_zip, structure=structure, trackers=trackers, mapping=mapping, files=files
    )
