"""edition.yaml -> Edition: parsed safely, checked against the JSON Schema, errors with line numbers."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from archivekit.errors import SourceError
from archivekit.ingest.files import read_text, resolve_inside
from archivekit.ingest.langtags import HINT as LANG_HINT
from archivekit.ingest.langtags import tag_problem
from archivekit.model.metadata import BrailleSettings, Creator, Edition, LangText, PartSpec, Settings

EDITION_FILE = "edition.yaml"
PLACEHOLDER = "TODO:"  # what `archivekit new` and `import` write where only the archivist knows the value
MAX_YAML_DEPTH = 20  # the schema needs 4 levels; deeper nesting only exhausts the parser's stack

# Fields holding one language tag, or a list of them, or text keyed by language tag.
_TAG_FIELDS = ("language",)
_TAG_LIST_FIELDS = ("languages",)
_LANGTEXT_FIELDS = ("title", "rights", "statement", "description", "publisher", "license_note")


class _Loader(yaml.SafeLoader):
    """Safe YAML with dates kept as strings (the schema checks them), no duplicate keys, no aliases.

    Aliases (`*name`) are refused: metadata never needs them, and a chain of them is the YAML
    form of an entity-expansion bomb.
    """

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise SourceError(
                "YAML aliases (*name) are not allowed in edition metadata",
                line=event.start_mark.line + 1,
                hint="write the value out in full instead of referring to an &anchor",
            )
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                event = self.peek_event()
                raise SourceError(
                    f"YAML nested more than {MAX_YAML_DEPTH} levels deep",
                    line=event.start_mark.line + 1,
                    hint="edition metadata is a few levels deep: remove the extra brackets or indentation",
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _no_timestamps(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise SourceError(
                f"key {key!r} appears twice",
                line=key_node.start_mark.line + 1,
                hint="keep one of the two entries",
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _no_timestamps)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _schema() -> dict[str, Any]:
    text = resources.files("archivekit").joinpath("schemas/edition.schema.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    """The schema's validator, made once: making it reads and checks the schema."""
    return jsonschema.Draft202012Validator(_schema(), format_checker=jsonschema.FormatChecker())


def _node_line(root: yaml.Node | None, path: list[Any]) -> int | None:
    """The line of the YAML node at this JSON path (the deepest one that exists)."""
    node, line = root, (root.start_mark.line + 1 if root else None)
    for step in path:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if k.value == step]
            if not match:
                break
            key = next(k for k, v in node.value if k.value == step)
            node, line = match[0], key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _langtext(value: dict[str, str] | None) -> LangText | None:
    return LangText(tuple(value.items())) if value else None


def _creator_list(value: dict[str, Any] | list[Any] | None) -> list[tuple[list[Any], dict[str, Any]]]:
    """`creator` as (path inside the field, entry) pairs: one object, or a list of them in order."""
    if value is None:
        return []
    if isinstance(value, list):
        return [([index], entry) for index, entry in enumerate(value)]
    return [([], value)]


def _creators(value: dict[str, Any] | list[Any] | None) -> tuple[Creator, ...]:
    """The creators a `creator` field gives (already checked by the schema), in order."""
    return tuple(
        Creator(LangText(tuple(entry["name"].items())), entry.get("role", "aut"))
        for _, entry in _creator_list(value)
    )


def load_edition_yaml(edition_dir: Path) -> Edition:
    """Read and check edition.yaml in this folder."""
    path = edition_dir / EDITION_FILE
    if not path.exists() and not path.is_symlink():
        raise SourceError(
            f"no {EDITION_FILE} in the edition folder",
            file=path,
            hint=f"create {EDITION_FILE} (see sources/*/edition.yaml for an example)",
        )
    path = resolve_inside(edition_dir, EDITION_FILE, what="edition metadata")
    return _read_edition(path, read_text(path))


