"""Reading Tiki's tracker exports and the mapping of their columns to our fields
(wikispiral/wiki/tiki/trackers.py and mapping.py).

The files are written here the way Tiki writes them (action_export_items in
lib/core/Services/Tracker/Controller.php, dump_tracker_csv in lib/trackers/trackerlib.php):
generic columns itemId, status, created, lastModif, fields as "Name -- id", every line break of a
value as %%%, quotes doubled (backslash-escaped in the dump), ISO-8859-1 or UTF-8.
"""

import datetime

import pytest

from wikispiral.uploads.base import Limits
from wikispiral.wiki.tiki.dates import (
    ISO,
    UNIX,
    date_parse,
)
from wikispiral.wiki.tiki.mapping import (
    COORDINATION_GROUPS,
    CRITERIA,
    mapped_rows,
    mapping_check,
    mapping_read,
)
from wikispiral.wiki.tiki.trackers import (
    ERROR,
    WARNING,
    tracker_read,
)

UTC = datetime.UTC


def export(
    rows: list[list[str]],
    *,
    fields: tuple[str, ...] = ("Name -- 12", "Description -- 13"),
    generic: tuple[str, ...] = ("itemId", "status", "created", "lastModif"),
    separator: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    """A tracker export as action_export_items writes it: every value between quotes, quotes
    doubled, line breaks as %%%, one line per item."""

    def line(values: list[str]) -> str:
        cells = []
        for value in values:
            value = value.replace('"', '""').replace("\r\n", "%%%").replace("\n", "%%%")
            cells.append(f'"{value}"')
        return separator.join(cells)

    lines = [line([*generic, *fields])] + [line(row) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def errors(reading):
    return [p for p in reading.problems if p.level == ERROR]


def warnings(reading):
    return [p for p in reading.problems if p.level == WARNING]


# --- Trackers -----------------------------------------------------------------------------------


def test_utf8_export_with_unix_dates_and_multiline_values():
    data = export(
        [
            ["101", "o", "1262304000", "1262390400", "Plateforme de Mulhouse", "Ligne 1\nLigne 2"],
            ["102", "c", "1262304000", "1262304000", 'Le "Collectif"', ""],
        ]
    )
    reading = tracker_read(data, filename="groups.csv")
    assert reading.ok, reading.problems
    assert reading.separator == ","
    assert reading.encoding == "UTF-8"
    assert reading.date_formats == {"created": UNIX, "lastModif": UNIX}
    first, second = reading.rows
    assert first.item_id == 101
    assert first.number == 2
    assert first.status == "o"
    assert first.created == datetime.datetime(2010, 1, 1, tzinfo=UTC)
    assert first.modified == datetime.datetime(2010, 1, 2, tzinfo=UTC)
    assert first.fields["Description -- 13"] == "Ligne 1\nLigne 2"
    assert first.fields["13"] == "Ligne 1\nLigne 2"
    assert first.fields["12"] == "Plateforme de Mulhouse"
    assert second.fields["Name -- 12"] == 'Le "Collectif"'
    assert [c.field_id for c in reading.columns] == ["", "", "", "", "12", "13"]
    assert reading.columns[4].name == "Name"


def test_iso_8859_1_semicolon_export_with_accents_is_guessed_with_a_warning():
    data = export(
        [
            ["7", "o", "2012-03-04 10:15", "2012-03-05 08:00", "Coração de Évora", "Été\nInverno"],
        ],
        fields=("Nom du groupe -- 3", "Déscription -- 4"),
        separator=";",
        encoding="iso-8859-1",
    )
    reading = tracker_read(data, filename="groupes.csv")
    assert reading.ok, reading.problems
    assert reading.separator == ";"
    assert reading.encoding == "ISO-8859-1"
    row = reading.rows[0]
    assert row.fields["Nom du groupe -- 3"] == "Coração de Évora"
    assert row.fields["4"] == "Été\nInverno"
    assert row.created == datetime.datetime(2012, 3, 4, 10, 15, tzinfo=UTC)
    assert reading.date_formats["created"] == "%Y-%m-%d %H:%M"
    messages = " ".join(p.message for p in warnings(reading))
    assert "ISO-8859-1" in messages
    assert "YYYY-MM-DD hh:mm" in messages


def test_declared_encoding_is_used_without_a_warning():
    data = export([["7", "o", "", "", "Montréal", ""]], encoding="iso-8859-1")
    reading = tracker_read(data, filename="g.csv", encoding="ISO-8859-1", separator=",")
    assert reading.ok
    assert not warnings(reading)
    assert reading.rows[0].fields["Name -- 12"] == "Montréal"


def test_unknown_encoding_is_guessed_with_a_warning():
    data = export([["7", "o", "", "", "Montréal", ""]])
    reading = tracker_read(data, filename="g.csv", encoding="x-klingon")
    assert reading.ok
    assert reading.encoding == "UTF-8"
    assert any("x-klingon" in p.message for p in warnings(reading))


def test_latin1_said_but_utf8_given_is_read_as_utf8():
    data = export([["7", "o", "", "", "São Paulo", ""]])
    reading = tracker_read(data, filename="g.csv", encoding="ISO-8859-1")
    assert reading.rows[0].fields["Name -- 12"] == "São Paulo"
    assert reading.encoding == "UTF-8"


def test_byte_order_mark_and_quoted_separators():
    data = b"\xef\xbb\xbf" + export([["8", "p", "", "", "Lyon, Villeurbanne; Bron", "a,b"]])
    reading = tracker_read(data, filename="g.csv")
    assert reading.ok, reading.problems
    assert reading.columns[0].kind == "item_id"
    assert reading.rows[0].fields["Name -- 12"] == "Lyon, Villeurbanne; Bron"
    assert reading.rows[0].fields["13"] == "a,b"


def test_tab_separator_is_found():
    data = export([["8", "o", "", "", "Braga", "x"]], separator="\t")
    reading = tracker_read(data, filename="g.tsv")
    assert reading.separator == "\t"
    assert reading.rows[0].fields["Name -- 12"] == "Braga"


def test_day_first_dates_are_guessed_and_the_ambiguity_reported():
    data = export(
        [
            ["1", "o", "03/04/2012 10:00", "03/04/2012 10:00", "A", ""],
            ["2", "o", "25/12/2012 09:30", "05/01/2013 09:30", "B", ""],
        ]
    )
    reading = tracker_read(data, filename="g.csv", timezone="Europe/Paris")
    assert reading.ok, reading.problems
    assert reading.date_formats["created"] == "%d/%m/%Y %H:%M"
    # Paris is one hour ahead of UTC in winter, two in summer.
    assert reading.rows[0].created == datetime.datetime(2012, 4, 3, 8, 0, tzinfo=UTC)
    assert reading.rows[1].created == datetime.datetime(2012, 12, 25, 8, 30, tzinfo=UTC)
    created = [p for p in warnings(reading) if p.column == "created"][0]
    assert "DD/MM/YYYY hh:mm" in created.message
    assert "Europe/Paris" in created.message
    # lastModif's days are all 12 or less: it could be month first too.
    modified = [p for p in warnings(reading) if p.column == "lastModif"][0]
    assert "month first" in modified.message


def test_iso_dates_with_zone():
    data = export([["1", "o", "2012-03-04T10:00:00+02:00", "2012-03-04T10:00:00Z", "A", ""]])
    reading = tracker_read(data, filename="g.csv")
    assert reading.ok, reading.problems
    assert reading.date_formats["created"] == ISO
    assert reading.rows[0].created == datetime.datetime(2012, 3, 4, 8, 0, tzinfo=UTC)


def test_bad_date_is_a_row_error():
    data = export(
        [
            ["1", "o", "1262304000", "", "A", ""],
            ["2", "o", "hier", "", "B", ""],
        ]
    )
    reading = tracker_read(data, filename="g.csv")
    assert not reading.ok
    assert [row.item_id for row in reading.rows] == [1]
    (problem,) = errors(reading)
    assert problem.row == 3
    assert problem.column == "created"
    assert "hier" in problem.message


def test_missing_and_duplicate_item_ids_and_wrong_column_count():
    data = export(
        [
            ["1", "o", "", "", "A", ""],
            ["", "o", "", "", "B", ""],
            ["1", "o", "", "", "C", ""],
            ["x2", "o", "", "", "D", ""],
        ]
    )
    data += b'"3","o","","","E"\n"4","o","","","F","g","h"\n'
    reading = tracker_read(data, filename="g.csv")
    assert [row.item_id for row in reading.rows] == [1]
    found = {(p.row, p.column) for p in errors(reading)}
    assert found == {(3, "itemId"), (4, "itemId"), (5, "itemId"), (6, ""), (7, "")}
    duplicate = [p for p in errors(reading) if p.row == 4][0]
    assert "line 2" in duplicate.message


def test_no_item_id_column_is_refused():
    data = export([["o", "A"]], generic=("status",), fields=("Name -- 12",))
    reading = tracker_read(data, filename="g.csv")
    assert not reading.ok
    assert not reading.rows
    assert "itemId" in errors(reading)[0].message


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
        b"%PDF-1.4 whatever",
        b"PK\x03\x04" + b"\x00" * 40,
        b"itemId\x00status\n1\x000\n",
        b"",
    ],
)
def test_not_csv_is_refused(data):
    reading = tracker_read(data, filename="g.csv")
    assert not reading.ok
    assert not reading.rows
    assert errors(reading)[0].row == 0


