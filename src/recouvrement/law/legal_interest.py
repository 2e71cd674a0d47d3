"""Interest owed by a consumer: Code civil 1231-6, 1344 and 1344-1.

A consumer owes interest at the legal rate (L313-2 C. mon. fin., the rate of the
creditor's kind for each half-year) only from the mise en demeure, and owes no flat
indemnity and no collection costs (L111-8 CPCE).

>>> table = RateTable.load(user_file=None)
>>> consumer_interest_rate(HalfYear(2026, 1), CreditorKind.COMPANY, table).value
Decimal('2.62')
>>> consumer_interest_start(date(2026, 1, 15), date(2026, 3, 2))
datetime.date(2026, 3, 3)
"""

from __future__ import annotations

from datetime import date, timedelta

from ..kinds import CreditorKind
from .half_year import HalfYear
from .rates import Rate, RateTable


def consumer_interest_rate(
    half_year: HalfYear, creditor: CreditorKind, table: RateTable, **lookup
) -> Rate:
    """C. civ. 1231-6: the legal rate; L313-2: the creditor's kind chooses the rate."""
    return table.legal_rate(half_year, creditor, **lookup)


def consumer_interest_start(due_date: date, notice_received: date | None) -> date | None:
    """C. civ. 1344-1: interest runs from the receipt of the mise en demeure, not before.

    The day of receipt is counted like the due date: interest starts the day after it.
    Without a received mise en demeure no interest runs (None).
    """
    if notice_received is None:
        return None
    return max(due_date, notice_received) + timedelta(days=1)
