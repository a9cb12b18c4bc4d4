"""Line breaking for Chinese and English text, to the rules of clreq (W3C, Chinese Text Layout).

Text is cut into units: one Han character or CJK punctuation mark, a run of spaces, or a run of
other characters (a Latin word, a number, ASCII punctuation, quotes) that is never split. A line
may end between two units unless the first is opening punctuation (“（《 ...), the second is
closing punctuation (，。”）》 ... and the ASCII , : ; ! ? ) a transcription may keep inside Chinese),
the second is a note mark, or both belong to one Latin word. Spaces stay at the end of the line
they follow and are drawn there, so text extraction keeps the space between English words.
A no-break space (U+00A0, U+2007, U+202F) binds the units on either side of it: no line ends there.
When a line overflows, it ends at the last allowed place: a mark that may not start a line
pulls the character before it down with it (clreq's "push out"), never hangs in the margin.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from archivekit.typeset.styles import Face
from archivekit.typeset.tagging import StructNode

# clreq 3.1.6: may not start a line (closing brackets and quotes, pause and stop marks), plus the
# ASCII forms the diplomatic transcription keeps, and the iteration/prolonged-sound marks.
NO_START = frozenset("，。、；：？！”’）》」』】〕〉〗〙〛｝］｠·‧・…‥—～〜ー々〻゛゜ゝゞヽヾ%‰℃,.:;!?)]}»›")
# clreq 3.1.6: may not end a line (opening brackets and quotes).
NO_END = frozenset("“‘（《「『【〔〈〖〘〚｛［｟([{«‹")
# Two-character marks (——, ……) that are one unit of meaning: never broken between their halves.
DOUBLED = frozenset("—…")
# No-break spaces (no-break, figure, narrow no-break): white space that binds what it stands
# between ("u.\u00a0s.\u00a0w."), so part of the unit around it, never a place to end a line.
GLUE = "\u00a0\u2007\u202f"
NO_START |= frozenset(GLUE)
NO_END |= frozenset(GLUE)

_CJK = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3200-\u33ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
)
_TOKEN = re.compile(rf"[^\S{GLUE}]+|[{_CJK}]|(?:[^\s{_CJK}]|[{GLUE}])+")
_IS_CJK = re.compile(rf"[{_CJK}]")
# A space between two Han characters (a letter-spaced heading such as "宗 旨") is set at this part of an
# em: Chinese typography spaces such headings by a fraction of the square, and text extraction
# (poppler) only keeps a space between Han characters when the gap is about half an em wide.
CJK_SPACE_EM = 0.6
KINDS_KEPT = 100_000  # tokens whose kind is remembered (resident builds forget beyond)
# The fewest characters a paragraph's last line may hold (clreq: avoid a lone character there).
MIN_LAST_LINE = 2
# Float comparisons of widths in points: a hundredth of a point is far below what anyone sees.
EPSILON = 0.01

Measure = Callable[[str, Face], float]  # width in points of a text in a face


@dataclass(frozen=True)
class Run:
    """Text in one style, belonging to one structure element; offset is where it starts in its block."""

    text: str
    style: Face
    tag: StructNode | None  # None: text outside the structure tree (the print title page)
    offset: int
    attach: bool = False  # may not begin a line (a note mark sticks to the word before it)


class Piece(NamedTuple):
    """One unbreakable unit placed on a line.

    A named tuple, immutable like the frozen dataclasses here but made four times faster: a
    typeset makes one per Han character, hundreds of thousands for a long document.
    """

    text: str
    style: Face
    tag: StructNode | None
    offset: int
    width: float
    kind: str  # "cjk" | "word" | "space" | "newline"
    stretch: bool  # justification may widen the gap before this unit


@dataclass(frozen=True)
class Line:
    """A line: its units, its natural width (trailing spaces excluded), and where its text starts."""

    pieces: tuple[Piece, ...]
    width: float
    indent: float
    last: bool  # the paragraph's last line is never justified

    @property
    def offset(self) -> int:
        """Offset of the first character of this line in its block's plain text."""
        return self.pieces[0].offset if self.pieces else 0

    @property
    def text(self) -> str:
        """The characters of this line, trailing spaces included."""
        return "".join(piece.text for piece in self.pieces)


def _kind(text: str) -> str:
    """What a token is: a hard line break, space, a CJK character or a word."""
    if "\n" in text:
        return "newline"  # a hard line break: ends the line, draws nothing
    if text.isspace() and text[0] not in GLUE:
        return "space"
    return "cjk" if _IS_CJK.match(text) else "word"


_kinds: dict[str, str] = {}  # token -> its kind: a text repeats its words and characters


