"""Turn ReportLab's file into a tagged PDF/A with pikepdf.

ReportLab drops catalog and page entries it does not know (OutputIntents, StructParents,
Tabs), writes no line break before `endstream`, and maps unused codes of its font subsets to
U+0000 in ToUnicode. Rewriting the file with pikepdf (qpdf) fixes the stream syntax; this
module adds the structure tree, ParentTree, MarkInfo, Lang, outline, page labels, XMP, Info,
the sRGB OutputIntent and, for PDF/A-3, the associated source files; the file identifier is
derived from the content (qpdf's deterministic /ID), so a rebuild is byte-identical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

from archivekit.typeset.layout import Typeset
from archivekit.typeset.tagging import StructNode
from archivekit.typeset.tounicode import fix_fonts
from archivekit.writers.pdf import xmp
from archivekit.writers.pdf.profiles import Profile

ICC_NAME = "sRGB IEC61966-2.1"


@dataclass(frozen=True)
class Attachment:
    """A file carried inside a PDF/A-3: its name, bytes, media type and relation to the document."""

    name: str
    data: bytes
    relationship: str  # "Source" | "Data" | "Supplement"
    description: str
    media_type: str | None = None


def srgb_profile() -> bytes:
    """The sRGB ICC profile shipped with archivekit."""
    return resources.files("archivekit").joinpath("data/icc/sRGB.icc").read_bytes()


def _struct_elements(
    pdf: Pdf, root: StructNode, tree_root: Dictionary, pages: Sequence[pikepdf.Page]
) -> tuple[dict[int, Dictionary], dict[str, Dictionary]]:
    """PDF structure elements for every node with content; returns node id -> element, and ID map."""
    made: dict[int, Dictionary] = {}
    ids: dict[str, Dictionary] = {}

    def has_content(node: StructNode) -> bool:
        return any(not isinstance(k, StructNode) or has_content(k) for k in node.kids)

    def build(node: StructNode, parent: Dictionary) -> Dictionary:
        elem = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + node.role), P=parent))
        made[id(node)] = elem
        if node.lang:
            elem.Lang = String(node.lang)
        if node.title:
            elem.T = String(node.title)
        if node.alt:
            elem.Alt = String(node.alt)
        if node.elem_id:
            elem.ID = String(node.elem_id)
            ids[node.elem_id] = elem
        if node.attributes:
            attrs = Dictionary()
            for key, value in node.attributes.items():
                attrs[Name("/" + key)] = Name("/" + value)
            elem.A = attrs
        kids = Array()
        first_page = None
        for kid in node.kids:
            if isinstance(kid, StructNode):
                if has_content(kid):
                    kids.append(build(kid, elem))
                continue
            page_no, mcid = kid
            page_obj = pages[page_no - 1].obj
            first_page = first_page or page_obj
            kids.append(Dictionary(Type=Name.MCR, Pg=page_obj, MCID=mcid))
        if first_page is not None:
            elem.Pg = first_page
        elem.K = kids
        return elem

    document = build(root, tree_root)
    tree_root.K = Array([document])
    return made, ids


def add_structure(pdf: Pdf, ts: Typeset) -> dict[int, Dictionary]:
    """StructTreeRoot with ParentTree and IDTree; StructParents and Tabs on every page."""
    tree_root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    made, ids = _struct_elements(pdf, ts.root, tree_root, list(pdf.pages))
    nums = Array()
    for index, page in enumerate(pdf.pages):
        page.obj.StructParents = index
        page.obj.Tabs = Name.S
        owners = ts.parent_tree.get(index + 1, [])
        nums.append(index)
        nums.append(pdf.make_indirect(Array([made[id(node)] for node in owners])))
    tree_root.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    tree_root.ParentTreeNextKey = len(pdf.pages)
    if ids:
        names = Array()
        for key in sorted(ids):
            names.append(String(key))
            names.append(ids[key])
        tree_root.IDTree = Dictionary(Names=names)
    pdf.Root.StructTreeRoot = tree_root
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    return made


def add_links(pdf: Pdf, ts: Typeset, made: dict[int, Dictionary]) -> None:
    """Link annotations from note marks to their notes, each owned by its Link element (OBJR)."""
    tree_root = pdf.Root.StructTreeRoot
    nums = tree_root.ParentTree.Nums
    key = int(tree_root.ParentTreeNextKey)
    for spot in ts.links:
        elem = made.get(id(spot.node))
        target = ts.note_spots.get(spot.node.link_to or "")
        if elem is None or target is None:
            continue
        page = pdf.pages[spot.page - 1].obj
        note_page, x, top = target
        annot = pdf.make_indirect(
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.Link,
                Rect=Array([round(v, 2) for v in spot.rect]),
                Border=Array([0, 0, 0]),
                F=4,  # print: PDF/A wants annotations printable
                # PDF/UA wants a description on every annotation: "Note 1", in the edition's language.
                Contents=String(spot.contents or spot.label),
                Dest=Array([pdf.pages[note_page - 1].obj, Name.XYZ, round(x, 2), round(top, 2), 0]),
                StructParent=key,
            )
        )
        if "/Annots" not in page:
            page.Annots = Array()
        page.Annots.append(annot)
        elem.K.append(Dictionary(Type=Name.OBJR, Obj=annot, Pg=page))
        nums.append(key)
        nums.append(elem)
        key += 1
    tree_root.ParentTreeNextKey = key


def add_outline(pdf: Pdf, ts: Typeset, made: dict[int, Dictionary]) -> None:
    """Bookmarks mirroring the headings, nested by level, each pointing at its heading element (/SE)."""
    with pdf.open_outline() as outline:
        stack: list[tuple[int, pikepdf.OutlineItem]] = []
        for entry in ts.outline:
            elem = made.get(id(entry.node)) if entry.node is not None else None
            item = pikepdf.OutlineItem(
                entry.title, entry.page - 1, "XYZ", left=0, top=round(entry.y, 2), structure_element=elem
            )
            while stack and stack[-1][0] >= entry.level:
                stack.pop()
            (stack[-1][1].children if stack else outline.root).append(item)
            stack.append((entry.level, item))
    pdf.Root.PageMode = Name.UseOutlines


def add_output_intent(pdf: Pdf) -> None:
    """The sRGB OutputIntent with its ICC profile embedded."""
    icc = pdf.make_stream(srgb_profile())
    icc.N = 3
    intent = Dictionary(
        Type=Name.OutputIntent,
        S=Name.GTS_PDFA1,
        OutputConditionIdentifier=String(ICC_NAME),
        Info=String(ICC_NAME),
        RegistryName=String("http://www.color.org"),
        DestOutputProfile=icc,
    )
    pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])


def add_attachments(pdf: Pdf, files: Sequence[Attachment], moment: dt.datetime) -> None:
    """Embed files as PDF/A-3 associated files of the document (catalog /AF and EmbeddedFiles)."""
    names = Array()
    specs = Array()
    for item in sorted(files, key=lambda a: a.name):
        media = item.media_type or mimetypes.guess_type(item.name)[0] or "application/octet-stream"
        stream = pdf.make_stream(item.data)
        stream.Type = Name.EmbeddedFile
        stream.Subtype = Name("/" + media)
        stream.Params = Dictionary(
            Size=len(item.data),
            ModDate=String(xmp.pdf_date(moment)),
            CheckSum=String(hashlib.md5(item.data).digest()),  # the PDF spec asks for MD5 here
        )
        spec = pdf.make_indirect(
            Dictionary(
                Type=Name.Filespec,
                F=String(item.name),
                UF=String(item.name),
                Desc=String(item.description),
                AFRelationship=Name("/" + item.relationship),
                EF=Dictionary(F=stream, UF=stream),
            )
        )
        names.append(String(item.name))
        names.append(spec)
        specs.append(spec)
    pdf.Root.Names = Dictionary(EmbeddedFiles=Dictionary(Names=names))
    pdf.Root.AF = specs


def finish(
    ts: Typeset,
    fields: xmp.Fields,
    profile: Profile,
    *,
    lang: str,
    attachments: Sequence[Attachment] = (),
) -> bytes:
    """The PDF/A file: ReportLab's pages with tags, metadata and colour added, saved by qpdf."""
    pdf = Pdf.open(io.BytesIO(ts.pdf))
    fix_fonts(pdf)
    made = add_structure(pdf, ts)
    add_links(pdf, ts, made)
    add_outline(pdf, ts, made)
    add_output_intent(pdf)
    pdf.Root.Lang = String(lang)
    pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    pdf.Root.PageLabels = Dictionary(Nums=Array([0, Dictionary(S=Name.D)]))
    if ts.bleed:
        for page in pdf.pages:
            w, h = ts.page_size
            b = ts.bleed
            page.obj.TrimBox = Array([b, b, b + w, b + h])
            page.obj.BleedBox = Array([0, 0, w + 2 * b, h + 2 * b])
    if attachments:
        add_attachments(pdf, attachments, fields.created)
    # XMP and a new Info (replacing ReportLab's Producer, placeholder Subject and 2000-01-01 dates).
    xmp.apply(pdf, fields, profile)
    out = io.BytesIO()
    pdf.save(
        out,
        deterministic_id=True,
        min_version="1.7",
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        compress_streams=True,
        fix_metadata_version=False,
    )
    return out.getvalue()


def read_attachments(edition_dir: Path, files: Sequence[str], texts: Sequence[str]) -> list[Attachment]:
    """The edition's sources as PDF/A-3 attachments: the texts as Source, metadata and CSL-JSON as Data."""
    out = []
    for name in files:
        data = (edition_dir / name).read_bytes()
        if name in texts:
            rel, media, desc = "Source", "text/markdown", "canonical source text (diplomatic transcription)"
        elif name.endswith(".json"):
            rel, media, desc = "Data", "application/vnd.citationstyles.csl+json", "bibliography (CSL-JSON)"
        elif name.endswith((".yaml", ".yml")):
            rel, media, desc = "Data", "application/yaml", "edition metadata"
        else:
            rel, media, desc = "Supplement", None, "file of the edition's sources"
            if name.endswith(".md"):
                media = "text/markdown"
        out.append(Attachment(name, data, rel, desc, media))
    return out
