"""Make ReportLab's pages a tagged PDF/A, for every writer that claims PDF/A and PDF/UA.

ReportLab drops catalog and page entries it does not know (OutputIntents, StructParents,
Tabs), writes no line break before `endstream`, and maps unused codes of its font subsets to
U+0000 in ToUnicode. Rewriting the file with pikepdf (qpdf) fixes the stream syntax; this
module adds the structure tree, ParentTree, MarkInfo, Lang, outline, page labels and the sRGB
OutputIntent (`tagged`), names the PDF/A and PDF/UA identification a writer's XMP stamp carries
(`identification`), and saves with the file identifier derived from the content (qpdf's
deterministic /ID), so a rebuild is byte-identical (`save`). A `Dialect` row says how the tree is
written: PDF 1.7's standard types (PDF/UA-1), or the PDF 2.0 namespace with FENote, Ref and
structure destinations (PDF/UA-2, WTPDF). The XMP packet itself is
typeset/xmp.py's; what only the archival writer does (PDF/A-3 associated files) stays in
writers/pdf/postprocess.py.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

from archivekit.typeset.layout import Typeset
from archivekit.typeset.tagging import StructNode
from archivekit.typeset.tounicode import fix_fonts

ICC_NAME = "sRGB IEC61966-2.1"
PDF2_NAMESPACE = "http://iso.org/pdf2/ssn"


@dataclass(frozen=True)
class Dialect:
    """How the structure tree and its links are written for one family of standards."""

    name: str
    version: str  # the PDF version qpdf writes (header)
    namespace: str | None = None  # every element's /NS; None: PDF 1.7's standard types, no namespace
    # Our StructNode roles that this dialect writes as another standard type.
    roles: Mapping[str, str] = field(default_factory=dict)
    # Attributes added to elements of a written type (e.g. FENote's NoteType).
    attributes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Apply each node's StructNode.pdf2 (a more precise type or attribute value PDF 2.0 offers: Aside
    # for editorial matter, how a list whose markers are source text is numbered).
    precise: bool = False
    references: bool = False  # a note mark and its note point at each other with /Ref
    # The StructTreeRoot's /RoleMap: for readers of PDF 1.7 only (it applies to elements without /NS,
    # and every element here has one), the nearest PDF 1.7 type of each PDF 2.0 type written.
    # Poppler 22 (pdfinfo -struct-text) drops an FENote or Aside subtree without it.
    role_map: Mapping[str, str] = field(default_factory=dict)
    structure_destinations: bool = False  # links and bookmarks go to structure elements (/SD)


# PDF/UA-1 (and PDF/A-2a, 3a): the types PDF 1.7 defines, written as the layout names them.
PDF_1_7 = Dialect("pdf-1.7", "1.7")
# PDF/UA-2 and WTPDF in PDF 2.0: every element in the PDF 2.0 namespace, which has no Note or
# Reference: a note is an FENote (NoteType Footnote), its mark a Lbl holding the Link.
PDF_2_0 = Dialect(
    "pdf-2.0",
    "2.0",
    namespace=PDF2_NAMESPACE,
    roles={"Note": "FENote", "Reference": "Lbl"},
    attributes={"FENote": {"O": "FENote", "NoteType": "Footnote"}},  # owner FENote: WTPDF 1.0 Table 1
    precise=True,
    references=True,
    role_map={"FENote": "Note", "Aside": "Sect"},
    structure_destinations=True,
)


def srgb_profile() -> bytes:
    """The sRGB ICC profile shipped with archivekit."""
    return resources.files("archivekit").joinpath("data/icc/sRGB.icc").read_bytes()


def _struct_elements(
    pdf: Pdf,
    root: StructNode,
    tree_root: Dictionary,
    pages: Sequence[pikepdf.Page],
    dialect: Dialect = PDF_1_7,
    namespace: Dictionary | None = None,
) -> tuple[dict[int, Dictionary], dict[str, Dictionary]]:
    """PDF structure elements for every node with content; returns node id -> element, and ID map."""
    made: dict[int, Dictionary] = {}
    ids: dict[str, Dictionary] = {}
    page_objs = [page.obj for page in pages]
    mcr, struct_elem = Name.MCR, Name.StructElem
    content: dict[int, bool] = {}  # node id -> it or a descendant holds marked content

    def written(node: StructNode) -> str:
        if dialect.precise and "role" in node.pdf2:
            return node.pdf2["role"]
        return dialect.roles.get(node.role, node.role)

    def has_content(node: StructNode) -> bool:
        found = content.get(id(node))
        if found is None:
            found = any(not isinstance(k, StructNode) or has_content(k) for k in node.kids)
            content[id(node)] = found
        return found

    def build(node: StructNode, parent: Dictionary) -> Dictionary:
        role = written(node)
        # Every entry known before the kids at once: one dictionary made, not one set per entry.
        entries: dict[str, object] = {"/Type": struct_elem, "/S": Name("/" + role), "/P": parent}
        if namespace is not None:
            entries["/NS"] = namespace
        if node.lang:
            entries["/Lang"] = String(node.lang)
        if node.title:
            entries["/T"] = String(node.title)
        if node.alt:
            entries["/Alt"] = String(node.alt)
        if node.elem_id:
            entries["/ID"] = String(node.elem_id)
        values = dict(node.attributes)
        if dialect.precise:
            values |= {k: v for k, v in node.pdf2.items() if k != "role" and k in values}
        values |= dialect.attributes.get(role, {})
        if values:
            entries["/A"] = Dictionary({"/" + key: Name("/" + value) for key, value in values.items()})
        elem = pdf.make_indirect(Dictionary(entries))
        made[id(node)] = elem
        if node.elem_id:
            ids[node.elem_id] = elem
        kids: list[Dictionary | int] = []
        first_page = None
        for kid in node.kids:
            if isinstance(kid, StructNode):
                if has_content(kid):
                    kids.append(build(kid, elem))
                continue
            page_no, mcid = kid
            page_obj = page_objs[page_no - 1]
            if first_page is None:
                first_page = page_obj
            # Content on the element's own page (its /Pg) is named by its MCID alone (ISO 32000-1
            # 14.7.4.2); content on a later page needs a marked-content reference naming the page.
            kids.append(mcid if page_obj is first_page else Dictionary(Type=mcr, Pg=page_obj, MCID=mcid))
        if first_page is not None:
            elem.Pg = first_page
        elem.K = Array(kids)
        return elem

    document = build(root, tree_root)
    tree_root.K = Array([document])
    return made, ids


def add_structure(pdf: Pdf, ts: Typeset, dialect: Dialect = PDF_1_7) -> dict[int, Dictionary]:
    """StructTreeRoot with ParentTree and IDTree; StructParents and Tabs on every page."""
    tree_root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    namespace = None
    if dialect.namespace:
        namespace = pdf.make_indirect(Dictionary(Type=Name.Namespace, NS=String(dialect.namespace)))
        tree_root.Namespaces = Array([namespace])
    if dialect.role_map:
        tree_root.RoleMap = Dictionary({"/" + k: Name("/" + v) for k, v in dialect.role_map.items()})
    made, ids = _struct_elements(pdf, ts.root, tree_root, list(pdf.pages), dialect, namespace)
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


def _goto(dest: pikepdf.Object, target: pikepdf.Object | None, dialect: Dialect) -> dict[str, pikepdf.Object]:
    """The entries that send a link or bookmark to `dest`: a page destination, or (PDF 2.0) a GoTo
    action whose structure destination (/SD) is the target element, the page kept for older readers."""
    if target is None or not dialect.structure_destinations:
        return {"Dest": dest}
    sd = Array([target, *list(dest)[1:]])
    return {"A": Dictionary(S=Name.GoTo, D=dest, SD=sd)}


def add_links(pdf: Pdf, ts: Typeset, made: dict[int, Dictionary], dialect: Dialect = PDF_1_7) -> None:
    """Link annotations from note marks to their notes, each owned by its Link element (OBJR)."""
    tree_root = pdf.Root.StructTreeRoot
    nums = tree_root.ParentTree.Nums
    key = int(tree_root.ParentTreeNextKey)
    notes = {n.elem_id: made[id(n)] for n in ts.root.walk() if n.elem_id and id(n) in made}
    page_objs = [page.obj for page in pdf.pages]  # pdf.pages[i] makes a Page each time it is asked
    for spot in ts.links:
        elem = made.get(id(spot.node))
        target = ts.note_spots.get(spot.node.link_to or "")
        if elem is None or target is None:
            continue
        page = page_objs[spot.page - 1]
        note_page, x, top = target
        note = notes.get(spot.node.link_to or "")
        dest = Array([page_objs[note_page - 1], Name.XYZ, round(x, 2), round(top, 2), 0])
        annot = pdf.make_indirect(
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.Link,
                Rect=Array([round(v, 2) for v in spot.rect]),
                Border=Array([0, 0, 0]),
                F=4,  # print: PDF/A wants annotations printable
                # PDF/UA wants a description on every annotation: "Note 1", in the edition's language.
                Contents=String(spot.contents or spot.label),
                StructParent=key,
            )
        )
        for name, value in _goto(dest, note, dialect).items():
            annot[Name("/" + name)] = value
        if dialect.references and note is not None:
            # PDF/UA-2 8.2.5.14: the mark refers to its note with /Ref, and the note lists its marks.
            elem.Ref = Array([note])
            if "/Ref" not in note:
                note.Ref = Array()
            note.Ref.append(elem)
        if "/Annots" not in page:
            page.Annots = Array()
        page.Annots.append(annot)
        elem.K.append(Dictionary(Type=Name.OBJR, Obj=annot, Pg=page))
        nums.append(key)
        nums.append(elem)
        key += 1
    tree_root.ParentTreeNextKey = key


def add_outline(pdf: Pdf, ts: Typeset, made: dict[int, Dictionary], dialect: Dialect = PDF_1_7) -> None:
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
    if dialect.structure_destinations:
        _outline_to_structure(pdf.Root.Outlines.get("/First"), dialect)
    pdf.Root.PageMode = Name.UseOutlines


def _outline_to_structure(item: pikepdf.Object | None, dialect: Dialect) -> None:
    """Each bookmark with a heading element (/SE) goes there by a structure destination."""
    while item is not None:
        if "/SE" in item and "/Dest" in item:
            for key, value in _goto(item.Dest, item.SE, dialect).items():
                item[Name("/" + key)] = value
            del item.Dest
        _outline_to_structure(item.get("/First"), dialect)
        item = item.get("/Next")


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


def identification(part: int, conformance: str) -> tuple[tuple[str, str], ...]:
    """The XMP identification of a PDF/A file of this part and level that also claims PDF/UA-1."""
    return (("pdfaid:part", str(part)), ("pdfaid:conformance", conformance), ("pdfuaid:part", "1"))


def keep_compressed(pdf: Pdf) -> None:
    """Name ReportLab's `/Filter [/FlateDecode]` `/FlateDecode`: qpdf keeps a stream already
    compressed only when its filter is that name, so each page is compressed once, by ReportLab,
    and not again by every save (the archival PDF saves two profiles). The compressed bytes are
    those qpdf would write; only the place of /Filter in the stream's dictionary moves."""
    flate = Name.FlateDecode
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            chain = obj.get("/Filter")
            if isinstance(chain, Array) and len(chain) == 1 and chain[0] == flate:
                obj.Filter = flate


def tagged(ts: Typeset, *, lang: str, dialect: Dialect = PDF_1_7) -> Pdf:
    """ReportLab's pages opened with pikepdf, with fonts, tags, links, outline, colour and catalog added."""
    pdf = Pdf.open(io.BytesIO(ts.pdf))
    keep_compressed(pdf)
    fix_fonts(pdf)
    made = add_structure(pdf, ts, dialect)
    add_links(pdf, ts, made, dialect)
    add_outline(pdf, ts, made, dialect)
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
    return pdf


def save(pdf: Pdf, version: str = "1.7") -> bytes:
    """The file as qpdf writes it: PDF 1.7 (or `version`), object streams, compressed, deterministic /ID."""
    out = io.BytesIO()
    pdf.save(
        out,
        deterministic_id=True,
        min_version=version,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        compress_streams=True,
        fix_metadata_version=False,
    )
    return out.getvalue()