def tokens(runs: Sequence[Run], measure: Measure) -> list[Piece]:
    """Cut runs into units with their widths."""
    out: list[Piece] = []
    append = out.append
    kinds = _kinds
    prev_kind = None  # the kind of the unit before, in this run or the one before
    measured: dict[int, dict[str, float]] = {}  # by face (alive while this runs): each token once
    for run in runs:
        style, tag, offset = run.style, run.tag, run.offset
        widths = measured.setdefault(id(style), {})
        # The three kinds of token cover every character, so each starts where the last ended.
        for text in _TOKEN.findall(run.text):
            kind = kinds.get(text)
            if kind is None:
                if len(kinds) > KINDS_KEPT:
                    kinds.clear()
                kind = kinds[text] = _kind(text)
            # Widening a gap inside a Latin word (split across styles) would letter-space it.
            stretch = prev_kind is not None and not (prev_kind == "word" and kind == "word")
            if kind == "newline":
                width = 0.0
            else:
                width = widths.get(text, -1.0)
                if width < 0:
                    width = widths[text] = measure(text, style)
            append(Piece(text, style, tag, offset, width, kind, stretch))
            offset += len(text)
            prev_kind = kind
    for index in range(1, len(out) - 1):
        piece = out[index]
        if piece.kind == "space" and out[index - 1].kind == "cjk" and out[index + 1].kind == "cjk":
            wide = CJK_SPACE_EM * float(getattr(piece.style, "size", 0.0)) * len(piece.text)
            if wide > piece.width:
                out[index] = piece._replace(width=wide)
    return out


def _attached(runs: Sequence[Run]) -> set[int]:
    """Offsets of units that must stay on the line of the unit before them (note marks)."""
    return {run.offset for run in runs if run.attach}


def may_break_before(prev: Piece, piece: Piece, attached: set[int] | None = None) -> bool:
    """Whether a line may end between these two units."""
    if piece.kind in ("space", "newline"):
        return False
    if attached and piece.offset in attached:
        return False
    if piece.text[0] in NO_START:
        return False
    if prev.kind == "space":
        return True
    if prev.text[-1] in NO_END:
        return False
    if prev.kind == "word" and piece.kind == "word":
        return False
    return not (prev.text[-1] in DOUBLED and piece.text[0] == prev.text[-1])


def break_lines(
    runs: Sequence[Run],
    measure: Measure,
    width: float,
    *,
    first_indent: float = 0.0,
) -> list[Line]:
    """Lines of at most `width` points for these runs, broken to clreq rules."""
    key = ("greedy", measure, width, first_indent, _runs_key(runs))
    lines = _lines_again(key, runs)
    if lines is None:
        lines = _break_units(tokens(runs, measure), _attached(runs), measure, width, first_indent)
        _remember_lines(key, runs, lines)
    return lines


# Lines this process has broken, by everything the breaking reads: the runs (text, face, offset,
# attachment and which runs share a structure element), the measure, the width and the indent. A
# resident rebuild (watch) then breaks again only the paragraphs an edit changed. Each build makes
# its structure elements anew: a remembered piece keeps the index of its run, and takes the element
# of that run in the build that finds it. Forgotten when a font is registered (forget_lines).
LINES_KEPT = 20_000
_RememberedPiece = tuple[str, Face, int, int, float, str, bool]  # a Piece with its run's index for its tag
_lines_kept: dict[tuple[object, ...], list[tuple[tuple[_RememberedPiece, ...], float, float, bool]]] = {}


def forget_lines() -> None:
    """Forget every line remembered: the widths they were broken to may have changed."""
    _lines_kept.clear()


def _runs_key(runs: Sequence[Run]) -> tuple[tuple[str, Face, int, bool, int], ...]:
    """The runs as the breaking reads them; a structure element as the first run that has it."""
    first: dict[int, int] = {}
    return tuple(
        (run.text, run.style, run.offset, run.attach, first.setdefault(id(run.tag), index))
        for index, run in enumerate(runs)
    )


def _lines_again(key: tuple[object, ...], runs: Sequence[Run]) -> list[Line] | None:
    """The lines remembered under this key, their pieces given these runs' structure elements."""
    kept = _lines_kept.get(key)
    if kept is None:
        return None
    tags = [run.tag for run in runs]
    # tuple.__new__ called directly: Piece(...) runs the named tuple's own __new__, a Python
    # function, once per piece (a tenth of this function's time).
    new = tuple.__new__
    return [
        Line(
            tuple([new(Piece, (t, f, tags[r], o, w, k, s)) for t, f, r, o, w, k, s in pieces]),
            width,
            indent,
            last,
        )
        for pieces, width, indent, last in kept
    ]


