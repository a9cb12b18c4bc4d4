"""Bad input and hostile sources (#10): each case exits 2 with one located message and a fix, and
leaves the previous build untouched with nothing half-written beside it.

Every case is a mutation of a private copy of the real edition, built once beforehand, so what
is tested is exactly what a person editing these sources would meet.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import EDITION, EDITION_ID, run_cli

LETTER = "01-letter.zh-Hans.md"
ZH = "02-principles.zh-Hans.md"
EN = "03-principles.en.md"
META = "edition.yaml"
BIB = "bibliography.json"
FAST = ("--format", "text", "--format", "html")  # ingest fails before any writer: keep builds fast
ANY = -1  # the message must name some line


def tree(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file below folder."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@dataclass(frozen=True)
class Case:
    """A mutation of the edition folder and the one error it must give."""

    mutate: Callable[[Path], None]
    file: str  # the file the message must name
    line: int | None  # its line (ANY: some line; None: no line is expected)
    says: str  # words the message must contain
    formats: tuple[str, ...] = FAST


def _line(path: Path, needle: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert needle in text, f"{needle!r} not in {path.name}"
    return text[: text.index(needle)].count("\n") + 1


def replace(file: str, old: str, new: str) -> Callable[[Path], None]:
    """Replace the first `old` with `new` in `file`."""

    def mutate(edition: Path) -> None:
        path = edition / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def append(file: str, extra: str) -> Callable[[Path], None]:
    """Add `extra` at the end of `file`."""

    def mutate(edition: Path) -> None:
        path = edition / file
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")

    return mutate


def write_bytes(file: str, make: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    """Rewrite `file` with bytes made from its present bytes."""

    def mutate(edition: Path) -> None:
        path = edition / file
        path.write_bytes(make(path.read_bytes()))

    return mutate


def link_outside(file: str) -> Callable[[Path], None]:
    """Replace `file` by a symlink to a copy of it outside the edition folder."""

    def mutate(edition: Path) -> None:
        outside = edition.parent.parent / f"outside-{file}"
        shutil.move(edition / file, outside)
        (edition / file).symlink_to(outside)

    return mutate


def make_fifo(file: str) -> Callable[[Path], None]:
    """Replace `file` by a named pipe, which a reader would wait on for ever."""

    def mutate(edition: Path) -> None:
        (edition / file).unlink()
        os.mkfifo(edition / file)

    return mutate


def nested_list(levels: int) -> str:
    """A bullet list nested `levels` deep."""
    return "\n" + "".join("    " * i + f"- 第{i}层\n" for i in range(levels))


BILLION_LAUGHS_YAML = 'lol0: &l0 "lol"\n' + "".join(
    f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)
)

# The letter's creator, one object: the creator cases make it a list.
CREATOR = (
    "creator:\n  role: aut\n  name:\n    zh-Hans: 促进中国宗教自由联盟\n"
    "    en: Coalition to Advance Religious Freedom in China\n"
)

# Each case: (mutation, file named, line, words). Lines are found in the real sources, so a
# reworded source moves the expectation with it rather than silently passing.
L = EDITION
CASES: dict[str, Case] = {
    # --- edition.yaml: syntax
    "yaml-invalid": Case(replace(META, "date: 2019-07-15", "date: [2019-07-15"), META, ANY, "invalid YAML"),
    "yaml-unclosed-quote": Case(
        replace(META, "date: 2019-07-15", 'date: "2019-07-15'),
        META,
        _line(L / META, "date: 2019-07-15"),
        "begins on line",
    ),
    "yaml-tab-indent": Case(
        replace(META, "  zh-Hans: 档案版", "\tzh-Hans: 档案版"), META, ANY, "invalid YAML"
    ),
    "yaml-python-tag": Case(
        replace(META, "version: 1.0.0", 'version: !!python/object/apply:os.system ["touch pwned"]'),
        META,
        _line(L / META, "version: 1.0.0"),
        "invalid YAML",
    ),
    "yaml-alias-bomb": Case(
        append(META, BILLION_LAUGHS_YAML), META, _line(L / META, "bleed_mm") + 2, "aliases"
    ),
    "yaml-deep-nesting": Case(
        append(META, "deep: " + "[" * 5000 + "]" * 5000 + "\n"),
        META,
        _line(L / META, "bleed_mm") + 1,
        "nested",
    ),
    "yaml-duplicate-key": Case(
        replace(META, "version: 1.0.0\n", "version: 1.0.0\nversion: 1.0.1\n"),
        META,
        _line(L / META, "version: 1.0.0") + 1,
        "appears twice",
    ),
    "yaml-not-a-mapping": Case(write_bytes(META, lambda _: b"- a list\n- of things\n"), META, 1, "mapping"),
    "yaml-bom": Case(write_bytes(META, lambda b: b"\xef\xbb\xbf" + b), META, 1, "byte-order mark"),
    # --- edition.yaml: fields
    "missing-required-field": Case(
        replace(META, "version: 1.0.0\n", ""), META, ANY, "'version' is a required"
    ),
    "unknown-field": Case(append(META, "colour: red\n"), META, ANY, "colour"),
    "wrong-type-version": Case(
        replace(META, "version: 1.0.0", "version: 1"),
        META,
        _line(L / META, "version:"),
        "not of type 'string'",
    ),
    "wrong-type-languages": Case(
        replace(META, "languages: [zh-Hans, en]", "languages: zh-Hans"),
        META,
        _line(L / META, "languages:"),
        "not of type 'array'",
    ),
    "invalid-date": Case(
        replace(META, "date: 2019-07-15", "date: 2019-02-30"), META, _line(L / META, "date: 2019"), "date"
    ),
    "date-not-iso": Case(
        replace(META, "date: 2019-07-15", "date: 15 July 2019"), META, _line(L / META, "date: 2019"), "date"
    ),
    "malformed-language-tag": Case(
        replace(META, "language: zh-Hans", "language: zh_Hans"),
        META,
        _line(L / META, "language: zh-Hans"),
        "language",
    ),
    "unknown-language-tag": Case(
        replace(META, "languages: [zh-Hans, en]", "languages: [zh-Hans, en, xx-Qqqq]"),
        META,
        _line(L / META, "languages:"),
        "unknown language tag 'xx-Qqqq'",
    ),
    "unknown-language-key": Case(
        replace(META, "  zh-Hans: 档案版", "  zz-Zzzz: 档案版"),
        META,
        _line(L / META, "  zh-Hans: 档案版"),
        "unknown language tag 'zz-Zzzz'",
    ),
    # creator: one object, or a list of them; a fault in a list names the entry
    "creator-list-entry-without-name": Case(
        replace(META, CREATOR, "creator:\n  - role: aut\n    name: {en: Coalition}\n  - role: aut\n"),
        META,
        _line(L / META, "creator:") + 3,
        "field creator.1: 'name' is a required property",
    ),
    "creator-list-unknown-language-key": Case(
        replace(META, CREATOR, "creator:\n  - role: aut\n    name: {zz-Zzzz: Coalition}\n"),
        META,
        _line(L / META, "creator:") + 2,
        "field creator.0.name.zz-Zzzz: unknown language tag 'zz-Zzzz'",
    ),
    "duplicate-part-id": Case(
        replace(META, "- id: principles-zh", "- id: letter"),
        META,
        _line(L / META, "- id: principles-zh"),
        "used by an earlier part",
    ),
    "duplicate-part-file": Case(
        replace(META, f"file: {ZH}", f"file: {LETTER}"), META, _line(L / META, f"file: {ZH}"), "earlier part"
    ),
    "edition-id-traversal": Case(
        replace(META, f"id: {EDITION_ID}", "id: ../../escaped"),
        META,
        _line(L / META, f"id: {EDITION_ID}"),
        "does not match",
    ),
    "part-path-traversal": Case(
        replace(META, f"file: {EN}", "file: ../../../etc/passwd"),
        META,
        _line(L / META, f"file: {EN}"),
        "file",
    ),
    "part-absolute-path": Case(
        replace(META, f"file: {EN}", "file: /etc/passwd"), META, _line(L / META, f"file: {EN}"), "file"
    ),
    "bibliography-traversal": Case(
        replace(META, f"bibliography: {BIB}", "bibliography: ../../../etc/x.json"),
        META,
        _line(L / META, "bibliography:"),
        "bibliography",
    ),
    "parallel-unknown-part": Case(
        replace(META, "[principles-zh, principles-en]", "[principles-zh, principles-fr]"),
        META,
        _line(L / META, "[principles-zh"),
        "no part has the id",
    ),
    # --- part files: presence and kind
    "part-missing": Case(
        replace(META, f"file: {EN}", "file: 04-missing.md"),
        META,
        _line(L / META, f"file: {EN}"),
        "does not exist",
    ),
    "part-symlink-outside": Case(link_outside(EN), EN, None, "link leading outside"),
    "metadata-symlink-outside": Case(link_outside(META), META, None, "link leading outside"),
    "part-is-a-pipe": Case(make_fifo(EN), EN, None, "not a regular file"),
    "part-empty": Case(write_bytes(EN, lambda _: b"\n"), EN, None, "no text"),
    # --- part files: bytes
    "not-utf8": Case(
        write_bytes(EN, lambda b: b.replace(b"China", "Chïna".encode("latin-1"), 1)),
        EN,
        _line(L / EN, "China"),
        "not valid UTF-8",
    ),
    "part-bom": Case(write_bytes(ZH, lambda b: b"\xef\xbb\xbf" + b), ZH, 1, "byte-order mark"),
    "mixed-line-ends": Case(
        write_bytes(EN, lambda b: b.replace(b"\n\nTo declare", b"\r\n\r\nTo declare", 1)),
        EN,
        _line(L / EN, "\n\nTo declare"),
        "carriage-return",
    ),
    "nul-character": Case(replace(LETTER, "诺大", "诺\x00大"), LETTER, _line(L / LETTER, "诺大"), "U+0000"),
    "terminal-escape": Case(
        replace(EN, "Principle Statement", "Principle\x1b[2J Statement"),
        EN,
        _line(L / EN, "Principle S"),
        "U+001B",
    ),
    "soft-hyphen": Case(
        replace(EN, "Principle Statement", "Princi\u00adple Statement"),
        EN,
        _line(L / EN, "Principle S"),
        "U+00AD",
    ),
    "bidi-override": Case(
        replace(EN, "To affirm", "To \u202eaffirm"), EN, _line(L / EN, "To affirm"), "U+202E"
    ),
    "c1-control": Case(replace(EN, "To affirm", "To\x85 affirm"), EN, _line(L / EN, "To affirm"), "U+0085"),
    "ten-megabyte-part": Case(
        write_bytes(EN, lambda b: b + ("x" * 1000 + "\n\n").encode() * 10_000), EN, None, "bytes"
    ),
    "100k-character-line": Case(append(EN, "\n" + "y" * 100_000 + "\n"), EN, ANY, "characters"),
    # --- Markdown: notes and citations
    "note-ref-without-note": Case(
        replace(LETTER, "来往行踪。”[^1]", "来往行踪。”[^1][^2]"),
        LETTER,
        _line(L / LETTER, "[^1]"),
        "[^2] has no note",
    ),
    "note-never-referenced": Case(
        append(LETTER, "\n[^9]: 孤立的注。\n"), LETTER, ANY, "[^9] is never referenced"
    ),
    "note-defined-twice": Case(append(LETTER, "\n[^1]: 重复。\n"), LETTER, ANY, "defined twice"),
    "note-referenced-twice": Case(
        replace(LETTER, "来往行踪。”[^1]", "来往行踪。”[^1][^1]"),
        LETTER,
        _line(L / LETTER, "[^1]"),
        "[^1] is referenced twice",
    ),
    "inline-note-never-closed": Case(
        replace(EN, "To affirm", "To ^[an inline note never closed affirm"),
        EN,
        _line(L / EN, "To affirm"),
        "inline note `^[` is never closed",
    ),
    "attributes-never-closed": Case(
        replace(EN, "To affirm", "To [affirm]{lang=en that"),
        EN,
        _line(L / EN, "To affirm"),
        "never closed on this line",
    ),
    "unknown-cite-key": Case(
        replace(LETTER, 'cite-key="un-a-hrc-41-35"', 'cite-key="nowhere"'),
        LETTER,
        _line(L / LETTER, "cite-key="),
        "not in the bibliography",
    ),
    # --- Markdown: active or remote content
    "raw-html-inline": Case(
        replace(EN, "Principle Statement", "Principle <b>Statement</b>"),
        EN,
        _line(L / EN, "Principle S"),
        "raw HTML",
    ),
    "script-block": Case(append(EN, "\n<script>alert(1)</script>\n"), EN, ANY, "raw HTML"),
    "raw-attribute-block": Case(
        append(EN, "\n```{=html}\n<img src=x onerror=alert(1)>\n```\n"), EN, ANY, "raw"
    ),
    "html-comment": Case(append(EN, "\n<!-- hidden -->\n"), EN, ANY, "raw HTML"),
    "javascript-link": Case(
        replace(EN, "To affirm", "[To affirm](javascript:alert(1))"), EN, _line(L / EN, "To affirm"), "link"
    ),
    "autolink": Case(append(EN, "\nSee <https://example.org/>.\n"), EN, ANY, "raw"),
    "reference-definition": Case(append(EN, "\n[x]: javascript:alert(1)\n"), EN, ANY, "link"),
    "remote-image": Case(
        append(EN, "\n![tracker](https://example.org/pixel.png)\n"), EN, ANY, "link or image"
    ),
    "image-path-traversal": Case(append(EN, "\n![x](../../etc/passwd)\n"), EN, ANY, "link or image"),
    "span-event-attribute": Case(
        replace(EN, "To affirm", '[To affirm]{onclick="alert(1)"}'), EN, _line(L / EN, "To affirm"), "span"
    ),
    "div-style-attribute": Case(
        replace(EN, "::: kicker", '::: {.kicker style="display:none"}'), EN, ANY, "fenced div"
    ),
    "span-malformed-lang": Case(
        replace(EN, "To affirm", "[To affirm]{lang=en_GB}"),
        EN,
        _line(L / EN, "To affirm"),
        "malformed language",
    ),
    "span-unknown-lang": Case(
        replace(EN, "To affirm", "[To affirm]{lang=xx-Qqqq}"),
        EN,
        _line(L / EN, "To affirm"),
        "unknown language",
    ),
    # --- Markdown: structure and parser exhaustion
    "deeply-nested-lists": Case(append(LETTER, nested_list(12)), LETTER, ANY, "nested more than"),
    "nested-brackets": Case(
        append(EN, "\n" + "[" * 12 + "x" + "]" * 12 + "\n"), EN, ANY, "brackets open more than"
    ),
    "unclosed-brackets": Case(append(EN, "\n" + "[a " * 40 + "\n"), EN, ANY, "brackets open more than"),
    "html-tag-flood": Case(append(EN, "\n" + "<span>" * 300 + "\n"), EN, ANY, "raw HTML"),
    "deep-block-quotes": Case(append(EN, "\n" + ">" * 3000 + " x\n"), EN, None, "nested too deeply"),
    "level-1-heading": Case(append(EN, "\n# Added title\n"), EN, ANY, "level-1 heading"),
    "code-block": Case(append(EN, "\n```\nrm -rf /\n```\n"), EN, ANY, "code"),
    "parallel-mismatch": Case(append(EN, "\nAn added paragraph.\n"), META, None, "parallel parts"),
    # --- bibliography (CSL-JSON)
    "csl-malformed": Case(
        replace(BIB, '"type": "report",', '"type": "report",,'), BIB, 4, "invalid CSL-JSON"
    ),
    "csl-not-a-list": Case(write_bytes(BIB, lambda _: b'{"id": "x"}\n'), BIB, 1, "must be a list"),
    "csl-missing-title": Case(
        replace(BIB, '"title": "Surveillance', '"titel": "Surveillance'), BIB, ANY, "'title'"
    ),
    "csl-javascript-url": Case(
        replace(BIB, '"URL": "https://undocs.org/A/HRC/41/35"', '"URL": "javascript:alert(1)"'),
        BIB,
        _line(L / BIB, '"URL"'),
        "not http(s)",
    ),
    "csl-deep-nesting": Case(
        replace(BIB, '"note":', '"deep": ' + "[\n" * 50_000 + "]\n" * 50_000 + ', "note":'),
        BIB,
        None,
        "nested",
    ),
    # --- the source format for any document (#14)
    "list-item-without-marker": Case(
        append(EN, "\n::: list\n1. An item with its marker.\n\nA paragraph without one.\n:::\n"),
        EN,
        ANY,
        "does not start with a list marker",
    ),
    "list-heading-inside": Case(
        append(EN, "\n::: list\n1. An item.\n\n### A heading\n:::\n"), EN, ANY, "holds only items"
    ),
    "list-nested-before-item": Case(
        append(EN, "\n::: list\n::: list\n(a) inner\n:::\n:::\n"), EN, ANY, "must follow the item"
    ),
    "item-without-marked-paragraph": Case(
        append(EN, "\n::: list\n:::: item\n::: list\n(a) x\n:::\n::::\n:::\n"),
        EN,
        ANY,
        "must start with the paragraph",
    ),
    "note-text-inside-list": Case(
        append(EN, "\n::: list\n1. An item with a note.[^in]\n\n[^in]: The note's text.\n:::\n"),
        EN,
        ANY,
        "a note's text inside",
    ),
    "citation-missing-key": Case(
        replace(EN, "To declare that China should", "To declare [@no-such-key, p. 3] that China should"),
        EN,
        _line(L / EN, "To declare that China should"),
        "citation @no-such-key",
    ),
    "part-unknown-role": Case(replace(META, "role: letter", "role: memo"), META, ANY, "parts.0.role"),
    "part-cite-key-missing": Case(
        replace(META, "    role: letter\n", "    role: letter\n    cite-key: nowhere\n"),
        META,
        ANY,
        "cite-key 'nowhere'",
    ),
    "placeholder-left": Case(
        replace(META, "version: 1.0.0", "version: 1.0.0\nlicense: 'TODO: public-domain'"),
        META,
        _line(L / META, "version: 1.0.0") + 1,
        "placeholder",
    ),
    "csl-duplicate-id": Case(
        write_bytes(BIB, lambda b: b"[" + b.strip()[1:-1] + b"," + b.strip()[1:-1] + b"]\n"),
        BIB,
        ANY,
        "two records",
    ),
}


@pytest.fixture(scope="session")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real edition built once (text, html), to check that no bad input touches it."""
    out = tmp_path_factory.mktemp("good")
    result = run_cli("build", str(EDITION), "--out", str(out), *FAST, "--force")
    assert result.returncode == 0, result.stderr
    return out / EDITION_ID


