"""The peers archivekit is measured against, fed the same Markdown sources: pandoc, Typst, WeasyPrint.

Each peer gets one Markdown file made from the edition's parts in reading order (each part in a div
with its language, the editorial part titles as headings), so all of them typeset the same text.
Preparing that file, and the Typst markup or HTML a PDF peer starts from, is not timed: the timed
step is the peer turning it into its output, as a user would run it, in a fresh process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from archivekit.ingest.edition_yaml import load_edition_yaml
from archivekit.ingest.pandoc_ast import READER, pandoc_path, pandoc_version

PEER_VENV = (
    Path(
        os.environ.get("ARCHIVEKIT_BENCH_HOME")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "archivekit"
    )
    / "bench-venv"
)

# Same faces as archivekit's PDF: Noto Serif CJK for Chinese, Noto Serif for Latin.
FONTS = ("Noto Serif CJK SC", "Noto Serif")

WEASYPRINT_CSS = """\
@page { size: A5; margin: 15mm 14mm 18mm 14mm; }
html { font-family: "Noto Serif CJK SC", "Noto Serif", serif; font-size: 10.5pt; line-height: 1.6; }
body { margin: 0; max-width: none; padding: 0; }
:lang(en) { font-family: "Noto Serif", "Noto Serif CJK SC", serif; }
"""

# Run inside the peers' venv: compile Typst markup to a tagged PDF (PDF/UA-1 asks for the tags).
TYPST_SCRIPT = """\
import sys, typst
typst.compile(sys.argv[1], output=sys.argv[2], pdf_standards=sys.argv[3].split(","))
"""


@dataclass(frozen=True)
class PeerInputs:
    """The prepared inputs of every peer for one edition."""

    markdown: Path
    typst: Path
    html: Path
    css: Path
    title: str


def peer_python() -> Path:
    """The peers' venv Python (made by bench/install-peers.sh)."""
    return PEER_VENV / "bin" / "python"


def peers_installed() -> bool:
    """Whether install-peers.sh has run."""
    return peer_python().is_file() and (PEER_VENV / "bin" / "weasyprint").is_file()


