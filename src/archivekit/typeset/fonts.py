"""Fonts for the PDF: which files, how they are prepared for ReportLab, and where they are cached.

ReportLab embeds only TrueType (glyf) outlines, and Noto Serif CJK ships CFF outlines in a
collection. So every face is prepared for the characters an edition draws: a CJK face's glyphs
for them are converted to quadratic outlines, a Latin face is subset to them with its hinting
dropped. The result is cached under ctx.cache_dir/"fonts" by a hash of the font file, the face,
the characters and this preparation's version, so a rebuild loads a small prepared file instead
of preparing it again; faces missing from the cache are prepared side by side on the machine's
cores.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archivekit.errors import ToolMissing
from archivekit.toolpaths import ENV_FONTS, font_dirs, font_file, usable_cores

# Bump when the preparation below or the cache entry changes, so fonts cached by older code are
# not reused (4: each entry has its sha256 beside it).
CONVERTER_VERSION = "4"
# cu2qu tolerance in font units (1000 to the em): the quadratic outline stays within 2 units,
# 0.002 em, of the cubic one: 0.021 pt (0.007 mm) at the 10.5 pt body size, 0.036 pt at the 18 pt
# title, about one dot of a 2400 dpi platesetter (0.03 pt) and far below a screen pixel. 1.0 made
# the CJK glyph data about 6 % larger for no visible gain.
MAX_ERR = 2.0
# The name records kept: 1-6 (family, subfamily, unique id, full name, version, PostScript name:
# ReportLab reads 1, 2, 4 and 6 for the font dictionary) and the copyright (0) and licence URL
# (14), so every embedded copy still says whose font it is and under which licence; the OFL FAQ
# (1.11) lets a font embedded in a document go without the licence text (13). Only the Windows
# US English records: the ones ReportLab reads. All names in all languages were ~2.3 KB a font.
NAME_IDS = frozenset({0, 1, 2, 3, 4, 5, 6, 14})
NAME_RECORD = (3, 1, 0x409)  # platform Windows, encoding Unicode BMP, language US English


@dataclass(frozen=True)
class FontSource:
    """A font on disk: the file, the face to use (by family name in a collection), its role."""

    key: str  # the name ReportLab registers it under
    path: Path
    family: str | None = None  # for collections: the family name of the face to take
    needs_conversion: bool = False  # CFF outlines: convert to TrueType


# The fonts of the design: a Song/Ming serif for Chinese, a matching Latin serif, and a sans for
# editorial matter so a reader can tell the edition's words from the source's at a glance.
FONT_SOURCES: tuple[FontSource, ...] = (
    FontSource("zh-serif", font_file("NotoSerifCJK-Regular.ttc"), "Noto Serif CJK SC", True),
    FontSource("zh-serif-bold", font_file("NotoSerifCJK-Bold.ttc"), "Noto Serif CJK SC", True),
    FontSource("zh-sans", font_file("NotoSansCJK-Regular.ttc"), "Noto Sans CJK SC", True),
    FontSource("zh-sans-bold", font_file("NotoSansCJK-Bold.ttc"), "Noto Sans CJK SC", True),
    FontSource("en-serif", font_file("NotoSerif-Regular.ttf")),
    FontSource("en-serif-bold", font_file("NotoSerif-Bold.ttf")),
    FontSource("en-serif-italic", font_file("NotoSerif-Italic.ttf")),
    FontSource("en-sans", font_file("NotoSans-Regular.ttf")),
    FontSource("en-sans-bold", font_file("NotoSans-Bold.ttf")),
)


# Han characters take a different shape in each writing tradition (the same code point: 骨, 直,
# 戶): Traditional Chinese, Japanese and Korean text gets its own face of the same collections.
# The face is found by family name, so the cache key (which holds the family) differs per face.
# Key of the Simplified Chinese font -> key of the variant, per script tag.
CJK_VARIANT_OF: dict[str, str] = {"tc": "TC", "jp": "JP", "kr": "KR"}
VARIANT_SOURCES: tuple[FontSource, ...] = tuple(
    FontSource(f"{base.key}-{suffix}", base.path, base.family.replace(" SC", f" {family}"), True)
    for suffix, family in CJK_VARIANT_OF.items()
    for base in FONT_SOURCES
    if base.family is not None
)


def cjk_variant(lang: str | None) -> str | None:
    """The CJK face variant ("tc", "jp", "kr") a language tag is set in; None: Simplified Chinese."""
    if not lang:
        return None
    subtags = [tag.lower() for tag in lang.split("-")]
    if subtags[0] == "ja":
        return "jp"
    if subtags[0] == "ko":
        return "kr"
    if subtags[0] in ("zh", "yue", "lzh") and (
        "hant" in subtags or ({"tw", "hk", "mo"} & set(subtags) and "hans" not in subtags)
    ):
        return "tc"
    return None


def sources_for(langs: Iterable[str | None]) -> tuple[FontSource, ...]:
    """The design's fonts plus the CJK variants these languages need (none are prepared unasked)."""
    variants = {cjk_variant(lang) for lang in langs} - {None}
    extra = tuple(src for src in VARIANT_SOURCES if src.key.rsplit("-", 1)[1] in variants)
    return FONT_SOURCES + extra


