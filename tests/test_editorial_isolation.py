"""No word of one edition's editorial matter appears in another's (#14).

Two real editions of different kinds (a Chinese letter with statements; an English book of a
preface and sections) are built; the edition's own words (everything in the HTML outside the
parts' articles; the EPUB's package metadata, navigation, title and colophon pages) must not
name the other edition's title, creator or roles, and must name its own.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import yaml
from lxml import etree, html

from archivekit.model.locale import role_name
from conftest import ROOT, run_cli

EDITIONS = ("carfc-2019-07-15-letter-to-ceos", "gutenberg-61-communist-manifesto")


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("isolation")
    dirs = [str(ROOT / "sources" / e) for e in EDITIONS]
    result = run_cli("build", *dirs, "--out", str(out), "--format", "html", "--format", "epub", "--force")
    assert result.returncode == 0, result.stderr
    return out


def _meta(edition_id: str) -> dict:
    return yaml.safe_load((ROOT / "sources" / edition_id / "edition.yaml").read_text(encoding="utf-8"))


def _html_editorial(page: Path) -> str:
    """The page's text outside the parts (header, navigation, colophon, citation block, title)."""
    tree = html.parse(str(page))
    for element in list(tree.getroot().iter("article", "style")):
        element.getparent().remove(element)
    return " ".join(tree.getroot().itertext())


def _epub_editorial(book: Path) -> str:
    """The EPUB's package metadata and its editorial documents (nav, title page, colophon, report)."""
    texts = []
    with zipfile.ZipFile(book) as epub:
        for name in epub.namelist():
            if name.endswith(".opf") or any(k in name for k in ("nav", "title", "colophon", "report")):
                root = etree.fromstring(epub.read(name))
                texts.append(" ".join(root.itertext()))
                texts.extend(str(v) for v in root.xpath("//@content"))
    return " ".join(texts)


def _editorial(builds: Path, edition_id: str) -> str:
    folder = builds / edition_id
    return (
        _html_editorial(folder / f"{edition_id}.html") + " " + _epub_editorial(folder / f"{edition_id}.epub")
    )


def _names(meta: dict) -> set[str]:
    """An edition's title and creators in every language it gives them (one creator, or a list)."""
    creators = meta["creator"] if isinstance(meta["creator"], list) else [meta["creator"]]
    return {*meta["title"].values(), *(name for c in creators for name in c["name"].values())}


def _role_words(meta: dict, lang: str) -> set[str]:
    return {role_name(lang, part["role"]) for part in meta["parts"]}


@pytest.mark.parametrize("edition_id", EDITIONS)
def test_editorial_matter_names_only_its_own_edition(builds: Path, edition_id: str) -> None:
    other_id = next(e for e in EDITIONS if e != edition_id)
    meta, other = _meta(edition_id), _meta(other_id)
    lang = meta.get("settings", {}).get("editorial_language", meta["language"])
    text = _editorial(builds, edition_id)
    for name in _names(other):
        assert name not in text, f"{edition_id} names {other_id}'s {name!r}"
    foreign_roles = _role_words(other, lang) - _role_words(meta, lang)
    for word in foreign_roles:
        assert word not in text, f"{edition_id}'s editorial matter says {word!r}, a role only {other_id} has"
    assert meta["title"][meta["language"]] in text, "its own title is missing from its editorial matter"
    assert any(word in text for word in _role_words(meta, lang)), "its own roles are not named"


def test_the_check_can_fail(builds: Path) -> None:
    """The letter's editorial matter would be caught naming the other's roles if it did."""
    letter = _editorial(builds, EDITIONS[0])
    assert "信函" in letter  # the letter's own role, in its editorial language
    assert role_name("zh-Hans", "preface") not in letter
