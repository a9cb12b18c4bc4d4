"""Reading files from an edition folder safely: inside the folder, UTF-8, bounded, no control or
invisible format characters."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from archivekit.errors import SourceError

MAX_SOURCE_BYTES = 2 * 1024 * 1024  # a letter is a few KiB; 2 MiB leaves room for long documents
MAX_LINE_CHARS = 20_000

# C0/C1 controls other than tab and newline, and the Unicode noncharacters: never part of a text.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


def resolve_inside(edition_dir: Path, name: str, *, what: str, referenced_from: Path | None = None) -> Path:
    """The path of `name` in the edition folder; refuses paths or links that lead outside it."""
    root = edition_dir.resolve()
    candidate = edition_dir / name
    if Path(name).is_absolute() or ".." in Path(name).parts:
        raise SourceError(
            f"{what} {name!r} points outside the edition folder",
            file=referenced_from,
            hint="name a file that sits in the edition folder itself",
        )
    if candidate.is_symlink() or not candidate.resolve().is_relative_to(root):
        raise SourceError(
            f"{what} {name!r} is a link leading outside the edition folder",
            file=candidate,
            hint="replace the link with the file itself",
        )
    if candidate.exists() and not candidate.is_file():
        raise SourceError(
            f"{what} {name!r} is not a regular file",
            file=candidate,
            hint="put the text itself in a plain file in the edition folder",
        )
    if not candidate.is_file():
        raise SourceError(
            f"{what} {name!r} does not exist",
            file=referenced_from or candidate,
            line=_line_naming(referenced_from, name),
            hint=f"create {candidate} or correct the name",
        )
    return candidate


def _line_naming(path: Path | None, name: str) -> int | None:
    """The first line of the file at `path` that names `name` (where to correct it), if any."""
    try:
        return line_of(path.read_text(encoding="utf-8"), name) if path is not None else None
    except (OSError, UnicodeDecodeError):
        return None


def read_text(path: Path) -> str:
    """The file's text; refuses non-UTF-8, a BOM, CR line ends, control and format characters and
    overlong input."""
    if not path.is_file():
        # A device or pipe (/dev/zero, a FIFO) would be read forever or block the build.
        raise SourceError(
            "not a regular file", file=path, hint="put the text itself in a plain file in the edition folder"
        )
    with path.open("rb") as handle:
        data = handle.read(MAX_SOURCE_BYTES + 1)  # bounded: the size on disk may change under us
        size = max(len(data), path.stat().st_size)
    if size > MAX_SOURCE_BYTES:
        raise SourceError(
            f"file is {size:,} bytes, more than the {MAX_SOURCE_BYTES:,} bytes a source may have",
            file=path,
            hint="split the text into several parts",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        raise SourceError(
            "file starts with a byte-order mark (BOM)",
            file=path,
            line=1,
            hint="save the file as UTF-8 without BOM",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            file=path,
            line=line,
            hint="re-save the file as UTF-8",
        ) from None
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        raise SourceError(
            "file has carriage-return (Windows or old Mac) line ends",
            file=path,
            line=line,
            hint="convert the line ends to LF only (e.g. `dos2unix`)",
        )
    bad = _FORBIDDEN.search(text)
    if bad:
        line = text[: bad.start()].count("\n") + 1
        char = bad.group()
        raise SourceError(
            f"control character U+{ord(char):04X} ({unicodedata.name(char, 'control')}) in the text",
            file=path,
            line=line,
            hint="delete it; it is invisible and no edition can carry it",
        )
    invisible = [char for char in set(text) if unicodedata.category(char) == "Cf"]
    if invisible:
        # Format characters (soft hyphen, zero-width joiner and space, bidi overrides) are
        # invisible in the source: a PDF's fonts draw some as marks the original does not have
        # (a soft hyphen as a hyphen) and drop others, and a bidi override reorders what a
        # reader sees. The set of a text's characters is small: each is classified once.
        first = min(text.index(char) for char in invisible)
        char = text[first]
        raise SourceError(
            f"invisible format character U+{ord(char):04X} ({unicodedata.name(char, 'format')}) in the text",
            file=path,
            line=text.count("\n", 0, first) + 1,
            hint="delete it: it is not in the original; a PDF would draw it as a mark or lose it",
        )
    for number, line_text in enumerate(text.split("\n"), start=1):
        if len(line_text) > MAX_LINE_CHARS:
            raise SourceError(
                f"line has {len(line_text):,} characters, more than {MAX_LINE_CHARS:,}",
                file=path,
                line=number,
                hint="break the text into paragraphs",
            )
    return text


def line_of(text: str, needle: str) -> int | None:
    """The 1-based line where `needle` first occurs in `text`, or None."""
    index = text.find(needle)
    return None if index < 0 else text[:index].count("\n") + 1
