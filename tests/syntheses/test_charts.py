"""Server-side SVG charts: well-formed XML with a title and a description, escaped texts, and a
data table that says exactly what the chart shows."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from syntheses import charts, services
from syntheses.selectors import Filters, scope_get, snapshot_get, synthesis_figures
from tests.factories import make_coordination_group, make_criterion, make_homogeneous_group
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def _xml(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - our own markup, parsed to check it is XML


@pytest.fixture
def lyon():
    tenant = make_coordination_group(name="Lyon")
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant, participants=9)
    for question, component, count in [("Q1", "A01", 3), ("Q1", "A02", 1), ("Q1", "D01", 2)]:
        for _ in range(count):
            make_criterion(
                tenant=tenant,
                group=group,
                question=question,
                component=component,
                session_date=datetime.date(2025, 5, 1),
            )
    make_criterion(tenant=tenant, group=group, question="Q2", component="F01")
    services.syntheses_recompute_all()
    return tenant


@pytest.fixture
def figures(lyon):
    return synthesis_figures(snapshot_get(scope_get(f"cg-{lyon.pk}")), Filters())


def _bars(svg: ET.Element) -> list[tuple[str, str, str]]:
    """(key, label, value text) of each bar group."""
    rows = []
    for group in svg.iter(f"{SVG}g"):
        texts = group.findall(f"{SVG}text")
        hint = group.find(f"{SVG}title")
        label = hint.text if hint is not None else texts[0].text
        rows.append((group.get("data-key"), label, texts[-1].text))
    return rows


def test_chart_is_well_formed_svg_with_title_and_description(figures):
    block = charts.question_charts(figures)[0]

    svg = _xml(block.families.svg)

    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title.text == "Q1 · Well-being: answers by family"
    assert "6 answers to Q1 · Well-being" in desc.text
    assert "A · Access to essential resources 4 (66.7%)" in desc.text
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_families_are_bars_and_each_expands_to_its_components(figures):
    q1, q2, _q3 = charts.question_charts(figures)

    families = _bars(_xml(q1.families.svg))
    components = {family.letter: chart for family, chart in q1.components}

    assert [key for key, _label, _value in families] == list("ABCDEFGHI")
    assert families[0][2] == "4 (66.7%)" and families[3][2] == "2 (33.3%)"
    assert families[1][2] == "0 (0.0%)"
    assert set(components) == {"A", "D"}
    assert _bars(_xml(components["A"].svg)) == [
        ("A01", "A01 · Food / drink", "3 (75.0%)"),
        ("A02", "A02 · Healthcare and medicine", "1 (25.0%)"),
    ]
    assert [family.letter for family, _chart in q2.components] == ["F"]


def test_bars_are_scaled_to_the_largest(figures):
    svg = _xml(charts.question_charts(figures)[0].families.svg)

    widths = {
        group.get("data-key"): float(group.find(f"{SVG}rect").get("width"))
        for group in svg.iter(f"{SVG}g")
    }

    assert widths["A"] == charts.WIDTH - charts.VALUE_ROOM
    assert widths["D"] == pytest.approx(widths["A"] / 2, abs=0.1)


def test_data_table_has_the_same_numbers_as_the_chart(figures):
    for block in charts.question_charts(figures):
        for chart in [block.families, *(chart for _family, chart in block.components)]:
            html = render_to_string("syntheses/_chart.html", {"chart": chart})
            table = _xml(re.search(r"<table.*?</table>", html, re.S)[0])
            rows = [
                (
                    row.get("data-key"),
                    row.find("th").text,
                    f"{row.findall('td')[0].text} ({row.findall('td')[1].text})",
                )
                for row in table.iter("tr")
                if row.get("data-key")
            ]
            assert rows == _bars(_xml(str(chart.svg)))
            assert table.find("caption").text == chart.title


def _followed_by_their_tables(page: str) -> list[str]:
    """The page's charts (their ids), each checked to parse and be followed by its table."""
    ids = []
    for svg in re.findall(r"<svg.*?</svg>", page, re.S):
        chart_id = _xml(svg).get("id")
        after = page.split(svg, 1)[1]
        assert after.lstrip().startswith('<details class="chart-data">')
        assert f'id="{chart_id}-table"' in after.split("</details>", 1)[0]
        ids.append(chart_id)
    return ids


