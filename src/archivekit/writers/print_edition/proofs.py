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
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
from PIL import Image, ImageDraw, ImageFont

from archivekit.errors import BuildError, ToolMissing
from archivekit.toolpaths import usable_cores
from archivekit.writers.print_edition.boxes import Geometry

PROOF_DIR = "proof"
PROOF_RECIPE = "4"  # bump when the drawing or the cache entry changes, so cached proofs are not reused
SUMS = "SHA256SUMS"  # written last in a cache entry: each image's sha256, checked on every read
PAGE_ENTRIES = "page"  # cache_dir/proofs/page/<key>: one page's proof and thumbnail
PAGE_IMAGE, THUMB_IMAGE = "page.png", "thumb.png"
RENDER_TIMEOUT = 300  # seconds a pdftoppm run may take
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


class _Rendering:
    """These pages (numbers from 1, ascending) being rendered as grey images at this resolution:
    runs of consecutive pages in as many pdftoppm processes at once as there are cores (a page
    renders alike alone or with the rest), started at once; `images` waits for them, `stop` ends
    them (a failed or interrupted writer leaves no pdftoppm running)."""

    def __init__(self, pdf: Path, dpi: int, folder: Path, pages: list[int]) -> None:
        # PGM, not PNG: Pillow encodes the proofs anyway, so pdftoppm need not compress them first.
        self.command = [_pdftoppm(), "-r", str(dpi), "-gray"]
        self.pdf, self.folder = pdf, folder
        self.waiting = _runs(pages, usable_cores())
        self.running: list[subprocess.Popen[str]] = []
        self.failed: list[str] = []
        self._start()

    def _start(self) -> None:
        while self.waiting and len(self.running) < usable_cores():
            first, last = self.waiting.pop(0)
            pages_asked = ["-f", str(first), "-l", str(last), str(self.pdf), str(self.folder / "p")]
            command = [*self.command, *pages_asked]
            self.running.append(
                subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            )

    def images(self) -> list[Path]:
        """The rendered pages' images, in page order, once every run has ended."""
        while self.running:
            run = self.running[0]
            stderr = run.communicate(timeout=RENDER_TIMEOUT)[1]
            self.running.pop(0)
            if run.returncode != 0:
                self.failed.append(stderr.strip()[-300:])
            self._start()
        if self.failed:
            raise BuildError(f"pdftoppm could not render the print PDF: {self.failed[0]}")
        # pdftoppm pads the page number to the width of the page count: sort by the number itself.
        return sorted(self.folder.glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[-1]))

    def stop(self) -> None:
        """End every run still going, and start no other."""
        self.waiting.clear()
        for run in self.running:
            if run.poll() is None:
                run.kill()
            run.wait()
        self.running.clear()


def _runs(pages: list[int], parts: int) -> list[tuple[int, int]]:
    """The pages as runs (first, last) of consecutive numbers, the longest halved while there are
    fewer runs than `parts`, so every core renders."""
    runs: list[tuple[int, int]] = []
    for number in pages:
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    while runs and len(runs) < parts:
        longest = max(range(len(runs)), key=lambda i: runs[i][1] - runs[i][0])
        first, last = runs[longest]
        if first == last:
            break
        middle = (first + last) // 2
        runs[longest : longest + 1] = [(first, middle), (middle + 1, last)]
    return runs


# zlib's level per kind of image, measured on the corpus's proofs with the pinned Pillow: a grey page
# at 4 encodes in 12 ms against 17 at 6 for 1 % more bytes; the colour contact sheet at 1 in half
# the time of 6 and 20-25 % smaller (Pillow's filtering suits it better there). A rebuild after a
# correction encodes the sheet and the pages changed while the editor waits. (Run-length matching
# alone, Z_RLE, is 3 ms faster a page and 3 % smaller on Han text, but 15-50 % larger on Latin.)
PNG_LEVEL = {"L": 4, "RGB": 1}


def _save(image: Image.Image, path: Path) -> None:
    image.save(path, format="PNG", compress_level=PNG_LEVEL.get(image.mode, 6))


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


def start(
    pdf: Path, out_dir: Path, g: Geometry, labels: list[str], heading: str, cache_dir: Path | None = None
) -> Proofs:
    """Begin proof/contact-sheet.png and proof/page-NN.png: what the caches hold is written and the
    other pages go to pdftoppm, whose processes render while the caller goes on (the print writer
    makes the booklet and the order meanwhile); `Proofs.finish` completes them.

    Rendering is most of the print edition's time, and the images depend only on the print PDF's
    bytes and the proof recipe: they are cached under cache_dir/proofs by that content hash, and
    each page by what its rendering reads (see _page_keys), so a correction renders only the pages
    it changed."""
    return Proofs(pdf, out_dir, g, labels, heading, cache_dir)


def write_proofs(
    pdf: Path, out_dir: Path, g: Geometry, labels: list[str], heading: str, cache_dir: Path | None = None
) -> list[str]:
    """The proofs made at once (start, then finish); their paths relative to out_dir."""
    proofs = start(pdf, out_dir, g, labels, heading, cache_dir)
    try:
        return proofs.finish()
    finally:
        proofs.stop()


