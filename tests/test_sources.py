"""The canonical sources are the seed, character for character."""

from __future__ import annotations

from archivekit.ingest import load_edition
from archivekit.model import BulletList, Paragraph, plain_text
from archivekit.model.document import iter_blocks
from archivekit.validate.judge.text import broken_units, first_gap, squeeze
from conftest import EDITION


def _model_text(doc) -> str:
    chunks = []
    for part in doc.parts:
        for block in iter_blocks(part.blocks):
            if isinstance(block, Paragraph):
                chunks.append(plain_text(block.inlines))
            elif hasattr(block, "kicker"):
                chunks.append(plain_text(block.kicker or ()) + plain_text(block.inlines))
        if part.id == "letter":
            chunks += [plain_text(b.inlines) for n in doc.notes.values() for b in n.blocks]
    return "\n".join(chunks)


def test_model_carries_the_seed_exactly(seed: str) -> None:
    doc = load_edition(EDITION)
    text = _model_text(doc)
    assert first_gap(seed, text) is None
    assert broken_units(seed, text) == []
    # Nothing gained: the letter's text is the seed's, character for character, in the seed's order.
    seed_without_markers = squeeze(seed.replace("\n- ", "\n").replace("注1. ", ""))
    assert squeeze(text) == seed_without_markers


def test_original_spelling_kept(seed: str) -> None:
    text = _model_text(load_edition(EDITION))
    assert "诺大" in text and "偌大" not in text
    assert "宗 旨" in text  # the space inside the heading is the original's


def test_structure_of_the_letter() -> None:
    doc = load_edition(EDITION)
    letter = doc.part("letter")
    roles = [b.role for b in letter.blocks if isinstance(b, Paragraph)]
    assert roles[0] == "dateline" and roles[1] == "salutation" and roles[-1] == "closing"
    lists = [b for b in letter.blocks if isinstance(b, BulletList)]
    assert len(lists) == 1 and len(lists[0].items) == 3
    (note,) = doc.notes.values()
    assert note.label == "1"
    assert note.citation is not None and note.citation.key == "un-a-hrc-41-35"
    assert dict(note.citation.locators) == {"page": "12", "paragraph": "2"}
    assert plain_text(note.blocks[0].inlines) == (
        "《监督与人权:促进和保护言论自由权利特别报告员的报告》(预先编辑本),2019年5月28日,12页,第2段。"
    )


def test_languages_and_parallel_parts() -> None:
    doc = load_edition(EDITION)
    assert [(p.id, p.lang) for p in doc.parts] == [
        ("letter", "zh-Hans"),
        ("principles-zh", "zh-Hans"),
        ("principles-en", "en"),
    ]
    ((zh, en),) = doc.parallel_pairs()
    assert (zh.id, en.id) == ("principles-zh", "principles-en")


def test_editorial_matter_is_marked() -> None:
    doc = load_edition(EDITION)
    assert all(getattr(b, "editorial", True) for b in doc.front)
    assert doc.part("letter").title is not None and doc.part("letter").title.editorial
    assert doc.colophon[0].editorial
    assert doc.edition.identifier.startswith("urn:uuid:")
