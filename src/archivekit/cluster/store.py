"""Where cluster results go: a local folder written by the client, or an fsspec URL written by workers.

`file://` URLs resolve to local folders, so they get the same atomic swap as a plain path (on a
folder every worker mounts). Any other fsspec protocol (s3:// through s3fs, gs://, ...) is written
file by file with manifest.json last: an object store has no atomic folder rename, so a reader
trusts an edition only through its manifest (every artifact's size and sha256).
"""

from __future__ import annotations

import importlib.util
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archivekit.cluster.payload import Files, install, safe_name, safe_relative
from archivekit.errors import UsageError

MANIFEST = "manifest.json"


def is_url(out: str) -> bool:
    """Whether --out names an fsspec URL rather than a local folder."""
    return "://" in out


@dataclass(frozen=True)
class Store:
    """An output root: `local` is a folder on this machine, else `url` is written through fsspec."""

    out: str

    @property
    def local(self) -> Path | None:
        """The folder on this machine (plain paths and file:// URLs), else None."""
        if not is_url(self.out):
            return Path(self.out)
        if self.out.startswith("file://"):
            return Path(self.out[len("file://") :] or "/")
        return None

    @property
    def direct(self) -> bool:
        """Whether workers write results themselves (any URL) instead of sending them back."""
        return is_url(self.out)

    def _check_backend(self) -> None:
        """Name the package a URL's protocol needs (s3fs for s3://) before fsspec fails to import it."""
        from fsspec.core import split_protocol
        from fsspec.registry import known_implementations, registry

        protocol = split_protocol(self.out)[0] or "file"
        known = known_implementations.get(protocol)
        if protocol in registry or not known:
            return
        package = str(known["class"]).split(".")[0]
        if importlib.util.find_spec(package) is None:
            raise UsageError(
                f"--out {self.out}: {known.get('err') or f'{package} is not installed'}",
                hint="install the fsspec backend for that protocol on the client and every worker "
                f"(e.g. `pip install {package}`)",
            )

    def _fs(self) -> tuple[Any, str]:
        # Imported here, like dask: a dependency only cluster builds use.
        from fsspec.core import url_to_fs

        self._check_backend()
        try:
            fs, root = url_to_fs(self.out)
        except ValueError as exc:
            raise UsageError(
                f"--out {self.out}: {exc}",
                hint="install the fsspec backend for that protocol on the client and every worker "
                "(e.g. `pip install s3fs` for s3://)",
            ) from exc
        return fs, root.rstrip("/")

    def write_edition(self, name: str, files: Files) -> str:
        """Put a built edition (or bag) at <out>/<name>; return where it went."""
        local = self.local
        if local is not None:
            return str(install(files, local, name))
        fs, root = self._fs()
        base = f"{root}/{safe_name(name)}"
        previous = set(fs.find(base)) if fs.exists(base) else set()
        body = {f"{base}/{safe_relative(rel)}": data for rel, data in files.items() if rel != MANIFEST}
        fs.pipe(body)
        if MANIFEST in files:
            fs.pipe_file(f"{base}/{MANIFEST}", files[MANIFEST])  # last: it commits the edition
        stale = sorted(previous - set(body) - {f"{base}/{MANIFEST}"})
        if stale:
            fs.rm(stale)
        return f"{self.out.rstrip('/')}/{name}"

    def read(self, rel: str) -> bytes | None:
        """The bytes at <out>/<rel>, or None when absent."""
        local = self.local
        if local is not None:
            path = local / rel
            return path.read_bytes() if path.is_file() else None
        fs, root = self._fs()
        remote = f"{root}/{rel}"
        return fs.cat_file(remote) if fs.exists(remote) else None

    def sizes(self, name: str) -> dict[str, int]:
        """Every file under <out>/<name>/ with its size, by relative path."""
        local = self.local
        if local is not None:
            folder = local / name
            if not folder.is_dir():
                return {}
            return {
                p.relative_to(folder).as_posix(): p.stat().st_size for p in folder.rglob("*") if p.is_file()
            }
        fs, root = self._fs()
        base = f"{root}/{name}"
        if not fs.exists(base):
            return {}
        return {k[len(base) + 1 :]: int(v.get("size") or 0) for k, v in fs.find(base, detail=True).items()}

    def editions(self) -> list[str]:
        """Names of the edition folders (holding manifest.json) directly under <out>."""
        local = self.local
        if local is not None:
            if not local.is_dir():
                return []
            return sorted(
                p.parent.name for p in local.glob(f"*/{MANIFEST}") if not p.parent.name.startswith(".")
            )
        fs, root = self._fs()
        return sorted(
            Path(p).parent.name
            for p in fs.glob(f"{root}/*/{MANIFEST}")
            if not Path(p).parent.name.startswith(".")
        )

    def bag_names(self) -> list[str]:
        """Names of bag folders (holding bagit.txt) directly under <out>."""
        local = self.local
        if local is not None:
            return sorted(p.parent.name for p in local.glob("*/bagit.txt")) if local.is_dir() else []
        fs, root = self._fs()
        return sorted(Path(p).parent.name for p in fs.glob(f"{root}/*/bagit.txt"))

    def write_atomic(self, rel: str, data: bytes) -> None:
        """Replace <out>/<rel> in one step (a rename locally, one object put on a store)."""
        local = self.local
        if local is None:
            fs, root = self._fs()
            fs.pipe_file(f"{root}/{rel}", data)
            return
        local.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=local, prefix=f".{rel}.tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, local / rel)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def up_to_date(self, name: str, key: str) -> bool:
        """The no-op rule of `pipeline`: the manifest records this build key and every artifact is there."""
        raw = self.read(f"{name}/{MANIFEST}")
        if raw is None:
            return False
        try:
            manifest = json.loads(raw)
        except ValueError:
            return False
        if manifest.get("build_key") != key:
            return False
        sizes = self.sizes(name)
        return all(sizes.get(row["path"]) == row["bytes"] for row in manifest.get("artifacts", []))
