"""Markdown -> pandoc AST (JSON). The only module that calls pandoc.

We run the pandoc binary that pypandoc-binary ships, with every extension that could rewrite the
transcription switched off: no smart quotes, no auto identifiers, no math, no sub/superscript, no
generated list numbering (see markdown.escape_line_numbers). Citations `[@key]` stay on: the
ingest resolves them against the bibliography or refuses them.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from archivekit.errors import SourceError, ToolMissing
from archivekit.ingest import ast_store, chunks
from archivekit.toolpaths import usable_cores

# A part is read in pieces when each would still hold this many characters (about 25 pages of
# Han text: 30 ms of pandoc's reading against the 10 ms it takes to start).
PIECE_CHARACTERS = 20_000
PANDOC_SECONDS = 60.0  # a short part takes 0.1 s and a 2 MiB part under 1 s; this is only a stop
PANDOC_HEAP = "1024M"
# pandoc's manual advises a time and heap limit: some inputs make its parser take exponential time.
PANDOC_LIMITS = ("+RTS", f"-M{PANDOC_HEAP}", "-RTS")
# What pandoc answered for a part, remembered by a resident process (watch, preview) so that a
# rebuild after an edit runs pandoc for the edited part only (and kept in the user cache for the
# next process, ast_store.py). Keyed by the whole command, the binary's identity (path, size,
# mtime, inode) and the exact bytes given, so any change to the text, the options or the pandoc
# installed reads again; errors are never remembered.
PARSED_KEPT_BYTES = 64 * 1024 * 1024  # pandoc output kept, oldest forgotten first
_Key = tuple[tuple[str, ...], tuple[int, ...], bytes]  # command, binary identity, Markdown bytes
_parsed: OrderedDict[_Key, bytes] = OrderedDict()
_parsed_bytes = 0
_parsed_lock = threading.Lock()  # load_edition reads the parts from several threads at once
# Files read before by this process: read again with other text, they are read in pieces that stay
# (chunks.pieces_that_stay), at most EDITED_PIECES of at least EDITED_PIECE_LEAST characters: an
# edit of a part of some 1 600 Han characters then costs pandoc 9 ms instead of 14.
_read_before: set[Path] = set()
EDITED_PIECES = 8
EDITED_PIECE_LEAST = 300

READER = "markdown" + "".join(
    f"-{ext}"
    for ext in (
        "smart",
        "auto_identifiers",
        "implicit_figures",
        "tex_math_dollars",
        "tex_math_single_backslash",
        "raw_tex",
        "fancy_lists",
        "example_lists",
        "subscript",
        "superscript",
        "strikeout",
        "yaml_metadata_block",
        "pandoc_title_block",
        "mmd_title_block",
    )
)


@cache
def pandoc_path() -> str:
    """The pandoc executable bundled with pypandoc-binary."""
    import pypandoc  # a dependency; imported here, so reading edition.yaml alone stays fast

    try:
        return pypandoc.get_pandoc_path()
    except OSError as exc:
        raise ToolMissing(
            f"pandoc is not available ({exc})",
            hint="run `make` to install the Python dependencies (pypandoc-binary ships pandoc)",
        ) from None


@cache
def pandoc_version() -> str:
    """pandoc's version string, e.g. "3.9"."""
    out = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True, check=True)
    return out.stdout.split()[1]


# What `archivekit import` reads, by file suffix: pandoc's reader names.
IMPORT_READERS = {".docx": "docx", ".odt": "odt", ".html": "html", ".htm": "html", ".md": "markdown"}

# The Markdown `archivekit import` writes: pandoc's own writer, with everything our reader refuses off.
DRAFT_WRITER = "markdown" + "".join(
    f"-{ext}"
    for ext in (
        "smart",
        "raw_html",
        "raw_attribute",
        "native_divs",
        "native_spans",
        "link_attributes",
        "header_attributes",
        "auto_identifiers",
        "simple_tables",
        "multiline_tables",
        "grid_tables",
        "pipe_tables",
        "fancy_lists",
        "example_lists",
        "line_blocks",
        "tex_math_dollars",
        "subscript",
        "superscript",
        "strikeout",
    )
)


def file_to_ast(path: Path) -> dict[str, Any]:
    """Read a document an archivist already has (DOCX, ODT, HTML, Markdown) into pandoc's AST.

    Tracked changes and comments are kept as spans (`--track-changes=all`) so the importer can list
    them instead of accepting or dropping them silently.
    """
    reader = IMPORT_READERS.get(path.suffix.lower())
    if reader is None:
        raise SourceError(
            f"cannot import {path.suffix or 'a file without a suffix'}",
            file=path,
            hint=f"import one of {', '.join(sorted(IMPORT_READERS))}",
        )
    extra = ["--track-changes=all"] if reader in ("docx",) else []
    return json.loads(_run_pandoc(["--from", reader, "--to", "json", *extra, str(path)], b"", source=path))


def ast_to_markdown(ast: dict[str, Any], *, source: Path) -> str:
    """pandoc's Markdown for an AST, unwrapped (one paragraph a line), in the form our reader accepts."""
    data = json.dumps(ast).encode("utf-8")
    args = ["--from", "json", "--to", DRAFT_WRITER, "--wrap=none"]
    return _run_pandoc(args, data, source=source).decode("utf-8")


def _run_pandoc(args: list[str], data: bytes, *, source: Path) -> bytes:
    return _run(
        [pandoc_path(), *PANDOC_LIMITS, *args, "--sandbox"],
        data,
        source=source,
        slow_hint="split the file",
        failed_hint="check that the file opens in a word processor and is of the kind its suffix says",
    )


