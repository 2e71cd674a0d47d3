"""The commissaire de justice: a PSRPC request, or an order to serve, with its dossier.

A PSRPC (CPCE L125-1, R125-1 ff.) starts with the creditor's request to a commissaire de
justice, who then invites the debtor to agree; an injonction de payer, once ordered, is
served by a commissaire de justice (CPC 1411). Either way the commissaire receives the
dossier: by qualified electronic registered letter (LRE, eIDAS, through AR24: a
commissaire is a professional, no prior consent is needed, CPCE L100) to the commissaire
chosen, or handed over as the ZIP itself (written to ``out``, its SHA-256 recorded).

The letter holds a cover letter, the order to serve when given (the court's ordonnance,
a PDF), the opening document (signed when an image or a signed scan is given), the
décompte, the bordereau and the exhibits, merged in that order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..delivery import Recipient
from ..delivery.providers import RegisteredLetterProvider
from ..messages import Message
from ..postal_address import Party
from .channel import FiledDocument, Filing, FilingError
from .dossier_zip import DossierZip
from .postal import Part, cover_letter, dossier_parts, exhibits_phrase, send_registered
from .signature import signed_request

NAME = "commissaire"


@dataclass(frozen=True)
class Commissaire:
    """The commissaire de justice chosen: « Maître … », an e-mail for the LRE, an address."""

    name: str
    email: str | None
    address: Party

    @classmethod
    def from_mapping(cls, data: Mapping) -> Commissaire:
        """COMMISSAIRE.json: ``name``, ``email``, and the address keys of a party."""
        if not isinstance(data, Mapping) or not str(data.get("name") or "").strip():
            raise FilingError(
                Message.build(
                    "commissaire_missing",
                    "Commissaire de justice : « name » manque (nom, e-mail, adresse).",
                )
            )
        party = Party.from_mapping(data)
        return cls(party.name, (data.get("email") or "").strip() or None, party)


@dataclass(frozen=True)
class CommissaireChannel:
    """Send the dossier to ``commissaire`` by LRE through ``client`` (AR24), or, without a
    client, hand it over as the ZIP written to ``out``."""

    commissaire: Commissaire
    client: RegisteredLetterProvider | None = None
    out: Path | None = None
    order_pdf: bytes | None = None  # the ordonnance to serve
    signature_image: bytes | None = None
    signed_scan: bytes | None = None
    name: str = NAME

    def file(self, dossier: DossierZip, day: date) -> Filing:
        if self.client is None:
            return self._hand_over(dossier, day)
        if not self.commissaire.email:
            raise FilingError(
                Message.build(
                    "commissaire_email_missing",
                    "Commissaire de justice {name} : « email » manque pour la lettre "
                    "recommandée électronique ; ou remettez-lui le ZIP (--out).",
                    name=self.commissaire.name,
                )
            )
        opening = dossier.opening.data
        if self.signature_image is not None or self.signed_scan is not None:
            opening, _ = signed_request(
                opening,
                dossier.signatory,
                signature_image=self.signature_image,
                signed_scan=self.signed_scan,
            )
        party = self.commissaire.address
        cover = cover_letter(
            dossier, party, day, self._body(dossier), "Lettre recommandée électronique"
        )
        parts = [
            Part("Lettre d'accompagnement", "cover_letter", "lettre-au-commissaire.pdf", cover)
        ]
        if self.order_pdf is not None:
            parts.append(Part("Ordonnance à signifier", "order", "ordonnance.pdf", self.order_pdf))
        parts += dossier_parts(dossier, opening, with_decompte=True)
        recipient = Recipient(party=party, email=self.commissaire.email, is_consumer=False)
        return send_registered(
            self.client,
            dossier,
            recipient,
            parts,
            channel=NAME,
            court=self.commissaire.name,
            day=day,
            subject="Dossier pour le commissaire de justice",
        )

    def _body(self, dossier: DossierZip) -> list[str]:
        what = (
            "ma demande de procédure simplifiée de recouvrement des petites créances"
            if dossier.procedure == "psrpc"
            else "l'ordonnance portant injonction de payer, pour signification"
            if self.order_pdf is not None
            else "le dossier de ma demande"
        )
        return [
            f"{self.commissaire.name},",
            f"Je vous adresse {what} contre {dossier.debtor.name}, avec le décompte, le "
            f"bordereau des pièces et {exhibits_phrase(dossier)}.",
            "Veuillez agréer, Maître, mes salutations distinguées.",
        ]

    def _hand_over(self, dossier: DossierZip, day: date) -> Filing:
        if self.out is None:
            raise FilingError(
                Message.build(
                    "commissaire_channel_missing",
                    "Commissaire de justice : choisissez l'envoi par lettre recommandée "
                    "électronique (--provider ar24) ou la remise du ZIP (--out FICHIER.zip).",
                )
            )
        out = self.out
        if out.exists() and out.read_bytes() != dossier.zip_data:
            raise FilingError(
                Message.build(
                    "handover_exists",
                    "{path} existe déjà avec un autre contenu : choisissez un autre --out.",
                    path=str(out),
                )
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(dossier.zip_data)
        document = FiledDocument.of(
            out.name, "dossier_zip", dossier.zip_data, title="Dossier (ZIP)", path=str(out)
        )
        return Filing(
            channel=NAME,
            dossier_reference=dossier.reference,
            court=self.commissaire.name,
            day=day,
            documents=(document,),
            state="handed_over",
        )
