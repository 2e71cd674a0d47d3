"""Calendar half-years (semestres), the unit in which French late-payment rates are fixed.

L441-10 II C. com. fixes the B2B penalty rate per half-year from the ECB rate in force on
1 January or 1 July; L313-2 C. mon. fin. publishes the legal interest rate per half-year.

>>> HalfYear.containing(date(2026, 4, 15))
HalfYear(year=2026, half=1)
>>> str(HalfYear(2026, 2))
'2026 H2'
>>> HalfYear(2026, 2).label_fr()
'second semestre 2026'
>>> HalfYear(2025, 2).next()
HalfYear(year=2026, half=1)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, order=True)
class HalfYear:
    year: int
    half: int  # 1 = January–June, 2 = July–December

    def __post_init__(self):
        if self.half not in (1, 2):
            raise ValueError(f"a half-year is 1 or 2, not {self.half}")

    @classmethod
    def containing(cls, day: date) -> HalfYear:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    def next(self) -> HalfYear:
        return HalfYear(self.year, 2) if self.half == 1 else HalfYear(self.year + 1, 1)

    def __str__(self) -> str:
        return f"{self.year} H{self.half}"

    def label_en(self) -> str:
        return f"the {'first' if self.half == 1 else 'second'} half of {self.year}"

    def label_fr(self) -> str:
        return f"{'premier' if self.half == 1 else 'second'} semestre {self.year}"


def split_by_half_year(start: date, end: date) -> list[tuple[date, date]]:
    """Cut the inclusive range start..end at every 1 January and 1 July.

    >>> split_by_half_year(date(2025, 12, 20), date(2026, 1, 10))
    [(datetime.date(2025, 12, 20), datetime.date(2025, 12, 31)), \
(datetime.date(2026, 1, 1), datetime.date(2026, 1, 10))]
    """
    pieces = []
    while start <= end:
        piece_end = min(end, HalfYear.containing(start).end)
        pieces.append((start, piece_end))
        start = piece_end + timedelta(days=1)
    return pieces
