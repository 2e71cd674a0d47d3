"""Plain-data views of engine results, for JSON output and document contexts.

Amounts are strings with two decimals ("299.59"), rates strings in percent ("12.15"),
dates ISO strings: JSON keeps them exact, and templates format them with the French
filters. Warnings are objects with a stable ``code``, its ``params`` and the French
``text``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .decompte import Decompte, InvoiceDecompte, Period
from .messages import message_dict


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def period_to_dict(period: Period) -> dict:
    return {
        "invoice": period.invoice,
        "start": iso(period.start),
        "end": iso(period.end),
        "days": period.days,
        "balance": money(period.balance),
        "rate": f"{period.rate:.2f}",
        "amount": money(period.amount),
    }


def invoice_to_dict(invoice: InvoiceDecompte) -> dict:
    return {
        "number": invoice.number,
        "amount": money(invoice.amount),
        "due_date": iso(invoice.due_date),
        "paid": money(invoice.paid),
        "credited": money(invoice.credited),
        "balance": money(invoice.balance),
        "days_late": invoice.days_late,
        "interest": money(invoice.interest),
        "interest_paid": money(invoice.interest_paid),
        "indemnity": money(invoice.indemnity),
        "prescription": iso(invoice.prescription),
    }


def decompte_to_dict(decompte: Decompte) -> dict:
    return {
        "as_of": iso(decompte.as_of),
        "regime": decompte.regime.value,
        "method": decompte.method_label,  # French, as documents print it
        "method_code": decompte.method,
        "principal": money(decompte.principal),
        "interest": money(decompte.interest),
        "indemnity": money(decompte.indemnity),
        "total": money(decompte.total),
        "daily_amount": money(decompte.daily_amount),
        "periods": [period_to_dict(period) for period in decompte.periods],
        "invoices": [invoice_to_dict(invoice) for invoice in decompte.invoices],
        "warnings": [message_dict(warning) for warning in decompte.warnings],
        "provisional": decompte.provisional,
        "rate_sources": list(decompte.rate_sources),
        "prescription": iso(decompte.prescription),
        "psrpc_eligible": decompte.psrpc_eligible,
        "service_deadline": iso(decompte.service_deadline),
        "objection_deadline": iso(decompte.objection_deadline),
        "enforcement_date": iso(decompte.enforcement_date),
        "accrual_stopped_on": iso(decompte.accrual_stopped_on),
    }
