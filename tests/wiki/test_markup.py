import re
import time
from html.parser import HTMLParser

import pytest

from tests.wiki.xss_payloads import XSS_PAYLOADS
from wikispiral.wiki.markup import (
    LinkTarget,
    Rendered,
    TocEntry,
    WikiLink,
    extract_wikilinks,
    render,
    render_plain,
    sanitize_html,
)

EXISTING = {"Home", "Page one", "network:Home"}


class ResolverSpy:
    """A resolve_links stand-in that records its calls; "Home" and "Page one" exist."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, targets: list[str]) -> dict[str, LinkTarget]:
        self.calls.append(list(targets))
        return {
            t: LinkTarget(url=f"/w/{t.replace(' ', '_')}", exists=t in EXISTING) for t in targets
        }


def naive_resolver(targets: list[str]) -> dict[str, LinkTarget]:
    """A careless resolver that uses the raw target as the URL."""
    return {target: LinkTarget(url=target, exists=True) for target in targets}


def attachments(name: str) -> str | None:
    return f"/files/{name}" if name in {"map.png", "report.pdf"} else None


def html_of(source: str, **kwargs: object) -> str:
    return render(source, resolve_links=ResolverSpy(), **kwargs).html  # type: ignore[arg-type]


class Elements(HTMLParser):
    """Every start tag of an HTML fragment with its attributes, as a browser would read them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def of(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]


def url_scheme(url: str) -> str:
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", url).lower()
    return cleaned.split(":", 1)[0] if re.match(r"^[a-z][a-z0-9+.\-]*:", cleaned) else ""


# --- Markdown basics ------------------------------------------------------------------------


def test_script_tag_typed_by_user_is_shown_as_text() -> None:
    html = html_of("<script>alert(1)</script>")

    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_gfm_table_renders_with_alignment_as_classes_not_styles() -> None:
    html = html_of("| left | right | mid |\n|:--|--:|:-:|\n| a | b | c |")

    assert "<table>" in html
    assert '<th class="align-left">left</th>' in html
    assert '<td class="align-right">b</td>' in html
    assert '<td class="align-center">c</td>' in html
    assert "style=" not in html


def test_strikethrough_and_emphasis_render() -> None:
    html = html_of("~~gone~~ *soft* **strong**")

    assert "<s>gone</s>" in html
    assert "<em>soft</em>" in html
    assert "<strong>strong</strong>" in html


def test_fenced_code_keeps_its_text_escaped() -> None:
    html = html_of("```python\nif a < b and c:\n    pass\n```")

    assert "<pre><code>if a &lt; b and c:\n    pass\n</code></pre>" in html


def test_bare_urls_become_external_links() -> None:
    html = html_of("See https://example.org/a_(b). and www.example.com, then stop.")

    assert '<a href="https://example.org/a_(b)" rel="nofollow noopener">' in html
    assert '<a href="http://www.example.com" rel="nofollow noopener">www.example.com</a>,' in html


def test_bare_url_inside_a_link_label_is_not_linked_twice() -> None:
    html = html_of("[see https://example.org](/local)")

    assert html.count("<a ") == 1


def test_external_links_get_nofollow_and_internal_links_do_not() -> None:
    html = html_of("[out](https://example.org) [in](/cg/x/) [anchor](#top) [mail](mailto:a@b.org)")

    assert '<a href="https://example.org" rel="nofollow noopener">out</a>' in html
    assert '<a href="/cg/x/">in</a>' in html
    assert '<a href="#top">anchor</a>' in html
    assert '<a href="mailto:a@b.org">mail</a>' in html


def test_malformed_markdown_never_raises() -> None:
    for source in ["[", "[[", "]]", "[[|]]", "![", "```", "|", "| a |\n|", "*" * 500, "\x00", ""]:
        assert isinstance(render(source, resolve_links=ResolverSpy()), Rendered)
        assert isinstance(render_plain(source), str)


# --- Headings and table of contents --------------------------------------------------------


def test_markdown_h1_renders_as_h2_so_the_page_has_one_h1() -> None:
    html = html_of("# One\n\n## Two\n\n###### Six")

    assert '<h2 id="one">One</h2>' in html
    assert '<h3 id="two">Two</h3>' in html
    assert '<h6 id="six">Six</h6>' in html
    assert "<h1" not in html


def test_headings_get_slug_ids_deduplicated_with_numbers() -> None:
    rendered = render("# Intro\n\n# Intro\n\n# Intro 2\n\n# Intro", resolve_links=ResolverSpy())

    assert [entry.anchor for entry in rendered.toc] == ["intro", "intro-2", "intro-2-2", "intro-3"]
    assert len(set(re.findall(r'id="([^"]+)"', rendered.html))) == 4


