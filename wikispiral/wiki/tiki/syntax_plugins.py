"""Tiki's plugins (`{NAME(args)}body{NAME}`, `{NAME(args)/}`, `{name args}`) to our Markdown.

Matching follows Tiki's WikiParser_PluginMatcher: an upper-case name takes arguments in
parentheses and a body closed by `{NAME}` (nested plugins of the same name closed first), or
ends with `/}` and has none; a lower-case name (`{img ...}`, `{maketoc}`) has no body. The
arguments end at the first `}` outside double quotes; `key=value`, `key=>value`,
`key="a value"` and `key='a value'` are read as WikiParser_PluginArgumentParser does.

DIV, BOX, SPLIT, FANCYTABLE, CODE, img and maketoc are converted; the TRACKER family and every
other plugin are kept as they were, in a code block, and listed as doubts.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from wikispiral.wiki.tiki.syntax_inline import (
    BLOCK_OPEN,
    BREAK,
    PRIVATE_RE,
    Context,
    FileKind,
    TikiFileRef,
    code_span,
    escape_text,
    fenced,
    inline,
    markdown_table,
    memoised,
    safe_url,
)

_NAME_MAX = 50
_NAME_END = re.compile(r"[ (}\n\r,]")
_PLUGIN_START = re.compile(r"\{(?!\$)")
_NEXT_ARGUMENT = re.compile(r"[\s,]\w+=")
_SPLIT_CELL = re.compile(r"(?<!-)---(?!-)")
_SPLIT_ROW = re.compile(r"@@@+")
_IMAGE_KEYS: tuple[tuple[str, FileKind], ...] = (
    ("fileId", "file"),
    ("id", "image"),
    ("attId", "attachment"),
)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_PROTECTED = re.compile(r"\(\([^)]*\)\)|\[[^\]]*\]|\ue002\d+\ue003")
_KEPT = re.compile("\ue005(\\d+)\ue006")
_SPANS = re.compile(r"^[/\\]+")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Plugin:
    name: str  # lower-cased
    arguments: str
    body: str | None
    start: int
    end: int
    source: str


def _arguments_end(text: str, start: int) -> int:
    """Index of the "}" closing a plugin's arguments (quotes balanced), or -1."""
    position = start
    quotes = 0
    while (close := text.find("}", position)) != -1:
        chunk = text[position:close]
        quotes += chunk.count('"') - chunk.count('\\"')
        if quotes % 2 == 0:
            return close
        position = close + 1
    return -1


def _match_at(text: str, start: int) -> Plugin | None:
    candidate = text[start + 1 : start + 1 + _NAME_MAX]
    name = _NAME_END.split(candidate, maxsplit=1)[0]
    if not name or not name.isascii() or not name.isalnum():
        return None
    long_form = name.upper() == name
    name_end = start + 1 + len(name)
    if long_form and text[name_end : name_end + 1] != "(":
        return None
    close = _arguments_end(text, name_end)
    if close == -1:
        return None
    legacy = long_form and text[close - 1] == "/"
    before = text[name_end : close - 1 if legacy else close].rstrip()
    if long_form and not before.endswith(")"):
        return None
    arguments = before.strip("() ")
    if not long_form or legacy:
        return Plugin(name.lower(), arguments, None, start, close + 1, text[start : close + 1])
    end_token = "{" + name + "}"
    body_start = close + 1
    search = body_start
    while (body_end := text.find(end_token, search)) != -1:
        body = text[body_start:body_end]
        if body.count("{" + name + "(") <= body.count(end_token):
            end = body_end + len(end_token)
            return Plugin(name.lower(), arguments, body, start, end, text[start:end])
        search = body_end + len(end_token)
    return None


def find_plugins(text: str) -> list[Plugin]:
    """The outermost plugins of text, in order."""
    found: list[Plugin] = []
    position = 0
    while (opening := _PLUGIN_START.search(text, position)) is not None:
        plugin = _match_at(text, opening.start())
        if plugin is None:
            position = opening.start() + 1
            continue
        found.append(plugin)
        position = plugin.end
    return found