def markdown_to_ast(text: str, *, source: Path) -> dict[str, Any]:
    """Parse Markdown text into pandoc's JSON AST; a long text in pieces read side by side, one
    per core (chunks.py: the same blocks as the whole). A file this process has read before with
    other text (a resident process, after an edit) is read in pieces that stay where they are
    (EDITED_PIECES), so pandoc reads the piece the edit is in, and the others are remembered."""
    split = _pieces_by_cores(text)
    with _parsed_lock:
        edited = source in _read_before and _key(text) not in _parsed
        _read_before.add(source)
    if edited and not split:
        split = _pieces_of_edits(text)
    if split:
        try:
            with ThreadPoolExecutor(max_workers=len(split)) as pool:
                asts = list(pool.map(lambda piece: _markdown_to_ast(piece, source=source), split))
        except _Stalled:
            raise  # the whole would stall as long again
        except SourceError:
            pass  # read whole, so pandoc's message names the place in the file, not in a piece
        else:
            return {**asts[0], "blocks": [block for ast in asts for block in ast["blocks"]]}
    return _markdown_to_ast(text, source=source)


def read_ahead(text: str, *, source: Path) -> None:
    """Read now, and remember, the pieces an edit of this text will be read in (what
    markdown_to_ast does for a file read before with other text), so that a resident process's
    first correction waits for pandoc on the piece it changed, as every later one does, and not on
    all of them (0.5 s for a 20 KB part on 2 cores). A long text is read in pieces by cores, edited
    or not: nothing to do. A text pandoc refuses is left for the build to report."""
    if _pieces_by_cores(text):
        return
    with _parsed_lock:
        _read_before.add(source)
    split = _pieces_of_edits(text) or []
    with ThreadPoolExecutor(max_workers=usable_cores()) as pool:
        for done in [pool.submit(_markdown_to_ast, piece, source=source) for piece in split]:
            done.exception()  # waited for; an error is the build's to report, with its place


def _pieces_by_cores(text: str) -> list[str] | None:
    """A long text's pieces, one per core, read side by side whether edited or not."""
    return chunks.pieces(text, usable_cores(), PIECE_CHARACTERS)


def _pieces_of_edits(text: str) -> list[str] | None:
    """The pieces a text read before is read in after an edit (and read ahead in)."""
    return chunks.pieces_that_stay(text, max(EDITED_PIECE_LEAST, len(text) // EDITED_PIECES))


def _key(text: str) -> _Key:
    command = (pandoc_path(), *PANDOC_LIMITS, "--from", READER, "--to", "json", "--sandbox")
    return command, _binary_identity(command[0]), text.encode("utf-8")


def _markdown_to_ast(text: str, *, source: Path) -> dict[str, Any]:
    key = _key(text)
    command, _, data = key
    with _parsed_lock:
        out = _parsed.get(key)
        if out is not None:
            _parsed.move_to_end(key)
    if out is not None:
        return _loaded(out, source)
    stored = ast_store.answer_file(*key)
    out = ast_store.load(stored)
    if out is None:
        out = _run_reader(list(command), data, source=source)
        ast_store.store(stored, out)
    _remember(key, out)
    return _loaded(out, source)


def _loaded(out: bytes, source: Path) -> dict[str, Any]:
    """pandoc's JSON answer read; a nesting too deep for Python's reader is the source's error."""
    try:
        ast: dict[str, Any] = json.loads(out)
    except RecursionError:
        raise SourceError(
            "the Markdown is nested too deeply to read (e.g. a long run of > or list indentation)",
            file=source,
            hint="remove the nesting: archival parts hold paragraphs, headings and simple lists",
        ) from None
    return ast


def _binary_identity(path: str) -> tuple[int, ...]:
    """What tells one pandoc binary from another at the same path (a reinstall changes it)."""
    try:
        st = os.stat(path)
    except OSError:
        return ()  # not there: running it fails and reports it
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


def _remember(key: _Key, out: bytes) -> None:
    """Keep pandoc's answer for this key, forgetting the oldest beyond PARSED_KEPT_BYTES."""
    global _parsed_bytes
    with _parsed_lock:
        if key in _parsed or len(out) > PARSED_KEPT_BYTES:
            return
        _parsed[key] = out
        _parsed_bytes += len(out) + len(key[2])
        while _parsed_bytes > PARSED_KEPT_BYTES:
            old_key, old = _parsed.popitem(last=False)
            _parsed_bytes -= len(old) + len(old_key[2])


def _run_reader(command: list[str], data: bytes, *, source: Path) -> bytes:
    """pandoc's JSON for this Markdown, or a located SourceError."""
    return _run(
        command,
        data,
        source=source,
        slow_hint="look for long runs of unmatched [ ( < or * and write literal ones as \\[ \\( \\< \\*",
        failed_hint="check the Markdown near the place pandoc names",
    )


class _Stalled(SourceError):
    """pandoc ran out of time (PANDOC_SECONDS)."""


def _run(command: list[str], data: bytes, *, source: Path, slow_hint: str, failed_hint: str) -> bytes:
    """pandoc's output, or a SourceError naming the file, with the fix for what went wrong."""
    try:
        proc = subprocess.run(command, input=data, capture_output=True, check=False, timeout=PANDOC_SECONDS)
    except subprocess.TimeoutExpired:
        raise _Stalled(
            f"pandoc did not finish reading the file within {PANDOC_SECONDS:g} s", file=source, hint=slow_hint
        ) from None
    if proc.returncode != 0:
        raise SourceError(
            f"pandoc could not read the file: {proc.stderr.decode('utf-8', 'replace').strip()}",
            file=source,
            hint=failed_hint,
        )
    return proc.stdout
