"""Rate tables: the ECB main refinancing rate and the French legal interest rate.

Both are published figures, not law, so they live in data: ``data/rates.csv`` ships one
row per value with its source, and a user rate file (same columns) adds or overrides rows.

- ``mro``: the ECB main refinancing operations rate, one row per effective date (series
  FM.B.U2.EUR.4F.KR.MRR_FR.LEV). The last row also marks how far the series is known: a
  day after it has no confirmed rate.
- ``legal_individual`` / ``legal_other``: the taux de l'intérêt légal (L313-2 C. mon.
  fin., D313-1-A) for a creditor who is a private person, and for all other cases; one
  row per half-year, dated 1 January or 1 July.

A missing rate is never guessed: it raises :class:`MissingRate` naming the half-year,
unless the caller opts in to carrying the last known rate forward, in which case the
returned :class:`Rate` is flagged provisional.

>>> table = RateTable.load(user_file=None)
>>> table.mro_in_force(date(2026, 1, 1)).value
Decimal('2.15')
>>> table.legal_rate(HalfYear(2026, 1), CreditorKind.COMPANY).value
Decimal('2.62')
"""

from __future__ import annotations

import bisect
import csv
import io
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

from ..errors import MissingRate, RateFileError
from ..kinds import CreditorKind
from .half_year import HalfYear

MRO = "mro"
LEGAL_SERIES = {
    CreditorKind.INDIVIDUAL: "legal_individual",
    CreditorKind.COMPANY: "legal_other",
}
SERIES_NAMES = {
    MRO: "ECB main refinancing",
    "legal_individual": "legal interest (private-person creditor)",
    "legal_other": "legal interest (all other cases)",
}
COLUMNS = ["series", "date", "rate", "source"]
MISSING_RATE_HINT = (
    "run `recouvrement update-rates`, add the row to your rate file, "
    "or allow provisional rates explicitly"
)


@dataclass(frozen=True)
class RateRow:
    series: str
    day: date
    rate: Decimal
    source: str


@dataclass(frozen=True)
class Rate:
    """A rate in percent, where it comes from, and whether it was carried forward."""

    value: Decimal
    source: str
    provisional: bool = False


def default_user_rate_file() -> Path:
    """``$RECOUVREMENT_RATES``, else ``$XDG_CONFIG_HOME/recouvrement/rates.csv``."""
    if os.environ.get("RECOUVREMENT_RATES"):
        return Path(os.environ["RECOUVREMENT_RATES"])
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config) / "recouvrement" / "rates.csv"


class RateTable:
    """All known rates, by series, sorted by date; later rows override earlier ones."""

    def __init__(self, rows: Iterable[RateRow]):
        by_key = {(row.series, row.day): row for row in rows}
        self._series: dict[str, list[RateRow]] = {}
        for row in sorted(by_key.values(), key=lambda row: row.day):
            self._series.setdefault(row.series, []).append(row)

    @classmethod
    def load(cls, user_file: Path | None = None) -> RateTable:
        """The shipped rows, overridden by ``user_file`` when it exists."""
        shipped = resources.files("recouvrement.law").joinpath("data/rates.csv")
        rows = read_rate_rows(shipped.read_text(encoding="utf-8"), origin="shipped rates.csv")
        if user_file is not None and Path(user_file).exists():
            rows += read_rate_rows(Path(user_file).read_text(encoding="utf-8"), str(user_file))
        return cls(rows)

    def rows(self, series: str) -> list[RateRow]:
        return list(self._series.get(series, []))

    def mro_in_force(self, day: date, *, provisional_ok: bool = False) -> Rate:
        """The ECB main refinancing rate in force on ``day``."""
        rows = self._series.get(MRO, [])
        position = bisect.bisect_right([row.day for row in rows], day)
        if position == 0:
            raise MissingRate(SERIES_NAMES[MRO], HalfYear.containing(day), MISSING_RATE_HINT)
        row = rows[position - 1]
        if position == len(rows) and day > row.day:
            return _carried_forward(row, MRO, HalfYear.containing(day), provisional_ok)
        return Rate(row.rate, row.source)

    def legal_rate(
        self, half_year: HalfYear, creditor: CreditorKind, *, provisional_ok: bool = False
    ) -> Rate:
        """The legal interest rate of ``half_year`` for this kind of creditor."""
        series = LEGAL_SERIES[creditor]
        rows = self._series.get(series, [])
        for row in rows:
            if row.day == half_year.start:
                return Rate(row.rate, row.source)
        if rows and half_year.start > rows[-1].day:
            return _carried_forward(rows[-1], series, half_year, provisional_ok)
        raise MissingRate(SERIES_NAMES[series], half_year, MISSING_RATE_HINT)


def _carried_forward(last: RateRow, series: str, half_year: HalfYear, allowed: bool) -> Rate:
    if not allowed:
        raise MissingRate(SERIES_NAMES[series], half_year, MISSING_RATE_HINT)
    source = f"provisional: last known rate ({last.day.isoformat()}) carried forward"
    return Rate(last.rate, source, provisional=True)


def read_rate_rows(text: str, origin: str) -> list[RateRow]:
    """Parse a rate file, naming ``origin`` and the line in any error."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != COLUMNS:
        raise RateFileError(f"{origin}: the header must be {','.join(COLUMNS)}")
    return [_parse_row(record, f"{origin}, line {reader.line_num}") for record in reader]


def _parse_row(record: dict, where: str) -> RateRow:
    series = record["series"]
    if series not in SERIES_NAMES:
        raise RateFileError(f"{where}: unknown series {series!r}")
    try:
        day = date.fromisoformat(record["date"])
    except (TypeError, ValueError):
        raise RateFileError(f"{where}: {record['date']!r} is not a YYYY-MM-DD date") from None
    try:
        rate = Decimal(record["rate"])
    except (TypeError, InvalidOperation):
        raise RateFileError(f"{where}: {record['rate']!r} is not a rate in percent") from None
    if not rate.is_finite() or not Decimal(-10) <= rate <= Decimal(100):
        raise RateFileError(f"{where}: rate {rate} is out of range")
    if series != MRO and day != HalfYear.containing(day).start:
        raise RateFileError(f"{where}: a legal interest rate starts on 1 January or 1 July")
    return RateRow(series, day, rate, (record["source"] or "").strip())


def write_rate_rows(path: Path, rows: Iterable[RateRow]) -> None:
    """Write a rate file atomically: readers see the old file or the new one, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in sorted(rows, key=lambda row: (row.series, row.day)):
        writer.writerow([row.series, row.day.isoformat(), format(row.rate, "f"), row.source])
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".rates-", suffix=".csv")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(buffer.getvalue())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
