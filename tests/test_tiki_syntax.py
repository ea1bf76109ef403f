"""Tiki wiki syntax to our Markdown (wikispiral/wiki/tiki/syntax.py), checked twice: the
Markdown written, and the HTML our own renderer (wikispiral/wiki/markup.py) makes of it.

The corpus is written for these tests from Tiki's parser rules (lib/parser/parserlib.php,
lib/core/WikiParser/*.php, lib/wiki-plugins/wikiplugin_{div,split,box,fancytable}.php).
"""

import time
from dataclasses import dataclass

import pytest
from django.utils.text import slugify

from wikispiral.wiki.markup import LinkTarget, render
from wikispiral.wiki.tiki import TikiFileRef, convert
from wikispiral.wiki.tiki.syntax_plugins import find_plugins, parse_arguments


def html_of(markdown: str) -> str:
    """Our renderer's HTML, lines joined, every wiki link pointing at an existing page."""

    def resolve(targets: list[str]) -> dict[str, LinkTarget]:
        return {t: LinkTarget(url=f"/wiki/{slugify(t)}", exists=True) for t in targets}

    rendered = render(markdown, resolve_links=resolve, attachment_url=lambda n: f"/files/{n}")
    return rendered.html.replace("\n", "")


@dataclass(frozen=True)
class Case:
    tiki: str
    markdown: str
    html: str
    notes: tuple[str, ...] = ()
    doubts: tuple[str, ...] = ()


