"""`archivekit verify BAG`: every way a bag differs from what its manifests promise, all at once.

bagit's own `validate()` stops at the first failing stage (a wrong Payload-Oxum hides every
changed file), so an archivist would have to fix and rerun to learn the whole damage. This
checker reads the bag with the bagit library, then reports every missing, extra and changed
file, in payload and tag files alike, a wrong Payload-Oxum, and a PREMIS record that no longer
validates or no longer matches the payload.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import Path

import bagit
from lxml import etree

from archivekit import __version__
from archivekit.errors import Finding
from archivekit.package import premis
from archivekit.package.bag import PREMIS_PATH

VALIDATOR = "archivekit-verify"
ERROR, WARNING = "error", "warning"


def _finding(code: str, artifact: str, location: str, message: str, severity: str = ERROR) -> Finding:
    return Finding(VALIDATOR, __version__, code, severity, artifact, location, message)


def _nfc(path: str) -> str:
    # A bag moved between file systems may change the normalisation of names, not their meaning.
    return unicodedata.normalize("NFC", path)


def _files_under(root: Path, *, payload: bool) -> dict[str, str]:
    """NFC bag-relative path -> path as on disk, for payload files (data/) or tag files (the rest)."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if rel_dir == Path("."):
            dirnames[:] = [d for d in dirnames if (d == "data") == payload]
            if payload:
                filenames = []
        for name in filenames:
            rel = (rel_dir / name).as_posix()
            out[_nfc(rel)] = rel
    return out


def _hash(path: Path, algorithms: list[str]) -> dict[str, str] | str:
    try:
        hashers = {alg: hashlib.new(alg) for alg in algorithms}
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                for hasher in hashers.values():
                    hasher.update(chunk)
    except OSError as exc:
        return str(exc)
    return {alg: h.hexdigest() for alg, h in hashers.items()}


def _compare(
    root: Path, expected: dict[str, dict[str, str]], present: dict[str, str], *, kind: str, listing: str
) -> list[Finding]:
    """Missing, extra and changed files of one kind (payload or tag) against their manifest entries."""
    findings = []
    for rel in sorted(set(expected) - set(present)):
        findings.append(
            _finding(f"{kind}.missing", rel, listing, f"{rel} is listed in {listing} but is missing")
        )
    for rel in sorted(set(present) - set(expected)):
        findings.append(
            _finding(f"{kind}.extra", rel, listing, f"{rel} is in the bag but not listed in {listing}")
        )
    for rel in sorted(set(expected) & set(present)):
        hashes = expected[rel]
        actual = _hash(root / present[rel], sorted(hashes))
        if isinstance(actual, str):
            findings.append(_finding(f"{kind}.unreadable", rel, listing, f"{rel} cannot be read: {actual}"))
            continue
        wrong = [alg for alg in sorted(hashes) if hashes[alg].lower() != actual[alg]]
        if wrong:
            findings.append(
                _finding(
                    f"{kind}.changed",
                    rel,
                    ", ".join(
                        f"manifest-{alg}.txt" if kind == "payload" else f"tagmanifest-{alg}.txt"
                        for alg in wrong
                    ),
                    f"{rel} has changed: its {' and '.join(wrong)} no longer match the manifest",
                )
            )
    return findings


def _oxum(bag: bagit.Bag, payload: dict[str, str], root: Path) -> list[Finding]:
    oxum = bag.info.get("Payload-Oxum")
    if oxum is None:
        return [
            _finding(
                "bag.oxum-missing",
                "bag-info.txt",
                "Payload-Oxum",
                "bag-info.txt has no Payload-Oxum",
                WARNING,
            )
        ]
    if isinstance(oxum, list):
        return [_finding("bag.oxum", "bag-info.txt", "Payload-Oxum", "bag-info.txt has several Payload-Oxum")]
    count_bytes, _, count_files = oxum.partition(".")
    if not (count_bytes.isdigit() and count_files.isdigit()):
        return [_finding("bag.oxum", "bag-info.txt", "Payload-Oxum", f"malformed Payload-Oxum {oxum!r}")]
    found_bytes = sum((root / p).stat().st_size for p in payload.values() if (root / p).is_file())
    if (int(count_bytes), int(count_files)) != (found_bytes, len(payload)):
        return [
            _finding(
                "bag.oxum",
                "bag-info.txt",
                "Payload-Oxum",
                f"Payload-Oxum says {count_files} files of {count_bytes} bytes in all; "
                f"the payload has {len(payload)} files of {found_bytes} bytes",
            )
        ]
    return []


