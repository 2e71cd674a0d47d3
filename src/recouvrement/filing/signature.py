"""The signed request: a signature image stamped on its signature place, or a signed scan.

A request filed on paper must be signed (CPC 1407: the request carries the date and the
signature). The dossier's request ends with « Signature : » under the signatory's name;
:func:`stamp_signature` draws the signatory's image just below it, on that page.
:func:`signed_request` picks the user's signed scan when given, else the stamp, and
refuses without either, saying what to provide.
"""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PyPdfError

from ..messages import Message
from .channel import FilingError

SIGNATURE_PLACE = "Signature :"
BOX_WIDTH, BOX_HEIGHT = 170.0, 60.0  # points: the room under « Signature : »
GAP = 6.0  # points between the label's baseline and the image's top


def signed_request(
    request_pdf: bytes,
    signatory: str,
    *,
    signature_image: bytes | None = None,
    signed_scan: bytes | None = None,
) -> tuple[bytes, str]:
    """The request to file and how it was signed (``scan`` or ``image``)."""
    if signed_scan is not None:
        _check_pdf(signed_scan, "la requête signée")
        return signed_scan, "scan"
    if signature_image is not None:
        return stamp_signature(request_pdf, signature_image), "image"
    raise FilingError(
        Message.build(
            "request_unsigned",
            "La requête doit être signée pour être déposée : fournissez l'image de la "
            "signature de {signatory} ou le PDF de la requête signée et scannée.",
            signatory=signatory,
        )
    )


def stamp_signature(pdf: bytes, image: bytes) -> bytes:
    """``pdf`` with ``image`` drawn under its last « Signature : »."""
    reader = PdfReader(io.BytesIO(pdf))
    place = _signature_place(reader)
    if place is None:
        raise FilingError(
            Message.build(
                "signature_place_missing",
                "La requête n'a pas d'emplacement « {label} » où apposer la signature : "
                "fournissez la requête signée et scannée.",
                label=SIGNATURE_PLACE,
            )
        )
    page_number, x, y = place
    stamp = _image_page(image)
    width, height = float(stamp.mediabox.width), float(stamp.mediabox.height)
    scale = min(BOX_WIDTH / width, BOX_HEIGHT / height)
    top = y - GAP
    writer = PdfWriter(clone_from=reader)
    writer.pages[page_number].merge_transformed_page(
        stamp, Transformation().scale(scale).translate(x, top - height * scale)
    )
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _signature_place(reader: PdfReader) -> tuple[int, float, float] | None:
    """Page index and position of the last « Signature : » label of the document.

    The label may come in several pieces of text (a PDF cut from a batch of letters
    shows its text in other runs than the same letter converted alone): the pieces on
    one baseline are joined before the label is looked for.
    """
    found = None
    for index, page in enumerate(reader.pages):
        pieces = []

        def visit(text, cm, tm, font, size, pieces=pieces):
            if text:
                matrix = _multiply(tm, cm)
                pieces.append((text, matrix[4], matrix[5]))

        page.extract_text(visitor_text=visit)
        hit = _last_label_position(pieces)
        if hit:
            found = (index, *hit)
    return found


def _last_label_position(pieces):
    """``(x, y)`` of the piece where the last label of the page starts, or None."""
    hit = None
    lines = {}
    for text, x, y in pieces:
        lines.setdefault(round(y, 1), []).append((text, x))
    for y, line in lines.items():
        joined, starts = "", []
        for text, x in line:
            starts.append((len(joined), x))
            joined += text
        position = joined.rfind(SIGNATURE_PLACE)
        if position >= 0:
            x = next(x for start, x in reversed(starts) if start <= position)
            hit = (x, y)
    return hit


def _multiply(a, b):
    """The product of two PDF matrices [a b c d e f] (text matrix × current matrix)."""
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def _image_page(data: bytes):
    """A one-page PDF of the image (transparency flattened on white), its page."""
    try:
        picture = Image.open(io.BytesIO(data))
        picture.load()
    except (UnidentifiedImageError, OSError):
        raise FilingError(
            Message.build(
                "signature_not_image",
                "L'image de la signature est illisible : fournissez un PNG ou un JPEG.",
            )
        ) from None
    if picture.mode in ("RGBA", "LA", "P"):
        picture = picture.convert("RGBA")
        white = Image.new("RGB", picture.size, "white")
        white.paste(picture, mask=picture.split()[-1])
        picture = white
    elif picture.mode != "RGB":
        picture = picture.convert("RGB")
    output = io.BytesIO()
    picture.save(output, "PDF", resolution=150.0)
    return PdfReader(io.BytesIO(output.getvalue())).pages[0]


def _check_pdf(data: bytes, what: str) -> None:
    try:
        if not data.startswith(b"%PDF-") or not PdfReader(io.BytesIO(data)).pages:
            raise ValueError
    except (PyPdfError, ValueError):
        raise FilingError(
            Message.build("not_a_pdf", "{what} n'est pas un PDF lisible.", what=what.capitalize())
        ) from None
