"""A long part read by pandoc in pieces gives the blocks the whole part gives (ingest/chunks.py).

Real pandoc, the real corpus: every part is cut at every place chunks.py allows, each piece read
alone, and the blocks put back together must equal the whole part's.
"""

from __future__ import annotations

import shutil
from itertools import pairwise
from pathlib import Path

import pytest

from archivekit import ingest
from archivekit.ingest import chunks, load_edition, pandoc_ast
from archivekit.ingest.edition_yaml import load_edition_yaml
from archivekit.ingest.markdown import escape_line_numbers
from conftest import ROOT

EDITIONS = sorted(p for p in (ROOT / "sources").iterdir() if (p / "edition.yaml").is_file()) + sorted(
    p for p in (ROOT / "tests" / "fixtures" / "editions").iterdir() if (p / "edition.yaml").is_file()
)
PARTS = [(edition, part.file) for edition in EDITIONS for part in load_edition_yaml(edition).parts]


def _pieces_everywhere(text: str) -> list[str]:
    """The text cut at every place chunks.py allows, each piece with its notes' definitions."""
    body, definitions = chunks._take_definitions(text.split("\n"))
    assert body is not None, "a corpus part keeps its note definitions apart from its text"
    bounds = [0, *chunks._cut_points(body), len(body)]
    out = []
    for start, end in pairwise(bounds):
        piece = "\n".join(body[start:end]).rstrip("\n")
        if piece.strip():
            out.append("\n\n".join([piece, *chunks._notes_for(piece, definitions)]) + "\n")
    return out


@pytest.mark.parametrize(("edition", "name"), PARTS, ids=[f"{e.name}/{n}" for e, n in PARTS])
def test_every_part_cut_everywhere_reads_as_the_whole(edition: Path, name: str) -> None:
    path = edition / name
    text = escape_line_numbers(path.read_text(encoding="utf-8"))
    whole = pandoc_ast._markdown_to_ast(text, source=path)
    blocks = [
        b
        for piece in _pieces_everywhere(text)
        for b in pandoc_ast._markdown_to_ast(piece, source=path)["blocks"]
    ]
    assert blocks == whole["blocks"]


def _long_text() -> str:
    """The letter's first part eight times over, each copy's notes relabelled (a long part)."""
    path = (
        ROOT
        / "sources"
        / "carfc-2019-07-15-letter-to-ceos"
        / load_edition_yaml(ROOT / "sources" / "carfc-2019-07-15-letter-to-ceos").parts[0].file
    )
    text = path.read_text(encoding="utf-8")
    return "\n".join(text.replace("[^", f"[^c{n}-") for n in range(8))


def test_a_long_part_is_read_in_pieces_as_one() -> None:
    text = escape_line_numbers(_long_text())
    split = chunks.pieces(text, 2, len(text) // 4)
    assert split is not None and len(split) == 2
    assert all("[^c" in piece for piece in split)  # each piece carries the definitions it uses
    source = Path("long.md")
    assert pandoc_ast.markdown_to_ast(text, source=source) == pandoc_ast._markdown_to_ast(text, source=source)


def test_what_cannot_be_cut_is_read_whole() -> None:
    short = "One paragraph.\n\nAnother.\n"
    assert chunks.pieces(short, 2, 1000) is None
    assert chunks.pieces(short * 100, 1, 10) is None  # one core: nothing to read side by side
    # A definition right under text could join what stands around it once taken out.
    glued = ("Text with a note.[^a]\n[^a]: The note.\n\n" + "More text.\n\n" * 50) * 2
    assert chunks.pieces(glued, 2, 10) is None
    # Inside a fenced div nothing is cut: the only places are before and after it.
    fenced = "::: {lang=en}\n" + "A paragraph.\n\n" * 50 + ":::\n\nAfter.\n"
    body, _ = chunks._take_definitions(fenced.split("\n"))
    assert body is not None
    assert [body[i] for i in chunks._cut_points(body)] == ["After."]


def test_a_note_in_a_note_travels_with_it() -> None:
    definitions = {"a": "[^a]: See also[^b].", "b": "[^b]: The other.", "c": "[^c]: Unused."}
    assert chunks._notes_for("Text.[^a]", definitions) == ["[^a]: See also[^b].", "[^b]: The other."]


def test_an_edit_changes_the_piece_it_is_in_and_no_other() -> None:
    text = escape_line_numbers(_long_text())
    before = chunks.pieces_that_stay(text, 400)
    assert before is not None and len(before) > 4
    # One character more in the middle piece: the pieces before and after it stay as they were.
    middle = text.index(before[len(before) // 2].split("\n")[0])
    edited = text[:middle] + "增" + text[middle:]
    after = chunks.pieces_that_stay(edited, 400)
    assert after is not None
    changed = [a for a in after if a not in before]
    assert len(changed) <= 2 and len(after) - len(changed) >= len(before) - 2
    source = Path("long.md")
    assert [b for p in after for b in pandoc_ast._markdown_to_ast(p, source=source)["blocks"]] == (
        pandoc_ast._markdown_to_ast(edited, source=source)["blocks"]
    )


def test_a_part_read_again_after_an_edit_runs_pandoc_on_the_edit_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = escape_line_numbers(_long_text())[:12_000]  # short enough to be read whole the first time
    source = tmp_path / "part.md"
    monkeypatch.setenv("ARCHIVEKIT_CACHE", str(tmp_path / "cache"))  # pandoc's answers: none stored
    read: list[int] = []
    run = pandoc_ast._run_reader
    monkeypatch.setattr(pandoc_ast, "_run_reader", lambda c, d, **k: read.append(len(d)) or run(c, d, **k))
    pandoc_ast.markdown_to_ast(text, source=source)
    assert read == [len(text.encode())]
    place = text.index("诺大")
    edited = text[:place] + "很" + text[place + 1 :]
    pandoc_ast.markdown_to_ast(edited, source=source)  # first edit: every piece read once
    read.clear()
    again = edited[:place] + "好" + edited[place + 1 :]  # a text never read: its piece only
    ast = pandoc_ast.markdown_to_ast(again, source=source)
    assert len(read) == 1 and read[0] < len(text.encode()) / 4, read
    assert ast == pandoc_ast._markdown_to_ast(again, source=source)


def test_a_part_read_ahead_leaves_the_first_edit_its_own_piece_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What watch does after its first build: a folder's parts read ahead in the pieces an edit reads.
    edition = tmp_path / EDITIONS[0].name
    shutil.copytree(EDITIONS[0], edition)
    part = edition / load_edition_yaml(edition).parts[0].file
    text = part.read_text(encoding="utf-8")
    monkeypatch.setenv("ARCHIVEKIT_CACHE", str(tmp_path / "cache"))  # pandoc's answers: none stored
    load_edition(edition)  # the first build: the part read whole (or by cores when long)
    ingest.read_ahead(edition)
    read: list[int] = []
    run = pandoc_ast._run_reader
    monkeypatch.setattr(pandoc_ast, "_run_reader", lambda c, d, **k: read.append(len(d)) or run(c, d, **k))
    place = next(i for i, c in enumerate(text) if "\u4e00" <= c <= "\u9fff" and c != "很")
    part.write_text(text[:place] + "很" + text[place + 1 :], encoding="utf-8")
    doc = load_edition(edition)
    assert len(read) == 1 and read[0] < len(text.encode()) / 2, read  # without: every piece, 4 here
    assert str(doc.parts[0].blocks).count("很") == text.count("很") + 1  # the edit is read, once