def _remember_lines(key: tuple[object, ...], runs: Sequence[Run], lines: list[Line]) -> None:
    if len(_lines_kept) >= LINES_KEPT:
        _lines_kept.clear()
    run_of = {id(run.tag): index for index, run in reversed(list(enumerate(runs)))}
    _lines_kept[key] = [
        (tuple([(p.text, p.style, run_of[id(p.tag)], p.offset, p.width, p.kind, p.stretch)
                for p in line.pieces]), line.width, line.indent, line.last)
        for line in lines
    ]  # fmt: skip


def _break_units(
    whole: list[Piece], attached: set[int], measure: Measure, width: float, first_indent: float
) -> list[Line]:
    """break_lines for runs already cut into units (`whole`, left unchanged) and their attached marks."""
    units = _split_long(whole, measure, width - first_indent)
    lines: list[Line] = []
    start = 0
    while start < len(units):
        indent = first_indent if not lines else 0.0
        avail = width - indent
        end = start  # exclusive end of the line so far
        filled = 0.0  # width up to the last non-space unit
        running = 0.0
        last_break = None  # index where the next line could start
        forced = False
        while end < len(units):
            unit = units[end]
            if unit.kind == "newline":
                end += 1
                forced = True
                break
            if end > start and may_break_before(units[end - 1], unit, attached):
                last_break = end
            if unit.kind != "space" and running + unit.width > avail + EPSILON and filled > 0:
                break
            running += unit.width
            if unit.kind != "space":
                filled = running
            end += 1
        if end < len(units) and not forced:
            # Overflow: end at the last allowed break; with none (one unit wider than the line,
            # which the sources do not have) the line ends where it is, so text is never lost.
            if last_break is not None and _natural(units[start:last_break]) > 0:
                end = last_break
            # Keep the spaces that follow with this line, so they are drawn at its end.
            while end < len(units) and units[end].kind == "space":
                end += 1
            filled = _natural(units[start:end])
        pieces = tuple(units[start:end])
        lines.append(Line(pieces, filled, indent, last=forced or end >= len(units)))
        start = end
    if not any(u.kind == "newline" for u in units):
        _avoid_runt(lines, attached, width)
    return lines


def _starters(line: Line, attached: set[int]) -> int:
    """How many units of a line could stand at a line start (a lone 。” or note mark counts for nothing)."""
    count = 0
    for piece in line.pieces:
        if piece.kind in ("space", "newline") or piece.offset in attached or piece.text[0] in NO_START:
            continue
        count += 1
    return count


def _avoid_runt(lines: list[Line], attached: set[int], width: float) -> None:
    """Give a paragraph's last line at least two characters, taking them from the line before.

    A single character (with its punctuation) alone on the last line is a typographic fault in
    Chinese setting; the line before gives up its last unit at an allowed break and is justified
    a little looser.
    """
    if len(lines) < 2 or _starters(lines[-1], attached) >= MIN_LAST_LINE:
        return
    before, last = lines[-2], lines[-1]
    pieces = before.pieces
    for cut in range(len(pieces) - 1, 0, -1):
        if _natural(pieces[:cut]) < (width - before.indent) * 0.8:
            return  # taking more would leave the line before visibly loose
        if not may_break_before(pieces[cut - 1], pieces[cut], attached):
            continue
        moved = tuple(pieces[cut:]) + last.pieces
        if _natural(moved) > width + EPSILON:
            return
        head = Line(tuple(pieces[:cut]), _natural(pieces[:cut]), before.indent, last=False)
        tail = Line(moved, _natural(moved), last.indent, last=True)
        if _starters(tail, attached) >= MIN_LAST_LINE:
            lines[-2:] = [head, tail]
            return


def _natural(pieces: Sequence[Piece]) -> float:
    """Width of these units without the spaces at their end."""
    total = 0.0
    filled = 0.0
    for piece in pieces:
        total += piece.width
        if piece.kind != "space":
            filled = total
    return filled


def placements(line: Line, width: float, *, justify: bool) -> list[float]:
    """The x of each piece on a line of `width` points, justified unless it is the last line."""
    pieces = line.pieces
    extra = width - line.indent - line.width
    gaps: list[int] = []
    if justify and not line.last and extra > EPSILON:
        kinds = [piece.kind for piece in pieces]
        content = [i for i, kind in enumerate(kinds) if kind not in ("space", "newline")]
        last_content = content[-1] if content else -1
        # English stretches its spaces; Chinese (no interior spaces) stretches every gap.
        spaces = [i for i in range(1, last_content + 1) if kinds[i - 1] == "space"]
        if spaces and all(kinds[i] != "cjk" for i in content):
            gaps = spaces
        else:
            gaps = [i for i in range(1, last_content + 1) if pieces[i].stretch]
    if not gaps:
        # Each x the one before plus its piece's width, added in the same order as below.
        widths = [piece.width for piece in pieces[:-1]]
        return list(itertools.accumulate(widths, initial=line.indent)) if pieces else []
    share = extra / len(gaps)
    gap_set = set(gaps)
    xs: list[float] = []
    x = line.indent
    for i, piece in enumerate(pieces):
        if i in gap_set:
            x += share
        xs.append(x)
        x += piece.width
    return xs


