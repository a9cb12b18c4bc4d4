"""A resident rebuild's EPUB: written at once without the claim, judged afterwards, then claimed.

watch and preview hand the build validate.epub_claim.DeferredJudge: a text Ace and EPUBCheck have
not judged yet gets no verdict in its build (no claim, "no checks were run"), they judge a copy
in the background, and a rebuild of the same text then finds the verdict and claims it.
"""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path

import pytest

from archivekit.pipeline import BuildRequest, build
from archivekit.validate import tools
from archivekit.validate.epub_claim import DeferredJudge
from conftest import EPOCH, require

CLAIM = b"EPUB Accessibility 1.1 - WCAG 2.2 Level AA</meta>"


def _opf(folder: Path) -> bytes:
    epub = next(folder.glob("*.epub"))
    with zipfile.ZipFile(epub) as z:
        return z.read("EPUB/content.opf")


def test_claim_follows_the_judges_after_the_build(
    tmp_path: Path, edition_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require(tools.ace().available and tools.epubcheck().available, "Ace and EPUBCheck (make validators)")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    edition = edition_copy
    judged = threading.Event()
    judge = DeferredJudge(tmp_path / "verdicts", None, judged.set)  # an empty cache: nothing judged yet
    try:
        request = BuildRequest(edition, tmp_path / "out", ("epub",), {}, epub_judge=judge)
        folder = build(request)
        assert CLAIM not in _opf(folder)  # written at once, without the claim
        assert b"schema:accessibilitySummary" in _opf(folder)
        judge.settle()  # returns once the queued judging has ended
        assert judged.is_set(), "the judges never reported"
        again = build(BuildRequest(edition, tmp_path / "out", ("epub",), {}, force=True, epub_judge=judge))
        assert CLAIM in _opf(again)  # the same text, now judged: claimed
    finally:
        judge.close()
    assert not judge._spool.exists()
