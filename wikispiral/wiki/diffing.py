"""Readable diffs between two revisions: lines aligned, changed words highlighted."""

import difflib
import re
from dataclasses import dataclass, field
from typing import Literal

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    text: str
    kind: Literal["equal", "insert", "delete"]


@dataclass(frozen=True)
class DiffRow:
    kind: Literal["equal", "change", "insert", "delete", "skip"]
    old_number: int | None
    new_number: int | None
    old: list[Segment] = field(default_factory=list)
    new: list[Segment] = field(default_factory=list)


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _word_segments(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    old_segments: list[Segment] = []
    new_segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            old_segments.append(Segment("".join(a[i1:i2]), "equal"))
            new_segments.append(Segment("".join(b[j1:j2]), "equal"))
            continue
        if i2 > i1:
            old_segments.append(Segment("".join(a[i1:i2]), "delete"))
        if j2 > j1:
            new_segments.append(Segment("".join(b[j1:j2]), "insert"))
    return old_segments, new_segments


def inline_segments(old: str, new: str) -> list[Segment]:
    """Whole-text word diff: equal, deleted and inserted runs in reading order."""
    a, b = _tokens(_normalise(old)), _tokens(_normalise(new))
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(Segment("".join(a[i1:i2]), "equal"))
            continue
        if i2 > i1:
            segments.append(Segment("".join(a[i1:i2]), "delete"))
        if j2 > j1:
            segments.append(Segment("".join(b[j1:j2]), "insert"))
    return segments


def diff_stats(old: str, new: str) -> tuple[int, int]:
    """(words added, words removed)."""
    added = removed = 0
    for segment in inline_segments(old, new):
        words = len(re.findall(r"\w+", segment.text))
        if segment.kind == "insert":
            added += words
        elif segment.kind == "delete":
            removed += words
    return added, removed


def diff_rows(old: str, new: str, *, context: int = 3) -> list[DiffRow]:
    """Side-by-side rows; long unchanged stretches collapse into one "skip" row."""
    a = _normalise(old).split("\n")
    b = _normalise(new).split("\n")
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            length = i2 - i1
            for offset in range(length):
                if context <= offset < length - context:
                    if not rows or rows[-1].kind != "skip":
                        rows.append(DiffRow("skip", i1 + length - context, j1 + length - context))
                    continue
                line = a[i1 + offset]
                rows.append(
                    DiffRow(
                        "equal",
                        i1 + offset + 1,
                        j1 + offset + 1,
                        [Segment(line, "equal")],
                        [Segment(line, "equal")],
                    )
                )
        elif tag == "replace":
            for k in range(max(i2 - i1, j2 - j1)):
                old_line = a[i1 + k] if i1 + k < i2 else None
                new_line = b[j1 + k] if j1 + k < j2 else None
                if old_line is not None and new_line is not None:
                    old_segs, new_segs = _word_segments(old_line, new_line)
                    rows.append(DiffRow("change", i1 + k + 1, j1 + k + 1, old_segs, new_segs))
                elif old_line is not None:
                    rows.append(DiffRow("delete", i1 + k + 1, None, [Segment(old_line, "delete")]))
                else:
                    rows.append(
                        DiffRow("insert", None, j1 + k + 1, [], [Segment(new_line, "insert")])
                    )
        elif tag == "delete":
            for k in range(i1, i2):
                rows.append(DiffRow("delete", k + 1, None, [Segment(a[k], "delete")]))
        else:
            for k in range(j1, j2):
                rows.append(DiffRow("insert", None, k + 1, [], [Segment(b[k], "insert")]))
    if rows and all(row.kind in ("equal", "skip") for row in rows):
        return []
    return rows
