"""True statements: what the outputs say about the edition (notes, parts, languages, conformance,
validator versions) matches the sources, the manifest and the validators' verdicts.

Counted from the outputs' structure where possible (note elements, dc:language); prose is read
only through the locale templates the writers compose it from (model.locale), never guessed.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from archivekit.errors import Finding
from archivekit.model import locale
from archivekit.validate.base import ERROR, Outcome
from archivekit.validate.judge.findings import finding
from archivekit.validate.judge.outputs import EPUB_NS, Epub, element_text
from archivekit.validate.judge.sources import Sources
from archivekit.validate.judge.text import squeeze

DC = "{http://purl.org/dc/elements/1.1/}"
OPF = "{http://www.idpf.org/2007/opf}"
NOTE_ROLES = {"doc-footnote", "doc-endnote"}
NOTE_TYPES = {"footnote", "endnote", "rearnote"}
NOTE_LISTS = {"doc-endnotes", "endnotes", "footnotes", "rearnotes"}
PROSE_KEYS = ("a11y_summary", "colophon_contents")
FIX = "compose the statement from the model (model.locale) instead of writing it by hand"


def count_notes(root: Any) -> int:
    """Note elements in a document: by ARIA role or epub:type, or list items of a notes list."""
    found = set()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        kinds = set(str(el.get("role", "")).split()) | set(str(el.get(f"{{{EPUB_NS}}}type", "")).split())
        if kinds & (NOTE_ROLES | NOTE_TYPES):
            found.add(el)
        elif kinds & NOTE_LISTS:
            found.update(
                li for li in el.iter() if isinstance(li.tag, str) and li.tag.rsplit("}", 1)[-1] == "li"
            )
    return len(found)


@cache
def _templates() -> list[tuple[str, str, re.Pattern[str]]]:
    """Each prose template as a pattern over white-space-free text, with parts and notes captured."""
    out = []
    for lang in locale.SUPPORTED:
        for key in PROSE_KEYS:
            text = squeeze(locale.message(lang, key, parts="\0P\0", notes="\0N\0"))
            pattern = re.escape(text).replace("\0P\0", "(?P<parts>.+?)").replace("\0N\0", r"(?P<notes>\d+)")
            out.append((lang, key, re.compile(pattern)))
    return out


def _counted(lang: str, name: str, tag: str) -> re.Pattern[str]:
    """A counted run of parts ("章（中文，共14部分）") of one role and language, white space removed."""
    marks = {"role": "\0R\0", "language": "\0L\0", "count": "\0C\0"}
    text = re.escape(squeeze(locale.message(lang, "part_in_language_count", **marks)))
    # The language as CLDR names the tag, or only its base when no other language shares it.
    names = {squeeze(locale.language_name(t, lang)) for t in (tag, tag.split("-")[0])}
    language = "(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + ")"
    text = text.replace("\0R\0", re.escape(name)).replace("\0L\0", language)
    return re.compile(text.replace("\0C\0", r"(?P<count>\d+)"))


def _role(lang: str, role: str) -> str:
    try:
        return squeeze(locale.role_name(lang, role))
    except KeyError:
        return ""  # a role the locale tables do not name: nothing to look for


def parts_statement(sources: Sources, lang: str, said: str) -> str | None:
    """What is wrong with a statement's list of parts (None: right).

    Consecutive parts of one role and language may be named once, counted ("章（中文，共14部分）")
    or not ("章（中文）"); every run must be named, in order, and a stated count must be the run's."""
    position = 0
    for role, tag, count in sources.runs():
        name = _role(lang, role)
        if not name:
            continue
        found = said.find(name, position)
        if found < 0:
            return f"does not name the {role} part(s) in {tag} (or not in reading order)"
        position = found + len(name)
        counted = _counted(lang, name, tag).match(said, found)
        if counted and int(counted.group("count")) != count:
            stated = counted.group("count")
            return f"counts {stated} {role} part(s) in {tag}; the sources hold {count} in a row"
    return None


def prose(sources: Sources, text: str, artifact: str, where: str) -> list[Finding]:
    """Every templated statement found in a text states the sources' note count and their parts."""
    haystack = squeeze(text)
    out = []
    for lang, key, pattern in _templates():
        for m in pattern.finditer(haystack):
            wrong = parts_statement(sources, lang, m.group("parts"))
            if wrong:
                what = f"the {key.replace('_', ' ')} ({lang}) {wrong}"
                out.append(finding("statement-parts", artifact, where, what, FIX))
            notes = int(m.group("notes"))
            if notes != len(sources.notes):
                out.append(
                    finding(
                        "statement-notes",
                        artifact,
                        where,
                        f"the {key.replace('_', ' ')} ({lang}) says {notes} note(s); the sources hold "
                        f"{len(sources.notes)}",
                        FIX,
                    )
                )
    return out


