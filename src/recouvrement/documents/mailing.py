"""Merge many PDF documents into one mailing file, one bookmark per document."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError


@dataclass(frozen=True)
class MailingPart:
    """Where one document landed in the mailing; pages are numbered from 1."""

    title: str
    first_page: int
    page_count: int

    @property
    def last_page(self) -> int:
        return self.first_page + self.page_count - 1


@dataclass(frozen=True)
class Mailing:
    """The merged PDF and the place of each document in it, in order."""

    pdf: bytes
    parts: tuple[MailingPart, ...]

    @property
    def page_count(self) -> int:
        return sum(part.page_count for part in self.parts)


def merge_pdfs(parts: Iterable[tuple[str, bytes]]) -> Mailing:
    """Concatenate `(bookmark title, PDF bytes)` parts into one PDF with a bookmark per part.

    The bookmarks point at each part's first page and the file opens with the bookmark panel
    shown.  Bookmarks inside the parts are dropped.  Raises ValueError when there is nothing to
    merge or a part is not a readable PDF with at least one page.
    """
    writer = PdfWriter()
    placed: list[MailingPart] = []
    for title, pdf in parts:
        reader = _read(title, pdf)
        placed.append(MailingPart(title, len(writer.pages) + 1, len(reader.pages)))
        writer.append(reader, outline_item=title, import_outline=False)
    if not placed:
        raise ValueError("no PDF to merge")
    writer.page_mode = "/UseOutlines"
    output = io.BytesIO()
    writer.write(output)
    return Mailing(output.getvalue(), tuple(placed))


def _read(title: str, pdf: bytes) -> PdfReader:
    """Open one part, refusing unreadable PDFs and PDFs without pages."""
    try:
        reader = PdfReader(io.BytesIO(pdf))
    except PdfReadError as error:
        raise ValueError(f"mailing part {title!r} is not a readable PDF: {error}") from error
    if not reader.pages:
        raise ValueError(f"mailing part {title!r} has no pages")
    return reader
