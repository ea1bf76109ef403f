"""The secretariat imports a new grid version: checks, preview, mapping, moving criteria."""

import csv
import io
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from criteria.grid.services import (
    GridRow,
    grid_file_read,
    grid_mapping_default,
    grid_version_import,
)
from criteria.grid.views import PENDING_KEY
from criteria.models import (
    Classification,
    Component,
    Criterion,
    Family,
    GridMapping,
    GridVersion,
)
from criteria.seed import grid_seed_rows
from criteria.selectors import grid_current
from criteria.services import criterion_classify
from territories.models import Membership
from territories.services import membership_set
from tests.factories import (
    make_coordination_group,
    make_criterion,
    make_homogeneous_group,
    make_user,
)
from wikispiral.audit.models import AuditEntry
from wikispiral.errors import DomainError
from wikispiral.tenancy import cross_tenant, tenant_scope

pytestmark = pytest.mark.django_db

VERSIONS = reverse("grid:versions")
IMPORT = reverse("grid:import")
TEMPLATE = reverse("grid:template")


# --- Files -------------------------------------------------------------------------------------


def _seed() -> list[dict[str, str]]:
    return [dict(row) for row in grid_seed_rows()]


def _row_of(rows: list[dict[str, str]], code: str) -> dict[str, str]:
    return next(row for row in rows if row["code"] == code)


