"""Late payment between businesses: Code de commerce L441-10 and D441-5.

- L441-10 II: penalties run from the day after the due date, without any reminder, at the
  ECB main refinancing rate in force on 1 January (first half-year) or 1 July (second
  half-year) plus 10 points. A contractual rate may replace it, but not below three times
  the legal interest rate.
- D441-5: a flat 40 € indemnity for collection costs per invoice paid late.
- L441-10 I: payment terms of at most 60 days from the invoice date, or 45 days end of
  month when so agreed.

>>> table = RateTable.load(user_file=None)
>>> default_penalty_rate(HalfYear(2026, 1), table).value
Decimal('12.15')
>>> contractual_rate_floor(HalfYear(2026, 1), table)
Decimal('7.86')
>>> payment_term_limit(date(2026, 1, 10))
datetime.date(2026, 3, 17)
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

from ..kinds import CreditorKind
from .half_year import HalfYear
from .rates import Rate, RateTable

PENALTY_MARGIN_POINTS = Decimal(10)  # L441-10 II: "majoré de 10 points de pourcentage"
CONTRACTUAL_FLOOR_MULTIPLIER = Decimal(3)  # L441-10 II: "trois fois le taux d'intérêt légal"
FLAT_INDEMNITY = Decimal("40.00")  # D441-5: "montant de l'indemnité forfaitaire … 40 euros"
MAX_TERM_DAYS = 60  # L441-10 I: "soixante jours à compter de la date d'émission de la facture"
MAX_TERM_END_OF_MONTH_DAYS = 45  # L441-10 I: "quarante-cinq jours fin de mois"


def default_penalty_rate(half_year: HalfYear, table: RateTable, **lookup) -> Rate:
    """L441-10 II: the ECB rate in force on the half-year's first day, plus 10 points."""
    mro = table.mro_in_force(half_year.start, **lookup)
    return Rate(
        mro.value + PENALTY_MARGIN_POINTS, f"ECB {mro.value} % + 10 points", mro.provisional
    )


def contractual_rate_floor(half_year: HalfYear, table: RateTable, **lookup) -> Decimal:
    """L441-10 II: a contractual rate may not be below 3 × the legal rate (all other cases)."""
    legal = table.legal_rate(half_year, CreditorKind.COMPANY, **lookup)
    return CONTRACTUAL_FLOOR_MULTIPLIER * legal.value


def payment_term_limit(invoice_date: date) -> date:
    """L441-10 I: the latest due date allowed for an invoice issued on ``invoice_date``.

    The law allows 60 days from the invoice, or 45 days end of month when agreed; both
    readings of "45 days end of month" (month end after 45 days, or 45 days after the
    month end) are in use, so the most generous of the three dates is the limit.
    """
    sixty_days = invoice_date + timedelta(days=MAX_TERM_DAYS)
    month_end_after_45 = _end_of_month(invoice_date + timedelta(days=MAX_TERM_END_OF_MONTH_DAYS))
    days_45_after_month_end = _end_of_month(invoice_date) + timedelta(
        days=MAX_TERM_END_OF_MONTH_DAYS
    )
    return max(sixty_days, month_end_after_45, days_45_after_month_end)


def _end_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