CORPUS = {
    "headings": Case(
        "!Un\n!!Deux\n!!!Trois\n!!!!Quatre\n!!!!!Cinq\n!!!!!!Six\n!!!!!!!Sept",
        "# Un\n\n## Deux\n\n### Trois\n\n#### Quatre\n\n##### Cinq\n\n###### Six\n\n!!!!!!!Sept\n",
        '<h2 id="un">Un</h2><h3 id="deux">Deux</h3><h4 id="trois">Trois</h4>'
        '<h5 id="quatre">Quatre</h5><h6 id="cinq">Cinq</h6><h6 id="six">Six</h6>'
        "<p>!!!!!!!Sept</p>",
    ),
    "numbered headings": Case(
        "!#Intro\n!!#Détail\n!!#Suite\n!#Fin\n!!Sans numéro",
        "# 1. Intro\n\n## 1.1. Détail\n\n## 1.2. Suite\n\n# 2. Fin\n\n## Sans numéro\n",
        '<h2 id="1-intro">1. Intro</h2><h3 id="11-détail">1.1. Détail</h3>'
        '<h3 id="12-suite">1.2. Suite</h3><h2 id="2-fin">2. Fin</h2>'
        '<h3 id="sans-numéro">Sans numéro</h3>',
    ),
    "collapsible headings": Case(
        "!+Ouvert\ntexte\n!!-Fermé",
        "# Ouvert\n\ntexte\n\n## Fermé\n",
        '<h2 id="ouvert">Ouvert</h2><p>texte</p><h3 id="fermé">Fermé</h3>',
        notes=("collapsible",),
    ),
    "bold italic underline strike monospace": Case(
        "Le __gras__, l''italique'', le ===souligné===, le --barré-- et -+le code+-.",
        "Le **gras**, l*italique*, le souligné, le ~~barré~~ et `le code`.\n",
        "<p>Le <strong>gras</strong>, l<em>italique</em>, le souligné, le <s>barré</s> et "
        "<code>le code</code>.</p>",
        notes=("underline",),
    ),
    "emphasis with blanks inside": Case(
        "a__ b __c et ''x''y",
        "a **b** c et *x*y\n",
        "<p>a <strong>b</strong> c et <em>x</em>y</p>",
    ),
    "markdown characters in plain text": Case(
        "Un *astérisque* et _souligné_, [lien](x), `tick`, &amp; et 2 < 3 > 1\n"
        "1. pas une liste\n- pas un tiret\n> pas une citation\nTitre # pas un titre",
        "Un \\*astérisque\\* et \\_souligné\\_, \\[lien\\](x), \\`tick\\`, \\&amp; et "
        "2 \\< 3 > 1\\\n1\\. pas une liste\\\n\\- pas un tiret\\\n\\> pas une citation\\\n"
        "Titre # pas un titre\n",
        "<p>Un *astérisque* et _souligné_, [lien](x), `tick`, &amp;amp; et 2 &lt; 3 &gt; 1<br>"
        "1. pas une liste<br>- pas un tiret<br>&gt; pas une citation<br>Titre # pas un titre</p>",
    ),
    "nested and mixed lists": Case(
        "* un\n** un.un\n*** un.un.un\n* deux\n# premier\n## premier.premier\n"
        "** puce sous numéro\n# second",
        "- un\n  - un.un\n    - un.un.un\n- deux\n1. premier\n   1. premier.premier\n"
        "   - puce sous numéro\n1. second\n",
        "<ul><li>un<ul><li>un.un<ul><li>un.un.un</li></ul></li></ul></li><li>deux</li></ul>"
        "<ol><li>premier<ol><li>premier.premier</li></ol><ul><li>puce sous numéro</li></ul>"
        "</li><li>second</li></ol>",
    ),
    "list item continued with +": Case(
        "* item\n+ suite de l'item\n* autre",
        "- item\\\n  suite de l'item\n- autre\n",
        "<ul><li>item<br>suite de l'item</li><li>autre</li></ul>",
    ),
    "line break in a list item": Case(
        "* a%%%b\n** c",
        "- a\\\n  b\n  - c\n",
        "<ul><li>a<br>b<ul><li>c</li></ul></li></ul>",
    ),
    "collapsible list": Case(
        "*+ dépliée\n** dedans\n**- repliée",
        "- dépliée\n  - dedans\n  - \\- repliée\n",
        "<ul><li>dépliée<ul><li>dedans</li><li>- repliée</li></ul></li></ul>",
        notes=("collapsible list",),
    ),
    "a line of stars is not a list": Case("*****", "\\*\\*\\*\\*\\*\n", "<p>*****</p>"),
    "definition list": Case(
        ";Bien-être:ce que chacun définit\n;http://x.org",
        "**Bien-être**\\\nce que chacun définit\n\n;http://x.org\n",
        "<p><strong>Bien-être</strong><br>ce que chacun définit</p><p>;http://x.org</p>",
    ),
    "table without a header": Case(
        "||a|b\nc|d||",
        "|  |  |\n| --- | --- |\n| a | b |\n| c | d |\n",
        "<table><thead><tr><th></th><th></th></tr></thead><tbody><tr><td>a</td><td>b</td></tr>"
        "<tr><td>c</td><td>d</td></tr></tbody></table>",
    ),
    "table with a bold first row and links": Case(
        "||__Critère__|__Nombre__\nAlimentation|12\n((Page Un|la page))|[http://x.org|site]||",
        "| Critère | Nombre |\n| --- | --- |\n| Alimentation | 12 |\n"
        "| [[Page Un|la page]] | [site](http://x.org) |\n",
        "<table><thead><tr><th>Critère</th><th>Nombre</th></tr></thead><tbody><tr>"
        "<td>Alimentation</td><td>12</td></tr><tr>"
        '<td><a href="/wiki/page-un" class="wikilink">la page</a></td>'
        '<td><a href="http://x.org" rel="nofollow noopener">site</a></td></tr></tbody></table>',
    ),
    "table with short rows and a break in a cell": Case(
        "||un|deux|trois\nseul\nx%%%y|z||",
        "|  |  |  |\n| --- | --- | --- |\n| un | deux | trois |\n| seul |  |  |\n| x y | z |  |\n",
        "<table><thead><tr><th></th><th></th><th></th></tr></thead><tbody><tr><td>un</td>"
        "<td>deux</td><td>trois</td></tr><tr><td>seul</td><td></td><td></td></tr><tr>"
        "<td>x y</td><td>z</td><td></td></tr></tbody></table>",
        notes=("span", "cell break"),
    ),
    "wiki links": Case(
        "((Page Un)) ((Page Un|libellé)) ((Page Un#section|vers section)) "
        "((Page Deux|#haut|en haut)) (alias(Page Trois)) ))NonLien((",
        "[[Page Un]] [[Page Un|libellé]] [[Page Un|vers section]] [[Page Deux|en haut]] "
        "[[Page Trois]] NonLien\n",
        '<p><a href="/wiki/page-un" class="wikilink">Page Un</a> '
        '<a href="/wiki/page-un" class="wikilink">libellé</a> '
        '<a href="/wiki/page-un" class="wikilink">vers section</a> '
        '<a href="/wiki/page-deux" class="wikilink">en haut</a> '
        '<a href="/wiki/page-trois" class="wikilink">Page Trois</a> NonLien</p>',
        notes=("anchor", "semantic link"),
    ),
    "external links": Case(
        "[http://example.org] [https://example.org/a_b?x=1|Exemple] "
        "[http://example.org|caché|nocache] [[pas un lien] [www.example.org|www] "
        "[mailto:a@b.org|écrire] [tiki-index.php?page=Autre+page|autre]",
        "[http://example.org](http://example.org) [Exemple](https://example.org/a_b?x=1) "
        "[caché](http://example.org) \\[pas un lien\\] [www](http://www.example.org) "
        "[écrire](mailto:a@b.org) [[Autre page|autre]]\n",
        '<p><a href="http://example.org" rel="nofollow noopener">http://example.org</a> '
        '<a href="https://example.org/a_b?x=1" rel="nofollow noopener">Exemple</a> '
        '<a href="http://example.org" rel="nofollow noopener">caché</a> [pas un lien] '
        '<a href="http://www.example.org" rel="nofollow noopener">www</a> '
        '<a href="mailto:a@b.org">écrire</a> '
        '<a href="/wiki/autre-page" class="wikilink">autre</a></p>',
    ),
    "a link to a forbidden scheme stays text": Case(
        "[javascript://x|mal]",
        "\\[javascript://x|mal\\]\n",
        "<p>[javascript://x|mal]</p>",
        doubts=("link",),
    ),
    "images": Case(
        '{img src=http://example.org/logo.png alt="Logo"} {img fileId=12 alt=photo} '
        '{img fileId="3,4"} {img src=https://e.org/a.png link=http://e.org alt=lien}',
        "![Logo](http://example.org/logo.png) ![photo](attachment:tiki-file-12) "
        "![3](attachment:tiki-file-3) ![4](attachment:tiki-file-4) "
        "[![lien](https://e.org/a.png)](http://e.org)\n",
        '<p><img src="http://example.org/logo.png" alt="Logo" loading="lazy"> '
        '<img src="/files/tiki-file-12" alt="photo" loading="lazy"> '
        '<img src="/files/tiki-file-3" alt="3" loading="lazy"> '
        '<img src="/files/tiki-file-4" alt="4" loading="lazy"> '
        '<a href="http://e.org" rel="nofollow noopener">'
        '<img src="https://e.org/a.png" alt="lien" loading="lazy"></a></p>',
    ),
    "an image at an old-site address": Case(
        "{img src=img/wiki_up/carte.png alt=Carte}",
        "![Carte](img/wiki_up/carte.png)\n",
        "<p>Carte</p>",
        notes=("image address",),
    ),
    "line breaks": Case(
        "a%%%b\n50%%% de c",
        "a\\\nb\\\n50%%% de c\n",
        "<p>a<br>b<br>50%%% de c</p>",
    ),
    "a break ending a paragraph": Case(
        "C:\\%%%\nfin%%%",
        "C:\\\\\\\n\\\nfin\n",
        "<p>C:\\<br><br>fin</p>",
    ),
    "no parse": Case(
        "~np~__pas gras__ et ((pas lien))~/np~ mais __gras__",
        "\\_\\_pas gras\\_\\_ et ((pas lien)) mais **gras**\n",
        "<p>__pas gras__ et ((pas lien)) mais <strong>gras</strong></p>",
    ),
    "preformatted": Case(
        "avant\n~pp~\n  garde   les __espaces__\n~/pp~\naprès",
        "avant\n\n```\n  garde   les __espaces__\n```\n\naprès\n",
        "<p>avant</p><pre><code>  garde   les __espaces__</code></pre><p>après</p>",
    ),
    "tiki comments are left out": Case(
        "visible ~tc~caché~/tc~texte ~hc~html caché~/hc~",
        "visible texte\n",
        "<p>visible texte</p>",
        notes=("comment",),
    ),
    "centre, box, title bar, rule, maketoc": Case(
        "{maketoc}\n::centré::\n^une boîte^\n-=Barre de titre=-\n----",
        "centré\n\n> une boîte\n\n**Barre de titre**\n\n---\n",
        "<p>centré</p><blockquote><p>une boîte</p></blockquote>"
        "<p><strong>Barre de titre</strong></p><hr>",
        notes=("maketoc", "box", "centre", "title bar"),
    ),
    "div": Case(
        "{DIV(class=encadre align=right)}Dans la __div__{DIV}",
        "Dans la **div**\n",
        "<p>Dans la <strong>div</strong></p>",
        notes=("div",),
    ),
    "split": Case(
        "{SPLIT()}gauche---droite@@@bas{SPLIT}",
        "gauche\n\ndroite\n\nbas\n",
        "<p>gauche</p><p>droite</p><p>bas</p>",
        notes=("split",),
    ),
    "box plugin": Case(
        '{BOX(title="Titre de boîte", bg=yellow)}\nContenu\n* liste\n{BOX}',
        "> **Titre de boîte**\n>\n> Contenu\n>\n> - liste\n",
        "<blockquote><p><strong>Titre de boîte</strong></p><p>Contenu</p>"
        "<ul><li>liste</li></ul></blockquote>",
        notes=("box",),
    ),
    "fancytable": Case(
        '{FANCYTABLE(head="Nom~|~Ville")}\nAna ~|~ Lisboa\nLuc ~|~ ((Paris|la ville))\n'
        "{FANCYTABLE}",
        "| Nom | Ville |\n| --- | --- |\n| Ana | Lisboa |\n| Luc | [[Paris|la ville]] |\n",
        "<table><thead><tr><th>Nom</th><th>Ville</th></tr></thead><tbody><tr><td>Ana</td>"
        "<td>Lisboa</td></tr><tr><td>Luc</td>"
        '<td><a href="/wiki/paris" class="wikilink">la ville</a></td></tr></tbody></table>',
    ),
    "fancytable with bars": Case(
        '{FANCYTABLE(head="A|B")}1|[http://x.org|x]\n2|3{FANCYTABLE}',
        "| A | B |\n| --- | --- |\n| 1 | [x](http://x.org) |\n| 2 | 3 |\n",
        "<table><thead><tr><th>A</th><th>B</th></tr></thead><tbody><tr><td>1</td>"
        '<td><a href="http://x.org" rel="nofollow noopener">x</a></td></tr><tr><td>2</td>'
        "<td>3</td></tr></tbody></table>",
    ),
    "code plugin": Case(
        "{CODE(caption=x)}__pas gras__\n* pas liste{CODE}",
        "```\n__pas gras__\n* pas liste\n```\n",
        "<pre><code>__pas gras__* pas liste</code></pre>",
    ),
    "trackers are kept visibly": Case(
        "{TRACKER(trackerId=1)}{TRACKER}\n{TRACKERLIST(trackerId=3 fields=1:2)}{TRACKERLIST}",
        "```tiki\n{TRACKER(trackerId=1)}{TRACKER}\n```\n\n"
        "```tiki\n{TRACKERLIST(trackerId=3 fields=1:2)}{TRACKERLIST}\n```\n",
        "<pre><code>{TRACKER(trackerId=1)}{TRACKER}</code></pre>"
        "<pre><code>{TRACKERLIST(trackerId=3 fields=1:2)}{TRACKERLIST}</code></pre>",
        doubts=("plugin TRACKER", "plugin TRACKERLIST"),
    ),
    "unknown plugins are kept visibly": Case(
        "{RSS(id=4)/} et {poll id=2} et {FOO(x=1)}corps{FOO}",
        "```tiki\n{RSS(id=4)/}\n```\n\net `{poll id=2}` et\n\n```tiki\n{FOO(x=1)}corps{FOO}\n```\n",
        "<pre><code>{RSS(id=4)/}</code></pre><p>et <code>{poll id=2}</code> et</p>"
        "<pre><code>{FOO(x=1)}corps{FOO}</code></pre>",
        doubts=("plugin RSS", "plugin POLL", "plugin FOO"),
    ),
    "html is shown as text": Case(
        "<b>gras</b> ligne<br>suite <script>alert(1)</script>",
        "\\<b>gras\\</b> ligne\\\nsuite \\<script>alert(1)\\</script>\n",
        "<p>&lt;b&gt;gras&lt;/b&gt; ligne<br>suite &lt;script&gt;alert(1)&lt;/script&gt;</p>",
        notes=("html",),
    ),
    "special characters": Case(
        "a ~hs~b ~c~ ~ldq~x~rdq~ ~lt~tag~gt~ a -- b ~169~",
        "a \u00a0b © “x” \\<tag> a — b ©\n",
        "<p>a &nbsp;b © “x” &lt;tag&gt; a — b ©</p>",
    ),
    "french and portuguese": Case(
        "!Ação coletiva\nÇa marche, é possível.\nPortuguês, français, opções.",
        "# Ação coletiva\n\nÇa marche, é possível.\\\nPortuguês, français, opções.\n",
        '<h2 id="ação-coletiva">Ação coletiva</h2>'
        "<p>Ça marche, é possível.<br>Português, français, opções.</p>",
    ),
}


