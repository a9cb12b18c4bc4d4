"""Reading a CSL-JSON record's values the way every encoder needs them: text, names, dates, pages."""

from __future__ import annotations

import logging
from typing import Any

from archivekit.model.crosswalk.table import FALLBACK_TYPE, FIELDS, READ_ELSEWHERE, TYPES, TypeRow

log = logging.getLogger("archivekit")


def csl_type(item: dict[str, Any]) -> str:
    """The record's CSL type when the crosswalk knows it, else the fallback (with a warning)."""
    value = str(item.get("type"))
    if value in TYPES:
        return value
    _warn_once(
        f"crosswalk: CSL type {value!r} of {item.get('id')!r} has no row; written as {FALLBACK_TYPE!r}"
    )
    return FALLBACK_TYPE


def type_row(item: dict[str, Any]) -> TypeRow:
    """The vocabulary names of this record's CSL type."""
    return TYPES[csl_type(item)]


def date_parts(item: dict[str, Any], var: str = "issued") -> list[int]:
    """[year, month, day] (as far as known) of a CSL date variable, or []."""
    value = item.get(var) or {}
    parts = value.get("date-parts") or [[]]
    return [int(p) for p in parts[0] if str(p).strip()]


def iso_date(item: dict[str, Any], var: str = "issued") -> str | None:
    """The CSL date as ISO 8601 (2019-05-28, 2019-05 or 2019), or None."""
    parts = date_parts(item, var)
    if not parts:
        return None
    return "-".join([f"{parts[0]:04d}", *[f"{p:02d}" for p in parts[1:]]])


def name_text(name: dict[str, Any], *, inverted: bool = True) -> str:
    """A CSL name as text: "Family, Given" (inverted) or "Given Family"; literal names as they are."""
    if "literal" in name:
        return str(name["literal"])
    family, given = str(name.get("family", "")), str(name.get("given", ""))
    if not given:
        return family
    return f"{family}, {given}" if inverted else f"{given} {family}"


def creators(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's creators: its authors, else its issuing body (authority) as an organisation."""
    authors = list(item.get("author") or [])
    if authors:
        return authors
    authority = item.get("authority")
    if isinstance(authority, list):
        return list(authority)
    return [{"literal": str(authority)}] if authority else []


def translated_titles(item: dict[str, Any]) -> list[tuple[str, str]]:
    """(language, title) of the record's titles in other languages (CSL-JSON `multi._keys.title`)."""
    keys = ((item.get("multi") or {}).get("_keys") or {}).get("title") or {}
    return [(str(lang), str(text)) for lang, text in sorted(keys.items()) if text]


def page_range(item: dict[str, Any]) -> tuple[str, str | None] | None:
    """(first, last) page of a CSL `page` ("171", "171-186", "171–186"), or None."""
    value = scalar(item, "page")
    if value is None:
        return None
    for dash in ("–", "-"):
        if dash in value:
            first, last = (piece.strip() for piece in value.split(dash, 1))
            return first, last or None
    return value.strip(), None


def scalar(item: dict[str, Any], var: str) -> str | None:
    """A CSL string or number variable as text, or None."""
    value = item.get(var)
    return None if value in (None, "") else str(value)


def present(item: dict[str, Any], field: str) -> bool:
    """Whether the record has a value for this crosswalk field."""
    if field == "creators":
        return bool(creators(item))
    if field == "title-translations":
        return bool(translated_titles(item))
    if field == "issued":
        return bool(date_parts(item))
    return scalar(item, field) is not None


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    # One warning per distinct loss per process: a build of many formats names each loss once.
    if message not in _warned:
        _warned.add(message)
        log.warning(message)


def warn_unmapped(item: dict[str, Any], fmt: str, field: str) -> None:
    """A build warning: the table does not say where this record's field goes in this format."""
    _warn_once(
        f"crosswalk: the table has no {fmt} cell for {field!r} of a {item.get('type')!r} "
        f"(record {item.get('id')!r}): not written there"
    )


def unknown_variables(item: dict[str, Any]) -> list[str]:
    """CSL variables in the record that no crosswalk row reads."""
    known = {row.csl for row in FIELDS} | READ_ELSEWHERE
    return sorted(k for k in item if k not in known and not k.startswith("_"))


def warn_unknown(item: dict[str, Any]) -> None:
    """A build warning for every CSL variable of the record the crosswalk has no row for."""
    for name in unknown_variables(item):
        _warn_once(
            f"crosswalk: no row for CSL variable {name!r} (record {item.get('id')!r}): written nowhere"
        )
