"""Markdown for wiki pages: CommonMark + GFM tables, strikethrough and autolinks, wiki links.

Pure functions, no database access: `render` asks its caller, once per page, which wiki-link
targets exist (`resolve_links`) and where attachments live (`attachment_url`). Users cannot
write raw HTML (it is shown as text), every URL goes through one allow-list, and the output
always goes through `sanitize_html` as the last step, so a bug in the Markdown layer still
cannot let script through.
"""

import html
import importlib
import re
import types
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import nh3
from django.utils.text import slugify
from django.utils.translation import gettext
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

__all__ = [
    "LinkTarget",
    "Rendered",
    "TocEntry",
    "WikiLink",
    "extract_wikilinks",
    "render",
    "render_plain",
    "sanitize_html",
]


@dataclass(frozen=True)
class WikiLink:
    """A `[[target]]` or `[[target|label]]` written in a page; target is trimmed, not resolved."""

    target: str
    label: str


@dataclass(frozen=True)
class LinkTarget:
    """Where a wiki-link target points, and whether that page exists yet."""

    url: str
    exists: bool


@dataclass(frozen=True)
class TocEntry:
    """One heading of the table of contents; level is the HTML level (2 to 4)."""

    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Rendered:
    """Sanitised HTML of a page, its table of contents and its distinct wiki links."""

    html: str
    toc: list[TocEntry]
    links: list[WikiLink]


LinkResolver = Callable[[list[str]], dict[str, LinkTarget]]
AttachmentResolver = Callable[[str], str | None]

# A title never spans lines nor holds brackets; the length cap keeps a page made of
# thousands of "[[" from costing more than one short regex match each.
_WIKILINK_RE = re.compile(r"\[\[([^\[\]\n]{1,512})\]\]")
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
# Browsers drop ASCII whitespace and control characters inside a scheme ("java\tscript:"),
# so they are removed before the scheme is read.
_IGNORED_URL_CHARS_RE = re.compile(r"[\x00-\x20\x7f]+")
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_IMAGE_SCHEMES = frozenset({"http", "https"})
_ATTACHMENT_PREFIX = "attachment:"
_TOC_LEVELS = range(2, 5)
# GFM's bare-URL autolinks: at a line start or after whitespace, "*", "_", "~" or "(".
_BARE_URL_RE = re.compile(r"(?<![^\s*_~(])(?:https?://|www\.)[^\s<>]+", re.IGNORECASE)
_BARE_URL_DOMAIN_RE = re.compile(r"(?:https?://|www\.)[\w-]+(?:\.[\w-]+)*", re.IGNORECASE)
_URL_TRAILING_PUNCTUATION = "?!.,:;*_~'\""
# markdown-it-py slows down more than linearly on one huge paragraph of brackets; no real
# paragraph, heading or table cell comes near this, so past it the block is kept as text.
_MAX_INLINE_CHARS = 64 * 1024
# In markdown-it's output, attribute values never hold a raw "<" or ">", so a run of those
# characters right after a ">" is text between tags.
_LONG_TEXT_RUN_RE = re.compile(r"(?<=>)[^<>]{2048,}")
_TEXT_CHUNK_CHARS = 1024
_MAX_ANCHOR_LENGTH = 80

_ALLOWED_TAGS = frozenset(
    {
        "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "a", "img", "span",
        "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td",
        "code", "pre", "blockquote", "em", "strong", "del", "s", "sup", "sub",
    }
)  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    **{f"h{level}": {"id"} for level in range(2, 7)},
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title", "loading"},
    "ol": {"start"},
}
# Classes are limited to the ones this module emits: user HTML must not borrow the site's
# own classes to dress content up as interface.
_ALLOWED_CLASSES = {
    "a": {"wikilink", "missing"},
    "span": {"attachment-missing"},
    "th": {"align-left", "align-center", "align-right"},
    "td": {"align-left", "align-center", "align-right"},
}


