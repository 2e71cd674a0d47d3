"""Letters converted together as one LibreOffice document, cut back per letter (real offices).

Each letter's PDF from a batch must have the same pages, with the same text, as the
letter converted alone.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from PIL import Image
from pypdf import PdfReader

from recouvrement.documents import docx_batch
from recouvrement.documents.mentions import KINDS
from recouvrement.documents.pdf import ConversionError, ConversionTimeout, PdfConverter
from recouvrement.documents.pdf_pool import PdfConverterPool, convert_batch
from recouvrement.documents.rendering import render_letter

from .conftest_letters import MOVEMENTS, context_for
from .test_pdf import page_texts, requires_office

PAGE_FIELDS = (
    '<w:p {}><w:r><w:t xml:space="preserve">page </w:t></w:r>'
    '<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
    '<w:r><w:t xml:space="preserve"> / </w:t></w:r>'
    '<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p>'
)


def real_letters() -> list[bytes]:
    """Every bundled template in B2B and B2C, and a statement long enough for 3 pages."""
    letters = [
        render_letter(kind, context_for(kind, regime))
        for kind in KINDS
        for regime in ("b2b", "b2c")
    ]
    long_statement = context_for("releve_de_compte")
    long_statement["movements"] = MOVEMENTS * 20
    letters.append(render_letter("releve_de_compte", long_statement))
    return letters


def letterhead_docx(name: str, pages: int) -> bytes:
    """A letter whose first page has its own header (with a logo), the others another one."""
    document = Document()
    section = document.sections[0]
    section.different_first_page_header_footer = True
    first = section.first_page_header.paragraphs[0]
    first.text = f"En-tête de première page de {name}"
    logo = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(logo, "PNG")
    first.add_run().add_picture(logo)
    section.header.paragraphs[0].text = f"Suite de la lettre à {name}"
    for footer in (section.first_page_footer, section.footer):
        footer._element.remove(footer.paragraphs[0]._element)
        footer._element.append(parse_xml(PAGE_FIELDS.format(nsdecls("w"))))
    for number in range(pages):
        document.add_paragraph(f"{name}, page {number + 1} du corps")
        if number < pages - 1:
            document.add_page_break()
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def images_per_page(pdf: bytes) -> list[int]:
    """How many images each page draws (its resources may list more)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return [page.get_contents().get_data().count(b" Do") for page in pages]


def convert_merged(converter, documents):
    merged = docx_batch.merge([docx_batch.Letter.parse(docx) for docx in documents])
    return converter.convert_merged(
        merged, [docx_batch.end_bookmark(number) for number in range(len(documents))]
    )


@pytest.fixture(scope="module")
def letters() -> list[bytes]:
    return real_letters()


@pytest.fixture(scope="module")
def alone(converter, letters) -> list[bytes]:
    return [converter.convert(docx) for docx in letters]


def test_the_bundled_letters_can_all_be_merged_together(letters):
    assert len({docx_batch.Letter.parse(docx).key for docx in letters}) == 1


@requires_office
def test_each_letter_of_a_merged_document_is_its_letter_alone(converter, letters, alone):
    merged = convert_merged(converter, letters)

    ranges = docx_batch.page_ranges(merged.pdf, len(letters))
    pdfs = docx_batch.split(merged.pdf, ranges)

    assert merged.broken_keeps == []
    assert len(PdfReader(io.BytesIO(merged.pdf)).pages) > ranges[-1].stop  # a closing page
    assert [page_texts(pdf) for pdf in pdfs] == [page_texts(pdf) for pdf in alone]
    pages = [len(page_texts(pdf)) for pdf in pdfs]
    assert min(pages) == 2
    assert max(pages) >= 3
    assert "page 2 / 2" in page_texts(pdfs[KINDS.index("mise_en_demeure") * 2])[1]


@requires_office
def test_a_letter_laid_out_differently_in_the_batch_is_caught(converter, letters, alone):
    """After the B2B courtoise, LibreOffice 7.4 breaks the keep-with-next chain of the
    B2C relance ferme's closing (« Veuillez agréer » stays on page 1, the signature goes
    to page 2), which it keeps whole alone: the office reports the page, the letter is
    converted alone."""
    pair = [letters[0], letters[3]]
    merged = convert_merged(converter, pair)
    ranges = docx_batch.page_ranges(merged.pdf, 2)
    batch = docx_batch.split(merged.pdf, ranges)

    assert merged.broken_keeps == [1]
    assert page_texts(batch[1]) != page_texts(alone[3])
    assert [page_texts(pdf) for pdf in convert_batch(converter, pair)] == [
        page_texts(alone[0]),
        page_texts(alone[3]),
    ]


