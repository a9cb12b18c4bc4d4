"""Sources -> Document: read an edition folder (metadata, Markdown parts, CSL-JSON) into the model."""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from archivekit import clock
from archivekit.errors import ArchivekitError, SourceError
from archivekit.ingest import pandoc_ast
from archivekit.ingest.bibliography import load_bibliography
from archivekit.ingest.edition_yaml import EDITION_FILE, load_edition_yaml
from archivekit.ingest.files import line_of, read_text, resolve_inside
from archivekit.ingest.markdown import (
    check_markup,
    check_note_markers,
    check_note_places,
    convert_part,
    escape_line_numbers,
)
from archivekit.ingest.pandoc_ast import markdown_to_ast, pandoc_path, pandoc_version
from archivekit.model import (
    Block,
    BulletList,
    Document,
    Edition,
    Heading,
    MarkedList,
    Note,
    Paragraph,
    Part,
    Text,
)
from archivekit.model.colophon import colophon_blocks, title_block
from archivekit.model.metadata import PartSpec


def load_edition(edition_dir: Path, *, source_date_epoch: int = 0) -> Document:
    """Read and check every source of the edition in this folder; the clock dates the colophon only."""
    edition_dir = Path(edition_dir)
    if not edition_dir.is_dir():
        raise SourceError(
            "not a folder", file=edition_dir, hint="name an edition folder such as sources/<id>"
        )
    edition = load_edition_yaml(edition_dir)
    meta_path = edition_dir / EDITION_FILE
    hashed = [EDITION_FILE]
    bibliography: tuple[dict, ...] = ()
    if edition.bibliography:
        bib_path = resolve_inside(
            edition_dir, edition.bibliography, what="bibliography", referenced_from=meta_path
        )
        bibliography = load_bibliography(bib_path)
        hashed.append(edition.bibliography)

    notes: dict[str, Note] = {}
    reading = _Reading(edition, meta_path, bibliography, notes)
    texts = _read_parts(edition_dir, edition, meta_path)
    parts = tuple(
        reading.part(spec, path, text, ast)
        for spec, (path, text), ast in zip(edition.parts, texts, _parse(texts), strict=True)
    )
    hashed += [spec.file for spec in edition.parts]
    if (edition_dir / "CHANGELOG.md").is_file():
        hashed.append("CHANGELOG.md")

    _check_parallel(edition, parts, meta_path)
    files = tuple(sorted(hashed))
    sources_sha256 = _tree_hash(edition_dir, files)
    return Document(
        edition=edition,
        parts=parts,
        notes=notes,
        bibliography=bibliography,
        sources_sha256=sources_sha256,
        source_files=files,
        front=(title_block(edition),),
        colophon=colophon_blocks(
            edition, sources_sha256, files, clock.day(source_date_epoch), note_count=len(notes)
        ),
        readers=(("pandoc", pandoc_version()),),
    )


def read_ahead(edition_dir: Path) -> None:
    """Have pandoc read now the pieces a correction of each part will be read in (a resident
    process, after its first build; see pandoc_ast.read_ahead). Sources in error are left for the
    build to report."""
    try:
        edition = load_edition_yaml(edition_dir)
        texts = _read_parts(edition_dir, edition, edition_dir / EDITION_FILE)
        for path, text in texts:
            pandoc_ast.read_ahead(escape_line_numbers(text), source=path)
    except (ArchivekitError, OSError):
        return


def _read_parts(edition_dir: Path, edition: Edition, meta_path: Path) -> list[tuple[Path, str]]:
    """Each part's file and text, checked for what pandoc would read silently wrong."""
    texts = []
    for spec in edition.parts:
        path = resolve_inside(edition_dir, spec.file, what="part file", referenced_from=meta_path)
        text = read_text(path)
        check_markup(text, path)
        check_note_markers(text, path)
        check_note_places(text, path)
        texts.append((path, text))
    return texts