def test_truncated_quote_is_refused_with_the_line():
    data = export([["1", "o", "", "", "A", ""]]) + b'"2","o","","","B","cut sho'
    reading = tracker_read(data, filename="g.csv")
    assert not reading.ok
    assert any("quoted value" in p.message and "line 3" in p.message for p in errors(reading))


def test_dump_format_trailing_separator_and_backslash_quotes():
    # dump_tracker_csv: unquoted generic columns, a separator after every cell, \" for quotes.
    data = (
        b'itemId,status,created,lastModif,"Name -- 12","Notes -- 13",\n'
        b'5,o,1262304000,1262304000,"Le \\"Grand\\" Groupe","a%%%b",\n'
    )
    reading = tracker_read(data, filename="dump.csv")
    assert reading.ok, reading.problems
    assert reading.header == [
        "itemId",
        "status",
        "created",
        "lastModif",
        "Name -- 12",
        "Notes -- 13",
    ]
    row = reading.rows[0]
    assert row.fields["12"] == 'Le "Grand" Groupe'
    assert row.fields["13"] == "a\nb"


def test_created_by_columns_and_limits():
    data = export(
        [["1", "o", "", "", "alice", "bob", "A"]],
        generic=("itemId", "status", "created", "lastModif", "createdBy", "lastModifBy"),
        fields=("Name -- 12",),
    )
    reading = tracker_read(data, filename="g.csv")
    assert reading.rows[0].created_by == "alice"
    assert reading.rows[0].modified_by == "bob"
    too_many = tracker_read(
        export([[str(n), "o", "", "", "A", ""] for n in range(1, 5)]),
        filename="g.csv",
        limits=Limits(max_rows=2),
    )
    assert not too_many.ok
    assert "rows" in errors(too_many)[0].message


