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
    """One role: its CSL type (model.crosswalk names that type in every other vocabulary)."""

    csl_type: str


ROLES: dict[str, Role] = {
    "letter": Role("personal_communication"),  # CSL's letter ("letter" is Zotero's name, not a CSL type)
    "statement": Role("document"),
    "declaration": Role("document"),
    "treaty": Role("treaty"),
    "convention": Role("treaty"),
    "resolution": Role("legislation"),
    "law": Role("legislation"),
    "report": Role("report"),
    "article": Role("article"),
    "chapter": Role("chapter"),
    "section": Role("chapter"),
    "speech": Role("speech"),
    "preface": Role("chapter"),
    "introduction": Role("chapter"),
    "appendix": Role("document"),
    "poem": Role("document"),
    "essay": Role("article"),
    "book": Role("book"),
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
