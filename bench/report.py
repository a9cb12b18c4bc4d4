"""The bench's outputs: ratios, the goals of issue #9, a Markdown table, an SVG chart, the README section."""

from __future__ import annotations

import math
import re
import statistics
from html import escape
from pathlib import Path
from typing import Any

README_START = "<!-- bench:results:start -->"
README_END = "<!-- bench:results:end -->"
# The resident rebuild's two series (bench/resident.py), as ratios and goals name them.
RESIDENT = "resident rebuild, every format / Typst CLI"
RESIDENT_NEW = "resident rebuild of a new text / Typst CLI"
SERVED = "full set warm, resident server / Typst PDF"


def _median(section: dict, name: str) -> float | None:
    row = section.get(name)
    return row.get("median_s") if row else None


def _ratio(top: float | None, bottom: float | None) -> float | None:
    if top is None or not bottom:
        return None
    return round(top / bottom, 2)


def ratios(results: dict) -> dict[str, dict[str, Any]]:
    """archivekit against its peers, same run: time ratios (median over median) and size ratios."""
    letter = results["letter"]
    ours, theirs, sizes = letter["archivekit"], letter["peers"], letter["sizes"]
    typst = _median(theirs, "typst-pdf")
    pairs = [
        ("full set warm / Typst PDF", _median(ours, "full warm"), typst),
        (SERVED, _median(ours, "full warm, server"), typst),
        ("full set cold / Typst PDF", _median(ours, "full cold"), typst),
        ("archival PDF warm / Typst PDF", _median(ours, "pdf warm"), typst),
        ("archival PDF cold / Typst PDF", _median(ours, "pdf cold"), typst),
        ("archival PDF warm / WeasyPrint PDF", _median(ours, "pdf warm"), _median(theirs, "weasyprint-pdf")),
        ("print PDF warm / Typst PDF", _median(ours, "print warm"), typst),
        ("EPUB (+PDF) warm / pandoc EPUB", _median(ours, "epub warm"), _median(theirs, "pandoc-epub")),
        ("HTML warm / pandoc HTML", _median(ours, "html warm"), _median(theirs, "pandoc-html")),
    ]
    out: dict[str, dict[str, Any]] = {}
    for label, top, bottom in pairs:
        value = _ratio(top, bottom)
        if value is not None:
            out[label] = {"kind": "time", "value": value, "archivekit_s": top, "peer_s": bottom}
    res = results.get("resident") or {}
    for label, ratio, ours, typst in (
        (RESIDENT, "ratio", "resident_median_s", "typst_s"),
        (RESIDENT_NEW, "new_text_ratio", "new_text_median_s", "new_text_typst_s"),
    ):
        if res.get(ratio) is not None:
            value, peer = round(res[ratio], 2), statistics.median(res[typst])
            out[label] = {"kind": "time", "value": value, "archivekit_s": res[ours], "peer_s": peer}
    pdf, typst_pdf = sizes.get("archivekit pdf"), sizes.get("typst-pdf")
    if pdf and typst_pdf:
        out["archival PDF bytes / Typst PDF bytes"] = {
            "kind": "size",
            "value": _ratio(pdf["bytes"], typst_pdf["bytes"]),
            "archivekit_bytes": pdf["bytes"],
            "peer_bytes": typst_pdf["bytes"],
        }
    return out


