"""Tiki wiki syntax to our Markdown (`wikispiral.wiki.markup`): converted once, at import.

Our markup is CommonMark with GFM tables, strikethrough and bare-URL autolinks, plus wiki links
`[[Page]]` / `[[Page|label]]` and attachments `attachment:name`; raw HTML is shown as text. So:

- Tiki's headings, bold, italic, strike, monospace, lists, tables, links, images, line breaks,
  rules, ~np~ and ~pp~ have direct forms;
- underline, colours, centring, title bars, boxes, DIV, SPLIT columns, collapsible sections
  and numbered headings are converted with a loss, each kind listed once in `notes`;
- Tiki comments (~tc~, ~hc~) are invisible in Tiki and left out, listed in `notes` too;
- anything else (trackers, unknown plugins) stays in the text as it was, in a code block, and
  is listed in `doubts`: nothing is dropped silently.

Plain text is escaped so that it shows the same characters: `*emphasis*` or a line starting
with `1.` or `#` mean nothing in Tiki and must not mean something here. HTML tags in Tiki text
stay visible as text (our renderer never applies them); `<br>` becomes a line break.

Line structure follows Tiki's parser (parse_data_process_maketoc): by default (the preference
feature_wiki_paragraph_formatting off) every line of a paragraph ends with a line break; with
`paragraph_formatting=True` lines join into paragraphs separated by blank lines.

Speed (bench/tiki_convert.py): consecutive revisions of a page share most of their text, so
the pieces whose conversion reads nothing else (the lines between two blank lines, a table,
an image or FANCYTABLE plugin) are memoised across conversions, their effects on the lists of
links, files, doubts and notes replayed and the hooks asked again (`syntax_inline.memoised`);
the output is the same as converting every piece afresh.
"""

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial

from django.utils.translation import get_language, gettext_noop, override

from wikispiral.wiki.tiki import syntax_plugins
from wikispiral.wiki.tiki.syntax_inline import (
    BLOCK_CLOSE,
    BLOCK_OPEN,
    BREAK,
    INLINE_OPEN,
    PRIVATE_RE,
    Context,
    Doubt,
    Event,
    FileTarget,
    LinkTarget,
    TikiFileRef,
    escape_line_start,
    escape_text,
    fenced,
    inline,
    markdown_table,
    memoised,
)

__all__ = ["Conversion", "Doubt", "TikiFileRef", "convert", "convert_many"]

_HARD_BREAK = "\\\n"
_BOX = re.compile(r"\^(.+?)\^", re.DOTALL)
_BLOCK_LINE = re.compile(f"^{BLOCK_OPEN}(\\d+){BLOCK_CLOSE}$")
_HEADING = re.compile(r"^(!{1,6})([+-]?)(#?)(.*)$")
_DEFINITION = re.compile(r"^;([^:]*):([^/].*)$")
_BOLD_CELL = re.compile(r"^__(.+)__$")
_AUTONUMBERED = re.compile(r"\n!+[+-]?#")  # on any line
_STARS = re.compile(r"\*+")
_BLANK_LINE = re.compile("\n[^\\S\n]*(?=\n|\\Z)")  # the newline before a blank line, and it
_SLOT_NUMBER = re.compile("([\ue000\ue002])(\\d+)(?=[\ue001\ue003])")
_PLACEHOLDER = re.compile("[\ue000-\ue003]")
_PRIVATE_CHARS = tuple(chr(code) for code in range(0xE000, 0xE007))  # PRIVATE_RE's
_MAX_DEPTH = 8


@dataclass(frozen=True)
class Conversion:
    """A page's text converted: the Markdown, the Tiki page names it links to (distinct, in
    order), the files and pictures it uses, what was kept as it was (doubts) and what was
    converted with a loss (notes, one per kind)."""

    markdown: str
    links: list[str]
    files: list[TikiFileRef]
    doubts: list[Doubt]
    notes: list[Doubt]


