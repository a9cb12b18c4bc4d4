"""One metadata crosswalk from CSL-JSON to every vocabulary archivekit writes.

`table` holds where each CSL type and variable goes (BibTeX, RIS, Highwire, Dublin Core, COinS,
schema.org, OPF, XMP, PREMIS); `encode` writes a record in each syntax by reading the table. Writers
call these functions and map nothing themselves.
"""

from __future__ import annotations

from typing import Any

from archivekit import jsonfile
from archivekit.model.citation import csl_only
from archivekit.model.crosswalk.encode import (
    Prop,
    bibtex,
    bibtex_escape,
    coins,
    dublin_core,
    highwire,
    highwire_reference,
    opf_reference,
    package_fields,
    ris,
    schema_person,
    schema_work,
    script_json,
)
from archivekit.model.crosswalk.table import (
    FIELDS,
    FORMATS,
    TYPES,
    FieldRow,
    NotCarried,
    TypeRow,
    not_carried,
)
from archivekit.model.crosswalk.values import creators, iso_date, name_text, translated_titles, type_row


def csl_json(items: list[dict[str, Any]]) -> str:
    """The records as a CSL-JSON file (CSL variables and `multi` titles, stable key order)."""
    out = []
    for item in items:
        record = csl_only(item)
        if item.get("multi"):
            # Translated titles travel in CSL-JSON's `multi` (Juris-M); CSL processors ignore it.
            record["multi"] = item["multi"]
        out.append(record)
    return jsonfile.dumps(out)


__all__ = [
    "FIELDS",
    "FORMATS",
    "TYPES",
    "FieldRow",
    "NotCarried",
    "Prop",
    "TypeRow",
    "bibtex",
    "bibtex_escape",
    "coins",
    "creators",
    "csl_json",
    "dublin_core",
    "highwire",
    "highwire_reference",
    "iso_date",
    "name_text",
    "not_carried",
    "opf_reference",
    "package_fields",
    "ris",
    "schema_person",
    "schema_work",
    "script_json",
    "translated_titles",
    "type_row",
]