@requires_office
def test_convert_batch_keeps_order_and_exact_pages(converter, letters, alone):
    order = [*reversed(letters), letters[0]]

    pdfs = convert_batch(converter, order)

    assert [page_texts(pdf) for pdf in pdfs] == [
        page_texts(pdf) for pdf in [*reversed(alone), alone[0]]
    ]


@requires_office
def test_first_page_letterhead_logo_and_page_numbers_survive(converter):
    documents = [
        letterhead_docx(name, pages)
        for name, pages in (("Dupont", 2), ("Martin", 1), ("Durand", 3))
    ]
    alone = [converter.convert(docx) for docx in documents]

    pdfs = convert_batch(converter, documents)

    assert [page_texts(pdf) for pdf in pdfs] == [page_texts(pdf) for pdf in alone]
    assert page_texts(pdfs[2]) == [
        "En-tête de première page de Durand Durand, page 1 du corps page 1 / 3",
        "Suite de la lettre à Durand Durand, page 2 du corps page 2 / 3",
        "Suite de la lettre à Durand Durand, page 3 du corps page 3 / 3",
    ]
    assert [images_per_page(pdf) for pdf in pdfs] == [[1, 0], [1], [1, 0, 0]]


@requires_office
def test_a_broken_letter_fails_alone_in_its_batch(converter, letters, alone):
    truncated = letters[1][: len(letters[1]) // 2]
    batch = [letters[0], b"pas un DOCX", letters[2], truncated, letters[3]]

    results = convert_batch(converter, batch)

    assert [page_texts(results[i]) for i in (0, 2, 4)] == [page_texts(alone[i]) for i in (0, 2, 3)]
    assert isinstance(results[1], ConversionError)
    assert isinstance(results[3], ConversionError)


@requires_office
def test_a_batch_past_the_timeout_is_converted_again_one_by_one(letters):
    """One letter takes ~0.1-0.3 s, the batch of 104 at least ~4 s even on an idle machine
    (~40 ms a letter batched): past the 1.5 s timeout of one document the batch is dropped
    and each letter converted alone, in time."""
    batch = letters * 8
    with PdfConverter(timeout=1.5) as converter:
        with pytest.raises(ConversionTimeout):
            convert_merged(converter, batch)

        pdfs = convert_batch(converter, batch)

    assert all(isinstance(pdf, bytes) for pdf in pdfs)
    assert [len(page_texts(pdf)) for pdf in pdfs[:13]] == [
        len(page_texts(pdf)) for pdf in pdfs[13:26]
    ]


@requires_office
def test_pool_batches_keep_the_contract(letters, alone):
    documents = [letters[0], b"pas un DOCX", *letters[1:4]]
    with PdfConverterPool(2, batch_size=2) as pool:
        results = pool.convert_many(iter(documents), return_exceptions=True)
        with pytest.raises(ConversionError, match="not a readable DOCX"):
            pool.convert_many(documents)

    assert isinstance(results[1], ConversionError)
    assert [page_texts(pdf) for pdf in results[:1] + results[2:]] == [
        page_texts(pdf) for pdf in alone[:4]
    ]


SECTION_BREAK = '<w:p><w:pPr><w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:pPr></w:p>'


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("</w:t></w:r>", '</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>', "footnotes"),
        (
            "<w:body>",
            '<w:body><w:p><w:fldSimple w:instr=" TOC \\o &quot;1-3&quot; "/></w:p>',
            "a TOC field",
        ),
        ("<w:body>", f"<w:body>{SECTION_BREAK}", "more than one section"),
        (
            "<w:body>",
            "<w:body><w:p><w:r><w:instrText> REF intro </w:instrText></w:r></w:p>",
            "a REF field",
        ),
    ],
)
def test_letters_that_cannot_be_merged_exactly_are_refused(letters, old, new, reason):
    source = zipfile.ZipFile(io.BytesIO(letters[0]))
    document = source.read("word/document.xml").decode().replace(old, new, 1)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for name in source.namelist():
            target.writestr(name, document if name == "word/document.xml" else source.read(name))

    with pytest.raises(docx_batch.NotBatchable, match=reason):
        docx_batch.Letter.parse(output.getvalue())


def test_a_letter_with_a_comments_part_is_refused(make_docx):
    source = zipfile.ZipFile(io.BytesIO(make_docx("Bonjour")))
    rels = source.read("word/_rels/document.xml.rels").decode()
    comment = (
        '<Relationship Id="rId99" Target="comments.xml" Type="http://schemas.openxmlformats.org'
        '/officeDocument/2006/relationships/comments"/></Relationships>'
    )
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/_rels/document.xml.rels":
                data = rels.replace("</Relationships>", comment)
            target.writestr(name, data)
        target.writestr("word/comments.xml", "<w:comments/>")

    with pytest.raises(docx_batch.NotBatchable, match="a comments part"):
        docx_batch.Letter.parse(output.getvalue())
