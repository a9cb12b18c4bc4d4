"""The one adapter to liblouis: Debian's `louis` bindings (python3-louis, a ctypes wrapper of
liblouis.so.20) loaded by file path, since the venv has no system site-packages.

Everything braille in archivekit goes through `Louis`: forward translation to Unicode braille with
a map from source characters to cells, back-translation (for tests), and the check that a table
defines a character, so nothing untranslated (liblouis's `\\x....` escapes) reaches the output.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from dataclasses import dataclass
from functools import cache, lru_cache
from types import ModuleType

from archivekit.errors import BuildError, ToolMissing
from archivekit.toolpaths import ENV_LOUIS, louis_module

DEBIAN_PACKAGES = "liblouis20 liblouis-data python3-louis"
INSTALL_HINT = (
    f"apt-get install {DEBIAN_PACKAGES} (or run tools/install-system.sh); "
    f"{ENV_LOUIS} names another louis/__init__.py"
)
log = logging.getLogger("archivekit")


@cache
def bindings() -> ModuleType:
    """Debian's louis module, imported once from its file; ToolMissing when it or liblouis is absent."""
    path = louis_module()
    if path is None:
        raise ToolMissing("liblouis's Python bindings (louis) are not installed", hint=INSTALL_HINT)
    spec = importlib.util.spec_from_file_location("louis", path)
    if spec is None or spec.loader is None:
        raise ToolMissing(f"cannot load liblouis's Python bindings from {path}", hint=INSTALL_HINT)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except OSError as exc:  # the bindings are there but liblouis.so.20 is not
        raise ToolMissing(f"liblouis cannot be loaded: {exc}", hint=INSTALL_HINT) from exc
    sys.modules.setdefault("louis", module)
    # liblouis prints table warnings (e.g. duplicate emphasis classes) on stderr: send them to our log.
    module.registerLogCallback(_LOG_CALLBACK(module))
    module.setLogLevel(module.LOG_WARN)
    return module


def _LOG_CALLBACK(module: ModuleType) -> object:
    def forward(level: int, message: bytes) -> None:
        log.debug("liblouis: %s", message.decode("utf-8", "replace"))

    callback = module.LogCallback(forward)
    _KEEP.append(callback)  # ctypes callbacks must outlive every call into the library
    return callback


_KEEP: list[object] = []


@dataclass(frozen=True)
class Translation:
    """Unicode braille for a text, and for each source character the index of its first cell."""

    cells: str
    positions: tuple[int, ...]  # len(text) entries: cell index where each source character begins


class Louis:
    """Translates with named liblouis tables; every call checks that the table exists and defines the text."""

    def __init__(self) -> None:
        self.louis = bindings()
        self.unicode_mode = self.louis.ucBrl | self.louis.dotsIO

    def version(self) -> str:
        """liblouis's version, for the transcriber's note and the manifest."""
        return str(self.louis.version())

    def check_table(self, table: str) -> None:
        """BuildError unless liblouis can compile this table."""
        try:
            self.louis.checkTable([table])
        except RuntimeError as exc:
            raise BuildError(
                f"liblouis has no usable braille table {table!r}",
                hint="name a table of /usr/share/liblouis/tables (liblouis-data) in settings.braille.tables",
            ) from exc

    def undefined(self, table: str, text: str) -> list[str]:
        """The characters of text this table does not define (liblouis would write an escape for them)."""
        return [char for char in dict.fromkeys(text) if not self._defines(table, char)]

    def _defines(self, table: str, char: str) -> bool:
        if char.isspace():
            return True
        return bool(_translation(table, char, self.unicode_mode | self.louis.noUndefined).cells)

    def translate(self, table: str, text: str) -> Translation:
        """Unicode braille for text (undefined characters must have been refused before)."""
        if not text:
            return Translation("", ())
        # liblouis writes a blank as U+2800 in this mode; any other non-braille code is an escape.
        return _translation(table, text, self.unicode_mode)

    def back_translate(self, table: str, cells: str) -> str:
        """Print text for Unicode braille (used to check the braille against the source)."""
        return str(self.louis.backTranslateString([table], cells))


# What liblouis said, remembered by this process: a compiled table gives the same text the same
# cells (and liblouis keeps a table compiled for the process's life anyway), so a resident process
# (watch, the build server) translates again only the paragraphs an edit changed.
@lru_cache(maxsize=50_000)
def _translation(table: str, text: str, mode: int) -> Translation:
    # Without a typeform the bindings return (braille, input positions, output positions, cursor).
    cells, _, output_pos, _ = bindings().translate([table], text, mode=mode)
    return Translation(cells, tuple(output_pos[: len(text)]))