def goals(results: dict) -> list[dict[str, Any]]:
    """Each acceptance goal of issue #9: what was measured, the limit, whether it is met."""
    found: list[dict[str, Any]] = []
    rat = results.get("ratios", {}) or ratios(results)
    ours = results["letter"]["archivekit"]
    missing = sorted({"html", "epub", "pdf", "print"} - set(results["formats"]))
    note = f"full set lacks {', '.join(missing)} (not built yet)" if missing else ""

    def add(goal: str, value: float | None, limit: float, unit: str, note: str = "") -> None:
        found.append(
            {
                "goal": goal,
                "measured": value,
                "limit": limit,
                "unit": unit,
                "met": value is not None and value <= limit,
                "note": note,
            }
        )

    warm_full = rat.get("full set warm / Typst PDF", {}).get("value")
    add("warm full set / Typst PDF (#9)", warm_full, 1.0, "x", note)
    served = rat.get(SERVED, {}).get("value")
    add("one-shot warm full set, as run by default / Typst PDF (#22)", served, 2.5, "x",
        note or "each command run by the resident build server (on by default but under CI)")  # fmt: skip
    alone = note or "each command its own process, as under CI"
    add("one-shot warm full set, ARCHIVEKIT_SERVER=off / Typst PDF (#22)", warm_full, 2.5, "x", alone)
    resident = results.get("resident") or {}
    for goal, label, measured, note_if_measured in (
        (RESIDENT + " (#22)", RESIDENT, "runs", f"{resident.get('runs')} runs alternated"),
        ("resident rebuild of a new text each run / Typst CLI (#22)", RESIDENT_NEW, "new_text_ratio",
         "judges settled between runs"),
    ):  # fmt: skip
        said = note_if_measured if measured in resident else "not measured"
        add(goal, rat.get(label, {}).get("value"), 1.0, "x", resident.get("failed", "")[:80] or said)
    add("cold full set (#9)", _median(ours, "full cold"), 3.0, "s", note)
    add(
        "archival PDF bytes / Typst PDF bytes (#9)",
        rat.get("archival PDF bytes / Typst PDF bytes", {}).get("value"),
        1.0,
        "x",
    )
    add("no-op rebuild (#9)", _median(ours, "no-op rebuild"), 0.1, "s")
    growth = results.get("scale", {}).get("growth", {})
    ours_growth = {k: v for k, v in growth.items() if not k.startswith(("pandoc", "typst", "weasyprint"))}
    if ours_growth:
        worst = max(ours_growth, key=lambda k: ours_growth[k]["time_ratio"])
        add(
            "largest / smallest document time (#9)",
            ours_growth[worst]["time_ratio"],
            35.0,
            "x",
            f"worst: {worst}; pages x{ours_growth[worst]['pages_ratio']}",
        )
        pdf = ours_growth.get("pdf", {})
        steps = pdf.get("ms_per_page_steps") or []
        add(
            "archival PDF ms per added page, largest document (#22)",
            steps[-1] if steps else None,
            4.0,
            "ms",
            f"steps {' → '.join(f'{x:.1f}' for x in steps)}" if steps else "",
        )
        heaviest = max(ours_growth, key=lambda k: ours_growth[k]["max_rss_mib_large"])
        add(
            "peak memory, largest document (#9, #22)",
            ours_growth[heaviest]["max_rss_mib_large"],
            500.0,
            "MiB",
            f"worst: {heaviest}",
        )
    return found


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:.2f}{unit}" if value < 100 else f"{value:.0f}{unit}"


def _stats_row(name: str, row: dict) -> str:
    if "median_s" not in row:
        return f"| {name} | failed: {row.get('failed', '?')[:80]} | | |"
    return (
        f"| {name} | {row['median_s']:.3f} | {row['min_s']:.3f}–{row['max_s']:.3f} | "
        f"{row['max_rss_mib']:.0f} |"
    )


def table(results: dict) -> str:
    """The results as Markdown: goals, ratios, letter edition, batch, scale."""
    letter = results["letter"]
    versions = ", ".join(f"{k} {v}" for k, v in results["peer_versions"].items())
    machine = results["machine"]
    load = f"load average {machine.get('load_average_at_start', ['?'])[0]} at start, " + (
        f"{machine.get('load_average_at_end', ['?'])[0]} at end"
    )
    lines = [
        f"archivekit {results['archivekit_version']} at {results.get('archivekit_commit', '?')[:12]} against "
        f"{versions}; {results['machine']['cpus']} cores ({load}), "
        f"Python {results['machine']['python']}; {results['date']}; median of {results['runs']} runs "
        f"(min–max), wall time of a fresh process; peak memory is the largest RSS of a run, "
        "child processes (pandoc) included.",
        "",
    ]
    if results.get("formats_not_built"):
        lines += [f"Formats that did not build, left out: {', '.join(results['formats_not_built'])}.", ""]
    lines += ["| goal (issue) | measured | limit | met | note |", "|---|---|---|---|---|"]
    for g in results["goals"]:
        mark = "yes" if g["met"] else "**no**"
        lines.append(
            f"| {g['goal']} | {_fmt(g['measured'], ' ' + g['unit'])} | {g['limit']:g} {g['unit']} | {mark} "
            f"| {g['note']} |"
        )
    lines += ["", "| ratio (same run) | value |", "|---|---|"]
    for label, row in results["ratios"].items():
        lines.append(f"| {label} | {row['value']:.2f} |")
    lines += ["", "| letter edition | median s | min–max s | peak MiB |", "|---|---|---|---|"]
    for name, row in letter["archivekit"].items():
        lines.append(_stats_row(f"archivekit {name}", row))
    for name, row in letter["peers"].items():
        lines.append(_stats_row(name, row))
    lines += ["", "| output | bytes | PDF pages |", "|---|---|---|"]
    for name, row in letter["sizes"].items():
        lines.append(f"| {name} | {row['bytes']:,} | {row.get('pages') or ''} |")
    conformance = letter.get("conformance", {})
    if conformance and "skipped" not in conformance:
        asked = results.get("pdf_asked_for", {})
        lines += ["", "| veraPDF verdict | asked for | PDF/A-2a | PDF/UA-1 |", "|---|---|---|---|"]
        for name, verdicts in conformance.items():
            cells = [_verdict_cell(verdicts.get(flavour)) for flavour in ("2a", "ua1")]
            lines.append(f"| {name} | {asked.get(name, '')} | {' | '.join(cells)} |")
    elif conformance:
        lines += ["", f"veraPDF verdicts: skipped ({conformance['skipped']})."]
    lines += _pdf2_table(letter, results)
    lines += _resident_line(results.get("resident"))
    batch = results.get("batch")
    if batch:
        runs = [
            f"--jobs {j} "
            + (f"{row['median_s']:.2f} s" if "median_s" in row else f"failed ({row['failed']})")
            for j, row in ((j, batch[f"jobs {j}"]) for j in (1, 2))
        ]
        speedup = f", speed-up {batch['speedup']:.2f}x" if batch.get("speedup") else ""
        lines += [
            "",
            f"Batch of {batch['editions']} editions in one `archivekit build` (full set, warm, --force) on "
            f"{batch['cpus']} cores: {'; '.join(runs)}{speedup}.",
        ]
    verbose = results["letter"].get("verbose", {})
    if "cold" in verbose:
        lines += ["", "| full build, per writer (--verbose, one run) | cold s | warm s |", "|---|---|---|"]
        for name, cold_s in verbose["cold"]["writer_s"].items():
            lines.append(
                f"| {name} | {cold_s:.2f} | {verbose['warm']['writer_s'].get(name, float('nan')):.2f} |"
            )
        for label in ("cold", "warm"):
            hits = sum("hit" in line for line in verbose[label]["cache"])
            misses = sum("miss" in line for line in verbose[label]["cache"])
            lines.append(f"\nCache lines of the {label} build: {hits} hits, {misses} misses.")
    lines += _scale_table(results.get("scale"))
    if results.get("collection"):
        from collection import table as collection_table

        lines += ["", collection_table(results["collection"])]
    return "\n".join(lines)


