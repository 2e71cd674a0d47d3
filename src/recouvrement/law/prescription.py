"""When a claim becomes time-barred (prescription extinctive).

- B2B: 5 years (C. com. L110-4); a professional against a consumer: 2 years (C. conso
  L218-2); a claim on the State, a local authority or a public body: 4 years from
  1 January after the year the right arose (loi n° 68-1250 du 31 décembre 1968, art. 1).
- The period starts when the service is completed or the goods are delivered (case law);
  when both the delivery and the due date are known, the earlier one is used, which is
  the conservative choice for a creditor. When neither delivery nor completion is known,
  the due date is used and the décompte warns that the period may have started earlier.
- An acknowledgment by the debtor (part payment, signed payment plan, promise or request
  for time) interrupts it and a new period of the same length starts (C. civ. 2240 and
  2231), but only while it still runs: after expiry nothing revives it (only an
  unequivocal renunciation, C. civ. 2250-2251, which the engine does not presume). A
  credit note is the creditor's own act, not an acknowledgment.
- A mise en demeure does not interrupt it, except against a public buyer: any written
  demand for payment to the administration interrupts the 4-year period, which restarts
  on 1 January after the interruption (loi 68-1250 art. 2).

>>> prescription_date(date(2026, 1, 15), Regime.B2B)
datetime.date(2031, 1, 15)
>>> prescription_date(date(2026, 1, 15), Regime.B2C, acknowledgments=[date(2026, 5, 2)])
datetime.date(2028, 5, 2)
>>> prescription_date(date(2026, 1, 15), Regime.B2C, acknowledgments=[date(2028, 2, 1)])
datetime.date(2028, 1, 15)
>>> prescription_date(date(2026, 1, 15), Regime.PUBLIC, demands=[date(2027, 3, 1)])
datetime.date(2031, 12, 31)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from ..kinds import Regime

PRESCRIPTION_YEARS = {
    Regime.B2B: 5,  # C. com. L110-4
    Regime.B2C: 2,  # C. conso L218-2
    Regime.PUBLIC: 4,  # loi 68-1250, art. 1 (prescription quadriennale)
}


@dataclass(frozen=True)
class Prescription:
    """The last day to act, and the acknowledgments that came too late to count."""

    start: date
    last_day: date
    start_is_due_date: bool  # neither delivery nor completion known
    too_late: tuple[date, ...] = ()


def prescription_start(due_date: date, delivery_date: date | None = None) -> date:
    """The earlier of delivery (or completion) and due date."""
    return min(due_date, delivery_date) if delivery_date else due_date


def prescription(
    due_date: date,
    regime: Regime,
    *,
    delivery_date: date | None = None,
    acknowledgments: Iterable[date] = (),
    demands: Iterable[date] = (),
) -> Prescription:
    """The prescription of one invoice: its start, its last day, the ignored acts.

    ``acknowledgments`` are the debtor's (part payments, signed plans, promises: never
    credit notes); ``demands`` the creditor's written demands for payment, which count
    only against a public buyer (loi 68-1250 art. 2).
    """
    start = prescription_start(due_date, delivery_date)
    interruptions = set(acknowledgments)
    if regime is Regime.PUBLIC:
        interruptions |= set(demands)
    last_day, too_late = _period_end(start, regime), []
    for day in sorted(day for day in interruptions if day >= start):
        if day > last_day:
            too_late.append(day)  # C. civ. 2240 interrupts a running period only
        else:
            last_day = _period_end(day, regime)
    return Prescription(start, last_day, delivery_date is None, tuple(too_late))


def prescription_date(
    start: date,
    regime: Regime,
    acknowledgments: Iterable[date] = (),
    demands: Iterable[date] = (),
) -> date:
    """The last day on which the creditor can still act, the period starting on ``start``."""
    return prescription(
        start, regime, delivery_date=start, acknowledgments=acknowledgments, demands=demands
    ).last_day


@functools.lru_cache(maxsize=4096)  # a run asks it for thousands of invoices, few dates
def _period_end(start: date, regime: Regime) -> date:
    years = PRESCRIPTION_YEARS[regime]
    if regime is Regime.PUBLIC:  # from 1 January after the start: 31 December, 4 years on
        return date(start.year + years, 12, 31)
    return start + relativedelta(years=years)
