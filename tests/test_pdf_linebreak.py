"""clreq line breaking: what may start and end a line, Latin words whole, no character lost."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archivekit.typeset.linebreak import (
    NO_END,
    NO_START,
    Run,
    balanced_lines,
    break_lines,
    may_break_before,
    placements,
)
from archivekit.typeset.styles import Face

FACE = Face("test", 10.0)


def width(text: str, _face: object) -> float:
    """Han characters and CJK punctuation one em, everything else half an em: like a real font, roughly."""
    return sum(10.0 if ord(c) > 0x2E80 or c in "“”‘’" else 5.0 for c in text)


def lines_of(text: str, measure: float, **kw: float) -> list[str]:
    return [line.text for line in break_lines([Run(text, FACE, None, 0)], width, measure, **kw)]


def test_closing_punctuation_never_starts_a_line() -> None:
    # Five Han characters fill the line exactly; the comma must not start the next one.
    out = lines_of("一二三四五,六七", 50)
    assert out == ["一二三四", "五,六七"]


def test_stock_cjk_failures_are_handled() -> None:
    # ReportLab's stock CJK wrapping lets ”》：；！？ start a line; every one must be pushed back.
    for mark in "”》：；！？’）":
        out = lines_of(f"一二三四五{mark}六", 50)
        assert all(line[0] not in NO_START for line in out[1:]), (mark, out)


def test_opening_punctuation_never_ends_a_line() -> None:
    out = lines_of("一二三四“五六”", 50)
    assert out[0] == "一二三四"
    assert out[1].startswith("“")


def test_note_mark_stays_with_preceding_text() -> None:
    runs = [Run("一二三四。”", FACE, "p", 0), Run("1", Face("test", 6.0, 4.0), "ref", 6, attach=True)]
    out = [line.text for line in break_lines(runs, width, 55)]
    assert not out[-1].startswith("1"), out


def test_latin_words_are_never_split_and_spaces_stay() -> None:
    text = "To affirm that the universal right to freedom of thought is protected in China."
    out = lines_of(text, 120)
    assert "".join(out) == text  # every space kept, at the end of its line
    words = set(text.split())
    for line in out:
        for word in line.split():
            assert word in words, (word, out)
    assert all(not line.startswith(" ") for line in out)


def test_no_break_spaces_bind_what_they_stand_between() -> None:
    """A no-break space (u.\u00a0s.\u00a0w., 5\u202f%) binds what it stands between, a word or a Han
    character: no line ends or starts at it (on a line as wide as the longest unit at least)."""
    for text in ("Halloho! Hohoje! u.\u00a0s.\u00a0w.", "一二三四\u00a0五六", "fifty\u202f% more"):
        for measure in range(40, 200, 5):
            out = lines_of(text, measure)
            assert "".join(out) == text
            ends = [(line[:1], line[-1:]) for line in out]
            assert not any(g in pair for pair in ends for g in "\u00a0\u202f"), out


def test_justified_english_stretches_spaces_only() -> None:
    first = break_lines([Run("aaa bbb ccc ddd eee fff", FACE, None, 0)], width, 70)[0]
    xs = placements(first, 70, justify=True)
    content = [i for i, p in enumerate(first.pieces) if p.kind != "space"]
    last = content[-1]
    assert abs(xs[last] + first.pieces[last].width - 70) < 0.01  # flush right
    for i in range(1, len(first.pieces)):
        gap = xs[i] - (xs[i - 1] + first.pieces[i - 1].width)
        if first.pieces[i - 1].kind != "space":
            assert abs(gap) < 0.01  # letters and the space after a word are never pulled apart


cjk = st.sampled_from([*list("中国宗教自由联盟，。、；：？！“”（）《》"), ",", ":", "(", ")", "!", ";"])
latin = st.text(alphabet="abcdefIJOP0123456789", min_size=1, max_size=8)
tokens = st.lists(st.one_of(cjk, latin, st.just(" ")), min_size=1, max_size=80)


@settings(max_examples=300, deadline=None)
@given(tokens, st.integers(min_value=30, max_value=200))
def test_breaking_keeps_every_character_and_the_rules(parts: list[str], measure: int) -> None:
    text = "".join(parts)
    lines = break_lines([Run(text, FACE, None, 0)], width, float(measure))
    assert "".join(line.text for line in lines) == text
    for before, after in itertools.pairwise(lines):
        assert after.pieces[0].kind != "space"
        breaks_inside = any(
            may_break_before(before.pieces[i - 1], before.pieces[i])
            for i in range(1, len(before.pieces))
            if any(p.kind != "space" for p in before.pieces[:i])  # a line of spaces alone is no line
        )
        legal_here = may_break_before(before.pieces[-1], after.pieces[0])
        # A line may end where the rules forbid it only when its units left no allowed place at all.
        assert legal_here or not breaks_inside, (before.text, after.text)
        if legal_here:
            assert after.text[0] not in NO_START
            assert before.text.rstrip(" ")[-1] not in NO_END or before.text.endswith(" ")


def _cjk_measure(text: str, style: object) -> float:
    return 10.0 * len(text) if not text.isascii() else 5.0 * len(text)


@pytest.mark.parametrize(
    ("title", "width", "expected"),
    [
        ("《联合国世界人权宣言》第十九条", 120, ["《联合国世界人权宣言》", "第十九条"]),
        ("孟子·梁惠王章句上第一", 100, ["孟子·梁惠王", "章句上第一"]),
        (
            "全国人民代表大会常务委员会关于修改《中华人民共和国立法法》的决定",
            200,
            ["全国人民代表大会常务委员会关于修改", "《中华人民共和国立法法》的决定"],
        ),
    ],
)
def test_balanced_titles_leave_no_character_alone_and_break_at_titles(
    title: str, width: float, expected: list[str]
) -> None:
    lines = balanced_lines([Run(title, "s", "t", 0)], _cjk_measure, width, em=10)
    assert [line.text for line in lines] == expected


def test_a_word_wider_than_the_line_is_cut_and_keeps_its_punctuation() -> None:
    text = "see https://github.com/chinese-poetry/chinese-poetry/blob/99eb。"
    lines = break_lines([Run(text, "s", "t", 0)], lambda t, _s: 5.0 * len(t), 100)
    assert "".join(line.text for line in lines) == text
    assert all(line.width <= 100 for line in lines) and lines[-1].text.endswith("99eb。")