def sanitize_html(html: str) -> str:
    """Return `html` reduced to the wiki's allow-list; safe to mark safe and show.

    Keeps relative and `#anchor` URLs, allows only http, https and mailto schemes, and drops
    every style and event-handler attribute and any tag not listed (script and style with their
    content). Images always get `loading="lazy"`.
    """
    return nh3.clean(
        html,
        tags=set(_ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in _ALLOWED_ATTRIBUTES.items()},
        allowed_classes={tag: set(names) for tag, names in _ALLOWED_CLASSES.items()},
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        url_schemes=set(_LINK_SCHEMES),
        # rel is ours to set (nofollow on external links only); nh3's default would add
        # "noopener noreferrer" to every link, internal ones included.
        link_rel=None,
        strip_comments=True,
    )


def _url_scheme(url: str) -> str | None:
    """The lower-cased scheme a browser would read from `url`, or None when it is relative."""
    # Entities and percent-escapes are undone first so "jav&#x09;ascript:" and
    # "jav%09ascript:" are judged as what they could become, not what they look like.
    decoded = _IGNORED_URL_CHARS_RE.sub("", unquote(html.unescape(url)))
    match = _SCHEME_RE.match(decoded)
    if match:
        return match.group(1).lower()
    if ":" in decoded.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        # A colon before any path separator that is not a clean scheme ("ja va:..."): refuse
        # rather than guess how some browser parses it.
        return "invalid"
    return None


def _is_external(url: str) -> bool:
    """True for links that leave the site: absolute http(s) and protocol-relative URLs."""
    stripped = url.lstrip()
    return _url_scheme(url) in {"http", "https"} or stripped.startswith(("//", "/\\", "\\"))


def _is_safe_link(url: str) -> bool:
    scheme = _url_scheme(url)
    return scheme is None or scheme in _LINK_SCHEMES


def _is_attachment(url: str) -> bool:
    return url[: len(_ATTACHMENT_PREFIX)].lower() == _ATTACHMENT_PREFIX


def _attachment_name(url: str) -> str:
    # markdown-it percent-encodes destinations ("my file.png" -> "my%20file.png").
    return unquote(url[len(_ATTACHMENT_PREFIX) :]).strip()


class _WikiMarkdown(MarkdownIt):
    """MarkdownIt whose link filter is our URL allow-list instead of markdown-it's deny-list."""

    def validateLink(self, url: str) -> bool:  # noqa: N802 - markdown-it's name
        # attachment: is kept here and turned into a real URL (or dropped) at render time.
        return _is_attachment(url) or _is_safe_link(url)


def _split_table_row(line: str) -> list[str]:
    """markdown-it's escapedSplit, except that a `|` inside `[[target|label]]` is not a cell edge.

    Without this a labelled wiki link could never sit in a table cell.
    """
    cells: list[str] = []
    current: list[str] = []
    escaped = False
    pos = 0
    while pos < len(line):
        char = line[pos]
        if char == "|":
            if escaped:
                current[-1] = "|"  # "\|" is a literal pipe, as in markdown-it
            else:
                cells.append("".join(current))
                current = []
            escaped = False
            pos += 1
            continue
        if char == "[" and not escaped:
            wikilink = _WIKILINK_RE.match(line, pos)
            if wikilink:
                current.append(wikilink.group(0))
                pos = wikilink.end()
                continue
        current.append(char)
        escaped = char == "\\"
        pos += 1
    cells.append("".join(current))
    return cells