def _csv(rows: list[dict[str, str]]) -> bytes:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx(rows: list[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    columns = list(dict.fromkeys(key for row in rows for key in row))
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column, "") for column in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _new_grid() -> list[dict[str, str]]:
    """The seed grid with A08 renamed A12, B05 split into B05 and B06, A01 relabelled."""
    rows = _seed()
    a08 = _row_of(rows, "A08")
    rows.remove(a08)
    a11 = rows.index(_row_of(rows, "A11"))
    rows.insert(a11 + 1, {**a08, "code": "A12", "label_en": "Savings", "replaces": "A08"})
    _row_of(rows, "B05")["replaces"] = "B05"
    b05 = rows.index(_row_of(rows, "B05"))
    rows.insert(
        b05 + 1,
        {**rows[b05], "code": "B06", "label_en": "Public spaces", "replaces": "B05"},
    )
    _row_of(rows, "A01")["label_en"] = "Food and drink"
    return rows


def _upload(client, data: bytes, filename: str = "grid.csv", name: str = "Grid 2"):
    return client.post(
        IMPORT,
        {"file": SimpleUploadedFile(filename, data), "name": name, "notes": "Official labels"},
    )


def _token(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return re.search(r"/secretariat/grid/import/([^/]+)/$", response["Location"]).group(1)


def _preview_url(token: str) -> str:
    return reverse("grid:import_preview", kwargs={"token": token})


def _component(code: str, number: int) -> Component:
    return Component.objects.get(version__number=number, code=code)


# --- Who may -----------------------------------------------------------------------------------


def _secretariat_urls() -> list[str]:
    return [VERSIONS, IMPORT, TEMPLATE, _preview_url("whatever-token")]


def test_secretariat_grid_pages_send_anonymous_visitors_to_log_in(client):
    for url in _secretariat_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("accounts:login") in response["Location"]


def test_secretariat_grid_pages_are_404_for_everyone_else(client_for):
    facilitator = make_user()
    make_coordination_group(facilitator=facilitator)
    client = client_for(facilitator)
    for url in _secretariat_urls():
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    assert _upload(client, _csv(_seed())).status_code == 404
    assert GridVersion.objects.count() == 1


def test_preview_of_another_persons_upload_is_not_shown(client_for, secretariat_user):
    token = _token(_upload(client_for(secretariat_user), _csv(_new_grid())))
    colleague = client_for(make_user(secretariat=True))

    response = colleague.get(_preview_url(token))

    assert response.status_code == 302
    assert response["Location"] == IMPORT
    assert colleague.post(_preview_url(token)).status_code == 302
    assert GridVersion.objects.count() == 1


# --- The versions page and the template ---------------------------------------------------------


def test_versions_page_lists_versions_with_component_and_criteria_counts(
    client_for, secretariat_user, django_assert_max_num_queries
):
    tenant = make_coordination_group()
    make_criterion(tenant=tenant, component="A01")
    make_criterion(tenant=tenant, component="B02")
    make_criterion(tenant=make_coordination_group(), component="A01")
    client = client_for(secretariat_user)
    client.get(VERSIONS)

    with django_assert_max_num_queries(6):
        response = client.get(VERSIONS)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Seed grid" in html
    assert '<td class="align-right">60 (60)</td>' in html
    assert '<td class="align-right">3</td>' in html
    assert '<td class="align-right">9</td>' in html


def test_template_is_the_current_grid_in_the_import_format(client_for, secretariat_user):
    response = client_for(secretariat_user).get(TEMPLATE)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="grid-v1.csv"' in response["Content-Disposition"]
    rows, errors = grid_file_read(data=response.content, filename="grid-v1.csv")
    assert errors == []
    assert [row.code for row in rows] == [row["code"] for row in _seed()]
    assert rows[1].names == {"en": "Food / drink", "fr": "Alimentation", "pt": "Alimentação"}
    assert rows[0].family_names["pt"] == "Acesso aos meios de vida"


def test_template_uploaded_unchanged_moves_every_criterion_to_the_same_code(
    client_for, secretariat_user
):
    client = client_for(secretariat_user)
    tenant = make_coordination_group()
    criterion = make_criterion(tenant=tenant, component="C03", full_code="C03-1/Q")

    token = _token(_upload(client, client.get(TEMPLATE).content))
    html = client.get(_preview_url(token)).content.decode()
    client.post(_preview_url(token))

    assert "Relabelled or changed components" in html
    assert html.count("grid-kind-same") == 60
    criterion.refresh_from_db()
    assert criterion.component == _component("C03", 2)
    assert criterion.full_code == "C03-1/Q"
    assert criterion.status == Criterion.Status.CLASSIFIED


# --- Checking the file -------------------------------------------------------------------------


def _with(which: str, **changes: str) -> list[dict[str, str]]:
    rows = _seed()
    _row_of(rows, which).update(changes)
    return rows


def _row_number(code: str) -> int:
    return [row["code"] for row in _seed()].index(code) + 2


def _duplicate_a01() -> list[dict[str, str]]:
    rows = _seed()
    rows.insert(3, dict(_row_of(rows, "A01")))
    return rows


def _without(code: str) -> list[dict[str, str]]:
    return [row for row in _seed() if row["code"] != code]


ERROR_CASES = {
    "bad code pattern": (
        lambda: _csv(_with("A03", code="A3")),
        _row_number("A03"),
        "code",
        "is not a component code",
    ),
    "code outside its family": (
        lambda: _csv(_with("A03", code="B42")),
        _row_number("A03"),
        "code",
        "does not start with its family's letter, A",
    ),
    "duplicate code": (
        lambda: _csv(_duplicate_a01()),
        5,
        "code",
        "The code A01 is already used on row 3",
    ),
    "missing English label": (
        lambda: _csv(_with("C02", label_en="  ")),
        _row_number("C02"),
        "label_en",
        "The English label is missing",
    ),
    "unknown status": (
        lambda: _csv(_with("D01", status="official")),
        _row_number("D01"),
        "status",
        "“official” is not a status",
    ),
    "family names disagree": (
        lambda: _csv(_with("E03", family_fr="Équilibres")),
        _row_number("E03"),
        "family_fr",
        "Family E is named “Équilibres” here",
    ),
    "family without its x00": (
        lambda: _csv(_without("F00")),
        _row_number("F01") - 1,
        "code",
        "Family F has no F00 component",
    ),
    "replaces an unknown code": (
        lambda: _csv(_with("G02", replaces="G02, Z42")),
        _row_number("G02"),
        "replaces",
        "Z42 is not a component of the current grid",
    ),
    "bad active value": (
        lambda: _csv(_with("H01", active="maybe")),
        _row_number("H01"),
        "active",
        "“maybe” is not a yes or no",
    ),
    "missing column": (
        lambda: _csv([{k: v for k, v in row.items() if k != "status"} for row in _seed()]),
        1,
        "status",
        "The column status is missing",
    ),
    "not UTF-8": (
        lambda: _csv(_seed()).decode("utf-8").encode("latin-1", errors="replace"),
        0,
        "",
        "The file is not in UTF-8",
    ),
    "too many cells": (
        lambda: _csv(_seed()).replace(b"confirmed\r\n", b"confirmed,surprise\r\n", 1),
        2,
        "",
        "more cells than the header line",
    ),
}


@pytest.mark.parametrize("case", list(ERROR_CASES), ids=list(ERROR_CASES))
def test_upload_lists_each_rows_errors_and_keeps_nothing(client_for, secretariat_user, case):
    make_file, row, column, message = ERROR_CASES[case]
    client = client_for(secretariat_user)

    response = _upload(client, make_file())

    page = unescape(response.content.decode())
    assert response.status_code == 400
    assert message in page
    error_rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", page)
    assert any(
        r == (str(row) if row else "whole file")
        and (c == f"<code>{column}</code>" if column else c == "—")
        and message in m
        for r, c, m in error_rows
    ), error_rows
    assert PENDING_KEY not in client.session
    assert GridVersion.objects.count() == 1


def test_semicolon_csv_with_a_byte_order_mark_is_read():
    rows, errors = grid_file_read(
        data=("\ufeff" + _semicolon_csv(_seed())).encode(), filename="grid.csv"
    )
    assert errors == []
    assert len(rows) == 60


def _semicolon_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_broken_xlsx_and_wrong_extension_are_refused(client_for, secretariat_user):
    client = client_for(secretariat_user)

    broken = _upload(client, b"PK\x03\x04 not really a workbook", filename="grid.xlsx")
    text = _upload(client, _csv(_seed()), filename="grid.txt")
    empty = _upload(client, b"", filename="grid.csv")

    assert broken.status_code == 400
    assert "The Excel workbook cannot be read" in broken.content.decode()
    assert text.status_code == 400
    assert "Upload a .csv or .xlsx file." in text.content.decode()
    assert empty.status_code == 400
    assert GridVersion.objects.count() == 1


def test_upload_without_a_name_is_refused(client_for, secretariat_user):
    response = _upload(client_for(secretariat_user), _csv(_seed()), name="")

    assert response.status_code == 400
    assert GridVersion.objects.count() == 1


# --- The preview and the import -----------------------------------------------------------------


@pytest.fixture
def classified():
    """Criteria of two groups in A01, A08, B05 and one unclassified; A01's has a history."""
    tenant = make_coordination_group()
    other = make_coordination_group()
    classifier = make_user()
    a01 = make_criterion(tenant=tenant, text="Bread")
    with tenant_scope(tenant):
        criterion_classify(
            tenant=tenant,
            criterion=a01,
            component=_component("A01", 1),
            actor=classifier,
            full_code="A01-11/P15/k",
        )
    return {
        "tenant": tenant,
        "other": other,
        "a01": a01,
        "a08": make_criterion(tenant=tenant, component="A08", full_code="A08-2/O"),
        "a08_other": make_criterion(tenant=other, component="A08"),
        "b05": make_criterion(tenant=tenant, component="B05", full_code="B05/S"),
        "unclassified": make_criterion(tenant=tenant),
    }


def test_preview_shows_added_removed_relabelled_and_the_mapping(
    client_for, secretariat_user, classified
):
    client = client_for(secretariat_user)
    token = _token(_upload(client, _csv(_new_grid())))

    response = client.get(_preview_url(token))

    html = response.content.decode()
    assert response.status_code == 200
    added = html.split('id="added-title"')[1].split("</section>")[0]
    removed = html.split('id="removed-title"')[1].split("</section>")[0]
    changed = html.split('id="changed-title"')[1].split("</section>")[0]
    mapping = html.split('id="mapping-title"')[1].split("</section>")[0]
    assert "<code>A12</code>" in added and "<code>B06</code>" in added
    assert "<code>A08</code>" in removed
    assert "“Food / drink”" in changed and "“Food and drink”" in changed
    a08 = re.search(r"<tr>\s*<th scope=\"row\"><code>A08</code>.*?</tr>", mapping, re.S).group(0)
    assert "<code>A12</code>" in a08
    assert '<td class="align-right">2</td>' in a08
    assert "moves to another code" in a08
    b05 = re.search(r"<tr>\s*<th scope=\"row\"><code>B05</code>.*?</tr>", mapping, re.S).group(0)
    assert "<code>B05</code>, <code>B06</code>" in b05
    assert "become disputed" in b05
    assert "they go to the first new component and are marked disputed" in html
    assert "Import it and make it the current grid" in html
    assert GridVersion.objects.count() == 1


def test_import_creates_version_2_and_moves_every_criterion(
    client_for, secretariat_user, classified
):
    client = client_for(secretariat_user)
    token = _token(_upload(client, _csv(_new_grid())))

    response = client.post(_preview_url(token))

    assert response.status_code == 302
    assert response["Location"] == VERSIONS
    assert PENDING_KEY not in client.session
    v1, v2 = GridVersion.objects.get(number=1), GridVersion.objects.get(number=2)
    assert v2.is_current and not v1.is_current
    assert grid_current() == v2
    assert (v2.name, v2.notes, v2.source_filename) == ("Grid 2", "Official labels", "grid.csv")
    assert v2.created_by == secretariat_user
    assert Family.objects.filter(version=v2).count() == 9
    assert Component.objects.filter(version=v2).count() == 61
    assert _component("A01", 2).names["en"] == "Food and drink"
    assert _component("A12", 2).order == _component("A11", 2).order + 1

    with cross_tenant():
        for criterion in classified.values():
            if isinstance(criterion, Criterion):
                criterion.refresh_from_db()
    assert classified["a01"].component == _component("A01", 2)
    assert classified["a01"].full_code == "A01-11/P15/k"
    assert classified["a08"].component == _component("A12", 2)
    assert classified["a08"].full_code == "A12"
    assert classified["a08"].status == Criterion.Status.CLASSIFIED
    assert classified["a08_other"].component == _component("A12", 2)
    assert classified["b05"].component == _component("B05", 2)
    assert classified["b05"].status == Criterion.Status.DISPUTED
    assert classified["b05"].full_code == "B05/S"
    assert classified["unclassified"].component is None

    pairs = set(
        GridMapping.objects.filter(to_component__version=v2).values_list(
            "from_component__code", "to_component__code"
        )
    )
    assert {("A08", "A12"), ("B05", "B05"), ("B05", "B06"), ("A01", "A01")} <= pairs
    assert len(pairs) == 61

    entry = AuditEntry.objects.get(action="criteria.grid.imported")
    assert entry.data["criteria_moved"] == 4
    assert entry.data["criteria_disputed"] == 1
    assert entry.data["changed_mapping"] == {"A08": ["A12"], "B05": ["B05", "B06"]}
    assert entry.data["removed"] == ["A08"]


def test_import_appends_history_and_old_classifications_stay_readable(
    client_for, secretariat_user, classified
):
    client = client_for(secretariat_user)
    client.post(_preview_url(_token(_upload(client, _csv(_new_grid())))))

    with cross_tenant():
        a01_history = list(
            Classification.objects.filter(criterion=classified["a01"]).select_related(
                "component__version"
            )
        )
        moved = list(Classification.objects.filter(by_grid_mapping=True))
        b05_step = Classification.objects.get(criterion=classified["b05"], by_grid_mapping=True)
        other_step = Classification.objects.get(criterion=classified["a08_other"])
    assert [(h.component.code, h.component.version.number) for h in a01_history] == [
        ("A01", 1),
        ("A01", 2),
    ]
    assert a01_history[0].full_code == "A01-11/P15/k"
    assert not a01_history[0].by_grid_mapping and a01_history[1].by_grid_mapping
    assert len(moved) == 4
    assert b05_step.status == Criterion.Status.DISPUTED
    assert "B05, B06" in b05_step.note
    assert other_step.tenant == classified["other"]
    assert other_step.component == _component("A12", 2)
    assert "A08 becomes A12" in other_step.note
    # The old version is still whole: its page and its components.
    assert Component.objects.filter(version__number=1).count() == 60
    assert client.get(reverse("grid:version", kwargs={"version": 1})).status_code == 200


def test_xlsx_upload_imports_the_same_way(client_for, secretariat_user, classified):
    client = client_for(secretariat_user)

    response = client.post(_preview_url(_token(_upload(client, _xlsx(_new_grid()), "g.xlsx"))))

    assert response.status_code == 302
    assert GridVersion.objects.get(is_current=True).number == 2
    with cross_tenant():
        classified["a08"].refresh_from_db()
    assert classified["a08"].component == _component("A12", 2)


def test_removing_a_used_component_without_mapping_is_refused_and_nothing_changes(
    client_for, secretariat_user, classified
):
    client = client_for(secretariat_user)
    token = _token(_upload(client, _csv(_without("A08"))))

    preview = client.get(_preview_url(token))
    response = client.post(_preview_url(token))

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "A08 has 2 criteria and no place in the new grid" in html
    assert "Import it and make it the current grid" not in html
    assert "error: its criteria have nowhere to go" in html
    assert response.status_code == 400
    assert "Nothing was imported" in response.content.decode()
    assert GridVersion.objects.count() == 1
    assert GridVersion.objects.get().is_current
    assert not Component.objects.filter(version__number=2).exists()
    with cross_tenant():
        classified["a08"].refresh_from_db()
        assert not Classification.objects.filter(by_grid_mapping=True).exists()
    assert classified["a08"].component == _component("A08", 1)
    assert not AuditEntry.objects.filter(action="criteria.grid.imported").exists()


def test_removing_an_unused_component_is_allowed(client_for, secretariat_user, classified):
    client = client_for(secretariat_user)
    token = _token(_upload(client, _csv(_without("C05"))))

    html = client.get(_preview_url(token)).content.decode()
    response = client.post(_preview_url(token))

    assert "removed, no criteria" in html
    assert response.status_code == 302
    assert Component.objects.filter(version__number=2).count() == 59


def test_preview_is_refused_when_the_current_grid_changed_meanwhile(client_for, secretariat_user):
    client = client_for(secretariat_user)
    first = _token(_upload(client, _csv(_seed()), name="First"))
    colleague = client_for(make_user(secretariat=True))
    colleague.post(_preview_url(_token(_upload(colleague, _csv(_seed()), name="Other"))))

    response = client.post(_preview_url(first))

    assert response.status_code == 409
    assert "The current grid changed since this file was checked" in response.content.decode()
    assert GridVersion.objects.count() == 2


# --- The service -------------------------------------------------------------------------------


def _rows(data: list[dict[str, str]]) -> list[GridRow]:
    rows, errors = grid_file_read(data=_csv(data), filename="grid.csv")
    assert errors == []
    return rows


def _mapping(rows: list[GridRow]) -> dict[str, list[str]]:
    codes = list(Component.objects.filter(version__number=1).values_list("code", flat=True))
    return grid_mapping_default(rows=rows, current_codes=codes)


def test_service_moves_criteria_with_one_update_per_component():
    tenant = make_coordination_group()
    group = make_homogeneous_group(tenant=tenant)
    for code in ("A01", "A08", "B05"):
        for _ in range(30):
            make_criterion(tenant=tenant, group=group, component=code)
    rows = _rows(_new_grid())

    with CaptureQueriesContext(connection) as queries:
        grid_version_import(
            actor=make_user(secretariat=True), rows=rows, mapping=_mapping(rows), name="v2"
        )

    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "criteria_criterion"')]
    assert len(updates) == 3
    with cross_tenant():
        assert Classification.objects.filter(by_grid_mapping=True).count() == 90
        assert Criterion.objects.filter(component__version__number=2).count() == 90
        assert Criterion.objects.filter(status=Criterion.Status.DISPUTED).count() == 30


def test_service_refuses_a_mapping_to_an_unknown_code_and_saves_nothing():
    make_criterion(tenant=make_coordination_group(), component="A01")
    rows = _rows(_seed())

    with pytest.raises(DomainError) as error:
        grid_version_import(
            actor=make_user(secretariat=True),
            rows=rows,
            mapping={**_mapping(rows), "A01": ["A99"]},
            name="v2",
        )

    assert "A99" in error.value.message
    assert GridVersion.objects.count() == 1
    assert not Family.objects.filter(version__number=2).exists()


def test_service_refuses_rows_with_errors_and_an_empty_name():
    rows = _rows(_seed())
    bad = [GridRow(**{**rows[0].as_dict(), "code": "A1"}), *rows[1:]]

    with pytest.raises(DomainError):
        grid_version_import(
            actor=make_user(secretariat=True), rows=bad, mapping=_mapping(rows), name="v2"
        )
    with pytest.raises(DomainError) as error:
        grid_version_import(
            actor=make_user(secretariat=True), rows=rows, mapping=_mapping(rows), name=" "
        )

    assert error.value.field == "name"
    assert GridVersion.objects.count() == 1


def test_only_network_staff_reach_the_import_even_as_facilitator_of_every_group(client_for):
    user = make_user()
    tenant = make_coordination_group()
    membership_set(group=tenant, user=user, role=Membership.Role.FACILITATOR)

    assert client_for(user).get(IMPORT).status_code == 404
