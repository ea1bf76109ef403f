import random
import time

import pytest

from wikispiral.wiki.diffing import (
    DiffRow,
    Segment,
    diff_rows,
    diff_stats,
    inline_segments,
    matching_blocks,
)


def old_side(segments: list[Segment]) -> str:
    return "".join(segment.text for segment in segments if segment.kind != "insert")


def new_side(segments: list[Segment]) -> str:
    return "".join(segment.text for segment in segments if segment.kind != "delete")


def numbered(count: int) -> str:
    return "".join(f"line {number}\n" for number in range(1, count + 1))


# --- Rows ----------------------------------------------------------------------------------


def test_equal_texts_have_no_rows() -> None:
    assert diff_rows("same\ntext\n", "same\ntext\n") == []
    assert diff_rows("", "") == []


def test_crlf_and_lf_versions_of_a_text_are_equal() -> None:
    assert diff_rows("one\r\ntwo\r\n", "one\ntwo\n") == []
    assert inline_segments("a\r\nb", "a\nb") == [Segment("a\nb", "equal")]


def test_changed_line_is_highlighted_word_by_word() -> None:
    rows = diff_rows("the quick brown fox\n", "the slow brown fox\n")

    assert rows == [
        DiffRow(
            kind="change",
            old_number=1,
            new_number=1,
            old=[
                Segment("the ", "equal"),
                Segment("quick", "delete"),
                Segment(" brown fox", "equal"),
            ],
            new=[
                Segment("the ", "equal"),
                Segment("slow", "insert"),
                Segment(" brown fox", "equal"),
            ],
        )
    ]


def test_punctuation_change_is_its_own_token() -> None:
    rows = diff_rows("Hello, world.", "Hello; world.")

    assert rows[0].old == [
        Segment("Hello", "equal"),
        Segment(",", "delete"),
        Segment(" world.", "equal"),
    ]


def test_whitespace_between_two_changed_words_joins_them_into_one_change() -> None:
    rows = diff_rows("we quick fox run", "we slow dog run")

    assert rows[0].old == [
        Segment("we ", "equal"),
        Segment("quick fox", "delete"),
        Segment(" run", "equal"),
    ]
    assert rows[0].new == [
        Segment("we ", "equal"),
        Segment("slow dog", "insert"),
        Segment(" run", "equal"),
    ]


def test_added_and_removed_lines_have_one_line_number() -> None:
    rows = diff_rows("keep\ngone\n", "keep\nnew one\nnew two\n")

    kinds = [(row.kind, row.old_number, row.new_number) for row in rows]
    assert kinds == [("equal", 1, 1), ("change", 2, 2), ("insert", None, 3)]
    assert rows[2].new == [Segment("new two", "insert")] and rows[2].old == []


def test_deleted_line_row() -> None:
    rows = diff_rows("a\nb\nc\n", "a\nc\n")

    assert DiffRow("delete", 2, None, [Segment("b", "delete")], []) in rows


def test_long_unchanged_stretch_collapses_into_a_skip_row() -> None:
    old = numbered(20)
    new = old.replace("line 10\n", "line ten\n")

    rows = diff_rows(old, new, context=2)

    assert [(row.kind, row.old_number, row.new_number) for row in rows] == [
        ("skip", 7, 7),
        ("equal", 8, 8),
        ("equal", 9, 9),
        ("change", 10, 10),
        ("equal", 11, 11),
        ("equal", 12, 12),
        ("skip", 20, 20),
    ]
    assert rows[0].old == rows[0].new == []


def test_unchanged_stretch_between_changes_keeps_context_on_both_sides() -> None:
    old = numbered(12)
    new = old.replace("line 1\n", "line one\n").replace("line 12\n", "line twelve\n")

    rows = diff_rows(old, new, context=3)

    assert [row.kind for row in rows] == ["change"] + ["equal"] * 3 + ["skip"] + ["equal"] * 3 + [
        "change"
    ]
    assert rows[4].old_number == 8


def test_short_unchanged_stretch_is_kept_whole() -> None:
    old = numbered(8)
    new = old.replace("line 1\n", "x\n").replace("line 8\n", "y\n")

    rows = diff_rows(old, new, context=3)

    assert "skip" not in [row.kind for row in rows]
    assert len(rows) == 8


def test_diff_against_empty_text_is_all_inserts_or_deletes() -> None:
    assert [row.kind for row in diff_rows("", "a\nb")] == ["insert", "insert"]
    assert [row.kind for row in diff_rows("a\nb", "")] == ["delete", "delete"]


