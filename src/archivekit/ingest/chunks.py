"""A long part cut into pieces pandoc reads side by side, giving the AST the whole would give.

pandoc reads a part on one core, about 1 ms a page; a 300-page part keeps a core busy for a
third of a second while the other waits. A part's Markdown is a run of top-level blocks that
pandoc reads one after another, so it can be cut where one block ends and the next begins and
the pieces' blocks put back in order, if every cut is where no block can go on:

- after a blank line, before a line that starts at the margin with no bullet-list marker (a
  marker there could continue a loose list) and no `:` (a div fence or a definition);
- outside every fenced div (`:::` opens with a name or attributes and closes bare);
- never inside a note definition: definitions are taken out of the pieces, and each piece gets,
  after its own blocks, the definitions of the notes it refers to (pandoc drops the others).

What the source format refuses (code blocks, block quotes, tables, raw markup) is refused in the
pieces as in the whole. `tests/test_ingest_chunks.py` cuts every part of the corpus at every
place this module allows and checks the blocks equal the whole part's.
"""

from __future__ import annotations

import re
from itertools import pairwise

from archivekit.ingest.markdown import FENCE, NOTE_DEF, NOTE_REF

_LIST_MARKER = re.compile(r"^[-+*][ \t]")


def pieces(text: str, count: int, least: int) -> list[str] | None:
    """The text as `count` pieces of about equal size (each at least `least` characters) to read
    apart, each with the note definitions it refers to; None when it cannot be cut so."""
    if count < 2 or len(text) < 2 * least:
        return None
    lines = text.split("\n")
    body, definitions = _take_definitions(lines)
    if body is None:
        return None
    chosen = _spread(_cut_points(body), body, count, least)
    return _cut(body, chosen, definitions) if chosen else None


def pieces_that_stay(text: str, least: int) -> list[str] | None:
    """The text cut at the first place allowed after every `least` characters, each piece with
    the note definitions it refers to; None when it cannot be cut. The cuts before an edit do not
    move, and the one after it only when the edit crosses the `least` mark: an edit changes the
    piece it is in, seldom the next, never the others (a resident process reads those again)."""
    lines = text.split("\n")
    body, definitions = _take_definitions(lines)
    if body is None:
        return None
    starts = _line_starts(body)
    chosen: list[int] = []
    for cut in _cut_points(body):
        if starts[cut] - starts[chosen[-1] if chosen else 0] >= least:
            chosen.append(cut)
    return _cut(body, chosen, definitions) if chosen else None


def _cut(body: list[str], chosen: list[int], definitions: dict[str, str]) -> list[str]:
    """The body's lines cut before each chosen line, each piece followed by its notes' definitions."""
    out = []
    for start, end in pairwise([0, *chosen, len(body)]):
        piece = "\n".join(body[start:end]).rstrip("\n")
        out.append("\n\n".join([piece, *_notes_for(piece, definitions)]) + "\n")
    return out


def _line_starts(lines: list[str]) -> list[int]:
    """Each line's offset in the text, and the text's length last."""
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    return starts


def _take_definitions(lines: list[str]) -> tuple[list[str] | None, dict[str, str]]:
    """The lines without the note definitions, and each definition's text by label.

    A definition runs from its `[^label]:` line up to the next definition or the next line at the
    margin that follows a blank line (its paragraphs after the first are indented). None when a
    definition follows text with no blank line between: taking it out could join what stands
    around it.
    """
    body: list[str] = []
    definitions: dict[str, str] = {}
    index = 0
    after_definition = False
    while index < len(lines):
        line = lines[index]
        found = NOTE_DEF.match(line)
        if not found:
            body.append(line)
            after_definition = False
            index += 1
            continue
        if index > 0 and lines[index - 1].strip() and not after_definition:
            return None, {}
        end = index + 1
        while end < len(lines) and not NOTE_DEF.match(lines[end]):
            if lines[end] and not lines[end][0].isspace() and not lines[end - 1].strip():
                break
            end += 1
        definitions[found.group(1)] = "\n".join(lines[index:end]).rstrip("\n")
        after_definition = True
        index = end
    return body, definitions


def _notes_for(piece: str, definitions: dict[str, str]) -> list[str]:
    """The definitions of the notes this piece refers to, and of those their texts refer to."""
    wanted = dict.fromkeys(NOTE_REF.findall(piece))
    found: list[str] = []
    queue = list(wanted)
    while queue:
        label = queue.pop(0)
        text = definitions.get(label)
        if text is None:
            continue
        found.append(text)
        for inner in NOTE_REF.findall(text):
            if inner not in wanted:
                wanted[inner] = None
                queue.append(inner)
    return found


def _cut_points(lines: list[str]) -> list[int]:
    """Indexes of the lines a new piece may start with."""
    cuts = []
    depth = 0
    for index, line in enumerate(lines):
        fence = FENCE.match(line)
        if fence:
            depth = depth + 1 if fence.group(2) else max(0, depth - 1)
            continue
        if (
            depth == 0
            and index > 0
            and not lines[index - 1].strip()
            and line
            and not line[0].isspace()
            and line[0] != ":"
            and not _LIST_MARKER.match(line)
        ):
            cuts.append(index)
    return cuts


def _spread(cuts: list[int], lines: list[str], count: int, least: int) -> list[int]:
    """The cut points nearest equal shares of the text, each piece at least `least` long."""
    starts = _line_starts(lines)
    total = starts[-1]
    chosen: list[int] = []
    for share in range(1, count):
        goal = total * share / count
        best = min(cuts, key=lambda cut: abs(starts[cut] - goal), default=None)
        if best is None:
            break
        before = starts[chosen[-1]] if chosen else 0
        if starts[best] - before >= least and total - starts[best] >= least and best not in chosen:
            chosen.append(best)
    return chosen
