"""archivekit: publish one canonical document as archival, accessible, print-ready editions.

Library use: `archivekit.build(edition_dir, out, formats=..., force=...)` and
`archivekit.check(edition_dir)` (see `archivekit.api` and docs/api.md).
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__", "build", "check"]


def __getattr__(name: str) -> object:
    # Lazy: `import archivekit` (and so every CLI start) must not import the pipeline and writers.
    if name in ("build", "check"):
        from archivekit import api

        return getattr(api, name)
    raise AttributeError(f"module 'archivekit' has no attribute {name!r}")
