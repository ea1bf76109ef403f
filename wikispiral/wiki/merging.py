"""Three-way merge of page texts, line by line, for concurrent edits."""

from dataclasses import dataclass

import merge3


@dataclass(frozen=True)
class MergeResult:
    text: str
    conflicted: bool
    conflict_count: int


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").splitlines(keepends=True)


def three_way_merge(*, base: str, mine: str, theirs: str) -> MergeResult:
    """Merge two edits of base. On overlapping changes, text is mine, unchanged, and
    conflicted is True: we never save conflict markers into a page."""
    merger = merge3.Merge3(_lines(base), _lines(mine), _lines(theirs))
    merged: list[str] = []
    conflicts = 0
    for group in merger.merge_groups():
        kind = group[0]
        if kind == "conflict":
            conflicts += 1
            continue
        merged.extend(group[1])
    if conflicts:
        return MergeResult(
            text=mine.replace("\r\n", "\n"), conflicted=True, conflict_count=conflicts
        )
    return MergeResult(text="".join(merged), conflicted=False, conflict_count=0)
