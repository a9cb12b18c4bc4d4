"""`archivekit new` and `archivekit import`: a newcomer's first steps, with real pandoc."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pypandoc
import yaml

from conftest import run_cli


def test_new_scaffolds_an_edition_that_check_guides_to_completion(tmp_path: Path) -> None:
    result = run_cli(
        "new", "my-report", "--lang", "fr", "--title", "Rapport", "--role", "report", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "sources" / "my-report"
    assert sorted(p.name for p in folder.iterdir()) == ["01-my-report.fr.md", "CHANGELOG.md", "edition.yaml"]
    meta = yaml.safe_load((folder / "edition.yaml").read_text(encoding="utf-8"))
    assert meta["parts"][0]["role"] == "report" and meta["statement"] == {"fr": "Édition d’archive"}

    check = run_cli("check", str(folder), cwd=tmp_path)
    assert check.returncode == 2 and "placeholder" in check.stderr and "edition.yaml:" in check.stderr

    meta["creator"]["name"] = {"fr": "Anonyme"}
    meta["date"] = "1901"
    meta["rights"] = {"fr": "Domaine public."}
    meta["license"] = "public-domain"
    (folder / "edition.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    check = run_cli("check", str(folder), cwd=tmp_path)
    assert check.returncode == 2 and "the part has no text" in check.stderr

    (folder / "01-my-report.fr.md").write_text("Le texte.\n", encoding="utf-8")
    assert run_cli("check", str(folder), cwd=tmp_path).returncode == 0


def test_new_with_several_creators_lists_them_in_order(tmp_path: Path) -> None:
    """`--creator` once is one creator object (as every edition.yaml writes it); repeated, a list in order."""
    for edition_id, names in (("one", ["Anonyme"]), ("two", ["Karl Marx", "Friedrich Engels"])):
        flags = [arg for name in names for arg in ("--creator", name)]
        result = run_cli("new", edition_id, "--lang", "en", *flags, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        meta = yaml.safe_load(
            (tmp_path / "sources" / edition_id / "edition.yaml").read_text(encoding="utf-8")
        )
        entries = [{"role": "aut", "name": {"en": name}} for name in names]
        assert meta["creator"] == (entries[0] if len(entries) == 1 else entries)


def test_new_refuses_an_existing_folder_and_a_bad_tag(tmp_path: Path) -> None:
    (tmp_path / "sources" / "taken").mkdir(parents=True)
    result = run_cli("new", "taken", "--lang", "en", cwd=tmp_path)
    assert result.returncode == 2 and "already exists" in result.stderr
    assert list((tmp_path / "sources" / "taken").iterdir()) == []
    result = run_cli("new", "other", "--lang", "xx-Qqqq", cwd=tmp_path)
    assert result.returncode == 2 and "fix:" in result.stderr
    assert not (tmp_path / "sources" / "other").exists()


def test_import_docx_keeps_text_notes_and_numbers_and_lists_what_it_drops(tmp_path: Path) -> None:
    original = (
        "# Heading\n\nFirst paragraph with a note.[^1] And a [link](http://example.org).\n\n"
        "1. one\n2. two\n    a. nested\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[^1]: The note's text.\n"
    )
    docx = tmp_path / "draft.docx"
    pypandoc.convert_text(original, "docx", format="markdown", outputfile=str(docx))
    result = run_cli("import", str(docx), "--id", "draft", "--lang", "en", "--title", "Draft", cwd=tmp_path)
    folder = tmp_path / "sources" / "draft"
    part = (folder / "01-draft.en.md").read_text(encoding="utf-8")
    assert (
        "## Heading" in part and "[^1]" in part and "The note’s text." in part
    )  # the DOCX holds a typographic apostrophe
    assert "::: list" in part and "1\\. one" in part and "a\\. nested" in part
    assert "example.org" not in part
    report = result.stderr
    assert "a link (its text kept, its target dropped)" in report and "a table not carried over" in report
    assert "a table" in (folder / "CHANGELOG.md").read_text(encoding="utf-8")
    assert result.returncode == 1 and "placeholder" in report  # the draft is kept, and says what is missing


def test_import_html_reports_images_and_keeps_language_spans(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<html><body><p>Texte <span lang="de">Wort</span>.</p>'
        '<p><img src="x.png" alt="figure"></p></body></html>',
        encoding="utf-8",
    )
    result = run_cli("import", str(page), "--id", "page", "--lang", "fr", cwd=tmp_path)
    part = (tmp_path / "sources" / "page" / "01-page.fr.md").read_text(encoding="utf-8")
    assert '[Wort]{lang="de"}' in part and "x.png" not in part
    assert "an image not carried over (first: 'figure')" in result.stderr


def test_import_refuses_an_unknown_kind_of_file(tmp_path: Path) -> None:
    odd = tmp_path / "notes.xyz"
    odd.write_text("x", encoding="utf-8")
    result = run_cli("import", str(odd), "--id", "odd", "--lang", "en", cwd=tmp_path)
    assert result.returncode == 2 and "cannot import .xyz" in result.stderr and "fix:" in result.stderr
    assert not (tmp_path / "sources" / "odd").exists()


def test_pandoc_is_real() -> None:
    """These tests run the pandoc that pypandoc-binary ships, as the build does."""
    out = subprocess.run(
        [pypandoc.get_pandoc_path(), "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("pandoc")
