"""Folders as mappings of relative path -> bytes: what travels between the client and a worker."""

from __future__ import annotations

import stat
from pathlib import Path, PurePosixPath

from archivekit.errors import ArchivekitError, SourceError
from archivekit.staging import edition_lock, staged_folder, sweep_leftovers

Files = dict[str, bytes]


def read_sources(edition_dir: Path) -> Files:
    """The regular files of an edition folder (its sources), by name; anything else is refused."""
    files: Files = {}
    for path in sorted(edition_dir.iterdir()):
        mode = path.lstat().st_mode
        if not stat.S_ISREG(mode):
            # A local build refuses links, pipes and folders in ingest; a worker never sees them,
            # so the client refuses them here with the same advice rather than dropping them.
            raise SourceError(
                "only regular files can be sent to a cluster worker: this is a link, folder, pipe or device",
                file=path,
                hint="replace it with a regular file or remove it from the edition folder",
            )
        files[path.name] = path.read_bytes()
    return files


def read_folder(folder: Path) -> Files:
    """Every regular file under `folder`, by POSIX path relative to it (a built edition or a bag)."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def safe_relative(rel: str) -> PurePosixPath:
    """A relative path that stays inside its folder, or an error: results come over the network."""
    path = PurePosixPath(rel)
    if not rel or path.is_absolute() or any(part in ("", ".", "..") for part in path.parts):
        raise ArchivekitError(f"a worker returned an unsafe path {rel!r}", hint="report this as a bug")
    return path


def write_files(files: Files, folder: Path) -> None:
    """Write a mapping into an existing (empty) folder."""
    for rel, body in files.items():
        path = folder.joinpath(*safe_relative(rel).parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)


def safe_name(name: str) -> str:
    """A folder name for out_root/<name>, or an error."""
    if not name or "/" in name or name in (".", "..") or name.startswith("."):
        raise ArchivekitError(
            f"a worker returned an unsafe folder name {name!r}", hint="report this as a bug"
        )
    return name


def install(files: Files, out_root: Path, name: str) -> Path:
    """Write `files` as out_root/<name>/, atomically, under that edition's lock; return the folder."""
    target = out_root / safe_name(name)
    with edition_lock(out_root, name):
        sweep_leftovers(out_root, name)
        with staged_folder(target) as stage:
            write_files(files, stage)
    return target
