"""The mise en demeure: Code civil 1344 and 1344-1.

A creditor puts the debtor on notice by a letter that demands payment within a deadline
(eight days from receipt is the practice) and states the lawful next step. For a
consumer, it is what starts legal interest (1344-1). It does not interrupt prescription.
It is sent by registered letter with acknowledgment of receipt (LRAR) or qualified
electronic registered letter (LRE, CPCE L100).

>>> payment_deadline(date(2026, 6, 30))
datetime.date(2026, 7, 15)
"""

from __future__ import annotations

from datetime import date, timedelta

DEADLINE_DAYS = 8  # days from receipt to pay: the practice (french-law.md §4)
DELIVERY_DAYS = 7  # a registered letter is presented within a few days; a margin for it
NEXT_STEP = (
    "une requête en injonction de payer devant la juridiction compétente (articles 1405 "
    "et suivants du Code de procédure civile), afin d'obtenir un titre exécutoire"
)


def payment_deadline(sent_on: date) -> date:
    """The date printed as the deadline: delivery margin plus eight days from receipt."""
    return sent_on + timedelta(days=DELIVERY_DAYS + DEADLINE_DAYS)
