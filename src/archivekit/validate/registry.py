"""Which validator judges which artifact: decided from the manifest's media_type and conforms_to."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from archivekit.validate import ace, axe, braille, epubcheck, judge, preflight, tools, verapdf, vnu
from archivekit.validate.base import JUDGE_NAMES, Outcome, Target
from archivekit.validate.tools import Tool

Runner = Callable[[Tool, list[Target], Path, Path], Outcome]

# Fixed order: report.json and the table list validators in this order.
RUNNERS: dict[str, Runner] = {
    "verapdf": verapdf.run,
    "epubcheck": epubcheck.run,
    "ace": ace.run,
    "vnu": vnu.run,
    "axe": axe.run,
    "preflight": preflight.run,
    "braille": braille.run,
    "judge": judge.run,
}
NAMES = {
    **JUDGE_NAMES,
    "preflight": preflight.NAME,
    "braille": braille.NAME,
    "judge": judge.NAME,
}
SKIP_FORMATS = {"validation-report"}  # our own output is not judged by the tools it reports on


def status() -> dict[str, Tool]:
    """Return every validator's Tool, keyed by adapter name (the print preflight's tools are Debian's).

    Here, not in `tools`: the adapters import `tools`, and this registry imports them all.
    """
    return {
        **{key: find() for key, find in tools.ALL.items()},
        "preflight": preflight.tool(),
        "braille": braille.tool(),
        "judge": judge.tool(),
    }


def validators_for(entry: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    """Return (validator key, claims it checks) for one manifest artifact entry."""
    if entry.get("format") in SKIP_FORMATS:
        return []
    # archivekit's own judge reads every edition of the text, whatever else judges it.
    return _tools_for(entry) + [("judge", ())] * judge.applies(entry)


def _tools_for(entry: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    media = str(entry.get("media_type", "")).split(";")[0].strip().lower()
    claims = tuple(str(c) for c in entry.get("conforms_to") or [])
    path = str(entry.get("path", "")).lower()
    if media == "application/pdf":
        # PDF/X-4 and other print claims are not veraPDF's: the print preflight judges them.
        pdf_claims = tuple(c for c in claims if verapdf.flavour(c))
        print_claims = preflight.applies(entry)
        return [("verapdf", pdf_claims)] * bool(pdf_claims) + [("preflight", print_claims)] * bool(
            print_claims
        )
    if media == "application/epub+zip":
        return [("epubcheck", claims), ("ace", claims)]
    if media in ("text/html", "application/xhtml+xml") or path.endswith((".html", ".htm")):
        return [("vnu", claims), ("axe", claims)]
    return [("braille", claims)] * braille.applies(entry)


def plan(build_dir: Path, manifest: dict[str, Any]) -> dict[str, list[Target]]:
    """Group a build's artifacts by validator, so each tool runs once per build."""
    jobs: dict[str, list[Target]] = {key: [] for key in RUNNERS}
    for entry in manifest.get("artifacts", []):
        for key, claims in validators_for(entry):
            if key not in jobs:
                continue  # a validator left out of RUNNERS (tests leave out the judge)
            rel = str(entry["path"])
            jobs[key].append(Target(rel, build_dir / rel, claims))
    # Sorted by path, not manifest order: recording the report re-sorts the manifest, and the next run
    # must list artifacts (and so write report.json) in the same order.
    return {k: sorted(v, key=lambda t: t.artifact) for k, v in jobs.items() if v}
