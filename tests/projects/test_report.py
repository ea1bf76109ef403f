"""The PDF report of a project summary: a real PDF with the page's figures, in the reader's
language, drawn once per computed figures, and refused wherever the summary page is."""

import contextlib
import re
import zlib
from pathlib import Path

import pytest
from django.urls import reverse

from projects import services, summaries
from projects.models import Summary
from projects.reports import services as report
from tests.factories import make_coordination_group, make_user
from tests.projects.test_summaries import _network

pytestmark = pytest.mark.django_db


def _url(key: str = "project") -> str:
    return reverse("projects:summary_report", args=[key])


def _streams(data: bytes) -> list[bytes]:
    """The PDF's compressed streams (pages, fonts' maps, object streams), decompressed."""
    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, flags=re.S):
        with contextlib.suppress(zlib.error):
            streams.append(zlib.decompress(raw))
    return streams


def _pdf_text(data: bytes) -> str:
    """The text of a WeasyPrint PDF (no pypdf here): the glyphs of its content streams mapped
    back to characters through the fonts' ToUnicode maps, one line per run of text (a table
    cell, a line of a paragraph), spaces collapsed."""
    streams = _streams(data)
    characters: dict[bytes, str] = {}
    for stream in streams:
        if b"begincmap" in stream:
            mappings = stream.split(b"endcodespacerange", 1)[-1]
            for code, text in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", mappings):
                characters[code.lower()] = bytes.fromhex(text.decode()).decode("utf-16-be")
    lines = []
    for stream in streams:
        for block in re.findall(rb"\bBT\b(.*?)\bET\b", stream, flags=re.S):
            for run in re.findall(rb"\[(.*?)\]\s*TJ|(<[0-9a-fA-F]+>)\s*Tj", block, flags=re.S):
                glyphs = re.findall(rb"<([0-9a-fA-F]+)>", b"".join(run))
                lines.append("".join(characters.get(glyph.lower(), "") for glyph in glyphs))
    return "\n".join(" ".join(line.split()) for line in lines)


def _reports(settings) -> list[Path]:
    return sorted((Path(settings.PRIVATE_ROOT) / report.REPORTS_DIRECTORY).glob("*.pdf"))


@pytest.fixture
def computed():
    """The network of the summaries' tests, computed; its project summary."""
    _network(seed=5)
    summaries.summaries_recompute(force=True)
    return Summary.objects.get(scope="project")


def test_the_report_is_a_pdf_with_the_summarys_figures(client, computed):
    figures = computed.figures

    response = client.get(_url())

    data = response.content
    text = _pdf_text(data)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="right-choices-project-en.pdf"'
    )
    assert data.startswith(b"%PDF")
    assert any(b"/MediaBox [0 0 595" in stream for stream in _streams(data))  # A4
    assert "The right choices · The whole project" in text  # the header of every page
    assert "Page 1 of " in text
    participants = sum(figures["participants"].values())
    assert f"{participants} participants, speaking for {figures['people']} people" in text
    assert "Choices by category and status" in text
    food = figures["by_category"].get("food", {})
    statuses = [food.get(status, 0) for status in ("planned", "started", "kept", "given_up")]
    assert "\n".join(map(str, ["Food", sum(statuses), *statuses])) in text
    assert f"Choices recorded\n{figures['choices']}\n" in text
    below = figures["footprints"]["below_goal"]
    assert f"Participants with a footprint\n{figures['footprints']['participants']}\n" in text
    assert f"Below the goal of 2.0 t\n{below} (" in text
    assert "Participants by their latest footprint per person" in text
    assert "How footprints move over the years" in text
    assert "Most shared choices" in text
    for item in figures["shared"]:
        assert f"{item['title']}\n{item['participant']}\n{item['shares']}" in text
    assert 'role="img"' not in text  # the charts are drawn, not printed as markup


