"""The typographic design as data: one row per kind of text, sizes in points."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from reportlab.lib.units import mm


@dataclass(frozen=True)
class Face:
    """A resolved font: the registered ReportLab name, size and baseline shift."""

    font: str
    size: float
    rise: float = 0.0


@dataclass(frozen=True)
class BlockStyle:
    """How a kind of block is set: fonts in fallback order, size, leading, indents, alignment, spacing."""

    fonts: tuple[str, ...]
    size: float
    leading: float
    align: str = "justify"  # "justify" | "left" | "center" | "right"
    first_indent: float = 0.0  # in ems of `size`
    left_indent: float = 0.0  # points (lists, notes)
    space_before: float = 0.0
    space_after: float = 0.0
    keep_with_next: bool = False
    bold_fonts: tuple[str, ...] = ()
    italic_fonts: tuple[str, ...] = ()
    balance: bool = False  # headings and titles: lines of even length, never one character alone


ZH_SERIF = ("zh-serif", "en-serif")
EN_SERIF = ("en-serif", "zh-serif")
ZH_SANS = ("zh-sans", "en-sans")
EN_SANS = ("en-sans", "zh-sans")

BODY_SIZE = 10.5  # Chinese 五号, the size of letters and books in Chinese print

STYLES: dict[str, BlockStyle] = {
    "body-zh": BlockStyle(
        ZH_SERIF,
        BODY_SIZE,
        19.0,
        first_indent=2,
        space_after=2,
        bold_fonts=("zh-serif-bold", "en-serif-bold"),
    ),
    "body-en": BlockStyle(
        EN_SERIF,
        10,
        15.0,
        first_indent=1.2,
        space_after=2,
        bold_fonts=("en-serif-bold", "zh-serif-bold"),
        italic_fonts=("en-serif-italic", "zh-serif"),
    ),
    "dateline-zh": BlockStyle(ZH_SERIF, BODY_SIZE, 19.0, align="right", space_after=8),
    "salutation-zh": BlockStyle(ZH_SERIF, BODY_SIZE, 19.0, align="left", space_after=4),
    "closing-zh": BlockStyle(ZH_SERIF, BODY_SIZE, 19.0, align="left", first_indent=2, space_before=6),
    "signature-zh": BlockStyle(ZH_SERIF, BODY_SIZE, 19.0, align="right", space_before=6),
    "item-zh": BlockStyle(ZH_SERIF, BODY_SIZE, 19.0, left_indent=2 * BODY_SIZE, space_after=2),
    "h2-zh": BlockStyle(
        ("zh-serif-bold", "en-serif-bold"),
        14,
        22,
        align="center",
        space_before=4,
        space_after=10,
        keep_with_next=True,
        balance=True,
    ),
    "h2-en": BlockStyle(
        ("en-serif-bold", "zh-serif-bold"),
        12,
        18,
        align="center",
        space_before=4,
        space_after=10,
        keep_with_next=True,
        balance=True,
    ),
    "kicker-zh": BlockStyle(ZH_SERIF, 10, 16, align="center", keep_with_next=True),
    "kicker-en": BlockStyle(EN_SERIF, 9.5, 14, align="center", keep_with_next=True),
    # The parallel statement: narrower columns, a little smaller.
    "col-zh": BlockStyle(ZH_SERIF, 9.5, 16.5, first_indent=2, space_after=6),
    "col-en": BlockStyle(EN_SERIF, 8.8, 12.6, align="left", space_after=6),
    "note-zh": BlockStyle(ZH_SERIF, 8.5, 13, left_indent=12),
    # Editorial matter is set in sans, so the edition's words never pass for the source's.
    "ed-title": BlockStyle(
        ("zh-sans-bold", "en-sans-bold"),
        15,
        24,
        align="center",
        space_after=4,
        keep_with_next=True,
        balance=True,
    ),
    "ed-part-title": BlockStyle(
        ("zh-sans-bold", "en-sans-bold"),
        10.5,
        16,
        align="center",
        space_before=14,
        space_after=14,
        keep_with_next=True,
        balance=True,
    ),
    "ed-h2": BlockStyle(
        ("en-sans-bold", "zh-sans-bold"), 10, 15, align="left", space_after=6, keep_with_next=True
    ),
    "ed-body": BlockStyle(
        EN_SANS, 8, 12, align="left", space_after=4, bold_fonts=("en-sans-bold", "zh-sans-bold")
    ),
    "ed-body-zh": BlockStyle(ZH_SANS, 8, 12, align="left", space_after=4),
    "furniture": BlockStyle(ZH_SANS, 7.5, 10, align="center"),
}

MARGINS = {"top": 18 * mm, "bottom": 20 * mm, "min_side": 15 * mm}
NOTE_SEPARATION = 10.0  # space between the text and the footnote rule
COLUMN_GUTTER = 12.0
ZH_COLUMN_SHARE = 0.42  # Chinese runs about half the length of English: give it less width


CJK_LANGUAGES = frozenset({"zh", "ja", "ko", "yue", "lzh"})


def is_cjk(lang: str | None) -> bool:
    """Whether a language is set in the CJK design (Han, kana, hangul), else in the Latin one."""
    return lang is None or lang.split("-")[0].lower() in CJK_LANGUAGES


def localise(chain: tuple[str, ...], variant: str | None) -> tuple[str, ...]:
    """A font chain with its CJK faces swapped for a variant's ("tc", "jp", "kr"; None: as is)."""
    if variant is None:
        return chain
    return tuple(f"{key}-{variant}" if key.startswith("zh-") else key for key in chain)


class StyleSheet:
    """A design's rows by kind of block, and the Latin chain a foreign-language span takes."""

    def __init__(self, rows: Mapping[str, BlockStyle], latin: tuple[str, ...] = EN_SERIF) -> None:
        self.rows = dict(rows)
        self.latin = latin

    def __getitem__(self, key: str) -> BlockStyle:
        return self.rows[key]

    def style(self, name: str, lang: str | None = None) -> BlockStyle:
        """The style row for a kind of block, in a language's variant when there is one.

        Every language not set in Han characters (French, German, Russian, ...) takes the Latin
        design: Noto Serif covers Latin, Greek and Cyrillic.
        """
        variant = "zh" if is_cjk(lang) else "en"
        for key in (f"{name}-{variant}", name, f"{name}-zh", f"body-{variant}"):
            if key in self.rows:
                return self.rows[key]
        raise KeyError(name)


DESIGN = StyleSheet(STYLES)


def style(name: str, lang: str | None = None) -> BlockStyle:
    """The style row of the house design (see StyleSheet.style)."""
    return DESIGN.style(name, lang)


def scaled(base: BlockStyle, factor: float) -> BlockStyle:
    """The same style at another size (print proofs, other page sizes)."""
    return replace(base, size=base.size * factor, leading=base.leading * factor)
