"""`archivekit package`: an edition build as a BagIt 1.0 bag, with fixity and PREMIS provenance.

Layout of `<edition-id>-<version>.bag/`:
    data/<artifact path>          every file the build manifest lists (renditions, sources/…)
    data/manifest.json            the build manifest itself
    data/validation/…             the validators' reports, when the build was validated
    data/metadata/premis.xml      the PREMIS 3.0 record of all of the above
    bagit.txt, bag-info.txt, manifest-sha256.txt, manifest-sha512.txt, tagmanifest-*.txt

The bag is made by the bagit library (payload manifests, bag-info, Payload-Oxum). Two things
are then fixed for reproducibility: bagit.txt says 1.0 (the library writes 0.97), and tag
manifests are rewritten in sorted order (the library lists them in directory order).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import bagit

from archivekit import __version__, clock
from archivekit.errors import BuildError, SourceError
from archivekit.manifest import MANIFEST, read_manifest
from archivekit.model import crosswalk as cw
from archivekit.package import premis
from archivekit.package.formats import identify
from archivekit.package.provenance import (
    VALIDATION_DIR,
    creation_software,
    packing_software,
    validation_runs,
)

log = logging.getLogger("archivekit")

ALGORITHMS = ("sha256", "sha512")
BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
PREMIS_PATH = "metadata/premis.xml"  # inside data/
_KINDS = {"source": "source", "validation-report": "validation report"}  # manifest format -> PREMIS role


def bag_name(edition_id: str, version: str) -> str:
    """The bag folder's name for an edition version."""
    return f"{edition_id}-{version}.bag"


def _digests(path: Path) -> dict[str, str]:
    hashers = {alg: hashlib.new(alg) for alg in ALGORITHMS}
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            for hasher in hashers.values():
                hasher.update(chunk)
    return {alg: h.hexdigest() for alg, h in hashers.items()}


def _prefer(record: dict[str, Any], field: str, lang: str) -> str | None:
    """A text of the edition record in this language when it has one, else in its main language."""
    multi = record.get("multi") or {}
    if (multi.get("main") or {}).get(field) != lang:
        other = ((multi.get("_keys") or {}).get(field) or {}).get(lang)
        if other:
            return str(other)
    return record.get(field)


def _edition_info(build_dir: Path, manifest: dict[str, Any]) -> tuple[premis.EditionInfo, dict[str, str]]:
    """The edition's metadata (the build's record of it in manifest.json) and the bag-info fields it gives."""
    record = manifest.get("edition_record")
    if not isinstance(record, dict) or not all(record.get(k) for k in ("id", "version", "identifier")):
        raise SourceError(
            "manifest.json holds no edition_record (the build was made by an older archivekit)",
            file=build_dir / MANIFEST,
            hint="rebuild the edition (`archivekit build --force`), then package it",
        )
    edition_id, version, identifier = str(record["id"]), str(record["version"]), str(record["identifier"])
    # The record keeps each text in its main language, its other languages in CSL-JSON `multi`:
    # "medium" is the edition statement, "abstract" its description (model.crosswalk.edition).
    description = f"{_prefer(record, 'title', 'en')}. {_prefer(record, 'medium', 'en')}, version {version}."
    if record.get("abstract"):
        description += f" {_prefer(record, 'abstract', 'en')}"
    fields = {
        "External-Description": description,
        "External-Identifier": identifier,
        "Internal-Sender-Identifier": f"{edition_id}-{version}",
    }
    if record.get("publisher"):
        fields["Source-Organization"] = str(_prefer(record, "publisher", "en"))
    info = premis.EditionInfo(
        id=edition_id,
        version=version,
        identifier=identifier,
        title=str(record["title"]),
        statement=str(record["medium"]),
        # The edition's record through the crosswalk's PREMIS column.
        properties=tuple((p.prop, p.value) for p in cw.package_fields(record, "premis")),
    )
    return info, fields


