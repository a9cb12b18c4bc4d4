"""The one document model every writer reads: parts, blocks, inlines, notes, languages, citations."""

from archivekit.model.document import (
    Block,
    BulletList,
    Citation,
    Document,
    Emphasis,
    Heading,
    Inline,
    LineBreak,
    Note,
    NoteRef,
    Paragraph,
    Part,
    Span,
    Strong,
    Text,
    plain_text,
)
from archivekit.model.metadata import Edition, LangText, PartSpec, Settings

__all__ = [
    "Block",
    "BulletList",
    "Citation",
    "Document",
    "Edition",
    "Emphasis",
    "Heading",
    "Inline",
    "LangText",
    "LineBreak",
    "Note",
    "NoteRef",
    "Paragraph",
    "Part",
    "PartSpec",
    "Settings",
    "Span",
    "Strong",
    "Text",
    "plain_text",
]
