"""Tiki's inline syntax (bold, links, line breaks...) to our Markdown, and what the converter
shares: its context, placeholders, escaping and table builder.

The rules follow Tiki's parser (lib/parser/parserlib.php, lib/core/WikiParser/ParsableWiki.php):
`__bold__`, `''italic''`, `===underline===`, `--strike--` (not after `<!` or `//`, not when a
blank follows the opening `--`), `-+mono+-` (at a line start or after a blank), `::centred::`,
`-=title bar=-`, `~~colour:text~~`, the `~hs~`-style special characters, ` -- ` as an em dash,
`%%%` as a line break (not right after a digit, so "50%%%" is not one), `((Page))`,
`((Page|label))`, `((Page|#anchor|label))`, `(alias(Page))`, `))Word((`, `[url]`,
`[url|label]`, `[url|label|nocache]` and `[[` for a literal bracket.
"""

import re
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Literal, cast
from urllib.parse import unquote_plus

from django.utils.translation import gettext, gettext_noop

# Placeholders live in the Unicode private use area; the converter strips those characters
# from its input first, so a page cannot forge one (U+E005 and U+E006 mark the links a table
# row keeps whole while cut into cells: syntax_plugins.split_cells).
INLINE_OPEN, INLINE_CLOSE = "\ue002", "\ue003"
BLOCK_OPEN, BLOCK_CLOSE = "\ue000", "\ue001"
BREAK = "\ue004"
PRIVATE_RE = re.compile("[\ue000-\ue006]")
_SLOT_RE = re.compile("([\ue000\ue002])(\\d+)[\ue001\ue003]")
_INLINE_SLOT_AT = re.compile("\ue002(\\d+)\ue003")

FileKind = Literal["file", "image", "attachment", "url"]


@dataclass(frozen=True)
class TikiFileRef:
    """A file or picture a page uses: a file gallery file (`fileId`), an image gallery picture
    (`id`), a page attachment (`attId`) or a plain address (`src`)."""

    kind: FileKind
    ref: str
    alt: str = ""


@dataclass(frozen=True)
class Doubt:
    """A construct kept as it was (a doubt) or converted with a loss (a note); source is the
    original Tiki text, message says what happened, translated."""

    construct: str
    source: str
    message: str


LinkTarget = Callable[[str], str | None]
Event = tuple[str, tuple[Any, ...], Any]  # (method or hook, arguments, hook's answer)
FileTarget = Callable[[TikiFileRef], str | None]


