"""The postal address of a party, written the way La Poste reads it (norme NF Z10-011).

NF Z10-011 (AFNOR, « Adresse postale ») orders a French address in at most six lines of
at most 38 characters, from the most personal to the most general, and a seventh line
naming the country when the letter goes abroad:

1. the name (a person's, or the company's);
2. the person or the department to deliver to (« attention »);
3. the building, entrance, residence (« Bâtiment B, Résidence Les Tilleuls »);
4. the number and name of the street;
5. the lieu-dit, the BP or another special mention;
6. the postcode and the town, in capitals (« 69002 LYON », « 69441 LYON CEDEX 03 »);
7. abroad only, the country's name in French capitals.

A letter prints only the lines it has; a provider such as Maileva takes the six positions
as they are, empty ones included. A line that would not fit is an error that names it:
nothing is ever cut silently.

>>> party = Party(name="SARL Dupont & Fils", attention="Mme Claire Dupont",
...               street="12 rue de la République", zip="69002", city="Lyon")
>>> address_lines(party)
('SARL Dupont & Fils', 'Mme Claire Dupont', '12 rue de la République', '69002 LYON')
>>> provider_lines(party)
['SARL Dupont & Fils', 'Mme Claire Dupont', '', '12 rue de la République', '', '69002 LYON']
>>> address_lines(Party(name="Hans Müller", street="Hauptstraße 5", zip="10115",
...                     city="Berlin", country="de"))
('Hans Müller', 'Hauptstraße 5', '10115 BERLIN', 'ALLEMAGNE')
>>> address_lines(Party(name="Martin", street="3 chemin des Près", zip="6900", city="Lyon"))
Traceback (most recent call last):
...
recouvrement.postal_address.AddressError: Code postal « 6900 » : 5 chiffres attendus pour la France.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields

from babel import Locale

from .errors import RecouvrementError

MAX_LINE_LENGTH = 38  # NF Z10-011: 38 characters per line, spaces included
FRANCE = "FR"
_FRENCH_POSTCODE = re.compile(r"\d{5}")
_COUNTRY_NAMES = Locale("fr").territories
_NOT_COUNTRIES = {"EU", "EZ", "QO", "UN", "ZZ"}  # regions CLDR names beside the countries


class AddressError(RecouvrementError, ValueError):
    """The address is incomplete or does not fit the six lines of NF Z10-011."""

    code = "address_invalid"


@dataclass(frozen=True)
class Party:
    """A party to a letter, as RECIPIENT.json or SENDER.json describes it."""

    name: str
    street: str
    zip: str
    city: str
    attention: str | None = None  # the person or department to deliver to
    street2: str | None = None  # building, entrance, residence
    country: str = FRANCE  # ISO 3166-1 alpha-2
    locality: str | None = None  # lieu-dit, BP, special mention (line 5)

    @classmethod
    def from_mapping(cls, data: Mapping) -> Party:
        """The party of a JSON object; keys other than the address's are left to the caller.

        >>> Party.from_mapping({"name": "Martin", "street": "3 rue Neuve", "zip": "75011",
        ...                     "city": "Paris", "street2": ""}).street2 is None
        True
        """
        if not isinstance(data, Mapping):
            raise AddressError("L'adresse doit être un objet JSON (nom, rue, code postal, ville).")
        values = {}
        for field in fields(cls):
            value = data.get(field.name)
            if value is None:
                continue
            if not isinstance(value, str):
                raise AddressError(f"Adresse : « {field.name} » doit être du texte.")
            value = _clean(value)
            if value:
                values[field.name] = value
        for required, label in _REQUIRED.items():
            if required not in values:
                raise AddressError(f"Adresse incomplète : {label} manque.")
        return cls(**values)


_REQUIRED = {"name": "le nom", "street": "la rue", "zip": "le code postal", "city": "la ville"}


def address_lines(party: Party) -> tuple[str, ...]:
    """The lines to print on a letter: the six positions without the empty ones, then the
    country's name when the letter goes abroad."""
    lines = tuple(line for line in provider_lines(party) if line)
    country = _country(party)
    if country == FRANCE:
        return lines
    return (*lines, _postal_capitals(_COUNTRY_NAMES[country]))


def provider_lines(party: Party) -> list[str]:
    """Exactly six positions, empty ones included, as the Maileva API takes them; the
    country goes apart, as its ISO code."""
    lines = [
        _clean(party.name or ""),
        _clean(party.attention or ""),
        _clean(party.street2 or ""),
        _clean(party.street or ""),
        _clean(party.locality or ""),
        _town_line(party),
    ]
    if not lines[0]:
        raise AddressError("Adresse incomplète : le nom manque.")
    if not lines[3]:
        raise AddressError(f"Adresse de « {lines[0]} » incomplète : la rue manque.")
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_LENGTH:
            raise AddressError(
                f"Ligne {number} de l'adresse (« {line} ») : {len(line)} caractères, "
                f"{MAX_LINE_LENGTH} au plus."
            )
    return lines


def country_code(party: Party) -> str:
    """The party's ISO 3166-1 alpha-2 country code, checked and in capitals.

    >>> country_code(Party(name="A", street="B", zip="1000", city="Bruxelles", country="be"))
    'BE'
    """
    return _country(party)


def _town_line(party: Party) -> str:
    postcode = _clean(party.zip or "")
    town = _clean(party.city or "")
    if not postcode:
        raise AddressError("Adresse incomplète : le code postal manque.")
    if not town:
        raise AddressError("Adresse incomplète : la ville manque.")
    if _country(party) == FRANCE and not _FRENCH_POSTCODE.fullmatch(postcode):
        raise AddressError(f"Code postal « {postcode} » : 5 chiffres attendus pour la France.")
    return f"{postcode} {_postal_capitals(town)}"


def _country(party: Party) -> str:
    code = _clean(party.country or FRANCE).upper()
    if len(code) != 2 or code not in _COUNTRY_NAMES or code in _NOT_COUNTRIES:
        raise AddressError(f"Pays « {party.country} » inconnu : code ISO à deux lettres attendu.")
    return code


def _postal_capitals(text: str) -> str:
    """Capitals without accents, as La Poste writes towns and countries (« SAINT-ÉTIENNE »
    becomes « SAINT-ETIENNE »)."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _clean(text: str) -> str:
    return " ".join(text.split())