def convert(
    source: str,
    *,
    link_target: LinkTarget | None = None,
    file_target: FileTarget | None = None,
    paragraph_formatting: bool = False,
) -> Conversion:
    """Tiki text as our Markdown; never raises on malformed input.

    link_target(page name) gives what a link to that Tiki page becomes: a URL or path (starting
    with "/" or a scheme) makes a Markdown link, any other string is used as our wiki-link
    target, None keeps the Tiki name as the target (`[[Name|label]]`). file_target(ref) gives
    the URL or `attachment:name` of a file or picture; None falls back to
    `attachment:tiki-<kind>-<id>` (a plain `src` address is kept as it is).
    """
    ctx = Context(
        link_target=link_target or (lambda name: None),
        file_target=file_target or (lambda ref: None),
        paragraph_formatting=paragraph_formatting,
        flavour=(get_language(), paragraph_formatting),
    )
    depth = [0]

    def blocks(text: str) -> list[str]:
        depth[0] += 1
        try:
            if depth[0] > _MAX_DEPTH:  # plugins nested deeper than any page needs
                ctx.doubt(
                    "nesting", text, gettext_noop("Blocks nested this deep are kept as they were.")
                )
                return [fenced(ctx.restore(text), "tiki")]
            return _blocks(text, ctx)
        finally:
            depth[0] -= 1

    ctx.blocks = blocks
    text = source.replace("\r\n", "\n").replace("\r", "\n") if "\r" in source else source
    text = _without_private(text)
    try:
        text = _protect_literals(text, ctx)
        markdown = "\n\n".join(block for block in blocks(text) if block.strip())
    except RecursionError:
        # A page no import should stop on: kept whole, as it was, and said so.
        ctx.doubt(
            "page", source, gettext_noop("This page could not be converted; its text is kept.")
        )
        markdown = fenced(source, "tiki")
    # Placeholders left over would be characters nobody sees: never in the output.
    markdown = _without_private(markdown)
    return Conversion(
        markdown=markdown + "\n" if markdown else "",
        links=ctx.links,
        files=ctx.files,
        doubts=ctx.doubts,
        notes=ctx.notes,
    )


def convert_many(
    histories: Iterable[Sequence[str]],
    *,
    processes: int = 1,
    link_target: LinkTarget | None = None,
    file_target: FileTarget | None = None,
    paragraph_formatting: bool = False,
) -> Iterator[list[Conversion]]:
    """Each history (a page's revisions, oldest first) converted as `convert` does, in order,
    as the next ones are asked for. With processes > 1, in that many worker processes, a few
    histories ahead (a page's revisions stay together, so the memo serves them); the hooks
    must then pickle (module-level functions, or functools.partial of them), and the active
    language is carried over. On two cores a second process about doubles the pages converted
    per second (bench/tiki_convert.py) while this one goes on writing rows."""
    job = partial(
        _convert_history,
        language=get_language(),
        link_target=link_target,
        file_target=file_target,
        paragraph_formatting=paragraph_formatting,
    )
    if processes <= 1:
        yield from map(job, histories)
        return
    with ProcessPoolExecutor(processes, initializer=_worker_setup) as pool:
        pending: deque[Future[list[Conversion]]] = deque()
        for history in histories:
            pending.append(pool.submit(job, list(history)))
            if len(pending) >= processes * 4:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _convert_history(
    texts: Sequence[str],
    *,
    language: str | None,
    link_target: LinkTarget | None,
    file_target: FileTarget | None,
    paragraph_formatting: bool,
) -> list[Conversion]:
    with override(language):
        return [
            convert(
                text,
                link_target=link_target,
                file_target=file_target,
                paragraph_formatting=paragraph_formatting,
            )
            for text in texts
        ]


def _worker_setup() -> None:
    """A worker started afresh (not forked) sets Django up from DJANGO_SETTINGS_MODULE."""
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _without_private(text: str) -> str:
    # Seven searches for one character each take a tenth of the time of one for a range.
    if any(char in text for char in _PRIVATE_CHARS):
        return PRIVATE_RE.sub("", text)
    return text


