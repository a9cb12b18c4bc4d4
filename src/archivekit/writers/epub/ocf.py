"""The container: a deterministic EPUB zip (mimetype first and stored, fixed timestamps, sorted names)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from archivekit import clock

CONTAINER_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="EPUB/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""
ROOT = "EPUB/"


def zip_time(epoch: int) -> tuple[int, int, int, int, int, int]:
    """A zip timestamp from SOURCE_DATE_EPOCH (zip cannot say anything before 1980)."""
    moment = clock.moment(max(epoch, 315532800))
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second // 2 * 2)


def write_epub(path: Path, files: dict[str, bytes], epoch: int) -> None:
    """Write files (names relative to the EPUB folder) as an OCF zip; same input, same bytes."""
    when = zip_time(epoch)
    entries = [("mimetype", b"application/epub+zip", zipfile.ZIP_STORED)]
    entries.append(("META-INF/container.xml", CONTAINER_XML, zipfile.ZIP_DEFLATED))
    entries += [(ROOT + name, files[name], zipfile.ZIP_DEFLATED) for name in sorted(files)]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name, data, method in entries:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = method
            info.create_system = 3  # Unix, whatever the building machine
            info.external_attr = 0o100644 << 16
            # Level 9 explicitly: the default level is a library setting, not ours.
            zf.writestr(
                info, data, compress_type=method, compresslevel=9 if method == zipfile.ZIP_DEFLATED else None
            )
    tmp.replace(path)
