"""The décompte: what a debtor owes on a given day, period by period.

Conventions (french-law.md §3): interest accrues from the day after the due date (for a
consumer, the day after the mise en demeure was received) through the payment or as-of
date inclusive, or up to the day before an insolvency opening judgment (C. com. L622-28).
The late period is split at every 1 January and 1 July, at every part payment or credit
note, and where the 5 points of L313-3 C. mon. fin. start. A settlement lowers the balance
from the next day on; with the Code civil 1343-1 method a payment first settles the
interest accrued so far. Each period is ``balance × rate × days / 365`` rounded to the
cent, then the periods are summed. The rules themselves live in :mod:`recouvrement.law`,
one module per text; this module only applies them and words the warnings.

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
from .errors import MissingRate
from .kinds import Regime
from .law.half_year import HalfYear, split_by_half_year
from .law.imputation import Imputation
from .law.insolvency import last_accrual_day
from .law.late_payment import (
    FLAT_INDEMNITY,
    contractual_rate_floor,
    default_penalty_rate,
    payment_term_limit,
)
from .law.legal_interest import (
    consumer_interest_rate,
    consumer_interest_start,
    increase_start,
    increased_rate,
)
from .law.prescription import Prescription, prescription
from .law.procedure import enforcement_date, objection_deadline, psrpc_eligible, service_deadline
from .law.public_procurement import PUBLIC_FLAT_INDEMNITY, public_interest_rate
from .law.rates import Rate, RateTable
from .messages import Message, french

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
METHOD = Imputation.SIMPLE.value  # the default: settlements lower the balance
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
    provisional: bool = False  # the rate of a half-year not yet known, carried forward


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
    interest: Decimal  # still owed: accrued, less what 1343-1 imputed on it
    indemnity: Decimal
    prescription: date
    daily_amount: Decimal = ZERO
    interest_paid: Decimal = ZERO  # the part of the payments imputed on interest (1343-1)

    @property
    def provisional(self) -> bool:
        """Whether some of its interest runs on a provisional rate (half-year not known)."""
        return any(period.provisional for period in self.periods)


@dataclass(frozen=True)
class Decompte:
    as_of: date
    regime: Regime
    invoices: tuple[InvoiceDecompte, ...]
    warnings: tuple[Message, ...]
    provisional: bool
    rate_sources: tuple[str, ...] = field(default=())
    service_deadline: date | None = None
    objection_deadline: date | None = None
    method: str = METHOD
    enforcement_date: date | None = None
    accrual_stopped_on: date | None = None  # the last day interest ran (L622-28)

    @property
    def method_label(self) -> str:
        return Imputation(self.method).label_fr()

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
    accrual_end = _accrual_end(claim, as_of)
    # Each invoice's prescription, computed once: its last day and its warnings use it.
    prescriptions = [invoice_prescription(invoice, claim, as_of) for invoice in claim.invoices]
    invoices = tuple(
        _invoice_decompte(invoice, claim, as_of, accrual_end, lookup, prescription)
        for invoice, prescription in zip(claim.invoices, prescriptions, strict=True)
    )
    warnings = [
        *lookup.warnings,
        *_claim_warnings(claim, invoices, as_of, accrual_end, prescriptions),
    ]
    return Decompte(
        as_of=as_of,
        regime=claim.regime,
        invoices=invoices,
        warnings=tuple(dict.fromkeys(warnings)),
        provisional=lookup.provisional,
        rate_sources=tuple(dict.fromkeys(lookup.sources)),
        method=claim.method.value,
        accrual_stopped_on=accrual_end if accrual_end < as_of else None,
        **procedure_deadlines(claim),
    )


def procedure_deadlines(claim: Claim) -> dict:
    """The injonction de payer's dates for the claim's order, as far as they are known."""
    dates = {"service_deadline": None, "objection_deadline": None, "enforcement_date": None}
    if claim.order_date:
        dates["service_deadline"] = service_deadline(claim.order_date, claim.court)
    if claim.service_date:
        dates["objection_deadline"] = objection_deadline(
            claim.service_date,
            objection_start=claim.objection_start,
            debtor=claim.debtor_place,
            court=claim.court,
        )
        if claim.order_date:
            dates["enforcement_date"] = enforcement_date(
                claim.order_date, claim.service_date, claim.court
            )
    return dates


def invoice_prescription(invoice: Invoice, claim: Claim, as_of: date) -> Prescription:
    """The prescription of one invoice on ``as_of``, from every act known by then.

    Acknowledgments are the debtor's: payments (never credit notes), and the plans,
    promises and other acknowledgments recorded on the invoice or the claim; written
    demands count against a public buyer only (the rule is in law.prescription).
    """
    payments = [
        item.day
        for item in invoice.settlements
        if item.kind is SettlementKind.PAYMENT and item.day <= as_of
    ]
    acknowledgments = [*payments, *invoice.acknowledgments, *claim.acknowledgments]
    demands = [*invoice.demands, *claim.demands]
    return prescription(
        invoice.due_date,
        claim.regime,
        delivery_date=invoice.delivery_date,
        acknowledgments=[day for day in acknowledgments if day <= as_of],
        demands=[day for day in demands if day <= as_of],
    )


def _accrual_end(claim: Claim, as_of: date) -> date:
    if claim.insolvency_judgment and claim.insolvency_judgment <= as_of:
        return last_accrual_day(claim.insolvency_judgment)
    return as_of


class _RateLookup:
    """The rate of each half-year for one claim, looked up once, with its warnings."""

    def __init__(self, claim: Claim, rates: RateTable, allow_provisional: bool):
        self.claim = claim
        self.rates = rates
        self.options = {"provisional_ok": allow_provisional}
        self.cache: dict[tuple, Rate] = {}
        self.warnings: list[Message] = []
        self.sources: list[str] = []
        self.provisional = False
        self.increase_from = (
            increase_start(claim.enforceable_on)
            if claim.enforceable_on and claim.regime is Regime.B2C
            else None
        )

    def rate(self, half_year: HalfYear, interest_start: date, day: date) -> Rate:
        increased = bool(self.increase_from and day >= self.increase_from)
        public_start = interest_start if self.claim.regime is Regime.PUBLIC else None
        key = (half_year, public_start, increased)
        if key not in self.cache:
            rate = self._look_up(half_year, interest_start)
            if increased:
                rate = increased_rate(rate)
            if rate.provisional:
                self.provisional = True
                self.warnings.append(
                    Message.build(
                        "provisional_rate",
                        "taux provisoire pour le {half_year} : {source}",
                        half_year=half_year,
                        source=rate.source,
                    )
                )
            label = half_year.label_fr() + (" (majoré)" if increased else "")
            self.sources.append(f"{label} : {french(rate.value)} % — {rate.source}")
            self.cache[key] = rate
        return self.cache[key]

    def _look_up(self, half_year: HalfYear, interest_start: date) -> Rate:
        claim = self.claim
        rates, options = self.rates, self.options
        allowed = options["provisional_ok"]  # the table's cache serves every claim
        if claim.regime is Regime.PUBLIC:
            return rates.cached(
                ("public", interest_start, allowed),
                lambda: public_interest_rate(interest_start, rates, **options),
            )
        if claim.regime is Regime.B2C:
            return rates.cached(
                ("b2c", half_year, claim.creditor, allowed),
                lambda: consumer_interest_rate(half_year, claim.creditor, rates, **options),
            )
        if claim.contractual_rate is None:
            return rates.cached(
                ("b2b", half_year, allowed),
                lambda: default_penalty_rate(half_year, rates, **options),
            )
        self._check_contractual_floor(half_year)
        return Rate(claim.contractual_rate, "taux contractuel")

    def _check_contractual_floor(self, half_year: HalfYear) -> None:
        """L441-10 II: 3 × the legal rate of the same half-year, never an older one."""
        try:
            floor = contractual_rate_floor(half_year, self.rates, **self.options)
        except MissingRate:
            self.warnings.append(
                Message.build(
                    "floor_unchecked",
                    "le plancher du taux contractuel (3 fois le taux de l'intérêt légal, "
                    "art. L441-10 C. com.) n'a pas pu être vérifié pour le {half_year} : le "
                    "taux légal de ce semestre n'est pas connu ; ajoutez la ligne "
                    "« legal_other,{start},TAUX,SOURCE » à votre fichier de taux",
                    half_year=half_year,
                    start=half_year.start.isoformat(),
                )
            )
            return
        if self.claim.contractual_rate < floor:
            self.warnings.append(
                Message.build(
                    "contractual_rate_below_floor",
                    "le taux contractuel de {rate} % est inférieur au plancher de l'art. "
                    "L441-10 C. com. ({floor} %, 3 fois le taux de l'intérêt légal) pour le "
                    "{half_year}",
                    rate=self.claim.contractual_rate,
                    floor=floor,
                    half_year=half_year,
                )
            )


def _invoice_decompte(
    invoice: Invoice,
    claim: Claim,
    as_of: date,
    accrual_end: date,
    lookup: _RateLookup,
    prescription: Prescription,
) -> InvoiceDecompte:
    settlements = sorted(
        (item for item in invoice.settlements if item.day <= as_of), key=lambda item: item.day
    )
    paid = invoice.settled_on(as_of, SettlementKind.PAYMENT)
    credited = invoice.settled_on(as_of, SettlementKind.CREDIT_NOTE)
    start = _interest_start(invoice, claim)
    accrual = _Accrual(invoice, claim, lookup, start, accrual_end)
    accrual.run(settlements)
    settled_on = _settled_on(invoice, settlements)
    days_late = max(((settled_on or as_of) - invoice.due_date).days, 0)
    periods = tuple(accrual.periods)
    return InvoiceDecompte(
        number=invoice.number,
        amount=invoice.amount,
        due_date=invoice.due_date,
        paid=paid,
        credited=credited,
        balance=accrual.principal,
        days_late=days_late,
        periods=periods,
        interest=sum((period.amount for period in periods), ZERO) - accrual.interest_paid,
        interest_paid=accrual.interest_paid,
        indemnity=_indemnity(claim, invoice, days_late, credited),
        prescription=prescription.last_day,
        daily_amount=_daily_amount(periods, accrual.principal, as_of, claim),
    )


class _Accrual:
    """Interest on one invoice, period by period, as its settlements come in.

    A settlement made on day D lowers the balance from D + 1: the balance was still owed
    on the day it was paid. With the 1343-1 method a payment first settles the interest
    accrued through its day (law.imputation).
    """

    def __init__(self, invoice, claim, lookup, start: date | None, end: date):
        self.invoice, self.claim, self.lookup = invoice, claim, lookup
        self.start, self.end = start, end
        self.cursor = start
        self.principal = invoice.amount
        self.periods: list[Period] = []
        self.interest_paid = ZERO

    def run(self, settlements: list[Settlement]) -> None:
        for item in settlements:
            self._accrue_through(item.day)
            if item.kind is SettlementKind.PAYMENT:
                to_interest, to_principal = self.claim.method.split(
                    item.amount, self._accrued() - self.interest_paid
                )
            else:
                to_interest, to_principal = ZERO, item.amount  # a credit note: principal
            self.interest_paid += to_interest
            self.principal = max(self.principal - to_principal, ZERO)
        self._accrue_through(self.end)

    def _accrued(self) -> Decimal:
        return sum((period.amount for period in self.periods), ZERO)

    def _accrue_through(self, day: date) -> None:
        if self.cursor is None or self.principal <= 0:
            return
        last = min(day, self.end)
        if self.cursor > last:
            return
        for piece_start, piece_end in self._pieces(self.cursor, last):
            rate = self.lookup.rate(HalfYear.containing(piece_start), self.start, piece_start)
            days = (piece_end - piece_start).days + 1
            year_days = self.claim.day_basis.days_in_year(piece_start.year)
            amount = to_cents(self.principal * rate.value / 100 * days / year_days)
            self.periods.append(
                Period(
                    self.invoice.number,
                    piece_start,
                    piece_end,
                    days,
                    self.principal,
                    rate.value,
                    amount,
                    rate.provisional,
                )
            )
        self.cursor = last + timedelta(days=1)

    def _pieces(self, start: date, end: date) -> Iterator[tuple[date, date]]:
        """Half-years, cut again where the L313-3 increase starts."""
        cut = self.lookup.increase_from
        for piece_start, piece_end in split_by_half_year(start, end):
            if cut and piece_start < cut <= piece_end:
                yield piece_start, cut - timedelta(days=1)
                yield cut, piece_end
            else:
                yield piece_start, piece_end


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


def _claim_warnings(
    claim: Claim,
    invoices: tuple[InvoiceDecompte, ...],
    as_of: date,
    accrual_end: date,
    prescriptions: list[Prescription],
) -> list[Message]:
    warnings = []
    if claim.regime is Regime.B2C and claim.notice_received is None:
        warnings.append(
            Message.build(
                "no_notice_received",
                "pas d'intérêts avant la réception de la mise en demeure (art. 1344-1 C. civ.) "
                ": indiquez la date à laquelle elle a été reçue",
            )
        )
    if accrual_end < as_of:
        warnings.append(
            Message.build(
                "insolvency_stops_accrual",
                "intérêts et pénalités arrêtés au {last_day} : jugement d'ouverture du "
                "{judgment} (art. L622-28 C. com.) ; déclarez la créance au mandataire "
                "judiciaire",
                last_day=accrual_end,
                judgment=claim.insolvency_judgment,
            )
        )
    if claim.enforceable_on and claim.regime is not Regime.B2C:
        warnings.append(
            Message.build(
                "increase_legal_rate_only",
                "la majoration de 5 points de l'art. L313-3 C. mon. fin. porte sur le taux "
                "de l'intérêt légal : elle n'est pas appliquée au taux de ce régime",
            )
        )
    warnings += _payment_term_warnings(claim)
    warnings += _prescription_warnings(claim, invoices, as_of, prescriptions)
    return warnings


def _payment_term_warnings(claim: Claim) -> list[Message]:
    """L441-10 I: a B2B invoice's term beyond the legal limit (45 days if periodic)."""
    warnings = []
    for invoice in claim.invoices:
        if claim.regime is not Regime.B2B or not invoice.invoice_date:
            continue
        limit = payment_term_limit(invoice.invoice_date, periodic=invoice.periodic)
        if invoice.due_date <= limit:
            continue
        rule = (
            "45 jours à compter de son émission pour une facture périodique (art. 289 CGI)"
            if invoice.periodic
            else "60 jours, ou 45 jours fin de mois"
        )
        warnings.append(
            Message.build(
                "payment_term_exceeded",
                "facture {invoice} : le délai de paiement dépasse la limite de l'art. L441-10 I "
                "C. com. ({rule}) ; échéance au plus tard le {limit}",
                invoice=invoice.number,
                rule=rule,
                limit=limit,
            )
        )
    return warnings