def source(key: str) -> FontSource:
    """The font source registered under this key."""
    for row in FONT_SOURCES + VARIANT_SOURCES:
        if row.key == key:
            return row
    raise KeyError(key)


def _require(path: Path) -> None:
    if not path.is_file():
        raise ToolMissing(
            f"font file not found: {path.name} (looked in {', '.join(map(str, font_dirs()))})",
            hint="install Debian's fonts-noto-cjk and fonts-noto-core (the Makefile set-up does this), "
            f"or name the folder holding it in ${ENV_FONTS}",
        )


_digests: dict[tuple[str, str, str], str] = {}  # (font, size:mtime, cache folder) -> sha256, this process


def _font_digest(path: Path, folder: Path) -> str:
    """The sha256 of a font file, remembered next to the cache while its size and mtime stay the same."""
    stat = path.stat()
    stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
    key = (str(path), stamp, str(folder))
    known = _digests.get(key)
    if known is None:
        known = _digests[key] = _recorded_digest(path, folder, stamp)
    return known


def _recorded_digest(path: Path, folder: Path, stamp: str) -> str:
    note = folder / f"digest-{hashlib.sha256(str(path).encode()).hexdigest()[:16]}.txt"
    try:
        recorded, digest = note.read_text(encoding="ascii").split()
        if recorded == stamp and len(digest) == 64:
            return digest
    except (OSError, ValueError):
        pass
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    tmp = note.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(f"{stamp} {digest}\n", encoding="ascii")
    tmp.replace(note)
    return digest


def _face_index(path: Path, family: str | None) -> int:
    """The index in a collection of the face with this family name (0 for a single font)."""
    if family is None:
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(path), lazy=True)
    try:
        for index, font in enumerate(collection.fonts):
            if font["name"].getDebugName(1) == family:
                return index
    finally:
        collection.close()
    raise ToolMissing(f"{path} has no face named {family!r}", hint="install Debian's fonts-noto-cjk")


def _trim_names(font: Any) -> None:
    """Keep only the name records a PDF needs (see NAME_IDS)."""
    table = font["name"]
    table.names = [
        record
        for record in table.names
        if record.nameID in NAME_IDS and (record.platformID, record.platEncID, record.langID) == NAME_RECORD
    ]


def _save(font: Any, target: Path) -> None:
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    font.save(str(tmp))
    font.close()
    # The sha256 goes in first, the font last, each by an atomic rename: a killed writer leaves
    # no entry or one that fails its check, never a half-written font that is trusted.
    note = _sum_path(target).with_suffix(f".sha256.tmp{os.getpid()}")
    note.write_text(f"{_sha256(tmp)}\n", encoding="ascii")
    note.replace(_sum_path(target))
    tmp.replace(target)


def _sum_path(target: Path) -> Path:
    return target.with_suffix(".sha256")


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