@pytest.mark.parametrize("case", CORPUS.values(), ids=CORPUS.keys())
def test_corpus_converts_to_markdown_and_renders(case: Case) -> None:
    conversion = convert(case.tiki)

    assert conversion.markdown == case.markdown
    assert html_of(conversion.markdown) == case.html
    assert [note.construct for note in conversion.notes] == list(case.notes)
    assert [doubt.construct for doubt in conversion.doubts] == list(case.doubts)


def test_every_doubt_keeps_the_original_text_and_says_why() -> None:
    conversion = convert("{TRACKERLIST(trackerId=3)}{TRACKERLIST}")

    (doubt,) = conversion.doubts
    assert doubt.source == "{TRACKERLIST(trackerId=3)}{TRACKERLIST}"
    assert doubt.message.startswith("Tracker lists and forms have no equivalent here")
    assert doubt.source in conversion.markdown


def test_comments_are_noted_with_their_text() -> None:
    conversion = convert("a ~tc~à revoir~/tc~ b")

    assert "à revoir" not in conversion.markdown
    assert [(n.construct, n.source) for n in conversion.notes] == [("comment", "~tc~à revoir~/tc~")]


def test_linked_pages_are_listed_once_in_order() -> None:
    conversion = convert("((B)) ((A|x)) ((B|y)) [tiki-index.php?page=C]")

    assert conversion.links == ["B", "A", "C"]