class Proofs:
    """Proofs being made (see `start`)."""

    def __init__(
        self, pdf: Path, out_dir: Path, g: Geometry, labels: list[str], heading: str, cache_dir: Path | None
    ) -> None:
        self.out_dir, self.g, self.labels, self.heading = out_dir, g, labels, heading
        self.target = out_dir / PROOF_DIR
        self.rendering: _Rendering | None = None
        self.scratch: tempfile.TemporaryDirectory[str] | None = None
        key = hashlib.sha256(pdf.read_bytes())
        key.update(f"{PROOF_RECIPE}|{THUMB_DPI}|{PAGE_DPI}|{labels}|{heading}|{g}".encode())
        self.cached = cache_dir / "proofs" / key.hexdigest()[:32] if cache_dir is not None else None
        self.done: list[str] | None = None
        if self.cached is not None and (self.cached / SUMS).is_file():
            names = _intact(self.cached)
            if names is not None:
                self.target.mkdir(parents=True, exist_ok=True)
                for name in names:
                    shutil.copyfile(self.cached / name, self.target / name)
                self.done = [f"{PROOF_DIR}/{name}" for name in names]
                return
        self.page_cache = cache_dir / "proofs" / PAGE_ENTRIES if cache_dir is not None else None
        self._begin(pdf)

    def _begin(self, pdf: Path) -> None:
        """Write the pages a cache holds; send the others to pdftoppm."""
        self.target.mkdir(parents=True, exist_ok=True)
        digits = max(2, len(str(len(self.labels))))
        self.names = [f"page-{number:0{digits}d}.png" for number in range(1, len(self.labels) + 1)]
        page_cache = self.page_cache
        self.keys = _page_keys(pdf, self.g) if page_cache is not None else [""] * len(self.labels)
        if len(self.keys) != len(self.labels):
            raise BuildError(f"the print PDF has {len(self.keys)} pages, its labels {len(self.labels)}")
        self.thumbs: dict[int, Image.Image] = {}
        for number, key in enumerate(self.keys, start=1):
            entry = page_cache / key if page_cache is not None else None
            written = self.target / self.names[number - 1]
            kept = _kept(key) if entry is not None else None
            if kept is not None:
                png, self.thumbs[number] = kept
                written.write_bytes(png)
            elif entry is not None and _cached_page(entry):
                shutil.copyfile(entry / PAGE_IMAGE, written)
                with Image.open(entry / THUMB_IMAGE) as thumb:
                    self.thumbs[number] = thumb.convert("RGB")
                _keep(key, written.read_bytes(), self.thumbs[number])
        self.missing = [number for number in range(1, len(self.labels) + 1) if number not in self.thumbs]
        self.scratch = tempfile.TemporaryDirectory(prefix="archivekit-proof-")
        # One rendering: the thumbnails are the page proofs reduced, not a second pdftoppm run.
        self.rendering = _Rendering(pdf, PAGE_DPI, Path(self.scratch.name), self.missing)

    def finish(self) -> list[str]:
        """Wait for the rendering, draw the contact sheet, encode and cache; the proofs' paths."""
        if self.done is not None:
            return self.done
        assert self.rendering is not None
        rendered = [Image.open(path) for path in self.rendering.images()]
        if len(rendered) != len(self.missing):
            raise BuildError(f"pdftoppm rendered {len(rendered)} pages of {len(self.missing)}")
        thumbs, names, target = self.thumbs, self.names, self.target
        for number, page in zip(self.missing, rendered, strict=True):
            thumbs[number] = thumbnail(page, self.g)
        ordered = [thumbs[number] for number in range(1, len(self.labels) + 1)]
        images = [(contact_sheet(ordered, self.labels, self.heading), "contact-sheet.png")]
        images += [(page, names[number - 1]) for number, page in zip(self.missing, rendered, strict=True)]
        # Pillow lets go of the interpreter while it compresses: the PNGs are encoded side by side.
        with ThreadPoolExecutor(max_workers=usable_cores()) as pool:
            list(pool.map(lambda item: _save(item[0], target / item[1]), images))
        if self.page_cache is not None:
            for number in self.missing:
                key, written = self.keys[number - 1], target / names[number - 1]
                _store_page(self.page_cache / key, written, thumbs[number])
                _keep(key, written.read_bytes(), thumbs[number])
        self.done = [f"{PROOF_DIR}/{name}" for name in ["contact-sheet.png", *names]]
        if self.cached is not None:
            _store(self.cached, self.out_dir, self.done)
        return self.done

    def stop(self) -> None:
        """End the rendering if it still runs and remove its scratch folder (after finish, or when
        the writer failed or was interrupted meanwhile)."""
        if self.rendering is not None:
            self.rendering.stop()
        if self.scratch is not None:
            self.scratch.cleanup()


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

    def fill(staging: Path) -> list[str]:
        for rel in written:
            shutil.copyfile(out_dir / rel, staging / Path(rel).name)
        return [Path(rel).name for rel in written]

    _commit(cached, fill)


