import csv
import datetime
import io
import json
import zipfile

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from criteria.transfer import exports
from criteria.transfer.selectors import EXPORT_COLUMNS
from tests.factories import (
    make_coordination_group,
    make_country,
    make_criterion,
    make_homogeneous_group,
    make_user,
)

pytestmark = pytest.mark.django_db

FORMATS = ("csv", "xlsx", "json")


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"
    return settings.PRIVATE_ROOT


@pytest.fixture
def author():
    return make_user(
        username="zelda-author", email="zelda.author@example.org", display_name="Zelda Quixote"
    )


@pytest.fixture
def tenant(author):
    return make_coordination_group(name="Mulhouse", facilitator=author)


@pytest.fixture
def young(tenant):
    return make_homogeneous_group(tenant=tenant, name="Young people", slug="young-people")


@pytest.fixture
def criteria(tenant, young, author):
    return [
        make_criterion(
            tenant=tenant,
            group=young,
            question="Q1",
            text="Eating together",
            component="A01",
            full_code="A01-11/P15/k",
            entered_by=author,
            classified_by=author,
            session_date=datetime.date(2024, 5, 2),
        ),
        make_criterion(
            tenant=tenant,
            group=young,
            question="Q2",
            text='=HYPERLINK("http://example.org")',
            entered_by=author,
            session_date=datetime.date(2025, 1, 9),
        ),
    ]


def _content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _rows(response, fmt: str) -> list[dict]:
    body = _content(response)
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    if fmt == "json":
        return json.loads(body)
    sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [dict(zip(header, row, strict=True)) for row in rows]


