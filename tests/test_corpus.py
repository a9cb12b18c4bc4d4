"""The corpus is real: every edition's original is kept byte for byte, and its parts hold the original's text.

For each corpus edition, the original in tests/fixtures/originals/<id>/ must match the sha256 in
edition.yaml, and the parts, with the source format's markup taken away by the documented mapping,
must equal the original's body (the omissions each edition's description names taken away),
ignoring only white space (line wrapping is not text). Breaking one character of a part fails.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

ORIGINALS = ROOT / "tests" / "fixtures" / "originals"
SOURCES = ROOT / "sources"


def _no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _plain(markdown: str, note_mark: Callable[[str], str], note_def: Callable[[str], str]) -> str:
    """A part's characters with the source format's markup removed (the inverse of the transcription)."""
    text = re.sub(r"^:::.*$", "", markdown, flags=re.M)  # fenced div lines
    text = re.sub(r"^#{2,6} ", "", text, flags=re.M)  # headings
    text = re.sub(r"\\\n", "\n", text)  # hard line breaks
    text = re.sub(r"^\[\^(\w+)\]: ", lambda m: note_def(m.group(1)), text, flags=re.M)
    text = re.sub(r"\[\^(\w+)\]", lambda m: note_mark(m.group(1)), text)
    text = re.sub(r"(?<!\\)\[((?:[^\]\\]|\\.)*)\]\{lang=[a-zA-Z-]+\}", r"\1", text, flags=re.S)
    text = re.sub(r"(?<!\\)\*", "_", text)  # emphasis back to the e-text's underscores
    return re.sub(r"\\(.)", r"\1", text)  # escapes


def _meta(edition_id: str) -> dict:
    return yaml.safe_load((SOURCES / edition_id / "edition.yaml").read_text(encoding="utf-8"))


def _parts(edition_id: str, hook: Callable[[str], str] | None = None, *, bracketed: bool = True) -> str:
    marks = (lambda n: f"[{n}]", lambda n: f"[{n}] ") if bracketed else (lambda n: n, lambda n: f"{n}. ")
    texts = []
    for part in _meta(edition_id)["parts"]:
        markdown = (SOURCES / edition_id / part["file"]).read_text(encoding="utf-8")
        texts.append(_plain(hook(markdown) if hook else markdown, *marks))
    return "\n".join(texts)


def _original(edition_id: str) -> str:
    source = _meta(edition_id)["transcribed_from"]
    data = (ORIGINALS / edition_id / source["file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == source["sha256"], f"{edition_id}: original changed"
    return data.decode("utf-8-sig").replace("\r\n", "\n")


def _between(text: str, start: str, end: str) -> str:
    first = text.index(start)
    return text[first : text.index(end, first)]


def _on_liberty(original: str) -> str:
    body = _between(original, "On Liberty.\n\nBy John", "End of the Project Gutenberg EBook")
    body = body[: body.index("CONTENTS.")] + body[body.index("The grand, leading principle") :]
    return re.sub(r"^FOOTNOTES?:$", "", body, flags=re.M)


def _law(original: str) -> str:
    body = original.replace("# 中华人民共和国立法法\n", "", 1).replace("<!-- INFO END -->", "", 1)
    return re.sub(r"^#{2,3} ", "", body, flags=re.M)


def _mengzi(original: str) -> str:
    chapters = json.loads(original)
    return "\n".join(c["chapter"] + "\n" + "\n".join(c["paragraphs"]) for c in chapters)


def _mengzi_note_inline(markdown: str) -> str:
    """The one note goes back to the end of its paragraph, where the JSON has it."""
    found = re.search(r"^\[\^1\]: .*$", markdown, flags=re.M)
    if not found:
        return markdown
    note = found.group(0)
    markdown = markdown.replace("\n\n" + note, "")
    return re.sub(
        r"^(.*\[\^1\](?!:).*)$",
        lambda m: m.group(1) + note.replace("[^1]: ", "1. ", 1),
        markdown,
        count=1,
        flags=re.M,
    )


# edition id -> (the original's body, the parts' text)
CASES: dict[str, tuple[Callable[[str], str], Callable[[], str]]] = {
    "gutenberg-34901-mill-on-liberty": (_on_liberty, lambda: _parts("gutenberg-34901-mill-on-liberty")),
    "gutenberg-61-communist-manifesto": (
        lambda t: _between(t, "MANIFESTO OF THE COMMUNIST PARTY", "End of the Project Gutenberg EBook"),
        lambda: _parts("gutenberg-61-communist-manifesto"),
    ),
    "gutenberg-31963-wagner-flying-dutchman-act-1": (
        lambda t: _between(t, "  ERSTER AKT.", "  ZWEITER ACT."),
        lambda: _parts("gutenberg-31963-wagner-flying-dutchman-act-1"),
    ),
    "prc-legislation-law-2023": (_law, lambda: _parts("prc-legislation-law-2023")),
    "mengzi-zh-hant": (_mengzi, lambda: _parts("mengzi-zh-hant", _mengzi_note_inline, bracketed=False)),
}


def test_every_corpus_edition_has_a_case() -> None:
    """A new edition with an original in tests/fixtures/originals must get its case here."""
    assert sorted(p.name for p in ORIGINALS.iterdir() if p.is_dir()) == sorted(CASES)


@pytest.mark.parametrize("edition_id", sorted(CASES))
def test_parts_hold_the_original_text(edition_id: str) -> None:
    body, parts = CASES[edition_id]
    want, got = _no_space(body(_original(edition_id))), _no_space(parts())
    if want != got:
        at = next((i for i in range(min(len(want), len(got))) if want[i] != got[i]), min(len(want), len(got)))
        near = slice(max(0, at - 30), at + 30)
        pytest.fail(f"{edition_id}: first difference at {at}: {want[near]!r} != {got[near]!r}")


def test_a_changed_character_is_caught(tmp_path: Path) -> None:
    """The comparison can fail: one character changed in a part is a difference."""
    body, parts = CASES["prc-legislation-law-2023"]
    want = _no_space(body(_original("prc-legislation-law-2023")))
    assert _no_space(parts().replace("诺", "喏", 1).replace("国", "圀", 1)) != want


def test_corpus_has_the_shapes() -> None:
    """Issue #14's shapes: 100+ pages (words), Traditional Chinese, 10+ notes across parts, nested
    numbering, a language pair that is not Chinese/English."""
    metas = {path.name: _meta(path.name) for path in SOURCES.iterdir() if (path / "edition.yaml").is_file()}
    languages = {eid: set(meta["languages"]) for eid, meta in metas.items()}
    assert any("zh-Hant" in langs for langs in languages.values())
    assert any(langs - {"zh-Hans", "zh-Hant", "en"} for langs in languages.values())
    note_parts = {
        eid: sum(1 for p in meta["parts"] if "[^" in (SOURCES / eid / p["file"]).read_text(encoding="utf-8"))
        for eid, meta in metas.items()
    }
    assert max(note_parts.values()) >= 3
    assert any("::: item" in (SOURCES / eid / p["file"]).read_text(encoding="utf-8")
               for eid, meta in metas.items() for p in meta["parts"])  # fmt: skip
    for meta in metas.values():
        if meta["id"] != "carfc-2019-07-15-letter-to-ceos":
            assert meta.get("license") and meta.get("transcribed_from", {}).get("sha256"), meta["id"]
