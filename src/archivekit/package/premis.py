"""The bag's provenance as a PREMIS 3.0 record: objects with fixity and format, events, agents.

Built with lxml and validated against the official PREMIS 3.0 schema shipped in
`archivekit/schemas/premis-v3-0.xsd` (Library of Congress, 18 January 2016). That schema imports
nothing (version 3.0 dropped its XLink import), so validation never touches the network.
Identifiers are UUIDv5 names of the edition's identifier, so a rebuild writes the same record.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

from archivekit import clock
from archivekit.errors import BuildError
from archivekit.package.formats import PRESERVATION_MASTER, FormatInfo
from archivekit.package.provenance import Software, ValidationRun

PREMIS_NS = "http://www.loc.gov/premis/v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{PREMIS_NS} https://www.loc.gov/standards/premis/v3/premis-v3-0.xsd"
XSD_NAME = "premis-v3-0.xsd"
PATH_ID = "bag path"  # objectIdentifierType of files: their path inside the bag
_P = f"{{{PREMIS_NS}}}"


@dataclass(frozen=True)
class PayloadObject:
    """One payload file as PREMIS describes it."""

    bag_path: str  # "data/…", the identifier
    build_path: str  # path in the build folder (originalName)
    kind: str  # "rendition" | "source" | "validation report" | "build manifest"
    size: int
    sha256: str
    sha512: str
    format: FormatInfo


@dataclass(frozen=True)
class EditionInfo:
    """What the record says about the intellectual entity: the edition."""

    id: str
    version: str
    identifier: str  # urn:uuid:…
    title: str
    statement: str
    # (significantPropertiesType, value) as model.crosswalk maps the edition's CSL record to PREMIS.
    properties: tuple[tuple[str, str], ...] = ()


def _el(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, _P + name, attrs)
    if text is not None:
        node.text = text
    return node


class _Ids:
    """Deterministic identifiers, derived from the edition identifier and a local name."""

    def __init__(self, edition: EditionInfo) -> None:
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"{edition.identifier}#{edition.version}")

    def __call__(self, name: str) -> str:
        return str(uuid.uuid5(self.namespace, name))


def _agent_key(software: Software) -> str:
    return f"{software.name} {software.version}"


def _link_agent(event: etree._Element, software: Software, role: str) -> None:
    link = _el(event, "linkingAgentIdentifier")
    _el(link, "linkingAgentIdentifierType", "local")
    _el(link, "linkingAgentIdentifierValue", _agent_key(software))
    _el(link, "linkingAgentRole", role)


def _link_object(event: etree._Element, id_type: str, value: str, role: str) -> None:
    link = _el(event, "linkingObjectIdentifier")
    _el(link, "linkingObjectIdentifierType", id_type)
    _el(link, "linkingObjectIdentifierValue", value)
    _el(link, "linkingObjectRole", role)


def _link_event(node: etree._Element, event_id: str) -> None:
    link = _el(node, "linkingEventIdentifier")
    _el(link, "linkingEventIdentifierType", "UUID")
    _el(link, "linkingEventIdentifierValue", event_id)


def _event(
    root: etree._Element, ids: _Ids, key: str, kind: str, when: str, detail: str, outcome: str, note: str = ""
) -> tuple[etree._Element, str]:
    event = _el(root, "event")
    ident = _el(event, "eventIdentifier")
    value = ids(f"event/{key}")
    _el(ident, "eventIdentifierType", "UUID")
    _el(ident, "eventIdentifierValue", value)
    _el(event, "eventType", kind)
    _el(event, "eventDateTime", when)
    _el(_el(event, "eventDetailInformation"), "eventDetail", detail)
    info = _el(event, "eventOutcomeInformation")
    _el(info, "eventOutcome", outcome)
    if note:
        _el(_el(info, "eventOutcomeDetail"), "eventOutcomeDetailNote", note)
    return event, value


def _file_object(
    root: etree._Element,
    obj: PayloadObject,
    edition: EditionInfo,
    sources: list[str],
    events: list[str],
    siblings: Sequence[str] = (),
) -> None:
    node = _el(root, "object", **{f"{{{XSI_NS}}}type": "premis:file"})
    ident = _el(node, "objectIdentifier")
    _el(ident, "objectIdentifierType", PATH_ID)
    _el(ident, "objectIdentifierValue", obj.bag_path)
    if obj.format.role:
        level = _el(node, "preservationLevel")
        _el(level, "preservationLevelValue", obj.format.role)
        _el(level, "preservationLevelRole", "intention")
        _el(
            level,
            "preservationLevelRationale",
            "PDF/A-4f + PDF/UA-2: the current archival and accessibility standards, with the sources, "
            "edition metadata and bibliography embedded; the other PDF/A files are access copies",
        )
    chars = _el(node, "objectCharacteristics")
    _el(chars, "compositionLevel", "0")
    for algorithm, digest in (("SHA-256", obj.sha256), ("SHA-512", obj.sha512)):
        fixity = _el(chars, "fixity")
        _el(fixity, "messageDigestAlgorithm", algorithm)
        _el(fixity, "messageDigest", digest)
        _el(fixity, "messageDigestOriginator", "archivekit")
    _el(chars, "size", str(obj.size))
    fmt = _el(chars, "format")
    designation = _el(fmt, "formatDesignation")
    _el(designation, "formatName", obj.format.name)
    if obj.format.version:
        _el(designation, "formatVersion", obj.format.version)
    if obj.format.puid:
        registry = _el(fmt, "formatRegistry")
        _el(registry, "formatRegistryName", "PRONOM")
        _el(registry, "formatRegistryKey", obj.format.puid)
        _el(registry, "formatRegistryRole", "specification")
        _el(fmt, "formatNote", f"PUID as listed in {obj.format.source}")
    if obj.format.note:
        _el(fmt, "formatNote", obj.format.note)
    _el(node, "originalName", obj.build_path)
    _relationship(node, "structural", "is included in", "URN", [edition.identifier])
    if obj.kind == "rendition" and sources:
        _relationship(node, "derivation", "has source", PATH_ID, sources)
    if siblings:
        # The master and the access copies typeset from the same sources: the same pages, other standards.
        _relationship(node, "logical", "has sibling", PATH_ID, siblings)
    for event_id in events:
        _link_event(node, event_id)


def _relationship(node: Any, kind: str, subtype: str, id_type: str, values: Iterable[str]) -> None:
    """One PREMIS relationship of `node` to the objects named by `values`."""
    rel = _el(node, "relationship")
    _el(rel, "relationshipType", kind)
    _el(rel, "relationshipSubType", subtype)
    for value in values:
        related = _el(rel, "relatedObjectIdentifier")
        _el(related, "relatedObjectIdentifierType", id_type)
        _el(related, "relatedObjectIdentifierValue", value)


class _Events:
    """The record's events, built before the objects so that every object can link to its events."""

    def __init__(self, edition: EditionInfo, objects: list[PayloadObject], when: str) -> None:
        self.ids = _Ids(edition)
        self.when = when
        self.root = etree.Element(_P + "premis", nsmap={"premis": PREMIS_NS})
        self.links: dict[str, list[str]] = {o.bag_path: [] for o in objects}  # bag path -> event ids

    def add(
        self, key: str, kind: str, detail: str, outcome: str, note: str = ""
    ) -> tuple[etree._Element, str]:
        """One event dated by the record's clock: its element and its id."""
        return _event(self.root, self.ids, key, kind, self.when, detail, outcome, note)

    def involve(self, event: etree._Element, event_id: str, paths: list[str], role: str) -> None:
        """Link the event to these payload files in this role, and the files back to the event."""
        for path in paths:
            _link_object(event, PATH_ID, path, role)
            self.links[path].append(event_id)


