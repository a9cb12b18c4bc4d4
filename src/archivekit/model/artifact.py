"""What a build is made of: the record of one written file, shared by the writers and the manifest."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Artifact:
    """One file a writer made, relative to the edition's build folder; the manifest lists it."""

    format: str
    path: str
    media_type: str
    conforms_to: tuple[str, ...] = ()
