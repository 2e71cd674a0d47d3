"""Tiny real PDFs of plain text: A4 pages in Helvetica, a few hundred bytes each.

For the stand-in providers' proofs and the tests' exhibits: enough for a reader to open
and for pypdf to extract the text, without a PDF library the engine does not need.
"""

from __future__ import annotations


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def text_pdf(*pages: list[str]) -> bytes:
    """A PDF with one page per list of lines (WinAnsi text: accents and € work)."""
    objects: list[bytes] = []
    kids = []
    font = 3 + 2 * len(pages)
    for index, lines in enumerate(pages):
        page, content = 3 + 2 * index, 4 + 2 * index
        kids.append(f"{page} 0 R".encode())
        stream = b"BT /F1 11 Tf 56 780 Td 15 TL\n"
        stream += b"".join(b"(" + _escape(line) + b") '\n" for line in lines) + b"ET"
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content, font)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    head = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % len(pages),
    ]
    objects = head + objects
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
