"""The registered letter to the registry: the tribunal judiciaire, or any court filed by post.

CPC 1407: the request is « remise ou adressée » to the registry; outside the commercial
courts' portal (and the channels reserved to lawyers and commissaires de justice), a
creditor sends it by post, and a registered letter with acknowledgment of receipt proves
when it left and when the registry received it (french-law.md §5).

The letter holds a cover letter, the request signed (the signatory's image stamped on its
« Signature : » place, or the user's signed scan), the bordereau and the exhibits in the
bordereau's order. It goes to the registry's address from the court list when that
address is verified; otherwise only to an address the caller confirms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..delivery.providers import RegisteredLetterProvider
from ..documents.filters import de
from ..messages import Message
from ..postal_address import Party
from .channel import Filing, FilingError
from .dossier_zip import DossierZip
from .postal import exhibits_phrase, post_to_court, registry_party
from .signature import signed_request

NAME = "registered-letter"


@dataclass(frozen=True)
class RegistryLetterChannel:
    client: RegisteredLetterProvider
    signature_image: bytes | None = None
    signed_scan: bytes | None = None
    court_address: Party | None = None  # a confirmed address, for an unverified court
    name: str = NAME

    def file(self, dossier: DossierZip, day: date) -> Filing:
        if dossier.procedure != "injonction_de_payer":
            raise FilingError(
                Message.build(
                    "registry_not_for_procedure",
                    "Le dossier {reference} n'est pas une requête en injonction de payer : "
                    "une PSRPC va à un commissaire de justice (--channel commissaire), une "
                    "injonction européenne à sa juridiction (--channel european-order).",
                    reference=dossier.reference,
                )
            )
        recipient = registry_party(dossier.court, self.court_address)
        request, _ = signed_request(
            dossier.opening.data,
            dossier.signatory,
            signature_image=self.signature_image,
            signed_scan=self.signed_scan,
        )
        body = [
            "Madame, Monsieur le Greffier,",
            "Conformément à l'article 1407 du code de procédure civile, je vous adresse la "
            f"requête en injonction de payer {de(dossier.creditor.name)} contre "
            f"{dossier.debtor.name}, signée, avec le bordereau des pièces et "
            f"{exhibits_phrase(dossier)}, dans cet ordre. Je vous remercie de bien vouloir la "
            "présenter au juge et de m'indiquer, le cas échéant, les frais de greffe dus.",
            "Veuillez agréer, Madame, Monsieur le Greffier, mes salutations distinguées.",
        ]
        return post_to_court(
            self.client,
            dossier,
            recipient,
            day,
            court_name=dossier.court.name,
            signed_opening=request,
            cover_body=body,
            cover_name="lettre-au-greffe.pdf",
            with_decompte=False,
            channel=NAME,
        )
