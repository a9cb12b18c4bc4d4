"""Proofs a printer or editor looks at before reading: a contact sheet and 150 dpi pages.

PDFium (Chromium's PDF renderer, through pypdfium2, pinned) renders the print PDF in this process;
Pillow draws the BleedBox (red) and TrimBox (blue) on the thumbnails and encodes every PNG, so the
bytes depend only on the pixels (no timestamps or tool-specific chunks) and a rebuild is
byte-identical. In process, not poppler's pdftoppm: a pdftoppm run spent 50 ms starting and
reading the fonts before its first page (12 ms a page after), PDFium 4 ms a page, and a correction
re-renders one or two pages while the editor waits.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pikepdf
from PIL import Image, ImageDraw, ImageFont

from archivekit.errors import BuildError
from archivekit.toolpaths import usable_cores
from archivekit.writers.print_edition.boxes import Geometry

PROOF_DIR = "proof"
PROOF_RECIPE = "5"  # bump when the drawing or the cache entry changes, so cached proofs are not reused
SUMS = "SHA256SUMS"  # written last in a cache entry: each image's sha256, checked on every read
PAGE_ENTRIES = "page"  # cache_dir/proofs/page/<key>: one page's proof and thumbnail
PAGE_IMAGE, THUMB_IMAGE = "page.png", "thumb.png"
PAGE_DPI = 150
THUMB_DPI = 30
COLUMNS = 4
BLEED_COLOUR = (220, 0, 0)
TRIM_COLOUR = (0, 90, 220)
GAP = 16
CAPTION = 16
log = logging.getLogger("archivekit")


class _Rendering:
    """These pages (numbers from 1, ascending) being rendered as grey images at this resolution, in
    a thread of this process, started at once: each page is given to `at_once` in that thread (its
    thumbnail, quick), then to `later` in a pool of threads (its PNG). PDFium's calls and Pillow's
    compression let go of the interpreter, so the caller goes on meanwhile (the print writer makes
    the booklet and the order, then the contact sheet while the pages are encoded). `rendered`
    waits for the rendering, `wait` for every page handed over; `stop` ends the rendering after
    the page in hand (a failed or interrupted writer)."""

    def __init__(
        self,
        pdf: Path,
        dpi: int,
        pages: list[int],
        at_once: Callable[[int, Image.Image], None],
        later: Callable[[int, Image.Image], None],
    ) -> None:
        self.pdf, self.scale, self.pages, self.at_once, self.later = pdf, dpi / 72, pages, at_once, later
        self.count = 0
        self.failed: str | None = None
        self.stopping = threading.Event()
        cores = usable_cores()
        self.handing = ThreadPoolExecutor(max_workers=cores, thread_name_prefix="proof-encoding")
        self.handed: list[Future[None]] = []
        self.room = threading.Semaphore(2 * cores)  # pages rendered and not yet encoded
        self.thread = threading.Thread(target=self._render, name="proof-rendering", daemon=True)
        self.thread.start()

    def _render(self) -> None:
        try:
            import pypdfium2  # here: a build without print proofs never loads PDFium

            with _pdfium_lock:
                document = pypdfium2.PdfDocument(str(self.pdf))
            try:
                for number in self.pages:
                    self.room.acquire()
                    if self.stopping.is_set():
                        return
                    with _pdfium_lock:
                        page = document[number - 1]
                        bitmap = page.render(scale=self.scale, grayscale=True)
                        image = bitmap.to_pil().copy()  # the bitmap's memory is PDFium's
                        page.close()
                    self.at_once(number, image)
                    self.count += 1
                    self.handed.append(self.handing.submit(self._hand, number, image))
            finally:
                with _pdfium_lock:
                    document.close()
        except Exception as exc:  # PDFium's errors, and any other: the writer reports it
            self.failed = f"{type(exc).__name__}: {exc}"

    def _hand(self, number: int, image: Image.Image) -> None:
        try:
            self.later(number, image)
        finally:
            self.room.release()

    def rendered(self) -> None:
        """Return once every page is rendered (and given to `at_once`)."""
        self.thread.join()
        if self.failed is not None:
            raise BuildError(f"the print PDF could not be rendered for its proofs: {self.failed}")
        if self.count != len(self.pages):
            raise BuildError(f"PDFium rendered {self.count} pages of {len(self.pages)}")

    def wait(self) -> None:
        """Return once every page is also handed over; raise what went wrong there (a file that
        could not be written as itself, so its message names it)."""
        self.rendered()
        for handed in self.handed:
            handed.result()

    def stop(self) -> None:
        """End the rendering after the page in hand, and wait until it has ended."""
        self.stopping.set()
        self.room.release()  # the rendering may be waiting for room: it wakes, and sees the stop
        self.thread.join()
        self.handing.shutdown()  # the pages in hand (a few) are finished: nothing writes after this


# PDFium is not thread-safe: one document at a time in a process (a cluster worker builds in threads).
_pdfium_lock = threading.Lock()


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
    other pages are rendered in a thread while the caller goes on (the print writer makes the
    booklet and the order meanwhile); `Proofs.finish` completes them.

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
        """Write the pages a cache holds; start rendering the others."""
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
        # One rendering: the thumbnails are the page proofs reduced, not a second rendering.
        self.rendering = _Rendering(pdf, PAGE_DPI, self.missing, self._thumbnail, self._page_proof)

    def _thumbnail(self, number: int, page: Image.Image) -> None:
        self.thumbs[number] = thumbnail(page, self.g)

    def _page_proof(self, number: int, page: Image.Image) -> None:
        """A page's proof written and cached, with its thumbnail (in the rendering's pool)."""
        written = self.target / self.names[number - 1]
        _save(page, written)
        if self.page_cache is not None:
            key = self.keys[number - 1]
            _store_page(self.page_cache / key, written, self.thumbs[number])
            _keep(key, written.read_bytes(), self.thumbs[number])

    def finish(self) -> list[str]:
        """Draw and encode the contact sheet once every page is rendered (while their proofs are
        encoded), wait for those, cache; the proofs' paths."""
        if self.done is not None:
            return self.done
        assert self.rendering is not None
        self.rendering.rendered()
        ordered = [self.thumbs[number] for number in range(1, len(self.labels) + 1)]
        _save(contact_sheet(ordered, self.labels, self.heading), self.target / "contact-sheet.png")
        self.rendering.wait()
        self.done = [f"{PROOF_DIR}/{name}" for name in ["contact-sheet.png", *self.names]]
        if self.cached is not None:
            _store(self.cached, self.out_dir, self.done)
        return self.done

    def stop(self) -> None:
        """End the rendering if it still runs (after finish, or when the writer failed or was
        interrupted meanwhile)."""
        if self.rendering is not None:
            self.rendering.stop()


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