def parse_arguments(text: str) -> dict[str, str]:
    """Plugin arguments as Tiki reads them."""
    arguments: dict[str, str] = {}
    while (equals := text.find("=")) != -1:
        name = text[:equals].lstrip(", ").strip()
        if equals + 1 == len(text):
            break
        if text[equals + 1] == ">":
            equals += 1
        text = text[equals + 1 :].lstrip()
        if text and text[0] in "\"'":
            quote = text[0]
            close = 0
            while (close := text.find(quote, close + 1)) != -1 and text[close - 1] == "\\":
                pass
            if close != -1:
                arguments[name] = text[1:close].replace("\\" + quote, quote)
                text = text[close + 1 :]
                continue
        following = _NEXT_ARGUMENT.search(text)
        value, text = (
            (text[: following.start()], text[following.start() :])
            if following
            else (
                text,
                "",
            )
        )
        arguments[name] = value.rstrip(", ")
    return arguments


def split_cells(row: str, separator: str = "|") -> list[str]:
    """A row cut at separator, except inside ((links)), [links] and placeholders."""
    kept: list[str] = []

    def protect(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\ue005{len(kept) - 1}\ue006"

    masked = _PROTECTED.sub(protect, row)
    cells = masked.split(separator)
    if not kept:
        return cells
    return [_KEPT.sub(lambda m: kept[int(m.group(1))], cell) for cell in cells]


def cell(text: str, ctx: Context) -> str:
    if BLOCK_OPEN in text:
        ctx.doubt("table", text, gettext_noop("A block inside a table cell is kept as text."))
        return code_span(ctx.restore(text).strip().replace("\n", " "), in_table=True)
    converted = inline(text.strip(), ctx, in_table=True)
    if BREAK in converted:
        ctx.note("cell break", text, gettext_noop("Line breaks inside table cells became spaces."))
    return converted.replace(BREAK, " ")


def quote_blocks(blocks: list[str]) -> str:
    lines = "\n\n".join(blocks).split("\n")
    return "\n".join(f"> {line}" if line else ">" for line in lines)


# --- Plugins ------------------------------------------------------------------------------------


def render(plugin: Plugin, ctx: Context) -> str:
    """The placeholder standing for plugin in the text being converted."""
    name = plugin.name
    if name == "img":
        return ctx.inline_slot(_from_source(plugin, ctx, _images), plugin.source)
    if name == "fancytable":
        return ctx.block_slot([_from_source(plugin, ctx, _fancy_table)], plugin.source)
    arguments = parse_arguments(plugin.arguments)
    body = plugin.body or ""
    if name == "maketoc":
        ctx.note(
            "maketoc", plugin.source, gettext_noop("Our pages show their own table of contents.")
        )
        return ""
    if name == "div":
        if arguments:
            ctx.note(
                "div", plugin.source, gettext_noop("Layout and styles of DIV blocks were dropped.")
            )
        return ctx.block_slot(ctx.convert_blocks(body), plugin.source)
    if name == "box":
        ctx.note("box", plugin.source, gettext_noop("Boxes are shown as quotations."))
        title = arguments.get("title", "").strip()
        inner = ([f"**{inline(title, ctx)}**"] if title else []) + ctx.convert_blocks(body)
        return ctx.block_slot([quote_blocks(inner)] if inner else [], plugin.source)
    if name == "split":
        return ctx.block_slot(_split(body, plugin, ctx), plugin.source)
    if name == "code":
        return ctx.block_slot([fenced(ctx.restore(body).strip("\n"))], plugin.source)
    if name.startswith("tracker"):
        message = gettext_noop(
            "Tracker lists and forms have no equivalent here; the tracker data is imported "
            "separately. The original text is kept."
        )
    else:
        message = gettext_noop("This Tiki plugin is not converted; the original text is kept.")
    ctx.doubt(f"plugin {name.upper()}", plugin.source, message)
    if plugin.body is None and not plugin.source.startswith("{" + name.upper()):
        return ctx.inline_slot(code_span(ctx.restore(plugin.source)), plugin.source)
    return ctx.block_slot([fenced(ctx.restore(plugin.source), "tiki")], plugin.source)


def _from_source(
    plugin: Plugin, ctx: Context, convert: Callable[[dict[str, str], Plugin, Context], str]
) -> str:
    """convert(arguments, plugin, ctx), which reads the plugin's source alone (and the hooks):
    memoised across revisions (`memoised`) unless a placeholder is inside."""

    def compute() -> str:
        return convert(parse_arguments(plugin.arguments), plugin, ctx)

    if PRIVATE_RE.search(plugin.source):
        return compute()
    return memoised(ctx, ("plugin", plugin.source), compute)


def _images(arguments: dict[str, str], plugin: Plugin, ctx: Context) -> str:
    alt = (arguments.get("alt") or arguments.get("desc") or "").strip()
    refs: list[TikiFileRef] = []
    for key, kind in _IMAGE_KEYS:
        for ident in _DIGITS.findall(arguments.get(key, "")):
            refs.append(TikiFileRef(kind=kind, ref=ident, alt=alt))
    if not refs and arguments.get("src", "").strip():
        refs.append(TikiFileRef(kind="url", ref=arguments["src"].strip(), alt=alt))
    if not refs:
        ctx.doubt(
            "plugin IMG", plugin.source, gettext_noop("This image names no file; kept as text.")
        )
        return code_span(ctx.restore(plugin.source))
    images: list[str] = []
    for ref in refs:
        ctx.add_file(ref)
        target = ctx.resolve_file(ref)
        if target is None:
            target = ref.ref if ref.kind == "url" else f"attachment:tiki-{ref.kind}-{ref.ref}"
        if not safe_url(target) and not target.startswith("attachment:"):
            ctx.doubt(
                "plugin IMG", plugin.source, gettext_noop("This image's address is not allowed.")
            )
            continue
        if _SCHEME.match(target) is None and not target.startswith("attachment:"):
            ctx.note(
                "image address",
                plugin.source,
                gettext_noop(
                    "Images at addresses of the old site show as their text until imported."
                ),
            )
        image = f"![{escape_text(alt or ref.ref.rsplit('/', 1)[-1])}]({_address(target)})"
        link = arguments.get("link", "").strip()
        images.append(f"[{image}]({_address(link)})" if link and safe_url(link) else image)
    return " ".join(images)


def _address(url: str) -> str:
    return url.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _split(body: str, plugin: Plugin, ctx: Context) -> list[str]:
    cells = [c for row in _SPLIT_ROW.split(body) for c in _SPLIT_CELL.split(row)]
    if len(cells) > 1:
        ctx.note(
            "split",
            plugin.source,
            gettext_noop("Columns of SPLIT blocks are shown one after another."),
        )
    blocks: list[str] = []
    for text in cells:
        blocks += ctx.convert_blocks(text)
    return blocks


def _fancy_table(arguments: dict[str, str], plugin: Plugin, ctx: Context) -> str:
    body = plugin.body or ""
    head = arguments.get("head", "")
    head_rows = [row for row in head.split(">>") if row.strip()] if head else []
    lines = [line.strip() for line in body.split("\n") if line.strip()]
    separator = "~|~" if "~|~" in body or "~|~" in head else "|"

    def row_cells(row: str) -> list[str]:
        cells = split_cells(row, separator)
        if any(_SPANS.match(c) for c in cells):
            ctx.note("span", plugin.source, gettext_noop("Merged table cells were split."))
        return [cell(_SPANS.sub("", c), ctx) for c in cells]

    header = row_cells(head_rows[0]) if head_rows else None
    rows = [row_cells(r) for r in head_rows[1:]] + [row_cells(line) for line in lines]
    return markdown_table(header, rows)