def test_every_chart_on_the_page_parses_and_is_followed_by_its_table(client, lyon):
    key = f"cg-{lyon.pk}"
    response = client.get(reverse("syntheses:synthesis", kwargs={"key": key}))

    page = response.content.decode()
    # On the synthesis page, one chart: the families, every question together, whose data
    # table is the families' rows of the table below (same figures), linked after it.
    (svg,) = re.findall(r"<svg.*?</svg>", page, re.S)
    assert (
        page.split(svg, 1)[1]
        .lstrip()
        .startswith('<p class="chart-data"><a href="#synthesis-table">')
    )
    rows = {
        key: re.findall(r"<td>(.*?)</td>", cells)[-2:]
        for key, cells in re.findall(
            r'<tr class="synthesis-family-row" data-key="(\w)">(.*?)</tr>', page
        )
    }
    assert [(key, value) for key, _label, value in _bars(_xml(svg))] == [
        (key, f"{count} ({share})") for key, (count, share) in rows.items()
    ]
    # Each question with answers links to its charts (Q3 has none): its families, and one per
    # family with answers (Q1: A and D; Q2: F), each followed by its data table, on a page of
    # their own and as the fragment htmx loads in place of the link.
    assert "No criterion answers this question here." in page
    for question, expected in [
        ("Q1", ["families", "family-a", "family-d"]),
        ("Q2", ["families", "family-f"]),
    ]:
        url = reverse("syntheses:components", kwargs={"key": key, "question": question})
        assert f'href="{url}"' in page and f'hx-get="{url}"' in page
        alone = client.get(url).content.decode()
        fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        slug = question.lower()
        assert _followed_by_their_tables(alone) == [f"chart-{slug}-{name}" for name in expected]
        assert _followed_by_their_tables(fragment) == [f"chart-{slug}-{name}" for name in expected]
        assert "<html" not in fragment
    assert reverse("syntheses:components", kwargs={"key": key, "question": "Q3"}) not in page


def test_texts_are_escaped_and_long_labels_shortened_in_the_chart_only():
    label = 'A01 · Bread & <wine> for "everyone" ' + "and more " * 10
    chart = charts.Chart(
        id="chart-test",
        title="Title <b>&</b>",
        description="Desc & more",
        label_heading="Component",
        total=3,
        bars=[charts.Bar("A01", label, 3, 1.0)],
    )

    svg = _xml(chart.svg)
    html = render_to_string("syntheses/_chart.html", {"chart": chart})

    assert svg.find(f"{SVG}title").text == "Title <b>&</b>"
    shown = svg.find(f"{SVG}g/{SVG}text").text
    assert shown.endswith("\u2026") and len(shown) == charts.MAX_LABEL
    assert svg.find(f"{SVG}g/{SVG}title").text == label
    assert "Bread &amp; &lt;wine&gt;" in html and "<wine>" not in html


def test_an_empty_chart_is_still_well_formed():
    chart = charts.Chart("chart-empty", "Nothing", "No answers.", "Family", 0, [])

    svg = _xml(chart.svg)

    assert svg.find(f"{SVG}desc").text == "No answers."


def test_compare_chart_is_well_formed_and_tells_the_sides_apart_without_colour():
    svg = _xml(
        charts.compare_svg(
            chart_id="compare",
            title="Lyon & Paris",
            description="Filled: Lyon; outlined: Paris.",
            first_name="Lyon",
            second_name="Paris <2024>",
            bars=[charts.PairedBar("A", "A · Access", 0.4, 0.5)],
        )
    )

    pair = svg.find(f"{SVG}g")
    first, second = pair.findall(f"{SVG}rect")
    assert svg.find(f"{SVG}title").text == "Lyon & Paris"
    assert second.get("stroke") and not first.get("stroke")
    assert [text.text for text in pair.findall(f"{SVG}text")][1:] == ["40.0%", "50.0%"]


def test_shares_and_points_are_written_in_the_readers_notation():
    assert charts.share_text(0.4) == "40.0%"
    assert charts.points_text(3.24) == "+3.2"
    assert charts.points_text(-10) == "\u221210.0"
    assert charts.points_text(0.01) == "0.0"
    with translation.override("fr"):
        assert charts.share_text(0.125).startswith("12,5")
        assert charts.count_text(12345) != "12345"
