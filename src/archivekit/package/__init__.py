"""Archival packaging: BagIt 1.0 bags with fixity and PREMIS provenance, and their verification.

`package_edition` and `verify_bag` are the API; `add_subcommands` gives the CLI its
`archivekit package` and `archivekit verify`. Heavy imports (bagit, lxml) wait until a command
runs, so `archivekit --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from archivekit.clock import epoch_from_env
from archivekit.errors import CheckFailed, UsageError

if TYPE_CHECKING:
    from archivekit.errors import Finding


def package_edition(
    build_dir: Path, out_root: Path, *, source_date_epoch: int, source_organization: str | None = None
) -> Path:
    """Package a build folder as out_root/<edition-id>-<version>.bag/ and return the bag's path."""
    from archivekit.package.bag import package_edition as _package

    return _package(
        build_dir, out_root, source_date_epoch=source_date_epoch, source_organization=source_organization
    )


def verify_bag(bag: Path) -> list[Finding]:
    """Every problem with a bag: missing, extra and changed files, a wrong Payload-Oxum, bad PREMIS."""
    from archivekit.package.verify import verify_bag as _verify

    return _verify(bag)


def _epoch(build_dir: Path) -> int:
    """SOURCE_DATE_EPOCH from the environment, else the clock the build itself used."""
    epoch = epoch_from_env()
    if epoch is not None:
        return epoch
    from archivekit.manifest import read_manifest

    epoch = read_manifest(build_dir).get("source_date_epoch")
    if not isinstance(epoch, int):
        raise UsageError(
            f"{build_dir}/manifest.json records no source_date_epoch and SOURCE_DATE_EPOCH is unset",
            hint="set SOURCE_DATE_EPOCH (e.g. $(git log -1 --format=%ct)) or rebuild the edition",
        )
    return epoch


def build_dirs_of(args: argparse.Namespace) -> list[Path]:
    """The build folders `archivekit package` bags: those named, else every build/*/ with a manifest."""
    if args.build_dirs:
        return [Path(p) for p in args.build_dirs]
    root = Path("build")
    found = sorted(p for p in root.iterdir() if (p / "manifest.json").is_file()) if root.is_dir() else []
    if not found:
        raise UsageError(
            "no edition builds (folders with manifest.json) under build/", hint="run `archivekit build`"
        )
    return found


def run_package(args: argparse.Namespace) -> int:
    """`archivekit package [BUILD_DIR…]`: bag each build here; print each bag's path.

    (`--scheduler`, bagging on a cluster, is the CLI's: package knows nothing of the cluster.)
    """
    for build_dir in build_dirs_of(args):
        out = Path(args.out) if args.out else build_dir.parent
        bag = package_edition(
            build_dir,
            out,
            source_date_epoch=_epoch(build_dir),
            source_organization=args.source_organization,
        )
        if not getattr(args, "quiet", False):
            print(bag)
    return 0


def run_verify(args: argparse.Namespace) -> int:
    """`archivekit verify BAG…`: print every problem; exit 1 if any bag has one."""
    from archivekit.package.verify import problems

    failed: list[str] = []
    for bag in args.bags:
        findings = verify_bag(Path(bag))
        for f in findings:
            where = f" [{f.location}]" if f.location else ""
            print(f"{bag}: {f.severity}: {f.code}: {f.message}{where}", file=sys.stdout)
        errors = problems(findings)
        if errors:
            failed.append(str(bag))
            print(f"{bag}: FAILED: {len(errors)} problem{'s' * (len(errors) != 1)}", file=sys.stdout)
        elif not getattr(args, "quiet", False):
            print(f"{bag}: ok (every file present, every checksum holds)")
    if failed:
        raise CheckFailed(
            f"{len(failed)} of {len(args.bags)} bag(s) failed verification: {', '.join(failed)}",
            hint="rebuild and repackage the edition; a bag is never repaired by hand",
        )
    return 0


def add_package_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of `archivekit package`."""
    p.add_argument(
        "build_dirs",
        nargs="*",
        metavar="BUILD_DIR",
        help="edition build folder(s) (default: all under build/)",
    )
    p.add_argument("--out", metavar="DIR", help="where the bag goes (default: the build folder's parent)")
    p.add_argument(
        "--source-organization",
        metavar="NAME",
        help="bag-info Source-Organization: who transfers the bag (default: the edition's publisher, if set)",
    )
    p.set_defaults(run=run_package)


def add_verify_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of `archivekit verify`."""
    p.add_argument("bags", nargs="+", metavar="BAG", help="bag folder(s) to check")
    p.set_defaults(run=run_verify)


def add_subcommands(sub: argparse._SubParsersAction) -> None:
    """Register `package` and `verify` with the archivekit command line."""
    add_package_arguments(
        sub.add_parser(
            "package",
            help="make a BagIt 1.0 bag of an edition build (renditions, sources, reports, PREMIS)",
            description="Package each build folder as <edition-id>-<version>.bag beside it: every rendition, "
            "the canonical sources, the validation reports and a PREMIS 3.0 provenance record, with sha256 "
            "and sha512 manifests. Dated by SOURCE_DATE_EPOCH (else the build's own clock).",
        )
    )
    add_verify_arguments(
        sub.add_parser(
            "verify",
            help="check a bag: every missing, extra or changed file (exit 1 if any)",
            description="Check every checksum of a bag and its Payload-Oxum, and report every missing, extra "
            "or changed file at once. Exit 0 when the bag is intact, 1 otherwise.",
        )
    )


__all__ = ["add_subcommands", "build_dirs_of", "package_edition", "run_package", "run_verify", "verify_bag"]
