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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

from ..documents.filters import date_fr
from ..errors import MissingRate, RateFileError
from ..kinds import CreditorKind
from ..messages import Message
from .half_year import HalfYear

MRO = "mro"
LEGAL_SERIES = {
    CreditorKind.INDIVIDUAL: "legal_individual",
    CreditorKind.COMPANY: "legal_other",
}
SERIES_NAMES = {
    MRO: "taux de refinancement de la BCE",
    "legal_individual": "taux de l'intérêt légal (créancier personne physique)",
    "legal_other": "taux de l'intérêt légal (autres cas)",
}
COLUMNS = ["series", "date", "rate", "source"]


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

    def __init__(self, rows: Iterable[RateRow], user_file: Path | None = None):
        self.user_file = user_file  # named in the MissingRate message
        self._cache: dict[tuple, Rate] = {}
        by_key = {(row.series, row.day): row for row in rows}
        self._series: dict[str, list[RateRow]] = {}
        for row in sorted(by_key.values(), key=lambda row: row.day):
            self._series.setdefault(row.series, []).append(row)

    @classmethod
    def load(cls, user_file: Path | None = None) -> RateTable:
        """The shipped rows, overridden by ``user_file`` when it exists."""
        shipped = resources.files("recouvrement.law").joinpath("data/rates.csv")
        rows = read_rate_rows(shipped.read_text(encoding="utf-8"), origin="rates.csv livré")
        if user_file is not None and Path(user_file).exists():
            rows += read_rate_rows(Path(user_file).read_text(encoding="utf-8"), str(user_file))
        return cls(rows, user_file)

    @classmethod
    def for_user(cls, explicit_file: Path | None = None) -> RateTable:
        """The table with the user's rate file: ``explicit_file`` (``--rates``), which must
        exist, else :func:`default_user_rate_file` when it exists."""
        if explicit_file is None:
            return cls.load(default_user_rate_file())
        if not Path(explicit_file).is_file():
            raise RateFileError(
                Message.build(
                    "rate_file_missing",
                    "le fichier de taux {file} n'existe pas : vérifiez le chemin, ou créez-le "
                    "avec « recouvrement update-rates --rates {file} »",
                    file=str(explicit_file),
                )
            )
        return cls.load(explicit_file)

    def cached(self, key: tuple, compute: Callable[[], Rate]) -> Rate:
        """``compute()``, once per ``key`` for this table: its rows never change, and a
        run asks the rate of the same half-year for thousands of claims. An error (a
        missing rate) is raised every time, never kept."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def rows(self, series: str) -> list[RateRow]:
        return list(self._series.get(series, []))

    def mro_in_force(self, day: date, *, provisional_ok: bool = False) -> Rate:
        """The ECB main refinancing rate in force on ``day``."""
        rows = self._series.get(MRO, [])
        position = bisect.bisect_right([row.day for row in rows], day)
        if position == 0:
            raise self._missing(MRO, HalfYear.containing(day))
        row = rows[position - 1]
        if position == len(rows) and day > row.day:
            return self._carried_forward(row, MRO, HalfYear.containing(day), provisional_ok)
        decision = position - 1  # a later row may only confirm the rate: cite the decision
        while decision > 0 and rows[decision - 1].rate == row.rate:
            decision -= 1
        since = rows[decision]
        return Rate(row.rate, f"{since.source}, en vigueur depuis le {date_fr(since.day)}")

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
            return self._carried_forward(rows[-1], series, half_year, provisional_ok)
        raise self._missing(series, half_year)

    def _carried_forward(
        self, last: RateRow, series: str, half_year: HalfYear, allowed: bool
    ) -> Rate:
        if not allowed:
            raise self._missing(series, half_year)
        source = f"provisoire : dernier taux connu ({last.day.isoformat()}) reporté"
        return Rate(last.rate, source, provisional=True)

    def _missing(self, series: str, half_year: HalfYear) -> MissingRate:
        """The error for a missing rate, saying what to do and which row to add where."""
        where = str(self.user_file) if self.user_file else "votre fichier de taux (--rates)"
        if series == MRO:
            template = (
                "aucun {series} n'est connu pour le {half_year} ({short}) : lancez "
                "« recouvrement update-rates », ou ajoutez à {file} une ligne "
                "« mro,DATE,TAUX,SOURCE » datée du {start} ou après (le taux en vigueur ce "
                "jour-là, avec sa source) ; ou demandez des taux provisoires (--provisional)"
            )
        else:
            template = (
                "aucun {series} n'est connu pour le {half_year} ({short}) : ajoutez à {file} "
                "la ligne « {name},{start_iso},TAUX,SOURCE » (le taux de l'arrêté publié au "
                "Journal officiel pour ce semestre ; update-rates ne lit que la série de la "
                "BCE) ; ou demandez des taux provisoires (--provisional)"
            )
        message = Message.build(
            "missing_rate",
            template,
            series=SERIES_NAMES[series],
            half_year=half_year,
            short=str(half_year),
            file=where,
            name=series,
            start=half_year.start,
            start_iso=half_year.start.isoformat(),
        )
        return MissingRate(message, series, half_year)


def read_rate_rows(text: str, origin: str) -> list[RateRow]:
    """Parse a rate file, naming ``origin`` and the line in any error."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != COLUMNS:
        raise RateFileError(f"{origin} : l'en-tête doit être {','.join(COLUMNS)}")
    return [_parse_row(record, f"{origin}, ligne {reader.line_num}") for record in reader]


def _parse_row(record: dict, where: str) -> RateRow:
    if None in record or None in record.values():
        raise RateFileError(
            f"{where} : il faut 4 colonnes ({','.join(COLUMNS)}) ; mettez entre guillemets une "
            "source qui contient une virgule"
        )
    series = record["series"]
    if series not in SERIES_NAMES:
        raise RateFileError(
            f"{where} : série inconnue {series!r} (mro, legal_individual ou legal_other)"
        )
    try:
        day = date.fromisoformat(record["date"])
    except (TypeError, ValueError):
        raise RateFileError(f"{where} : {record['date']!r} n'est pas une date AAAA-MM-JJ") from None
    try:
        rate = Decimal(record["rate"])
    except (TypeError, InvalidOperation):
        raise RateFileError(
            f"{where} : {record['rate']!r} n'est pas un taux en pourcentage"
        ) from None
    if not rate.is_finite() or not Decimal(-10) <= rate <= Decimal(100):
        raise RateFileError(f"{where} : le taux {rate} est hors des bornes (-10 à 100)")
    if series != MRO and day != HalfYear.containing(day).start:
        raise RateFileError(
            f"{where} : un taux de l'intérêt légal commence le 1er janvier ou le 1er juillet"
        )
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
