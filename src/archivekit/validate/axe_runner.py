"""Run axe-core on local HTML pages in Debian's headless chromium via Python playwright (a child process).

usage: python -m archivekit.validate.axe_runner --axe axe.min.js --root DIR --out OUT.json PAGE...
Pages are paths relative to DIR, served on 127.0.0.1 only; every request to any other origin is blocked and
recorded. Each page is checked at every width x colour scheme. Exit 0 when the checks ran (whatever they
found), 2 when they could not run.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import sys
import threading
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archivekit.toolpaths import chromium_bin

if TYPE_CHECKING:
    from playwright.sync_api import Route

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # axe has no "wcag22a" tag
WIDTHS = [320, 1280]
SCHEMES = ["light", "dark"]
HEIGHT = 800
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Schemes a page may load without touching the network.
LOCAL_SCHEMES = ("data:", "blob:", "about:")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def _guard(origin: str, blocked: list[str], route: Route) -> None:
    """Let requests to our loopback server through; abort and record every other one."""
    url = route.request.url
    if url.startswith((origin + "/", *LOCAL_SCHEMES)):
        route.continue_()
    else:
        blocked.append(url)
        route.abort("blockedbyclient")


def _slim(violation: dict[str, Any]) -> dict[str, Any]:
    nodes = [{k: n.get(k) for k in ("target", "html", "failureSummary")} for n in violation.get("nodes", [])]
    return {**{k: violation.get(k) for k in ("id", "impact", "tags", "help", "helpUrl")}, "nodes": nodes}


def check(
    root: Path,
    pages: list[str],
    axe_js: str,
    chromium: str,
    widths: list[int],
    schemes: list[str],
    tags: list[str],
) -> dict[str, Any]:
    """Return axe violations and blocked network requests for every page x width x scheme."""
    from playwright.sync_api import sync_playwright  # imported here: only this child process needs it

    httpd, origin = _serve(root)
    results: list[dict[str, Any]] = []
    try:
        with sync_playwright() as pw:
            # launch() (not a persistent context) gives chromium a fresh temporary profile every time.
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
            browser_version = browser.version
            for width in widths:
                for scheme in schemes:
                    context = browser.new_context(
                        viewport={"width": width, "height": HEIGHT},
                        color_scheme=scheme,  # type: ignore[arg-type]
                        service_workers="block",
                        reduced_motion="reduce",
                    )
                    blocked: list[str] = []
                    context.route("**/*", functools.partial(_guard, origin, blocked))
                    for rel in pages:
                        blocked.clear()
                        page = context.new_page()
                        page.goto(f"{origin}/{urllib.parse.quote(rel)}", wait_until="load")
                        page.evaluate(axe_js)
                        res = page.evaluate(
                            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
                            " resultTypes: ['violations', 'incomplete']})",
                            tags,
                        )
                        results.append(
                            {
                                "page": rel,
                                "width": width,
                                "scheme": scheme,
                                "axeVersion": res["testEngine"]["version"],
                                "violations": [_slim(v) for v in res["violations"]],
                                # "incomplete" needs a human: kept for the record, never a verdict.
                                "incomplete": sorted({v["id"] for v in res["incomplete"]}),
                                "blocked_requests": sorted(set(blocked)),
                            }
                        )
                        page.close()
                    context.close()
            browser.close()
    finally:
        httpd.shutdown()
    axe_version = results[0]["axeVersion"] if results else ""
    for r in results:
        r.pop("axeVersion")
    return {"axeVersion": axe_version, "browser": browser_version, "tags": tags, "results": results}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: write the JSON report to --out."""
    ap = argparse.ArgumentParser(prog="axe_runner")
    ap.add_argument("pages", nargs="+")
    ap.add_argument("--root", required=True, type=Path)
    ap.add_argument("--axe", required=True, type=Path, help="axe.min.js from npm axe-core")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--chromium", default=str(chromium_bin()))
    ap.add_argument("--widths", default=",".join(map(str, WIDTHS)))
    ap.add_argument("--schemes", default=",".join(SCHEMES))
    ap.add_argument("--tags", default=",".join(TAGS))
    a = ap.parse_args(argv)
    try:
        report = check(
            a.root.resolve(),
            a.pages,
            a.axe.read_text(encoding="utf-8"),
            a.chromium,
            [int(w) for w in a.widths.split(",")],
            a.schemes.split(","),
            a.tags.split(","),
        )
    except Exception as exc:  # any failure means "could not judge", reported by the parent as tool-failure
        print(f"axe_runner: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    a.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
