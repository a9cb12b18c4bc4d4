"""Links: every in-document link resolves (HTML, EPUB, PDF link annotations) and every file an
output names (EPUB dc:source and links, index links, manifest paths) is in the build."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pikepdf

from archivekit.errors import Finding
from archivekit.validate.judge.findings import finding
from archivekit.validate.judge.outputs import OPF_NS, Epub, html_tree, read_epub

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
DC = "{http://purl.org/dc/elements/1.1/}"
FIX_ANCHOR = "the writer must give the target element this id, or link to an id it has"
FIX_FILE = "write the named file into the build, or stop naming it"
_LINKING = (("a", "href"), ("link", "href"), ("area", "href"), ("img", "src"), ("script", "src"))


def _local(href: str) -> bool:
    return bool(href) and not _SCHEME.match(href) and not href.startswith("//")


def _ids(tree) -> set[str]:
    return {
        str(v) for el in tree.iter() if isinstance(el.tag, str) for v in (el.get("id"), el.get("name")) if v
    }


def _html_ids(path: Path, cache: dict[Path, set[str]]) -> set[str]:
    if path not in cache:
        cache[path] = _ids(html_tree(path))
    return cache[path]


def html_links(build_dir: Path, artifact: str) -> list[Finding]:
    """Every fragment link of an HTML page names an id, every local file it links to is in the build."""
    path = build_dir / artifact
    tree = html_tree(path)
    cache = {path: _ids(tree)}
    out = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        for tag, attr in _LINKING:
            href = el.get(attr) if el.tag == tag else None
            if href is None or not _local(href):
                continue
            target, _, frag = urllib.parse.unquote(href).partition("#")
            where = f'<{tag} {attr}="{href}">'
            file = (path.parent / target) if target else path
            if target and not file.is_file():
                out.append(
                    finding(
                        "link-file-missing", artifact, where, f"links to {target}, not in the build", FIX_FILE
                    )
                )
            elif frag and file.suffix in (".html", ".htm") and frag not in _html_ids(file, cache):
                out.append(
                    finding("link-anchor-missing", artifact, where, f"no element has id “{frag}”", FIX_ANCHOR)
                )
    return out


def epub_links(build_dir: Path, artifact: str) -> list[Finding]:
    """Links between and inside an EPUB's documents (notes, back-links, nav, page-list), its
    manifest's files, its package links, and the build files its dc:source names."""
    book = read_epub(build_dir / artifact)
    names = set(book.zip.namelist())
    ids = {name: _ids(doc) for name, doc in book.docs.items()}
    out = []
    for item in book.opf.iter(f"{{{OPF_NS}}}item"):
        name = book.resolve(book.opf_path, str(item.get("href")))
        if name not in names:
            out.append(
                finding(
                    "link-file-missing",
                    artifact,
                    book.opf_path,
                    f"the manifest lists {name}, not in the container",
                    FIX_FILE,
                )
            )
    for link in book.opf.iter(f"{{{OPF_NS}}}link"):
        href = str(link.get("href", ""))
        if _local(href) and book.resolve(book.opf_path, href) not in names:
            out.append(
                finding(
                    "link-file-missing",
                    artifact,
                    book.opf_path,
                    f"the package links to {href}, not in the container",
                    FIX_FILE,
                )
            )
    for source in book.opf.iter(f"{DC}source"):
        named = (source.text or "").strip()
        if _local(named) and not (build_dir / Path(artifact).parent / named).is_file():
            out.append(
                finding(
                    "link-file-missing",
                    artifact,
                    f"{book.opf_path} dc:source",
                    f"names {named}, not in the build",
                    FIX_FILE,
                )
            )
    for name, doc in book.docs.items():
        out += _epub_doc_links(book, artifact, name, doc, names, ids)
    return out


def _epub_doc_links(
    book: Epub, artifact: str, name: str, doc, names: set[str], ids: dict[str, set[str]]
) -> list[Finding]:
    out = []
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag.rsplit("}", 1)[-1] not in (
            "a",
            "link",
            "img",
            "script",
            "area",
        ):
            continue
        href = el.get("href") or el.get("src")
        if href is None or not _local(href):
            continue
        href = urllib.parse.unquote(href)
        target = book.resolve(name, href) if not href.startswith("#") else name
        frag = href.partition("#")[2]
        where = f'{name} <{el.tag.rsplit("}", 1)[-1]} href="{href}">'
        if target not in names:
            out.append(
                finding(
                    "link-file-missing", artifact, where, f"links to {target}, not in the container", FIX_FILE
                )
            )
        elif frag and target in ids and frag not in ids[target]:
            out.append(
                finding(
                    "link-anchor-missing",
                    artifact,
                    where,
                    f"no element of {target} has id “{frag}”",
                    FIX_ANCHOR,
                )
            )
    return out


def pdf_links(build_dir: Path, artifact: str) -> list[Finding]:
    """Every link annotation's destination exists: a named destination, or a page of this PDF."""
    out = []
    with pikepdf.open(build_dir / artifact) as pdf:
        pages = {p.obj.objgen for p in pdf.pages}
        named = _named_destinations(pdf)
        for number, page in enumerate(pdf.pages, start=1):
            for annot in page.obj.get("/Annots", []) or []:
                if annot.get("/Subtype") != "/Link":
                    continue
                dest = annot.get("/Dest")
                action = annot.get("/A")
                if dest is None and action is not None and action.get("/S") == "/GoTo":
                    dest = action.get("/D")
                if dest is None:
                    continue  # a URI or other action: not an in-document link
                problem = _dest_problem(dest, named, pages)
                if problem:
                    out.append(
                        finding("link-anchor-missing", artifact, f"page {number}", problem, FIX_ANCHOR)
                    )
    return out


def _named_destinations(pdf: pikepdf.Pdf) -> dict[str, object]:
    found: dict[str, object] = {}
    root = pdf.Root
    if "/Dests" in root:
        for key, value in root.Dests.items():
            found[str(key).lstrip("/")] = value
    names = root.get("/Names")
    if names is not None and "/Dests" in names:
        for name, value in pikepdf.NameTree(names.Dests).items():
            found[str(name)] = value
    return found


def _dest_problem(dest: object, named: dict[str, object], pages: set[tuple[int, int]]) -> str | None:
    if isinstance(dest, (pikepdf.String, pikepdf.Name)):
        key = str(dest).lstrip("/")
        if key not in named:
            return f"links to the named destination “{key}”, which the PDF does not define"
        dest = named[key]
        if isinstance(dest, pikepdf.Dictionary):
            dest = dest.get("/D")
    if isinstance(dest, pikepdf.Array) and len(dest) > 0:
        target = dest[0]
        if isinstance(target, pikepdf.Dictionary) and target.objgen not in pages:
            return "links to a page that is not in this PDF"
        return None
    return "a link with an unreadable destination"


def manifest_paths(build_dir: Path, manifest: dict) -> list[Finding]:
    """Every path the manifest lists is a file of the build (the runner also checks its sha256).

    The validation report itself is left out: this very run is rewriting it.
    """
    out = []
    for entry in manifest.get("artifacts", []):
        rel = str(entry.get("path", ""))
        if entry.get("format") == "validation-report":
            continue
        if rel and not (build_dir / rel).is_file():
            out.append(
                finding("link-file-missing", "manifest.json", rel, f"lists {rel}, not in the build", FIX_FILE)
            )
    return out
