"""The context a letter template receives, built from a ledger account and its décompte.

The context follows docs/templates.md: plain data (amounts as decimal strings, dates as
ISO strings), so the same dictionary can be saved as JSON and rendered again with
``recouvrement render``.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from .claim import SettlementKind
from .decompte import Decompte, compute_decompte
from .documents.mentions import L111_8_TEXT
from .kinds import Regime
from .law.formal_notice import DEADLINE_DAYS, NEXT_STEP, payment_deadline
from .law.rates import RateTable
from .ledger import Account, Ledger, Party
from .serialize import decompte_to_dict, iso, money

CONTRACT_BASIS = (
    "Nos factures, émises en exécution de nos conditions générales de vente acceptées "
    "lors de la commande (article 1103 du Code civil)"
)
LEGAL_BASIS = {
    Regime.B2B: "articles L441-10 et D441-5 du Code de commerce",
    Regime.B2C: "articles 1231-6, 1344 et 1344-1 du Code civil",
    Regime.PUBLIC: "articles L2192-13, R2192-31 et D2192-35 du Code de la commande publique",
}
FORMAL_KINDS = ("mise_en_demeure",)


def legal_basis(regime: Regime) -> str:
    return f"{CONTRACT_BASIS} ; {LEGAL_BASIS[regime]}."


def party_context(party: Party) -> dict:
    return asdict(party)


def build_letter_context(
    kind: str,
    ledger: Ledger,
    account: Account,
    invoice_numbers: list[str],
    *,
    letter_date: date,
    reference: str,
    rates: RateTable,
    first_letter: dict | None = None,
) -> tuple[dict, Decompte]:
    """The template context for one letter to ``account`` about ``invoice_numbers``."""
    invoices = tuple(inv for inv in account.invoices if inv.number in invoice_numbers)
    # Letters never carry provisional figures: a missing rate raises MissingRate.
    decompte = compute_decompte(account.claim(invoices), letter_date, rates)
    summary = decompte_to_dict(decompte)
    formal = kind in FORMAL_KINDS
    context = {
        "kind": kind,
        "regime": account.regime.value,
        "date": iso(letter_date),
        "reference": reference,
        "first_letter": first_letter,
        "creditor": party_context(ledger.creditor),
        "collector": None,
        "debtor": party_context(account.party),
        "invoices": _invoice_lines(invoices, summary),
        "movements": statement_movements(invoices, letter_date),
        "totals": {key: summary[key] for key in _TOTAL_KEYS},
        "decompte": {key: summary[key] for key in ("as_of", "method", "periods")},
        "legal_basis": legal_basis(account.regime),
        "deadline": iso(payment_deadline(letter_date)) if formal else None,
        "deadline_days": DEADLINE_DAYS if formal else None,
        "next_step": NEXT_STEP if formal else None,
        "payment_methods": payment_methods(ledger.creditor),
        "signatory": ledger.signatory or None,
        "l111_8_text": L111_8_TEXT,
    }
    return context, decompte


_TOTAL_KEYS = ("principal", "interest", "indemnity", "total", "daily_amount")


def _invoice_lines(invoices, summary: dict) -> list[dict]:
    by_number = {line["number"]: line for line in summary["invoices"]}
    return [
        {
            "number": invoice.number,
            "date": iso(invoice.invoice_date or invoice.due_date),
            **{key: by_number[invoice.number][key] for key in _INVOICE_KEYS},
        }
        for invoice in invoices
    ]


_INVOICE_KEYS = (
    "due_date", "amount", "paid", "credited", "balance", "days_late", "interest", "indemnity",
)  # fmt: skip


def statement_movements(invoices, as_of: date) -> list[dict]:
    """The statement of account: invoices as debits, payments and credit notes as credits."""
    lines = []
    for invoice in invoices:
        issued = invoice.invoice_date or invoice.due_date
        lines.append(_movement(issued, f"Facture {invoice.number}", debit=invoice.amount))
        for item in invoice.settlements:
            if item.day > as_of:
                continue
            default = "Avoir" if item.kind is SettlementKind.CREDIT_NOTE else "Règlement"
            label = f"{item.label or default} ({invoice.number})"
            lines.append(_movement(item.day, label, credit=item.amount))
    return sorted(lines, key=lambda line: line["date"])


def _movement(day: date, label: str, debit=None, credit=None) -> dict:
    return {
        "date": iso(day),
        "label": label,
        "debit": money(debit) if debit is not None else None,
        "credit": money(credit) if credit is not None else None,
    }


def payment_methods(creditor: Party) -> str:
    """How to pay; the templates print the IBAN and BIC themselves."""
    cheque = f"par chèque à l'ordre de {creditor.name}"
    if creditor.iban:
        return f"Par virement bancaire aux coordonnées ci-dessous, ou {cheque}."
    return f"{cheque[0].upper()}{cheque[1:]}."