def test_link_target_can_give_our_wiki_target_or_an_address() -> None:
    targets = {"Accueil": "network:Home", "Histoire": "/network/fr/histoire"}

    conversion = convert(
        "((Accueil)) ((Histoire#debut|l'histoire)) ((Inconnue|ici))",
        link_target=targets.get,
    )

    assert conversion.markdown == (
        "[[network:Home|Accueil]] [l'histoire](/network/fr/histoire#debut) [[Inconnue|ici]]\n"
    )


def test_files_and_pictures_are_listed_and_resolved_through_the_hook() -> None:
    seen: list[TikiFileRef] = []

    def file_target(ref: TikiFileRef) -> str | None:
        seen.append(ref)
        return "attachment:logo.png" if ref.ref == "12" else None

    conversion = convert(
        "{img fileId=12 alt=Logo} {img id=5} {img attId=9} "
        "[tiki-download_file.php?fileId=40|le rapport]",
        file_target=file_target,
    )

    assert conversion.files == [
        TikiFileRef(kind="file", ref="12", alt="Logo"),
        TikiFileRef(kind="image", ref="5", alt=""),
        TikiFileRef(kind="attachment", ref="9", alt=""),
        TikiFileRef(kind="file", ref="40", alt="le rapport"),
    ]
    assert seen == conversion.files
    assert conversion.markdown == (
        "![Logo](attachment:logo.png) ![5](attachment:tiki-image-5) "
        "![9](attachment:tiki-attachment-9) [le rapport](attachment:tiki-file-40)\n"
    )


