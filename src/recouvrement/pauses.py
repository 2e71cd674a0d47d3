"""What pauses the reminder ladder: disputes, promises to pay, payment plans, insolvency.

- A dispute pauses escalation until it is resolved: no mise en demeure while the debt is
  contested, and reminding during a dispute can be an aggressive practice (C. conso
  L121-6 and L121-7; french-law.md §4 and §9).
- A promise to pay pauses it until the promised date; a payment plan (échéancier) pauses
  it while every instalment due so far is paid, and escalation resumes as soon as one is
  missed.
- Insolvency proceedings (sauvegarde, redressement, liquidation) stop reminders for good:
  the claim is declared to the mandataire instead (C. com. L622-21, L622-24).
- A manual block holds until it is lifted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum


class PauseReason(str, Enum):
    DISPUTE = "dispute"
    PROMISE = "promise"
    PAYMENT_PLAN = "payment_plan"
    INSOLVENCY = "insolvency"
    MANUAL = "manual"


@dataclass(frozen=True)
class Instalment:
    due_date: date
    amount: Decimal
    paid: Decimal = Decimal(0)

    def missed_on(self, today: date) -> bool:
        return self.due_date < today and self.paid < self.amount


@dataclass(frozen=True)
class Pause:
    """One reason the ladder stops for an invoice, with what ends it."""

    reason: PauseReason
    since: date
    until: date | None = None  # a promise's date; a resolved dispute's resolution date
    instalments: tuple[Instalment, ...] = ()
    note: str = ""

    def holds_on(self, today: date) -> bool:
        """Whether escalation is still paused on ``today``."""
        if today < self.since:
            return False
        if self.reason is PauseReason.PAYMENT_PLAN:
            return not self.missed_instalment(today)
        if self.reason is PauseReason.INSOLVENCY:
            return True
        return self.until is None or today <= self.until

    def missed_instalment(self, today: date) -> Instalment | None:
        return next((item for item in self.instalments if item.missed_on(today)), None)


def active_pause(pauses: tuple[Pause, ...], today: date) -> Pause | None:
    """The first pause still holding on ``today``, if any."""
    return next((pause for pause in pauses if pause.holds_on(today)), None)
