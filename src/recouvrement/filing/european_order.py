"""The European order for payment: form A and its annexes, by registered letter to the court.

Regulation (EC) n° 1896/2006, art. 7: the application is made on form A, signed (art.
7(6)), « in paper form or by any other means of communication, including electronic,
accepted by the Member State of origin and available to the court of origin ». The
dossier's form A copy (``demande-injonction-de-payer-europeenne.pdf``, filled from the
records) goes with the décompte, the bordereau and the exhibits, merged in that order,
by registered letter to the competent court. The dossier names no court for a European
order (jurisdiction follows Regulation 1215/2012: the defendant's domicile, or the place
of performance…), so the caller gives the court's address; the provider refuses a
country it does not post to (Maileva: France, Monaco, Andorra and the overseas
départements).
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
from .postal import exhibits_phrase, post_to_court
from .signature import signed_request

NAME = "european-order"


@dataclass(frozen=True)
class EuropeanOrderChannel:
    client: RegisteredLetterProvider
    court_address: Party | None  # the competent court, as the caller confirms it
    signature_image: bytes | None = None
    signed_scan: bytes | None = None
    name: str = NAME

    def file(self, dossier: DossierZip, day: date) -> Filing:
        if dossier.procedure != "injonction_europeenne":
            raise FilingError(
                Message.build(
                    "not_a_european_order",
                    "Le dossier {reference} n'est pas une demande d'injonction de payer "
                    "européenne (formulaire A).",
                    reference=dossier.reference,
                )
            )
        if self.court_address is None:
            raise FilingError(
                Message.build(
                    "european_court_missing",
                    "Une injonction de payer européenne va à la juridiction compétente "
                    "(règlement (UE) n° 1215/2012), que le dossier ne nomme pas : donnez son "
                    "adresse.",
                )
            )
        form, _ = signed_request(
            dossier.opening.data,
            dossier.signatory,
            signature_image=self.signature_image,
            signed_scan=self.signed_scan,
        )
        body = [
            "Madame, Monsieur,",
            "Conformément à l'article 7 du règlement (CE) n° 1896/2006, je vous adresse la "
            f"demande d'injonction de payer européenne {de(dossier.creditor.name)} contre "
            f"{dossier.debtor.name} (formulaire A), signée, avec le décompte, le bordereau "
            f"des pièces et {exhibits_phrase(dossier)}, dans cet ordre.",
            "Veuillez agréer, Madame, Monsieur, mes salutations distinguées.",
        ]
        return post_to_court(
            self.client,
            dossier,
            self.court_address,
            day,
            court_name=self.court_address.name,
            signed_opening=form,
            cover_body=body,
            cover_name="lettre-a-la-juridiction.pdf",
            with_decompte=True,
            channel=NAME,
        )
