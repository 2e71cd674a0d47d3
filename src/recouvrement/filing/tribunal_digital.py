"""Tribunal Digital: the upload set of a request to a tribunal de commerce (or TAE).

The commercial courts' portal (tribunaldigital.fr, run by the greffes and Infogreffe)
takes the request for an injonction de payer online: the user logs in with a digital
identity, uploads the request, the bordereau and one PDF per exhibit, and pays the
registry fees online (french-law.md §5). It has no machine interface, so this channel
prepares exactly what is uploaded, checks each file, and writes a one-page French
checklist of the steps. The reference the portal gives is typed in afterwards.

Each file keeps the name and the bytes it has in the dossier (same SHA-256 as the
manifest): ``requete-injonction-de-payer.pdf``, ``bordereau-des-pieces.pdf``, and the
exhibits ``01-….pdf`` … numbered and titled as in the bordereau. A file over the
portal's size limit is reported, and a compressed copy (``…-compresse.pdf``: streams
compressed, images downsampled) is written beside it to upload instead.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from ..documents.text_pdf import text_pdf
from ..dossier.courts import CourtKind
from ..dossier.package import reproducible_zip
from ..messages import Message
from .channel import FiledDocument, Filing, FilingError
from .dossier_zip import DossierFile, DossierZip

NAME = "tribunal-digital"
PORTAL = "tribunaldigital.fr"
# The portal publishes no per-file limit that could be found (tribunaldigital.fr's
# injonction de payer page and Infogreffe's notices, searched on 2026-12-01; the only
# French court figure found is the RPVA's 4 Mo, Cass. 2e civ., 16 nov. 2017,
# n° 16-24.864, a lawyers' network, not this portal). 10 Mo is an assumption: the
# channel takes another limit (``max_file_size``) as soon as the portal states one.
MAX_FILE_SIZE = 10 * 1024 * 1024
CHECKLIST_NAME = "liste-de-depot-tribunal-digital.pdf"
IMAGE_MAX_SIDE = 1600  # pixels: about 190 dpi on an A4 page, still legible once printed
JPEG_QUALITY = 60
LINES_PER_PAGE = 48  # text_pdf's A4 page at 15 points a line


@dataclass(frozen=True)
class TribunalDigitalChannel:
    """Write the upload set to ``out`` (a folder, or a ``.zip`` file)."""

    out: Path
    max_file_size: int = MAX_FILE_SIZE
    name: str = NAME

    def file(self, dossier: DossierZip, day: date) -> Filing:
        _check_commercial(dossier)
        parts = [dossier.opening, dossier.pdf("bordereau"), *dossier.exhibits]
        entries: list[tuple[str, bytes]] = []
        documents: list[FiledDocument] = []
        messages: list[Message] = []
        compressed: dict[str, str] = {}
        for part in parts:
            problems = upload_problems(part.name, part.data, self.max_file_size)
            entries.append((part.name, part.data))
            documents.append(self._document(part.name, part.role, part.data, part))
            if problems:
                messages += problems
                copy_name, copy = self._compressed(part, messages)
                entries.append((copy_name, copy))
                documents.append(self._document(copy_name, "compressed_copy", copy, part))
                compressed[part.name] = copy_name
        checklist = text_pdf(*pages_of(checklist_lines(dossier, parts, compressed)))
        entries.append((CHECKLIST_NAME, checklist))
        documents.append(self._document(CHECKLIST_NAME, "checklist", checklist))
        self._write(entries, day)
        return Filing(
            channel=NAME,
            dossier_reference=dossier.reference,
            court=dossier.court.name,
            recipient_address=PORTAL,
            day=day,
            documents=tuple(documents),
            state="prepared",
            messages=tuple(messages),
        )

    def _document(self, name, role, data, part: DossierFile | None = None) -> FiledDocument:
        where = self.out if self.out.suffix != ".zip" else None
        return FiledDocument.of(
            name,
            role,
            data,
            title=part.title if part else "Liste des étapes du dépôt",
            exhibit=part.exhibit if part else None,
            path=str(where / name) if where else None,
        )

    def _compressed(self, part: DossierFile, messages: list[Message]) -> tuple[str, bytes]:
        copy = compress_pdf(part.data)
        name = part.name.removesuffix(".pdf") + "-compresse.pdf"
        if len(copy) > self.max_file_size:
            messages.append(
                Message.build(
                    "upload_still_too_large",
                    "{name} : même compressée ({size}), la pièce dépasse la limite de "
                    "{limit} du portail ; scindez-la en plusieurs fichiers, ou déposez le "
                    "dossier par lettre recommandée au greffe.",
                    name=name,
                    size=megabytes(len(copy)),
                    limit=megabytes(self.max_file_size),
                )
            )
        return name, copy

    def _write(self, entries: list[tuple[str, bytes]], day: date) -> None:
        if self.out.suffix == ".zip":
            data = reproducible_zip(entries, day)
            _refuse_different(self.out, data)
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self.out.write_bytes(data)
            return
        for name, data in entries:
            _refuse_different(self.out / name, data)
        self.out.mkdir(parents=True, exist_ok=True)
        for name, data in entries:
            (self.out / name).write_bytes(data)


def _check_commercial(dossier: DossierZip) -> None:
    if dossier.procedure != "injonction_de_payer" or dossier.court is None:
        raise FilingError(
            Message.build(
                "portal_not_for_procedure",
                "Tribunal Digital ne reçoit ici que les requêtes en injonction de payer ; "
                "le dossier {reference} est une autre procédure ({procedure}).",
                reference=dossier.reference,
                procedure=dossier.procedure,
            )
        )
    if dossier.court.kind is not CourtKind.COMMERCE:
        raise FilingError(
            Message.build(
                "portal_not_for_court",
                "Tribunal Digital ne sert que les tribunaux de commerce et des activités "
                "économiques ; le dossier {reference} va au {court} : déposez-le par lettre "
                "recommandée au greffe (--channel registered-letter).",
                reference=dossier.reference,
                court=dossier.court.name,
            )
        )


def _refuse_different(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() != data:
        raise FilingError(
            Message.build(
                "upload_set_exists",
                "{path} existe déjà avec un autre contenu : choisissez un autre --out.",
                path=str(path),
            )
        )


def megabytes(size: int) -> str:
    """A size as the portal's users read it.

    >>> megabytes(10 * 1024 * 1024), megabytes(1_572_864)
    ('10,0 Mo', '1,5 Mo')
    """
    return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")


def upload_problems(name: str, data: bytes, limit: int = MAX_FILE_SIZE) -> list[Message]:
    """What the portal would refuse in one file: not a PDF, unreadable, too large."""
    if not data.startswith(b"%PDF-"):
        return [Message.build("upload_not_pdf", "{name} : ce fichier n'est pas un PDF.", name=name)]
    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except (PyPdfError, ValueError) as error:
        return [
            Message.build(
                "upload_unreadable", "{name} : PDF illisible ({error}).", name=name, error=error
            )
        ]
    if pages == 0:
        return [Message.build("upload_no_page", "{name} : le PDF n'a aucune page.", name=name)]
    if len(data) > limit:
        return [
            Message.build(
                "upload_too_large",
                "{name} : {size}, au-delà de la limite de {limit} par fichier du portail ; "
                "une copie compressée est jointe, à déposer à sa place.",
                name=name,
                size=megabytes(len(data)),
                limit=megabytes(limit),
            )
        ]
    return []


def compress_pdf(data: bytes) -> bytes:
    """The same pages, lighter: images downsampled and re-encoded, streams compressed."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        for image in page.images:
            picture = image.image
            if picture.mode not in ("RGB", "L"):
                picture = picture.convert("RGB")
            picture.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
            image.replace(picture, quality=JPEG_QUALITY)
        page.compress_content_streams()
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def amount_fr(amount: str) -> str:
    """An amount of the manifest written for a French reader, with plain spaces.

    >>> amount_fr("9157.40")
    '9 157,40'
    """
    return f"{Decimal(amount):,.2f}".replace(",", " ").replace(".", ",")


