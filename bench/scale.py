"""Long test documents for the scale bench: the letter's text repeated, a note on every page.

A generated edition is a benchmark load, never a publication: it lives in a temporary folder and
says so in its id. Its letter part holds the letter's own paragraphs `reps` times over; every
few body paragraphs carry a note whose text is the letter's own footnote (with its citation), so
no text is invented and the note machinery (numbering, placement, citations) is exercised on
every page. The principle statements follow once, as in the edition.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from archivekit.ingest.edition_yaml import load_edition_yaml

# A body paragraph gets a note every NOTE_EVERY paragraphs: about one per A5 page of this letter.
NOTE_EVERY = 3

_NOTE_DEF = re.compile(r"^\[\^([^\]]+)\]:[ \t]*(.*)$")


def _letter_file(edition_dir: Path) -> str:
    edition = load_edition_yaml(edition_dir)
    for part in edition.parts:
        if part.role == "letter":
            return part.file
    raise ValueError(f"{edition_dir} has no part with role letter")


def _split(text: str) -> tuple[list[str], dict[str, str]]:
    """The letter's blocks (blank-line separated) and its note definitions, label -> text."""
    blocks, notes = [], {}
    for block in re.split(r"\n{2,}", text.strip("\n")):
        match = _NOTE_DEF.match(block)
        if match:
            notes[match.group(1)] = match.group(2)
        else:
            blocks.append(block)
    return blocks, notes


def _is_body_paragraph(block: str) -> bool:
    return not block.startswith((":::", "- ", "#", "[^"))


def long_letter(text: str, reps: int) -> str:
    """The letter's Markdown repeated `reps` times, each note label made unique, extra notes added."""
    blocks, notes = _split(text)
    if not notes:
        raise ValueError("the letter has no footnote to repeat")
    note_text = next(iter(notes.values()))
    out_blocks: list[str] = []
    definitions: list[str] = []
    body_seen = 0
    for rep in range(1, reps + 1):
        for block in blocks:
            for label in notes:
                if f"[^{label}]" in block:
                    new = f"r{rep}n{label}"
                    block = block.replace(f"[^{label}]", f"[^{new}]")
                    definitions.append(f"[^{new}]: {notes[label]}")
            if _is_body_paragraph(block):
                body_seen += 1
                if body_seen % NOTE_EVERY == 0 and "[^" not in block:
                    label = f"r{rep}p{body_seen}"
                    block += f"[^{label}]"
                    definitions.append(f"[^{label}]: {note_text}")
            out_blocks.append(block)
    return "\n\n".join(out_blocks + definitions) + "\n"


def make_long_edition(edition_dir: Path, dest: Path, reps: int) -> Path:
    """Copy the edition to dest with its letter repeated `reps` times and a bench id; return dest."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(edition_dir, dest)
    letter = _letter_file(edition_dir)
    text = (edition_dir / letter).read_text(encoding="utf-8")
    (dest / letter).write_text(long_letter(text, reps), encoding="utf-8")
    retag(dest, f"bench-scale-x{reps}")
    return dest


def retag(edition_dir: Path, new_id: str) -> None:
    """Give a copied edition its own id, so its build goes to its own folder."""
    meta = edition_dir / "edition.yaml"
    text = meta.read_text(encoding="utf-8")
    text, count = re.subn(r"^id:[ \t]*\S+[ \t]*$", f"id: {new_id}", text, count=1, flags=re.MULTILINE)
    if count != 1:
        raise ValueError(f"no `id:` line in {meta}")
    meta.write_text(text, encoding="utf-8")


def copy_edition(edition_dir: Path, dest: Path, new_id: str) -> Path:
    """A copy of the edition under another id (for the batch bench); return dest."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(edition_dir, dest)
    retag(dest, new_id)
    return dest
