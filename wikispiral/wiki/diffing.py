"""Readable diffs between two revisions: lines aligned first, then words inside changed lines.

Pure functions. Texts are compared with line endings normalised to LF, so a revision saved from
a browser (CRLF) and one saved by a script (LF) do not differ on every line. Segments keep
every character: joining the "equal" and "delete" segments gives the old text back, joining
"equal" and "insert" gives the new one.
"""

import bisect
import difflib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from wikispiral.text import newlines_normalise

__all__ = ["DiffRow", "Segment", "diff_rows", "diff_stats", "inline_segments", "matching_blocks"]

SegmentKind = Literal["equal", "insert", "delete"]
RowKind = Literal["equal", "change", "insert", "delete", "skip"]

# Words, runs of whitespace, and every other character on its own: a diff of these tokens
# marks whole words and never hides a changed comma inside an unchanged word.
_TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]")
_WORD_RE = re.compile(r"\w+")
_LINE_RE = re.compile(r"[^\n]*\n|[^\n]+")


@dataclass(frozen=True)
class Segment:
    """A stretch of text that is the same in both versions, only in the new, or only in the old."""

    text: str
    kind: SegmentKind


@dataclass(frozen=True)
class DiffRow:
    """One row of a side-by-side diff; line numbers start at 1.

    "equal" and "change" rows have both numbers, "delete" only the old, "insert" only the new.
    A "skip" row stands for hidden unchanged lines: its segments are empty and its numbers are
    those of the last hidden line on each side (the gap starts after the previous row).
    """

    kind: RowKind
    old_number: int | None
    new_number: int | None
    old: list[Segment]
    new: list[Segment]


