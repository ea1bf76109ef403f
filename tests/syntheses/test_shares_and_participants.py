"""Shares read the same on the synthesis pages and in the PDF report (one rounding, half up,
one decimal), and a number of participants nobody gave reads as unknown, never as 0."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from syntheses import charts, reports, services
from syntheses.models import Snapshot
from syntheses.selectors import Filters, scope_get
from tests.factories import make_coordination_group, make_criterion, make_homogeneous_group
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _key(tenant) -> str:
    return f"cg-{tenant.pk}"


def _page(client, tenant) -> str:
    response = client.get(reverse("syntheses:synthesis", kwargs={"key": _key(tenant)}))
    assert response.status_code == 200
    return response.content.decode()


def _report_html(tenant, language: str = "en") -> str:
    report = reports.report_request(
        ref=scope_get(_key(tenant)), language=language, filters=Filters(), actor=None
    )
    reports.report_freeze(report=report, ref=scope_get(_key(tenant)))
    return reports.report_html(report)


def _page_shares(html: str) -> dict[str, str]:
    """The share column of the page's family → component table, by row key (A, A01…)."""
    shares = {}
    rows = re.findall(r'<tr class="synthesis-\w+-row" data-key="(\w+)">(.*?)</tr>', html, re.S)
    for key, row in rows:
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)
        ]
        shares[key] = cells[5]
    return shares


def _pdf_shares(html: str) -> dict[str, str]:
    """The share column of the report's family and component table, by row key."""
    return {
        key: share
        for key, share in re.findall(
            r'<tr class="(?:family|component)"><th scope="row\w*">(\w+) · .*?</th>'
            r'(?:<td class="number">[^<]*</td>)*?<td class="number">([^<]*%)</td></tr>',
            html,
        )
    }


# --- One rounding ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "shown", "truncated"),
    [
        (0.0198, "2.0%", "1.9%"),  # France, A00
        (2 / 3, "66.7%", "66.6%"),
        (1 / 7, "14.3%", "14.2%"),
        (0.1225, "12.3%", "12.2%"),  # 49 of 400: half up, whatever 0.1225 * 100 is in binary
        (0.0005, "0.1%", "0.0%"),
        (0.99999, "100.0%", "99.9%"),
        (0.00049, "0.0%", "0.0%"),
        (0.125, "12.5%", "12.5%"),
    ],
)
def test_shares_are_rounded_half_up_to_one_decimal_not_cut(share, shown, truncated):
    assert charts.share_text(share) == shown
    assert f"{int(share * 1000) / 10:.1f}%" == truncated  # what cutting would have shown


def test_differences_of_shares_round_the_same_way():
    assert charts.points_text(2.25) == "+2.3"
    assert charts.points_text(-2.25) == "\u22122.3"
    with translation.override("fr"):
        assert charts.share_text(0.0198).startswith("2,0")


def test_a_share_of_exactly_1_98_percent_reads_2_0_on_the_page_and_in_the_pdf(client):
    tenant = make_coordination_group(name="France")
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant, participants=12)
    make_criterion(tenant=tenant, group=group, component="A01")
    make_criterion(tenant=tenant, group=group, component="B02")
    services.syntheses_recompute_all()
    # 99 of 5,000 criteria: exactly 1.98 %. Written into the snapshot rather than made one by
    # one; a new computed_at keeps the page's cache from answering.
    snapshot = Snapshot.objects.get(scope="cg", scope_id=tenant.pk)
    cube = snapshot.cube
    cube["count"] = [99, 4901]
    Snapshot.objects.filter(pk=snapshot.pk).update(
        cube=cube, criteria_count=5000, computed_at=timezone.now()
    )

    page = _page_shares(_page(client, tenant))
    pdf = _pdf_shares(_report_html(tenant))

    assert page["A01"] == page["A"] == "2.0%"
    assert page["B02"] == "98.0%"
    # The PDF leaves out families nobody mentioned; every row it has reads as on the page.
    assert set(pdf) == {"A", "A01", "B", "B02"}
    assert pdf == {key: page[key] for key in pdf}


def test_the_page_and_the_pdf_show_the_same_shares_where_cutting_would_differ(client):
    tenant = make_coordination_group()
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant, participants=3)
    for component in ["A01", "A01", "B02", "C01", "C01", "C01", "D01"]:
        make_criterion(tenant=tenant, group=group, component=component)
    services.syntheses_recompute_all()

    page = _page_shares(_page(client, tenant))
    pdf = _pdf_shares(_report_html(tenant))

    # 2, 1, 3 and 1 of 7: 28.57…, 14.28…, 42.85…, 14.28… per cent.
    assert {key: page[key] for key in ("A01", "B02", "C01", "D01")} == {
        "A01": "28.6%",
        "B02": "14.3%",
        "C01": "42.9%",
        "D01": "14.3%",
    }
    assert set(pdf) == {"A", "A01", "B", "B02", "C", "C01", "D", "D01"}
    assert pdf == {key: page[key] for key in pdf}


# --- Unknown numbers of participants --------------------------------------------------------


def test_groups_without_a_number_make_the_total_a_lower_bound(client):
    tenant = make_coordination_group()
    with cross_tenant():
        counted = make_homogeneous_group(tenant=tenant, participants=7)
        uncounted = make_homogeneous_group(tenant=tenant)
    make_criterion(tenant=tenant, group=counted, component="A01")
    make_criterion(tenant=tenant, group=uncounted, component="B02")
    services.syntheses_recompute_all()

    page = _page(client, tenant)
    pdf = _report_html(tenant)

    assert "<dt>Participants</dt><dd>at least 7</dd>" in page
    assert "2 criteria from 2 homogeneous groups (at least 7 participants)." in pdf
    assert "2 homogeneous groups (at least 7 participants) expressed these criteria." in pdf
    assert "0 participants" not in pdf


def test_no_number_given_reads_not_given_never_zero(client):
    tenant = make_coordination_group()
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant)
    make_criterion(tenant=tenant, group=group, component="A01")
    services.syntheses_recompute_all()

    page = _page(client, tenant)
    pdf = _report_html(tenant)
    compare = client.get(
        reverse("syntheses:compare", kwargs={"key": _key(tenant)}), {"with": _key(tenant)}
    ).content.decode()

    assert "<dt>Participants</dt><dd>not given</dd>" in page
    assert "1 criterion from 1 homogeneous group (number of participants not given)." in pdf
    assert "0 participants" not in pdf
    assert '<td class="num">not given</td>' in compare


def test_every_number_given_reads_as_it_is_with_its_plural(client):
    tenant = make_coordination_group()
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant, participants=1)
    make_criterion(tenant=tenant, group=group, component="A01")
    services.syntheses_recompute_all()

    assert "<dt>Participants</dt><dd>1</dd>" in _page(client, tenant)
    assert "1 homogeneous group (1 participant) expressed" in _report_html(tenant)
    assert "(1 participante)" in _report_html(tenant, language="pt")
