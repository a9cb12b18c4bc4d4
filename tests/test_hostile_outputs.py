"""Nothing active or remote in the outputs, XML read without entity expansion, and the bad inputs
that only a writer can see (#10)."""

from __future__ import annotations

import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from archivekit.errors import ArchivekitError
from conftest import EDITION, EDITION_ID, EPOCH, ROOT, run_cli
from test_hostile import tree

HOSTILE_TEXT = "<script>alert(1)</script>"
DATA_SCRIPTS = {"application/ld+json", "application/vnd.citationstyles.csl+json"}
URL_ATTRIBUTES = ("src", "srcset", "poster", "data", "background", "formaction", "action", "xlink:href")
REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
ACTIVE_PDF_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/GoToR",
    "/GoToE",
    "/SubmitForm",
    "/ImportData",
    "/RichMediaExecute",
}


def _check_markup(name: str, root: etree._Element) -> None:
    """No script that runs, no event handler, no javascript: link, nothing fetched from elsewhere."""
    for el in root.iter(etree.Element):
        tag = etree.QName(el).localname.lower()
        if tag == "script":
            assert el.get("type") in DATA_SCRIPTS and not el.get("src"), f"{name}: active <script>"
        assert tag not in ("iframe", "object", "embed", "base", "form"), f"{name}: <{tag}>"
        for attr, value in el.attrib.items():
            local = etree.QName(attr).localname.lower()
            assert not local.startswith("on"), f"{name}: event handler {local}"
            assert not value.strip().lower().startswith(("javascript:", "vbscript:", "data:text/html")), name
            if local in URL_ATTRIBUTES or (
                tag == "link" and local == "href" and el.get("rel") != "canonical"
            ):
                assert not REMOTE.match(value), f"{name}: <{tag} {local}={value!r}> loads a remote resource"
            if local == "style":
                assert "url(" not in value, f"{name}: style url()"
        if tag == "style":
            assert "url(" not in (el.text or "") and "@import" not in (el.text or ""), name


def _check_css(name: str, css: str) -> None:
    for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
        assert not REMOTE.match(url), f"{name}: CSS loads {url}"
    assert "@import" not in css or not re.search(r"@import\s+(url\()?['\"]?(https?:)?//", css), name


def test_markup_in_text_stays_text(edition_copy: Path, tmp_path: Path) -> None:
    """Escaped markup in a part and markup in a bibliography title reach readers as characters."""
    part = edition_copy / "03-principles.en.md"
    part.write_text(
        part.read_text(encoding="utf-8") + "\nQuoted: \\<script\\>alert(1)\\</script\\>\n", encoding="utf-8"
    )
    zh = edition_copy / "02-principles.zh-Hans.md"  # parallel parts stay aligned
    zh.write_text(
        zh.read_text(encoding="utf-8") + "\n引文:\\<script\\>alert(1)\\</script\\>\n", encoding="utf-8"
    )
    bib = edition_copy / "bibliography.json"
    bib.write_text(
        bib.read_text(encoding="utf-8").replace(
            '"title-short": "Surveillance', f'"title-short": "{HOSTILE_TEXT}'
        ),
        encoding="utf-8",
    )
    formats = [a for f in ("text", "html", "epub") for a in ("--format", f)]
    result = run_cli("build", str(edition_copy), "--out", str(tmp_path / "out"), *formats, "--force")
    assert result.returncode == 0, result.stderr
    built = tmp_path / "out" / EDITION_ID
    for page in built.glob("*.html"):
        root = lxml_html.fromstring(page.read_bytes())
        _check_markup(page.name, root)
        if page.name != "index.html":
            assert HOSTILE_TEXT in root.find("body").text_content(), page.name
            assert b"</script>alert" not in page.read_bytes()
    for epub in built.glob("*.epub"):
        _check_epub(epub)


def _check_epub(epub: Path) -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    with zipfile.ZipFile(epub) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            if name.endswith((".xhtml", ".html", ".opf", ".ncx", ".svg")):
                root = etree.fromstring(data, parser)
                _check_markup(f"{epub.name}!{name}", root)
                if name.endswith(".opf"):
                    for item in root.iterfind(".//{*}manifest/{*}item"):
                        assert not REMOTE.match(item.get("href", "")), f"{name}: remote item"
                        assert "remote-resources" not in (item.get("properties") or ""), name
                        assert "scripted" not in (item.get("properties") or ""), name
            elif name.endswith(".css"):
                _check_css(f"{epub.name}!{name}", data.decode("utf-8"))


