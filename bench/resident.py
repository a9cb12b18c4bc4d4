"""Resident rebuild (issue #22): every format rebuilt in one process after a one-character edit, vs Typst.

What `archivekit watch` does on each save: `pipeline.build` in a process that has built before
(imports, ReportLab's fonts, pandoc and locale look-ups in memory). Each run changes one character
of the letter (a character the text does not have yet would send the fonts back to preparation; one
swapped for another already in the text does not) and rebuilds every format; Typst compiles the
same text in a fresh process, as a user runs it. Runs alternate (archivekit, Typst, archivekit,
...), so load from elsewhere falls on both. Goal: median resident rebuild <= 1.0 x Typst.

Two series. Alternated: the edit alternates between two texts, both built once untimed before, so
whatever is kept by content (pandoc's reading of the part, the print proofs, the EPUB judges'
verdict) is found again: an editor toggling a correction. New text: each run makes one more
one-character correction (a random character at a random place), so its text was never built
before, here or by an earlier bench: pandoc reads the part, the proof pages the change touched
are rendered and the EPUB is judged again, as after a real correction; the background judges
are let finish (untimed) before each build and each Typst run, as the seconds between two saves
would. The builds are made as `watch` makes them, with its DeferredJudge: a text never judged
gets its EPUB at once without the claim and is judged in the background, so no rebuild waits for
Ace and EPUBCheck.

usage: .venv/bin/python bench/resident.py [--runs 7] [--edition sources/<id>] [--formats pdf,html]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import peers  # noqa: E402 (bench/ is not a package)

LETTER = HERE.parent / "sources" / "carfc-2019-07-15-letter-to-ceos"
# 司 and 开 both occur in the letter many times: the text changes, its character set (and so the fonts) not.
SWAP = ("公司", "公开")


def _new_texts(original: str, count: int) -> list[str]:
    """`count` texts, each the one before with one more character changed (the first: the original
    with one changed): one Han character at a random place becomes another the text already has
    twice or more, so the character set, and with it the fonts, stays. A random place and character
    out of some hundred thousand pairs a step: never built before, here or by an earlier bench (whose
    proofs and EPUB verdicts a cache keeps), nor one of the alternated series' two texts."""
    rng = random.SystemRandom()
    texts, text = [], original
    toggled = original.replace(SWAP[0], SWAP[1], 1)
    while len(texts) < count:
        common = [c for c in set(text) if "\u4e00" <= c <= "\u9fff" and text.count(c) >= 2]
        place = rng.choice([i for i, c in enumerate(text) if c in common])
        changed = text[:place] + rng.choice([c for c in common if c != text[place]]) + text[place + 1 :]
        if changed != toggled and changed not in texts:
            texts.append(changed)
            text = changed
    return texts


def _seconds(work: Callable[[], object]) -> float:
    """How long the work takes, wall time."""
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _edit(path: Path, run: int) -> None:
    text = path.read_text(encoding="utf-8")
    old, new = (SWAP[0], SWAP[1]) if run % 2 == 0 else (SWAP[1], SWAP[0])
    assert old in text, f"{old} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the alternating measurement; print a table and the JSON results."""
    ap = argparse.ArgumentParser(prog="bench/resident.py")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--edition", type=Path, default=LETTER)
    ap.add_argument("--formats", default="", help="comma-separated; default: every format")
    ap.add_argument("--json", type=Path, help="also write the results here")
    a = ap.parse_args(argv)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")

    from archivekit.pipeline import BuildRequest, build, cache_dir
    from archivekit.validate.epub_claim import DeferredJudge
    from archivekit.writer_pool import WriterPool

    work = Path(tempfile.mkdtemp(prefix="archivekit-resident-"))
    judge = DeferredJudge(cache_dir() / "epub-checks", None, lambda: None)
    pool = WriterPool()  # watch's: the writers handed off keep their processes between builds
    try:
        edition = work / "src" / a.edition.name
        shutil.copytree(a.edition, edition)
        part = next(p for p in sorted(edition.glob("*.md")) if SWAP[0] in p.read_text(encoding="utf-8"))
        formats = tuple(f for f in a.formats.split(",") if f)
        request = BuildRequest(
            edition, work / "out", formats, {"pdfa": None}, epub_judge=judge, writer_pool=pool
        )
        original = part.read_text(encoding="utf-8")
        for run in (1, 0):  # warm, untimed: both texts built and judged inside the build
            _edit(part, run)
            build(BuildRequest(edition, work / "out", formats, {"pdfa": None}, force=True, writer_pool=pool))
        part.write_text(original, encoding="utf-8")
        typst = None
        if peers.peers_installed():
            inputs = peers.prepare(a.edition, work / "peer-in")
            (work / "peer-out").mkdir()
            typst = peers.commands(inputs, work / "peer-out")["typst-pdf"]
        resident: list[float] = []
        typst_s: list[float] = []
        for run in range(a.runs):
            _edit(part, run)
            resident.append(_seconds(lambda: build(request)))
            if typst:
                typst_s.append(_seconds(lambda: subprocess.run(typst, check=True, capture_output=True)))
        # New texts: only what the change left alone is found again; the judges settle between runs, untimed.
        fresh: list[float] = []
        fresh_typst: list[float] = []
        for text in _new_texts(original, a.runs):
            judge.settle()
            part.write_text(text, encoding="utf-8")
            fresh.append(_seconds(lambda: build(request)))
            judge.settle()  # Typst is timed on a machine as quiet as the build had
            if typst:
                fresh_typst.append(_seconds(lambda: subprocess.run(typst, check=True, capture_output=True)))
    finally:
        judge.close()
        pool.close()
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "edition": a.edition.name,
        "formats": list(formats) or "all",
        "runs": a.runs,
        "resident_rebuild_s": resident,
        "resident_median_s": statistics.median(resident),
        "typst_s": typst_s,
        "typst_median_s": statistics.median(typst_s) if typst_s else None,
        "new_text_rebuild_s": fresh,
        "new_text_median_s": statistics.median(fresh),
        "new_text_typst_s": fresh_typst,
    }
    if typst_s:
        result["ratio"] = result["resident_median_s"] / result["typst_median_s"]
        result["new_text_ratio"] = result["new_text_median_s"] / statistics.median(fresh_typst)
    spread = f"min {min(resident):.3f}, max {max(resident):.3f}"
    print(f"resident rebuild after a one-character edit ({result['formats']}): "
          f"median {result['resident_median_s']:.3f} s ({spread})")  # fmt: skip
    if typst_s:
        print(f"Typst CLI compile: median {result['typst_median_s']:.3f} s; "
              f"ratio {result['ratio']:.2f} x (goal <= 1.0 x)")  # fmt: skip
    else:
        print("Typst not installed (bench/install-peers.sh): no ratio")
    spread = f"min {min(fresh):.3f}, max {max(fresh):.3f}"
    line = f"resident rebuild of a new text each run: median {result['new_text_median_s']:.3f} s ({spread})"
    if typst_s:
        line += f"; Typst {statistics.median(fresh_typst):.3f} s; ratio {result['new_text_ratio']:.2f} x"
    print(line)
    if a.json:
        a.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