def _wikilink_aware_table_rule() -> Callable[..., bool]:
    """markdown-it's own table rule, with `_split_table_row` in place of its splitter.

    The rule's code is reused with a private copy of its module globals, so neither the
    library module nor other MarkdownIt instances in the process are changed.
    """
    # The package re-exports the rule function under the module's own name, so the module
    # itself is only reachable through the import system.
    table_rule_module = importlib.import_module("markdown_it.rules_block.table")
    original = table_rule_module.table
    if "escapedSplit" not in original.__code__.co_names:
        raise RuntimeError("markdown-it's table rule changed; review _split_table_row")
    namespace = {**vars(table_rule_module), "escapedSplit": _split_table_row}
    return types.FunctionType(original.__code__, namespace, original.__name__)


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    """Inline rule for `[[target]]` and `[[target|label]]`; runs before links, after code spans."""
    if state.linkLevel > 0 or not state.src.startswith("[[", state.pos):
        return False  # a wiki link inside a link label would nest <a> tags
    match = _WIKILINK_RE.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    target, _, label = match.group(1).partition("|")
    target = target.strip()
    if not target:
        return False  # "[[ ]]" and "[[|x]]" stay literal text
    if not silent:
        token = state.push("wikilink", "a", 0)
        token.meta = {"target": target, "label": label.strip() or target}
    state.pos = match.end()
    return True


def _parse_inline_capped(state: StateCore) -> None:
    """markdown-it's core "inline" rule, except that an oversized block stays plain text."""
    for token in state.tokens:
        if token.type != "inline":
            continue
        token.children = token.children or []
        if len(token.content) > _MAX_INLINE_CHARS:
            token.children.append(Token("text", "", 0, content=token.content))
        else:
            state.md.inline.parse(token.content, state.md, state.env, token.children)


def _trim_bare_url(url: str) -> str:
    """Drop what GFM leaves out of a bare URL: trailing punctuation and unbalanced ")"."""
    while url:
        if (
            url[-1] in _URL_TRAILING_PUNCTUATION
            or url[-1] == ")"
            and url.count(")") > url.count("(")
        ):
            url = url[:-1]
        else:
            break
    return url


def _link_bare_urls_in(token: Token, md: MarkdownIt) -> list[Token]:
    """`token` (a text token) split around the bare URLs it holds, as link tokens."""
    if "://" not in token.content and "www." not in token.content.lower():
        return [token]  # the common case, without a regex scan
    pieces: list[Token] = []
    consumed = 0
    for match in _BARE_URL_RE.finditer(token.content):
        url = _trim_bare_url(match.group(0))
        if not _BARE_URL_DOMAIN_RE.match(url):
            continue
        href = md.normalizeLink(url if "://" in url else f"http://{url}")
        if not md.validateLink(href):
            continue
        if match.start() > consumed:
            pieces.append(token.copy(content=token.content[consumed : match.start()]))
        link_open = Token("link_open", "a", 1, attrs={"href": href}, markup="linkify")
        label = Token("text", "", 0, content=md.normalizeLinkText(url))
        pieces += [link_open, label, Token("link_close", "a", -1, markup="linkify")]
        consumed = match.start() + len(url)
    if not pieces:
        return [token]
    if consumed < len(token.content):
        pieces.append(token.copy(content=token.content[consumed:]))
    return pieces


def _link_bare_urls(state: StateCore) -> None:
    """GFM's autolink extension as a single linear pass over text tokens outside links.

    mdit-py-plugins' gfm_autolink rescans the pending text at every ":" and "@", which grows
    quadratically with paragraph length; a regex over finished text tokens does not.
    """
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        link_depth = 0
        for token in block.children:
            link_depth += {"link_open": 1, "link_close": -1}.get(token.type, 0)
            if token.type == "text" and link_depth == 0:
                children += _link_bare_urls_in(token, state.md)
            else:
                children.append(token)
        block.children = children