@lru_cache(maxsize=32)  # a resident process (watch, a cluster worker) checks an unchanged file once
def _read_edition(path: Path, text: str) -> Edition:
    """The edition this text of edition.yaml describes, checked (errors are never remembered)."""
    try:
        root = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except SourceError as exc:
        exc.file = str(path)
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        opened, context = getattr(exc, "context_mark", None), getattr(exc, "context", None)
        if opened is not None and context and context.startswith(("while scanning", "while parsing a flow")):
            # An unclosed quote or bracket is found where the file ends or the next line starts:
            # the line it opens on is the one to correct, as PyYAML's own message says ("while
            # scanning a quoted scalar"). A block mapping's context is the whole mapping: not used.
            problem = f"{problem} ({context} that begins on line {opened.line + 1})"
            mark = opened
        raise SourceError(
            f"invalid YAML: {problem}",
            file=path,
            line=mark.line + 1 if mark else None,
            hint="check the indentation and quoting near that line",
        ) from None
    if not isinstance(data, dict):
        raise SourceError(
            "edition metadata must be a mapping of fields",
            file=path,
            line=1,
            hint="write one `field: value` per line (see sources/*/edition.yaml for an example)",
        )

    _check_placeholders(data, path, root, [])
    errors = sorted(
        _validator().iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.path)))
    )
    if errors:
        err = errors[0]
        if err.validator == "oneOf" and err.context:
            # One creator or a list of them: name what is wrong in the form the file uses.
            form = 1 if isinstance(err.instance, list) else 0
            inner = [e for e in err.context if e.relative_schema_path[0] == form] or list(err.context)
            err = sorted(inner, key=lambda e: (len(e.absolute_path), list(map(str, e.path))))[0]
        field = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        raise SourceError(
            f"field {field}: {err.message}",
            file=path,
            line=_node_line(root, list(err.absolute_path)),
            hint=_schema_hint(err),
        )
    _check_language_tags(data, path, root)
    return _to_edition(data, path, root)


def _check_placeholders(value: Any, path: Path, root: yaml.Node | None, where: list[Any]) -> None:
    """A value still holding the scaffold's placeholder is refused: it would reach every output."""
    if isinstance(value, str) and value.startswith(PLACEHOLDER):
        raise SourceError(
            f"field {'.'.join(map(str, where))} still holds the placeholder {value!r}",
            file=path,
            line=_node_line(root, where),
            hint="replace it with the real value (docs/authoring.md explains the field)",
        )
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        _check_placeholders(child, path, root, [*where, key])


def _check_language_tags(data: dict[str, Any], path: Path, root: yaml.Node | None) -> None:
    """Every language tag in the metadata is one the IANA registry knows (the schema checked the form)."""
    found: list[tuple[list[Any], str]] = [([name], data[name]) for name in _TAG_FIELDS if name in data]
    for name in _TAG_LIST_FIELDS:
        found += [([name, i], tag) for i, tag in enumerate(data.get(name, []))]
    texts: list[tuple[list[Any], dict[str, str]]] = [
        ([name], data[name]) for name in _LANGTEXT_FIELDS if name in data
    ]
    texts += [(["creator", *at, "name"], entry["name"]) for at, entry in _creator_list(data["creator"])]
    for index, part in enumerate(data["parts"]):
        found.append((["parts", index, "lang"], part["lang"]))
        if "title" in part:
            texts.append((["parts", index, "title"], part["title"]))
        texts += [
            (["parts", index, "creator", *at, "name"], entry["name"])
            for at, entry in _creator_list(part.get("creator"))
        ]
    found += [([*where, tag], tag) for where, value in texts for tag in value]
    for where, tag in found:
        problem = tag_problem(tag)
        if problem:
            raise SourceError(
                f"field {'.'.join(map(str, where))}: {problem}",
                file=path,
                line=_node_line(root, where),
                hint=LANG_HINT,
            )


def _schema_hint(err: jsonschema.ValidationError) -> str:
    description = err.schema.get("description") if isinstance(err.schema, dict) else None
    if err.validator == "required":
        return "add the missing field (see src/archivekit/schemas/edition.schema.json)"
    if err.validator == "additionalProperties":
        return "remove or rename the field; the schema lists the allowed ones"
    return description or "see src/archivekit/schemas/edition.schema.json for the allowed values"


