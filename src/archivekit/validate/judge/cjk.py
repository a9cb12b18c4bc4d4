"""CJK line rules (kinsoku) read from a PDF's lines: no line starts with a closing mark, none ends
with an opening one."""

from __future__ import annotations

import re

from archivekit.errors import Finding
from archivekit.validate.judge.findings import finding
from archivekit.validate.judge.pages import Page

CLOSING = set("，。、；：？！）》」』”〉】〕")
OPENING = set("（《「『“〈【〔")
# Marks Latin text uses too (German closes with “): they break the rules only beside CJK text.
SHARED = set("“”,:;!?)")
ASCII_CLOSING = set(",:;!?)")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _cjk(char: str) -> bool:
    return bool(_CJK.match(char))


def check(page: Page, artifact: str) -> list[Finding]:
    """Every line of a page that breaks the rules, with its text."""
    out = []
    previous = ""
    for line in page.lines:
        text = line.text.strip()
        if not text:
            continue
        first, last = text[0], text[-1]
        # A shared mark belongs to CJK text when CJK stands before it (end of the previous line) or after it.
        starts_cjk = first not in SHARED or _cjk(previous[-1:]) or _cjk(text[1:2])
        ends_cjk = last not in SHARED or _cjk(text[-2:-1])
        if (first in CLOSING or first in ASCII_CLOSING) and starts_cjk:
            out.append(_finding(artifact, page.number, text, f"starts with the closing mark {first!r}"))
        if last in OPENING and ends_cjk:
            out.append(_finding(artifact, page.number, text, f"ends with the opening mark {last!r}"))
        previous = text
    return out


def _finding(artifact: str, page: int, text: str, what: str) -> Finding:
    return finding(
        "cjk-line-rule",
        artifact,
        f"page {page}",
        f"the line “{text[:30]}” {what}",
        "line breaking must carry the mark to the line it belongs to (kinsoku: push it back or pull the next"
        " character)",
    )