def epub(sources: Sources, book: Epub, artifact: str, manifest_claims: tuple[str, ...]) -> list[Finding]:
    """The EPUB's notes, languages, summaries and claim against the sources and the manifest."""
    out: list[Finding] = []
    notes = sum(count_notes(doc) for doc in book.docs.values())
    if notes != len(sources.notes):
        out.append(
            finding(
                "statement-notes",
                artifact,
                "content documents",
                f"the EPUB holds {notes} note(s); the sources hold {len(sources.notes)}",
                "every source note becomes one note element (role doc-footnote/doc-endnote), no more",
            )
        )
    declared = {(el.text or "").strip() for el in book.opf.iter(f"{DC}language")}
    # Editorial matter may be in a language no part is in (edition.yaml `languages`): allowed, not required.
    allowed = set(sources.languages) | {str(x) for x in sources.edition.get("languages") or []}
    if not set(sources.languages) <= declared <= allowed:
        out.append(
            finding(
                "statement-languages",
                artifact,
                f"{book.opf_path} dc:language",
                f"declares {sorted(declared)}; the parts are in {sorted(set(sources.languages))}"
                f" (edition.yaml languages: {sorted(allowed)})",
                "declare each part's language, and no language the edition does not use",
            )
        )
    for meta in book.opf.iter(f"{OPF}meta"):
        if meta.get("property") == "schema:accessibilitySummary":
            out += prose(sources, meta.text or "", artifact, f"{book.opf_path} schema:accessibilitySummary")
    for name, doc in book.docs.items():
        out += prose(sources, element_text(doc), artifact, name)
    claims = _a11y(
        tuple(
            (m.text or "").strip()
            for m in book.opf.iter(f"{OPF}meta")
            if m.get("property") == "dcterms:conformsTo"
        )
    )
    for claim in sorted(claims ^ _a11y(manifest_claims)):
        out.append(
            finding(
                "statement-conformance",
                artifact,
                f"{book.opf_path} dcterms:conformsTo",
                f"the EPUB and manifest.json disagree on the claim “{claim}”",
                "write the claim in both or in neither",
            )
        )
    return out


def _a11y(claims: tuple[str, ...]) -> set[str]:
    return {c for c in claims if c.startswith("EPUB Accessibility")}


_NAMED_VERSION = {
    "ace": re.compile(r"Ace by DAISY (\d[\w.]*\w)"),
    "epubcheck": re.compile(r"EPUBCheck (\d[\w.]*\w)"),
}


def against_verdicts(book: Epub, artifact: str, outcomes: list[Outcome]) -> list[Finding]:
    """A claimed conformance needs this run's Ace and EPUBCheck to pass; versions named must be theirs."""
    out: list[Finding] = []
    claimed = any(
        m.get("property") == "dcterms:conformsTo" and _a11y(((m.text or "").strip(),))
        for m in book.opf.iter(f"{OPF}meta")
    )
    said = " ".join(
        [
            m.text or ""
            for m in book.opf.iter(f"{OPF}meta")
            if m.get("property") == "schema:accessibilitySummary"
        ]
        + [element_text(d) for d in book.docs.values()]
    )
    for o in outcomes:
        if o.key not in _NAMED_VERSION or o.not_run or artifact not in {t.artifact for t in o.targets}:
            continue
        errors = sum(1 for f in o.findings if f.artifact == artifact and f.severity == ERROR)
        if claimed and errors:
            out.append(
                finding(
                    "statement-conformance",
                    artifact,
                    f"{book.opf_path} dcterms:conformsTo",
                    f"claims accessibility conformance; {o.validator} {o.version} reports {errors} error(s)",
                    "rebuild: the claim is written only when Ace and EPUBCheck pass",
                )
            )
        for named in sorted(set(_NAMED_VERSION[o.key].findall(said)) - {o.version}):
            out.append(
                finding(
                    "statement-validator-version",
                    artifact,
                    "accessibility summary and report",
                    f"names {o.validator} {named}; the validator that judged it is {o.version}",
                    "rebuild with the installed validators, so the EPUB names the versions that judged it",
                )
            )
    return out
