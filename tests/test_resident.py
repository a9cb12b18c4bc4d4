"""A resident process (watch, preview) remembers work between builds: never anything stale.

Each rebuild in one process after an edit must give what a fresh process gives for the edited
sources: what is remembered is keyed by everything it was made from.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from archivekit.ingest import pandoc_ast
from archivekit.pipeline import BuildRequest, build
from conftest import EDITION, EPOCH, run_cli

LETTER = "01-letter.zh-Hans.md"


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _edition_copy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Path, Path]:
    """The letter's edition copied to edit, built on a fixed clock in this one process."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("ARCHIVEKIT_WRITER_PROCESSES", "1")
    edition = tmp_path / "src" / EDITION.name
    shutil.copytree(EDITION, edition)
    return edition, edition / LETTER


@pytest.fixture
def pandoc_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[bytes]:
    """The texts pandoc is run on from now, with a user cache of this test's own (no answer
    stored by an earlier run)."""
    runs: list[bytes] = []
    real = pandoc_ast._run_reader

    def counted(command: list[str], data: bytes, *, source: Path) -> bytes:
        runs.append(data)
        return real(command, data, source=source)

    monkeypatch.setattr(pandoc_ast, "_run_reader", counted)
    monkeypatch.setenv("ARCHIVEKIT_CACHE", str(tmp_path / "cache"))
    return runs


def test_pandoc_reads_again_only_new_text(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pandoc_runs: list[bytes]
) -> None:
    runs = pandoc_runs
    source = tmp_path / "part.md"
    first = pandoc_ast.markdown_to_ast("A resident text, read once.\n", source=source)
    again = pandoc_ast.markdown_to_ast("A resident text, read once.\n", source=source)
    assert again == first and len(runs) == 1
    edited = pandoc_ast.markdown_to_ast("A resident text, read twice.\n", source=source)
    assert len(runs) == 2 and edited != first
    assert "twice" in str(edited)
    # A change of the reader's options is a change of the key: read again.
    monkeypatch.setattr(pandoc_ast, "READER", pandoc_ast.READER + "-raw_html")
    pandoc_ast.markdown_to_ast("A resident text, read once.\n", source=source)
    assert len(runs) == 3


def test_a_new_process_finds_pandocs_answer_in_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pandoc_runs: list[bytes]
) -> None:
    runs = pandoc_runs
    source, text = tmp_path / "part.md", "A text another process read.\n"
    first = pandoc_ast.markdown_to_ast(text, source=source)
    assert len(runs) == 1 and len(list((tmp_path / "cache" / "pandoc-ast").iterdir())) == 1
    monkeypatch.setattr(pandoc_ast, "_parsed", type(pandoc_ast._parsed)())  # a new process's memory
    assert pandoc_ast.markdown_to_ast(text, source=source) == first and len(runs) == 1
    # Another text, or the same text in another cache, is pandoc's to read.
    pandoc_ast.markdown_to_ast(text.replace("another", "a second"), source=source)
    assert len(runs) == 2
    monkeypatch.setattr(pandoc_ast, "_parsed", type(pandoc_ast._parsed)())
    monkeypatch.setenv("ARCHIVEKIT_CACHE", str(tmp_path / "other-cache"))
    assert pandoc_ast.markdown_to_ast(text, source=source) == first and len(runs) == 3


def test_the_pandoc_cache_forgets_the_least_recently_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from archivekit.ingest import ast_store

    monkeypatch.setenv("ARCHIVEKIT_CACHE", str(tmp_path))
    monkeypatch.setattr(ast_store, "PRUNE_EVERY", 1)
    files = [ast_store.answer_file(("pandoc",), (1,), str(n).encode()) for n in range(6)]
    for age, path in enumerate(files[:5]):
        ast_store.store(path, b"x" * 1000)
        os.utime(path, ns=(age * 10**9, age * 10**9))
    assert ast_store.load(files[0]) == b"x" * 1000  # used now: the newest
    monkeypatch.setattr(ast_store, "STORED_BYTES", 4400)
    ast_store.store(files[5], b"x" * 1000)  # 6 of 1065 bytes, over 4400: down to 3300, oldest first
    assert [path.exists() for path in files] == [True, False, False, False, True, True]


