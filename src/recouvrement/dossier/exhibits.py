"""The exhibits (pièces) of a dossier: gathered, ordered and numbered the same way every time.

The order follows the story of the claim, as a judge reads it (CPC 1407: the request lists
them in a numbered bordereau):

1. the general terms and conditions (CGV);
2. the contract, signed quote or purchase order;
3. delivery notes or other proof that the goods or services were supplied;
4. each invoice, in the debtor's ledger order;
5. each reminder, by date;
6. the mise en demeure, followed by its registered-letter proofs;
7. the statement of account;
8. the signatory's power of attorney, a representative's mandate;
9. any other document the user adds, with its title.

Within a rank, documents keep the order of the case file. Invoices, the CGV and proofs are
the user's PDF files, kept byte for byte. A reminder or the statement without a file is
rendered again from its template with the letter pipeline at its own date, then converted
by LibreOffice; the manifest says which exhibits were generated.

>>> slug("Facture n° FA-2026-0009 du 6 février 2026 (6 420,00 €)")
'facture-n-fa-2026-0009-du-6-fevrier-2026-6-420-00'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial

from ..claim import Invoice
from ..documents.filters import date_fr, euros
from ..documents.mentions import KINDS as LETTER_KINDS
from ..documents.rendering import render_letter
from ..law.rates import RateTable
from ..letters import build_letter_context
from ..messages import Message
from ..serialize import iso
from .case import Case, ExhibitFile
from .errors import CaseFileError

RANKS = {
    "cgv": 1,
    "contract": 2,
    "quote": 2,
    "order": 2,
    "delivery": 3,
    "invoice": 4,
    "reminder": 5,
    "formal_notice": 6,
    "registered_proof": 6,
    "statement": 7,
    "power_of_attorney": 8,
    "mandate": 8,
    "other": 9,
}
UNWRITTEN_STEPS = {"phone": "l'appel téléphonique"}
"""Reminder steps that leave no letter, named in French for the warnings."""
DEFAULT_TITLES = {
    "cgv": "Conditions générales de vente",
    "contract": "Contrat",
    "quote": "Devis accepté",
    "order": "Bon de commande",
    "delivery": "Bon de livraison",
    "statement": "Relevé de compte",
    "power_of_attorney": "Pouvoir donné au signataire par le représentant légal",
    "mandate": "Mandat donné au représentant du demandeur",
}
PROOF_TITLES = {
    "deposit": "Preuve de dépôt",
    "first_presentation": "Preuve de première présentation",
    "acknowledgment": "Avis de réception",
    "refusal": "Preuve du refus",
    "negligence": "Avis de non-réclamation",
    "undelivered_notice": "Avis de non-distribution",
}
"""The default title of a registered-letter proof, by what it proves (ProofKind)."""
LETTER_TITLES = {
    "relance_courtoise": "Relance",
    "relance_ferme": "Relance",
    "derniere_relance": "Dernière relance avant mise en demeure",
    "mise_en_demeure": "Mise en demeure",
    "releve_de_compte": "Relevé de compte",
    "relance_mandataire": "Relance",
}
REGISTERED_CHANNELS = ("registered_letter", "lre", "lrar")


@dataclass(frozen=True)
class Exhibit:
    """One numbered exhibit of the dossier."""

    number: int
    kind: str
    title: str
    file_name: str  # its path in the dossier: pieces/01-conditions-generales-de-vente.pdf
    pdf: bytes
    source: str  # "file" (the user's, unchanged) or "generated"
    origin: str  # the case file's path, or the template it was rendered from
    reference: str = ""  # the invoice number or the letter reference
    day: date | None = None
    proof: str = ""  # what a registered_proof proves (ProofKind value)


@dataclass
class PlannedExhibit:
    """An exhibit before numbering: the user's PDF, or how to render its DOCX."""

    sort_key: tuple
    kind: str
    title: str
    source: str
    origin: str
    reference: str = ""
    day: date | None = None
    proof: str = ""
    pdf: bytes | None = None
    render: Callable[[], bytes] | None = None  # renders the DOCX, to convert to PDF


def slug(title: str, limit: int = 60) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > limit:
        text = text[:limit].rsplit("-", 1)[0]
    return text or "piece"


def file_name(number: int, title: str, count: int) -> str:
    """``pieces/NN-title.pdf``, the number padded to the width of the last one."""
    width = max(2, len(str(count)))
    return f"pieces/{number:0{width}d}-{slug(title)}.pdf"


def number_exhibits(planned: list[PlannedExhibit], pdfs: list[bytes]) -> tuple[Exhibit, ...]:
    """Number the planned exhibits (already sorted) with their final PDFs."""
    count = len(planned)
    return tuple(
        Exhibit(
            number=number,
            kind=item.kind,
            title=item.title,
            file_name=file_name(number, item.title, count),
            pdf=pdf,
            source=item.source,
            origin=item.origin,
            reference=item.reference,
            day=item.day,
            proof=item.proof,
        )
        for number, (item, pdf) in enumerate(zip(planned, pdfs, strict=True), start=1)
    )


