"""Insolvency proceedings stop interest: Code de commerce L622-28 (and L631-14, L641-3).

"Le jugement d'ouverture arrête le cours des intérêts légaux et conventionnels, ainsi que
de tous intérêts de retard et majorations" (L622-28 al. 1, sauvegarde; applied to
redressement by L631-14 and to liquidation by L641-3). Penalties and interest therefore
run up to the day before the opening judgment and no further; the claim is declared to
the mandataire judiciaire (L622-24) instead of being pursued.

>>> last_accrual_day(date(2026, 3, 10))
datetime.date(2026, 3, 9)
"""

from __future__ import annotations

from datetime import date, timedelta


def last_accrual_day(opening_judgment: date) -> date:
    """L622-28: the last day penalties and interest run, the day before the judgment."""
    return opening_judgment - timedelta(days=1)