def _creation_event(
    events: _Events, creation: list[Software], sources: list[str], renditions: list[str]
) -> None:
    """The build: renditions made from the sources by archivekit in its software environment."""
    builder, *environment = creation
    versions = f"{builder.name} {builder.version}"
    if environment:
        # The build records no per-writer tool list: name the libraries of the environment it ran in.
        versions += "; software environment: " + ", ".join(f"{s.name} {s.version}" for s in environment)
    event, creation_id = events.add(
        "creation",
        "creation",
        f"Renditions built from the canonical sources by {versions}.",
        "success",
        f"{len(renditions)} renditions from {len(sources)} source files",
    )
    for software in creation:
        _link_agent(event, software, "executing program")
    events.involve(event, creation_id, sources, "source")
    events.involve(event, creation_id, renditions, "outcome")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


def _validation_events(
    events: _Events, validations: list[ValidationRun], by_build_path: dict[str, str]
) -> list[Software]:
    """One event per validator run, linking what it checked and the reports it wrote; its agents."""
    agents: list[Software] = []
    for run in validations:
        software = Software(run.validator or "unknown validator", run.version or "unknown", "validation")
        agents.append(software)
        checked = [by_build_path[a] for a in run.artifacts if a in by_build_path]
        reports = [by_build_path[r] for r in run.reports if r in by_build_path]
        if not reports and "validation/report.json" in by_build_path:
            reports = [by_build_path["validation/report.json"]]
        note = f"{run.detail}; " if run.detail else ""
        note += f"{_plural(run.errors, 'error')}, {_plural(run.warnings, 'warning')}"
        note += "; report: " + ", ".join(reports) if reports else ""
        event, event_id = events.add(
            f"validation/{software.name}/{software.version}/{','.join(run.artifacts)}",
            "validation",
            f"{software.name} {software.version} checked "
            + (", ".join(checked) if checked else "the build")
            + ".",
            run.outcome,
            note,
        )
        _link_agent(event, software, "validator")
        events.involve(event, event_id, checked, "source")
        events.involve(event, event_id, reports, "outcome")
    return agents