def _pairs(text: str, opener: str, closer: str, replace: Callable[[str, str], str]) -> str:
    """Each opener...closer span (the first closer after the opener, as Tiki's strpos loop)
    replaced by replace(inside, whole); found with str.find, so linear on hostile input."""
    pieces: list[str] = []
    position = 0
    while (start := text.find(opener, position)) != -1:
        end = text.find(closer, start + len(opener))
        if end == -1:
            break
        inside = text[start + len(opener) : end]
        pieces += [text[position:start], replace(inside, text[start : end + len(closer)])]
        position = end + len(closer)
    return "".join(pieces) + text[position:]


def _protect_literals(text: str, ctx: Context) -> str:
    """~np~ (shown as typed) and ~pp~ / ~pre~ (preformatted) become placeholders first, as
    in Tiki, so nothing inside them is read as syntax."""

    def no_parse(inside: str, whole: str) -> str:
        return ctx.inline_slot(escape_text(inside).replace("\n", BREAK), whole)

    def preformatted(inside: str, whole: str) -> str:
        content = ctx.restore(inside).strip("\n")
        return ctx.block_slot([fenced(content)] if content else [], whole)

    text = _pairs(text, "~np~", "~/np~", no_parse)
    text = _pairs(text, "~pp~", "~/pp~", preformatted)
    return _pairs(text, "~pre~", "~/pre~", preformatted)


def _blocks(text: str, ctx: Context) -> list[str]:
    def comment(inside: str, whole: str) -> str:
        ctx.note("comment", whole, gettext_noop("Tiki comments are invisible; they were left out."))
        return ""

    text = _pairs(_pairs(text, "~tc~", "~/tc~", comment), "~hc~", "~/hc~", comment)
    pieces: list[str] = []
    position = 0
    for plugin in syntax_plugins.find_plugins(text):
        pieces += [text[position : plugin.start], syntax_plugins.render(plugin, ctx)]
        position = plugin.end
    text = "".join(pieces) + text[position:]
    # ||...|| as a lazy DOTALL pattern would match it, found with str.find (a tenth the time)
    text = _pairs(
        text, "||", "||", lambda inside, whole: ctx.block_slot([_table(inside, ctx)], whole)
    )
    text = _BOX.sub(lambda m: _box(m, ctx), text)
    return _Lines(ctx).convert(text)


def _memo_key(kind: str, text: str, ctx: Context) -> tuple[tuple[object, ...], bool]:
    """The memo key of a piece of text whose conversion reads only it and the placeholders in
    it, and whether it holds any: their numbers are left out of the key (they change from one
    revision to the next) and what they stand for is put in."""
    if BLOCK_OPEN not in text and INLINE_OPEN not in text:
        return (kind, text), False
    numbers = [int(n) for _open, n in _SLOT_NUMBER.findall(text)]
    slots = tuple(
        (ctx.slots[n], ctx.restore(ctx.raw[n]), tuple(ctx.block_slots.get(n, ()))) for n in numbers
    )
    return (kind, _SLOT_NUMBER.sub(r"\1", text), slots), True


def _no_leak(value: "str | _Chunk", events: tuple[Event, ...]) -> bool:
    """Whether a conversion gave nothing holding a placeholder (so nothing holding a number
    the key leaves out), in its Markdown or in what it did to the context."""
    texts: list[object] = [value] if isinstance(value, str) else [*value[0]]
    for _kind, arguments, _answer in events:
        for argument in arguments:
            is_ref = isinstance(argument, TikiFileRef)
            texts += [argument.ref, argument.alt] if is_ref else [argument]
    return not any(isinstance(t, str) and _PLACEHOLDER.search(t) for t in texts)


def _box(match: re.Match[str], ctx: Context) -> str:
    ctx.note("box", match.group(0), gettext_noop("Boxes are shown as quotations."))
    inner = ctx.convert_blocks(match.group(1))
    return ctx.block_slot([syntax_plugins.quote_blocks(inner)] if inner else [], match.group(0))


def _table(content: str, ctx: Context) -> str:
    key, placeholders = _memo_key("table", content, ctx)
    keep = _no_leak if placeholders else None
    return memoised(ctx, key, lambda: _table_markdown(content, ctx), keep=keep)