@dataclass
class Context:
    """What one conversion collects, and the hooks it resolves names through."""

    link_target: LinkTarget
    file_target: FileTarget
    paragraph_formatting: bool
    blocks: Callable[[str], list[str]] | None = None
    links: list[str] = field(default_factory=list)
    files: list[TikiFileRef] = field(default_factory=list)
    doubts: list[Doubt] = field(default_factory=list)
    notes: list[Doubt] = field(default_factory=list)
    noted: set[str] = field(default_factory=set)  # the notes' constructs
    slots: list[str] = field(default_factory=list)
    block_slots: dict[int, list[str]] = field(default_factory=dict)
    raw: list[str] = field(default_factory=list)
    # What a memoised conversion does to this context, to replay it (see `memoised`).
    flavour: Hashable = None
    record: list[Event] | None = None
    answers: list[Event] = field(default_factory=list)

    def resolve_link(self, name: str) -> str | None:
        """link_target(name), through the memo's record and answers."""
        return self._hook("link_target", name)

    def resolve_file(self, ref: TikiFileRef) -> str | None:
        return self._hook("file_target", ref)

    def call_hook(self, kind: str, argument: Any) -> str | None:
        return self.link_target(argument) if kind == "link_target" else self.file_target(argument)

    def _hook(self, kind: str, argument: Any) -> str | None:
        if self.answers and self.answers[0][:2] == (kind, (argument,)):
            result: str | None = self.answers.pop(0)[2]
        else:
            self.answers = []
            result = self.call_hook(kind, argument)
        if self.record is not None:
            self.record.append((kind, (argument,), result))
        return result

    def inline_slot(self, markdown: str, raw: str) -> str:
        self.slots.append(markdown)
        self.raw.append(raw)
        return f"{INLINE_OPEN}{len(self.slots) - 1}{INLINE_CLOSE}"

    def block_slot(self, blocks: list[str], raw: str) -> str:
        self.block_slots[len(self.slots)] = blocks
        self.slots.append("")
        self.raw.append(raw)
        return f"\n{BLOCK_OPEN}{len(self.slots) - 1}{BLOCK_CLOSE}\n"

    def convert_blocks(self, text: str) -> list[str]:
        """The Markdown blocks of a piece of Tiki text (a plugin's body), in this context."""
        return self.blocks(text) if self.blocks is not None else []

    def restore(self, text: str) -> str:
        """text with every placeholder put back as the original Tiki text."""
        while (BLOCK_OPEN in text or INLINE_OPEN in text) and _SLOT_RE.search(text):
            text = _SLOT_RE.sub(lambda m: self.raw[int(m.group(2))], text)
        return text

    def doubt(self, construct: str, source: str, message: str) -> None:
        """message: untranslated (marked with gettext_noop), translated here."""
        source = self.restore(source)
        if self.record is not None:  # the text, not the placeholders: numbers vary
            self.record.append(("doubt", (construct, source, message), None))
        self.doubts.append(Doubt(construct, source[:500], self.translated(message)))

    def note(self, construct: str, source: str, message: str) -> None:
        """Once per kind: the message (untranslated) is only translated for the first one."""
        if self.record is not None:
            source = self.restore(source)
            self.record.append(("note", (construct, source, message), None))
        if construct not in self.noted:
            self.noted.add(construct)
            self.notes.append(
                Doubt(construct, self.restore(source)[:500], self.translated(message))
            )

    def translated(self, message: str) -> str:
        """gettext(message), kept per language (`flavour`) for the next pages."""
        if self.flavour is None:
            return gettext(message)
        key = (self.flavour, message)
        text = _translations.get(key)
        if text is None:
            text = _translations[key] = gettext(message)
        return text

    def add_link(self, name: str) -> None:
        if self.record is not None:
            self.record.append(("add_link", (name,), None))
        if name not in self.links:
            self.links.append(name)

    def add_file(self, ref: TikiFileRef) -> None:
        if self.record is not None:
            self.record.append(("add_file", (ref,), None))
        if ref not in self.files:
            self.files.append(ref)


# --- Memo -------------------------------------------------------------------------------------
#
# Consecutive revisions of a page share most of their text, so a piece whose conversion depends
# on its text alone (a run of paragraph and list lines, a table: no placeholder inside, so no
# other part of the page is read) is converted once. What its conversion did to the context is
# recorded and replayed: notes, doubts, links and files in the same order, and the link_target /
# file_target hooks called again with the same arguments; if a hook now answers differently,
# the piece is converted again (the answers already given are reused, so each hook sees exactly
# the calls it would have seen). The key holds the language (messages are translated as they
# are made) and paragraph_formatting (`Context.flavour`).

_HOOKS = ("link_target", "file_target")
_translations: dict[tuple[Hashable, str], str] = {}
_MEMO_SIZE = 20_000  # the oldest entry goes first; a page's history needs a few hundred
_memo: dict[Hashable, tuple[Any, tuple[Event, ...], bool]] = {}
_memo_lock = threading.Lock()  # for writers; a lookup is one dict.get


def memoised[T](
    ctx: Context,
    key: Hashable,
    compute: Callable[[], T],
    *,
    keep: Callable[[T, tuple[Event, ...]], bool] | None = None,
) -> T:
    """compute(), or what it gave for key before with its effects on ctx replayed; the value
    is shared between calls: never modify it. keep(value, events) says whether a value may be
    kept (default: always)."""
    key = (ctx.flavour, key)
    entry = _memo.get(key)
    if entry is not None:
        value, events, hooked = entry
        if not hooked or _same_answers(ctx, events):
            for event in events:
                if event[0] not in _HOOKS:
                    getattr(ctx, event[0])(*event[1])
                elif ctx.record is not None:
                    ctx.record.append(event)
            return cast(T, value)
    outer, ctx.record = ctx.record, []
    try:
        value = compute()
        recorded = ctx.record
    finally:
        ctx.record, ctx.answers = outer, []
    if outer is not None:
        outer.extend(recorded)
    events = tuple(recorded)
    if keep is not None and not keep(value, events):
        return value
    with _memo_lock:
        _memo[key] = (value, events, any(event[0] in _HOOKS for event in events))
        while len(_memo) > _MEMO_SIZE:
            del _memo[next(iter(_memo))]
    return value