def _commit(entry: Path, fill: Callable[[Path], list[str]]) -> None:
    """A cache entry made beside it (`fill` writes its images and names them), their sha256 written
    last, then renamed into place: a half-written entry is never read."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=entry.parent, prefix=".tmp-"))
    try:
        names = fill(staging)
        sums = "".join(f"{_sha256(staging / name)}  {name}\n" for name in names)
        (staging / SUMS).write_text(sums, encoding="utf-8")
        staging.rename(entry)
    except OSError:
        pass  # a cache that cannot be written (or a parallel build won the race) only costs time
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _page_keys(pdf: Path, g: Geometry) -> list[str]:
    """For each page, a hash of everything its rendering reads: the page dictionary and what it
    reaches (content streams, fonts, images, annotations) but not its parent nor other pages, which
    a link may name but which are not drawn on it. Object numbers are left out, so a page that
    prints alike in two builds has one key."""
    recipe = f"{PROOF_RECIPE}|{THUMB_DPI}|{PAGE_DPI}|{g}".encode()
    with pikepdf.open(pdf) as document:
        walk = _ObjectHashes()
        return [hashlib.sha256(recipe + walk.page(page.obj)).hexdigest()[:32] for page in document.pages]


class _ObjectHashes:
    """Hashes of PDF objects by content. An object shared by many pages (a font) is hashed once;
    one whose walk met a reference back into an object still being hashed (a cycle, cut there) is
    not remembered, since its hash then depends on where the walk came in."""

    def __init__(self) -> None:
        self.done: dict[tuple[int, int], bytes] = {}
        self.open: set[tuple[int, int]] = set()
        self.cuts = 0
        self.root: tuple[int, int] = (0, 0)

    def page(self, page: pikepdf.Object) -> bytes:
        self.root = page.objgen
        return self.of(page)

    def of(self, obj: object) -> bytes:
        if not (isinstance(obj, pikepdf.Object) and obj.is_indirect):
            return self._content(obj)
        ident = obj.objgen
        if ident in self.done:
            return self.done[ident]
        if ident in self.open:
            self.cuts += 1
            return b"cycle"
        self.open.add(ident)
        cuts = self.cuts
        digest = self._content(obj)
        self.open.discard(ident)
        if self.cuts == cuts:
            self.done[ident] = digest
        return digest

    def _item(self, obj: object) -> bytes:
        """`of` an entry of an array or dictionary; a number (pikepdf gives Python's) at once: a
        font's Widths are hundreds of them."""
        if isinstance(obj, pikepdf.Object):
            return self.of(obj)
        return hashlib.sha256(repr(obj).encode()).digest()

    def _content(self, obj: object) -> bytes:
        h = hashlib.sha256()
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            if obj.get("/Type") == pikepdf.Name.Page and obj.objgen != self.root:
                return b"another page"
            h.update(b"stream" if isinstance(obj, pikepdf.Stream) else b"dict")
            for name in sorted(obj.keys()):
                if name != "/Parent":
                    h.update(name.encode() + self._item(obj[name]))
            if isinstance(obj, pikepdf.Stream):
                h.update(obj.read_raw_bytes())
        elif isinstance(obj, pikepdf.Array):
            h.update(b"array")
            item_hash = self._item
            for item in obj:
                h.update(item_hash(item))
        else:
            h.update(repr(obj).encode())
        return h.digest()


# Page proofs and thumbnails a process has made or read, by page key: a resident process (watch's
# writer worker) finds the pages an edit left alone here, neither read from the cache folder and
# checked nor decoded again. The oldest forgotten first; a page's two images weigh some 0.3 MB.
PAGES_KEPT = 64
_pages_kept: OrderedDict[str, tuple[bytes, Image.Image]] = OrderedDict()
_pages_lock = threading.Lock()  # builds in threads of one process (a cluster worker) share them


def _kept(key: str) -> tuple[bytes, Image.Image] | None:
    with _pages_lock:
        found = _pages_kept.get(key)
        if found is not None:
            _pages_kept.move_to_end(key)
        return found


def _keep(key: str, png: bytes, thumb: Image.Image) -> None:
    with _pages_lock:
        _pages_kept[key] = (png, thumb)
        _pages_kept.move_to_end(key)
        while len(_pages_kept) > PAGES_KEPT:
            _pages_kept.popitem(last=False)


def _cached_page(entry: Path) -> bool:
    """Whether the page cache holds this page whole (its images match their sha256)."""
    return (entry / SUMS).is_file() and _intact(entry) == [PAGE_IMAGE, THUMB_IMAGE]


def _store_page(entry: Path, page_png: Path, thumb: Image.Image) -> None:
    """One page's proof and thumbnail in the page cache, whole (as _store does for a document)."""

    def fill(staging: Path) -> list[str]:
        shutil.copyfile(page_png, staging / PAGE_IMAGE)
        _save(thumb, staging / THUMB_IMAGE)
        return [PAGE_IMAGE, THUMB_IMAGE]

    _commit(entry, fill)
