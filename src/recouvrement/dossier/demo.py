"""The demo's judicial handoff: a dossier for a debtor of a ledger, without any file.

A ledger holds no PDF. For the demo, each invoice is given as a duplicate rendered from
the ledger's figures (template ``duplicata_facture.docx``, marked as a demonstration
document that does not replace the original invoice); the reminders and the statement
are rendered again from the letter templates, as for any case without their files.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document

from ..documents.filters import date_fr, de
from ..documents.rendering import render_docx
from ..law.rates import RateTable
from ..ledger import Ledger
from ..serialize import iso, money
from .case import Case, ExhibitFile, Signatory
from .courts import CourtTable
from .documents import party_context, template_path
from .guards import signs_as_legal_representative
from .package import build_dossier, stable_pdf


def case_from_ledger(ledger: Ledger, account_key: str, exhibits=()) -> Case:
    """A case for one debtor of ``ledger``, dated the ledger's day."""
    account = ledger.account(account_key)
    signatory = None
    if ledger.signatory.get("name"):
        signatory = Signatory(
            ledger.signatory["name"],
            ledger.signatory.get("title", ""),
            ledger.signatory.get("place", "") or ledger.creditor.address.city,
        )
    return Case(
        creditor=ledger.creditor,
        account=account,
        as_of=ledger.as_of,
        signatory=signatory,
        exhibits=tuple(exhibits),
        gdpr=ledger.gdpr,
        terms_on_invoices=ledger.terms_on_invoices,
        origin=f"ledger debtor {account_key}",
    )


def invoice_duplicates(case: Case, converter) -> list[ExhibitFile]:
    """A demonstration duplicate of each invoice still owed, as PDF exhibits."""
    as_of = case.as_of
    owed = {item.invoice for item in case.account.open_items(as_of) if item.balance > 0}
    invoices = [invoice for invoice in case.account.invoices if invoice.number in owed]
    documents = []
    for invoice in invoices:
        context = {
            "date": iso(as_of),
            "reference": f"Duplicata {invoice.number}",
            "version": 1,
            "collector": None,
            "creditor": party_context(case.creditor),
            "debtor": party_context(case.debtor),
            "invoice": {
                "number": invoice.number,
                "date": iso(invoice.invoice_date or invoice.due_date),
                "due_date": iso(invoice.due_date),
                "delivery_date": iso(invoice.delivery_date),
                "amount": money(invoice.amount),
            },
        }
        documents.append(render_docx(template_path("duplicata_facture"), context))
    pdfs = [stable_pdf(pdf, as_of) for pdf in converter.convert_many(documents)]
    return [
        ExhibitFile(
            kind="invoice",
            pdf=pdf,
            origin="demo duplicate (template duplicata_facture)",
            title=f"Facture n° {invoice.number} (duplicata de démonstration)",
            invoice=invoice.number,
            generated=True,
        )
        for invoice, pdf in zip(invoices, pdfs, strict=True)
    ]


def power_of_attorney(case: Case, converter) -> list[ExhibitFile]:
    """A demonstration power of attorney, when the ledger's signatory is not the creditor's
    legal representative (the request must then carry the signatory's power)."""
    if case.signatory is None or signs_as_legal_representative(case):
        return []
    document = Document()
    document.add_heading("Pouvoir (document de démonstration)", level=1)
    title = f", {case.signatory.title}" if case.signatory.title else ""
    document.add_paragraph(
        f"{case.creditor.representative}, représentant légal {de(case.creditor.name)}, donne "
        f"pouvoir à {case.signatory.name}{title}, de signer au nom de la société les requêtes "
        "en injonction de payer et les pièces qui les accompagnent."
    )
    document.add_paragraph(f"Fait à {case.creditor.address.city}, le {date_fr(case.as_of)}.")
    buffer = io.BytesIO()
    document.save(buffer)
    pdf = stable_pdf(next(iter(converter.convert_many([buffer.getvalue()]))), case.as_of)
    return [
        ExhibitFile(
            kind="power_of_attorney",
            pdf=pdf,
            origin="demo power of attorney",
            title="Pouvoir donné au signataire (document de démonstration)",
            generated=True,
        )
    ]


def build_demo_dossier(ledger: Ledger, account_key: str, out_dir: Path | str, converter) -> Path:
    """Build the dossier of ``account_key`` and write ``out_dir/dossier-<KEY>.zip``.

    Uses the shipped rates and court list only, so the demo gives the same dossier on
    every machine; the demo's output folder is scratch, so an older file is replaced.
    """
    case = case_from_ledger(ledger, account_key)
    exhibits = invoice_duplicates(case, converter) + power_of_attorney(case, converter)
    case = case_from_ledger(ledger, account_key, exhibits)
    dossier = build_dossier(
        case,
        converter,
        rates=RateTable.load(user_file=None),
        courts=CourtTable.load(user_file=None),
    )
    return dossier.write(Path(out_dir) / f"dossier-{account_key}.zip", replace=True)