def _build_parser() -> _WikiMarkdown:
    md = _WikiMarkdown("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["html_block", "html_inline"])
    md.enable(["table", "strikethrough"])
    md.block.ruler.at("table", _wikilink_aware_table_rule(), {"alt": ["paragraph", "reference"]})
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.core.ruler.at("inline", _parse_inline_capped)
    md.core.ruler.push("bare_autolink", _link_bare_urls)
    md.add_render_rule("wikilink", _render_wikilink)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("link_open", _render_link_open)
    return md


def _inline_text(tokens: Iterable[Token]) -> str:
    """Plain text of inline tokens: markup dropped, wiki links and images as their labels."""
    parts: list[str] = []
    for token in tokens:
        if token.type in {"text", "code_inline"}:
            parts.append(token.content)
        elif token.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
        elif token.type == "wikilink":
            parts.append(token.meta["label"])
        elif token.type == "image":
            parts.append(_inline_text(token.children or []))
    return "".join(parts)


def _wikilink_tokens(tokens: Iterable[Token]) -> Iterable[Token]:
    for token in tokens:
        if token.children:
            yield from _wikilink_tokens(token.children)
        elif token.type == "wikilink":
            yield token


def _distinct_links(tokens: Sequence[Token]) -> list[WikiLink]:
    links = (WikiLink(t.meta["target"], t.meta["label"]) for t in _wikilink_tokens(tokens))
    return list(dict.fromkeys(links))


LAYOUT_IDS = frozenset(
    {
        "main",
        "preview",
        "toc-title",
        "site-search",
        "form-errors",
        "conflict-title",
        "confirm-heading",
        "search-q",
        "search-all",
        "search-help",
    }
)


def _unique_anchor(text: str, used: dict[str, int]) -> str:
    """Slug of `text`, suffixed -2, -3... when taken; `used` maps each anchor to its next suffix.

    Remembering the next suffix keeps a page of thousands of equal headings linear.
    """
    base = slugify(text, allow_unicode=True)[:_MAX_ANCHOR_LENGTH].strip("-_") or "section"
    if base not in used:
        used[base] = 2
        return base
    counter = used[base]
    while f"{base}-{counter}" in used:  # a heading may itself read "Intro 2"
        counter += 1
    anchor = f"{base}-{counter}"
    used[base] = counter + 1
    used[anchor] = 2
    return anchor


def _prepare_blocks(tokens: Sequence[Token]) -> list[TocEntry]:
    """Shift headings one level down, give them ids, move table alignment to classes.

    Returns the table of contents (h2 to h4).
    """
    toc: list[TocEntry] = []
    # The layout's own ids come first, so a heading "Main" can never steal the skip link's target.
    used_anchors: dict[str, int] = dict.fromkeys(LAYOUT_IDS, 2)
    for index, token in enumerate(tokens):
        if token.type in {"heading_open", "heading_close"}:
            # The page title is the h1: "#" in the body becomes h2, capped at h6.
            level = min(int(token.tag[1:]) + 1, 6)
            token.tag = f"h{level}"
            if token.type == "heading_open":
                text = _inline_text(tokens[index + 1].children or []).strip()
                anchor = _unique_anchor(text, used_anchors)
                token.attrSet("id", anchor)
                if level in _TOC_LEVELS:
                    toc.append(TocEntry(level=level, text=text, anchor=anchor))
        elif token.type in {"th_open", "td_open"}:
            # Our CSP forbids inline styles, so "text-align:right" becomes "align-right".
            style = str(token.attrs.pop("style", ""))
            if style.startswith("text-align:"):
                token.attrSet("class", f"align-{style.removeprefix('text-align:')}")
    return toc


def _render_wikilink(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
) -> str:
    meta = tokens[idx].meta
    label = html.escape(meta["label"])
    target: LinkTarget | None = env.get("wikilinks", {}).get(meta["target"])
    if target is None or not _is_safe_link(target.url):
        return label  # the resolver gave no usable URL: keep the words, drop the link
    url = html.escape(target.url)
    if target.exists:
        return f'<a href="{url}" class="wikilink">{label}</a>'
    title = html.escape(gettext("Page does not exist yet — create it"))
    return f'<a href="{url}" class="wikilink missing" title="{title}">{label}</a>'


def _resolve_attachment(url: str, env: dict) -> str | None:
    resolver: AttachmentResolver | None = env.get("attachment_url")
    name = _attachment_name(url)
    if resolver is None or not name:
        return None
    resolved = resolver(name)
    return resolved if resolved is not None and _is_safe_link(resolved) else None


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
) -> str:
    token = tokens[idx]
    alt = _inline_text(token.children or [])
    src = str(token.attrGet("src") or "")
    if _is_attachment(src):
        resolved = _resolve_attachment(src, env)
        if resolved is None:
            marker = html.escape(gettext("missing attachment"))
            return f'<span class="attachment-missing">{html.escape(alt)} ({marker})</span>'
        src = resolved
    elif _url_scheme(src) not in _IMAGE_SCHEMES:
        return html.escape(alt)  # relative, data: and the rest: the words, no image
    attrs = {"src": src, "alt": alt, "loading": "lazy"}
    if token.attrGet("title"):
        attrs["title"] = str(token.attrGet("title"))
    rendered = " ".join(f'{name}="{html.escape(value)}"' for name, value in attrs.items())
    return f"<img {rendered}>"


