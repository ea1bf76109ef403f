import time

from wikispiral.wiki.merging import MergeResult, three_way_merge

BASE = "# Title\n\nIntro line.\n\nMiddle line.\n\nClosing line.\n"


def test_changes_to_different_lines_merge_cleanly() -> None:
    mine = BASE.replace("Intro line.", "Intro line, edited by me.")
    theirs = BASE.replace("Closing line.", "Closing line, edited by them.")

    result = three_way_merge(base=BASE, mine=mine, theirs=theirs)

    assert result == MergeResult(
        text=(
            "# Title\n\nIntro line, edited by me.\n\nMiddle line.\n\n"
            "Closing line, edited by them.\n"
        ),
        conflicted=False,
        conflict_count=0,
    )


def test_insertions_in_different_places_merge_cleanly() -> None:
    mine = BASE.replace("# Title\n", "# Title\n\nNew first paragraph.\n")
    theirs = BASE + "\nNew last paragraph.\n"

    result = three_way_merge(base=BASE, mine=mine, theirs=theirs)

    assert not result.conflicted
    assert "New first paragraph." in result.text and "New last paragraph." in result.text


def test_overlapping_changes_conflict_and_return_mine_unchanged() -> None:
    mine = BASE.replace("Middle line.", "Middle line, my way.")
    theirs = BASE.replace("Middle line.", "Middle line, their way.")

    result = three_way_merge(base=BASE, mine=mine, theirs=theirs)

    assert result == MergeResult(text=mine, conflicted=True, conflict_count=1)
    assert "<<<<<<<" not in result.text


def test_each_overlapping_region_counts_as_one_conflict() -> None:
    mine = BASE.replace("Intro line.", "Mine A.").replace("Closing line.", "Mine B.")
    theirs = BASE.replace("Intro line.", "Theirs A.").replace("Closing line.", "Theirs B.")

    result = three_way_merge(base=BASE, mine=mine, theirs=theirs)

    assert result.conflicted
    assert result.conflict_count == 2


def test_same_change_on_both_sides_is_not_a_conflict() -> None:
    edited = BASE.replace("Middle line.", "Middle line, fixed typo.")

    result = three_way_merge(base=BASE, mine=edited, theirs=edited)

    assert result == MergeResult(text=edited, conflicted=False, conflict_count=0)


def test_same_line_deleted_on_both_sides_is_not_a_conflict() -> None:
    without_middle = BASE.replace("Middle line.\n\n", "")

    result = three_way_merge(base=BASE, mine=without_middle, theirs=without_middle)

    assert not result.conflicted
    assert result.text == without_middle


def test_edit_and_delete_of_the_same_line_conflict() -> None:
    mine = BASE.replace("Middle line.", "Middle line, improved.")
    theirs = BASE.replace("Middle line.\n\n", "")

    assert three_way_merge(base=BASE, mine=mine, theirs=theirs).conflicted


def test_one_side_unchanged_gives_the_other_side() -> None:
    theirs = BASE.replace("Intro", "Introduction")

    assert three_way_merge(base=BASE, mine=BASE, theirs=theirs).text == theirs
    assert three_way_merge(base=BASE, mine=theirs, theirs=BASE).text == theirs


def test_crlf_and_lf_sides_merge_as_the_same_lines() -> None:
    mine = BASE.replace("Intro line.", "Intro, mine.").replace("\n", "\r\n")
    theirs = BASE.replace("Closing line.", "Closing, theirs.")

    result = three_way_merge(base=BASE.replace("\n", "\r\n"), mine=mine, theirs=theirs)

    assert not result.conflicted
    assert "\r" not in result.text
    assert result.text == "# Title\n\nIntro, mine.\n\nMiddle line.\n\nClosing, theirs.\n"


def test_conflicted_mine_comes_back_with_lf_line_endings() -> None:
    result = three_way_merge(base="a\nb\n", mine="a\r\nX\r\n", theirs="a\nY\n")

    assert result == MergeResult(text="a\nX\n", conflicted=True, conflict_count=1)


def test_final_newline_follows_the_side_that_changed_it() -> None:
    added_by_them = three_way_merge(base="a\nb", mine="A\nb", theirs="a\nb\n")
    removed_by_me = three_way_merge(base="a\nb\n", mine="a\nb", theirs="a\nB\n")
    kept = three_way_merge(base="a\nb\nc\n", mine="A\nb\nc\n", theirs="a\nb\nC\n")

    assert added_by_them == MergeResult(text="A\nb\n", conflicted=False, conflict_count=0)
    assert removed_by_me.text == "a\nB"
    assert kept.text == "A\nb\nC\n"


def test_changes_to_adjacent_lines_conflict() -> None:
    # As in diff3 and git: with no unchanged line between them, the edits cannot be ordered.
    result = three_way_merge(base="a\nb\n", mine="A\nb\n", theirs="a\nB\n")

    assert result.conflicted


def test_appending_a_line_while_the_other_adds_a_final_newline_is_clean() -> None:
    result = three_way_merge(base="a\nb", mine="a\nb\nc", theirs="a\nb\n")

    assert result == MergeResult(text="a\nb\nc\n", conflicted=False, conflict_count=0)


def test_empty_texts_merge() -> None:
    assert three_way_merge(base="", mine="", theirs="") == MergeResult("", False, 0)
    assert three_way_merge(base="", mine="new\n", theirs="").text == "new\n"
    assert three_way_merge(base="", mine="mine\n", theirs="theirs\n").conflicted


def test_everything_deleted_by_both_is_empty() -> None:
    result = three_way_merge(base="a\nb\nc\n", mine="b\nc\n", theirs="a\nb\n")

    assert result.text == "b\n"
    assert not result.conflicted


def test_long_page_with_many_blank_lines_merges_cleanly_and_quickly() -> None:
    base = "".join(f"Paragraph {number % 40} says something.\n\n" for number in range(3000))
    mine = base.replace("Paragraph 7 says", "Paragraph 7 now says", 1)
    theirs_lines = base.split("\n")
    theirs_lines[5000] = "An edit far below."
    theirs = "\n".join(theirs_lines)

    started = time.perf_counter()
    result = three_way_merge(base=base, mine=mine, theirs=theirs)

    assert time.perf_counter() - started < 1
    assert not result.conflicted
    assert "Paragraph 7 now says" in result.text and "An edit far below." in result.text