def _payload_plan(build_dir: Path, manifest: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    """(build path, kind, manifest row) for every file that goes into data/, checked against the manifest."""
    plan: list[tuple[str, str, dict[str, Any] | None]] = []
    for row in manifest.get("artifacts", []):
        rel = str(row["path"])
        path = build_dir / rel
        if (
            Path(rel).is_absolute()
            or ".." in Path(rel).parts
            or not path.resolve().is_relative_to(build_dir.resolve())
        ):
            raise SourceError(f"manifest lists {rel!r}, outside the build folder", file=build_dir / MANIFEST)
        if not path.is_file():
            raise SourceError(
                f"manifest lists {rel}, which is missing",
                file=build_dir / MANIFEST,
                hint="rebuild the edition (`archivekit build`)",
            )
        if row.get("sha256") and _digests(path)["sha256"] != row["sha256"]:
            raise SourceError(
                f"{rel} changed after the build (its sha256 differs from manifest.json)",
                file=path,
                hint="rebuild the edition; never package files edited by hand",
            )
        plan.append((rel, _KINDS.get(str(row.get("format")), "rendition"), row))
    plan.append((MANIFEST, "build manifest", None))
    validation = build_dir / VALIDATION_DIR
    listed = {rel for rel, _, _ in plan}
    if validation.is_dir():
        # The raw reports are not in the manifest; report.json (which hashes each of them) is.
        for path in sorted(p for p in validation.rglob("*") if p.is_file() and not p.name.startswith(".")):
            rel = path.relative_to(build_dir).as_posix()
            if rel not in listed:
                plan.append((rel, "validation report", None))
    return plan


def _write_tagmanifests(bag_dir: Path) -> None:
    """Tag manifests in sorted order, so two bags of the same build are byte-identical."""
    for alg in ALGORITHMS:
        (bag_dir / f"tagmanifest-{alg}.txt").unlink(missing_ok=True)
    tag_files = sorted(
        p.relative_to(bag_dir).as_posix()
        for p in bag_dir.rglob("*")
        if p.is_file() and p.relative_to(bag_dir).parts[0] != "data" and not p.name.startswith("tagmanifest-")
    )
    for alg in ALGORITHMS:
        lines = [f"{_digests(bag_dir / name)[alg]}  {name}\n" for name in tag_files]
        (bag_dir / f"tagmanifest-{alg}.txt").write_text("".join(lines), encoding="utf-8")


def _fix_times(root: Path, epoch: int) -> None:
    """Every file and folder dated SOURCE_DATE_EPOCH, so archiving the bag (tar, zip) is reproducible too."""
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        for name in [*filenames, *dirnames]:
            os.utime(os.path.join(dirpath, name), (epoch, epoch), follow_symlinks=False)
    os.utime(root, (epoch, epoch))


def _replace_dir(staging: Path, target: Path) -> None:
    """Put staging at target; an old bag there is swapped out and removed only after the new one is in."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
        os.rename(target, old / "bag")
    os.rename(staging, target)
    if old is not None:
        shutil.rmtree(old)


def _copy_payload(
    build_dir: Path, staging: Path, plan: list[tuple[str, str, dict[str, Any] | None]]
) -> list[premis.PayloadObject]:
    """Copy every planned file into the staging folder; each copy as PREMIS describes it."""
    objects = []
    for rel, kind, row in plan:
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(build_dir / rel, target)
        digests = _digests(target)
        objects.append(
            premis.PayloadObject(
                bag_path=f"data/{rel}",
                build_path=rel,
                kind=kind,
                size=target.stat().st_size,
                sha256=digests["sha256"],
                sha512=digests["sha512"],
                format=identify(
                    target,
                    media_type=(row or {}).get("media_type"),
                    conforms_to=tuple((row or {}).get("conforms_to", ())),
                ),
            )
        )
    return objects


def _make_bag(staging: Path, fields: dict[str, str], epoch: int) -> None:
    """Turn the staging folder (its payload and PREMIS record) into a reproducible BagIt 1.0 bag."""
    info = {
        **fields,
        "Bagging-Date": clock.day(epoch).isoformat(),
        "Bag-Software-Agent": f"archivekit {__version__} (bagit-python {bagit.VERSION})",
    }
    try:
        bagit.make_bag(str(staging), bag_info=info, processes=1, checksums=list(ALGORITHMS))
    except (bagit.BagError, OSError, RuntimeError) as exc:
        raise BuildError(f"bagit could not make the bag: {exc}", file=staging) from exc
    (staging / "bagit.txt").write_text(BAGIT_TXT, encoding="utf-8")
    _write_tagmanifests(staging)
    _fix_times(staging, epoch)


def _staging_dir(out_root: Path, name: str) -> Path:
    """A fresh folder beside the bag's place, with the user's ordinary permissions (mkdtemp makes 0700)."""
    out_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_root, prefix=f".{name}.partial-"))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)
    return staging


def package_edition(
    build_dir: Path,
    out_root: Path,
    *,
    source_date_epoch: int,
    source_organization: str | None = None,
) -> Path:
    """Package an edition build as out_root/<edition-id>-<version>.bag/ (atomically) and return its path."""
    build_dir = Path(build_dir)
    manifest = read_manifest(build_dir)
    # Check the build against its manifest first: metadata from an edited build is not evidence.
    plan = _payload_plan(build_dir, manifest)
    edition, fields = _edition_info(build_dir, manifest)
    if source_organization:
        fields["Source-Organization"] = source_organization
    if "Source-Organization" not in fields:
        # The edition's author is not who transfers the bag: naming them would be a false claim.
        log.warning(
            "bag-info.txt gets no Source-Organization: set `publisher` in edition.yaml "
            "or pass --source-organization NAME (who transfers the bag)"
        )
    name = bag_name(edition.id, edition.version)
    out_root = Path(out_root)
    staging = _staging_dir(out_root, name)
    try:
        objects = _copy_payload(build_dir, staging, plan)
        record = premis.build_record(
            edition,
            objects,
            creation=creation_software(manifest),
            validations=validation_runs(build_dir),
            packing=packing_software(),
            bag_name=name,
            epoch=source_date_epoch,
        )
        premis.write_record(staging / PREMIS_PATH, record)
        _make_bag(staging, fields, source_date_epoch)
        target = out_root / name
        _replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