# A line of a balanced heading ending here reads as a whole: after punctuation, a closing mark
# (“…》” then the next word) or a space.
_GOOD_END = NO_START | frozenset("》」』）)”’")
_CLOSING = frozenset("”’）》」』】〕〉〗〙〛｝］｠)]}»›")


def _balance_cost(lines: Sequence[Line], em: float, attached: set[int]) -> float:
    """How ragged a heading's lines are: uneven widths, breaks inside words, lone characters."""
    widths = [line.width + line.indent for line in lines]
    cost = max(widths) - min(widths)
    depth = 0  # open brackets and quotes at the end of the line: a break inside a title
    for line, following in itertools.pairwise(lines):
        depth += sum((c in NO_END) - (c in _CLOSING) for c in line.text)
        if depth > 0:
            cost += 5 * em  # 《联合国世界人权 / 宣言》: a title cut in two
        content = [p for p in line.pieces if p.kind not in ("space", "newline")]
        if not content or line.pieces[-1].kind == "space" or content[-1].text[-1] in _GOOD_END:
            continue
        if following.pieces and following.pieces[0].text[0] in NO_END:
            continue  # the next line opens with 《 or “: a title or quotation starts whole
        cost += 2.5 * em  # a break between two Han characters of one phrase
    for line in lines:
        if _starters(line, attached) < MIN_LAST_LINE:
            cost += 100 * em  # one character alone on a line: never, when anything else fits
    return cost


def balanced_lines(
    runs: Sequence[Run],
    measure: Measure,
    width: float,
    *,
    first_indent: float = 0.0,
    em: float = 10.0,
) -> list[Line]:
    """Lines for a heading or title: as many as the greedy breaking needs, of even length.

    Narrower measures are tried a quarter em at a time; among those giving the same number of
    lines, the one with the most even lines and the breaks at punctuation or between words wins,
    and a character alone on a line is never chosen when another breaking avoids it.
    """
    key = ("balanced", measure, width, first_indent, em, _runs_key(runs))
    lines = _lines_again(key, runs)
    if lines is None:
        lines = _balanced(runs, measure, width, first_indent, em)
        _remember_lines(key, runs, lines)
    return lines


def _balanced(
    runs: Sequence[Run], measure: Measure, width: float, first_indent: float, em: float
) -> list[Line]:
    # Cut into units once: every trial measure breaks the same units.
    units, attached = tokens(runs, measure), _attached(runs)
    lines = _break_units(units, attached, measure, width, first_indent)
    if len(lines) < 2 or any(p.kind == "newline" for line in lines for p in line.pieces):
        return lines
    count = len(lines)
    best, best_cost = lines, _balance_cost(lines, em, attached)
    total = sum(line.width for line in lines)
    trial = width - em / 4
    while trial >= total / count - em:
        candidate = _break_units(units, attached, measure, trial, first_indent)
        if len(candidate) > count + 1:
            break
        cost = _balance_cost(candidate, em, attached) + (50 * em if len(candidate) > count else 0.0)
        if cost < best_cost - EPSILON:
            best, best_cost = candidate, cost
        trial -= em / 4
    return best


def _split_long(units: list[Piece], measure: Measure, width: float) -> list[Piece]:
    """Units wider than the line (a long URL) cut into pieces that fit, so no text leaves the page.

    The pieces are breakable like Han characters (kind "cjk"), so the punctuation after the unit
    still sticks to its last piece; nothing else changes.
    """
    if width <= 0 or all(unit.width <= width + EPSILON for unit in units):
        return units
    out: list[Piece] = []
    for unit in units:
        if unit.kind != "word" or unit.width <= width + EPSILON:
            out.append(unit)
            continue
        start = 0
        for end in range(1, len(unit.text) + 1):
            if end == len(unit.text) or measure(unit.text[start : end + 1], unit.style) > width:
                text = unit.text[start:end]
                out.append(
                    unit._replace(
                        text=text,
                        offset=unit.offset + start,
                        width=measure(text, unit.style),
                        kind="cjk",
                    )
                )
                start = end
    return out
