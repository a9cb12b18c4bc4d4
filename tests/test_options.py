"""Every build option is settable (edition.yaml, the command line, archivekit.build) and documented.

The options are `archivekit.pipeline.OPTIONS`: pdfa (--pdfa), csl_style and print_icc (edition.yaml
settings), epub_checks (--epub-checks) and validators_dir (--validators). An option nobody reads is
refused rather than ignored, and the two flags added for issue #21 are shown to reach the build.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

import archivekit
from archivekit import pipeline, toolpaths
from archivekit.errors import UsageError
from conftest import EDITION, EDITION_ID, ROOT, require, run_cli

CLAIM = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
FLAGS = {"pdfa": "--pdfa", "epub_checks": "--epub-checks", "validators_dir": "--validators"}
SETTINGS = {"csl_style": "csl_style", "print_icc": "print_icc"}  # edition.yaml `settings`


def test_every_option_has_one_place_to_set_it() -> None:
    assert set(FLAGS) | set(SETTINGS) == set(pipeline.OPTIONS)
    schema = (ROOT / "src" / "archivekit" / "schemas" / "edition.schema.json").read_text(encoding="utf-8")
    for key in SETTINGS.values():
        assert f'"{key}"' in schema, key


def test_build_help_names_every_flag() -> None:
    result = run_cli("build", "--help")
    assert result.returncode == 0, result.stderr
    for flag in FLAGS.values():
        assert flag in result.stdout, flag
    assert "{auto,off}" in result.stdout


def test_watch_and_preview_take_the_epub_flags() -> None:
    """The EPUB's judge is set the same way in a resident process as in a build."""
    for command in ("watch", "preview"):
        result = run_cli(command, "--help")
        assert result.returncode == 0, result.stderr
        assert "--epub-checks" in result.stdout and "--validators" in result.stdout, command


def test_a_watcher_builds_with_the_options_build_would_get(tmp_path: Path) -> None:
    from archivekit.live.watch import Watcher

    default = Watcher([EDITION], tmp_path, ("epub",), judges=False)
    assert default.options() == {"pdfa": None} and default.editions[0].epub_judge is not None
    default.editions[0].epub_judge.close()
    off = Watcher([EDITION], tmp_path, ("epub",), judges=False, epub_checks="off", validators=tmp_path)
    assert off.options() == {"pdfa": None, "epub_checks": "off", "validators_dir": str(tmp_path)}
    assert off.editions[0].epub_judge is None  # no judge, so no claim: as build --epub-checks off


def test_every_option_is_documented() -> None:
    """README's command line and docs/api.md name every flag and key; docs/authoring.md every setting."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command_line = readme[readme.index("## Command line") :].split("\n## ")[0]
    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    authoring = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    for key, flag in FLAGS.items():
        assert flag in command_line, flag
        assert f"`{key}`" in api or f"`{flag.lstrip('-').replace('-', '_')}`" in api, key
    for key, setting in SETTINGS.items():
        assert f"`{setting}`" in authoring, setting
        assert f"`{key}`" in api, key


def _opf(epub: Path) -> str:
    with zipfile.ZipFile(epub) as z:
        return z.read("EPUB/content.opf").decode("utf-8")


def test_epub_checks_off_reaches_the_build(tmp_path: Path) -> None:
    """Without its judges the EPUB makes no accessibility claim, in the OPF or in the manifest."""
    result = run_cli(
        "build", str(EDITION), "--out", str(tmp_path), "--format", "epub", "--epub-checks", "off"
    )
    assert result.returncode == 0, result.stderr
    opf = _opf(tmp_path / EDITION_ID / f"{EDITION_ID}.epub")
    assert "dcterms:conformsTo" not in opf and "schema:accessibilitySummary" in opf
    manifest = (tmp_path / EDITION_ID / "manifest.json").read_text(encoding="utf-8")
    assert CLAIM not in manifest


def test_validators_reaches_the_judges_and_the_build_key(tmp_path: Path) -> None:
    """--validators DIR: the EPUB's judges are looked for there (none: no claim), and their versions
    there are part of what makes the build up to date."""
    home = tmp_path / "judges"
    for name in ("ace", "epubcheck"):
        (home / name).mkdir(parents=True)
        (home / name / "VERSION").write_text("0.0.1\n", encoding="utf-8")
    args = [
        "build",
        str(EDITION),
        "--out",
        str(tmp_path / "out"),
        "--format",
        "epub",
        "--validators",
        str(home),
    ]
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    assert "dcterms:conformsTo" not in _opf(tmp_path / "out" / EDITION_ID / f"{EDITION_ID}.epub")
    assert "is up to date" in run_cli(*args).stderr
    (home / "ace" / "VERSION").write_text("0.0.2\n", encoding="utf-8")
    assert "is up to date" not in run_cli(*args).stderr


def test_validators_pointing_at_the_installed_judges_gives_the_claim(tmp_path: Path) -> None:
    home = toolpaths.validators_home()
    installed = toolpaths.installed_versions("ace", "epubcheck")
    require(all(installed.values()), f"Ace and EPUBCheck installed in {home}")
    out = tmp_path / "out"
    result = run_cli("build", str(EDITION), "--out", str(out), "--format", "epub", "--validators", str(home))
    assert result.returncode == 0, result.stderr
    assert re.search(
        rf'property="dcterms:conformsTo"[^>]*>{re.escape(CLAIM)}<',
        _opf(out / EDITION_ID / f"{EDITION_ID}.epub"),
    )


def test_the_api_takes_the_same_options_and_refuses_unknown_ones(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"unknown build option.*epub_check") as caught:
        archivekit.build(EDITION, tmp_path, formats=["text"], options={"epub_check": "off"})
    assert "validators_dir" in caught.value.hint
    with pytest.raises(UsageError, match="epub_checks='sometimes'"):
        archivekit.build(EDITION, tmp_path, formats=["text"], epub_checks="sometimes")
    assert not (tmp_path / EDITION_ID).exists()
