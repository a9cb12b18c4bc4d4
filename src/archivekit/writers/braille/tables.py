"""Which liblouis table translates which language: defaults, overridden per edition in edition.yaml.

Defaults follow each community's current literary code as liblouis-data 3.24 ships it: Chinese
national common braille (国家通用盲文, GF 0019-2018) for Simplified Chinese, Taiwanese braille
for Traditional Chinese, UEB grade 2 for English, contracted German (Kurzschrift), uncontracted
French (intégral), Spanish grade 1 and Russian literary braille. Current braille (现行盲文,
zh-chn.ctb) or UEB grade 1 (en-ueb-g1.ctb) are chosen in settings.braille.tables.
"""

from __future__ import annotations

import langcodes

from archivekit.errors import BuildError
from archivekit.model.metadata import Edition

DEFAULTS: dict[str, str] = {
    "zh-Hans": "zhcn-cbs.ctb",
    "zh-Hant": "zh-tw.ctb",
    "en": "en-ueb-g2.ctb",
    "de": "de-g2.ctb",
    "fr": "fr-bfu-comp6.utb",
    "es": "es-g1.ctb",
    "ru": "ru-litbrl.ctb",
}
# Grade 1 (uncontracted) tables: back-translation checks compare the source with these.
GRADE1: dict[str, str] = {"en": "en-ueb-g1.ctb", "de": "de-g1.ctb"}


def _keys(lang: str) -> list[str]:
    """The keys a language tag may be found under, most specific first (zh-Hant-TW, zh-Hant, zh)."""
    parsed = langcodes.Language.get(lang)
    keys = [lang]
    if parsed.language == "zh":
        script = parsed.script or ("Hant" if parsed.territory in ("TW", "HK", "MO") else "Hans")
        keys.append(f"zh-{script}")
    keys.append(parsed.language or lang)
    return keys


def table_for(edition: Edition, lang: str) -> str:
    """The table for text in this language: the edition's choice, else the default; BuildError if none."""
    chosen = dict(edition.settings.braille.tables)
    for key in _keys(lang):
        if key in chosen:
            return chosen[key]
    for key in _keys(lang):
        if key in DEFAULTS:
            return DEFAULTS[key]
    raise BuildError(
        f"no braille table for language {lang!r}",
        file="edition.yaml",
        hint=f"name a liblouis table for it in settings.braille.tables (e.g. {lang}: xx-g1.ctb)",
    )


def grade1_for(lang: str) -> str | None:
    """An uncontracted table for this language, when there is one (for back-translation checks)."""
    for key in _keys(lang):
        if key in GRADE1:
            return GRADE1[key]
    return None
