"""Several LibreOffice processes converting one batch together (real offices, no mocks)."""

from __future__ import annotations

import pytest

from recouvrement.documents.pdf import ConversionError
from recouvrement.documents.pdf_pool import PdfConverterPool, default_size

from .test_pdf import page_texts, process_exists, requires_office

DEBTORS = [f"Débiteur n° {number} « SARL Exemple {number} »" for number in range(1, 9)]


@requires_office
def test_pool_converts_in_order_on_two_offices(make_docx):
    with PdfConverterPool(2, batch_size=3) as pool:
        pdfs = pool.convert_many(make_docx(name) for name in DEBTORS)
        offices = pool.office_pids

        assert [page_texts(pdf) for pdf in pdfs] == [[name] for name in DEBTORS]
        assert len(set(offices)) == 2
    assert not any(process_exists(pid) for pid in offices)


@requires_office
def test_pool_failure_names_the_document_and_pool_goes_on(make_docx):
    with PdfConverterPool(2) as pool:
        with pytest.raises(ConversionError, match="not a readable DOCX"):
            pool.convert_many([make_docx("Premier"), b"pas un DOCX", make_docx("Dernier")])

        assert [page_texts(pdf) for pdf in pool.convert_many([make_docx("Après")])] == [["Après"]]


@requires_office
def test_pool_returns_each_failure_in_place(make_docx):
    with PdfConverterPool(2) as pool:
        results = pool.convert_many(
            [make_docx("Premier"), b"pas un DOCX", make_docx("Dernier")], return_exceptions=True
        )

    assert page_texts(results[0]) == ["Premier"]
    assert isinstance(results[1], ConversionError)
    assert "not a readable DOCX" in str(results[1])
    assert page_texts(results[2]) == ["Dernier"]


def test_default_size_from_environment(monkeypatch):
    monkeypatch.setenv("RECOUVREMENT_CONVERTERS", "3")
    assert default_size() == 3
    monkeypatch.setenv("RECOUVREMENT_CONVERTERS", "zero")
    with pytest.raises(ValueError, match="RECOUVREMENT_CONVERTERS must be a whole number"):
        default_size()
    monkeypatch.delenv("RECOUVREMENT_CONVERTERS")
    assert 1 <= default_size() <= 4
