"""Fixtures for the PDF tests: a DOCX builder and one LibreOffice shared by the whole session."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import pytest
from docx import Document
from docx.enum.text import WD_BREAK


def build_docx(*pages: str, rows: Sequence[Sequence[str]] = ()) -> bytes:
    """A DOCX with one paragraph per page, page breaks between, and `rows` as a last table."""
    document = Document()
    for number, text in enumerate(pages):
        paragraph = document.add_paragraph(text)
        if number < len(pages) - 1:
            paragraph.add_run().add_break(WD_BREAK.PAGE)
    if rows:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for row, values in zip(table.rows, rows, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


@pytest.fixture(scope="session")
def make_docx() -> Callable[..., bytes]:
    return build_docx