def _pdf2_table(letter: dict, results: dict) -> list[str]:
    """veraPDF on the PDF 2.0 files: archivekit's master and the peers asked for those standards."""
    verdicts = letter.get("conformance_pdf2")
    if not verdicts:
        return []
    if "skipped" in verdicts:
        return ["", f"veraPDF verdicts on the PDF 2.0 files: skipped ({verdicts['skipped']})."]
    asked = results.get("pdf2_asked_for", {})
    lines = [
        "",
        "| veraPDF verdict | asked for | PDF/A-4f | PDF/UA-2 | WTPDF 1.0 (wt1a) |",
        "|---|---|---|---|---|",
    ]
    for name, by_flavour in verdicts.items():
        cells = [_verdict_cell(by_flavour.get(flavour), most=6) for flavour in ("4f", "ua2", "wt1a")]
        lines.append(f"| {name} | {asked.get(name, '')} | {' | '.join(cells)} |")
    for name, why in (letter.get("pdf2_not_made") or {}).items():
        lines.append(f"| {name} | {asked.get(name, '')} | not made: {why} | | |")
    return lines


def _verdict_cell(verdict: dict | None, most: int | None = None) -> str:
    """One veraPDF verdict as a table cell: passes, or the rules failed (the first `most` of them)."""
    if not verdict:
        return "–"
    if verdict["compliant"]:
        return "passes"
    rules = [r.split(":")[0] for r in verdict["failed_rules"]]
    shown = rules if most is None else rules[:most]
    more = f" (+{len(rules) - len(shown)})" if len(rules) > len(shown) else ""
    return "fails " + ", ".join(shown) + more


def _resident_line(res: dict | None) -> list[str]:
    if not res:
        return []
    if "failed" in res:
        return ["", f"Resident rebuild (bench/resident.py): failed: {res['failed']}."]
    times = res["resident_rebuild_s"]
    line = (
        f"Resident rebuild (`bench/resident.py`: every format, in one process, after a one-character "
        f"edit, {res['runs']} runs alternated with Typst's CLI): median {res['resident_median_s']:.3f} s "
        f"({min(times):.3f}–{max(times):.3f})"
    )
    if res.get("typst_median_s"):
        line += f"; Typst CLI {res['typst_median_s']:.3f} s; ratio {res['ratio']:.2f} x"
    if res.get("new_text_rebuild_s"):
        fresh = res["new_text_rebuild_s"]
        line += (
            f". A new text each run (never built: pandoc, the proofs and the EPUB's judges work again; "
            f"the judges settle, untimed, between runs): median {res['new_text_median_s']:.3f} s "
            f"({min(fresh):.3f}–{max(fresh):.3f})"
        )
        if res.get("new_text_ratio") is not None:
            typst = statistics.median(res["new_text_typst_s"])
            line += f"; Typst {typst:.3f} s; ratio {res['new_text_ratio']:.2f} x"
    return ["", line + "."]