def _urls(tenant, hg) -> dict[str, callable]:
    return {
        "cg": lambda fmt: reverse("transfer:export_cg", kwargs={"cg": tenant.slug, "fmt": fmt}),
        "hg": lambda fmt: reverse(
            "transfer:export_hg", kwargs={"cg": tenant.slug, "hg": hg.slug, "fmt": fmt}
        ),
        "country": lambda fmt: reverse(
            "transfer:export_country", kwargs={"country": tenant.country.code, "fmt": fmt}
        ),
        "network": lambda fmt: reverse("transfer:export_network", kwargs={"fmt": fmt}),
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_has_every_column_and_the_classification(client, tenant, young, criteria, fmt):
    response = client.get(reverse("transfer:export_cg", kwargs={"cg": tenant.slug, "fmt": fmt}))

    assert response.status_code == 200
    assert f'filename="criteria-{tenant.slug}-' in response["Content-Disposition"]
    rows = _rows(response, fmt)
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    food, link = rows
    assert food["coordination_group_id"] == tenant.network_id
    assert food["coordination_group"] == "Mulhouse"
    assert food["country_code"] == "FR"
    assert food["homogeneous_group"] == "Young people"
    assert food["homogeneous_group_profile"]
    assert food["question"] == "Q1"
    assert food["text"] == "Eating together"
    assert str(food["session_date"])[:10] == "2024-05-02"
    assert str(food["year"]) == "2024"
    assert food["status"] == "classified"
    assert food["component"] == "A01"
    assert food["component_label"] == "Food / drink"
    assert food["family"] == "A"
    assert food["full_code"] == "A01-11/P15/k"
    # A text that looks like a formula stays text, in every format: unchanged in XLSX and
    # JSON, behind an apostrophe in CSV (tests/test_csv_formulas.py covers every CSV).
    expected = '=HYPERLINK("http://example.org")'
    assert link["text"] == ("'" + expected if fmt == "csv" else expected)
    assert link["status"] == "unclassified"
    assert link["component"] in ("", None)


def test_labels_follow_the_readers_language(client, tenant, young, criteria):
    url = reverse("transfer:export_cg", kwargs={"cg": tenant.slug, "fmt": "json"})

    rows = _rows(client.get(url, headers={"Accept-Language": "fr"}), "json")

    assert rows[0]["component_label"] == "Alimentation"


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_carry_no_personal_data(client, tenant, young, criteria, author, fmt):
    for scope, url in _urls(tenant, young).items():
        body = _content(client.get(url(fmt)))
        if fmt == "xlsx":
            archive = zipfile.ZipFile(io.BytesIO(body))
            body = b"".join(archive.read(name) for name in archive.namelist())
        text = body.decode("utf-8")
        assert "Eating together" in text, scope
        for secret in (author.username, author.email, author.display_name, "zelda"):
            assert secret.lower() not in text.lower(), (scope, secret)


def test_open_data_archive_carries_no_personal_data(client, criteria, author):
    archive = zipfile.ZipFile(io.BytesIO(_content(client.get(reverse("transfer:open_data")))))

    text = b"".join(archive.read(name) for name in archive.namelist()).decode().lower()

    assert "eating together" in text
    for secret in (author.username, author.email, author.display_name.lower(), "zelda"):
        assert secret.lower() not in text


def test_year_filter_keeps_that_years_criteria(client, tenant, young, criteria):
    for scope, url in _urls(tenant, young).items():
        rows = _rows(client.get(url("csv") + "?year=2025"), "csv")
        assert [row["year"] for row in rows] == ["2025"], scope


def test_a_bad_year_is_a_400(client, tenant, criteria):
    url = reverse("transfer:export_cg", kwargs={"cg": tenant.slug, "fmt": "csv"})

    assert client.get(url + "?year=last").status_code == 400
    assert (
        client.get(
            reverse("transfer:export_network", kwargs={"fmt": "csv"}) + "?year=99"
        ).status_code
        == 400
    )


def test_an_unknown_format_is_a_404(client, tenant, criteria):
    # Anonymous under /cg/: the login offer, as for anything missing there (tenancy.login_offer).
    assert client.get(f"/cg/{tenant.slug}/criteria/export.pdf").status_code == 302
    assert client.get("/criteria/export.xml").status_code == 404
    assert client.get("/criteria/export/FR.ods").status_code == 404


def test_an_unknown_country_is_a_404(client, criteria):
    url = reverse("transfer:export_country", kwargs={"country": "ZZ", "fmt": "csv"})

    assert client.get(url).status_code == 404


def test_country_and_network_exports_leave_hidden_groups_out(client, tenant, young, criteria):
    hidden = make_coordination_group(name="Hidden", is_hidden=True)
    make_criterion(tenant=hidden, text="Hidden criterion")
    elsewhere = make_coordination_group(
        name="Praia", country=make_country(code="CV", name="Cabo Verde", continent="AF")
    )
    make_criterion(tenant=elsewhere, text="Praia criterion")

    network = _rows(client.get(reverse("transfer:export_network", kwargs={"fmt": "csv"})), "csv")
    france = _rows(
        client.get(reverse("transfer:export_country", kwargs={"country": "fr", "fmt": "json"})),
        "json",
    )

    assert {row["text"] for row in network} == {
        "Eating together",
        '\'=HYPERLINK("http://example.org")',  # formula-safe CSV
        "Praia criterion",
    }
    assert {row["coordination_group"] for row in france} == {"Mulhouse"}


def test_a_hidden_groups_exports_answer_404_to_everyone_but_its_members(
    client, client_for, tenant, young, criteria, author
):
    tenant.is_hidden = True
    tenant.save(update_fields=["is_hidden"])
    outsider = make_user()
    make_coordination_group(facilitator=outsider)

    for fmt in FORMATS:
        for url in (_urls(tenant, young)["cg"](fmt), _urls(tenant, young)["hg"](fmt)):
            # Anonymous: the login offer instead (wikispiral.tenancy.login_offer).
            assert client.get(url).status_code == 302
            assert client_for(outsider).get(url).status_code == 404
    assert client.get(reverse("transfer:export", kwargs={"cg": tenant.slug})).status_code == 302
    own = client_for(author).get(_urls(tenant, young)["cg"]("csv"))
    assert own.status_code == 200
    assert "private" in own["Cache-Control"]
    assert "public" not in own["Cache-Control"]


def test_public_exports_may_be_cached_briefly(client, tenant, young, criteria):
    response = client.get(_urls(tenant, young)["network"]("csv"))

    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_an_unknown_homogeneous_group_is_a_404(client, tenant, criteria):
    url = reverse("transfer:export_hg", kwargs={"cg": tenant.slug, "hg": "nobody", "fmt": "csv"})

    # Anonymous: the login offer instead (wikispiral.tenancy.login_offer).
    assert client.get(url).status_code == 302


def test_another_groups_homogeneous_group_is_not_exported_under_this_one(client, tenant, criteria):
    other = make_coordination_group()
    theirs = make_homogeneous_group(tenant=other, slug="theirs")
    make_criterion(tenant=other, group=theirs, text="Their criterion")

    url = reverse("transfer:export_hg", kwargs={"cg": tenant.slug, "hg": "theirs", "fmt": "csv"})

    # Anonymous: the login offer instead (wikispiral.tenancy.login_offer).
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("scope", ["cg", "hg", "country", "network"])
def test_export_query_count_does_not_grow_with_the_rows(client, tenant, young, scope, fmt):
    url = _urls(tenant, young)[scope](fmt)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            _content(response)
        assert response.status_code == 200
        return len(captured)

    make_criterion(tenant=tenant, group=young, component="A01")
    few = queries()
    for number in range(30):
        make_criterion(tenant=tenant, group=young, component="B01" if number % 2 else None)
    assert queries() == few
    # Country and network workbooks are kept per data version (a few aggregates say which).
    assert few <= (10 if fmt == "xlsx" and scope in ("country", "network") else 4)


def test_export_page_lists_the_downloads(
    client, tenant, young, criteria, django_assert_max_num_queries
):
    url = reverse("transfer:export", kwargs={"cg": tenant.slug})

    with django_assert_max_num_queries(6):
        response = client.get(url + "?year=2024")

    assert response.status_code == 200
    content = response.content.decode()
    for fmt in FORMATS:
        assert (
            reverse("transfer:export_cg", kwargs={"cg": tenant.slug, "fmt": fmt}) + "?year=2024"
            in content
        )
        assert (
            reverse("transfer:export_hg", kwargs={"cg": tenant.slug, "hg": young.slug, "fmt": fmt})
            in content
        )
    assert reverse("transfer:open_data") in content
    assert client.get(url + "?year=1800").status_code == 400


def test_open_data_archive_holds_every_file_and_a_valid_descriptor(client, tenant, young, criteria):
    hidden = make_coordination_group(name="Hidden", is_hidden=True)
    make_homogeneous_group(tenant=hidden, name="Hidden young")

    response = client.get(reverse("transfer:open_data"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "public" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(_content(response)))
    assert set(archive.namelist()) == {
        "criteria.csv",
        "grid.csv",
        "questions.csv",
        "groups.csv",
        "homogeneous_groups.csv",
        "README.txt",
        "datapackage.json",
    }
    package = json.loads(archive.read("datapackage.json"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    for resource in package["resources"]:
        header = archive.read(resource["path"]).decode().splitlines()[0].split(",")
        assert header == [field["name"] for field in resource["schema"]["fields"]]
    readme = archive.read("README.txt").decode()
    assert "CC BY 4.0" in readme
    assert datetime.date.today().isoformat() in readme
    criteria_rows = list(csv.DictReader(io.StringIO(archive.read("criteria.csv").decode())))
    assert len(criteria_rows) == 2
    grid = list(csv.DictReader(io.StringIO(archive.read("grid.csv").decode())))
    a01 = next(row for row in grid if row["code"] == "A01")
    assert (a01["label_en"], a01["label_fr"], a01["current"]) == (
        "Food / drink",
        "Alimentation",
        "true",
    )
    groups = archive.read("groups.csv").decode() + archive.read("homogeneous_groups.csv").decode()
    assert "Mulhouse" in groups and "Young people" in groups
    assert "Hidden" not in groups
    questions = archive.read("questions.csv").decode()
    assert "Q1" in questions and "What is well-being for you?" in questions


def test_open_data_archive_is_built_once_per_data_version(
    client, tenant, young, criteria, monkeypatch
):
    built = []
    real_write = exports.open_data_write

    def counting(file, version):
        built.append(version)
        real_write(file, version)

    monkeypatch.setattr(exports, "open_data_write", counting)
    url = reverse("transfer:open_data")

    first = client.get(url)
    _content(first)
    _content(client.get(url))
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
    assert len(built) == 1
    make_criterion(tenant=tenant, group=young, text="New one")
    _content(client.get(url))

    assert len(built) == 2
    assert len(list(exports.private_path("open-data", "x").parent.glob("*open-data*"))) == 1


def test_network_workbook_is_built_once_per_data_version(client, tenant, young, criteria):
    url = reverse("transfer:export_network", kwargs={"fmt": "xlsx"})
    first = _rows(client.get(url), "xlsx")

    with CaptureQueriesContext(connection) as captured:
        again = _rows(client.get(url), "xlsx")
    make_criterion(tenant=tenant, group=young, text="New one")
    changed = _rows(client.get(url), "xlsx")

    assert again == first
    assert not any('criteria_criterion"."text"' in query["sql"] for query in captured)
    assert len(changed) == len(first) + 1


def test_export_of_many_rows_spans_sheets_in_xlsx(monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)

    file = exports.xlsx_file(([i, f"row {i}"] for i in range(5)), header=["n", "text"])

    workbook = openpyxl.load_workbook(file)
    assert [sheet.max_row for sheet in workbook.worksheets] == [3, 3, 2]


def test_empty_exports_still_have_a_header(client, tenant):
    for fmt in FORMATS:
        response = client.get(reverse("transfer:export_cg", kwargs={"cg": tenant.slug, "fmt": fmt}))
        assert response.status_code == 200
        assert _rows(response, fmt) == []
