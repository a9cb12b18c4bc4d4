"""Legibility of PDF pages: no glyph over another line's glyph, no text past the trim box, no page
holding only a heading or only a running head."""

from __future__ import annotations

from statistics import median

from archivekit.errors import Finding
from archivekit.validate.judge.findings import finding
from archivekit.validate.judge.pages import Page

TOLERANCE_PT = 0.5
# Poppler's word boxes run from ascender to descender: lines set solid touch, and a CJK face's box
# is taller than its ink. Only overlaps deeper than this share of the smaller line's height count.
DEPTH_SHARE = 0.25
MARGIN_SHARE = 0.1  # running heads and folios stand in the page's top and bottom tenths
HEADING_SCALE = 1.2  # a line this much taller than the body's median is a heading


def overlaps(page: Page, artifact: str) -> list[Finding]:
    """Words of two different lines that cover each other."""
    out: list[Finding] = []
    lines = sorted(page.lines, key=lambda ln: ln.box.y0)
    for i, a in enumerate(lines):
        for b in lines[i + 1 :]:
            if b.box.y0 > a.box.y1:
                break
            if min(a.box.overlap(b.box)) <= TOLERANCE_PT:
                continue
            depth_limit = max(TOLERANCE_PT, DEPTH_SHARE * min(a.box.y1 - a.box.y0, b.box.y1 - b.box.y0))
            hit = _words_overlap(a, b, depth_limit)
            if hit:
                out.append(
                    finding(
                        "legibility-overlap",
                        artifact,
                        f"page {page.number}",
                        f"“{hit[0]}” (line “{a.text[:30]}”) and “{hit[1]}” (line “{b.text[:30]}”) "
                        f"are printed over each other ({hit[2]:.1f} x {hit[3]:.1f} pt)",
                        "the layout put two lines in one place: give the lower one its own line or page",
                    )
                )
    return out


def _words_overlap(a, b, depth_limit: float) -> tuple[str, str, float, float] | None:
    for box_a, word_a in a.words:
        for box_b, word_b in b.words:
            dx, dy = box_a.overlap(box_b)
            if dx > TOLERANCE_PT and dy > depth_limit:
                return word_a, word_b, dx, dy
    return None


def outside(page: Page, artifact: str) -> list[Finding]:
    """Words that reach past the trim box (past the media box when there is none)."""
    out = []
    t = page.trim
    for line in page.lines:
        for box, word in line.words:
            if (
                box.x0 < t.x0 - TOLERANCE_PT
                or box.y0 < t.y0 - TOLERANCE_PT
                or box.x1 > t.x1 + TOLERANCE_PT
                or box.y1 > t.y1 + TOLERANCE_PT
            ):
                out.append(
                    finding(
                        "legibility-outside-trim",
                        artifact,
                        f"page {page.number}",
                        f"“{word}” at ({box.x0:.1f}, {box.y0:.1f})-({box.x1:.1f}, {box.y1:.1f}) pt: outside "
                        f"the trim box ({t.x0:.1f}, {t.y0:.1f})-({t.x1:.1f}, {t.y1:.1f})",
                        "keep text inside the type area: a line too long for the measure or a box misplaced",
                    )
                )
                break
    return out


def lonely(pages: list[Page], artifact: str) -> list[Finding]:
    """Pages whose only text is a running head or folio, or a heading with nothing after it."""
    heights = [ln.box.y1 - ln.box.y0 for p in pages for ln in p.lines]
    if not heights:
        return []
    body_height = median(heights)
    out = []
    for page in pages[1:]:  # the first page is the title page: a title alone is its purpose
        if not page.lines:
            continue  # a blank page (a verso, padding to a signature) is not a fault
        top, bottom = page.height * MARGIN_SHARE, page.height * (1 - MARGIN_SHARE)
        body = [ln for ln in page.lines if ln.box.y1 > top and ln.box.y0 < bottom]
        if not body:
            what = "only a running head or folio"
        elif all(ln.box.y1 - ln.box.y0 > HEADING_SCALE * body_height for ln in body):
            what = f"only a heading (“{body[0].text[:30]}”)"
        else:
            continue
        out.append(
            finding(
                "legibility-lonely-page",
                artifact,
                f"page {page.number}",
                f"the page holds {what}",
                "keep a heading with the text it introduces; do not start a page for a running head alone",
            )
        )
    return out
