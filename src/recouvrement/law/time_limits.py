"""How a procedural time limit is counted: Code de procédure civile 640 to 644.

- 640-641: a limit runs from the act, event or notification that starts it; a limit in
  months ends on the day of the last month with the same number, or on that month's last
  day when it has none ("à défaut d'un quantième identique, le délai expire le dernier
  jour du mois").
- 642: "le délai qui expirerait normalement un samedi, un dimanche ou un jour férié ou
  chômé, est prorogé jusqu'au premier jour ouvrable suivant". Public holidays come from
  the ``holidays`` library's France calendar, with the court's local ones: Good Friday
  and 26 December in Alsace-Moselle (Bas-Rhin, Haut-Rhin, Moselle), the abolition of
  slavery overseas.
- 643-644: the limits to object, appeal or appear are extended by one month for a party
  living overseas (or in metropolitan France before an overseas court), two months for a
  party living abroad. Here a French postcode 97x/98x is overseas, another country abroad.

>>> add_months(date(2026, 1, 31), 1)
datetime.date(2026, 2, 28)
>>> next_working_day(date(2026, 12, 26))  # a Saturday
datetime.date(2026, 12, 28)
>>> next_working_day(date(2026, 4, 3), Place("FR", "67000"))  # Strasbourg: Good Friday, Easter
datetime.date(2026, 4, 7)
>>> extra_months(debtor=Place("FR", "97200"), court=Place("FR", "69003"))
1
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta

SATURDAY = 5
OVERSEAS_EXTRA_MONTHS = 1  # CPC 643 1° and 644: "augmentés d'un mois"
ABROAD_EXTRA_MONTHS = 2  # CPC 643 2° and 644: "de deux mois pour les personnes qui
#                          demeurent à l'étranger"

# The holidays library's France subdivision for a department (the postcode's first digits).
HOLIDAY_SUBDIVISIONS = {
    "57": "57",  # Moselle
    "67": "6AE",  # Bas-Rhin (Alsace)
    "68": "6AE",  # Haut-Rhin (Alsace)
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "975": "PM",  # Saint-Pierre-et-Miquelon
    "976": "976",
    "977": "BL",  # Saint-Barthélemy
    "978": "MF",  # Saint-Martin
    "986": "WF",  # Wallis-et-Futuna
    "987": "PF",  # Polynésie française
    "988": "NC",  # Nouvelle-Calédonie
}
# ISO codes sometimes used as the "country" of a French overseas address.
OVERSEAS_COUNTRY_CODES = frozenset(
    {"GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF"}
)


@dataclass(frozen=True)
class Place:
    """Where a party lives or a court sits, as far as time limits care: country, postcode."""

    country: str = "FR"
    postcode: str = ""

    @property
    def abroad(self) -> bool:
        country = (self.country or "FR").strip().upper()
        return country not in ("FR", "FRANCE") and country not in OVERSEAS_COUNTRY_CODES

    @property
    def overseas(self) -> bool:
        if self.abroad:
            return False
        return self.country.strip().upper() in OVERSEAS_COUNTRY_CODES or self.territory[:2] in (
            "97",
            "98",
        )

    @property
    def territory(self) -> str:
        """The department (or overseas territory) code: "69", "2A", "972"."""
        postcode = "".join(self.postcode.split())
        if postcode[:2] in ("97", "98"):
            return postcode[:3]
        if postcode[:2] == "20":  # Corsica: 200xx-201xx Corse-du-Sud, 202xx-206xx Haute-Corse
            return "2A" if postcode[:3] in ("200", "201") else "2B"
        return postcode[:2]


def add_months(start: date, months: int) -> date:
    """CPC 641: the same day number ``months`` later, or the last day of that month."""
    return start + relativedelta(months=months)


def next_working_day(day: date, court: Place | None = None) -> date:
    """CPC 642: ``day``, or the next day that is neither a weekend nor a public holiday."""
    calendar = _holidays((court or Place()).territory)
    while day.weekday() >= SATURDAY or day in calendar:
        day += timedelta(days=1)
    return day


def extra_months(debtor: Place | None, court: Place | None = None) -> int:
    """CPC 643-644: the months added to a limit for a party far from the court."""
    if debtor is None:
        return 0
    if debtor.abroad:
        return ABROAD_EXTRA_MONTHS
    court = court or Place()
    if court.overseas:
        return 0 if debtor.territory == court.territory else OVERSEAS_EXTRA_MONTHS
    return OVERSEAS_EXTRA_MONTHS if debtor.overseas else 0


def deadline(start: date, months: int, court: Place | None = None) -> date:
    """The last day of a limit of ``months`` counted from ``start`` (CPC 641, then 642)."""
    return next_working_day(add_months(start, months), court)


@lru_cache(maxsize=32)
def _holidays(territory: str) -> holidays.HolidayBase:
    """France's public holidays with the territory's own; years are filled when asked."""
    return holidays.country_holidays("FR", subdiv=HOLIDAY_SUBDIVISIONS.get(territory))