def _prescription_warnings(
    claim: Claim,
    invoices: tuple[InvoiceDecompte, ...],
    as_of: date,
    prescriptions: list[Prescription],
) -> list[Message]:
    warnings = []
    owed = {invoice.number for invoice in invoices if invoice.balance}
    results = {
        invoice.number: result
        for invoice, result in zip(claim.invoices, prescriptions, strict=True)
        if invoice.number in owed
    }
    unknown_start = [number for number, result in results.items() if result.start_is_due_date]
    if unknown_start:
        warnings.append(
            Message.build(
                "prescription_from_due_date",
                "facture {invoices} : ni la livraison ni l'achèvement de la prestation n'est "
                "daté ; la prescription est comptée de l'échéance, elle a pu commencer plus tôt",
                invoices=unknown_start,
            )
        )
    for number, result in results.items():
        if result.too_late:
            warnings.append(
                Message.build(
                    "acknowledgment_after_prescription",
                    "facture {invoice} : la reconnaissance du {days} intervient après la "
                    "prescription, acquise le {last_day} ; elle ne la fait pas revivre "
                    "(art. 2240 C. civ.)",
                    invoice=number,
                    days=list(result.too_late),
                    last_day=result.last_day,
                )
            )
        if result.last_day < as_of:
            warnings.append(
                Message.build(
                    "time_barred",
                    "facture {invoice} : prescrite depuis le {last_day}",
                    invoice=number,
                    last_day=result.last_day,
                )
            )
        elif (result.last_day - as_of).days <= PRESCRIPTION_WARNING_DAYS:
            warnings.append(
                Message.build(
                    "prescription_soon",
                    "facture {invoice} : prescrite le {last_day}",
                    invoice=number,
                    last_day=result.last_day,
                )
            )
    return warnings