def test_outputs_have_nothing_active_or_remote(built: Path) -> None:
    """Every format of the real edition: no scripts, handlers, remote resources or PDF actions."""
    seen = set()
    for page in built.rglob("*.html"):
        _check_markup(page.name, lxml_html.fromstring(page.read_bytes()))
        seen.add("html")
    for css in built.rglob("*.css"):
        _check_css(css.name, css.read_text(encoding="utf-8"))
    for epub in built.rglob("*.epub"):
        _check_epub(epub)
        seen.add("epub")
    for pdf in built.rglob("*.pdf"):
        import pikepdf

        with pikepdf.open(pdf) as doc:
            for obj in doc.objects:
                fields = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
                if not isinstance(fields, pikepdf.Dictionary):
                    continue
                assert not {"/JS", "/JavaScript", "/AA"} & set(fields.keys()), f"{pdf.name}: script"
                assert str(fields.get("/S", "")) not in ACTIVE_PDF_ACTIONS, f"{pdf.name}: {fields.get('/S')}"
        seen.add("pdf")
    assert "html" in seen


BILLION_LAUGHS_XML = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
 <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<premis xmlns="http://www.loc.gov/premis/v3" version="3.0">&lol9;&xxe;</premis>
"""


def test_entity_bomb_in_a_bag_is_harmless(tmp_path: Path) -> None:
    """`archivekit verify` reads the PREMIS XML of bags from elsewhere: a bomb there expands nothing."""
    from archivekit.package import package_edition
    from archivekit.package.bag import PREMIS_PATH

    out = tmp_path / "build"
    assert run_cli("build", str(EDITION), "--out", str(out), "--format", "text", "--force").returncode == 0
    bag = package_edition(out / EDITION_ID, tmp_path, source_date_epoch=int(EPOCH))
    (bag / "data" / PREMIS_PATH).write_bytes(BILLION_LAUGHS_XML)
    started = time.monotonic()
    result = run_cli("verify", str(bag))
    assert time.monotonic() - started < 60
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    report = result.stdout + result.stderr
    assert "lollollol" not in report and "root:" not in report  # neither expanded nor file contents
    assert "premis" in report.lower()


# XML parse sites known to use lxml's defaults, owned by others and reported for fixing.
PENDING_XML: set[str] = set()


def test_every_xml_parse_in_src_refuses_entities_and_network() -> None:
    """Each lxml XML parse in src/ names a parser built with resolve_entities=False and no_network=True."""
    src = ROOT / "src" / "archivekit"
    problems = []
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src).as_posix()
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"etree\.XMLParser\(([^)]*)\)", text):
            args = match.group(1)
            if "resolve_entities=False" not in args or "no_network=False" in args:
                problems.append(f"{rel}: XMLParser({match.group(1)})")
        for match in re.finditer(
            r"etree\.(parse|fromstring|XML|iterparse)\(([^()]*(?:\([^()]*\))?[^()]*)\)", text
        ):
            if "," not in match.group(2) and rel not in PENDING_XML:
                problems.append(f"{rel}: etree.{match.group(1)}({match.group(2)}) uses the default parser")
    assert not problems, "\n".join(problems)


def test_character_no_font_covers_is_refused(edition_copy: Path, tmp_path: Path) -> None:
    """A character no font covers stops the PDF build with a message naming the part (no tofu box)."""
    out = tmp_path / "build"
    assert run_cli("build", str(EDITION), "--out", str(out), "--format", "pdf", "--force").returncode == 0
    before = tree(out / EDITION_ID)
    part = edition_copy / "03-principles.en.md"
    part.write_text(part.read_text(encoding="utf-8").replace("To affirm", "To \U00012000 affirm", 1), "utf-8")
    result = run_cli("-q", "build", str(edition_copy), "--out", str(out), "--format", "pdf", "--force")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("archivekit: error:") == 1
    assert "03-principles.en.md" in result.stderr and "U+12000" in result.stderr and "fix:" in result.stderr
    assert tree(out / EDITION_ID) == before
    # nothing beside the edition but its lock file (kept: deleting a flock file races its next holder)
    assert sorted(p.name for p in out.iterdir()) == [f".{EDITION_ID}.lock", EDITION_ID]


def test_two_pdf_builds_in_one_process_each_get_their_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archivekit.pipeline import BuildRequest, build

    meta = (EDITION / "edition.yaml").read_text(encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    for index, text in enumerate(("猫", "狗")):  # neither is in the letter
        edition = tmp_path / f"e{index}"
        shutil.copytree(EDITION, edition)
        (edition / "edition.yaml").write_text(meta, encoding="utf-8")
        part = edition / "03-principles.en.md"
        part.write_text(
            part.read_text(encoding="utf-8").replace("To affirm", f"To {text} affirm", 1), "utf-8"
        )
        try:
            build(BuildRequest(edition, tmp_path / f"out{index}", ("pdf",), {"pdfa": "2a"}, force=True))
        except ArchivekitError as exc:
            pytest.fail(str(exc))
