"""Proofs a printer or editor looks at before reading: a contact sheet and 150 dpi pages.

poppler's pdftoppm renders the print PDF; Pillow draws the BleedBox (red) and TrimBox (blue)
on the thumbnails and re-encodes every PNG, so the bytes depend only on the pixels (no
timestamps or tool-specific chunks) and a rebuild on the same machine is byte-identical.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from archivekit.errors import BuildError, ToolMissing
from archivekit.toolpaths import usable_cores
from archivekit.writers.print_edition.boxes import Geometry

PROOF_DIR = "proof"
PROOF_RECIPE = "3"  # bump when the drawing or the cache entry changes, so cached proofs are not reused
SUMS = "SHA256SUMS"  # written last in a cache entry: each image's sha256, checked on every read
PAGE_DPI = 150
THUMB_DPI = 30
COLUMNS = 4
BLEED_COLOUR = (220, 0, 0)
TRIM_COLOUR = (0, 90, 220)
GAP = 16
CAPTION = 16
log = logging.getLogger("archivekit")


def _pdftoppm() -> str:
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise ToolMissing(
            "pdftoppm not found", hint="install poppler-utils (Debian: apt-get install poppler-utils)"
        )
    return exe


def _render(pdf: Path, dpi: int, folder: Path, pages: int) -> list[Path]:
    """Every page as a grey image at this resolution, in page order; the pages in as many
    pdftoppm processes at once as there are cores (a page renders alike alone or with the rest)."""
    # PGM, not PNG: Pillow encodes the proofs anyway, so pdftoppm need not compress them first.
    command = [_pdftoppm(), "-r", str(dpi), "-gray"]
    runs: list[subprocess.Popen[str]] = []
    failed = []
    try:
        for first, last in _ranges(pages, usable_cores()):
            pages_asked = ["-f", str(first), "-l", str(last), str(pdf), str(folder / "p")]
            runs.append(
                subprocess.Popen(
                    [*command, *pages_asked], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
                )
            )
        for run in runs:
            _, stderr = run.communicate(timeout=300)
            if run.returncode != 0:
                failed.append(stderr.strip()[-300:])
    finally:
        for run in runs:  # a stop or a stuck renderer: none is left running
            if run.poll() is None:
                run.kill()
                run.wait()
    if failed:
        raise BuildError(f"pdftoppm could not render the print PDF: {failed[0]}")
    # pdftoppm pads the page number to the width of the page count: sort by the number itself.
    return sorted(folder.glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[-1]))


def _ranges(pages: int, parts: int) -> list[tuple[int, int]]:
    """Pages 1..pages in at most `parts` runs of consecutive pages, as even as can be."""
    parts = max(1, min(parts, pages))
    size, extra = divmod(pages, parts)
    out, first = [], 1
    for index in range(parts):
        last = first + size - 1 + (1 if index < extra else 0)
        out.append((first, last))
        first = last + 1
    return out


def _save(image: Image.Image, path: Path) -> None:
    image.save(path, format="PNG", compress_level=6)


def _box_px(box: tuple[float, float, float, float], g: Geometry, scale: float) -> tuple[int, int, int, int]:
    """A PDF box (points, origin bottom left) as image pixels (origin top left)."""
    x0, y0, x1, y1 = box
    height = g.media[1]
    return (round(x0 * scale), round((height - y1) * scale), round(x1 * scale), round((height - y0) * scale))


def thumbnail(page: Image.Image, g: Geometry) -> Image.Image:
    """One page thumbnail, reduced from the page proof, with the BleedBox and TrimBox outlined."""
    image = page.reduce(PAGE_DPI // THUMB_DPI).convert("RGB")
    draw = ImageDraw.Draw(image)
    scale = THUMB_DPI / 72
    draw.rectangle(_box_px(g.bleed_box, g, scale), outline=BLEED_COLOUR, width=1)
    draw.rectangle(_box_px(g.trim_box, g, scale), outline=TRIM_COLOUR, width=1)
    return image


def contact_sheet(thumbs: list[Image.Image], labels: list[str], heading: str) -> Image.Image:
    """Thumbnails in a grid, each captioned with its position and page label."""
    font = ImageFont.load_default()
    tw, th = thumbs[0].size
    rows = -(-len(thumbs) // COLUMNS)
    top = 2 * CAPTION + GAP
    width = GAP + COLUMNS * (tw + GAP)
    height = top + rows * (th + CAPTION + GAP)
    sheet = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((GAP, GAP // 2), heading, fill=(0, 0, 0), font=font)
    legend = "red: BleedBox   blue: TrimBox   (crop marks outside the BleedBox)"
    draw.text((GAP, GAP // 2 + CAPTION), legend, fill=(0, 0, 0), font=font)
    for index, (thumb, label) in enumerate(zip(thumbs, labels, strict=True)):
        x = GAP + (index % COLUMNS) * (tw + GAP)
        y = top + (index // COLUMNS) * (th + CAPTION + GAP)
        sheet.paste(thumb, (x, y))
        draw.text((x, y + th + 2), f"{index + 1}  [{label}]", fill=(0, 0, 0), font=font)
    return sheet


def write_proofs(
    pdf: Path, out_dir: Path, g: Geometry, labels: list[str], heading: str, cache_dir: Path | None = None
) -> list[str]:
    """Write proof/contact-sheet.png and proof/page-NN.png; return their paths relative to out_dir.

    Rendering is most of the print edition's time, and the images depend only on the print PDF's
    bytes and the proof recipe: they are cached under cache_dir/proofs by that content hash."""
    key = hashlib.sha256(pdf.read_bytes())
    key.update(f"{PROOF_RECIPE}|{THUMB_DPI}|{PAGE_DPI}|{labels}|{heading}|{g}".encode())
    cached = cache_dir / "proofs" / key.hexdigest()[:32] if cache_dir is not None else None
    target = out_dir / PROOF_DIR
    if cached is not None and (cached / SUMS).is_file():
        names = _intact(cached)
        if names is not None:
            target.mkdir(parents=True, exist_ok=True)
            for name in names:
                shutil.copyfile(cached / name, target / name)
            return [f"{PROOF_DIR}/{name}" for name in names]
    written = _render_proofs(pdf, target, g, labels, heading)
    if cached is not None:
        _store(cached, out_dir, written)
    return written


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _intact(cached: Path) -> list[str] | None:
    """The proofs' names if every cached image matches its sha256; else None, with a warning, and the
    entry is removed so the proofs are rendered again."""
    try:
        rows = [line.split("  ", 1) for line in (cached / SUMS).read_text(encoding="utf-8").splitlines()]
        for digest, name in rows:
            if "/" in name or _sha256(cached / name) != digest:
                raise ValueError(f"{name} does not match its sha256")
        if not rows:
            raise ValueError("no proofs listed")
        return [name for _, name in rows]
    except (OSError, ValueError) as exc:
        log.warning("proof cache entry %s is damaged (%s): rendering the proofs again", cached, exc)
        shutil.rmtree(cached, ignore_errors=True)
        return None


def _store(cached: Path, out_dir: Path, written: list[str]) -> None:
    """Put rendered proofs in the cache whole (a half-written entry is never read)."""
    cached.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=cached.parent, prefix=".tmp-"))
    try:
        for rel in written:
            shutil.copyfile(out_dir / rel, staging / Path(rel).name)
        sums = "".join(f"{_sha256(staging / Path(rel).name)}  {Path(rel).name}\n" for rel in written)
        (staging / SUMS).write_text(sums, encoding="utf-8")
        staging.rename(cached)
    except OSError:
        pass  # a cache that cannot be written (or a parallel build won the race) only costs time
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _render_proofs(pdf: Path, target: Path, g: Geometry, labels: list[str], heading: str) -> list[str]:
    target.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    with tempfile.TemporaryDirectory(prefix="archivekit-proof-") as tmp:
        # One rendering: the thumbnails are the page proofs reduced, not a second pdftoppm run.
        pages = [Image.open(path) for path in _render(pdf, PAGE_DPI, Path(tmp), len(labels))]
        if len(pages) != len(labels):
            raise BuildError(f"pdftoppm rendered {len(pages)} pages of {len(labels)}")
        thumbs = [thumbnail(page, g) for page in pages]
        images = [(contact_sheet(thumbs, labels, heading), "contact-sheet.png")]
        digits = max(2, len(str(len(labels))))
        images += [(page, f"page-{number:0{digits}d}.png") for number, page in enumerate(pages, start=1)]
        # Pillow lets go of the interpreter while it compresses: the PNGs are encoded side by side.
        with ThreadPoolExecutor(max_workers=usable_cores()) as pool:
            list(pool.map(lambda item: _save(item[0], target / item[1]), images))
        written += [f"{PROOF_DIR}/{name}" for _, name in images]
    return written
