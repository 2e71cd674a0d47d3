"""Merging letters into one mailing PDF with a bookmark per letter."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter

from recouvrement.documents.mailing import MailingPart, merge_pdfs


def blank_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def bookmarks(pdf: bytes) -> list[tuple[str, int]]:
    """(title, 0-based page) of each top-level bookmark."""
    reader = PdfReader(io.BytesIO(pdf))
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


def test_pages_add_up_and_each_part_has_its_bookmark():
    parts = [("Relance — Durand", 1), ("Mise en demeure « Lefèvre »", 3), ("Relevé Müller", 2)]

    mailing = merge_pdfs([(title, blank_pdf(pages)) for title, pages in parts])

    assert len(PdfReader(io.BytesIO(mailing.pdf)).pages) == 6 == mailing.page_count
    assert mailing.parts == (
        MailingPart("Relance — Durand", first_page=1, page_count=1),
        MailingPart("Mise en demeure « Lefèvre »", first_page=2, page_count=3),
        MailingPart("Relevé Müller", first_page=5, page_count=2),
    )
    assert [part.last_page for part in mailing.parts] == [1, 4, 6]
    assert bookmarks(mailing.pdf) == [
        ("Relance — Durand", 0),
        ("Mise en demeure « Lefèvre »", 1),
        ("Relevé Müller", 4),
    ]


def test_mailing_opens_on_bookmarks():
    mailing = merge_pdfs([("Seule lettre", blank_pdf(1))])

    assert PdfReader(io.BytesIO(mailing.pdf)).page_mode == "/UseOutlines"


def test_nothing_to_merge():
    with pytest.raises(ValueError, match="no PDF to merge"):
        merge_pdfs([])


@pytest.mark.parametrize(
    ("pdf", "error"), [(b"pas un PDF", "is not a readable PDF"), (blank_pdf(0), "has no pages")]
)
def test_bad_part_is_named(pdf, error):
    with pytest.raises(ValueError, match=f"'Lettre 2' {error}"):
        merge_pdfs([("Lettre 1", blank_pdf(1)), ("Lettre 2", pdf)])


def test_converted_letters_keep_their_text_and_page_ranges(converter, make_docx):
    letters = [
        ("Durand", make_docx("Cher M. Durand, vous devez 120,00 €.")),
        ("Lefèvre", make_docx("Madame Lefèvre, page 1", "Madame Lefèvre, page 2")),
    ]

    mailing = merge_pdfs([(name, converter.convert(docx)) for name, docx in letters])

    pages = PdfReader(io.BytesIO(mailing.pdf)).pages
    assert [(part.title, part.first_page, part.page_count) for part in mailing.parts] == [
        ("Durand", 1, 1),
        ("Lefèvre", 2, 2),
    ]
    assert "vous devez 120,00 €" in pages[0].extract_text()
    assert "Madame Lefèvre, page 2" in pages[2].extract_text()
