"""Court routes after the amicable phase, and their deadlines.

- PSRPC, procédure simplifiée de recouvrement des petites créances (CPCE L125-1,
  R125-1): open to claims of at most 5 000 € in principal and interest.
- Injonction de payer (CPC 1405 ff.), as amended by the décret n° 2026-96 of 16 February
  2026 (JO 17 February 2026) for orders issued from 1 September 2026:
  - CPC 1411: the order lapses unless served within three months of its date (six months
    for an order issued before 1 September 2026);
  - CPC 1416 al. 1: the debtor may object within one month of service; al. 2: when
    service was not made to the debtor in person, the month runs from the first act
    served in person or, failing that, from the first seizure; that date is an input;
  - new orders: the creditor may proceed to enforcement when no objection notice has
    reached it within two months of service;
  - older orders, CPC 1422 (décret n° 2021-1322): "le délai d'opposition prévu au premier
    alinéa de l'article 1416 est suspensif d'exécution": enforcement from the day after
    the month that follows service;
  - every limit is counted as CPC 640-642 say and extended for a debtor overseas or
    abroad as CPC 643-644 say (:mod:`.time_limits`).

>>> psrpc_eligible(Decimal("4999.99"))
True
>>> service_deadline(date(2026, 3, 31))  # old rule: six months, 30 September (Wednesday)
datetime.date(2026, 9, 30)
>>> service_deadline(date(2026, 9, 1))  # new rule: three months, 1 December (Tuesday)
datetime.date(2026, 12, 1)
>>> objection_deadline(date(2026, 1, 31))  # 28 February 2026 is a Saturday
datetime.date(2026, 3, 2)
>>> enforcement_date(date(2026, 9, 15), date(2026, 10, 1))  # 1 December + 1 day
datetime.date(2026, 12, 2)
>>> enforceable_from(date(2026, 5, 4), date(2026, 6, 1))  # old order: 1 July + 1 day
datetime.date(2026, 7, 2)
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .time_limits import Place, deadline, extra_months

PSRPC_LIMIT = Decimal("5000.00")  # R125-1 CPCE: "5 000 euros en principal et intérêts"
DECREE_2026_96_START = date(2026, 9, 1)  # décret n° 2026-96, orders issued from this date
SERVICE_MONTHS_BEFORE = 6  # CPC 1411 before the décret: "dans les six mois de sa date"
SERVICE_MONTHS = 3  # CPC 1411 for orders from 1 September 2026: three months
OBJECTION_MONTHS = 1  # CPC 1416: "dans le mois qui suit la signification"
ENFORCEMENT_MONTHS = 2  # décret 2026-96: no objection notice within two months of service


def psrpc_eligible(principal_and_interest: Decimal) -> bool:
    """Whether the small-claims route (PSRPC) is open for this amount."""
    return Decimal(0) < principal_and_interest <= PSRPC_LIMIT


def new_rules_apply(order_date: date) -> bool:
    """The date of the order picks the rule: décret 2026-96 from 1 September 2026."""
    return order_date >= DECREE_2026_96_START


def service_months(order_date: date) -> int:
    """CPC 1411: the months to serve the order, 3 from 1 September 2026, else 6."""
    return SERVICE_MONTHS if new_rules_apply(order_date) else SERVICE_MONTHS_BEFORE


def service_deadline(order_date: date, court: Place | None = None) -> date:
    """CPC 1411: the last day to serve the order (3 months from 1 September 2026, else 6)."""
    return deadline(order_date, service_months(order_date), court)


def objection_months(debtor: Place | None = None, court: Place | None = None) -> int:
    """CPC 1416's month, plus CPC 643-644's for a debtor overseas or abroad."""
    return OBJECTION_MONTHS + extra_months(debtor, court)


def objection_deadline(
    service_date: date,
    *,
    objection_start: date | None = None,
    debtor: Place | None = None,
    court: Place | None = None,
) -> date:
    """CPC 1416: the last day for the debtor's objection.

    ``objection_start`` is the first act served in person, or the first seizure, when the
    order itself was not served in person (1416 al. 2). A debtor overseas or abroad gets
    the extra months of CPC 643-644, added to the month of 1416.
    """
    start = objection_start or service_date
    return deadline(start, objection_months(debtor, court), court)


def enforcement_date(
    order_date: date, service_date: date, court: Place | None = None
) -> date | None:
    """The first day enforcement may proceed without an objection notice (new orders).

    Two months from service, counted as CPC 641-642 say; enforcement may start the day
    after. None for an order issued before 1 September 2026.
    """
    if not new_rules_apply(order_date):
        return None
    return deadline(service_date, ENFORCEMENT_MONTHS, court) + timedelta(days=1)


def enforceable_from(
    order_date: date,
    service_date: date,
    *,
    debtor: Place | None = None,
    court: Place | None = None,
) -> date:
    """The first day a served order may be enforced when the debtor has not objected.

    An order from 1 September 2026: :func:`enforcement_date`. An older one: CPC 1422, the
    objection period of 1416 al. 1 (from service, with CPC 643-644's extra months)
    suspends enforcement, which may start the day after it ends.
    """
    new_rules = enforcement_date(order_date, service_date, court)
    if new_rules is not None:
        return new_rules
    return objection_deadline(service_date, debtor=debtor, court=court) + timedelta(days=1)