def _premis(root: Path, expected: dict[str, dict[str, str]]) -> list[Finding]:
    """The PREMIS record must still validate and state the same fixity as the manifests."""
    rel = f"data/{PREMIS_PATH}"
    path = root / rel
    if not path.is_file():
        return []
    data = path.read_bytes()
    errors = premis.schema_errors(data)
    if errors:
        return [_finding("premis.invalid", rel, e.split(":")[0], f"PREMIS record: {e}") for e in errors]
    ns = {"p": premis.PREMIS_NS}
    findings = []
    doc = etree.fromstring(data, etree.XMLParser(no_network=True, resolve_entities=False))
    for obj in doc.iterfind("p:object", ns):
        value = obj.findtext("p:objectIdentifier/p:objectIdentifierValue", namespaces=ns)
        if obj.findtext("p:objectIdentifier/p:objectIdentifierType", namespaces=ns) != premis.PATH_ID:
            continue
        for fixity in obj.iterfind("p:objectCharacteristics/p:fixity", ns):
            alg = (fixity.findtext("p:messageDigestAlgorithm", namespaces=ns) or "").lower().replace("-", "")
            digest = fixity.findtext("p:messageDigest", namespaces=ns) or ""
            listed = expected.get(_nfc(value or ""), {}).get(alg)
            if listed is not None and listed.lower() != digest.lower():
                findings.append(
                    _finding(
                        "premis.fixity",
                        rel,
                        value or "",
                        f"PREMIS gives {value} another {alg} than the manifest",
                    )
                )
    return findings


def verify_bag(bag: Path) -> list[Finding]:
    """Every problem with this bag (empty list: it is complete and every checksum holds)."""
    root = Path(bag)
    if not (root / "bagit.txt").is_file():
        return [
            _finding("bag.not-a-bag", str(root), "bagit.txt", f"{root} is not a bag: it has no bagit.txt")
        ]
    try:
        opened = bagit.Bag(str(root))
    except bagit.BagError as exc:
        return [_finding("bag.unreadable", str(root), "", f"the bag cannot be read: {exc}")]
    findings: list[Finding] = []
    if not (root / "data").is_dir():
        findings.append(_finding("bag.no-payload", "data", "", "the bag has no data/ folder"))
    if not list(opened.manifest_files()):
        findings.append(_finding("bag.no-manifest", "", "", "the bag has no payload manifest"))

    payload_expected: dict[str, dict[str, str]] = {}
    tag_expected: dict[str, dict[str, str]] = {}
    for rel, hashes in opened.entries.items():
        key = _nfc(Path(rel).as_posix())
        (payload_expected if key.startswith("data/") else tag_expected)[key] = dict(hashes)
    payload = _files_under(root, payload=True)
    tags = _files_under(root, payload=False)

    findings += _compare(root, payload_expected, payload, kind="payload", listing="the payload manifests")
    findings += _oxum(opened, payload, root)
    if list(opened.tagmanifest_files()):
        # Tag manifests never list themselves; everything else at the top is a tag file they must list.
        listed_tags = {k: v for k, v in tags.items() if not Path(k).name.startswith("tagmanifest-")}
        findings += _compare(root, tag_expected, listed_tags, kind="tag", listing="the tag manifests")
    else:
        findings.append(_finding("bag.no-tagmanifest", "", "", "the bag has no tag manifest", WARNING))
    findings += _premis(root, payload_expected)
    return findings


def problems(findings: list[Finding]) -> list[Finding]:
    """The findings that make a bag fail verification."""
    return [f for f in findings if f.severity == ERROR]