def _parse(texts: list[tuple[Path, str]]) -> list[Future[dict[str, Any]]]:
    """pandoc's AST of each part, finished; each result is taken as its part is read, in part order,
    so the first failing part is the one reported."""
    # One pandoc process per part, all at once: each is mostly start-up, and they wait in parallel.
    pandoc_path()  # found once, before the parallel runs: pypandoc reports any start failure as 'not found'
    with ThreadPoolExecutor(max_workers=max(1, len(texts))) as pool:
        return [pool.submit(markdown_to_ast, escape_line_numbers(text), source=path) for path, text in texts]


class _Reading:
    """What the parts share while they are read in order: the bibliography and the notes' numbering."""

    def __init__(
        self, edition: Edition, meta_path: Path, bibliography: tuple[dict, ...], notes: dict[str, Note]
    ) -> None:
        self.edition, self.meta_path, self.bibliography, self.notes = edition, meta_path, bibliography, notes
        self.keys = {item["id"] for item in bibliography}
        self.note_counter = [0]

    def part(self, spec: PartSpec, path: Path, text: str, ast: Future[dict[str, Any]]) -> Part:
        """One part of the model from its pandoc AST; its notes join the edition's."""
        blocks = convert_part(
            ast.result(),
            source=path,
            text=text,
            part_id=spec.id,
            known_keys=self.keys,
            notes=self.notes,
            note_counter=self.note_counter,
            bibliography=self.bibliography,
        )
        if not blocks:
            raise SourceError(
                "the part has no text", file=path, hint="add the part's text or remove the part"
            )
        if spec.cite_key and spec.cite_key not in self.keys:
            raise SourceError(
                f"part {spec.id!r} names cite-key {spec.cite_key!r}, which is not in the bibliography",
                file=self.meta_path,
                line=line_of(read_text(self.meta_path), f"cite-key: {spec.cite_key}"),
                hint="add a CSL-JSON record with that id to the bibliography, or correct the key",
            )
        return Part(
            spec.id,
            spec.lang,
            spec.role,
            self.title(spec),
            blocks,
            spec.file,
            creators=spec.creators,
            date=spec.date,
            cite_key=spec.cite_key,
        )

    def title(self, spec: PartSpec) -> Heading | None:
        """The part's editorial title from edition.yaml, in its language when given in it."""
        if not spec.title:
            return None
        return Heading(
            f"{spec.id}-title",
            2,
            (Text(spec.title.prefer(spec.lang)),),
            editorial=True,
            lang=spec.lang if spec.title.get(spec.lang) else self.edition.language,
        )


def _check_parallel(edition: Edition, parts: tuple[Part, ...], meta_path: Path) -> None:
    by_id = {p.id: p for p in parts}
    for a, b in edition.parallel:
        count_a = sum(1 for blk in by_id[a].blocks if _aligned(blk))
        count_b = sum(1 for blk in by_id[b].blocks if _aligned(blk))
        if count_a != count_b:
            raise SourceError(
                f"parallel parts {a!r} and {b!r} have {count_a} and {count_b} paragraphs and lists",
                file=meta_path,
                hint="parallel texts are aligned paragraph by paragraph: give both the same paragraphs",
            )


def _aligned(block: Block) -> bool:
    """Blocks that parallel parts align row by row: body paragraphs and whole lists."""
    return (isinstance(block, Paragraph) and block.role is None) or isinstance(block, BulletList | MarkedList)


def _tree_hash(edition_dir: Path, files: tuple[str, ...]) -> str:
    """sha256 over the sorted (name, sha256 of content) list: changes when any source changes."""
    digest = hashlib.sha256()
    for name in files:
        file_hash = hashlib.sha256((edition_dir / name).read_bytes()).hexdigest()
        digest.update(f"{file_hash}  {name}\n".encode())
    return digest.hexdigest()


__all__ = ["load_edition"]
