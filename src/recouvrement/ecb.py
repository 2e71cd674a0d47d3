"""Fetch the ECB main refinancing rate from the ECB Data Portal into the user's rate file.

The series FM.B.U2.EUR.4F.KR.MRR_FR.LEV lists the MRO fixed rate at each change date.
The fetched series is validated as a whole before anything is written; a time-out, a
server error or malformed data raises :class:`RateUpdateError` and leaves the existing
file untouched. Rows of other series already in the file are kept.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .documents.filters import date_fr
from .errors import RateFileError, RateUpdateError
from .law.rates import MRO, RateRow, read_rate_rows, write_rate_rows

SERIES_KEY = "FM.B.U2.EUR.4F.KR.MRR_FR.LEV"
DEFAULT_URL = "https://data-api.ecb.europa.eu/service/data/FM/B.U2.EUR.4F.KR.MRR_FR.LEV"
PLAUSIBLE_RANGE = (Decimal(-5), Decimal(25))


@dataclass(frozen=True)
class UpdateSummary:
    path: Path
    rows_written: int
    in_force: RateRow


def update_rate_file(
    path: Path,
    url: str = DEFAULT_URL,
    *,
    today: date | None = None,
    timeout: float = 15.0,
    retries: int = 2,
    backoff: float = 0.5,
) -> UpdateSummary:
    """Replace the ``mro`` rows of the rate file at ``path`` with the ECB's series."""
    existing = _read_existing(path)
    fetched = fetch_mro_rows(url, today=today, timeout=timeout, retries=retries, backoff=backoff)
    write_rate_rows(path, [*(row for row in existing if row.series != MRO), *fetched])
    return UpdateSummary(Path(path), len(fetched), fetched[-1])


def fetch_mro_rows(
    url: str = DEFAULT_URL,
    *,
    today: date | None = None,
    timeout: float = 15.0,
    retries: int = 2,
    backoff: float = 0.5,
) -> list[RateRow]:
    """The ECB's ``mro`` series, validated, as rate rows (a last row dated ``today``)."""
    text = _download(url, timeout, retries, backoff)
    return parse_ecb_csv(text, fetched_on=today or date.today())


def _read_existing(path: Path) -> list[RateRow]:
    if not Path(path).exists():
        return []
    try:
        return read_rate_rows(Path(path).read_text(encoding="utf-8"), str(path))
    except RateFileError as error:
        raise RateUpdateError(f"mise à jour impossible : {error}") from None


def _download(url: str, timeout: float, retries: int, backoff: float) -> str:
    retry = Retry(
        total=retries,
        read=False,  # a slow server is not asked again: the time-out is the user's limit
        backoff_factor=backoff,
        status_forcelist=(500, 502, 503, 504),
        allowed_methods={"GET"},
    )
    with requests.Session() as session:
        session.mount("http://", HTTPAdapter(max_retries=retry))
        session.mount("https://", HTTPAdapter(max_retries=retry))
        try:
            response = session.get(url, params={"format": "csvdata"}, timeout=timeout)
            response.raise_for_status()
        except requests.Timeout:
            raise RateUpdateError(
                f"le portail de données de la BCE n'a pas répondu en {timeout} s"
            ) from None
        except requests.RequestException as error:
            raise RateUpdateError(
                f"la requête au portail de données de la BCE a échoué : {error}"
            ) from None
    return response.text


def parse_ecb_csv(text: str, fetched_on: date) -> list[RateRow]:
    """Validate the ECB's ``csvdata`` answer and turn it into ``mro`` rows.

    The series only lists change dates, so a last row dated ``fetched_on`` records that
    the last rate was still in force that day.
    """
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"TIME_PERIOD", "OBS_VALUE"} <= set(reader.fieldnames):
        raise RateUpdateError(
            "réponse de la BCE mal formée : pas de colonnes TIME_PERIOD et OBS_VALUE"
        )
    source = f"portail de données de la BCE, série {SERIES_KEY}, relevée le {date_fr(fetched_on)}"
    rows = [_parse_observation(record, reader.line_num, source) for record in reader]
    if not rows:
        raise RateUpdateError("réponse de la BCE mal formée : la série n'a aucune observation")
    rows.sort(key=lambda row: row.day)
    if len({row.day for row in rows}) != len(rows):
        raise RateUpdateError("réponse de la BCE mal formée : une date figure deux fois")
    if rows[-1].day > fetched_on:
        raise RateUpdateError(
            f"réponse de la BCE mal formée : une observation est datée du {rows[-1].day}"
        )
    if rows[-1].day < fetched_on:
        rows.append(RateRow(MRO, fetched_on, rows[-1].rate, f"{source} : toujours en vigueur"))
    return rows


def _parse_observation(record: dict, line: int, source: str) -> RateRow:
    try:
        day = date.fromisoformat(record["TIME_PERIOD"])
        rate = Decimal(record["OBS_VALUE"])
    except (TypeError, ValueError, InvalidOperation):
        raise RateUpdateError(
            f"réponse de la BCE mal formée, ligne {line} : "
            f"{record.get('TIME_PERIOD')!r}, {record.get('OBS_VALUE')!r}"
        ) from None
    low, high = PLAUSIBLE_RANGE
    if not rate.is_finite() or not low <= rate <= high:
        raise RateUpdateError(
            f"réponse de la BCE mal formée, ligne {line} : taux invraisemblable {rate}"
        )
    return RateRow(MRO, day, rate, source)
