"""Where the pages of the archival PDF begin, in terms of the document model.

The PDF writer records these while it lays out pages; the EPUB writer turns them into its
page-list, so print page numbers in the EPUB are the PDF's own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageStart:
    """The first body text on one PDF page."""

    page: int  # 1-based index of the page in the PDF
    label: str  # the page number printed on (or implied for) that page
    block_id: str  # id of the model block whose text the page begins in
    offset: int  # index into plain_text(block) (note labels included) where the page begins
    first_words: str  # the first characters of body text on the page, for checks