def clear_memo() -> None:
    """Forget every memoised conversion (benchmarks, tests)."""
    with _memo_lock:
        _memo.clear()


def _same_answers(ctx: Context, events: tuple[Event, ...]) -> bool:
    """Whether the hooks answer as they did, asked the same in the same order; if not, the
    answers given are left for the conversion that follows (each hook is asked once)."""
    answers: list[Event] = []
    for kind, arguments, answer in events:
        if kind in _HOOKS:
            answers.append((kind, arguments, ctx.call_hook(kind, *arguments)))
            if answers[-1][2] != answer:
                ctx.answers = answers
                return False
    return True


# --- Escaping ---------------------------------------------------------------------------------

_NEEDS_ESCAPE = re.compile(r"[\\`*\[\]<~_&|]")
_ALWAYS_ESCAPED = re.compile(r"([\\`*\[\]<~])")
_LONE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"^(?:#{1,6}(?=\s|$)|>|[-+*](?=\s|$)|[=-]+\s*$)")
_ORDERED_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


def escape_text(text: str, *, in_table: bool = False) -> str:
    """Plain Tiki text as Markdown that shows the same characters.

    An underscore inside a word never makes emphasis, so only the others are escaped; "&" only
    where it would start an entity.
    """
    if _NEEDS_ESCAPE.search(text) is None:  # most runs of text: nothing to do
        return text
    text = _ALWAYS_ESCAPED.sub(r"\\\1", text)
    text = _LONE_UNDERSCORE.sub(r"\\_", text)
    text = _ENTITY.sub(r"\\&", text)
    return text.replace("|", r"\|") if in_table else text


def escape_line_start(line: str) -> str:
    """A line of converted text that cannot start a Markdown block it did not mean."""
    line = line.lstrip(" \t")
    if _LINE_START.match(line):
        return "\\" + line
    return _ORDERED_START.sub(r"\1\\\2", line, count=1)


def code_span(text: str, *, in_table: bool = False) -> str:
    run = max((len(m) for m in re.findall("`+", text)), default=0)
    fence = "`" * (run + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    if in_table:
        padded = padded.replace("|", r"\|")
    return f"{fence}{padded}{fence}" if text.strip() else escape_text(text)


def fenced(text: str, info: str = "") -> str:
    run = max((len(m) for m in re.findall("`{3,}", text)), default=2)
    fence = "`" * (run + 1)
    return f"{fence}{info}\n{text.rstrip(chr(10))}\n{fence}"


def markdown_table(header: list[str] | None, rows: list[list[str]]) -> str:
    """A GFM table of cells already converted; Markdown tables need a header row, so a table
    without one gets an empty header."""
    width = max([len(header or [])] + [len(row) for row in rows] + [1])

    def line(cells: list[str]) -> str:
        cells = cells + [""] * (width - len(cells))
        return "| " + " | ".join(cell.strip() for cell in cells) + " |"

    lines = [line(header or [""] * width), "|" + " --- |" * width]
    lines += [line(row) for row in rows]
    return "\n".join(lines)


def _url(url: str) -> str:
    return url.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")


_SAFE_SCHEMES = {"http", "https", "mailto"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)


def safe_url(url: str) -> bool:
    match = _SCHEME.match(url.strip())
    return match is None or match.group(1).lower() in _SAFE_SCHEMES


# --- Inline conversion ------------------------------------------------------------------------

_CANDIDATES = re.compile("[\ue002)(\\[%\\-_'=:~<]")
_NO_LINK = re.compile(r"\)\)(\S+?)\(\(")
_WIKI_LINK = re.compile(r"\(([a-z0-9-]*)\(\s*([^()|\n]+?)\s*(?:\|([^)\n]*?))?\)\)")
_EXTERNAL = re.compile(r"\[([^\[\]|\n]+)(?:\|([^\]|\n]*))?(?:\|([^\]\n]*))?\]")
_MONO = re.compile(r"-\+(.{0,1000}?)\+-")
_STRIKE = re.compile(r"--([^\s>].*?)--")
_TITLE_BAR = re.compile(r"-=(.{1,1000}?)=-")
_BOLD = re.compile(r"__(.+?)__")
_ITALIC = re.compile(r"''(.+?)''")
_UNDERLINE = re.compile(r"===(.+?)===")
_CENTRE = re.compile(r"::(.+?)::")
_COLOUR = re.compile(r"~~([^~:,]+)(?:,([^~:]+))?:(.*?)~~")
_SPECIAL = re.compile(r"~(hs|bs|amp|ldq|rdq|lsq|rsq|c|lt|gt|--|\d{1,7})~", re.IGNORECASE)
_BR_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>\n]{0,500}>")
_URL_LIKE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|mailto:|www\.|/|\./|\.\./|#|[\w.-]+\.php)", re.I)
_TIKI_PAGE_URL = re.compile(r"^(?:\./)?tiki-index\.php\?page=([^&#]+)", re.IGNORECASE)
_TIKI_FILE_URL = re.compile(r"tiki-download_file\.php\?fileId=(\d+)", re.IGNORECASE)
_SPECIAL_CHARS = {
    "hs": "\u00a0",
    "bs": "\\",
    "amp": "&",
    "ldq": "\u201c",
    "rdq": "\u201d",
    "lsq": "\u2018",
    "rsq": "\u2019",
    "c": "\u00a9",
    "lt": "<",
    "gt": ">",
    "--": "\u2014",
}


