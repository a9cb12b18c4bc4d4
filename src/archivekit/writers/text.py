"""Plain-text edition: the letter and statements as UTF-8 text, one paragraph per line."""

from __future__ import annotations

from archivekit.model import Block, BulletList, Document, Heading, Paragraph, plain_text
from archivekit.writers.base import Artifact, BuildContext


def _block_lines(block: Block) -> list[str]:
    match block:
        case Heading(kicker=kicker, inlines=inlines):
            return ([plain_text(kicker)] if kicker else []) + [plain_text(inlines)]
        case Paragraph(inlines=inlines):
            return [plain_text(inlines)]
        case BulletList(items=items):
            return [f"- {line}" for item in items for blk in item for line in _block_lines(blk)]
    return []


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
                text = " ".join(line for blk in note.blocks for line in _block_lines(blk))
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
