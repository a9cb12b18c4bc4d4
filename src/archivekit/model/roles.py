"""What a part is: the role vocabulary of edition.yaml and what each role means for the edition.

A role names the kind of text a part is (a letter, a treaty, a chapter). It drives the type the
edition and its parts get in every metadata format (through the crosswalk) and the words the
edition uses about them (through model.locale). Adding a role is one row here, one entry in the
schema's enum, and its names in model.locale.ROLE_NAMES.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    """One role: its CSL type, its schema.org type and its DCMI Type vocabulary term."""

    csl_type: str
    schema_type: str
    dcmi_type: str = "Text"


ROLES: dict[str, Role] = {
    "letter": Role("letter", "DigitalDocument"),
    "statement": Role("document", "DigitalDocument"),
    "declaration": Role("document", "Legislation"),
    "treaty": Role("treaty", "Legislation"),
    "convention": Role("treaty", "Legislation"),
    "resolution": Role("legislation", "Legislation"),
    "law": Role("legislation", "Legislation"),
    "report": Role("report", "Report"),
    "article": Role("article", "Article"),
    "chapter": Role("chapter", "Chapter"),
    "section": Role("chapter", "Chapter"),
    "speech": Role("speech", "CreativeWork"),
    "preface": Role("chapter", "Chapter"),
    "introduction": Role("chapter", "Chapter"),
    "appendix": Role("document", "CreativeWork"),
    "poem": Role("document", "CreativeWork"),
    "essay": Role("article", "Article"),
    "book": Role("book", "Book"),
}

# Roles that belong to a larger whole: an edition made of them is that whole, not one of them.
_COMPONENT_ROLES = {"chapter", "section", "preface", "introduction", "appendix"}


def edition_role(part_roles: Iterable[str], declared: str | None = None) -> str:
    """The role of the whole edition: as declared, else its parts' main role, else a book of them."""
    if declared:
        return declared
    roles = [role for role in part_roles if role not in ("appendix",)]
    if not roles:
        return "book"
    if all(role in _COMPONENT_ROLES for role in roles):
        return "book"
    main = roles[0]
    return main if main not in _COMPONENT_ROLES else "book"
