"""`archivekit validate`: the verdicts of veraPDF, EPUBCheck, Ace, the Nu checker and axe-core on a build."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archivekit.errors import ToolMissing, UsageError

__all__ = [
    "BuildValidation",
    "add_arguments",
    "add_subcommands",
    "build_dirs_of",
    "record_in_manifest",
    "run_validate",
    "validate_command",
]


def __getattr__(name: str) -> Any:
    # The CLI imports this package to register `validate` on every run: the runner and its
    # adapters load only when something validates, so `archivekit build` does not pay for them.
    if name in ("BuildValidation", "record_in_manifest"):
        from archivekit.validate import runner

        return getattr(runner, name)
    raise AttributeError(name)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the validate subcommand's arguments (the global -q/--quiet comes from the main parser)."""
    parser.add_argument(
        "build_dirs",
        nargs="*",
        type=Path,
        metavar="BUILD_DIR",
        help="edition build folders (default: every build/*/ holding a manifest.json)",
    )
    parser.add_argument(
        "--require-all",
        action="store_true",
        help="fail when any applicable validator is not installed (CI uses this)",
    )


def add_subcommands(
    sub: argparse._SubParsersAction, *, after_each: Callable[[Path], None] | None = None
) -> None:
    """Register `validate` on the CLI's subcommand registry.

    `after_each(build_dir)` runs after an edition was judged: the CLI passes the pipeline's index
    writer, so the index shows the verdicts while validate itself never reaches back into the build.
    The CLI adds `--scheduler` (judging on a cluster) itself: validate knows nothing of the cluster.
    """
    p = sub.add_parser(
        "validate",
        help="run veraPDF, EPUBCheck, Ace, Nu and axe on a build",
        description="Run every validator that applies to each artifact in the build's manifest; write "
        "build/<edition>/validation/report.json plus each tool's raw report, and list the report in the "
        "manifest. Exit 1 on any error-level finding.",
    )
    add_arguments(p)
    p.set_defaults(run=validate_command, after_each=after_each)


def build_dirs_of(args: argparse.Namespace) -> list[Path]:
    """The build folders `archivekit validate` judges: those named, else every build/*/ with a manifest."""
    return list(args.build_dirs) or _discover()


def validate_command(args: argparse.Namespace) -> int:
    """Validate here, then let the caller refresh each judged edition (its index.html shows the verdicts)."""
    build_dirs = build_dirs_of(args)
    try:
        return run_validate(build_dirs, require_all=args.require_all, quiet=args.quiet)
    finally:
        for build_dir in build_dirs:
            if args.after_each and (Path(build_dir) / "validation" / "report.json").is_file():
                args.after_each(Path(build_dir))


def _discover() -> list[Path]:
    found = sorted(p.parent for p in Path("build").glob("*/manifest.json"))
    if not found:
        raise UsageError(
            "no build folder to validate", hint="run `archivekit build` first, or name BUILD_DIR"
        )
    return found


def run_validate(build_dirs: list[Path], *, require_all: bool, quiet: bool) -> int:
    """Validate each build folder; return 1 on any error-level finding, else 0."""
    from archivekit.validate.runner import table, validate_build

    failed = False
    missing: set[str] = set()
    for build_dir in build_dirs or _discover():
        started = time.monotonic()
        result = validate_build(Path(build_dir))
        elapsed = time.monotonic() - started
        failed |= result.errors > 0
        for o in result.not_run:
            missing.add(f"{o.validator}: {o.not_run}")
        if not quiet:
            print(f"{result.edition} ({build_dir}):")
            print(table(result))
            print(
                f"report: {Path(build_dir) / 'validation' / 'report.json'}  "
                f"({result.errors} error(s), {len(result.not_run)} validator(s) not run)"
            )
            sys.stdout.flush()  # keep the table above the timing line when both go to a terminal
            # Timing goes to stderr only: report.json must stay byte-identical between runs.
            print(f"archivekit: validated {result.edition} in {elapsed:.1f} s", file=sys.stderr)
    report_missing(missing, require_all=require_all, quiet=quiet)
    return 1 if failed else 0


def report_missing(
    missing: set[str],
    *,
    require_all: bool,
    quiet: bool,
    where: str = "",
    install: str = "run `make validators`",
) -> None:
    """Judges that did not run: an error under --require-all (never a pass), else one line on stderr."""
    if missing and require_all:
        raise ToolMissing(
            f"validators not installed{where}: " + "; ".join(sorted(missing)),
            hint=f"{install} (tools/validators/install.sh); --require-all never treats 'not run' as pass",
        )
    if missing and not quiet:
        print("archivekit: not run (not passed): " + "; ".join(sorted(missing)), file=sys.stderr)
