"""The PDF/A profiles the writer can make: one row per profile, read by xmp.py and postprocess.py."""

from __future__ import annotations

from dataclasses import dataclass

from archivekit.errors import UsageError
from archivekit.typeset.finish import PDF_1_7, PDF_2_0, Dialect

WTPDF_ACCESSIBILITY = "http://pdfa.org/declarations/wtpdf#accessibility1.0"


@dataclass(frozen=True)
class Profile:
    """What a PDF/A profile declares and needs."""

    name: str  # the value of --pdfa
    part: int  # pdfaid:part
    conformance: str  # pdfaid:conformance: "A" (accessible), "U" (Unicode), "F" (PDF/A-4f: files)
    suffix: str  # file name after the edition id
    embed_sources: bool  # the sources, edition metadata and CSL-JSON as associated files (3a, 4f)
    verapdf_flavours: tuple[str, ...]  # the veraPDF flavours that judge this file
    summary: str
    rev: str | None = None  # pdfaid:rev (PDF/A-4 on)
    ua_part: int = 1  # pdfuaid:part
    ua_rev: str | None = None  # pdfuaid:rev (PDF/UA-2 on)
    # PDF Declarations in the XMP, with the claim each stands for in the manifest.
    declarations: tuple[tuple[str, str], ...] = ()
    dialect: Dialect = PDF_1_7  # PDF version and how the structure tree is written
    info: bool = True  # an Info dictionary beside the XMP (PDF/A-4 allows none without PieceInfo)

    @property
    def conforms_to(self) -> tuple[str, ...]:
        """The standards the file claims (and the manifest lists)."""
        own = (f"PDF/A-{self.part}{self.conformance.lower()}", f"PDF/UA-{self.ua_part}")
        return own + tuple(claim for _, claim in self.declarations)

    @property
    def claims(self) -> tuple[tuple[str, str], ...]:
        """The XMP identification properties, in packet order."""
        out = [("pdfaid:part", str(self.part))]
        if self.rev:
            out.append(("pdfaid:rev", self.rev))
        out += [("pdfaid:conformance", self.conformance), ("pdfuaid:part", str(self.ua_part))]
        if self.ua_rev:
            out.append(("pdfuaid:rev", self.ua_rev))
        return tuple(out)


# Every profile is tagged and declares PDF/UA: the structure tree is not optional for anyone.
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
    # The preservation master: PDF 2.0, tagged in the PDF 2.0 namespace, with its sources inside.
    # PDF/A-4 has no "a" level: accessibility is claimed by PDF/UA-2 and the WTPDF declaration.
    Profile(
        "4f",
        4,
        "F",
        ".pdfa4f.pdf",
        True,
        ("4f", "ua2", "wt1a"),
        "PDF/A-4f + PDF/UA-2 + WTPDF 1.0 (PDF 2.0) carrying its sources, edition.yaml and the CSL-JSON",
        rev="2020",
        ua_part=2,
        ua_rev="2024",
        declarations=((WTPDF_ACCESSIBILITY, "WTPDF 1.0 Accessibility"),),
        dialect=PDF_2_0,
        info=False,
    ),
)
# Built unless --pdfa says otherwise: the reader's PDF/A-2a file and the archive's PDF 2.0 master.
DEFAULT = ("2a", "4f")


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
        return [get(name) for name in DEFAULT]
    items = option.split(",") if isinstance(option, str) else list(option)  # type: ignore[call-overload]
    out: list[Profile] = []
    for item in items:
        profile = get(str(item).strip())
        if profile not in out:
            out.append(profile)
    return out
