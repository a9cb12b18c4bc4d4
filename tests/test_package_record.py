"""The bag is described from the build's manifest.json (its `edition_record`), never from the sources.

package/ reads only the build: what it used to take from parsing the build's copy of edition.yaml
(bag-info's External-Description, Source-Organization, the PREMIS entity and its significant
properties) must come out the same from the record the manifest carries, for every edition of the
corpus and for texts in several languages where English is not the first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from archivekit.errors import SourceError
from archivekit.ingest.edition_yaml import load_edition_yaml
from archivekit.model import crosswalk as cw
from archivekit.model.crosswalk.edition import edition_record
from archivekit.model.metadata import Edition, LangText
from archivekit.package.bag import _edition_info
from conftest import ROOT

DAY = dt.date(2019, 7, 15)
CORPUS = sorted(p.parent for p in (ROOT / "sources").glob("*/edition.yaml"))


def _from_sources(edition: Edition) -> tuple[dict[str, Any], dict[str, str]]:
    """What package/ computed from the parsed edition.yaml before it read the manifest instead."""
    description = (
        f"{edition.title.prefer('en')}. {edition.statement.prefer('en')}, version {edition.version}."
    )
    if edition.description:
        description += " " + edition.description.prefer("en")
    fields = {
        "External-Description": description,
        "External-Identifier": edition.identifier,
        "Internal-Sender-Identifier": f"{edition.id}-{edition.version}",
    }
    if edition.publisher:
        fields["Source-Organization"] = edition.publisher.prefer("en")
    info = {
        "id": edition.id,
        "version": edition.version,
        "identifier": edition.identifier,
        "title": edition.title.first(),
        "statement": edition.statement.first(),
        "properties": tuple(
            (p.prop, p.value) for p in cw.package_fields(edition_record(edition, DAY), "premis")
        ),
    }
    return info, fields


def _from_manifest(edition: Edition) -> tuple[dict[str, Any], dict[str, str]]:
    manifest = {"edition": {"id": edition.id}, "edition_record": edition_record(edition, DAY)}
    info, fields = _edition_info(Path("build"), manifest)
    return dataclasses.asdict(info), fields


@pytest.mark.parametrize("folder", CORPUS, ids=lambda p: p.name)
def test_the_manifest_record_gives_what_the_sources_gave(folder: Path) -> None:
    edition = load_edition_yaml(folder)
    assert _from_manifest(edition) == _from_sources(edition)


def test_other_languages_first_and_a_publisher() -> None:
    """English second, third or missing; a publisher in two languages; equal texts in two languages."""
    edition = dataclasses.replace(
        load_edition_yaml(CORPUS[0]),
        title=LangText((("zh-Hans", "标题"), ("de", "Titel"), ("en", "Title"))),
        statement=LangText((("fr", "Édition"), ("en", "Édition"))),
        description=LangText((("de", "Beschreibung"),)),
        publisher=LangText((("zh-Hans", "出版者"), ("en", "Publisher"))),
    )
    info, fields = _from_manifest(edition)
    assert (info, fields) == _from_sources(edition)
    assert fields["External-Description"] == "Title. Édition, version 1.0.0. Beschreibung"
    assert fields["Source-Organization"] == "Publisher"
    assert info["title"] == "标题" and info["statement"] == "Édition"


def test_a_build_without_the_record_is_refused_with_the_fix() -> None:
    with pytest.raises(SourceError, match="no edition_record") as caught:
        _edition_info(Path("build/x"), {"edition": {"id": "x", "version": "1.0.0"}})
    assert "rebuild the edition" in str(caught.value)