def versions() -> dict[str, str]:
    """Versions of each peer, for results.json."""
    found = {"pandoc": pandoc_version()}
    if peers_installed():
        out = subprocess.run(
            [
                str(peer_python()),
                "-c",
                "import typst, weasyprint; print(typst.__version__, weasyprint.__version__)",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        found["typst"], found["weasyprint"] = out.stdout.split()
    return found


def combined_markdown(edition_dir: Path) -> tuple[str, str]:
    """One Markdown text of every part in reading order, and the edition's title."""
    edition = load_edition_yaml(edition_dir)
    title = edition.title.prefer(edition.language) or edition.title.first()
    chunks = []
    for part in edition.parts:
        text = (edition_dir / part.file).read_text(encoding="utf-8").strip("\n")
        heading = f"## {part.title.prefer(part.lang)}\n\n" if part.title else ""
        # More colons than any fence inside a part, so the part's own divs nest inside this one.
        chunks.append(f"::::::: {{lang={part.lang}}}\n{heading}{text}\n:::::::\n")
    return "\n".join(chunks), title


def prepare(edition_dir: Path, work: Path) -> PeerInputs:
    """Write each peer's input for this edition into `work` (untimed)."""
    work.mkdir(parents=True, exist_ok=True)
    markdown, title = combined_markdown(edition_dir)
    md = work / "edition.md"
    md.write_text(markdown, encoding="utf-8")

    body = work / "body.typ"
    _pandoc([md, "-t", "typst", "-o", body])
    fonts = ", ".join(f'"{f}"' for f in FONTS)
    main = work / "main.typ"
    main.write_text(
        f"#set document(title: {_typst_string(title)})\n"
        '#set page(paper: "a5", margin: (x: 14mm, top: 15mm, bottom: 18mm))\n'
        f'#set text(lang: "zh", region: "cn", font: ({fonts}), size: 10.5pt)\n'
        "#set par(justify: true, leading: 0.9em)\n"
        # The title as the one level-1 heading: the parts' level-2 headings then nest under it,
        # as PDF/UA-1 wants (no skipped levels).
        f"= {_typst_markup(title)}\n\n"
        '#include "body.typ"\n',
        encoding="utf-8",
    )

    css = work / "style.css"
    css.write_text(WEASYPRINT_CSS, encoding="utf-8")
    html = work / "page.html"
    # --css links our stylesheet and leaves out pandoc's own screen CSS (it would win over ours).
    _pandoc(
        [
            md,
            "-s",
            "-t",
            "html5",
            "--css",
            css.name,
            "-o",
            html,
            "--metadata",
            f"title={title}",
            "--metadata",
            "lang=zh-Hans",
        ]
    )
    return PeerInputs(md, main, html, css, title)


def _pandoc(args: list[str | Path]) -> None:
    subprocess.run(
        [pandoc_path(), "-f", READER, *(str(a) for a in args)],
        check=True,
        capture_output=True,
    )


def _typst_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _typst_markup(text: str) -> str:
    # Escape the characters Typst markup gives a meaning to, so the title is set as written.
    return "".join("\\" + ch if ch in "\\#*_`$<>@=-+/[]~'\"" else ch for ch in text)


def commands(inputs: PeerInputs, out: Path) -> dict[str, list[str]]:
    """The timed command of each peer, writing into `out`: name -> argv."""
    md = str(inputs.markdown)
    meta = ["--metadata", f"title={inputs.title}", "--metadata", "lang=zh-Hans"]
    found = {
        "pandoc-html": [pandoc_path(), "-f", READER, "-s", md, "-o", str(out / "pandoc.html"), *meta],
        "pandoc-epub": [pandoc_path(), "-f", READER, md, "-o", str(out / "pandoc.epub"), *meta],
    }
    if peers_installed():
        found["typst-pdf"] = [
            str(peer_python()),
            "-c",
            TYPST_SCRIPT,
            str(inputs.typst),
            str(out / "typst.pdf"),
            TYPST_STANDARDS,
        ]
        found["weasyprint-pdf"] = [
            str(PEER_VENV / "bin" / "weasyprint"),
            "--pdf-variant",
            "pdf/ua-1",
            str(inputs.html),
            str(out / "weasyprint.pdf"),
        ]
    return found


# What the Typst peer is asked for: what archivekit's archival PDF claims, PDF/A-2a and PDF/UA-1
# (veraPDF passes Typst 0.15's output of this letter on both).
TYPST_STANDARDS = os.environ.get("ARCHIVEKIT_BENCH_TYPST_STANDARDS", "a-2a,ua-1")

# What each PDF maker was asked to conform to, for the veraPDF table.
ASKED = {
    "archivekit pdf": "PDF/A-2a + PDF/UA-1",
    "typst-pdf": " + ".join(TYPST_STANDARDS.split(",")),
    "weasyprint-pdf": "pdf/ua-1",
}

# The PDF 2.0 preservation master's claims (archivekit's <id>.pdfa4f.pdf: PDF/A-4f + PDF/UA-2 +
# WTPDF 1.0), asked of the peers in the forms they offer, once and untimed, for veraPDF's verdicts:
# Typst 0.15 knows a-4f but no ua-2 (and refuses a-4f with ua-1: no PDF version has both);
# WeasyPrint 70 makes one variant per file.
PDF2_COMMANDS = {
    "typst-pdf-a4f": ("typst", "a-4f", "typst-a4f.pdf"),
    "weasyprint-pdf-a4f": ("weasyprint", "pdf/a-4f", "weasyprint-a4f.pdf"),
    "weasyprint-pdf-ua2": ("weasyprint", "pdf/ua-2", "weasyprint-ua2.pdf"),
}
PDF2_ASKED = {
    "archivekit pdfa4f": "PDF/A-4f + PDF/UA-2 + WTPDF 1.0",
    "typst-pdf-a4f": "a-4f",
    "weasyprint-pdf-a4f": "pdf/a-4f",
    "weasyprint-pdf-ua2": "pdf/ua-2",
}


def pdf2_commands(inputs: PeerInputs, out: Path) -> dict[str, tuple[list[str], Path]]:
    """The peers asked for the PDF 2.0 standards: name -> (argv, the PDF it writes)."""
    if not peers_installed():
        return {}
    found = {}
    for name, (tool, standard, file) in PDF2_COMMANDS.items():
        target = out / file
        if tool == "typst":
            argv = [str(peer_python()), "-c", TYPST_SCRIPT, str(inputs.typst), str(target), standard]
        else:
            argv = [
                str(PEER_VENV / "bin" / "weasyprint"),
                "--pdf-variant",
                standard,
                str(inputs.html),
                str(target),
            ]
        found[name] = (argv, target)
    return found


OUTPUTS = {
    "pandoc-html": "pandoc.html",
    "pandoc-epub": "pandoc.epub",
    "typst-pdf": "typst.pdf",
    "weasyprint-pdf": "weasyprint.pdf",
}

if __name__ == "__main__":  # prepare inputs by hand: python bench/peers.py EDITION_DIR WORK_DIR
    print(prepare(Path(sys.argv[1]), Path(sys.argv[2])))
