"""Tagged PDF while ReportLab draws: marked content with MCIDs, artifacts, and the structure tree.

ReportLab has no tagging API. The layout builds the structure tree (StructNode) from the
document model before drawing; while drawing, flowables wrap each run of text in
`/Tag <</MCID n>> BDC ... EMC` through `TaggingCanvas.marked`, which records (page, MCID)
under the node, and wrap page furniture in `/Artifact ... BDC ... EMC`. Nodes join their
parent's kids the first time they receive content, so reading order inside an element is
drawing order, while the order of parts is fixed by the model. finish.py turns the tree
into PDF objects with pikepdf after ReportLab has written the file.

ReportLab internals relied on (pinned reportlab==4.4.4): Canvas.addLiteral writes raw
operators into the page stream; Canvas.getPageNumber is 1-based and increments on showPage.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from reportlab.pdfgen.canvas import Canvas

from archivekit.typeset import reportlab_adapter


@dataclass(eq=False)
class StructNode:
    """A structure element: its standard type, language, and kids (nodes or (page, MCID) pairs)."""

    role: str  # standard structure type: Document, Part, Sect, H1, P, L, LI, Lbl, LBody, Note, ...
    lang: str | None = None  # set only where it differs from the parent's language
    parent: StructNode | None = None
    kids: list[StructNode | tuple[int, int]] = field(default_factory=list)
    elem_id: str | None = None  # /ID (required on Note by PDF/UA)
    title: str | None = None  # /T: says when the element is editorial matter
    alt: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)  # /A, owner /List etc.
    # What PDF 2.0 says more precisely, for files in its namespace: "role" (Aside for editorial
    # matter) or an attribute value (ListNumbering Ordered where PDF 1.7 had only None).
    pdf2: dict[str, str] = field(default_factory=dict)
    follow: StructNode | None = None  # attach this node right after self (a Note after its reference)
    link_to: str | None = None  # a Link element: the id of the note its annotation jumps to
    attached: bool = False

    def __hash__(self) -> int:
        return id(self)

    def child(self, role: str, **kwargs: object) -> StructNode:
        """A new node under this one, attached when it first gets content."""
        return StructNode(role, parent=self, **kwargs)  # type: ignore[arg-type]

    def attach(self) -> None:
        """Put this node (and its ancestors) into the tree, in the order content arrives."""
        if self.attached or self.parent is None:
            self.attached = True
            return
        self.parent.attach()
        self.parent.kids.append(self)
        self.attached = True
        if self.follow is not None and not self.follow.attached:
            self.parent.kids.append(self.follow)
            self.follow.attached = True

    def effective_lang(self) -> str | None:
        """The language in force for this node (its own or an ancestor's)."""
        node: StructNode | None = self
        while node is not None:
            if node.lang:
                return node.lang
            node = node.parent
        return None

    def walk(self) -> Iterator[StructNode]:
        """This node and every node below it, in order."""
        yield self
        for kid in self.kids:
            if isinstance(kid, StructNode):
                yield from kid.walk()


def _tag_name(role: str) -> str:
    return "/" + role


class TaggingCanvas(Canvas):
    """A ReportLab canvas that writes marked content and remembers which MCID belongs to which node."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.mcid_counter: dict[int, int] = {}
        self.parent_tree: dict[int, list[StructNode]] = {}  # page -> node of each MCID, by MCID
        self.in_marked = False
        # False while a page whose text another process draws is laid out here (layout.py, long
        # documents): its text is only recorded (MCIDs, links, fonts named), not drawn.
        self.paints = True
        self.named_fonts: set[str] = set()  # fonts known to have their name in this document
        self.unsaved = False  # True: save() writes nothing (the pages are taken from this canvas)

    @contextmanager
    def marked(self, node: StructNode) -> Iterator[int]:
        """Everything drawn inside belongs to `node`: one marked-content sequence with a new MCID."""
        mcid = self.begin_marked(node)
        try:
            yield mcid
        finally:
            self.end_marked()

    def begin_marked(self, node: StructNode) -> int:
        """Open `node`'s marked-content sequence (`marked` without a context manager, for the text
        of every line: a generator's entry and exit cost more than the sequence's bookkeeping)."""
        mcid = self.claim_mcid(node)
        self.addLiteral(f"{_tag_name(node.role)} <</MCID {mcid}>> BDC")
        self.in_marked = True
        return mcid

    def claim_mcid(self, node: StructNode) -> int:
        """The next MCID of this page, recorded under `node`: what begin_marked records, nothing drawn."""
        page = self.getPageNumber()
        mcid = self.mcid_counter.get(page, 0)
        self.mcid_counter[page] = mcid + 1
        self.parent_tree.setdefault(page, []).append(node)
        node.attach()
        node.kids.append((page, mcid))
        return mcid

    def name_font(self, font: str, text: str) -> None:
        """Give `font` its name in the document now, as showing `text` in it would (ReportLab names
        fonts in the order they are first shown), when it has none yet."""
        if font not in self.named_fonts and reportlab_adapter.name_font(font, text, self._doc):
            self.named_fonts.add(font)

    def save(self) -> None:
        if not self.unsaved:
            super().save()

    def end_marked(self) -> None:
        """Close the marked-content sequence begin_marked opened."""
        self.in_marked = False
        self.addLiteral("EMC")

    @contextmanager
    def artifact(self, kind: str = "Layout", subtype: str | None = None) -> Iterator[None]:
        """Everything drawn inside is page furniture that assistive technology skips."""
        props = f"/Type /{kind}"
        if subtype:
            props += f" /Subtype /{subtype}"
        self.addLiteral(f"/Artifact <<{props}>> BDC")
        try:
            yield
        finally:
            self.addLiteral("EMC")