def test_paragraph_formatting_joins_lines_into_paragraphs() -> None:
    conversion = convert("un\ndeux\n\ntrois", paragraph_formatting=True)

    assert conversion.markdown == "un\ndeux\n\ntrois\n"
    rendered = render(conversion.markdown, resolve_links=lambda targets: {})
    assert rendered.html == "<p>un\ndeux</p>\n<p>trois</p>\n"


def test_a_page_name_our_links_cannot_hold_stays_text_and_is_a_doubt() -> None:
    conversion = convert("((Accueil))", link_target=lambda name: "a]b")

    assert conversion.markdown == "((Accueil))\n"
    assert [d.construct for d in conversion.doubts] == ["link"]


def test_no_parse_inside_a_table_cell_keeps_its_bar() -> None:
    conversion = convert("||~np~a|b~/np~|c||")

    assert conversion.markdown == "|  |  |\n| --- | --- |\n| a\\|b | c |\n"
    assert "<td>a|b</td><td>c</td>" in html_of(conversion.markdown)


def test_plugins_nested_in_plugins_are_converted() -> None:
    conversion = convert("{DIV()}{BOX(title=Dedans)}__x__{BOX}{DIV}")

    assert conversion.markdown == "> **Dedans**\n>\n> **x**\n"


def test_placeholders_cannot_be_forged_by_the_page() -> None:
    conversion = convert("a \ue0020\ue003 \ue0000\ue001 b")

    assert conversion.markdown == "a 0 0 b\n"