def _lines(text: str) -> list[str]:
    """Lines without their LF; a final LF does not make an extra empty line."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


Opcode = tuple[str, int, int, int, int]

# Below this many pairs (old items x new items) difflib aligns a stretch; it is quadratic, so
# larger stretches are first cut at patience anchors (items found exactly once on each side).
_DIFFLIB_BUDGET = 250_000


def _difflib_blocks(
    old: Sequence[str], new: Sequence[str], old_start: int, new_start: int
) -> list[tuple[int, int, int]]:
    # autojunk would ignore blank lines and spaces once a sequence passes 200 items, which
    # misaligns exactly the long texts a diff is most needed for.
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [(old_start + i, new_start + j, size) for i, j, size in matcher.get_matching_blocks()]


def _patience_anchors(
    old: Sequence[str], old_lo: int, old_hi: int, new: Sequence[str], new_lo: int, new_hi: int
) -> list[tuple[int, int]]:
    """Pairs (i, j) of items unique on both sides, longest run in order on both sides."""
    counts: dict[str, list[int]] = {}
    for i in range(old_lo, old_hi):
        counts.setdefault(old[i], [0, -1, 0, -1])
        entry = counts[old[i]]
        entry[0] += 1
        entry[1] = i
    for j in range(new_lo, new_hi):
        found = counts.get(new[j])
        if found is not None:
            found[2] += 1
            found[3] = j
    candidates = sorted(
        (i, j) for old_count, i, new_count, j in counts.values() if old_count == new_count == 1
    )
    # Longest increasing subsequence of j (patience sorting), O(n log n).
    tails: list[int] = []  # tails[k]: candidate ending the best run of length k + 1
    tail_js: list[int] = []  # the j of each tail, for bisect
    previous: list[int] = [-1] * len(candidates)
    for index, (_, j) in enumerate(candidates):
        position = bisect.bisect_left(tail_js, j)
        if position > 0:
            previous[index] = tails[position - 1]
        if position == len(tails):
            tails.append(index)
            tail_js.append(j)
        else:
            tails[position] = index
            tail_js[position] = j
    anchors: list[tuple[int, int]] = []
    index = tails[-1] if tails else -1
    while index != -1:
        anchors.append(candidates[index])
        index = previous[index]
    return anchors[::-1]


def matching_blocks(old: Sequence[str], new: Sequence[str]) -> list[tuple[int, int, int]]:
    """difflib-style matching blocks (i, j, size), ending with (len(old), len(new), 0).

    Common ends are matched first, small stretches go to difflib and large ones are cut at
    patience anchors, so thousands of lines or words align in well under a second; a large
    stretch with no anchor at all is left unmatched (shown as replaced).
    """
    blocks: list[tuple[int, int, int]] = []
    stack = [(0, len(old), 0, len(new))]
    while stack:
        old_lo, old_hi, new_lo, new_hi = stack.pop()
        while old_lo < old_hi and new_lo < new_hi and old[old_lo] == new[new_lo]:
            blocks.append((old_lo, new_lo, 1))
            old_lo, new_lo = old_lo + 1, new_lo + 1
        while old_lo < old_hi and new_lo < new_hi and old[old_hi - 1] == new[new_hi - 1]:
            old_hi, new_hi = old_hi - 1, new_hi - 1
            blocks.append((old_hi, new_hi, 1))
        if old_lo == old_hi or new_lo == new_hi:
            continue
        if (old_hi - old_lo) * (new_hi - new_lo) <= _DIFFLIB_BUDGET:
            found = _difflib_blocks(old[old_lo:old_hi], new[new_lo:new_hi], old_lo, new_lo)
            blocks += found[:-1]
            continue
        anchors = _patience_anchors(old, old_lo, old_hi, new, new_lo, new_hi)
        for i, j in anchors:
            blocks.append((i, j, 1))
            stack.append((old_lo, i, new_lo, j))
            old_lo, new_lo = i + 1, j + 1
        if anchors:
            stack.append((old_lo, old_hi, new_lo, new_hi))
    return _merge_blocks(sorted(blocks), len(old), len(new))


def _merge_blocks(
    blocks: list[tuple[int, int, int]], old_length: int, new_length: int
) -> list[tuple[int, int, int]]:
    merged: list[tuple[int, int, int]] = []
    for i, j, size in blocks:
        if (
            size
            and merged
            and merged[-1][0] + merged[-1][2] == i
            and merged[-1][1] + merged[-1][2] == j
        ):
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + size)
        elif size:
            merged.append((i, j, size))
    merged.append((old_length, new_length, 0))
    return merged


def _opcodes(old: Sequence[str], new: Sequence[str]) -> list[Opcode]:
    """difflib.SequenceMatcher.get_opcodes(), computed from `matching_blocks`."""
    opcodes: list[Opcode] = []
    i = j = 0
    for block_i, block_j, size in matching_blocks(old, new):
        if i < block_i and j < block_j:
            opcodes.append(("replace", i, block_i, j, block_j))
        elif i < block_i:
            opcodes.append(("delete", i, block_i, j, j))
        elif j < block_j:
            opcodes.append(("insert", i, i, j, block_j))
        if size:
            opcodes.append(("equal", block_i, block_i + size, block_j, block_j + size))
        i, j = block_i + size, block_j + size
    return opcodes


def _word_opcodes(old: str, new: str) -> list[tuple[str, str, str]]:
    """(tag, old text, new text) triples of a word-level diff, merged for readability.

    An unchanged stretch of only whitespace or punctuation between two changes is folded
    into them, so "the quick fox" -> "a slow dog" reads as one replacement, not three.
    """
    old_tokens, new_tokens = _TOKEN_RE.findall(old), _TOKEN_RE.findall(new)
    raw = [
        (tag, "".join(old_tokens[i1:i2]), "".join(new_tokens[j1:j2]))
        for tag, i1, i2, j1, j2 in _opcodes(old_tokens, new_tokens)
    ]
    merged: list[tuple[str, str, str]] = []
    for index, (tag, old_text, new_text) in enumerate(raw):
        is_glue = (
            tag == "equal"
            and 0 < index < len(raw) - 1
            and not _WORD_RE.search(old_text)
            and len(old_text) <= 3
        )
        if merged and (is_glue or tag != "equal") and merged[-1][0] != "equal":
            _, prev_old, prev_new = merged[-1]
            merged[-1] = ("replace", prev_old + old_text, prev_new + new_text)
        else:
            merged.append((tag, old_text, new_text))
    return merged


def _append(segments: list[Segment], text: str, kind: SegmentKind) -> None:
    """Add text to segments, extending the last segment when it has the same kind."""
    if not text:
        return
    if segments and segments[-1].kind == kind:
        segments[-1] = Segment(segments[-1].text + text, kind)
    else:
        segments.append(Segment(text, kind))


def _line_pair_segments(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    old_segments: list[Segment] = []
    new_segments: list[Segment] = []
    for tag, old_text, new_text in _word_opcodes(old, new):
        if tag == "equal":
            _append(old_segments, old_text, "equal")
            _append(new_segments, new_text, "equal")
        else:
            _append(old_segments, old_text, "delete")
            _append(new_segments, new_text, "insert")
    return old_segments, new_segments


def _all_rows(old_lines: list[str], new_lines: list[str]) -> Iterator[DiffRow]:
    """Every line as a row, before unchanged stretches are collapsed."""
    for tag, i1, i2, j1, j2 in _opcodes(old_lines, new_lines):
        if tag == "equal":
            for offset in range(i2 - i1):
                line = [Segment(old_lines[i1 + offset], "equal")] if old_lines[i1 + offset] else []
                yield DiffRow("equal", i1 + offset + 1, j1 + offset + 1, line, list(line))
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for offset in range(paired):
            old_segments, new_segments = _line_pair_segments(
                old_lines[i1 + offset], new_lines[j1 + offset]
            )
            yield DiffRow("change", i1 + offset + 1, j1 + offset + 1, old_segments, new_segments)
        for i in range(i1 + paired, i2):
            segments = [Segment(old_lines[i], "delete")] if old_lines[i] else []
            yield DiffRow("delete", i + 1, None, segments, [])
        for j in range(j1 + paired, j2):
            segments = [Segment(new_lines[j], "insert")] if new_lines[j] else []
            yield DiffRow("insert", None, j + 1, [], segments)


def _collapse(rows: list[DiffRow], context: int) -> list[DiffRow]:
    """Keep `context` unchanged lines around each change; replace the rest with skip rows."""
    result: list[DiffRow] = []
    index = 0
    while index < len(rows):
        if rows[index].kind != "equal":
            result.append(rows[index])
            index += 1
            continue
        end = index
        while end < len(rows) and rows[end].kind == "equal":
            end += 1
        keep_before = context if index > 0 else 0  # lines after the previous change
        keep_after = context if end < len(rows) else 0  # lines before the next change
        if end - index > keep_before + keep_after:
            last_hidden = rows[end - keep_after - 1]
            result += rows[index : index + keep_before]
            result.append(DiffRow("skip", last_hidden.old_number, last_hidden.new_number, [], []))
            result += rows[end - keep_after : end]
        else:
            result += rows[index:end]
        index = end
    return result


def diff_rows(old: str, new: str, *, context: int = 3) -> list[DiffRow]:
    """Side-by-side rows from old to new; [] when the texts are equal (line endings aside).

    Changed lines are paired in order and highlighted word by word; unchanged stretches keep
    `context` lines next to each change and collapse the rest into one "skip" row.
    """
    old_lines, new_lines = _lines(newlines_normalise(old)), _lines(newlines_normalise(new))
    if old_lines == new_lines:
        return []
    return _collapse(list(_all_rows(old_lines, new_lines)), max(context, 0))


def inline_segments(old: str, new: str) -> list[Segment]:
    """The whole text as one run of segments, word-level inside changed stretches of lines."""
    old_lines = _LINE_RE.findall(newlines_normalise(old))
    new_lines = _LINE_RE.findall(newlines_normalise(new))
    segments: list[Segment] = []
    # Aligning lines first keeps each word diff to the stretch of lines that changed.
    for tag, i1, i2, j1, j2 in _opcodes(old_lines, new_lines):
        old_text, new_text = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        if tag == "equal":
            _append(segments, old_text, "equal")
        elif tag == "replace":
            for word_tag, old_words, new_words in _word_opcodes(old_text, new_text):
                if word_tag == "equal":
                    _append(segments, old_words, "equal")
                else:
                    _append(segments, old_words, "delete")
                    _append(segments, new_words, "insert")
        else:
            _append(segments, old_text, "delete")
            _append(segments, new_text, "insert")
    return segments


def diff_stats(old: str, new: str) -> tuple[int, int]:
    """(words added, words removed) from old to new, counted on the word-level diff."""
    added = removed = 0
    for segment in inline_segments(old, new):
        if segment.kind == "insert":
            added += len(_WORD_RE.findall(segment.text))
        elif segment.kind == "delete":
            removed += len(_WORD_RE.findall(segment.text))
    return added, removed
