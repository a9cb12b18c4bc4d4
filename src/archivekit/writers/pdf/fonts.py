"""Fonts for the PDF: which files, how they become TrueType ReportLab can embed, and glyph coverage.

ReportLab embeds only TrueType (glyf) outlines, and Noto Serif CJK ships CFF outlines in a
collection. So each CJK face is subset to the characters the document uses and its cubic
outlines converted to quadratic ones; the result is cached under ctx.cache_dir/"fonts" by a
hash of the font file, the face, the characters and this converter's version, so a rebuild
loads a small prepared file instead of converting again.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from archivekit.errors import ToolMissing

# Bump when the conversion below changes, so cached fonts made by older code are not reused.
CONVERTER_VERSION = "2"
NOTO_CJK_DIR = Path("/usr/share/fonts/opentype/noto")
NOTO_DIR = Path("/usr/share/fonts/truetype/noto")
# cu2qu tolerance in font units (of 1000): 1 unit is well below what print or screen can show.
MAX_ERR = 1.0


@dataclass(frozen=True)
class FontSource:
    """A font on disk: the file, the face to use (by family name in a collection), its role."""

    key: str  # the name ReportLab registers it under
    path: Path
    family: str | None = None  # for collections: the family name of the face to take
    needs_conversion: bool = False  # CFF outlines: subset and convert to TrueType


# The fonts of the design: a Song/Ming serif for Chinese, a matching Latin serif, and a sans for
# editorial matter so a reader can tell the edition's words from the letter's at a glance.
FONT_SOURCES: tuple[FontSource, ...] = (
    FontSource("zh-serif", NOTO_CJK_DIR / "NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC", True),
    FontSource("zh-serif-bold", NOTO_CJK_DIR / "NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC", True),
    FontSource("zh-sans", NOTO_CJK_DIR / "NotoSansCJK-Regular.ttc", "Noto Sans CJK SC", True),
    FontSource("zh-sans-bold", NOTO_CJK_DIR / "NotoSansCJK-Bold.ttc", "Noto Sans CJK SC", True),
    FontSource("en-serif", NOTO_DIR / "NotoSerif-Regular.ttf"),
    FontSource("en-serif-bold", NOTO_DIR / "NotoSerif-Bold.ttf"),
    FontSource("en-serif-italic", NOTO_DIR / "NotoSerif-Italic.ttf"),
    FontSource("en-sans", NOTO_DIR / "NotoSans-Regular.ttf"),
    FontSource("en-sans-bold", NOTO_DIR / "NotoSans-Bold.ttf"),
)


def source(key: str) -> FontSource:
    """The font source registered under this key."""
    for row in FONT_SOURCES:
        if row.key == key:
            return row
    raise KeyError(key)


def _require(path: Path) -> None:
    if not path.is_file():
        raise ToolMissing(
            f"font file not found: {path}",
            hint="install Debian's fonts-noto-cjk and fonts-noto-core (the Makefile set-up does this)",
        )


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _font_digest(path: Path, folder: Path) -> str:
    """The sha256 of a font file, remembered next to the cache while its size and mtime stay the same."""
    stat = path.stat()
    stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
    note = folder / f"digest-{hashlib.sha256(str(path).encode()).hexdigest()[:16]}.txt"
    try:
        recorded, digest = note.read_text(encoding="ascii").split()
        if recorded == stamp and len(digest) == 64:
            return digest
    except (OSError, ValueError):
        pass
    digest = _sha256_file(path)
    tmp = note.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(f"{stamp} {digest}\n", encoding="ascii")
    tmp.replace(note)
    return digest


def _face_index(path: Path, family: str) -> int:
    """The index in a collection of the face with this family name."""
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(path), lazy=True)
    try:
        for index, font in enumerate(collection.fonts):
            if font["name"].getDebugName(1) == family:
                return index
    finally:
        collection.close()
    raise ToolMissing(f"{path} has no face named {family!r}", hint="install Debian's fonts-noto-cjk")


def _convert(path: Path, family: str, chars: frozenset[int], target: Path) -> None:
    """Subset one CFF face to these characters and write it with TrueType outlines."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    # recalcTimestamp=False: the converted file must not carry the time of conversion.
    font = TTFont(str(path), fontNumber=_face_index(path, family), lazy=False, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = []  # ReportLab does not shape: keep only the mapped glyphs
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_bounds = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(chars))
    subsetter.subset(font)

    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        # reverse_direction: CFF contours run counter-clockwise, TrueType ones clockwise.
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 3.0  # no glyph names: smaller, and nothing reads them
    post.extraNames = []
    post.mapping = {}
    font.sfntVersion = "\x00\x01\x00\x00"
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    font.save(str(tmp))
    font.close()
    tmp.replace(target)  # atomic: a parallel build never loads a half-written font


def prepared_path(
    src: FontSource, chars: frozenset[int], cache_dir: Path, log: logging.Logger | None = None
) -> Path:
    """A TrueType file ReportLab can embed for this source, converted once and cached."""
    log = log or logging.getLogger("archivekit")
    _require(src.path)
    if not src.needs_conversion:
        return src.path
    # The key uses the characters asked for, not those the face has: reading a CJK face's cmap
    # costs more than the whole cached build, and the subsetter skips characters it lacks.
    wanted = frozenset(chars)
    folder = cache_dir / "fonts"
    folder.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256()
    for part in (CONVERTER_VERSION, _font_digest(src.path, folder), src.family or "", repr(MAX_ERR)):
        key.update(part.encode() + b"\0")
    key.update(",".join(f"{c:x}" for c in sorted(wanted)).encode())
    target = folder / f"{src.key}-{key.hexdigest()[:24]}.ttf"
    if target.is_file():
        log.debug("font cache hit: %s -> %s", src.key, target.name)
        return target
    log.debug("font cache miss: converting %s (%d characters)", src.key, len(wanted))
    _convert(src.path, src.family or "", wanted, target)
    return target