def _wrap(inner: str, marker: str) -> str:
    """inner between emphasis markers, blanks moved outside (CommonMark needs them inside)."""
    core = inner.strip()
    if not core:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    return f"{lead}{marker}{core}{marker}{trail}"


def inline(text: str, ctx: Context, *, in_table: bool = False) -> str:
    """One line (or cell) of Tiki text as Markdown; a line break comes out as BREAK."""
    out: list[str] = []
    plain_from = position = 0
    while (found := _CANDIDATES.search(text, position)) is not None:
        start = found.start()
        converted = _construct(text, start, ctx, in_table)
        if converted is None:
            position = start + 1
            continue
        markdown, end = converted
        out += [escape_text(text[plain_from:start], in_table=in_table), markdown]
        plain_from = position = end
    out.append(escape_text(text[plain_from:], in_table=in_table))
    return "".join(out)


def _construct(text: str, at: int, ctx: Context, in_table: bool) -> tuple[str, int] | None:
    char = text[at]
    sub = lambda inner: inline(inner, ctx, in_table=in_table)  # noqa: E731
    if char == INLINE_OPEN:
        match = _INLINE_SLOT_AT.match(text, at)
        if match:
            slot = ctx.slots[int(match.group(1))]
            return (slot.replace("|", r"\|") if in_table else slot), match.end()
    elif char == ")":
        if match := _NO_LINK.match(text, at):
            return escape_text(match.group(1), in_table=in_table), match.end()
    elif char == "(":
        if match := _WIKI_LINK.match(text, at):
            return wiki_link(match, ctx, in_table), match.end()
    elif char == "[":
        if text.startswith("[[", at):
            return r"\[", at + 2
        match = _EXTERNAL.match(text, at)
        if match and _URL_LIKE.match(match.group(1).strip()):
            return external_link(match, ctx, in_table), match.end()
    elif char == "%":
        # Tiki: "%%%" is a break unless a digit (not itself after a "%") comes just before.
        after_digit = at > 0 and text[at - 1].isdigit() and (at < 2 or text[at - 2] != "%")
        if text.startswith("%%%", at) and not after_digit:
            return BREAK, at + 3
    elif char == "-":
        return _dash(text, at, ctx, sub, in_table)
    elif char == "_":
        if match := _BOLD.match(text, at):
            return _wrap(sub(match.group(1)), "**"), match.end()
    elif char == "'":
        if match := _ITALIC.match(text, at):
            return _wrap(sub(match.group(1)), "*"), match.end()
    elif char == "=":
        if match := _UNDERLINE.match(text, at):
            ctx.note(
                "underline",
                match.group(0),
                gettext_noop("Underlined text has no Markdown form; kept plain."),
            )
            return sub(match.group(1)), match.end()
    elif char == ":":
        if match := _CENTRE.match(text, at):
            ctx.note(
                "centre", match.group(0), gettext_noop("Centred text is shown aligned to the left.")
            )
            return sub(match.group(1)), match.end()
    elif char == "~":
        if match := _COLOUR.match(text, at):
            ctx.note(
                "colour",
                match.group(0),
                gettext_noop("Coloured text is shown without its colours."),
            )
            return sub(match.group(3)), match.end()
        if match := _SPECIAL.match(text, at):
            return _special(match.group(1)), match.end()
    elif char == "<":
        if match := _BR_TAG.match(text, at):
            return BREAK, match.end()
        if match := _HTML_TAG.match(text, at):
            ctx.note(
                "html", match.group(0), gettext_noop("HTML tags are shown as text, not applied.")
            )
    return None


