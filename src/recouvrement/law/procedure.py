"""Court routes after the amicable phase, and their deadlines.

- PSRPC, procédure simplifiée de recouvrement des petites créances (CPCE L125-1,
  R125-1): open to claims of at most 5 000 € in principal and interest.
- Injonction de payer (CPC 1405 ff.): the order lapses unless served within six months
  of its date (CPC 1411); the debtor may object within one month of service (CPC 1416).

>>> psrpc_eligible(Decimal("4999.99"))
True
>>> service_deadline(date(2026, 3, 31))
datetime.date(2026, 9, 30)
>>> objection_deadline(date(2026, 1, 31))
datetime.date(2026, 2, 28)
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

PSRPC_LIMIT = Decimal("5000.00")  # R125-1 CPCE: "5 000 euros en principal et intérêts"
SERVICE_MONTHS = 6  # CPC 1411: "signifiée dans les six mois de sa date"
OBJECTION_MONTHS = 1  # CPC 1416: "dans le mois qui suit la signification"


def psrpc_eligible(principal_and_interest: Decimal) -> bool:
    """Whether the small-claims route (PSRPC) is open for this amount."""
    return Decimal(0) < principal_and_interest <= PSRPC_LIMIT


def service_deadline(order_date: date) -> date:
    """CPC 1411: the last day to serve an injonction de payer order."""
    return order_date + relativedelta(months=SERVICE_MONTHS)


def objection_deadline(service_date: date) -> date:
    """CPC 1416: the last day for the debtor's objection after service."""
    return service_date + relativedelta(months=OBJECTION_MONTHS)