def _render_link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if _is_attachment(href):
        resolved = _resolve_attachment(href, env)
        if resolved is None:
            token.attrs.pop("href", None)  # an <a> without href is plain text to the reader
        else:
            token.attrSet("href", resolved)
    elif _is_external(href):
        token.attrSet("rel", "nofollow noopener")
    return self.renderToken(tokens, idx, options, env)


def _split_long_text_runs(html: str) -> str:
    """Cut long text runs with empty comments, each just before an entity.

    nh3's parser slows down quadratically on one text node holding many entities (1 MB of
    "&" in a code block takes seconds); comments split the node and nh3 strips them, so the
    output is unchanged. Cutting before "&" never cuts an entity in two.
    """

    def cut(match: re.Match[str]) -> str:
        run = match.group(0)
        pieces: list[str] = []
        start = 0
        while (entity := run.find("&", start + _TEXT_CHUNK_CHARS)) != -1:
            pieces.append(run[start:entity])
            start = entity
        pieces.append(run[start:])
        return "<!---->".join(pieces)

    return _LONG_TEXT_RUN_RE.sub(cut, html)


_PARSER = _build_parser()


def extract_wikilinks(source: str) -> list[WikiLink]:
    """Distinct wiki links of `source` in order of first appearance; code is ignored."""
    return _distinct_links(_PARSER.parse(source))


def render(
    source: str,
    *,
    resolve_links: LinkResolver,
    attachment_url: AttachmentResolver | None = None,
) -> Rendered:
    """Render page Markdown to sanitised HTML; never raises on malformed input.

    `resolve_links` is called at most once, with the distinct trimmed targets in order of first
    appearance (not at all when the page has no wiki link); a target it leaves out is shown as
    its label without a link. `attachment_url(name)` turns `attachment:name` into a URL, or
    None when there is no such file (the alt text is shown with a marker instead).
    """
    tokens = _PARSER.parse(source)
    toc = _prepare_blocks(tokens)
    links = _distinct_links(tokens)
    targets = list(dict.fromkeys(link.target for link in links))
    env: dict[str, Any] = {
        "wikilinks": resolve_links(targets) if targets else {},
        "attachment_url": attachment_url,
    }
    html_out = _PARSER.renderer.render(tokens, _PARSER.options, env)
    return Rendered(html=sanitize_html(_split_long_text_runs(html_out)), toc=toc, links=links)


def render_plain(source: str) -> str:
    """Text of `source` without markup (wiki links as labels), one block a line; not escaped."""
    lines: list[str] = []
    row: list[str] | None = None
    for token in _PARSER.parse(source):
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            lines.append(" ".join(cell for cell in row if cell))
            row = None
        elif token.type == "inline":
            text = _inline_text(token.children or []).strip()
            if row is not None:
                row.append(text)
            elif text:
                lines.append(text)
        elif token.type in {"code_block", "fence"} and token.content.strip():
            lines.append(token.content.rstrip("\n"))
    return "\n".join(line for line in lines if line)