def _dash(
    text: str, at: int, ctx: Context, sub: Callable[[str], str], in_table: bool
) -> tuple[str, int] | None:
    if (at == 0 or text[at - 1].isspace()) and (match := _MONO.match(text, at)):
        return code_span(match.group(1), in_table=in_table), match.end()
    if text[max(0, at - 2) : at] not in ("<!", "//") and (match := _STRIKE.match(text, at)):
        return _wrap(sub(match.group(1)), "~~"), match.end()
    if match := _TITLE_BAR.match(text, at):
        ctx.note("title bar", match.group(0), gettext_noop("Title bars are shown as bold text."))
        return _wrap(sub(match.group(1)), "**"), match.end()
    if at > 0 and text[at - 1] == " " and text.startswith("-- ", at):
        return "\u2014", at + 2
    return None


def _special(name: str) -> str:
    if name.isdigit():
        number = int(name)
        valid = 0 < number < 0x110000 and not 0xD800 <= number < 0xE000 and number >= 32
        return escape_text(chr(number)) if valid else ""
    return escape_text(_SPECIAL_CHARS[name.lower()])


def _label(text: str) -> str:
    """A wiki link's label as our [[...]] syntax takes it: raw, one line, no brackets or bar."""
    plain = re.sub(r"__|''|===", "", text)
    return re.sub(r"[\[\]|\n]", " ", plain).strip()


def wiki_link(match: re.Match[str], ctx: Context, in_table: bool) -> str:
    return page_link(
        match.group(2),
        match.group(3),
        ctx,
        in_table,
        source=match.group(0),
        relation=match.group(1),
    )


def page_link(
    name: str,
    description: str | None,
    ctx: Context,
    in_table: bool,
    *,
    source: str,
    relation: str = "",
) -> str:
    """A link to a Tiki page: through link_target, else our [[Page|label]] syntax."""
    name = name.strip()
    anchor = ""
    if "#" in name:
        name, _hash, anchor = name.partition("#")
        name = name.strip()
    label = description or ""
    if label.startswith("#"):
        anchor, _bar, label = label[1:].partition("|")
    if relation:
        ctx.note(
            "semantic link", source, gettext_noop("Semantic link types are kept as plain links.")
        )
    if not name:
        return escape_text(source, in_table=in_table)
    ctx.add_link(name)
    shown = _label(label) or name
    target = ctx.resolve_link(name)
    if target is not None and (target.startswith("/") or _SCHEME.match(target)):
        url = f"{target}#{anchor}" if anchor else target
        if safe_url(url):
            return f"[{escape_text(shown, in_table=in_table)}]({_url(url)})"
    wiki = target or name
    if anchor:
        ctx.note("anchor", source, gettext_noop("Links to a section of a page go to the page."))
    if re.search(r"[\[\]|\n]", wiki) or len(wiki) > 400:
        ctx.doubt("link", source, gettext_noop("This page name cannot be written as a wiki link."))
        return escape_text(source, in_table=in_table)
    return f"[[{wiki}]]" if shown == wiki else f"[[{wiki}|{shown}]]"


def external_link(match: re.Match[str], ctx: Context, in_table: bool) -> str:
    url, label = match.group(1).strip(), (match.group(2) or "").strip()
    page = _TIKI_PAGE_URL.match(url)
    if page:
        return page_link(unquote_plus(page.group(1)), label, ctx, in_table, source=match.group(0))
    shown = inline(label, ctx, in_table=in_table) if label else escape_text(url, in_table=in_table)
    file_id = _TIKI_FILE_URL.search(url)
    if file_id:
        ref = TikiFileRef(kind="file", ref=file_id.group(1), alt=label)
        ctx.add_file(ref)
        url = ctx.resolve_file(ref) or f"attachment:tiki-file-{ref.ref}"
    elif url.lower().startswith("www."):
        url = f"http://{url}"
    if not safe_url(url) and not url.startswith("attachment:"):
        ctx.doubt(
            "link",
            match.group(0),
            gettext_noop("This link's address is not allowed; kept as text."),
        )
        return escape_text(match.group(0), in_table=in_table)
    return f"[{shown}]({_url(url)})"
