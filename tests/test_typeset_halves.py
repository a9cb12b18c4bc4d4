"""A long document typeset in two processes (layout.py's halves) gives the file one process gives.

Both processes lay out every page; the parent draws the earlier pages and the forked child the
later ones, and the parent takes the child's pages after checking that fonts, codes and MCIDs
agree. The threshold is lowered here so that real documents of the corpus, of every script, are
split; the bench's long document is split at the real threshold.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from archivekit import forked
from archivekit.ingest import load_edition
from archivekit.pipeline import cache_dir
from archivekit.typeset import layout
from archivekit.typeset.layout import Typeset
from archivekit.typeset.tagging import TaggingCanvas
from archivekit.writers.base import BuildContext
from conftest import ROOT

EPOCH = 1700000000
# Han text with notes and links, a long English text, traditional Chinese with several faces.
EDITIONS = ["carfc-2019-07-15-letter-to-ceos", "gutenberg-34901-mill-on-liberty", "mengzi-zh-hant"]


def _fork(name: str, work: Any) -> forked.Child:
    return forked.Child(name, work)


def _typeset(edition: str, tmp_path: Path, halves: bool) -> Typeset:
    folder = ROOT / "sources" / edition
    doc = load_edition(folder, source_date_epoch=EPOCH)
    ctx = BuildContext(out_dir=tmp_path, edition_dir=folder, source_date_epoch=EPOCH, cache_dir=cache_dir())
    return layout.typeset(doc, ctx, fork=_fork if halves else None)


@pytest.mark.parametrize("edition", EDITIONS)
def test_pages_drawn_in_two_processes_are_the_pages_one_process_draws(
    edition: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    alone = _typeset(edition, tmp_path, halves=False)
    monkeypatch.setattr(layout, "HALVES_FROM", 1)
    taken: list[list[int]] = []
    adopt = layout._Drawn.adopt

    def counted(self: layout._Drawn, canv: TaggingCanvas) -> None:
        taken.append(sorted(self.pages))
        adopt(self, canv)

    monkeypatch.setattr(layout._Drawn, "adopt", counted)
    with caplog.at_level(logging.WARNING, logger="archivekit"):
        split = _typeset(edition, tmp_path, halves=True)
    assert not caplog.records, "the halves disagreed and the document was typeset again"
    assert len(taken) == 1 and taken[0], "no page was drawn in the child"
    assert 1 not in taken[0] and taken[0][-1] == alone.page_count, taken[0]
    assert split.pdf == alone.pdf
    assert split.page_starts == alone.page_starts
    assert _links(split) == _links(alone)


def _links(ts: Typeset) -> list[tuple[int, tuple[float, float, float, float], str]]:
    return [(spot.page, spot.rect, spot.label) for spot in ts.links]


def test_a_fork_that_starts_no_child_leaves_every_page_drawn_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edition = EDITIONS[0]
    alone = _typeset(edition, tmp_path, halves=False)
    monkeypatch.setattr(layout, "HALVES_FROM", 1)
    folder = ROOT / "sources" / edition
    doc = load_edition(folder, source_date_epoch=EPOCH)
    ctx = BuildContext(out_dir=tmp_path, edition_dir=folder, source_date_epoch=EPOCH, cache_dir=cache_dir())
    # BuildContext.fork says None when this process runs another thread.
    split = layout.typeset(doc, ctx, fork=lambda name, work: None)
    assert split.pdf == alone.pdf


def test_halves_that_would_name_fonts_otherwise_are_typeset_again_in_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    edition = EDITIONS[0]
    alone = _typeset(edition, tmp_path, halves=False)
    monkeypatch.setattr(layout, "HALVES_FROM", 1)
    # Pages recorded but not drawn no longer name their fonts: each process names them in the
    # order of the pages it draws, which the parent's check must catch.
    monkeypatch.setattr(TaggingCanvas, "name_font", lambda self, font, text: None)
    with caplog.at_level(logging.WARNING, logger="archivekit"):
        split = _typeset(edition, tmp_path, halves=True)
    assert any("typeset again in one" in r.getMessage() for r in caplog.records)
    assert split.pdf == alone.pdf