def test_the_report_html_has_every_table_and_both_charts(computed):
    from projects.display import summary_display

    display = summary_display(computed.figures)

    html = report.summary_report_html(
        display=display,
        title="The right choices: The whole project",
        scope_name="The whole project",
        computed_at=computed.computed_at,
        language="en",
    )

    assert html.count("<table>") == 6  # key figures, kinds, categories, bands, years, shared
    assert html.count('role="img"') == 2
    assert display.avoided_tonnes in html and display.median_tonnes in html
    assert "counter(pages)" in html


def test_a_report_asked_in_french_is_in_french(client, computed):
    response = client.get(_url(), headers={"accept-language": "fr"})

    text = _pdf_text(response.content)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-project-fr.pdf"')
    assert "Qui participe" in text
    assert "Alimentation" in text
    assert "Page 1 sur " in text
    assert "Who takes part" not in text


def test_the_second_request_is_served_from_the_kept_file(client, computed, monkeypatch, settings):
    drawn = []
    draw = report.summary_report_pdf

    def counting(**kwargs):
        drawn.append(kwargs["language"])
        return draw(**kwargs)

    monkeypatch.setattr(report, "summary_report_pdf", counting)

    first = client.get(_url())
    second = client.get(_url())

    assert drawn == ["en"]
    assert first.content == second.content
    assert [path.name for path in _reports(settings)] == [
        report.summary_report_path(summary=computed, language="en").name
    ]
    client.get(_url(), headers={"accept-language": "fr"})
    assert drawn == ["en", "fr"]
    assert len(_reports(settings)) == 2


def test_new_figures_draw_a_new_report_and_drop_the_old(client, computed, monkeypatch, settings):
    client.get(_url())
    old = report.summary_report_path(summary=computed, language="en")
    drawn = []
    draw = report.summary_report_pdf
    monkeypatch.setattr(report, "summary_report_pdf", lambda **kw: drawn.append(1) or draw(**kw))
    participant = services.participant_join(
        actor=make_user(), kind="citizen", subtype="individual", name="Newcomer"
    )

    summaries.summaries_recompute(force=True)
    response = client.get(_url())

    recomputed = Summary.objects.get(scope="project")
    new = report.summary_report_path(summary=recomputed, language="en")
    assert drawn == [1]
    assert new != old
    assert _reports(settings) == [new]
    assert participant.name not in _pdf_text(response.content)  # only the top-shared are named
    assert f"{recomputed.participants} participants," in _pdf_text(response.content)


def test_a_hidden_groups_report_is_not_found_for_anyone(client, computed):
    facilitator = make_user()
    group = make_coordination_group(facilitator=facilitator)
    services.participant_join(
        actor=facilitator,
        kind="citizen",
        subtype="individual",
        name="Member",
        coordination_group=group,
    )
    summaries.summaries_recompute(force=True)
    assert client.get(_url(f"cg-{group.pk}")).status_code == 200  # drawn and kept while visible
    group.is_hidden = True
    group.save(update_fields=["is_hidden"])
    outsider = make_user()
    make_coordination_group(facilitator=outsider)

    anonymous = client.get(_url(f"cg-{group.pk}"))
    client.force_login(outsider)
    as_outsider = client.get(_url(f"cg-{group.pk}"))
    page = client.get(reverse("projects:summary", args=[f"cg-{group.pk}"]))

    assert Summary.objects.filter(scope="cg", scope_id=group.pk).exists()  # not recomputed yet
    assert anonymous.status_code == 404
    assert as_outsider.status_code == 404
    assert page.status_code == 404  # as the summary page


def test_no_summary_yet_is_not_found_not_an_error(client):
    group = make_coordination_group()

    project = client.get(_url())
    scope = client.get(_url(f"cg-{group.pk}"))
    unknown = client.get(_url("cg-999999"))

    assert project.status_code == 404
    assert scope.status_code == 404
    assert unknown.status_code == 404


def test_the_summary_page_links_its_report(client, computed):
    response = client.get(reverse("projects:summary_project"))

    assert f'href="{_url()}"' in response.content.decode()