def _table_markdown(content: str, ctx: Context) -> str:
    rows: list[list[str]] = []
    for line in content.split("\n"):
        cells = syntax_plugins.split_cells(line.replace("||", ""))
        if len(cells) == 1 and not cells[0].strip():
            continue
        rows.append(cells)
    width = max((len(row) for row in rows), default=1)
    if any(len(row) < width for row in rows):
        ctx.note("span", content, gettext_noop("Merged table cells were split."))
    header: list[str] | None = None
    if rows and all(_BOLD_CELL.match(c.strip()) for c in rows[0]):
        header = [syntax_plugins.cell(_BOLD_CELL.sub(r"\1", c.strip()), ctx) for c in rows[0]]
        rows = rows[1:]
    body = [[syntax_plugins.cell(c, ctx) for c in row] for row in rows]
    return markdown_table(header, body)


_Chunk = tuple[tuple[str, ...], tuple[int, ...], tuple[tuple[int, bool], ...]]


class _Lines:
    """The line-by-line part of Tiki's parser: headings, lists, rules, definitions, paragraphs."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.blocks: list[str] = []
        self.paragraph: list[str] = []
        self.items: list[str] = []
        self.stack: list[tuple[str, int]] = []  # (list type, indent of its items' text)
        self.numbering: list[int] = []
        self.numbered_levels: dict[int, bool] = {}
        self.autonumbering = False

    def convert(self, text: str) -> list[str]:
        text = "\n" + text  # every line after a newline: the patterns start with one
        self.autonumbering = _AUTONUMBERED.search(text) is not None
        position = 1
        for blank in _BLANK_LINE.finditer(text):
            if blank.start() > position:
                self.chunk(text[position : blank.start()])
            position = blank.end() + 1
        if position < len(text):
            self.chunk(text[position:])
        self.flush()
        return self.blocks

    def chunk(self, text: str) -> None:
        """Lines between blank lines (each of which ends everything pending, so a chunk starts
        and ends with nothing pending). Its conversion reads only its text, the placeholders in
        it and, with autonumbered headings, the heading numbers so far: memoised across
        revisions, the placeholders' numbers left out of the key and what they stand for put
        in (unless a number shows in what it gives: `_no_leak`)."""
        ctx = self.ctx
        key, placeholders = _memo_key("lines", text, ctx)
        if self.autonumbering:
            key += (tuple(self.numbering), tuple(sorted(self.numbered_levels.items())))
        blocks, numbering, levels = memoised(
            ctx, key, lambda: _Lines(ctx).lines(text, self), keep=_no_leak if placeholders else None
        )
        self.blocks += blocks
        self.numbering, self.numbered_levels = list(numbering), dict(levels)

    def lines(self, text: str, before: "_Lines") -> _Chunk:
        self.autonumbering = before.autonumbering
        self.numbering, self.numbered_levels = list(before.numbering), dict(before.numbered_levels)
        for line in text.split("\n"):
            self.line(line.rstrip())
        self.flush()
        return tuple(self.blocks), tuple(self.numbering), tuple(self.numbered_levels.items())

    def flush(self, *, keep_list: bool = False) -> None:
        if self.paragraph:
            self.blocks.append(self.paragraph_markdown())
            self.paragraph = []
        if self.items and not keep_list:
            self.blocks.append("\n".join(self.items))
            self.items, self.stack = [], []

    def line(self, line: str) -> None:
        stripped = line.strip()
        slot = _BLOCK_LINE.match(stripped)
        if slot:
            self.flush()
            self.blocks += self.ctx.block_slots.get(int(slot.group(1)), [])
        elif not stripped:
            self.flush()
        elif stripped.startswith("-=") and stripped.endswith("=-") and len(stripped) > 4:
            self.flush()
            self.ctx.note("title bar", line, gettext_noop("Title bars are shown as bold text."))
            self.blocks.append(escape_line_start(f"**{self.inline(stripped[2:-2])}**"))
        elif line.startswith("---"):
            self.flush()
            self.blocks.append("---")
        elif line[0] in "*#" and not (_STARS.fullmatch(line) and len(line) > 4):
            self.flush(keep_list=True)
            self.list_item(line)
        elif line[0] == "+" and self.items:
            self.continuation(line)
        elif line[0] == "!" and len(line) - len(line.lstrip("!")) <= 6:
            heading = _HEADING.match(line)
            assert heading is not None  # one to six "!" always match
            self.flush()
            self.heading(heading)
        elif line[0] == ";" and (definition := _DEFINITION.match(line)):
            self.flush()
            term, text = self.inline(definition.group(1)), self.inline(definition.group(2))
            term_line = escape_line_start(f"**{term.strip()}**") if term.strip() else ""
            self.blocks.append(_HARD_BREAK.join(p for p in (term_line, text) if p))
        else:
            if self.items:
                self.flush()
            self.paragraph.append(line)

    def inline(self, text: str, *, breaks: str = " ") -> str:
        return inline(text.strip(), self.ctx).replace(BREAK, breaks)

    def paragraph_markdown(self) -> str:
        joiner = "\n" if self.ctx.paragraph_formatting else _HARD_BREAK
        text = joiner.join(self.inline(line, breaks=_HARD_BREAK) for line in self.paragraph)
        lines = [escape_line_start(part) for part in text.split("\n")]
        while lines and lines[-1] in ("", "\\"):
            lines.pop()
        # A hard break ending a paragraph would show as a backslash: an odd run of them at the
        # end is an escaped backslash or two plus that break.
        if lines and (len(lines[-1]) - len(lines[-1].rstrip("\\"))) % 2:
            lines[-1] = lines[-1][:-1]
        return "\n".join(lines)

    def list_item(self, line: str) -> None:
        kind = line[0]
        level = len(line) - len(line.lstrip(kind))
        text = line[level:]
        opening = level > len(self.stack) or (
            level == len(self.stack) and self.stack[-1][0] != kind
        )
        if opening and text[:1] in ("+", "-"):
            self.ctx.note(
                "collapsible list", line, gettext_noop("Collapsible lists are shown open.")
            )
            text = text[1:]
        level = min(level, len(self.stack) + 1)  # Markdown cannot skip a nesting level
        del self.stack[level:]
        if len(self.stack) == level and self.stack[-1][0] != kind:
            self.stack.pop()
        indent = self.stack[level - 2][1] if level > 1 and len(self.stack) >= level - 1 else 0
        marker = "- " if kind == "*" else "1. "
        if len(self.stack) < level:
            self.stack.append((kind, indent + len(marker)))
        content = self.inline(text, breaks=_HARD_BREAK + " " * (indent + len(marker)))
        self.items.append(" " * indent + marker + escape_line_start(content))

    def continuation(self, line: str) -> None:
        indent = self.stack[-1][1] if self.stack else 2
        content = self.inline(line.lstrip("+"), breaks=_HARD_BREAK + " " * indent)
        if content:
            self.items[-1] += _HARD_BREAK + " " * indent + escape_line_start(content)

    def heading(self, match: re.Match[str]) -> None:
        level = len(match.group(1))
        collapsible, numbered, title = match.group(2), bool(match.group(3)), match.group(4)
        if collapsible:
            self.ctx.note(
                "collapsible", match.group(0), gettext_noop("Collapsible sections are shown open.")
            )
        number = self.heading_number(level, numbered)
        text = self.inline(title).strip()
        if number:
            text = f"{number} {text}".strip()
        if not text:
            return
        if text.endswith("#"):
            text = text[:-1] + "\\#"
        self.blocks.append(f"{'#' * level} {text}")

    def heading_number(self, level: int, numbered: bool) -> str:
        """Tiki's heading autonumbering ("!#", "!!#"): the shown number, or ""."""
        last = self.numbering
        if last and level <= len(last):
            current = last[:level]
            if self.numbered_levels.get(level) or not self.autonumbering:
                current[level - 1] += 1
        else:
            current = list(last) + [1] * (level - len(last))
        self.numbered_levels[level] = numbered
        self.numbering = current
        if not numbered:
            return ""
        shown: list[int] = []
        for depth in range(level, 0, -1):  # parents without numbers hide theirs and above
            if not self.numbered_levels.get(depth):
                break
            shown.insert(0, current[depth - 1])
        return ".".join(str(n) for n in shown) + "."