def _packing_events(
    events: _Events, packing: list[Software], bag_name: str, identifier: str, payload_files: int
) -> str:
    """Digest calculation and packing, which concern every payload file; the packing event's id."""
    packer = ", ".join(f"{s.name} {s.version}" for s in packing)
    event, digest_id = events.add(
        "message digest calculation",
        "message digest calculation",
        "SHA-256 and SHA-512 of every payload file, recorded here and in the bag's manifests.",
        "success",
    )
    for software in packing:
        _link_agent(event, software, "executing program")
    event, packing_id = events.add(
        "packing",
        "packing",
        f"Packed into the BagIt 1.0 bag {bag_name} with {packer}.",
        "success",
        f"{payload_files + 1} payload files (this record included)",
    )
    for software in packing:
        _link_agent(event, software, "executing program")
    _link_object(event, "URN", identifier, "source")
    for path in events.links:
        events.links[path] += [digest_id, packing_id]
    return packing_id


def _entity_object(
    root: etree._Element, edition: EditionInfo, objects: list[PayloadObject], packing_id: str
) -> None:
    """The edition as the intellectual entity: identifiers, significant properties, the files it includes."""
    entity = _el(root, "object", **{f"{{{XSI_NS}}}type": "premis:intellectualEntity"})
    for id_type, value in (("URN", edition.identifier), ("local", f"{edition.id} {edition.version}")):
        ident = _el(entity, "objectIdentifier")
        _el(ident, "objectIdentifierType", id_type)
        _el(ident, "objectIdentifierValue", value)
    fallback = (("title", edition.title), ("edition", edition.statement), ("version", edition.version))
    for prop, value in edition.properties or fallback:
        sig = _el(entity, "significantProperties")
        _el(sig, "significantPropertiesType", prop)
        _el(sig, "significantPropertiesValue", value)
    rel = _el(entity, "relationship")
    _el(rel, "relationshipType", "structural")
    _el(rel, "relationshipSubType", "includes")
    for obj in objects:
        related = _el(rel, "relatedObjectIdentifier")
        _el(related, "relatedObjectIdentifierType", PATH_ID)
        _el(related, "relatedObjectIdentifierValue", obj.bag_path)
    _link_event(entity, packing_id)


def _agents(root: etree._Element, software: list[Software]) -> None:
    """One agent per distinct program and version, in order of first mention."""
    seen: set[str] = set()
    for program in software:
        key = _agent_key(program)
        if key in seen:
            continue
        seen.add(key)
        agent = _el(root, "agent")
        ident = _el(agent, "agentIdentifier")
        _el(ident, "agentIdentifierType", "local")
        _el(ident, "agentIdentifierValue", key)
        _el(agent, "agentName", program.name)
        _el(agent, "agentType", "software")
        _el(agent, "agentVersion", program.version)


def build_record(
    edition: EditionInfo,
    objects: list[PayloadObject],
    *,
    creation: list[Software],
    validations: list[ValidationRun],
    packing: list[Software],
    bag_name: str,
    epoch: int,
) -> bytes:
    """The PREMIS 3.0 record of a bag's payload, serialised deterministically (UTF-8, sorted objects)."""
    objects = sorted(objects, key=lambda o: o.bag_path)
    sources = [o.bag_path for o in objects if o.kind == "source"]
    renditions = [o.bag_path for o in objects if o.kind == "rendition"]

    events = _Events(edition, objects, clock.utc_seconds(epoch))
    _creation_event(events, creation, sources, renditions)
    validator_agents = _validation_events(events, validations, {o.build_path: o.bag_path for o in objects})
    packing_id = _packing_events(events, packing, bag_name, edition.identifier, len(objects))

    # PREMIS orders the entity, then files, events and agents.
    root = etree.Element(
        _P + "premis",
        {"version": "3.0", f"{{{XSI_NS}}}schemaLocation": SCHEMA_LOCATION},
        nsmap={"premis": PREMIS_NS, "xsi": XSI_NS},
    )
    _entity_object(root, edition, objects, packing_id)
    archival = [o.bag_path for o in objects if o.kind == "rendition" and "PDF/A" in o.format.name]
    for obj in objects:
        siblings = (
            [p for p in archival if p != obj.bag_path] if obj.format.role == PRESERVATION_MASTER else []
        )
        _file_object(root, obj, edition, sources, events.links[obj.bag_path], siblings)
    for event in list(events.root):
        root.append(event)
    _agents(root, [*creation, *validator_agents, *packing])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def schema() -> etree.XMLSchema:
    """The official PREMIS 3.0 schema, loaded from the package without network access."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    with resources.as_file(resources.files("archivekit") / "schemas" / XSD_NAME) as path:
        return etree.XMLSchema(etree.parse(str(path), parser))


def schema_errors(data: bytes) -> list[str]:
    """Every way this document breaks the PREMIS 3.0 schema (empty: valid)."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    try:
        doc = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    xsd = schema()
    if xsd.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in xsd.error_log]


def write_record(path: Path, data: bytes) -> None:
    """Write a record after checking it against the schema; an invalid record is our bug, never shipped."""
    errors = schema_errors(data)
    if errors:
        raise BuildError(
            "the PREMIS record archivekit made does not validate against the PREMIS 3.0 schema: "
            + "; ".join(errors[:5]),
            file=path,
            hint="this is a bug in archivekit: report it with this message",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