def test_added_final_newline_is_not_a_change() -> None:
    assert diff_rows("a\nb", "a\nb\n") == []


@pytest.mark.parametrize("seed", range(20))
def test_row_segments_reproduce_each_line(seed: int) -> None:
    rng = random.Random(seed)
    words = ["alpha", "beta", " ", "  ", ",", ".", "gamma", "\n", "\r\n", "é", "delta"]
    old = "".join(rng.choice(words) for _ in range(rng.randint(0, 80)))
    new = "".join(rng.choice(words) for _ in range(rng.randint(0, 80)))

    for row in diff_rows(old, new, context=1000):
        assert all(segment.kind != "insert" for segment in row.old)
        assert all(segment.kind != "delete" for segment in row.new)
    old_lines = old.replace("\r\n", "\n").split("\n")
    new_lines = new.replace("\r\n", "\n").split("\n")
    for row in diff_rows(old, new, context=1000):
        if row.old_number is not None:
            assert old_side(row.old) == old_lines[row.old_number - 1]
        if row.new_number is not None:
            assert new_side(row.new) == new_lines[row.new_number - 1]


# --- Inline segments and stats -------------------------------------------------------------


@pytest.mark.parametrize("seed", range(50))
def test_joined_segments_give_back_both_texts(seed: int) -> None:
    rng = random.Random(seed)
    pieces = ["word", "other", " ", "\n", "\r\n", ",", "!", "\t", "ünï", "42", "\n\n"]
    old = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
    new = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))

    segments = inline_segments(old, new)

    assert old_side(segments) == old.replace("\r\n", "\n")
    assert new_side(segments) == new.replace("\r\n", "\n")
    assert all(segment.text for segment in segments)


def test_inline_segments_mark_words_across_lines() -> None:
    segments = inline_segments("first line\nsecond line\n", "first line\nsecond row\n")

    assert segments == [
        Segment("first line\nsecond ", "equal"),
        Segment("line", "delete"),
        Segment("row", "insert"),
        Segment("\n", "equal"),
    ]


def test_inline_segments_of_empty_texts() -> None:
    assert inline_segments("", "") == []
    assert inline_segments("", "new") == [Segment("new", "insert")]
    assert inline_segments("old", "") == [Segment("old", "delete")]


def test_diff_stats_counts_words_added_and_removed() -> None:
    assert diff_stats("one two three", "one four five three") == (2, 1)
    assert diff_stats("", "a b c") == (3, 0)
    assert diff_stats("a, b.", "a; b!") == (0, 0)


def test_matching_blocks_are_real_matches_and_end_with_a_sentinel() -> None:
    rng = random.Random(7)
    for _ in range(300):
        old = [rng.choice("abcde") for _ in range(rng.randint(0, 40))]
        new = [rng.choice("abcde") for _ in range(rng.randint(0, 40))]

        blocks = matching_blocks(old, new)

        assert blocks[-1] == (len(old), len(new), 0)
        for i, j, size in blocks:
            assert old[i : i + size] == new[j : j + size]


# --- Size ----------------------------------------------------------------------------------


def test_five_thousand_line_texts_diff_in_under_a_second() -> None:
    rng = random.Random(1)
    vocabulary = ["the", "of", "and", "a", "to", "in", "is", "you", "that", "it", "he", "was"]
    old_lines = [" ".join(rng.choice(vocabulary) for _ in range(12)) for _ in range(5000)]
    old_lines[::3] = [""] * len(old_lines[::3])  # paragraphs: many equal blank lines
    new_lines = [
        line + " more" if index % 11 == 0 else line for index, line in enumerate(old_lines)
    ]
    new_lines.insert(2500, "a brand new line")
    old, new = "\n".join(old_lines), "\n".join(new_lines)

    for function in (diff_rows, inline_segments, diff_stats):
        started = time.perf_counter()
        function(old, new)
        assert time.perf_counter() - started < 1, function.__name__


def test_completely_rewritten_five_thousand_line_text_diffs_in_under_a_second() -> None:
    rng = random.Random(2)
    vocabulary = ["a", "b", "c", "the", "x", "y"]
    old = "\n".join(" ".join(rng.choice(vocabulary) for _ in range(10)) for _ in range(5000))
    new = "\n".join(" ".join(rng.choice(vocabulary) for _ in range(10)) for _ in range(5000))

    for function in (diff_rows, inline_segments, diff_stats):
        started = time.perf_counter()
        function(old, new)
        assert time.perf_counter() - started < 1, function.__name__
