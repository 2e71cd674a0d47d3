"""The reminder ladder and the decision of which step each overdue invoice reaches.

A ladder is an ordered list of levels, each reached a number of days after the due date
(negative: a courtesy notice before it). A run moves an invoice up at most one level,
never sooner than the level's minimum interval after the previous reminder, and never
while a pause holds. Invoices that reach a level are grouped per debtor, so a debtor
receives one letter listing all its invoices at that step.

>>> ladder = DEFAULT_LADDER
>>> [level.days_after_due for level in ladder]
[7, 21, 35, 45, 60]
>>> [level.code for level in ladder if level.formal_notice]
['mise_en_demeure']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from .pauses import Pause, active_pause

DEFAULT_MIN_INTERVAL_DAYS = 7


class Channel(str, Enum):
    EMAIL = "email"
    LETTER = "letter"
    REGISTERED_LETTER = "registered_letter"
    PHONE = "phone"


@dataclass(frozen=True)
class Level:
    sequence: int
    code: str
    name: str
    days_after_due: int
    channels: tuple[Channel, ...]
    document: str | None  # the template kind the level prints, if any
    min_days_since_previous: int = DEFAULT_MIN_INTERVAL_DAYS
    formal_notice: bool = False  # the mise en demeure (C. civ. 1344)
    ends_amicable: bool = False  # hands the claim over to the judicial phase


DEFAULT_LADDER = (
    Level(1, "relance_courtoise", "Courteous reminder", 7, (Channel.EMAIL,), "relance_courtoise"),
    Level(
        2,
        "relance_ferme",
        "Firm reminder",
        21,
        (Channel.EMAIL, Channel.LETTER),
        "relance_ferme",
    ),
    Level(
        3,
        "derniere_relance",
        "Last reminder",
        35,
        (Channel.EMAIL, Channel.LETTER, Channel.PHONE),
        "derniere_relance",
    ),
    Level(
        4,
        "mise_en_demeure",
        "Formal notice (mise en demeure)",
        45,
        (Channel.REGISTERED_LETTER, Channel.EMAIL),
        "mise_en_demeure",
        formal_notice=True,
    ),
    Level(5, "handoff", "Judicial handoff", 60, (Channel.PHONE,), None, ends_amicable=True),
)


@dataclass(frozen=True)
class OpenItem:
    """An invoice as the ladder sees it: where it stands, and what pauses it."""

    invoice: str
    debtor: str
    due_date: date
    balance: Decimal
    level: int = 0  # the sequence of the last level reached; 0 = never reminded
    last_reminder: date | None = None
    pauses: tuple[Pause, ...] = ()


@dataclass(frozen=True)
class Decision:
    item: OpenItem
    level: Level


@dataclass(frozen=True)
class Skip:
    item: OpenItem
    reason: str


@dataclass(frozen=True)
class RunPlan:
    """What a run does: decisions grouped per debtor and level, and why others wait."""

    groups: dict[tuple[str, int], list[Decision]]
    skipped: list[Skip]


def next_level(item: OpenItem, ladder: tuple[Level, ...]) -> Level | None:
    return next((level for level in ladder if level.sequence > item.level), None)


def decide(item: OpenItem, ladder: tuple[Level, ...], today: date) -> Decision | Skip:
    """Which level ``item`` reaches today, or why it does not move."""
    if item.balance <= 0:
        return Skip(item, "paid")
    pause = active_pause(item.pauses, today)
    if pause:
        return Skip(item, f"paused: {pause.reason.value}")
    level = next_level(item, ladder)
    if level is None:
        return Skip(item, "last level reached")
    if today < item.due_date + timedelta(days=level.days_after_due):
        return Skip(item, f"not yet due for {level.code}")
    if item.last_reminder and (today - item.last_reminder).days < level.min_days_since_previous:
        return Skip(item, f"reminded less than {level.min_days_since_previous} days ago")
    return Decision(item, level)


def plan_run(items: Iterable[OpenItem], ladder: tuple[Level, ...], today: date) -> RunPlan:
    """Decide for every item and group what moves per debtor and level."""
    groups: dict[tuple[str, int], list[Decision]] = {}
    skipped: list[Skip] = []
    for item in items:
        outcome = decide(item, ladder, today)
        if isinstance(outcome, Skip):
            skipped.append(outcome)
        else:
            groups.setdefault((item.debtor, outcome.level.sequence), []).append(outcome)
    return RunPlan(groups, skipped)