def _to_edition(data: dict[str, Any], path: Path, root: yaml.Node | None) -> Edition:
    date = _calendar_date(data["date"], path, _node_line(root, ["date"]), "date")
    parts = tuple(_part_spec(p, index, path, root) for index, p in enumerate(data["parts"]))
    for key in ("id", "file"):
        seen: set[str] = set()
        for index, part in enumerate(parts):
            value = getattr(part, key)
            if value in seen:
                raise SourceError(
                    f"field parts.{index}.{key}: {value!r} is used by an earlier part too",
                    file=path,
                    line=_node_line(root, ["parts", index, key]),
                    hint=f"give every part its own {key}",
                )
            seen.add(value)
    for index, part in enumerate(parts):
        if part.lang not in data["languages"]:
            raise SourceError(
                f"field parts.{index}.lang: {part.lang!r} is not among the edition's languages",
                file=path,
                line=_node_line(root, ["parts", index, "lang"]),
                hint=f"add {part.lang} to `languages` or correct the tag",
            )
    part_ids = {p.id for p in parts}
    for index, pair in enumerate(data.get("parallel", [])):
        for member in pair:
            if member not in part_ids:
                raise SourceError(
                    f"field parallel.{index}: no part has the id {member!r}",
                    file=path,
                    line=_node_line(root, ["parallel", index]),
                    hint="name parts by their `id`",
                )
    if data["language"] not in data["languages"]:
        raise SourceError(
            f"field language: {data['language']!r} is not among the edition's languages",
            file=path,
            line=_node_line(root, ["language"]),
            hint="add it to `languages`",
        )
    settings = data.get("settings", {})
    return Edition(
        id=data["id"],
        version=data["version"],
        title=LangText(tuple(data["title"].items())),
        creators=_creators(data["creator"]),
        date=date,
        language=data["language"],
        languages=tuple(data["languages"]),
        rights=LangText(tuple(data["rights"].items())),
        statement=LangText(tuple(data["statement"].items())),
        parts=parts,
        parallel=tuple(tuple(pair) for pair in data.get("parallel", [])),  # type: ignore[misc]
        bibliography=data.get("bibliography"),
        description=_langtext(data.get("description")),
        publisher=_langtext(data.get("publisher")),
        source_description=(data.get("transcribed_from") or {}).get("file"),
        date_text=data["date"],
        type=data.get("type"),
        license=data.get("license"),
        license_note=_langtext(data.get("license_note")),
        source_url=(data.get("transcribed_from") or {}).get("url"),
        source_citation=(data.get("transcribed_from") or {}).get("citation"),
        settings=Settings(
            page_size=settings.get("page_size", "A5"),
            print_trim=settings.get("print_trim", settings.get("page_size", "A5")),
            bleed_mm=float(settings.get("bleed_mm", 3.0)),
            editorial_language=settings.get("editorial_language"),
            title_page=bool(settings.get("title_page", False)),
            csl_style=settings.get("csl_style"),
            print_icc=settings.get("print_icc"),
            braille=_braille_settings(settings.get("braille") or {}),
        ),
    )


def _braille_settings(braille: dict[str, Any]) -> BrailleSettings:
    """settings.braille (already checked by the schema): tables by language, cells and lines."""
    defaults = BrailleSettings()
    return BrailleSettings(
        tables=tuple(sorted((braille.get("tables") or {}).items())),
        cells=int(braille.get("cells", defaults.cells)),
        lines=int(braille.get("lines", defaults.lines)),
    )


def _calendar_date(text: str, path: Path, line: int | None, field: str) -> dt.date:
    """The first day a YYYY, YYYY-MM or YYYY-MM-DD date stands for; an impossible date is refused."""
    pieces = [int(piece) for piece in text.split("-")]
    try:
        return dt.date(pieces[0], *[*pieces[1:], 1, 1][:2])
    except ValueError:
        raise SourceError(
            f"field {field}: {text!r} is not a calendar date",
            file=path,
            line=line,
            hint="write the date as YYYY-MM-DD, YYYY-MM or YYYY",
        ) from None


def _part_spec(part: dict[str, Any], index: int, path: Path, root: yaml.Node | None) -> PartSpec:
    if "date" in part:
        _calendar_date(part["date"], path, _node_line(root, ["parts", index, "date"]), f"parts.{index}.date")
    return PartSpec(
        id=part["id"],
        file=part["file"],
        lang=part["lang"],
        role=part["role"],
        title=_langtext(part.get("title")),
        creators=_creators(part.get("creator")),
        date=part.get("date"),
        cite_key=part.get("cite-key"),
    )