def test_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_refused_cleanly(
    name: str, edition_copy: Path, good_build: Path, tmp_path: Path
) -> None:
    case = CASES[name]
    out = tmp_path / "build"
    shutil.copytree(good_build, out / EDITION_ID)
    before = tree(out / EDITION_ID)
    source_before = tree(edition_copy)
    case.mutate(edition_copy)

    # --force: the up-to-date shortcut compares bytes only, and a link out may hold the same bytes
    args = ("-q", "build", str(edition_copy), "--out", str(out), *case.formats, "--force")
    result = run_cli(*args, cwd=tmp_path)

    err = result.stderr
    assert result.returncode == 2, err
    assert "Traceback" not in err and "Error:" not in err.replace("archivekit: error:", ""), err
    assert err.count("archivekit: error:") == 1, err  # one message
    message, _, fix = err.partition("\n  fix: ")
    assert fix.strip(), f"no fix: hint in {err!r}"
    assert case.says in message, err
    where = re.search(rf"{re.escape(case.file)}(?::(\d+))?: ", message)
    assert where, f"{case.file} not named in {message!r}"
    if case.line == ANY:
        assert where.group(1), f"no line in {message!r}"
    elif case.line is not None:
        assert where.group(1) == str(case.line), message
    # the previous build is untouched and nothing half-written is left beside it
    assert sorted(p.name for p in out.iterdir() if not p.name.endswith(".lock")) == [EDITION_ID]
    assert tree(out / EDITION_ID) == before
    assert not (tmp_path / "pwned").exists()
    # the sources are only read: nothing appeared in or vanished from the edition folder
    assert set(p.name for p in edition_copy.iterdir()) == set(source_before)


