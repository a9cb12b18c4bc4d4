"""What veraPDF says of each PDF the bench compares: a faster peer only counts if it is as conformant."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from archivekit.toolpaths import validators_home

MAIN = "org.verapdf.apps.GreenfieldCliWrapper"
FLAVOURS = ("2a", "ua1")  # what archivekit's archival PDF claims: PDF/A-2a and PDF/UA-1
PDF2_FLAVOURS = ("4f", "ua2", "wt1a")  # what its PDF 2.0 master claims: PDF/A-4f, PDF/UA-2, WTPDF 1.0


def verapdf_verdicts(files: dict[str, Path], flavours: tuple[str, ...] = FLAVOURS) -> dict[str, object]:
    """name -> flavour -> compliant and the failed rules (clause-test: failed checks); one JVM per flavour."""
    lib = validators_home() / "verapdf" / "lib"
    if not lib.is_dir() or shutil.which("java") is None:
        return {"skipped": f"veraPDF not installed in {lib.parent} (make validators)"}
    present = {name: path for name, path in files.items() if path.is_file()}
    by_path = {str(path.resolve()): name for name, path in present.items()}
    verdicts: dict[str, dict[str, object]] = {name: {} for name in present}
    for flavour in flavours:
        proc = subprocess.run(
            ["java", "-cp", f"{lib}/*", MAIN, "--flavour", flavour, "--format", "json"]
            + [str(p.resolve()) for p in present.values()],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        try:
            jobs = json.loads(proc.stdout)["report"]["jobs"]
        except (json.JSONDecodeError, KeyError):
            return {"skipped": f"veraPDF gave no JSON report (exit {proc.returncode}): {proc.stderr[-300:]}"}
        for job in jobs:
            name = by_path.get(job["itemDetails"]["name"])
            results = job.get("validationResult") or []
            result = results[0] if isinstance(results, list) and results else results
            if name is None or not result:
                continue
            verdicts[name][flavour] = {
                "compliant": bool(result["compliant"]),
                "failed_rules": [
                    f"{rule['clause']}-{rule['testNumber']}: {rule['failedChecks']}"
                    for rule in result["details"]["ruleSummaries"]
                ],
            }
    return verdicts
