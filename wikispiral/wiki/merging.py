"""Three-way merge of page texts, line by line, for edits saved on top of each other.

Pure functions. A merge never writes conflict markers: when both edits touch the same lines,
the caller gets "mine" back with `conflicted` set and shows a conflict screen instead.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import merge3

from wikispiral.text import newlines_normalise
from wikispiral.wiki.diffing import matching_blocks

__all__ = ["MergeResult", "three_way_merge"]


@dataclass(frozen=True)
class MergeResult:
    """The merged text (LF line endings), or mine unchanged when conflict_count > 0."""

    text: str
    conflicted: bool
    conflict_count: int


class _LineMatcher:
    """The sequence matcher merge3 asks for, aligning lines as the diff view does.

    merge3 defaults to difflib with autojunk, which ignores lines recurring in more than 1% of
    a long page (blank lines, "---") and is quadratic on long pages; `matching_blocks` is
    neither.
    """

    def __init__(
        self,
        isjunk: Callable[[str], bool] | None = None,
        a: Sequence[str] = (),
        b: Sequence[str] = (),
        autojunk: bool = False,
    ) -> None:
        self._old, self._new = a, b

    def get_matching_blocks(self) -> list[tuple[int, int, int]]:
        return matching_blocks(self._old, self._new)


@dataclass(frozen=True)
class _Text:
    """A text as lines without their LF, plus whether it ended with a newline."""

    lines: list[str]
    ends_with_newline: bool

    @classmethod
    def parse(cls, text: str) -> "_Text":
        text = newlines_normalise(text)
        ends_with_newline = text.endswith("\n")
        body = text.removesuffix("\n")
        # Keeping the final newline out of the lines means adding or dropping it on one side
        # is not a change to the last line, so it cannot collide with the other side's edit.
        return cls(body.split("\n") if body or ends_with_newline else [], ends_with_newline)

    def join(self) -> str:
        if not self.lines:
            return ""
        return "\n".join(self.lines) + ("\n" if self.ends_with_newline else "")


def three_way_merge(*, base: str, mine: str, theirs: str) -> MergeResult:
    """Apply both base->mine and base->theirs; conflicted when they change the same lines.

    Changes separated by at least one unchanged line merge cleanly; the same change made on
    both sides is not a conflict. Line endings are normalised to LF; the final newline follows
    whichever side changed it.
    """
    base_text, my_text, their_text = _Text.parse(base), _Text.parse(mine), _Text.parse(theirs)
    merger: merge3.Merge3[Any] = merge3.Merge3(
        base_text.lines,
        my_text.lines,
        their_text.lines,
        sequence_matcher=_LineMatcher,  # type: ignore[arg-type]
    )
    merged: list[str] = []
    conflicts = 0
    for group in merger.merge_groups():
        if group[0] == "conflict":
            conflicts += 1
        else:
            merged.extend(group[1])
    if conflicts:
        return MergeResult(text=my_text.join(), conflicted=True, conflict_count=conflicts)
    if my_text.ends_with_newline != base_text.ends_with_newline:
        ends_with_newline = my_text.ends_with_newline
    else:
        ends_with_newline = their_text.ends_with_newline
    return MergeResult(
        text=_Text(merged, ends_with_newline).join(), conflicted=False, conflict_count=0
    )