def plan_exhibits(
    case: Case, invoices: tuple[Invoice, ...], as_of: date, rates: RateTable
) -> tuple[list[PlannedExhibit], list[str]]:
    """Every exhibit of the case in its final order, and the warnings met on the way.

    Nothing is rendered yet: a reminder or statement without a file carries the function
    that renders it (letter mentions checked), for the caller to run once the dossier's
    own mentions have passed, then convert in one batch.
    """
    planner = _Planner(case, invoices, as_of, rates)
    planned = planner.plan()
    return sorted(planned, key=lambda item: item.sort_key), planner.warnings


class _Planner:
    def __init__(self, case: Case, invoices: tuple[Invoice, ...], as_of: date, rates: RateTable):
        self.case = case
        self.invoices = invoices
        self.as_of = as_of
        self.rates = rates
        self.ledger = case.ledger(as_of)
        self.warnings: list[Message] = []
        self.numbers = [invoice.number for invoice in invoices]
        claimed = set(self.numbers)
        self.letters = {
            reminder.reference: reminder
            for reminder in case.account.reminders
            if reminder.day <= as_of and claimed & set(reminder.invoices)
        }

    def plan(self) -> list[PlannedExhibit]:
        planned, letter_files, statement_given = [], {}, False
        for position, exhibit in enumerate(self.case.exhibits):
            if exhibit.kind in ("reminder", "formal_notice"):
                self._letter_of(exhibit)
                if exhibit.reference in letter_files:
                    raise CaseFileError(
                        Message.build(
                            "exhibit_letter_twice",
                            "{origin} : deux fichiers sont donnés pour la lettre {reference} : "
                            "{first} et {second}",
                            origin=self.case.origin,
                            reference=exhibit.reference,
                            first=letter_files[exhibit.reference].origin,
                            second=exhibit.origin,
                        )
                    )
                letter_files[exhibit.reference] = exhibit
            else:
                statement_given = statement_given or exhibit.kind == "statement"
                planned.append(self._user_exhibit(exhibit, position))
        planned += self._letters(letter_files)
        if not statement_given:
            planned.append(self._statement())
        self._check_proofs()
        return planned

    def _letter_of(self, exhibit: ExhibitFile):
        reminder = self.letters.get(exhibit.reference)
        if reminder is None:
            raise CaseFileError(
                Message.build(
                    "exhibit_letter_unknown",
                    "{origin} : la pièce {exhibit} nomme la lettre « {reference} », absente de "
                    "l'historique des relances du débiteur pour une facture réclamée",
                    origin=self.case.origin,
                    exhibit=exhibit.origin,
                    reference=exhibit.reference,
                )
            )
        return reminder

    def _user_exhibit(self, exhibit: ExhibitFile, position: int) -> PlannedExhibit:
        if exhibit.kind in ("invoice", "delivery") and exhibit.invoice:
            if exhibit.invoice not in self.numbers:
                raise CaseFileError(
                    Message.build(
                        "exhibit_invoice_not_claimed",
                        "{origin} : la pièce {exhibit} nomme la facture « {invoice} », qui "
                        "n'est pas réclamée (factures réclamées : {claimed})",
                        origin=self.case.origin,
                        exhibit=exhibit.origin,
                        invoice=exhibit.invoice,
                        claimed=self.numbers,
                    )
                )
            return self._user_file(
                exhibit, position, (f"{self.numbers.index(exhibit.invoice):06d}", "", 0)
            )
        if exhibit.kind == "registered_proof":
            letter = self._letter_of(exhibit)
            rank = RANKS["formal_notice" if letter.kind == "mise_en_demeure" else "reminder"]
            key = (iso(letter.day), letter.reference, 1)
            return self._user_file(exhibit, position, key, rank=rank)
        return self._user_file(exhibit, position, ("", "", 0))

    def _user_file(
        self, exhibit: ExhibitFile, position: int, key: tuple, rank: int | None = None
    ) -> PlannedExhibit:
        rank = RANKS[exhibit.kind] if rank is None else rank
        return PlannedExhibit(
            sort_key=(rank, *key, position),
            kind=exhibit.kind,
            title=exhibit.title or self._default_title(exhibit),
            source="generated" if exhibit.generated else "file",
            origin=exhibit.origin,
            reference=exhibit.invoice or exhibit.reference,
            day=exhibit.day,
            proof=exhibit.proof,
            pdf=exhibit.pdf,
        )

    def _default_title(self, exhibit: ExhibitFile) -> str:
        if exhibit.kind == "invoice":
            invoice = self.invoices[self.numbers.index(exhibit.invoice)]
            issued = invoice.invoice_date or invoice.due_date
            return f"Facture n° {invoice.number} du {date_fr(issued)} ({euros(invoice.amount)})"
        if exhibit.kind == "registered_proof":
            letter = self.letters[exhibit.reference]
            tracking = f" n° {letter.tracking_number}" if letter.tracking_number else ""
            what = PROOF_TITLES.get(exhibit.proof, "Preuve de l'envoi recommandé")
            received = ""  # a receipt date only on the proof of receipt itself
            if exhibit.proof == "acknowledgment" and letter.received_on:
                received = f", reçue le {date_fr(letter.received_on)}"
            return (
                f"{what}{tracking} de la lettre {letter.reference}"
                f" du {date_fr(letter.day)}{received}"
            )
        title = DEFAULT_TITLES[exhibit.kind]
        if exhibit.kind == "delivery" and exhibit.invoice:
            title = f"{title} (facture n° {exhibit.invoice})"
        if exhibit.kind == "statement":
            title = f"{title} au {date_fr(exhibit.day or self.as_of)}"
        return title

    def _letters(self, files: dict[str, ExhibitFile]) -> list[PlannedExhibit]:
        planned = []
        for reminder in self.letters.values():
            kind = "formal_notice" if reminder.kind == "mise_en_demeure" else "reminder"
            title = self._letter_title(reminder)
            key = (RANKS[kind], iso(reminder.day), reminder.reference, 0, 0)
            if reminder.reference in files:
                exhibit = files[reminder.reference]
                planned.append(
                    PlannedExhibit(
                        key,
                        kind,
                        exhibit.title or title,
                        "file",
                        exhibit.origin,
                        reminder.reference,
                        reminder.day,
                        pdf=exhibit.pdf,
                    )
                )
                continue
            if reminder.kind not in LETTER_KINDS:
                self.warnings.append(
                    Message.build(
                        "exhibit_no_letter",
                        "{what} {reference} du {day} n'a pas de lettre à joindre : ajoutez son "
                        "PDF au dossier de l'affaire s'il s'agit d'une lettre",
                        what=UNWRITTEN_STEPS.get(reminder.kind, f"l'étape « {reminder.kind} »"),
                        kind=reminder.kind,
                        reference=reminder.reference,
                        day=reminder.day,
                    )
                )
                continue
            render = partial(
                self._render,
                reminder.kind,
                list(reminder.invoices),
                reminder.day,
                reminder.reference,
            )
            planned.append(
                PlannedExhibit(
                    key,
                    kind,
                    title,
                    "generated",
                    f"template {reminder.kind}",
                    reminder.reference,
                    reminder.day,
                    render=render,
                )
            )
        return planned

    def _letter_title(self, reminder) -> str:
        name = LETTER_TITLES.get(reminder.kind, reminder.kind.replace("_", " ").capitalize())
        title = f"{name} du {date_fr(reminder.day)} (réf. {reminder.reference})"
        if reminder.channel in REGISTERED_CHANNELS:
            tracking = f" n° {reminder.tracking_number}" if reminder.tracking_number else ""
            title += f", lettre recommandée{tracking}"
        return title

    def _statement(self) -> PlannedExhibit:
        reference = f"RDC-{self.case.account.key}-{self.as_of:%Y%m%d}"
        render = partial(self._render, "releve_de_compte", self.numbers, self.as_of, reference)
        title = f"Relevé de compte au {date_fr(self.as_of)}"
        key = (RANKS["statement"], "", "", 0, 0)
        return PlannedExhibit(
            key,
            "statement",
            title,
            "generated",
            "template releve_de_compte",
            reference,
            self.as_of,
            render=render,
        )

    def _render(self, kind: str, numbers: list[str], day: date, reference: str) -> bytes:
        context, _ = build_letter_context(
            kind,
            self.ledger,
            self.case.account,
            numbers,
            letter_date=day,
            reference=reference,
            rates=self.rates,
        )
        return render_letter(kind, context)

    def _check_proofs(self) -> None:
        proved = {e.reference for e in self.case.exhibits if e.kind == "registered_proof"}
        for reminder in self.letters.values():
            registered = reminder.channel in REGISTERED_CHANNELS
            if (
                reminder.kind == "mise_en_demeure"
                and registered
                and reminder.reference not in proved
            ):
                tracking = " n° {tracking_number}" if reminder.tracking_number else ""
                self.warnings.append(
                    Message.build(
                        "registered_proof_missing",
                        f"la preuve de l'envoi recommandé{tracking} de la mise en demeure "
                        "{reference} n'est pas jointe : ajoutez la preuve de dépôt et l'avis "
                        "de réception comme pièces de type registered_proof",
                        reference=reminder.reference,
                        tracking_number=reminder.tracking_number or "",
                    )
                )