def pages_of(lines: list[str], per_page: int = LINES_PER_PAGE) -> list[list[str]]:
    """The lines cut into pages (one page unless the dossier has very many exhibits)."""
    return [lines[start : start + per_page] for start in range(0, len(lines), per_page)]


def checklist_lines(dossier: DossierZip, parts, compressed: dict[str, str]) -> list[str]:
    """The one-page checklist of the upload, in French."""
    opening, bordereau, *exhibits = parts
    court = dossier.court.name

    def upload(part) -> str:
        if part.name in compressed:
            return f"{compressed[part.name]} (copie compressée de {part.name})"
        return part.name

    lines = [
        f"Dépôt sur Tribunal Digital – dossier {dossier.reference} (version {dossier.version})",
        f"Tribunal : {court}",
        "",
        f"1. Connectez-vous sur {PORTAL} avec l'identité numérique du signataire",
        f"   ({dossier.signatory}).",
        f"2. Choisissez « Injonction de payer » et le {court}.",
        f"3. Recopiez les parties et le montant de la requête ({amount_fr(dossier.total)} €).",
        f"4. Téléversez la requête : {upload(opening)}",
        f"5. Téléversez le bordereau des pièces : {upload(bordereau)}",
        "6. Téléversez les pièces, une par fichier, dans l'ordre du bordereau :",
        *(f"   Pièce n° {part.exhibit} : {upload(part)}" for part in exhibits),
        "7. Vérifiez le récapitulatif, validez et payez en ligne les frais de greffe.",
        "8. Notez la référence du dépôt donnée par le portail et téléchargez l'accusé",
        "   de dépôt : saisissez la référence dans le dépôt du dossier (Odoo : Déposer).",
        "",
        "Chaque fichier est celui du dossier, à l'octet près : son SHA-256 figure dans",
        "manifest.xml (sauf les copies compressées, qui remplacent un fichier trop lourd).",
    ]
    return lines
