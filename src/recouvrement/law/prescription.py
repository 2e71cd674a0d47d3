"""When a claim becomes time-barred (prescription extinctive).

- B2B: 5 years (C. com. L110-4); a professional against a consumer: 2 years (C. conso
  L218-2); a claim on the State, a local authority or a public body: 4 years from
  1 January after the year the right arose (loi n° 68-1250 du 31 décembre 1968, art. 1).
- The period starts when the service is completed or the goods are delivered (case law);
  when both the delivery and the due date are known, the earlier one is used, which is
  the conservative choice for a creditor.
- An acknowledgment by the debtor (part payment, signed payment plan, request for time)
  interrupts it and a new period of the same length starts (C. civ. 2240 and 2231; for
  public debts, from 1 January after the interruption, loi 68-1250 art. 2). A mise en
  demeure does not interrupt it.

>>> prescription_date(date(2026, 1, 15), Regime.B2B)
datetime.date(2031, 1, 15)
>>> prescription_date(date(2026, 1, 15), Regime.B2C, acknowledgments=[date(2026, 5, 2)])
datetime.date(2028, 5, 2)
>>> prescription_date(date(2026, 1, 15), Regime.PUBLIC)
datetime.date(2030, 12, 31)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from dateutil.relativedelta import relativedelta

from ..kinds import Regime

PRESCRIPTION_YEARS = {
    Regime.B2B: 5,  # C. com. L110-4
    Regime.B2C: 2,  # C. conso L218-2
    Regime.PUBLIC: 4,  # loi 68-1250, art. 1 (prescription quadriennale)
}


def prescription_start(due_date: date, delivery_date: date | None = None) -> date:
    """The earlier of delivery (or completion) and due date."""
    return min(due_date, delivery_date) if delivery_date else due_date


def prescription_date(start: date, regime: Regime, acknowledgments: Iterable[date] = ()) -> date:
    """The last day on which the creditor can still act."""
    restart = max([start, *(day for day in acknowledgments if day >= start)])
    years = PRESCRIPTION_YEARS[regime]
    if regime is Regime.PUBLIC:
        return date(restart.year + years, 12, 31)
    return restart + relativedelta(years=years)