def test_date_parse_forms():
    assert date_parse("1262304000") == datetime.datetime(2010, 1, 1, tzinfo=UTC)
    assert date_parse("2010-01-01") == datetime.datetime(2010, 1, 1, tzinfo=UTC)
    assert date_parse("31.12.2011") == datetime.datetime(2011, 12, 31, tzinfo=UTC)
    assert date_parse("not a date") is None
    assert date_parse("") is None


# --- Mapping ------------------------------------------------------------------------------------

GROUPS_MAPPING = """
[trackers.groups]
file = "groups.csv"
kind = "coordination_groups"
timezone = "Europe/Lisbon"

[trackers.groups.columns]
network_id = "Network id"
name = "Name -- 12"
status = "status"
contact_email = "14"
type = "Type"
description = "Description"

[trackers.groups.values.type]
"Territoire" = "territory"
"Acteur collectif" = "collective_actor"

[trackers.criteria]
file = "criteres.csv"
kind = "criteria"

[trackers.criteria.columns]
coordination_group = "Group"
homogeneous_group = "HG"
question = "Question"
text = "Critère"
date = "created"

[trackers.criteria.values.question]
"Qu'est-ce que le bien-être pour vous ?" = "Q1"
"Qu'est-ce que le mal-être ?" = "Q2"
"""


def groups_export() -> bytes:
    return export(
        [
            ["11", "o", "", "", "GC136526", "Mulhouse", "a@Example.org", "Territoire", "L1\nL2"],
            ["12", "c", "", "", "GC2", "Braga", "not-an-email", "Acteur collectif", ""],
            ["13", "x", "", "", "GC3", "", "", "Ville", ""],
        ],
        fields=("Network id -- 10", "Name -- 12", "Email -- 14", "Type -- 15", "Description -- 16"),
    )


