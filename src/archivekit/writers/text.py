"""Plain-text edition: the parts as UTF-8 text, one paragraph per line, notes after their part."""

from __future__ import annotations

from archivekit.model import Block, BulletList, Document, Heading, MarkedList, Paragraph, plain_text
from archivekit.writers.base import Artifact, BuildContext

# Nested items of a marked list are indented by this much per level (layout, not source text).
INDENT = "  "


def _block_lines(block: Block, level: int = 0) -> list[str]:
    match block:
        case Heading(kicker=kicker, inlines=inlines):
            return ([plain_text(kicker)] if kicker else []) + [plain_text(inlines)]
        case Paragraph(inlines=inlines):
            return [INDENT * level + plain_text(inlines)]
        case BulletList(items=items):
            return [f"- {line}" for item in items for blk in item for line in _block_lines(blk)]
        case MarkedList(items=items):
            return [
                line
                for item in items
                for line in _marked_item(item.marker, item.separator, item.blocks, level)
            ]
    return []


def _marked_item(marker: str, separator: str, blocks: tuple[Block, ...], level: int) -> list[str]:
    """The source's marker and separator, then the item's first paragraph; nested lists one level in."""
    lines: list[str] = []
    for index, block in enumerate(blocks):
        if index == 0 and isinstance(block, Paragraph):
            lines.append(INDENT * level + marker + separator + plain_text(block.inlines))
        else:
            lines += _block_lines(block, level + 1)
    if not blocks or not isinstance(blocks[0], Paragraph):
        lines.insert(0, INDENT * level + marker)
    return lines


def render_text(doc: Document) -> str:
    """The text edition: editorial title, parts in reading order, notes after their part, colophon."""
    lines: list[str] = []
    for block in doc.front:
        lines += _block_lines(block)
    for part in doc.parts:
        lines.append("")
        if part.title:
            lines += [f"[{plain_text(part.title.inlines)}]"]  # brackets: an editorial heading
        for block in part.blocks:
            lines += _block_lines(block)
        for note in doc.notes.values():
            if note.part_id == part.id:
                text = " ".join(line.strip() for blk in note.blocks for line in _block_lines(blk))
                lines.append(f"[{note.label}] {text}")
    lines.append("")
    for block in doc.colophon:
        lines += _block_lines(block)
    return "\n".join(lines) + "\n"


class TextWriter:
    name = "text"

    def write(self, doc: Document, ctx: BuildContext) -> list[Artifact]:
        """Write <edition-id>.txt."""
        path = f"{doc.edition.id}.txt"
        (ctx.out_dir / path).write_text(render_text(doc), encoding="utf-8")
        return [Artifact("text", path, "text/plain; charset=utf-8")]


WRITER = TextWriter()
