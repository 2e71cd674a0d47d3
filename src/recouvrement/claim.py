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
            raise InvalidClaim(f"a {self.kind.value} must be positive, not {self.amount}")


@dataclass(frozen=True)
class Invoice:
    number: str
    amount: Decimal
    due_date: date
    invoice_date: date | None = None
    delivery_date: date | None = None
    settlements: tuple[Settlement, ...] = ()

    def __post_init__(self):
        if self.amount <= 0:
            raise InvalidClaim(f"invoice {self.number}: the amount must be positive")
        if self.invoice_date and self.invoice_date > self.due_date:
            raise InvalidClaim(f"invoice {self.number}: due before it was issued")

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
    acknowledgments: tuple[date, ...] = field(default=())
    order_date: date | None = None
    service_date: date | None = None

    def __post_init__(self):
        if not self.invoices:
            raise InvalidClaim("a claim needs at least one invoice")
        numbers = [invoice.number for invoice in self.invoices]
        if len(set(numbers)) != len(numbers):
            raise InvalidClaim("each invoice number may appear only once in a claim")
        if self.contractual_rate is not None:
            if self.regime is not Regime.B2B:
                raise InvalidClaim("a contractual penalty rate applies only to a B2B claim")
            if self.contractual_rate < 0:
                raise InvalidClaim("the contractual rate cannot be negative")