def test_pandoc_errors_are_not_remembered(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from archivekit.errors import SourceError

    calls = []

    def failing(command: list[str], data: bytes, *, source: Path) -> bytes:
        calls.append(data)
        raise SourceError("pandoc could not read the file: test", file=source, hint="none")

    monkeypatch.setattr(pandoc_ast, "_run_reader", failing)
    for _ in range(2):
        with pytest.raises(SourceError):
            pandoc_ast.markdown_to_ast("Never read before: fails.\n", source=tmp_path / "x.md")
    assert len(calls) == 2


def test_resident_rebuild_shows_the_edit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Edit the letter between builds in one process: every page format shows the new text."""
    edition, part = _edition_copy(monkeypatch, tmp_path)
    formats = ("text", "pdf", "large-print")
    out = build(BuildRequest(edition, tmp_path / "out", formats, {"epub_checks": "off"}))
    before = {name: (out / name).read_bytes() for name in os.listdir(out) if name.endswith((".txt", ".pdf"))}
    original = part.read_text(encoding="utf-8")
    assert "公司" in original
    # 开 already occurs in the letter: the glyphs drawn stay the same set, only the text changes.
    part.write_text(original.replace("公司", "公开", 1), encoding="utf-8")
    out = build(BuildRequest(edition, tmp_path / "out", formats, {"epub_checks": "off"}))
    after = {name: (out / name).read_bytes() for name in before}
    assert all(after[name] != before[name] for name in before), "a format kept the text before the edit"
    text = next(name for name in after if name.endswith(".txt"))
    assert after[text].decode("utf-8").count("公开") == before[text].decode("utf-8").count("公开") + 1
    if shutil.which("pdftotext"):
        # The colophon's source hash changes too: the drawn text itself must hold the edit.
        for name in (n for n in before if n.endswith(".pdf")):
            (tmp_path / "before.pdf").write_bytes(before[name])
            was = _pdf_text(tmp_path / "before.pdf").count("公开")
            assert _pdf_text(out / name).count("公开") == was + 1, name
    # Back to the first text: the same bytes as its first build (nothing of the edit remains).
    part.write_text(original, encoding="utf-8")
    out = build(BuildRequest(edition, tmp_path / "out", formats, {"epub_checks": "off"}))
    assert {name: (out / name).read_bytes() for name in before} == before


def test_a_resident_rebuild_equals_a_fresh_process_build(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """What a resident process keeps between builds (pandoc's trees, broken lines, text operators,
    XMP packets, subset fonts) never shows: after an edit that brings a glyph the first build never
    drew, the resident build is, byte for byte, what a new process builds from the edited sources."""
    edition, part = _edition_copy(monkeypatch, tmp_path)
    formats = ("pdf", "large-print", "print")
    options = {"pdfa": None, "epub_checks": "off"}  # as the CLI asks below: the same build key
    build(BuildRequest(edition, tmp_path / "resident", formats, options))
    # The fresh process finds the same last edition (the pagination report compares with it).
    shutil.copytree(tmp_path / "resident", tmp_path / "fresh")
    original = part.read_text(encoding="utf-8")
    assert "公司" in original and "鑫" not in original
    part.write_text(original.replace("公司", "公鑫", 1), encoding="utf-8")
    resident = build(BuildRequest(edition, tmp_path / "resident", formats, options))
    fresh = run_cli(
        "-q",
        "build",
        str(edition),
        "--out",
        str(tmp_path / "fresh"),
        "--epub-checks",
        "off",
        *[arg for name in formats for arg in ("--format", name)],
    )
    assert fresh.returncode == 0, fresh.stderr
    resident_files, fresh_files = _files(resident), _files(tmp_path / "fresh" / resident.name)
    assert sorted(resident_files) == sorted(fresh_files)
    differ = [name for name, data in resident_files.items() if data != fresh_files[name]]
    assert differ == [], f"the resident build differs from a fresh process in {differ}"
    assert "鑫" in _pdf_text(next(resident.glob("*.pdf")))


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_repaired_tounicode_maps_follow_their_bytes() -> None:
    """A remembered ToUnicode repair is found only by the exact map and font name it was made from."""
    from archivekit.typeset.tounicode import repaired

    def cmap(*pairs: tuple[int, str]) -> bytes:
        body = "".join(f"<{code:02X}> <{text.encode('utf-16-be').hex().upper()}>\n" for code, text in pairs)
        return f"{len(pairs)} beginbfchar\n{body}endbfchar\n".encode("ascii")

    first = repaired(cmap((0x41, "A"), (0x42, "\x00")), "F1")
    assert b"<41> <0041>" in first and b"<42>" not in first
    assert repaired(cmap((0x41, "A"), (0x42, "\x00")), "F1") == first
    assert b"<42> <0042>" in repaired(cmap((0x41, "A"), (0x42, "B")), "F1")
    assert b"/F2-UCS" in repaired(cmap((0x41, "A"), (0x42, "\x00")), "F2")
    # ReportLab's form of a character beyond the Basic Multilingual Plane: its code point.
    beyond = repaired(b"1 beginbfchar\n<43> <2000B>\nendbfchar\n", "F1")
    assert b"<43> <D840DC0B>" in beyond


def test_a_font_cache_entry_damaged_between_builds_is_prepared_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A resident process checks a prepared font again once its file changed since it was checked."""
    import logging

    from archivekit.typeset import fonts

    latin = fonts.source("en-serif")
    if not latin.path.is_file():
        pytest.skip("NOT RUN: Debian's fonts-noto-core")
    chars = frozenset(map(ord, "Resident"))
    log = logging.getLogger("archivekit")
    first = fonts.prepare((latin,), chars, tmp_path, log)["en-serif"]
    good = first.read_bytes()
    assert fonts.prepare((latin,), chars, tmp_path, log)["en-serif"] == first  # checked, not prepared
    first.write_bytes(good[:40])
    with caplog.at_level(logging.WARNING, logger="archivekit"):
        again = fonts.prepare((latin,), chars, tmp_path, log)["en-serif"]
    assert "is damaged" in caplog.text
    assert again == first and again.read_bytes() == good
    # Other characters: another file, never the one prepared for the first set.
    assert fonts.prepare((latin,), frozenset(map(ord, "Other")), tmp_path, log)["en-serif"] != first