def _scale_table(section: dict | None) -> list[str]:
    if not section:
        return []
    keys = sorted(section["series"], key=int)
    names = list(section["series"][keys[-1]]["cases"])
    pages = [section["series"][k]["pages"] or f"~{k}" for k in keys]
    head = " | ".join(f"{p} pages s (MiB)" for p in pages)
    runs = ", ".join(str(section["series"][k].get("runs", "?")) for k in keys)
    lines = [
        "",
        f"| scale, warm (runs: {runs}) | {head} | time ratio | pages ratio | ms per added page |",
        "|---" * (len(keys) + 4) + "|",
    ]
    for name in names:
        cells = []
        for k in keys:
            row = section["series"][k]["cases"].get(name) or {}
            ok = "median_s" in row
            cells.append(f"{row['median_s']:.2f} ({row['max_rss_mib']:.0f})" if ok else "–")
        g = section["growth"].get(name, {})
        lines.append(
            f"| {name} | {' | '.join(cells)} | {_fmt(g.get('time_ratio'))} | {_fmt(g.get('pages_ratio'))} "
            f"| {' → '.join(f'{x:.0f}' for x in g.get('ms_per_page_steps', []))} |"
        )
    return lines


def _ticks(low: float, high: float) -> list[float]:
    """1-2-5 ticks from low to high (a log axis)."""
    ticks, decade = [], 10 ** math.floor(math.log10(low))
    while decade <= high:
        ticks += [t * decade for t in (1, 2, 5) if low <= t * decade <= high]
        decade *= 10
    return ticks


def chart_svg(results: dict) -> str:
    """Bars of the ratios on a log axis, out from 1.0: left of the line archivekit is faster or smaller."""
    rows = [(label, row["value"]) for label, row in results["ratios"].items() if row.get("value")]
    label_w, plot_w, row_h, top = 290, 380, 24, 40
    low = min([0.5, *(v for _, v in rows)]) / 1.2
    high = max([2.0, *(v for _, v in rows)]) * 1.6

    def x_of(value: float) -> float:
        return label_w + plot_w * (math.log(value) - math.log(low)) / (math.log(high) - math.log(low))

    bottom = top + row_h * len(rows)
    date = escape(results.get("date", ""))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + plot_w + 20}" height="{bottom + 40}" '
        'font-family="sans-serif" font-size="12" role="img" aria-labelledby="t">',
        f'<title id="t">archivekit / peer, same run ({date}), log scale: below 1 archivekit is faster '
        "or smaller</title>",
        '<rect width="100%" height="100%" fill="#fff"/>',
        f'<text x="8" y="20" font-size="14" font-weight="bold">archivekit / peer, same run ({date}); '
        "log scale, below 1 is faster or smaller</text>",
    ]
    for tick in _ticks(low, high):
        x = x_of(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{bottom}" stroke="#ddd"/>')
        parts.append(f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle">{tick:g}</text>')
    one = x_of(1.0)
    for i, (label, value) in enumerate(rows):
        y = top + i * row_h
        colour = "#2a7d2a" if value <= 1.0 else "#c0562b"
        left, right = sorted((one, x_of(value)))
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text>')
        parts.append(
            f'<rect x="{left:.1f}" y="{y + 3}" width="{max(right - left, 1):.1f}" height="{row_h - 8}" '
            f'fill="{colour}"/>'
        )
        anchor, tx = ("start", right + 4) if value > 1.0 else ("end", left - 4)
        parts.append(f'<text x="{tx:.1f}" y="{y + 15}" text-anchor="{anchor}">{value:.2f}</text>')
    parts.append(f'<line x1="{one:.1f}" y1="{top - 4}" x2="{one:.1f}" y2="{bottom}" stroke="#000"/>')
    parts.append(f'<text x="{label_w}" y="{bottom + 32}" fill="#555">ratio (log scale)</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write_chart(results: dict, path: Path) -> None:
    """Write the ratio chart as SVG."""
    path.write_text(chart_svg(results), encoding="utf-8")


def update_readme(results: dict, path: Path) -> None:
    """Put the latest table and chart between the README's bench markers (appending them if absent)."""
    section = f"{README_START}\n{table(results)}\n\n![archivekit / peer ratios](ratios.svg)\n{README_END}"
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n\n"
    if README_START in text and README_END in text:
        pattern = re.escape(README_START) + r".*?" + re.escape(README_END)
        text = re.sub(pattern, lambda _: section, text, flags=re.DOTALL)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")
