"""The context a letter template receives, built from a ledger account and its décompte.

The context follows docs/templates.md: plain data (amounts as decimal strings, dates as
ISO strings), so the same dictionary can be saved as JSON and rendered again with
``recouvrement render``.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal

from .claim import SettlementKind
from .decompte import Decompte, compute_decompte
from .documents.filters import adresse, de
from .documents.mentions import L111_8_TEXT, needs_gdpr
from .documents.rendering import statement_balances
from .kinds import Regime
from .law.formal_notice import DEADLINE_DAYS, NEXT_STEP
from .law.rates import RateTable
from .ledger import Account, Ledger, Party
from .pauses import PauseReason, active_pause
from .serialize import decompte_to_dict, iso, money

CONTRACT_BASIS = {
    True: (
        "Nos factures, émises en exécution de nos conditions générales de vente acceptées "
        "lors de la commande (article 1103 du Code civil)"
    ),
    False: "Nos factures, émises pour les biens et services commandés (article 1103 du Code civil)",
}
"""The contractual basis; the terms of sale are cited as accepted only when the invoices
refer to them or they are among the exhibits (a debtor's counsel would ask for them)."""
LEGAL_BASIS = {
    Regime.B2B: "articles L441-10 et D441-5 du Code de commerce",
    Regime.B2C: "articles 1231-6, 1344 et 1344-1 du Code civil",
    Regime.PUBLIC: "articles L2192-13, R2192-31 et D2192-35 du Code de la commande publique",
}
FORMAL_KINDS = ("mise_en_demeure",)
STATEMENT_KIND = "releve_de_compte"


def legal_basis(regime: Regime, terms_accepted: bool = False) -> str:
    """The basis of the obligation to pay, as the letters and the request state it.

    >>> for part in legal_basis(Regime.B2C).split(" ; "):
    ...     print(part)
    Nos factures, émises pour les biens et services commandés (article 1103 du Code civil)
    articles 1231-6, 1344 et 1344-1 du Code civil.
    """
    return f"{CONTRACT_BASIS[terms_accepted]} ; {LEGAL_BASIS[regime]}."


def party_context(party: Party) -> dict:
    data = asdict(party)
    data["share_capital"] = money(party.share_capital) if party.share_capital is not None else None
    return data


GDPR_DEFAULTS = {
    "purpose": "la gestion de votre compte client et le recouvrement des sommes dues",
    "basis": (
        "l'exécution du contrat et notre intérêt légitime à obtenir le paiement (article 6, "
        "paragraphe 1, b et f, du RGPD)"
    ),
    "retention": (
        "jusqu'au paiement complet, puis pendant la durée de prescription de la créance ; "
        "les pièces comptables dix ans (article L123-22 du Code de commerce)"
    ),
}
"""The usual wording of a collection's GDPR information; the company's settings override it."""


def gdpr_context(ledger: Ledger, collector: dict | None = None) -> dict:
    """The GDPR information (RGPD art. 13; art. 14 with the data's source when a third
    party collects): the company's settings, else the usual wording, the creditor as
    controller and its e-mail or address for the rights."""
    creditor = ledger.creditor
    settings = {key: value for key, value in ledger.gdpr.items() if value}
    info = {
        "controller": f"{creditor.name}, {adresse(asdict(creditor.address))}",
        "rights_contact": creditor.email or adresse(asdict(creditor.address)),
        **GDPR_DEFAULTS,
        **settings,
        "source": None,
    }
    if collector:
        info["source"] = (
            "Ces données (identité, coordonnées, factures et règlements) nous ont été "
            f"communiquées par votre créancier, {creditor.name}."
        )
    return info


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
) -> tuple[dict, Decompte | None]:
    """The template context for one letter to ``account`` about ``invoice_numbers``.

    A disputed invoice is never demanded: a statement of account lists it, marked as
    disputed, and leaves it out of the amounts; other letters leave it out altogether.
    The décompte is None when nothing is demanded.
    """
    chosen = tuple(inv for inv in account.invoices if inv.number in invoice_numbers)
    disputed = disputed_invoices(account, chosen, letter_date)
    demanded = tuple(inv for inv in chosen if inv.number not in disputed)
    listed = chosen if kind == STATEMENT_KIND else demanded
    # Letters never carry provisional figures: a missing rate raises MissingRate.
    decompte = compute_decompte(account.claim(demanded), letter_date, rates) if demanded else None
    summary = decompte_to_dict(decompte) if decompte else None
    formal = kind in FORMAL_KINDS
    creditor = party_context(ledger.creditor)
    movements, movement_sums = statement_balances(
        statement_movements(listed, letter_date, disputed)
    )
    context = {
        "kind": kind,
        "regime": account.regime.value,
        "date": iso(letter_date),
        "reference": reference,
        "first_letter": first_letter,
        "creditor": creditor,
        "collector": None,
        "debtor": party_context(account.party),
        "invoices": _invoice_lines(listed, summary, disputed, letter_date),
        "movements": movements,
        "movement_totals": movement_sums,
        "totals": _totals(summary),
        "disputed_total": money(sum((inv.balance_on(letter_date) for inv in chosen
                                     if inv.number in disputed), Decimal(0))),
        "payment_plan": payment_plan(account, chosen, letter_date),
        "decompte": {key: summary[key] for key in ("as_of", "method", "periods")}
        if summary
        else None,
        "legal_basis": legal_basis(account.regime, ledger.terms_on_invoices),
        # One deadline, stated one way (french-law.md §4 bis): days from receipt.
        "deadline": None,
        "deadline_days": DEADLINE_DAYS if formal else None,
        "next_step": NEXT_STEP if formal else None,
        "registered_channel": ledger.registered_channel if formal else None,
        "payment_methods": payment_methods(ledger.creditor),
        "signatory": ledger.signatory or None,
        "gdpr": None,
        "l111_8_text": L111_8_TEXT,
    }  # fmt: skip
    if needs_gdpr(context):
        context["gdpr"] = gdpr_context(ledger, context["collector"])
    return context, decompte


