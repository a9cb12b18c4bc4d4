"""The PDF/A profiles the writer can make: one row per profile, read by xmp.py and postprocess.py."""

from __future__ import annotations

from dataclasses import dataclass

from archivekit.errors import UsageError


@dataclass(frozen=True)
class Profile:
    """What a PDF/A profile declares and needs."""

    name: str  # the value of --pdfa
    part: int  # pdfaid:part
    conformance: str  # pdfaid:conformance: "A" (accessible) or "U" (Unicode)
    suffix: str  # file name after the edition id
    embed_sources: bool  # PDF/A-3: the sources, edition metadata and CSL-JSON as associated files
    verapdf_flavours: tuple[str, ...]  # the veraPDF flavours that judge this file
    summary: str

    @property
    def conforms_to(self) -> tuple[str, ...]:
        """The standards the file claims (and the manifest lists)."""
        return (f"PDF/A-{self.part}{self.conformance.lower()}", "PDF/UA-1")


# Every profile is tagged and declares PDF/UA-1: the structure tree is not optional for anyone.
PROFILES: tuple[Profile, ...] = (
    Profile("2a", 2, "A", ".pdf", False, ("2a", "ua1"), "PDF/A-2a + PDF/UA-1 (default)"),
    Profile("2u", 2, "U", ".pdfa2u.pdf", False, ("2u", "ua1"), "PDF/A-2u + PDF/UA-1"),
    Profile(
        "3a",
        3,
        "A",
        ".pdfa3.pdf",
        True,
        ("3a", "ua1"),
        "PDF/A-3a + PDF/UA-1 carrying its sources, edition.yaml and the CSL-JSON as associated files",
    ),
)
DEFAULT = "2a"


def names() -> list[str]:
    """Profile names, for the CLI's choices."""
    return [row.name for row in PROFILES]


def get(name: str) -> Profile:
    """The profile with this name."""
    for row in PROFILES:
        if row.name == name:
            return row
    raise UsageError(f"unknown PDF/A profile {name!r}", hint=f"choose among: {', '.join(names())}")


def selected(option: object) -> list[Profile]:
    """The profiles asked for by ctx.options["pdfa"]: a name, a comma-separated list, or a list."""
    if option is None or option == "":
        return [get(DEFAULT)]
    items = option.split(",") if isinstance(option, str) else list(option)  # type: ignore[call-overload]
    out: list[Profile] = []
    for item in items:
        profile = get(str(item).strip())
        if profile not in out:
            out.append(profile)
    return out
