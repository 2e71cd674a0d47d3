"""A dossier ZIP as the channels read it: verified first, then described by its manifest.

:func:`read_dossier` runs :func:`recouvrement.dossier.verify` (every hash and size
against ``manifest.xml``) and refuses a dossier with any problem: only the exact export
is filed. It then gives the manifest's reference, procedure, court, creditor, signatory
and files (in the manifest's order: the opening document, the décompte, the bordereau,
the exhibits by number, the merged PDF), each with its bytes.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..dossier.courts import Court, CourtKind
from ..dossier.manifest import MANIFEST_NAME, ns
from ..dossier.verify import verify
from ..errors import RecouvrementError
from ..messages import Message
from ..postal_address import Party

OPENING_ROLES = ("request", "psrpc_request", "european_form")


class DossierUnreadable(RecouvrementError):
    """The ZIP is missing, is not a dossier, or differs from its manifest."""

    code = "dossier_unreadable"


@dataclass(frozen=True)
class DossierFile:
    path: str
    role: str
    title: str
    media_type: str
    sha256: str
    data: bytes = field(repr=False)
    exhibit: int | None = None

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class DossierZip:
    """The verified dossier: what its manifest says, and its files."""

    name: str  # the ZIP's file name
    reference: str
    version: int
    procedure: str  # injonction_de_payer, psrpc, injonction_europeenne
    court: Court | None
    creditor: Party
    debtor: Party
    signatory: str
    total: str  # the amount claimed, « 9157.40 »
    files: tuple[DossierFile, ...]
    zip_data: bytes = field(repr=False)

    def pdf(self, role: str) -> DossierFile | None:
        """The PDF of a document role (``request``, ``bordereau``, …), if the dossier has it."""
        return next(
            (f for f in self.files if f.role == role and f.media_type == "application/pdf"), None
        )

    @property
    def opening(self) -> DossierFile:
        """The document that opens the procedure: the request, the PSRPC letter or form A."""
        return next(item for role in OPENING_ROLES if (item := self.pdf(role)) is not None)

    @property
    def exhibits(self) -> tuple[DossierFile, ...]:
        return tuple(sorted((f for f in self.files if f.role == "exhibit"), key=_number))


def _number(item: DossierFile) -> int:
    return item.exhibit or 0


def read_dossier(source: Path | str | bytes) -> DossierZip:
    """The dossier at ``source`` (a path, or the ZIP's bytes as the Odoo addon stores
    them), refused with every problem when it is not intact."""
    if isinstance(source, bytes):
        data, label = source, "dossier.zip"
    else:
        path = Path(source)
        if not path.is_file():
            raise DossierUnreadable(
                Message.build("dossier_missing", "Dossier « {path} » introuvable.", path=str(path))
            )
        data, label = path.read_bytes(), str(path)
    problems = verify(io.BytesIO(data))
    if problems:
        raise DossierUnreadable(
            Message.build(
                "dossier_not_intact",
                "Dossier « {path} » refusé : il ne correspond plus à son manifeste ({problems}) ; "
                "déposez l'export tel que « recouvrement dossier » l'a écrit.",
                path=label,
                problems=" ; ".join(problems),
            )
        )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read(MANIFEST_NAME))
        files = tuple(_file(entry, archive) for entry in root.iter(ns("file")))
    return DossierZip(
        name=Path(label).name,
        reference=root.get("reference"),
        version=int(root.get("version")),
        procedure=root.find(ns("procedure")).get("code"),
        court=_court(root.find(ns("court"))),
        creditor=_party(root.find(ns("creditor"))),
        debtor=_party(root.find(ns("debtor"))),
        signatory=root.findtext(f"{ns('signatory')}/{ns('name')}"),
        total=root.findtext(f"{ns('amounts')}/{ns('total')}"),
        files=files,
        zip_data=data,
    )


def _file(entry, archive: zipfile.ZipFile) -> DossierFile:
    exhibit = entry.get("exhibit")
    return DossierFile(
        path=entry.get("path"),
        role=entry.get("role"),
        title=entry.findtext(ns("title")) or "",
        media_type=entry.get("mediaType"),
        sha256=entry.get("sha256"),
        data=archive.read(entry.get("path")),
        exhibit=int(exhibit) if exhibit else None,
    )


def _court(element) -> Court | None:
    """The manifest's court; its address line « street, zip city » split back."""
    if element is None:
        return None
    street, zip_code, city = _split_address(element.findtext(ns("address")) or "")
    return Court(
        CourtKind(element.get("kind")),
        element.findtext(ns("name")),
        street,
        zip_code,
        city,
        element.findtext(ns("source")) or "",
        element.findtext(ns("matched")) or "",
    )


def _split_address(line: str) -> tuple[str, str, str]:
    """``Court.address_line`` back into its parts.

    >>> _split_address("1 rue de la Patinoire, 91000 Évry")
    ('1 rue de la Patinoire', '91000', 'Évry')
    >>> _split_address("")
    ('', '', '')
    """
    street, _, town = line.rpartition(", ")
    zip_code, _, city = town.partition(" ")
    if not (zip_code.isdigit() and len(zip_code) == 5):
        return "", "", ""
    return street, zip_code, city


def _party(element) -> Party:
    address = element.find(ns("address"))
    return Party(
        name=element.findtext(ns("name")),
        street=address.findtext(ns("street")),
        street2=address.findtext(ns("street2")) or None,
        zip=address.findtext(ns("zip")),
        city=address.findtext(ns("city")),
    )