def test_heading_without_letters_gets_a_fallback_anchor() -> None:
    rendered = render("# !!!\n\n# ???", resolve_links=ResolverSpy())

    assert [entry.anchor for entry in rendered.toc] == ["section", "section-2"]


def test_toc_lists_levels_two_to_four_with_plain_text() -> None:
    source = "# Top *level*\n\n## Sub [[Home]]\n\n### Deep `code`\n\n#### Too deep\n"

    rendered = render(source, resolve_links=ResolverSpy())

    assert rendered.toc == [
        TocEntry(level=2, text="Top level", anchor="top-level"),
        TocEntry(level=3, text="Sub Home", anchor="sub-home"),
        TocEntry(level=4, text="Deep code", anchor="deep-code"),
    ]


def test_accented_heading_keeps_its_letters_in_the_anchor() -> None:
    rendered = render("# Coresponsabilité des territoires", resolve_links=ResolverSpy())

    assert rendered.toc[0].anchor == "coresponsabilité-des-territoires"


# --- Wiki links ----------------------------------------------------------------------------


def test_wikilink_to_existing_page_links_with_wikilink_class() -> None:
    html = html_of("Go [[Home]] now")

    assert '<a href="/w/Home" class="wikilink">Home</a>' in html


def test_wikilink_to_missing_page_is_marked_missing_with_a_title() -> None:
    html = html_of("[[Nowhere|somewhere]]")

    anchor = Elements(html).of("a")[0]
    assert anchor["href"] == "/w/Nowhere"
    assert anchor["class"] == "wikilink missing"
    assert anchor["title"] == "Page does not exist yet — create it"
    assert ">somewhere</a>" in html


def test_resolver_is_called_once_with_distinct_trimmed_targets() -> None:
    spy = ResolverSpy()

    render("[[ Home ]] [[Home|again]] [[network:Home]] [[Other]] [[Home]]", resolve_links=spy)

    assert spy.calls == [["Home", "network:Home", "Other"]]


def test_resolver_is_not_called_when_the_page_has_no_wikilink() -> None:
    spy = ResolverSpy()

    render("No links here, only `[[code]]`.", resolve_links=spy)

    assert spy.calls == []


def test_rendered_links_lists_each_target_label_pair_once() -> None:
    rendered = render("[[Home]] [[Home|start]] [[Home]]", resolve_links=ResolverSpy())

    assert rendered.links == [WikiLink("Home", "Home"), WikiLink("Home", "start")]


def test_wikilinks_work_in_lists_and_table_cells_with_labels() -> None:
    source = "- [[Home]]\n\n| page | note |\n|---|---|\n| [[Page one|the first]] | x |\n"

    rendered = render(source, resolve_links=ResolverSpy())

    assert '<li><a href="/w/Home" class="wikilink">Home</a></li>' in rendered.html
    assert '<td><a href="/w/Page_one" class="wikilink">the first</a></td>' in rendered.html
    assert "<td>x</td>" in rendered.html


def test_wikilinks_in_code_are_left_alone() -> None:
    source = "`[[Home]]`\n\n```\n[[Home]]\n```\n\n    [[Home]]\n"

    assert extract_wikilinks(source) == []
    assert "wikilink" not in html_of(source)


def test_empty_wikilink_targets_stay_literal_text() -> None:
    html = html_of("[[ ]] and [[|label]]")

    assert "<a" not in html
    assert "[[ ]] and [[|label]]" in html


def test_wikilink_label_is_escaped() -> None:
    html = html_of("[[Home|<b>bold</b> & co]]")

    assert ">&lt;b&gt;bold&lt;/b&gt; &amp; co</a>" in html


def test_wikilink_the_resolver_leaves_out_shows_its_label_without_link() -> None:
    rendered = render("[[Ghost|boo]]", resolve_links=lambda targets: {})

    assert "<a" not in rendered.html
    assert "boo" in rendered.html


def test_extract_wikilinks_returns_targets_and_labels_in_order() -> None:
    links = extract_wikilinks("[[B]] text [[ A | label ]] [[B]] [[network:Home]]")

    assert links == [
        WikiLink("B", "B"),
        WikiLink("A", "label"),
        WikiLink("network:Home", "network:Home"),
    ]


# --- Images and attachments ----------------------------------------------------------------


def test_http_image_renders_lazily_with_alt_and_title() -> None:
    html = html_of('![A map](https://example.org/map.png "The map")')

    image = Elements(html).of("img")[0]
    assert image == {
        "src": "https://example.org/map.png",
        "alt": "A map",
        "title": "The map",
        "loading": "lazy",
    }


def test_attachment_image_uses_the_attachment_url() -> None:
    html = html_of("![Our map](attachment:map.png)", attachment_url=attachments)

    assert Elements(html).of("img")[0]["src"] == "/files/map.png"


