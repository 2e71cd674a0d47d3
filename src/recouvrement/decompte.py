"""The décompte: what a debtor owes on a given day, period by period.

Conventions (french-law.md §3): interest accrues from the day after the due date (for a
consumer, the day after the mise en demeure was received) through the payment or as-of
date inclusive. The late period is split at every 1 January and 1 July and at every part
payment or credit note (the simple method: a settlement lowers the balance from the next
day on). Each period is ``balance × rate × days / 365`` rounded to the cent, then the
periods are summed. The rules themselves live in their own modules: L441-10 and D441-5 in
:mod:`late_payment`, C. civ. 1231-6 and 1344-1 in :mod:`legal_interest`, R2192-31 in
:mod:`public_procurement`, prescription and court routes in :mod:`prescription` and
:mod:`procedure`.

>>> claim = Claim((Invoice("F1", Decimal("10000"), date(2026, 1, 15)),))
>>> result = compute_decompte(claim, date(2026, 4, 15), RateTable.load(user_file=None))
>>> result.interest, result.indemnity, result.total
(Decimal('299.59'), Decimal('40.00'), Decimal('10339.59'))
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .claim import Claim, Invoice, Settlement, SettlementKind
from .kinds import Regime
from .law.half_year import HalfYear, split_by_half_year
from .law.late_payment import (
    FLAT_INDEMNITY,
    contractual_rate_floor,
    default_penalty_rate,
    payment_term_limit,
)
from .law.legal_interest import consumer_interest_rate, consumer_interest_start
from .law.prescription import prescription_date, prescription_start
from .law.procedure import objection_deadline, psrpc_eligible, service_deadline
from .law.public_procurement import PUBLIC_FLAT_INDEMNITY, public_interest_rate
from .law.rates import Rate, RateTable

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
METHOD = "simple"  # settlements lower the balance; no imputation on interest first
PRESCRIPTION_WARNING_DAYS = 90


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Period:
    invoice: str
    start: date
    end: date
    days: int
    balance: Decimal
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class InvoiceDecompte:
    number: str
    amount: Decimal
    due_date: date
    paid: Decimal
    credited: Decimal
    balance: Decimal
    days_late: int
    periods: tuple[Period, ...]
    interest: Decimal
    indemnity: Decimal
    prescription: date
    daily_amount: Decimal = ZERO


@dataclass(frozen=True)
class Decompte:
    as_of: date
    regime: Regime
    invoices: tuple[InvoiceDecompte, ...]
    warnings: tuple[str, ...]
    provisional: bool
    rate_sources: tuple[str, ...] = field(default=())
    service_deadline: date | None = None
    objection_deadline: date | None = None
    method: str = METHOD

    @property
    def periods(self) -> list[Period]:
        return [period for invoice in self.invoices for period in invoice.periods]

    @property
    def principal(self) -> Decimal:
        return sum((invoice.balance for invoice in self.invoices), ZERO)

    @property
    def interest(self) -> Decimal:
        return sum((invoice.interest for invoice in self.invoices), ZERO)

    @property
    def indemnity(self) -> Decimal:
        return sum((invoice.indemnity for invoice in self.invoices), ZERO)

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.indemnity

    @property
    def daily_amount(self) -> Decimal:
        return to_cents(sum((invoice.daily_amount for invoice in self.invoices), ZERO))

    @property
    def prescription(self) -> date | None:
        """The first day an outstanding invoice becomes time-barred."""
        open_invoices = [invoice.prescription for invoice in self.invoices if invoice.balance]
        return min(open_invoices, default=None)

    @property
    def psrpc_eligible(self) -> bool:
        return psrpc_eligible(self.principal + self.interest)


def compute_decompte(
    claim: Claim, as_of: date, rates: RateTable, *, allow_provisional: bool = False
) -> Decompte:
    """Compute the décompte of ``claim`` on ``as_of``.

    ``allow_provisional`` carries the last known rate forward into a half-year with no
    published rate; the result is then flagged provisional and must not back a formal
    document.
    """
    lookup = _RateLookup(claim, rates, allow_provisional)
    invoices = tuple(_invoice_decompte(invoice, claim, as_of, lookup) for invoice in claim.invoices)
    warnings = [*lookup.warnings, *_claim_warnings(claim, invoices, as_of)]
    return Decompte(
        as_of=as_of,
        regime=claim.regime,
        invoices=invoices,
        warnings=tuple(dict.fromkeys(warnings)),
        provisional=lookup.provisional,
        rate_sources=tuple(dict.fromkeys(lookup.sources)),
        service_deadline=service_deadline(claim.order_date) if claim.order_date else None,
        objection_deadline=(objection_deadline(claim.service_date) if claim.service_date else None),
    )


class _RateLookup:
    """The rate of each half-year for one claim, looked up once, with its warnings."""

    def __init__(self, claim: Claim, rates: RateTable, allow_provisional: bool):
        self.claim = claim
        self.rates = rates
        self.options = {"provisional_ok": allow_provisional}
        self.cache: dict[tuple[HalfYear, date], Rate] = {}
        self.warnings: list[str] = []
        self.sources: list[str] = []
        self.provisional = False

    def rate(self, half_year: HalfYear, interest_start: date) -> Rate:
        key = (half_year, interest_start if self.claim.regime is Regime.PUBLIC else None)
        if key not in self.cache:
            rate = self._look_up(half_year, interest_start)
            if rate.provisional:
                self.provisional = True
                self.warnings.append(f"provisional rate for {half_year}: {rate.source}")
            self.sources.append(f"{half_year}: {rate.value} % ({rate.source})")
            self.cache[key] = rate
        return self.cache[key]

    def _look_up(self, half_year: HalfYear, interest_start: date) -> Rate:
        claim = self.claim
        if claim.regime is Regime.PUBLIC:
            return public_interest_rate(interest_start, self.rates, **self.options)
        if claim.regime is Regime.B2C:
            return consumer_interest_rate(half_year, claim.creditor, self.rates, **self.options)
        if claim.contractual_rate is None:
            return default_penalty_rate(half_year, self.rates, **self.options)
        self._check_contractual_floor(half_year)
        return Rate(claim.contractual_rate, "contractual rate")

    def _check_contractual_floor(self, half_year: HalfYear) -> None:
        floor = contractual_rate_floor(half_year, self.rates, provisional_ok=True)
        if self.claim.contractual_rate < floor:
            self.warnings.append(
                f"the contractual rate {self.claim.contractual_rate} % is below the L441-10 "
                f"floor of {floor} % (3 × the legal interest rate) for {half_year}"
            )


def _invoice_decompte(
    invoice: Invoice, claim: Claim, as_of: date, lookup: _RateLookup
) -> InvoiceDecompte:
    settlements = sorted(
        (item for item in invoice.settlements if item.day <= as_of), key=lambda item: item.day
    )
    paid = invoice.settled_on(as_of, SettlementKind.PAYMENT)
    credited = invoice.settled_on(as_of, SettlementKind.CREDIT_NOTE)
    balance = invoice.balance_on(as_of)
    settled_on = _settled_on(invoice, settlements)
    start = _interest_start(invoice, claim)
    periods = tuple(_periods(invoice, claim, settlements, start, as_of, lookup)) if start else ()
    days_late = max(((settled_on or as_of) - invoice.due_date).days, 0)
    acknowledgments = [*claim.acknowledgments, *(item.day for item in settlements)]
    return InvoiceDecompte(
        number=invoice.number,
        amount=invoice.amount,
        due_date=invoice.due_date,
        paid=paid,
        credited=credited,
        balance=balance,
        days_late=days_late,
        periods=periods,
        interest=sum((period.amount for period in periods), ZERO),
        indemnity=_indemnity(claim, invoice, days_late, credited),
        prescription=prescription_date(
            prescription_start(invoice.due_date, invoice.delivery_date),
            claim.regime,
            acknowledgments,
        ),
        daily_amount=_daily_amount(periods, balance, as_of, claim),
    )


def _settled_on(invoice: Invoice, settlements: list[Settlement]) -> date | None:
    """The day the last settlement brought the balance to zero, if it did."""
    remaining = invoice.amount
    for item in settlements:
        remaining -= item.amount
        if remaining <= 0:
            return item.day
    return None


def _interest_start(invoice: Invoice, claim: Claim) -> date | None:
    if claim.regime is Regime.B2C:
        return consumer_interest_start(invoice.due_date, claim.notice_received)
    return invoice.due_date + timedelta(days=1)  # L441-10 II; L2192-13 C. commande publique


def _periods(
    invoice: Invoice,
    claim: Claim,
    settlements: list[Settlement],
    start: date,
    as_of: date,
    lookup: _RateLookup,
) -> Iterator[Period]:
    for segment_start, segment_end, balance in _balance_segments(
        invoice.amount, settlements, start, as_of
    ):
        for piece_start, piece_end in split_by_half_year(segment_start, segment_end):
            rate = lookup.rate(HalfYear.containing(piece_start), start).value
            days = (piece_end - piece_start).days + 1
            year_days = claim.day_basis.days_in_year(piece_start.year)
            amount = to_cents(balance * rate / 100 * days / year_days)
            yield Period(invoice.number, piece_start, piece_end, days, balance, rate, amount)


def _balance_segments(
    amount: Decimal, settlements: list[Settlement], start: date, end: date
) -> Iterator[tuple[date, date, Decimal]]:
    """Ranges start..end over which the balance is constant and positive.

    A settlement made on day D lowers the balance from D + 1: the balance was still owed
    on the day it was paid.
    """
    balance = amount - sum((item.amount for item in settlements if item.day < start), ZERO)
    later = [item for item in settlements if item.day >= start]
    cursor = start
    for item in later:
        if balance <= 0:
            return
        if item.day >= cursor:
            yield cursor, min(item.day, end), balance
            cursor = item.day + timedelta(days=1)
        balance -= item.amount
    if balance > 0 and cursor <= end:
        yield cursor, end, balance


def _indemnity(claim: Claim, invoice: Invoice, days_late: int, credited: Decimal) -> Decimal:
    """D441-5 C. com. (B2B) and D2192-35 C. commande publique: 40 € per invoice paid late.

    Never for a consumer (L111-8 CPCE), nor for an invoice cancelled by credit notes.
    """
    if days_late == 0 or credited >= invoice.amount:
        return ZERO
    if claim.regime is Regime.B2B:
        return FLAT_INDEMNITY
    if claim.regime is Regime.PUBLIC:
        return PUBLIC_FLAT_INDEMNITY
    return ZERO


def _daily_amount(
    periods: tuple[Period, ...], balance: Decimal, as_of: date, claim: Claim
) -> Decimal:
    """What one more day of delay adds on this invoice (unrounded; summed per claim)."""
    if not balance or not periods or periods[-1].end != as_of:
        return ZERO
    return balance * periods[-1].rate / 100 / claim.day_basis.days_in_year(as_of.year)


def _claim_warnings(claim: Claim, invoices: tuple[InvoiceDecompte, ...], as_of: date) -> list:
    warnings = []
    if claim.regime is Regime.B2C and claim.notice_received is None:
        warnings.append(
            "no interest before the mise en demeure is received (C. civ. 1344-1): "
            "give the date it was received"
        )
    if claim.regime is Regime.B2B:
        for invoice in claim.invoices:
            if invoice.invoice_date and invoice.due_date > payment_term_limit(invoice.invoice_date):
                warnings.append(
                    f"invoice {invoice.number}: the payment term exceeds the L441-10 I limit "
                    f"(60 days, or 45 days end of month) — due by "
                    f"{payment_term_limit(invoice.invoice_date).isoformat()} at the latest"
                )
    for invoice in invoices:
        if not invoice.balance:
            continue
        if invoice.prescription < as_of:
            warnings.append(
                f"invoice {invoice.number}: time-barred since {invoice.prescription.isoformat()}"
            )
        elif (invoice.prescription - as_of).days <= PRESCRIPTION_WARNING_DAYS:
            warnings.append(
                f"invoice {invoice.number}: becomes time-barred on "
                f"{invoice.prescription.isoformat()}"
            )
    return warnings