def test_table_cell_markers_cannot_be_forged_by_the_page() -> None:
    # U+E005 and U+E006 mark the links a row keeps whole while cut into cells; typed in a page
    # they raised IndexError or repeated a link.
    assert convert("||\ue0050\ue006||").markdown == "|  |\n| --- |\n| 0 |\n"
    assert convert("||((a|b)) \ue0050\ue006|c||").markdown == (
        "|  |  |\n| --- | --- |\n| [[a|b]] 0 | c |\n"
    )


@pytest.mark.parametrize(
    "tiki",
    [
        "{DIV(",
        "{DIV(x=1)}never closed",
        "((",
        "[",
        "||",
        "~np~ open",
        "__",
        "!" * 20,
        "{" * 500 + "}" * 3,
        "{DIV()}" * 50 + "x" + "{DIV}" * 50,
        "* " + "*" * 3000,
        "\x00\x01 ~999999999~ ~55296~",
    ],
)
def test_malformed_input_never_raises_and_keeps_its_words(tiki: str) -> None:
    conversion = convert(tiki)

    assert isinstance(conversion.markdown, str)
    html_of(conversion.markdown)


@pytest.mark.parametrize(
    "tiki",
    ["~np~" * 20_000, "~tc~" * 20_000, " -+" * 20_000, " -=a" * 20_000, "{DIV(" * 20_000],
    ids=["np", "tc", "mono", "title-bar", "plugin"],
)
def test_unclosed_openers_cost_linear_time(tiki: str) -> None:
    started = time.perf_counter()

    convert(tiki)

    # Each took tens of seconds when every opener scanned to the end of the page.
    assert time.perf_counter() - started < 5


def test_a_label_with_parentheses_stays_a_link() -> None:
    conversion = convert("((Page Un|Accueil (fr)))")

    assert conversion.markdown == "[[Page Un|Accueil (fr]])\n"
    assert '<a href="/wiki/page-un" class="wikilink">Accueil (fr</a>)' in html_of(
        conversion.markdown
    )


def test_plugins_deeper_than_the_limit_are_kept_as_they_were() -> None:
    conversion = convert("{DIV()}" * 12 + "fond" + "{DIV}" * 12)

    assert [d.construct for d in conversion.doubts] == ["nesting"]
    assert "fond" in conversion.markdown


def test_plugin_arguments_are_read_as_tiki_reads_them() -> None:
    assert parse_arguments("title=\"Un, deux\" bg=>yellow width=50% x='a\\'b'") == {
        "title": "Un, deux",
        "bg": "yellow",
        "width": "50%",
        "x": "a'b",
    }


def test_plugin_matching_follows_tiki() -> None:
    text = '{DIV(a="}")}x{DIV(b=1)}y{DIV}z{DIV} {img src=a.png} {BR()/} {lower(x)} {$var}'

    found = [(p.name, p.body) for p in find_plugins(text)]

    assert found == [("div", "x{DIV(b=1)}y{DIV}z"), ("img", None), ("br", None), ("lower", None)]


def test_a_piece_seen_before_asks_the_hooks_again_and_follows_their_answers() -> None:
    # The lines between blank lines and tables are memoised across conversions (revisions of
    # a page share them); the hooks are still asked, as often, and their answers followed.
    text = "Voir ((Accueil)) __ici__\n\n||((Accueil))|b||\n\n===x==="
    first = convert(text, link_target={"Accueil": "network:home"}.get)
    asked: list[str] = []

    def target(name: str) -> str:
        asked.append(name)
        return "/fr/accueil"

    second = convert(text, link_target=target)
    third = convert(text, link_target={"Accueil": "network:home"}.get)

    assert first.markdown.startswith("Voir [[network:home|Accueil]] **ici**\n")
    assert second.markdown.startswith("Voir [Accueil](/fr/accueil) **ici**\n")
    assert "| [Accueil](/fr/accueil) | b |" in second.markdown
    assert asked == ["Accueil", "Accueil"]
    assert third == first
    assert [n.construct for n in third.notes] == ["underline"]
