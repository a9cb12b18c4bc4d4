"""veraPDF judges the archival PDF: 0 failed checks for PDF/A-2a and PDF/UA-1, and for PDF/A-3a and
PDF/UA-1 on the variant that carries its sources. Uses the session build of test_pdf.py."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from archivekit.validate.tools import verapdf
from conftest import require
from test_pdf import PDF, PDF2U, PDF3, PdfBuild, pdf_build  # noqa: F401  (the session fixture)

pytestmark = pytest.mark.validators


def _verapdf(flavour: str, pdf: Path) -> dict:
    tool = verapdf()
    require(tool.available, f"veraPDF: {tool.missing}")
    cmd = [
        str(tool.paths["java"]),
        "-cp",
        f"{tool.paths['lib'].parent}/*",
        "org.verapdf.apps.GreenfieldCliWrapper",
        "--flavour",
        flavour,
        "--format",
        "json",
        str(pdf),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    [job] = json.loads(proc.stdout)["report"]["jobs"]
    [result] = job["validationResult"]
    return result


@pytest.mark.parametrize(
    ("name", "flavour"), [(PDF, "2a"), (PDF, "ua1"), (PDF2U, "2u"), (PDF3, "3a"), (PDF3, "ua1")]
)
def test_verapdf_finds_no_failed_check(pdf_build: PdfBuild, name: str, flavour: str) -> None:  # noqa: F811
    result = _verapdf(flavour, pdf_build.out / name)
    failed = [
        f"{r['clause']}-{r['testNumber']}: {r['description']} ({r['failedChecks']}x)"
        for r in result["details"]["ruleSummaries"]
    ]
    assert result["details"]["failedChecks"] == 0, "\n".join(failed)
    assert result["compliant"] is True