# A cached font found intact by this process, with the stat of it and of its sha256 file then: a
# resident process (watch, preview) checks each again only once either file has changed.
_intact_as: dict[Path, tuple[tuple[int, int, int], ...]] = {}


def _stamp(*paths: Path) -> tuple[tuple[int, int, int], ...] | None:
    try:
        stats = [path.stat() for path in paths]
    except OSError:
        return None
    return tuple((st.st_size, st.st_mtime_ns, st.st_ino) for st in stats)


def _intact(target: Path, log: logging.Logger) -> bool:
    """Whether a cached font is present and matches its recorded sha256; a damaged one is removed
    (with a warning) so it is prepared again."""
    if not target.is_file():
        return False
    stamp = _stamp(target, _sum_path(target))
    if stamp is not None and _intact_as.get(target) == stamp:
        return True
    try:
        if _sum_path(target).read_text(encoding="ascii").strip() == _sha256(target):
            if stamp is not None:
                _intact_as[target] = stamp
            return True
        problem = "its content does not match its sha256"
    except (OSError, UnicodeDecodeError) as exc:
        problem = f"no readable sha256 ({exc.strerror if isinstance(exc, OSError) else exc})"
    log.warning("font cache entry %s is damaged (%s): preparing the font again", target, problem)
    target.unlink(missing_ok=True)
    return False


def _convert(path: Path, index: int, chars: frozenset[int], target: Path) -> None:
    """Write the glyphs of these characters in one CFF face as a TrueType font."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

    # No subsetter: it would decompile the face's layout tables and prune its CFF subroutines,
    # two thirds of the time, for tables the TrueType font does not keep. lazy=True reads only the
    # tables and glyphs used here; recalcTimestamp=False: no time of conversion in the file.
    face = TTFont(str(path), fontNumber=index, lazy=True, recalcTimestamp=False)
    best = face.getBestCmap()
    mapping = {code: best[code] for code in sorted(chars) if code in best}
    ids = face.getReverseGlyphMap()
    notdef = face.getGlyphOrder()[0]
    order = [notdef, *sorted(set(mapping.values()) - {notdef}, key=ids.__getitem__)]

    glyph_set = face.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    hmtx = newTable("hmtx")
    hmtx.metrics = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # reverse_direction: CFF contours run counter-clockwise, TrueType ones clockwise.
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyph = pen.glyph()
        glyph.recalcBounds(glyf)
        glyf[name] = glyph
        # TrueType wants the left side bearing to be the outline's xMin (CFF's may differ by a unit).
        hmtx[name] = (face["hmtx"][name][0], getattr(glyph, "xMin", 0))

    cmap = newTable("cmap")
    cmap.tableVersion = 0
    cmap.tables = []
    for fmt, encoding, codes in (
        (4, 1, {c: g for c, g in mapping.items() if c <= 0xFFFF}),
        (12, 10, mapping if max(mapping, default=0) > 0xFFFF else {}),
    ):
        if codes or fmt == 4:
            sub = CmapSubtable.newSubtable(fmt)
            sub.platformID, sub.platEncID, sub.language, sub.cmap = 3, encoding, 0, codes
            cmap.tables.append(sub)

    font = TTFont(recalcTimestamp=False)  # sfntVersion 0x00010000: TrueType outlines
    font.setGlyphOrder(order)
    for tag in ("head", "hhea", "OS/2", "name", "maxp", "post"):
        font[tag] = face[tag]
    font["glyf"], font["loca"], font["hmtx"], font["cmap"] = glyf, newTable("loca"), hmtx, cmap
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
    _trim_names(font)
    _save(font, target)
    face.close()


def _subset(path: Path, chars: frozenset[int], target: Path) -> None:
    """Write one TrueType font subset to these characters, without hinting."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = []  # ReportLab does not shape: keep only the mapped glyphs
    # The layout tables would only be decompiled to be emptied: ReportLab embeds none of them.
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "STAT"]
    # Hinting (fpgm, prep, cvt and each glyph's instructions) was a third of each embedded Latin
    # font; print and today's screen rasterizers do not need it at text sizes.
    options.hinting = False
    options.name_IDs = ["*"]  # trimmed by _trim_names, the one rule for every face
    options.name_languages = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(chars))
    subsetter.subset(font)
    _trim_names(font)
    _save(font, target)