def test_troubleshooting_lists_every_case_with_its_message() -> None:
    """docs/troubleshooting.md has a row per case, quoting the words the case's message must contain."""
    doc = (EDITION.parent.parent / "docs" / "troubleshooting.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line for line in doc.splitlines() if line.startswith("| ")}
    for name, case in CASES.items():
        assert name in rows, f"docs/troubleshooting.md has no row for {name}"
        assert case.says.replace("|", "\\|") in rows[name], f"{name}: the row does not quote {case.says!r}"


def test_pandoc_time_limit_gives_a_located_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The last stop: input that stalls pandoc ends in a SourceError naming the file, never a hang."""
    from archivekit.errors import SourceError
    from archivekit.ingest import pandoc_ast

    monkeypatch.setattr(pandoc_ast, "PANDOC_SECONDS", 1.0)
    source = tmp_path / "stall.md"
    with pytest.raises(SourceError) as caught:
        pandoc_ast.markdown_to_ast(
            "[" * 16 + "x" + "]" * 16 + "\n", source=source
        )  # unguarded: straight to pandoc
    assert caught.value.file == str(source) and "within 1 s" in caught.value.message and caught.value.hint


def test_metadata_as_a_pipe_does_not_hang_the_build(edition_copy: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    make_fifo(META)(edition_copy)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    args = [
        sys.executable,
        "-m",
        "archivekit",
        "-q",
        "build",
        str(edition_copy),
        "--out",
        str(tmp_path / "o"),
    ]
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=15, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail("the build hung on a named pipe")
    assert result.returncode == 2 and "not a regular file" in result.stderr, result.stderr
