"""Every page size the edition schema allows builds, as archival PDF and as print edition."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from archivekit.model.metadata import PAGE_SIZES_MM
from conftest import EDITION_ID, run_cli

MM = 72 / 25.4


@pytest.mark.parametrize("size", sorted(PAGE_SIZES_MM))
def test_every_page_size_builds(size: str, edition_copy: Path, tmp_path: Path) -> None:
    meta = edition_copy / "edition.yaml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(
        text.replace("page_size: A5", f"page_size: {size}").replace("print_trim: A5", f"print_trim: {size}"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_cli("build", str(edition_copy), "--out", str(out), "--format", "pdf", "--format", "print")
    assert result.returncode == 0, result.stderr
    build = out / EDITION_ID
    info = subprocess.run(["pdfinfo", build / f"{EDITION_ID}.pdf"], capture_output=True, text=True).stdout
    width, height = (float(v) for v in re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    expected = PAGE_SIZES_MM[size]
    assert abs(width - expected[0] * MM) < 0.5 and abs(height - expected[1] * MM) < 0.5
    order = json.loads((build / "print-order.json").read_text(encoding="utf-8"))
    assert order["page_count"] % 4 == 0 and order["trim"]
