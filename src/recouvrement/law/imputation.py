"""How a part payment is applied: the simple method, or Code civil 1343-1.

- ``simple`` (the engine's default, french-law.md §3): a payment lowers the principal
  from the next day on; the penalties accrued stay owed in full.
- ``1343-1``: "le paiement partiel s'impute d'abord sur les intérêts" (C. civ. 1343-1
  al. 1): a payment first settles the interest or penalties accrued up to its day, and
  only the rest lowers the principal. Credit notes are not payments: they lower the
  principal. The 40 € indemnity is not interest and is never settled this way.

>>> Imputation.INTEREST_FIRST.split(Decimal("1000"), Decimal("99.86"))
(Decimal('99.86'), Decimal('900.14'))
>>> Imputation.SIMPLE.label_fr()
'simple (chaque paiement réduit le principal dès le lendemain)'
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

from ..errors import InvalidClaim
from ..messages import Message

LABELS_FR = {
    "simple": "simple (chaque paiement réduit le principal dès le lendemain)",
    "1343-1": "imputation des paiements sur les intérêts d'abord (art. 1343-1 C. civ.)",
}


class Imputation(str, Enum):
    SIMPLE = "simple"
    INTEREST_FIRST = "1343-1"

    @classmethod
    def parse(cls, value: str) -> Imputation:
        try:
            return cls(value)
        except ValueError:
            raise InvalidClaim(
                Message.build(
                    "unknown_method",
                    "méthode d'imputation inconnue {value} : choisissez simple ou 1343-1",
                    value=repr(value),
                )
            ) from None

    def label_fr(self) -> str:
        return LABELS_FR[self.value]

    def split(self, payment: Decimal, unpaid_interest: Decimal) -> tuple[Decimal, Decimal]:
        """The part of ``payment`` applied to interest, and the part to the principal."""
        if self is Imputation.SIMPLE:
            return Decimal(0), payment
        to_interest = min(payment, max(unpaid_interest, Decimal(0)))
        return to_interest, payment - to_interest
