"""Late payment by a public buyer: Code de la commande publique L2192-13, R2192-31, D2192-35.

- R2192-31: interest at the ECB main refinancing rate in force on the first day of the
  half-year in which interest started to run, plus 8 points; the rate stays fixed for the
  whole delay (unlike L441-10, it is not reset every half-year).
- D2192-35: a flat 40 € indemnity for collection costs.

>>> table = RateTable.load(user_file=None)
>>> public_interest_rate(date(2026, 2, 1), table).value
Decimal('10.15')
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .half_year import HalfYear
from .rates import Rate, RateTable

PUBLIC_MARGIN_POINTS = Decimal(8)  # R2192-31: "majoré de huit points de pourcentage"
PUBLIC_FLAT_INDEMNITY = Decimal("40.00")  # D2192-35: "fixé à 40 euros"


def public_interest_rate(interest_start: date, table: RateTable, **lookup) -> Rate:
    """R2192-31: the ECB rate on the first day of the half-year when interest began, + 8."""
    half_year = HalfYear.containing(interest_start)
    mro = table.mro_in_force(half_year.start, **lookup)
    return Rate(mro.value + PUBLIC_MARGIN_POINTS, f"ECB {mro.value} % + 8 points", mro.provisional)
