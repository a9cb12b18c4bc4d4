"""The bag's provenance as a PREMIS 3.0 record: objects with fixity and format, events, agents.

Built with lxml and validated against the official PREMIS 3.0 schema shipped in
`archivekit/schemas/premis-v3-0.xsd` (Library of Congress, 18 January 2016). That schema imports
nothing (version 3.0 dropped its XLink import), so validation never touches the network.
Identifiers are UUIDv5 names of the edition's identifier, so a rebuild writes the same record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from lxml import etree

from archivekit import clock
from archivekit.errors import BuildError
from archivekit.package.formats import PRONOM_RELEASE, FormatInfo
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
) -> None:
    node = _el(root, "object", **{f"{{{XSI_NS}}}type": "premis:file"})
    ident = _el(node, "objectIdentifier")
    _el(ident, "objectIdentifierType", PATH_ID)
    _el(ident, "objectIdentifierValue", obj.bag_path)
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
        _el(fmt, "formatNote", f"PUID as listed in {PRONOM_RELEASE}")
    if obj.format.note:
        _el(fmt, "formatNote", obj.format.note)
    _el(node, "originalName", obj.build_path)
    rel = _el(node, "relationship")
    _el(rel, "relationshipType", "structural")
    _el(rel, "relationshipSubType", "is included in")
    related = _el(rel, "relatedObjectIdentifier")
    _el(related, "relatedObjectIdentifierType", "URN")
    _el(related, "relatedObjectIdentifierValue", edition.identifier)
    if obj.kind == "rendition" and sources:
        rel = _el(node, "relationship")
        _el(rel, "relationshipType", "derivation")
        _el(rel, "relationshipSubType", "has source")
        for source in sources:
            related = _el(rel, "relatedObjectIdentifier")
            _el(related, "relatedObjectIdentifierType", PATH_ID)
            _el(related, "relatedObjectIdentifierValue", source)
    for event_id in events:
        link = _el(node, "linkingEventIdentifier")
        _el(link, "linkingEventIdentifierType", "UUID")
        _el(link, "linkingEventIdentifierValue", event_id)


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
    ids = _Ids(edition)
    when = clock.utc_seconds(epoch)
    objects = sorted(objects, key=lambda o: o.bag_path)
    by_build_path = {o.build_path: o.bag_path for o in objects}
    sources = [o.bag_path for o in objects if o.kind == "source"]
    renditions = [o.bag_path for o in objects if o.kind == "rendition"]

    # Events first (in memory) so objects can link to them; PREMIS orders objects before events.
    events_root = etree.Element(_P + "premis", nsmap={"premis": PREMIS_NS})
    links: dict[str, list[str]] = {o.bag_path: [] for o in objects}

    builder, *environment = creation
    versions = f"{builder.name} {builder.version}"
    if environment:
        # The build records no per-writer tool list: name the libraries of the environment it ran in.
        versions += "; software environment: " + ", ".join(f"{s.name} {s.version}" for s in environment)
    event, creation_id = _event(
        events_root,
        ids,
        "creation",
        "creation",
        when,
        f"Renditions built from the canonical sources by {versions}.",
        "success",
        f"{len(renditions)} renditions from {len(sources)} source files",
    )
    for software in creation:
        _link_agent(event, software, "executing program")
    for path in sources:
        _link_object(event, PATH_ID, path, "source")
        links[path].append(creation_id)
    for path in renditions:
        _link_object(event, PATH_ID, path, "outcome")
        links[path].append(creation_id)

    validator_agents: list[Software] = []
    for run in validations:
        software = Software(run.validator or "unknown validator", run.version or "unknown", "validation")
        validator_agents.append(software)
        checked = [by_build_path[a] for a in run.artifacts if a in by_build_path]
        reports = [by_build_path[r] for r in run.reports if r in by_build_path]
        if not reports and "validation/report.json" in by_build_path:
            reports = [by_build_path["validation/report.json"]]
        counts = (
            f"{run.errors} error{'s' * (run.errors != 1)}, {run.warnings} warning{'s' * (run.warnings != 1)}"
        )
        note = f"{run.detail}; " if run.detail else ""
        note += counts + ("; report: " + ", ".join(reports) if reports else "")
        event, event_id = _event(
            events_root,
            ids,
            f"validation/{software.name}/{software.version}/{','.join(run.artifacts)}",
            "validation",
            when,
            f"{software.name} {software.version} checked "
            + (", ".join(checked) if checked else "the build")
            + ".",
            run.outcome,
            note,
        )
        _link_agent(event, software, "validator")
        for path in checked:
            _link_object(event, PATH_ID, path, "source")
            links[path].append(event_id)
        for path in reports:
            _link_object(event, PATH_ID, path, "outcome")
            links[path].append(event_id)

    packer = ", ".join(f"{s.name} {s.version}" for s in packing)
    event, digest_id = _event(
        events_root,
        ids,
        "message digest calculation",
        "message digest calculation",
        when,
        "SHA-256 and SHA-512 of every payload file, recorded here and in the bag's manifests.",
        "success",
    )
    for software in packing:
        _link_agent(event, software, "executing program")
    event, packing_id = _event(
        events_root,
        ids,
        "packing",
        "packing",
        when,
        f"Packed into the BagIt 1.0 bag {bag_name} with {packer}.",
        "success",
        f"{len(objects) + 1} payload files (this record included)",
    )
    for software in packing:
        _link_agent(event, software, "executing program")
    _link_object(event, "URN", edition.identifier, "source")
    for path in links:
        links[path] += [digest_id, packing_id]

    root = etree.Element(
        _P + "premis",
        {"version": "3.0", f"{{{XSI_NS}}}schemaLocation": SCHEMA_LOCATION},
        nsmap={"premis": PREMIS_NS, "xsi": XSI_NS},
    )
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
    link = _el(entity, "linkingEventIdentifier")
    _el(link, "linkingEventIdentifierType", "UUID")
    _el(link, "linkingEventIdentifierValue", packing_id)

    for obj in objects:
        _file_object(root, obj, edition, sources, links[obj.bag_path])
    for event in list(events_root):
        root.append(event)

    seen: set[str] = set()
    for software in [*creation, *validator_agents, *packing]:
        key = _agent_key(software)
        if key in seen:
            continue
        seen.add(key)
        agent = _el(root, "agent")
        ident = _el(agent, "agentIdentifier")
        _el(ident, "agentIdentifierType", "local")
        _el(ident, "agentIdentifierValue", key)
        _el(agent, "agentName", software.name)
        _el(agent, "agentType", "software")
        _el(agent, "agentVersion", software.version)

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
