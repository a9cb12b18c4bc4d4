"""Accessibility metadata (EPUB Accessibility 1.1) and the report page that backs its claim.

Features are declared only when the EPUB has them (the page-list only when the PDF's page starts
were known); the conformance claim and the certifier only when the build's checks earned them.
"""

from __future__ import annotations

from dataclasses import dataclass

from archivekit.model import Document
from archivekit.model.locale import join, language_name, message, role_name, table_language
from archivekit.writers.epub.xhtml import ContentDoc, el, set_lang
from archivekit.writers.verdict import Verdict

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
REPORT_FILE = "a11y-report.xhtml"
CERTIFIER = "archivekit (automated self-assessment)"
XHTML = "application/xhtml+xml"


@dataclass(frozen=True)
class Meta:
    """One <meta> (or <link> when href is set) of the package metadata."""

    property: str
    value: str = ""
    lang: str | None = None
    id: str | None = None
    refines: str | None = None
    href: str | None = None
    media_type: str | None = None


def features(has_pages: bool) -> list[str]:
    """schema:accessibilityFeature values this EPUB really has."""
    out = ["structuralNavigation", "tableOfContents", "readingOrder"]
    if has_pages:
        out += ["pageNavigation", "printPageNumbers"]
    return out


def summary(doc: Document, has_pages: bool, verdict: Verdict | None) -> dict[str, str]:
    """The accessibility summary in each language the edition speaks, saying only what this file has.

    Composed from the model (the parts' roles and languages, the notes, parallel texts) and from the
    judges' verdict: no sentence is written for a feature the file does not have.
    """
    return {lang: _summary_in(doc, lang, has_pages, verdict) for lang in summary_languages(doc)}


def summary_languages(doc: Document) -> list[str]:
    """The editorial language first, then each other language of the edition that has its own table."""
    out: list[str] = []
    for lang in (doc.edition.editorial_language, *doc.edition.languages):
        if all(table_language(lang) != table_language(seen) for seen in out):
            out.append(lang)
    return out


def _summary_in(doc: Document, lang: str, has_pages: bool, verdict: Verdict | None) -> str:
    parts = join(lang, part_kinds(doc, lang))
    if doc.notes:
        sentences = [message(lang, "a11y_summary", parts=parts, notes=len(doc.notes))]
    else:
        sentences = [message(lang, "a11y_summary_no_notes", parts=parts)]
    sentences.append(message(lang, "a11y_structure"))
    if doc.notes:
        sentences.append(message(lang, "a11y_notes_linked"))
    if doc.edition.parallel:
        sentences.append(message(lang, "a11y_parallel"))
    sentences.append(message(lang, "a11y_no_fonts"))
    if has_pages:
        sentences.append(message(lang, "a11y_page_list"))
    sentences.append(_verdict(lang, verdict))
    # Sentences in zh end in full-width stops and run on; other languages put a space between them.
    return ("" if table_language(lang).startswith("zh") else " ").join(sentences)


def part_kinds(doc: Document, lang: str) -> list[str]:
    """The parts as "role (language)", consecutive parts of one role and language counted once."""
    runs: list[tuple[str, str, int]] = []
    for part in doc.parts:
        if runs and runs[-1][:2] == (part.role, part.lang):
            runs[-1] = (part.role, part.lang, runs[-1][2] + 1)
        else:
            runs.append((part.role, part.lang, 1))
    tags = doc.edition.languages
    out = []
    for role, tag, count in runs:
        values = {"role": role_name(lang, role), "language": language_label(tag, lang, tags)}
        key = "part_in_language" if count == 1 else "part_in_language_count"
        out.append(message(lang, key, count=count, **values))
    return out


def language_label(tag: str, in_lang: str, tags: tuple[str, ...]) -> str:
    """A language's CLDR name; script or region only when another language of the edition shares its base."""
    base = tag.split("-")[0]
    twins = {t for t in tags if t.split("-")[0] == base}
    return language_name(tag if len(twins) > 1 else base, in_lang)


