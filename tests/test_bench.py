"""Smoke tests of the bench's own code (never of timings): the long-document generator, the chart, runs."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from archivekit.ingest import load_edition
from archivekit.model.document import Paragraph, plain_text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import measure  # noqa: E402  (bench/ is scripts, not a package)
import report  # noqa: E402
import scale  # noqa: E402

EDITION = ROOT / "sources" / "carfc-2019-07-15-letter-to-ceos"


def _letter_paragraphs(edition_dir: Path) -> list[str]:
    doc = load_edition(edition_dir, source_date_epoch=1563148800)
    letter = next(p for p in doc.parts if p.role == "letter")
    return [plain_text(b.inlines, note_labels=False) for b in letter.blocks if isinstance(b, Paragraph)]


def test_long_edition_repeats_the_letter_verbatim_with_a_note_every_few_paragraphs(tmp_path: Path) -> None:
    original = _letter_paragraphs(EDITION)
    long = scale.make_long_edition(EDITION, tmp_path / "long", 3)
    doc = load_edition(long, source_date_epoch=1563148800)
    assert doc.edition.id == "bench-scale-x3"
    # The same paragraphs, three times, in order: the generator adds no text, only note marks.
    assert _letter_paragraphs(long) == original * 3
    letter_text = (long / "01-letter.zh-Hans.md").read_text(encoding="utf-8")
    labels = re.findall(r"^\[\^([^\]]+)\]:", letter_text, flags=re.MULTILINE)
    assert len(labels) == len(set(labels)) == len(doc.notes)

    # Every note is the letter's own footnote, citation included.
    def text(note: object) -> list[str]:
        return [plain_text(b.inlines) for b in note.blocks]  # type: ignore[attr-defined]

    first = next(iter(doc.notes.values()))
    assert all(text(n) == text(first) and n.citation == first.citation for n in doc.notes.values())
    assert len(doc.notes) >= 3 * 3  # the original note per letter and at least two added per letter


def test_copy_edition_changes_only_the_id(tmp_path: Path) -> None:
    copy = scale.copy_edition(EDITION, tmp_path / "copy", "bench-batch-1")
    before = (EDITION / "edition.yaml").read_text(encoding="utf-8").splitlines()
    after = (copy / "edition.yaml").read_text(encoding="utf-8").splitlines()
    assert [a for a, b in zip(before, after, strict=True) if a != b] == [
        "id: carfc-2019-07-15-letter-to-ceos"
    ]
    assert "id: bench-batch-1" in after


def test_run_child_reports_the_childs_own_peak_memory_and_fails_loudly() -> None:
    run = measure.run_child([sys.executable, "-c", "b = bytearray(64 * 1024 * 1024); print('ok')"])
    assert run.stdout.strip() == "ok"
    assert run.max_rss_mib >= 64  # the child's own peak, read from wait4
    # A big bench process must not lend its memory to the commands it measures.
    ballast = bytearray(256 * 1024 * 1024)
    ballast[::4096] = b"\x01" * len(ballast[::4096])
    small = measure.run_child([sys.executable, "-c", "pass"])
    assert small.max_rss_mib < 64
    del ballast
    with pytest.raises(measure.RunFailed, match="exited 3"):
        measure.run_child([sys.executable, "-c", "import sys; sys.exit(3)"])


def test_chart_is_wellformed_svg_with_one_bar_per_ratio() -> None:
    results = {
        "date": "2026-11-28 00:00 UTC",
        "ratios": {"a / b": {"value": 0.5}, "c / d": {"value": 2.25}},
    }
    svg = ET.fromstring(report.chart_svg(results))
    bars = [r for r in svg.findall("{http://www.w3.org/2000/svg}rect") if r.get("fill") != "#fff"]
    assert len(bars) == 2
    faster, slower = ((float(b.get("x")), float(b.get("width"))) for b in bars)
    # Both bars grow out of the 1.0 line: the faster one to the left, the slower one to the right.
    assert faster[0] + faster[1] == pytest.approx(slower[0], abs=0.2)
    assert [b.get("fill") for b in bars] == ["#2a7d2a", "#c0562b"]


def test_peers_get_every_part_verbatim_in_reading_order() -> None:
    import peers  # bench/peers.py

    markdown, title = peers.combined_markdown(EDITION)
    assert title == "促进中国宗教自由联盟致与中国有业务往来的公司CEO的公开信"
    positions = []
    for name in ("01-letter.zh-Hans.md", "02-principles.zh-Hans.md", "03-principles.en.md"):
        text = (EDITION / name).read_text(encoding="utf-8").strip("\n")
        assert text in markdown  # byte for byte: the peers typeset the same transcription
        positions.append(markdown.index(text))
    assert positions == sorted(positions)
    assert "{lang=en}" in markdown and "{lang=zh-Hans}" in markdown
