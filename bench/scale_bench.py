"""The scale section: long generated documents (10, 100, 300 pages), time and peak memory per format."""

from __future__ import annotations

import itertools
import json
import os
import sys
from pathlib import Path

import measure
import peers
import scale
from cases import Case, build_argv, edition_id, env_with, pdf_pages, results_of, round_robin

# Pages per repetition of the letter and pages of everything else, measured here on 2026-11-28;
# used only when the archival PDF cannot be built to measure them afresh.
FALLBACK_PAGES_PER_REP, FALLBACK_BASE_PAGES = 2.67, 3.3

# Peers at scale: the fast ones. WeasyPrint on 300 pages would take minutes a run.
SCALE_PEERS = ("pandoc-html", "pandoc-epub", "typst-pdf")


def _pdf_of(build_dir: Path) -> Path | None:
    """The archival PDF of a build, as its manifest names it (the print edition makes PDFs too)."""
    manifest = build_dir / "manifest.json"
    if not manifest.is_file():
        return None
    rows = json.loads(manifest.read_text(encoding="utf-8"))["artifacts"]
    found = [row["path"] for row in rows if row["format"] == "pdf"]
    return build_dir / found[0] if found else None


def calibrate(work: Path, edition: Path, warm_cache: Path) -> tuple[float, float, bool]:
    """Pages per repetition of the letter and pages of the rest, from two archival PDF builds."""
    pages = {}
    for reps in (1, 4):
        src = scale.make_long_edition(edition, work / "scale-calibrate" / f"x{reps}", reps)
        out = work / "scale-calibrate" / "out"
        Case(
            f"calibrate x{reps}",
            lambda i, s=src, o=out: [build_argv(s, o, ["pdf"], "--force")],
            lambda i: env_with(warm_cache),
        ).run(0)
        pdf = _pdf_of(out / edition_id(src))
        count = pdf_pages(pdf) if pdf else None
        if count is None:
            return FALLBACK_PAGES_PER_REP, FALLBACK_BASE_PAGES, False
        pages[reps] = count
    per_rep = (pages[4] - pages[1]) / 3
    return per_rep, pages[1] - per_rep, True


def scale_series(
    work: Path, edition: Path, formats: list[str], targets: list[int], runs: int, with_peers: bool
) -> dict:
    """Build long documents of about `targets` pages: each format alone, warm, and the fast peers."""
    warm_cache = work / "warm-cache"
    measured = "pdf" in formats
    per_rep, base, measured = (
        calibrate(work, edition, warm_cache)
        if measured
        else (FALLBACK_PAGES_PER_REP, FALLBACK_BASE_PAGES, False)
    )
    prepared: list[tuple[int, int, Path, Path, list[Case]]] = []
    for target in targets:
        reps = max(1, round((target - base) / per_rep))
        src = scale.make_long_edition(edition, work / "scale-sources" / f"p{target}", reps)
        root = work / "scale" / f"p{target}"
        cases: list[Case] = []
        for name in formats:
            cases.append(
                Case(
                    name,
                    lambda i, n=name, s=src, r=root: [build_argv(s, r / n, [n], "--force")],
                    lambda i: env_with(warm_cache),
                )
            )
        # Warm means every cache filled (prepared fonts, proofs, the EPUB judges' verdict) for
        # every size alike: one untimed run first, or the smallest document, run more often,
        # would be measured warm and the largest cold.
        round_robin(cases, 1, f"scale ~{target} pages: warm-up")
        for case in cases:
            case.stats = measure.Stats()
        if with_peers:
            inputs = peers.prepare(src, root / "peer-inputs")
            (root / "peers").mkdir(parents=True, exist_ok=True)
            for name, argv in peers.commands(inputs, root / "peers").items():
                if name in SCALE_PEERS:
                    cases.append(Case(name, lambda i, a=argv: [a], lambda i: dict(os.environ)))
        prepared.append((target, reps, src, root, cases))
    # Every size in each round, as every case: the cost of a page is the difference between two
    # sizes, and sizes timed minutes apart would carry the machine's drift between them into it.
    # Small documents take a second or so, where the machine's noise weighs most: three runs at least.
    target_runs = max(runs, 3)
    every = [case for *_, cases in prepared for case in cases]
    round_robin(every, target_runs, f"scale ~{', '.join(map(str, targets))} pages, interleaved")
    series: dict[str, dict] = {}
    for target, reps, src, root, cases in prepared:
        ident = edition_id(src)
        pdf = _pdf_of(root / "pdf" / ident) if "pdf" in formats else None
        typst_pdf = root / "peers" / "typst.pdf"
        series[str(target)] = {
            "letters": reps,
            "pages": pdf_pages(pdf) if pdf else None,
            "typst_pages": pdf_pages(typst_pdf) if typst_pdf.is_file() else None,
            "pages_measured": measured,
            "runs": target_runs,
            "cases": results_of(cases),
        }
        print(f"  scale ~{target}: {series[str(target)]['pages']} pages", file=sys.stderr)
    return {"targets": targets, "runs": runs, "series": series, "growth": growth(series)}


def growth(series: dict[str, dict]) -> dict[str, dict]:
    """How each case grows from the smallest to the largest document: time ratio, per-page cost, memory."""
    keys = sorted(series, key=int)
    if len(keys) < 2:
        return {}
    small, large = series[keys[0]], series[keys[-1]]
    pages_small = small["pages"] or int(keys[0])
    pages_large = large["pages"] or int(keys[-1])
    out = {}
    for name, stats in large["cases"].items():
        before = small["cases"].get(name)
        if not before or "median_s" not in before or "median_s" not in stats:
            continue
        t_small, t_large = before["median_s"], stats["median_s"]
        # The cost of each added page between consecutive sizes: rising steps mean worse than linear.
        steps = []
        for a, b in itertools.pairwise(keys):
            row_a, row_b = series[a]["cases"].get(name, {}), series[b]["cases"].get(name, {})
            if "median_s" in row_a and "median_s" in row_b:
                pages_a, pages_b = series[a]["pages"] or int(a), series[b]["pages"] or int(b)
                added = max(1, pages_b - pages_a)
                steps.append(round(1000 * (row_b["median_s"] - row_a["median_s"]) / added, 1))
        out[name] = {
            "ms_per_page_steps": steps,
            "time_ratio": round(t_large / t_small, 2),
            "pages_ratio": round(pages_large / pages_small, 2),
            "ms_per_page": round(1000 * (t_large - t_small) / max(1, pages_large - pages_small), 1),
            "max_rss_mib_small": before["max_rss_mib"],
            "max_rss_mib_large": stats["max_rss_mib"],
        }
    return out