def _verdict(lang: str, verdict: Verdict | None) -> str:
    if verdict is None or not verdict.ace_ran:
        return message(lang, "a11y_unchecked")
    if verdict.earned:
        return message(lang, "a11y_earned", ace=verdict.ace_version, epubcheck=verdict.epubcheck_version)
    return message(lang, "a11y_failed")


def metadata(
    doc: Document, has_pages: bool, verdict: Verdict | None, *, candidate: bool = False
) -> list[Meta]:
    """The schema.org and a11y metadata rows of the package, in a stable order.

    A candidate (the file the judges check) carries the claim rows too, so the judges see the
    package exactly as it will be when the claim is earned.
    """
    rows = [Meta("schema:accessMode", "textual"), Meta("schema:accessModeSufficient", "textual")]
    rows += [Meta("schema:accessibilityFeature", f) for f in features(has_pages)]
    rows.append(Meta("schema:accessibilityHazard", "none"))
    for lang, text in summary(doc, has_pages, verdict).items():
        rows.append(Meta("schema:accessibilitySummary", text, lang=lang))
    if candidate or (verdict is not None and verdict.earned):
        rows.append(Meta("dcterms:conformsTo", CONFORMANCE, id="conformance"))
        rows.append(Meta("a11y:certifiedBy", CERTIFIER, id="certifier"))
        rows.append(Meta("a11y:certifierReport", refines="#certifier", href=REPORT_FILE, media_type=XHTML))
    return rows


def report_page(doc: Document, verdict: Verdict | None, has_pages: bool) -> ContentDoc:
    """An editorial appendix stating what the build's checks found (deterministic: no clock, no paths).

    Its words are the edition's, in its editorial language; the judges' own lines (tool names,
    versions, rule ids) stay as the tools give them, marked English.
    """
    lang = doc.edition.editorial_language
    title = message(lang, "a11y_report")
    body = el("body", {"epub:type": "backmatter"})
    section = el("section", {"id": "a11y-report", "class": "editorial report", "aria-labelledby": "a11y-h"})
    set_lang(section, lang)
    section.append(el("h1", {"id": "a11y-h"}, title))
    section.append(el("p", None, message(lang, "a11y_report_intro")))
    ul = el("ul")
    set_lang(ul, "en")
    for line in _report_lines(verdict):
        ul.append(el("li", None, line))
    section.append(ul)
    earned = verdict is not None and verdict.earned
    claim = message(lang, "a11y_claimed", claim=CONFORMANCE) if earned else message(lang, "a11y_not_claimed")
    section.append(el("p", {"class": "claim"}, claim))
    section.append(el("p", None, message(lang, "a11y_features", features=join(lang, features(has_pages)))))
    body.append(section)
    return ContentDoc(REPORT_FILE, title, lang, body)


def _report_lines(verdict: Verdict | None) -> list[str]:
    if verdict is None:
        return ["No checks were run."]
    lines: list[str] = []
    if verdict.ace_version is None:
        lines.append("Ace by DAISY: not installed when this file was built; not run.")
    elif verdict.ace_error:
        lines.append(f"Ace by DAISY {verdict.ace_version}: did not complete.")
    else:
        count = len(verdict.ace_violations)
        lines.append(f"Ace by DAISY {verdict.ace_version}: {count} violation{'' if count == 1 else 's'}.")
        for v in verdict.ace_violations:
            lines.append(f"Ace violation ({v.impact}) {v.rule} in {v.file}.")
    if verdict.epubcheck_version is None:
        lines.append("EPUBCheck: not installed when this file was built; not run.")
    elif verdict.epubcheck_error:
        lines.append(f"EPUBCheck {verdict.epubcheck_version}: did not complete.")
    else:
        c = verdict.epubcheck_counts
        lines.append(
            f"EPUBCheck {verdict.epubcheck_version}: {c.get('fatal', 0)} fatal, {c.get('error', 0)} errors, "
            f"{c.get('warning', 0)} warnings."
        )
    return lines
