"""Print preflight adapter: judges PDF/X-4 claims with Ghostscript, poppler and the box checks.

No validator this project runs judges PDF/X (veraPDF does PDF/A and PDF/UA), so print PDFs are
preflighted here as a printer's prepress would: boxes, bleed, fonts embedded (pdffonts), no
RGB in content, page count a multiple of 4, and Ghostscript's inkcov (C = M = Y = 0, no
warnings while rendering). One raw report per PDF goes to validation/.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from archivekit.errors import Finding
from archivekit.validate.base import ERROR, WARNING, Outcome, Target, save_raw, scrub
from archivekit.validate.print_preflight import preflight
from archivekit.validate.tools import Tool

KEY = "preflight"
NAME = "print preflight"
CLAIMS = ("PDF/X-4",)
INSTALL_HINT = "install ghostscript and poppler-utils (Debian: apt-get install ghostscript poppler-utils)"


def _version(args: list[str]) -> str:
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    text = (proc.stdout or proc.stderr).strip().splitlines()
    return text[0].split()[-1] if text else ""


def tool() -> Tool:
    """Ghostscript and pdffonts, found on PATH."""
    gs, pdffonts = shutil.which("gs"), shutil.which("pdffonts")
    if gs is None or pdffonts is None:
        missing = " and ".join(n for n, p in (("gs", gs), ("pdffonts", pdffonts)) if p is None)
        return Tool(NAME, missing=f"{missing} not found on PATH; {INSTALL_HINT}")
    version = f"Ghostscript {_version([gs, '--version'])}; poppler {_version([pdffonts, '-v'])}"
    return Tool(NAME, version=version, paths={"gs": Path(gs), "pdffonts": Path(pdffonts)})


def applies(entry: dict[str, Any]) -> tuple[str, ...]:
    """The print claims of one manifest artifact this adapter judges (empty: not ours)."""
    media = str(entry.get("media_type", "")).split(";")[0].strip().lower()
    if media != "application/pdf":
        return ()
    return tuple(c for c in entry.get("conforms_to") or [] if c in CLAIMS)


def run(tool: Tool, targets: list[Target], build_dir: Path, out_dir: Path) -> Outcome:
    """Preflight every print PDF of a build; one finding per issue, one raw report per file."""
    outcome = Outcome(KEY, NAME, tool.version, targets)
    roots = {str(build_dir.resolve()): "", str(build_dir): ""}
    for t in targets:
        result = preflight(t.path)
        save_raw(out_dir, outcome, t.artifact, result.as_dict(), roots)
        for issue in result.issues:
            severity = ERROR if issue.severity == ERROR else WARNING
            outcome.findings.append(
                Finding(
                    NAME,
                    tool.version,
                    issue.code,
                    severity,
                    t.artifact,
                    issue.location,
                    scrub(issue.message, roots),
                )
            )
    return outcome
