"""What a creditor claims: invoices, what was paid or credited on them, and the context.

The data classes validate themselves, so every later step can trust them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum

from .errors import InvalidClaim
from .kinds import CreditorKind, Regime
from .law.imputation import Imputation
from .law.time_limits import Place
from .messages import Message


class SettlementKind(str, Enum):
    PAYMENT = "payment"
    CREDIT_NOTE = "credit_note"


class DayBasis(str, Enum):
    """Days in a year for the interest formula (french-law.md §3: 365 by default)."""

    FIXED_365 = "365"
    ACTUAL = "actual"  # 366 in leap years

    def days_in_year(self, year: int) -> int:
        if self is DayBasis.ACTUAL and date(year, 12, 31).timetuple().tm_yday == 366:
            return 366
        return 365


@dataclass(frozen=True)
class Settlement:
    """A payment or a credit note applied to an invoice on a given day."""

    day: date
    amount: Decimal
    kind: SettlementKind = SettlementKind.PAYMENT
    label: str = ""

    def __post_init__(self):
        if self.amount <= 0:
            noun = "un paiement" if self.kind is SettlementKind.PAYMENT else "un avoir"
            raise _invalid(
                "settlement_not_positive",
                "{noun} doit être positif, pas {amount}",
                noun=noun,
                amount=self.amount,
            )


@dataclass(frozen=True)
class Invoice:
    number: str
    amount: Decimal
    due_date: date
    invoice_date: date | None = None
    delivery_date: date | None = None
    settlements: tuple[Settlement, ...] = ()
    periodic: bool = False  # a facture périodique (CGI 289 I 3): 45 days at most
    # The debtor's acknowledgments of this invoice other than payments (a signed payment
    # plan, a promise, a request for time), and the creditor's written demands for
    # payment: both can interrupt prescription (law.prescription).
    acknowledgments: tuple[date, ...] = ()
    demands: tuple[date, ...] = ()

    def __post_init__(self):
        if self.amount <= 0:
            raise _invalid(
                "invoice_not_positive",
                "facture {invoice} : le montant doit être positif",
                invoice=self.number,
            )
        if self.invoice_date and self.invoice_date > self.due_date:
            raise _invalid(
                "due_before_issue",
                "facture {invoice} : l'échéance ({due}) précède la date de facture ({issued})",
                invoice=self.number,
                due=self.due_date,
                issued=self.invoice_date,
            )
        settled = sum((item.amount for item in self.settlements), Decimal(0))
        if settled > self.amount:
            raise _invalid(
                "overpaid",
                "facture {invoice} : les paiements et avoirs ({settled} €) dépassent son "
                "montant ({amount} €) ; enregistrez le trop-perçu à part",
                invoice=self.number,
                settled=settled,
                amount=self.amount,
            )

    def settled_on(self, day: date, kind: SettlementKind | None = None) -> Decimal:
        """What was paid or credited (or only ``kind``) up to ``day`` inclusive."""
        return sum(
            (
                item.amount
                for item in self.settlements
                if item.day <= day and (kind is None or item.kind is kind)
            ),
            Decimal(0),
        )

    def balance_on(self, day: date) -> Decimal:
        """What is still owed at the end of ``day``; never below zero."""
        return max(self.amount - self.settled_on(day), Decimal(0))


@dataclass(frozen=True)
class Claim:
    invoices: tuple[Invoice, ...]
    regime: Regime = Regime.B2B
    contractual_rate: Decimal | None = None
    creditor: CreditorKind = CreditorKind.COMPANY
    notice_received: date | None = None
    day_basis: DayBasis = DayBasis.FIXED_365
    acknowledgments: tuple[date, ...] = field(default=())  # apply to every invoice
    demands: tuple[date, ...] = field(default=())  # written demands, every invoice
    method: Imputation = Imputation.SIMPLE
    insolvency_judgment: date | None = None  # opening judgment (C. com. L622-28)
    enforceable_on: date | None = None  # court decision enforceable (L313-3 C. mon. fin.)
    order_date: date | None = None
    service_date: date | None = None
    objection_start: date | None = None  # CPC 1416 al. 2, service not made in person
    court: Place | None = None
    debtor_place: Place | None = None

    def __post_init__(self):
        if not self.invoices:
            raise _invalid("no_invoice", "une créance comprend au moins une facture")
        numbers = [invoice.number for invoice in self.invoices]
        if len(set(numbers)) != len(numbers):
            raise _invalid(
                "duplicate_invoice", "chaque numéro de facture ne figure qu'une fois par créance"
            )
        if self.contractual_rate is not None:
            if self.regime is not Regime.B2B:
                raise _invalid(
                    "contractual_rate_not_b2b",
                    "un taux de pénalités contractuel ne s'applique qu'entre professionnels (b2b)",
                )
            if self.contractual_rate < 0:
                raise _invalid("negative_rate", "le taux contractuel ne peut pas être négatif")


def _invalid(code: str, template: str, **params) -> InvalidClaim:
    return InvalidClaim(Message.build(code, template, **params))