def test_missing_attachment_shows_alt_text_with_a_marker_instead_of_an_image() -> None:
    html = html_of("![Old map](attachment:lost.png)", attachment_url=attachments)

    assert "<img" not in html
    assert '<span class="attachment-missing">Old map (missing attachment)</span>' in html


def test_attachment_without_resolver_is_shown_as_missing() -> None:
    html = html_of("![Our map](attachment:map.png)")

    assert "<img" not in html
    assert "Our map" in html


def test_attachment_link_points_to_the_file() -> None:
    html = html_of("[the report](attachment:report.pdf)", attachment_url=attachments)

    assert '<a href="/files/report.pdf">the report</a>' in html


def test_relative_and_data_images_render_their_alt_text_only() -> None:
    html = html_of("![local](/static/x.png) ![inline](data:image/png;base64,AAAA)")

    assert "<img" not in html
    assert "local" in html and "inline" in html


# --- Security ------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payload_renders_inert(payload: str) -> None:
    for resolver in (ResolverSpy(), naive_resolver):
        html = render(payload, resolve_links=resolver, attachment_url=attachments).html

        # Attributes are read by a real HTML parser: " onerror=" may appear inside an escaped
        # alt text, where it is only text.
        assert "<script" not in html.lower()
        for tag, attrs in Elements(html).tags:
            assert tag not in {"script", "style", "svg", "math", "iframe", "object", "form"}
            assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
            assert "style" not in attrs
            for name in ("href", "src"):
                if name in attrs:
                    assert url_scheme(attrs[name]) in {"", "http", "https", "mailto"}, attrs


def test_xss_corpus_has_at_least_thirty_payloads() -> None:
    assert len(XSS_PAYLOADS) >= 30


def test_javascript_markdown_link_is_not_a_link() -> None:
    for source in [
        "[x](javascript:alert(1))",
        "[x](jav&#x09;ascript:alert(1))",
        "[x](JAVASCRIPT:1)",
    ]:
        assert "<a" not in html_of(source)


def test_wikilink_with_unsafe_resolved_url_is_not_linked() -> None:
    html = render("[[javascript:alert(1)]]", resolve_links=naive_resolver).html

    assert "<a" not in html
    assert "javascript:alert(1)" in html


def test_sanitize_html_strips_disallowed_tags_attributes_and_schemes() -> None:
    dirty = (
        '<h2 id="x" onclick="a()" style="color:red">T</h2><script>bad()</script>'
        '<a href="javascript:alert(1)" target="_blank">j</a><a href="/ok">ok</a>'
        '<a href="#frag" class="wikilink evil">f</a><iframe src="https://x"></iframe>'
        '<img src="https://x/a.png" onerror="bad()">'
    )

    clean = sanitize_html(dirty)

    assert clean == (
        '<h2 id="x">T</h2><a>j</a><a href="/ok">ok</a><a href="#frag" class="wikilink">f</a>'
        '<img src="https://x/a.png" loading="lazy">'
    )


# --- Plain text ----------------------------------------------------------------------------


def test_render_plain_drops_markup_and_keeps_wikilink_labels() -> None:
    source = (
        "# Title\n\nSome **bold** and [[Home|home page]] and [link](https://x.org).\n\n"
        "- one\n- two\n\n| a | b |\n|---|---|\n| c | d |\n\n```\ncode <here>\n```\n"
    )

    assert render_plain(source) == (
        "Title\nSome bold and home page and link.\none\ntwo\na b\nc d\ncode <here>"
    )


def test_render_plain_of_empty_source_is_empty() -> None:
    assert render_plain("") == ""
    assert render_plain("\n\n   \n") == ""


# --- Size ----------------------------------------------------------------------------------


def test_one_megabyte_page_renders_in_reasonable_time() -> None:
    section = (
        "## Section {n}\n\nSome *text* with [[Link {n}|label]], `code` and https://example.org/x "
        "**bold** & more.\n\n| a | b |\n|---|---|\n| [[x|y]] | z |\n\n- item\n- [[two]]\n\n"
    )
    source = "".join(section.format(n=n) for n in range(6500))
    assert len(source) > 1_000_000

    started = time.perf_counter()
    rendered = render(source, resolve_links=ResolverSpy())
    elapsed = time.perf_counter() - started

    assert elapsed < 30  # about 9 s on a developer machine; generous for a loaded CI
    assert rendered.html.count("<h3") == 6500


@pytest.mark.parametrize(
    "source",
    ["[" * 1_000_000, "[[" * 500_000, "![" * 500_000, "*a" * 500_000, "a & b " * 170_000],
    ids=["brackets", "wikilink-openers", "image-openers", "emphasis", "ampersands"],
)
def test_one_megabyte_paragraph_of_hostile_markup_renders_quickly(source: str) -> None:
    started = time.perf_counter()
    render(source, resolve_links=ResolverSpy())

    assert time.perf_counter() - started < 5