@dataclass(frozen=True)
class _Job:
    """One face to prepare: picklable, so a worker process can do it."""

    src: FontSource
    index: int
    chars: frozenset[int]
    target: Path


def _prepare(job: _Job) -> None:
    if job.src.needs_conversion:
        _convert(job.src.path, job.index, job.chars, job.target)
    else:
        _subset(job.src.path, job.chars, job.target)


def _workers(jobs: int) -> int:
    """How many processes to prepare this many faces in."""
    # Inside a worker of another pool (pipeline.build_many --jobs N runs editions in processes),
    # the cores are already shared out: a pool here would oversubscribe them.
    if jobs < 2 or multiprocessing.parent_process() is not None:
        return 1
    # Only fork is safe and cheap here (fontTools is already imported), and only while no other
    # thread runs (fork would copy a lock one holds). spawn and forkserver would run the program's
    # __main__ again in each worker: `python -m archivekit` would start a build there.
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1
    cores = usable_cores()
    return max(1, min(jobs, cores))


def _run(jobs: list[_Job], log: logging.Logger) -> None:
    """Prepare these faces, in parallel when there are several and cores to spare."""
    workers = _workers(len(jobs))
    if workers > 1:
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                list(pool.map(_prepare, jobs))
            return
        except (BrokenProcessPool, NotImplementedError, OSError) as exc:
            # No process pool here (a sandbox without semaphores, a killed worker): the same work
            # in this process; faces already written are not prepared again.
            log.debug("font preparation in parallel failed (%s): preparing serially", exc)
    for job in jobs:
        if not job.target.is_file():
            _prepare(job)


def _target(src: FontSource, chars: frozenset[int], folder: Path, listing: bytes | None = None) -> Path:
    """The cache file of this face prepared for these characters (`listing`: _listing(chars))."""
    key = hashlib.sha256()
    for part in (CONVERTER_VERSION, _font_digest(src.path, folder), src.family or "", repr(MAX_ERR)):
        key.update(part.encode() + b"\0")
    key.update(_listing(chars) if listing is None else listing)
    return folder / f"{src.key}-{key.hexdigest()[:24]}.ttf"


def _listing(chars: frozenset[int]) -> bytes:
    return ",".join(f"{c:x}" for c in sorted(chars)).encode()


def prepare(
    sources: tuple[FontSource, ...], chars: frozenset[int], cache_dir: Path, log: logging.Logger | None = None
) -> dict[str, Path]:
    """A TrueType file ReportLab can embed for each source (key -> path), prepared once and cached."""
    log = log or logging.getLogger("archivekit")
    # The key uses the characters asked for, not those a face has: reading a CJK face's cmap
    # costs more than the whole cached build, and characters a face lacks are skipped.
    wanted = frozenset(chars)
    folder = cache_dir / "fonts"
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    jobs: list[_Job] = []
    listing = _listing(wanted)  # the same characters for every face: listed once
    for src in sources:
        _require(src.path)
        target = _target(src, wanted, folder, listing)
        paths[src.key] = target
        if _intact(target, log):
            log.debug("font cache hit: %s -> %s", src.key, target.name)
            continue
        verb = "converting" if src.needs_conversion else "subsetting"
        log.debug("font cache miss: %s %s (%d characters)", verb, src.key, len(wanted))
        # The face is looked up here, so a missing one is reported by this process, not a worker.
        jobs.append(_Job(src, _face_index(src.path, src.family), wanted, target))
    if jobs:
        _run(jobs, log)
    return paths


def prepared_path(
    src: FontSource, chars: frozenset[int], cache_dir: Path, log: logging.Logger | None = None
) -> Path:
    """A TrueType file ReportLab can embed for this source, prepared once and cached."""
    return prepare((src,), chars, cache_dir, log)[src.key]