_TOTAL_KEYS = ("principal", "interest", "indemnity", "total", "daily_amount")


def _totals(summary: dict | None) -> dict:
    if summary is None:
        return {key: money(Decimal(0)) for key in _TOTAL_KEYS}
    return {key: summary[key] for key in _TOTAL_KEYS}


def disputed_invoices(account: Account, invoices, day: date) -> set[str]:
    """The numbers of the invoices under an open dispute on ``day``."""
    numbers = set()
    for invoice in invoices:
        state = account.states.get(invoice.number)
        pause = active_pause(state.pauses, day) if state else None
        if pause and pause.reason is PauseReason.DISPUTE:
            numbers.add(invoice.number)
    return numbers


def payment_plan(account: Account, invoices, day: date) -> dict | None:
    """The payment plan agreed for these invoices, with its instalments, if one holds."""
    for invoice in invoices:
        state = account.states.get(invoice.number)
        for pause in state.pauses if state else ():
            if pause.reason is PauseReason.PAYMENT_PLAN and pause.since <= day:
                return {
                    "since": iso(pause.since),
                    "instalments": [_instalment(item, day) for item in pause.instalments],
                    "total": money(sum((item.amount for item in pause.instalments), Decimal(0))),
                }  # fmt: skip
    return None


def _instalment(item, day: date) -> dict:
    if item.paid >= item.amount:
        status = "réglée"
    elif item.missed_on(day):
        status = "impayée"
    else:
        status = "à venir"
    return {"due_date": iso(item.due_date), "amount": money(item.amount),
            "paid": money(item.paid), "status": status}  # fmt: skip


def _invoice_lines(invoices, summary: dict | None, disputed: set[str], day: date) -> list[dict]:
    by_number = {line["number"]: line for line in summary["invoices"]} if summary else {}
    return [_invoice_line(invoice, by_number.get(invoice.number), day, disputed)
            for invoice in invoices]  # fmt: skip


def _invoice_line(invoice, line: dict | None, day: date, disputed: set[str]) -> dict:
    issued = {"number": invoice.number, "date": iso(invoice.invoice_date or invoice.due_date)}
    if line is None:  # disputed: shown, not demanded
        line = {
            "due_date": iso(invoice.due_date), "amount": money(invoice.amount),
            "paid": money(invoice.settled_on(day, SettlementKind.PAYMENT)),
            "credited": money(invoice.settled_on(day, SettlementKind.CREDIT_NOTE)),
            "balance": money(invoice.balance_on(day)), "days_late": None,
            "interest": money(Decimal(0)), "indemnity": money(Decimal(0)),
        }  # fmt: skip
    return {
        **issued,
        **{key: line[key] for key in _INVOICE_KEYS},
        "disputed": invoice.number in disputed,
    }


_INVOICE_KEYS = (
    "due_date", "amount", "paid", "credited", "balance", "days_late", "interest", "indemnity",
)  # fmt: skip


def statement_movements(invoices, as_of: date, disputed: set[str] = frozenset()) -> list[dict]:
    """The statement of account: invoices as debits, payments and credit notes as credits,
    in date order."""
    lines = []
    for invoice in invoices:
        issued = invoice.invoice_date or invoice.due_date
        label = f"Facture {invoice.number}"
        if invoice.number in disputed:
            label += " (contestée)"
        lines.append(_movement(issued, label, debit=invoice.amount))
        for item in invoice.settlements:
            if item.day > as_of:
                continue
            default = "Avoir" if item.kind is SettlementKind.CREDIT_NOTE else "Règlement"
            label = f"{item.label or default} ({invoice.number})"
            lines.append(_movement(item.day, label, credit=item.amount))
    lines.sort(key=lambda line: line["date"])
    return lines


def _movement(day: date, label: str, debit=None, credit=None) -> dict:
    return {
        "date": iso(day),
        "label": label,
        "debit": money(debit) if debit is not None else None,
        "credit": money(credit) if credit is not None else None,
    }


def payment_methods(creditor: Party) -> str:
    """How to pay; the templates print the IBAN and BIC themselves."""
    cheque = f"par chèque à l'ordre {de(creditor.name)}"
    if creditor.iban:
        return f"Par virement bancaire aux coordonnées ci-dessous, ou {cheque}."
    return f"{cheque[0].upper()}{cheque[1:]}."
