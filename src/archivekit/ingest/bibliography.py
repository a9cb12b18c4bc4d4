"""The edition's bibliography: CSL-JSON records, checked for the fields writers rely on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archivekit.errors import SourceError
from archivekit.ingest.files import line_of, read_text

REQUIRED = ("id", "type", "title")


def load_bibliography(path: Path) -> tuple[dict[str, Any], ...]:
    """The CSL-JSON records in this file."""
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"invalid CSL-JSON: {exc.msg}",
            file=path,
            line=exc.lineno,
            hint="fix the JSON syntax near that line (a CSL-JSON file is a list of records)",
        ) from None
    except RecursionError:
        raise SourceError(
            "CSL-JSON nested too deeply to read",
            file=path,
            hint="a CSL-JSON record is a few levels deep: remove the extra brackets",
        ) from None
    if not isinstance(data, list):
        raise SourceError(
            "CSL-JSON must be a list of records", file=path, line=1, hint="wrap the record in [ ]"
        )
    seen: set[str] = set()
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise SourceError(
                f"record {index} is not an object", file=path, hint="each record is a {...} object"
            )
        for key in REQUIRED:
            if not isinstance(item.get(key), str) or not item[key]:
                where = line_of(text, f'"{item.get("id")}"') if isinstance(item.get("id"), str) else None
                raise SourceError(
                    f"record {index} has no {key!r} string",
                    file=path,
                    line=where,
                    hint=f'add "{key}": "..." to the record',
                )
        if item["id"] in seen:
            raise SourceError(
                f"two records have the id {item['id']!r}",
                file=path,
                line=line_of(text[text.find(f'"{item["id"]}"') + 1 :], f'"{item["id"]}"'),
                hint="give every record its own id",
            )
        seen.add(item["id"])
        issued = item.get("issued")
        if issued is not None and not _valid_date(issued):
            raise SourceError(
                f"record {item['id']!r} has a malformed 'issued' date",
                file=path,
                line=line_of(text, '"issued"'),
                hint='write it as {"date-parts": [[YYYY, M, D]]}',
            )
        url = item.get("URL")
        if url is not None and not (isinstance(url, str) and url.startswith(("https://", "http://"))):
            raise SourceError(
                f"record {item['id']!r} has a URL that is not http(s): {url!r}",
                file=path,
                line=line_of(text, '"URL"'),
                hint="use an https:// address",
            )
    return tuple(data)


def _valid_date(value: Any) -> bool:
    parts = value.get("date-parts") if isinstance(value, dict) else None
    if not (isinstance(parts, list) and parts and isinstance(parts[0], list) and 1 <= len(parts[0]) <= 3):
        return False
    if not all(isinstance(n, int) for n in parts[0]):
        return False
    year, month, day = ([*parts[0], 1, 1])[:3]
    return 1 <= month <= 12 and 1 <= day <= 31 and 0 < year < 10000