def test_mapping_read_and_mapped_rows():
    mapping, problems = mapping_read(GROUPS_MAPPING)
    assert problems == []
    assert mapping is not None
    groups = mapping.trackers["groups"]
    assert groups.kind == COORDINATION_GROUPS
    assert mapping.for_file("exports/groups.csv") is groups
    assert mapping.trackers["criteria"].kind == CRITERIA
    reading = tracker_read(groups_export(), filename="groups.csv")
    assert reading.ok, reading.problems
    assert mapping_check(groups, reading) == []
    first, second, third = mapped_rows(groups, reading)
    assert first.ok
    assert first.item_id == 11
    assert first.number == 2
    assert first.values == {
        "network_id": "GC136526",
        "name": "Mulhouse",
        "status": "active",
        "contact_email": "a@example.org",
        "type": "territory",
        "description": "L1\nL2",
    }
    assert second.values["status"] == "archived"
    assert second.values["type"] == "collective_actor"
    assert not second.ok
    assert "not-an-email" in second.problems[0].message
    assert not third.ok
    messages = " ".join(p.message for p in third.problems)
    assert "“x”" in messages  # the status letter no map knows
    assert "Ville" in messages
    assert "name is empty" in messages


def test_criteria_mapping_maps_question_labels_and_dates():
    mapping, _problems = mapping_read(GROUPS_MAPPING)
    assert mapping is not None
    criteria = mapping.trackers["criteria"]
    data = export(
        [
            [
                "1",
                "o",
                "1262304000",
                "",
                "GC1",
                "HG-7",
                "Qu'est-ce que le bien-être pour vous ?",
                "Avoir un toit",
            ],
            ["2", "o", "1262304000", "", "GC1", "HG-7", "2", "La solitude"],
            ["3", "o", "1262304000", "", "GC1", "HG-7", "Autre", "x"],
        ],
        fields=("Group -- 1", "HG -- 2", "Question -- 3", "Critère -- 4"),
    )
    reading = tracker_read(data, filename="criteres.csv")
    rows = mapped_rows(criteria, reading)
    assert rows[0].values["question"] == "Q1"
    assert rows[0].values["date"] == "2010-01-01"
    assert rows[0].values["text"] == "Avoir un toit"
    assert rows[1].values["question"] == "Q2"
    assert not rows[2].ok


def test_mapping_naming_a_missing_column():
    mapping, _problems = mapping_read(GROUPS_MAPPING)
    assert mapping is not None
    data = export([["11", "o", "", "", "GC1", "Braga"]], fields=("Network id -- 10", "Name -- 12"))
    reading = tracker_read(data, filename="groups.csv")
    problems = mapping_check(mapping.trackers["groups"], reading)
    missing = {p.column for p in problems}
    assert missing == {"14", "Type", "Description"}
    assert all("does not have" in p.message for p in problems)
    assert "“Name -- 12”" in problems[0].message  # the columns it has are listed


def test_mapping_ambiguous_name_asks_for_the_whole_header():
    mapping, _problems = mapping_read(GROUPS_MAPPING)
    assert mapping is not None
    data = export(
        [["11", "o", "", "", "GC1", "A", "B", "x", "t", "d"]],
        fields=(
            "Network id -- 10",
            "Name -- 12",
            "Email -- 14",
            "Type -- 15",
            "Description -- 16",
            "Description -- 17",
        ),
    )
    reading = tracker_read(data, filename="groups.csv")
    (problem,) = mapping_check(mapping.trackers["groups"], reading)
    assert "several fields" in problem.message
    assert "Description -- 16" in problem.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[trackers.a]\nfile = "a.csv"\nkind = "platforms"\n', "kind “platforms” is unknown"),
        (
            '[trackers.a]\nfile = "a.csv"\nkind = "criteria"\n[trackers.a.columns]\n'
            'coordination_group = "G"\nhomogeneous_group = "H"\nquestion = "Q"\ntext = "T"\n'
            'colour = "C"\n',
            "“colour” is not a field of criteria",
        ),
        (
            '[trackers.a]\nfile = "a.csv"\nkind = "homogeneous_groups"\n[trackers.a.columns]\n'
            'key = "K"\nname = "N"\n',
            "“coordination_group”",
        ),
        ('[trackers.a]\nkind = "criteria"\n', "does not say which export"),
        ("trackers = [", "not valid TOML"),
        ("title = 'x'\n", "names no tracker"),
        (
            '[trackers.a]\nfile = "a.csv"\nkind = "coordination_groups"\n'
            '[trackers.a.columns]\nnetwork_id = "N"\nname = "M"\n'
            '[trackers.a.values.status]\no = "opened"\n',
            "“opened” is not one of active, validated, archived",
        ),
    ],
)
def test_mapping_errors(text, expected):
    mapping, problems = mapping_read(text)
    assert mapping is None
    assert any(expected in p.message for p in problems), [p.message for p in problems]
