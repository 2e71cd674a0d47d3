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
from dataclasses import dataclass, field
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
    last_reminder: date | None = None  # the day the last reminder went out
    pauses: tuple[Pause, ...] = ()
    awaiting_sending: bool = False  # the reminder of ``level`` has not gone out yet
    notice_received: date | None = None  # the receipt of the mise en demeure, if known


@dataclass(frozen=True)
class Decision:
    item: OpenItem
    level: Level


class SkipCode(str, Enum):
    """Why an invoice does not move in a run, for grouping and counting."""

    PAID = "paid"
    PAUSED = "paused"
    LAST_LEVEL = "last_level"
    NOT_YET_DUE = "not_yet_due"  # the next level's day after the due date is not reached
    TOO_SOON = "too_soon"  # the minimum interval since the previous reminder runs
    NOT_SENT = "not_sent"  # the reminder of the level reached has not gone out yet


@dataclass(frozen=True)
class Skip:
    item: OpenItem
    code: SkipCode
    reason: str  # the same, in words, with the pause or the level concerned
    # What the reason names, for a translated text: the pause (its reason's value), the
    # level not yet due (its sequence), the minimum interval (days), or whether the
    # reminder not sent is a formal notice.
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RunPlan:
    """What a run does: decisions grouped per debtor and level, and why others wait."""

    groups: dict[tuple[str, int], list[Decision]]
    skipped: list[Skip]


def next_level(item: OpenItem, ladder: tuple[Level, ...]) -> Level | None:
    return next((level for level in ladder if level.sequence > item.level), None)


def current_level(item: OpenItem, ladder: tuple[Level, ...]) -> Level | None:
    return next((level for level in ladder if level.sequence == item.level), None)


def awaits_sending(item: OpenItem, ladder: tuple[Level, ...]) -> bool:
    """Whether the reminder of the level reached has not gone out: a mise en demeure
    without a sending day has not, whatever the caller says.

    >>> notice = next(level for level in DEFAULT_LADDER if level.formal_notice)
    >>> awaits_sending(OpenItem("F1", "ACME", date(2026, 3, 1), Decimal(1), notice.sequence),
    ...                DEFAULT_LADDER)
    True
    """
    if item.awaiting_sending:
        return True
    current = current_level(item, ladder)
    return bool(current and current.formal_notice and not item.last_reminder)


def _interval_start(item: OpenItem, ladder: tuple[Level, ...]) -> date | None:
    """The day the minimum interval counts from: the last reminder's sending, or the
    receipt of a mise en demeure when it is known."""
    current = current_level(item, ladder)
    if current and current.formal_notice and item.notice_received:
        return max(day for day in (item.notice_received, item.last_reminder) if day)
    return item.last_reminder


def _earliest_days(
    item: OpenItem, level: Level, ladder: tuple[Level, ...]
) -> tuple[date, date | None]:
    """The first day ``level`` may be reached: by the due date, and by the interval rule."""
    by_due_date = item.due_date + timedelta(days=level.days_after_due)
    start = _interval_start(item, ladder)
    by_interval = start + timedelta(days=level.min_days_since_previous) if start else None
    return by_due_date, by_interval


def next_action_date(item: OpenItem, ladder: tuple[Level, ...]) -> date | None:
    """The first day the next level may be reached, pauses aside; None after the last,
    and while the last reminder has not gone out (no day can be told yet)."""
    level = next_level(item, ladder)
    if level is None or awaits_sending(item, ladder):
        return None
    return max(day for day in _earliest_days(item, level, ladder) if day is not None)


def decide(item: OpenItem, ladder: tuple[Level, ...], today: date) -> Decision | Skip:
    """Which level ``item`` reaches today, or why it does not move."""
    if item.balance <= 0:
        return Skip(item, SkipCode.PAID, "paid")
    pause = active_pause(item.pauses, today)
    if pause:
        reason = pause.reason.value
        return Skip(item, SkipCode.PAUSED, f"paused: {reason}", {"pause": reason})
    level = next_level(item, ladder)
    if level is None:
        return Skip(item, SkipCode.LAST_LEVEL, "last level reached")
    if awaits_sending(item, ladder):
        current = current_level(item, ladder)
        notice = bool(current and current.formal_notice)
        what = "formal notice" if notice else "reminder"
        return Skip(item, SkipCode.NOT_SENT, f"{what} not sent yet", {"formal_notice": notice})
    by_due_date, by_interval = _earliest_days(item, level, ladder)
    if today < by_due_date:
        return Skip(
            item, SkipCode.NOT_YET_DUE, f"not yet due for {level.code}", {"level": level.sequence}
        )
    if by_interval and today < by_interval:
        days = level.min_days_since_previous
        return Skip(item, SkipCode.TOO_SOON, f"reminded less than {days} days ago", {"days": days})
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
