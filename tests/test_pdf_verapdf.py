"""veraPDF judges the archival PDFs: 0 failed checks for PDF/A-2a + PDF/UA-1, PDF/A-2u + PDF/UA-1 and
PDF/A-3a + PDF/UA-1. One JVM run for all files: veraPDF picks the flavours each file declares in its
XMP (pdfaid, pdfuaid), and the test checks those are the flavours the writer claims."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import verapdf_verdicts
from test_pdf import PDF, PDF2U, PDF3, PdfBuild, pdf_build  # noqa: F401  (the session fixture)

pytestmark = pytest.mark.validators


@pytest.fixture(scope="module")
def verdicts(pdf_build: PdfBuild) -> dict[str, dict[str, Any]]:  # noqa: F811
    """File name -> veraPDF profile name -> validation result."""
    return verapdf_verdicts([pdf_build.out / name for name in (PDF, PDF2U, PDF3)], timeout=600)


@pytest.mark.parametrize(("name", "part"), [(PDF, "PDF/A-2a"), (PDF2U, "PDF/A-2u"), (PDF3, "PDF/A-3a")])
def test_verapdf_finds_no_failed_check(verdicts: dict[str, dict[str, Any]], name: str, part: str) -> None:
    results = verdicts[name]
    assert set(results) == {f"{part} validation profile", "PDF/UA-1 validation profile"}
    for profile, result in results.items():
        failed = [
            f"{r['clause']}-{r['testNumber']}: {r['description']} ({r['failedChecks']}x)"
            for r in result["details"]["ruleSummaries"]
        ]
        assert result["details"]["failedChecks"] == 0, profile + "\n" + "\n".join(failed)
        assert result["compliant"] is True, profile
