"""French formatting filters for letter templates: dates, euros, amounts in words, rates.

Every filter is a pure function that the template environment registers under the same
name (``{{ date|date_fr }}``, ``{{ totals.total|euros }}``). They accept both what the
engine passes (``datetime.date``, ``Decimal``, ``int``) and what a JSON file gives (ISO
date strings such as ``"2026-01-15"``, decimal strings such as ``"1234.56"``), so one
template serves both. Amounts go through ``Decimal`` only: a ``float`` is refused, since
it means an amount was already rounded wrongly upstream.

Formatting follows the CLDR data for ``fr_FR`` as Babel ships it, including its spaces:
a narrow no-break space (U+202F) groups thousands and a no-break space (U+00A0) stands
before ``€`` and ``%``, so a line never breaks inside an amount.

>>> date_fr("2026-01-15")
'15 janvier 2026'
>>> euros("1234.56")
'1\\u202f234,56\\xa0€'
>>> euros_en_lettres("1234.56")
'mille deux cent trente-quatre euros et cinquante-six centimes'
>>> percent_fr("12.15")
'12,15\\xa0%'
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_percent
from num2words import num2words
from stdnum import iban as stdnum_iban
from stdnum.fr import siren as stdnum_siren

from ..postal_address import Party as PostalParty
from ..postal_address import address_lines

LOCALE = "fr_FR"
CENT = Decimal("0.01")

__all__ = [
    "FILTERS",
    "accord",
    "adresse",
    "civilite",
    "date_courte",
    "date_fr",
    "de",
    "denomination",
    "euros",
    "euros_en_lettres",
    "forme_capital",
    "iban",
    "identite",
    "insecable",
    "le",
    "lignes_adresse",
    "percent_fr",
    "siren",
    "to_date",
    "to_decimal",
]


def to_date(value: datetime.date | str) -> datetime.date:
    """Return a ``date`` from a date, a datetime or an ISO 8601 string.

    >>> to_date("2026-01-15")
    datetime.date(2026, 1, 15)
    >>> to_date(datetime.datetime(2026, 1, 15, 9, 30))
    datetime.date(2026, 1, 15)
    >>> to_date("15/01/2026")
    Traceback (most recent call last):
    ...
    ValueError: not an ISO date (YYYY-MM-DD): '15/01/2026'
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) > 10:
                return datetime.datetime.fromisoformat(text).date()
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an ISO date (YYYY-MM-DD): {value!r}") from None
    raise TypeError(f"expected a date or an ISO date string, got {type(value).__name__}")


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Return a ``Decimal`` from a Decimal, an int or a decimal string; refuse floats.

    >>> to_decimal("1234.56")
    Decimal('1234.56')
    >>> to_decimal(40)
    Decimal('40')
    >>> to_decimal(0.1)
    Traceback (most recent call last):
    ...
    TypeError: amounts must be Decimal, int or a decimal string such as '1234.56', not float
    >>> to_decimal("1 234,56")
    Traceback (most recent call last):
    ...
    ValueError: not a decimal number (write it as '1234.56'): '1 234,56'
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise TypeError("amounts must be Decimal, int or a decimal string, not bool")
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not a decimal number (write it as '1234.56'): {value!r}") from None
    else:
        raise TypeError(
            "amounts must be Decimal, int or a decimal string such as '1234.56', "
            f"not {type(value).__name__}"
        )
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def _cents(value: Decimal | int | str) -> Decimal:
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def date_fr(value: datetime.date | str) -> str:
    """Write a date the French way, with "1er" for the first day of a month.

    >>> date_fr(datetime.date(2026, 1, 15))
    '15 janvier 2026'
    >>> date_fr("2026-07-01")
    '1er juillet 2026'
    """
    day = to_date(value)
    text = format_date(day, format="d MMMM y", locale=LOCALE)
    if day.day == 1:
        text = "1er" + text[1:]
    return text


def date_courte(value: datetime.date | str) -> str:
    """Write a date in the short numeric French form, for tables.

    >>> date_courte("2026-01-05")
    '05/01/2026'
    """
    return format_date(to_date(value), format="short", locale=LOCALE)


def euros(value: Decimal | int | str) -> str:
    """Format an amount in euros for fr_FR, rounded half up to the cent.

    >>> euros(Decimal("299.59"))
    '299,59\\xa0€'
    >>> euros(40)
    '40,00\\xa0€'
    >>> euros("-1234.565")
    '-1\\u202f234,57\\xa0€'
    """
    return format_currency(_cents(value), "EUR", locale=LOCALE)


def euros_en_lettres(value: Decimal | int | str) -> str:
    """Write an amount in euros in French words (as on a cheque or a formal demand).

    >>> euros_en_lettres("1.01")
    'un euro et un centime'
    >>> euros_en_lettres("0.50")
    'cinquante centimes'
    >>> euros_en_lettres(80)
    'quatre-vingts euros'
    >>> euros_en_lettres("2000000")
    "deux millions d'euros"
    >>> euros_en_lettres("11636.75")
    'onze mille six cent trente-six euros et soixante-quinze centimes'
    """
    amount = _cents(value)
    sign = "moins " if amount < 0 else ""
    amount = abs(amount)
    whole = int(amount)
    cents = int((amount - whole) * 100)
    parts = []
    if whole or not cents:
        words = num2words(whole, lang="fr")
        # "un million d'euros", but "un million deux cents euros".
        elided = whole >= 1_000_000 and whole % 1_000_000 == 0
        unit = "euros" if whole > 1 else "euro"
        parts.append(f"{words} d'{unit}" if elided else f"{words} {unit}")
    if cents:
        unit = "centimes" if cents > 1 else "centime"
        parts.append(f"{num2words(cents, lang='fr')} {unit}")
    return sign + " et ".join(parts)


def percent_fr(value: Decimal | int | str) -> str:
    """Format a rate given in percentage points (``12.15`` means 12.15 %), two decimals.

    Rates are held in points across the engine, as in the rate tables.

    >>> percent_fr(Decimal("7.86"))
    '7,86\\xa0%'
    >>> percent_fr(10)
    '10,00\\xa0%'
    """
    points = to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    pattern = Locale.parse(LOCALE).percent_formats[None].pattern.replace("#,##0", "#,##0.00")
    return format_percent(points / 100, format=pattern, locale=LOCALE)


def siren(value: str) -> str:
    """Write a SIREN in the usual three groups of three digits.

    >>> siren("404833048")
    '404 833 048'
    """
    number = stdnum_siren.compact(str(value))  # stdnum < 2 has no siren.format
    return " ".join((number[:3], number[3:6], number[6:]))


def iban(value: str) -> str:
    """Write an IBAN in groups of four characters.

    >>> iban("FR7630006000011234567890189")
    'FR76 3000 6000 0112 3456 7890 189'
    """
    return stdnum_iban.format(str(value))


def adresse(value: Mapping) -> str:
    """Write an address on one line, in the order of NF Z10-011: building (street2), street,
    lieu-dit, postcode and city, country.

    >>> adresse({"street": "12 rue de la Paix", "street2": None, "zip": "69002",
    ...          "city": "Lyon", "country": "France"})
    '12 rue de la Paix, 69002 Lyon'
    >>> adresse({"street": "8 avenue Foch", "street2": "Bâtiment B", "zip": "69100",
    ...          "city": "Villeurbanne"})
    'Bâtiment B, 8 avenue Foch, 69100 Villeurbanne'
    >>> adresse({"street": "Via Roma 1", "zip": "10121", "city": "Torino", "country": "Italie"})
    'Via Roma 1, 10121 Torino, Italie'
    """
    street = [str(value[key]) for key in ("street2", "street", "locality") if value.get(key)]
    town = " ".join(str(value[key]) for key in ("zip", "city") if value.get(key))
    country = value.get("country")
    parts = [*street, town]
    if country and str(country).strip().upper() not in ("FR", "FRA", "FRANCE"):
        parts.append(str(country))
    return ", ".join(part for part in parts if part)


ASPIRATED_H = (
    "hach", "haie", "hain", "hall", "halt", "hamac", "hameau", "hanch", "hangar", "hant",
    "harc", "hardi", "haricot", "harp", "hasard", "hât", "haut", "havre", "hennir", "hérisson",
    "héro", "hêtre", "hibou", "hiérarch", "hochet", "hockey", "hollande", "homard", "hongr",
    "honte", "hoquet", "hors", "hott", "houill", "houl", "housse", "houx", "hublot", "huer",
    "huit", "hurl", "hutte",
)  # fmt: skip
"""Beginnings of words whose h is aspirated: no elision ("le hangar", "de Hollande")."""

_VOWELS = "aàâäeéèêëiîïoôöuùûüyœæ"


def _elides(word: str) -> bool:
    """Whether "de", "le" and "que" elide before ``word``: a vowel or a mute h."""
    lowered = word.strip().lower()
    if not lowered:
        return False
    if lowered[0] in _VOWELS:
        return True
    return lowered[0] == "h" and not lowered.startswith(ASPIRATED_H)


def de(value: str) -> str:
    """The preposition "de" before a name, elided before a vowel or a mute h.

    >>> de("Ateliers Durand")
    "d'Ateliers Durand"
    >>> de("Horizon Bâtiment")
    "d'Horizon Bâtiment"
    >>> de("Transports Girard")
    'de Transports Girard'
    >>> de("Hêtre & Fils")
    'de Hêtre & Fils'
    """
    text = str(value).strip()
    return f"d'{text}" if _elides(text) else f"de {text}"


def le(value: str) -> str:
    """The article "le" before a word, elided before a vowel or a mute h.

    >>> le("Horizon")
    "l'Horizon"
    >>> le("Garage des Quatre Vents")
    'le Garage des Quatre Vents'
    """
    text = str(value).strip()
    return f"l'{text}" if _elides(text) else f"le {text}"


def accord(count, singular: str, plural: str | None = None) -> str:
    """The singular or the plural of a phrase, from a number or from a list's length.

    French uses the singular for 0 and 1 (« 0 facture », « 1 facture »).

    >>> accord(["FA-1"], "la facture suivante demeure impayée",
    ...        "les factures suivantes demeurent impayées")
    'la facture suivante demeure impayée'
    >>> accord(2, "facture")
    'factures'
    """
    number = count if isinstance(count, int) else len(count)
    if abs(number) < 2:
        return singular
    return plural if plural is not None else f"{singular}s"


CIVILITIES = ("Madame", "Monsieur")


def civilite(party: Mapping) -> str:
    """How to address a party: a private person by its civility, others "Madame, Monsieur".

    >>> civilite({"is_company": False, "civility": "Madame"})
    'Madame'
    >>> civilite({"is_company": True, "civility": None})
    'Madame, Monsieur'
    """
    civility = party.get("civility")
    if not party.get("is_company", True) and civility in CIVILITIES:
        return civility
    return "Madame, Monsieur"


def _carries_legal_form(name: str, legal_form: str) -> bool:
    pattern = r"(?<![\w.])" + re.escape(legal_form.strip()) + r"(?![\w.])"
    return re.search(pattern, name, flags=re.IGNORECASE) is not None


def denomination(party: Mapping) -> str:
    """A company's name followed by its legal form, unless the name already carries it.

    >>> denomination({"name": "Ateliers Durand", "legal_form": "SAS"})
    'Ateliers Durand, SAS'
    >>> denomination({"name": "Dupont & Fils <SARL>", "legal_form": "SARL"})
    'Dupont & Fils <SARL>'
    >>> denomination({"name": "SASU Martin", "legal_form": "SAS"})
    'SASU Martin, SAS'
    """
    name = str(party.get("name") or "").strip()
    form = str(party.get("legal_form") or "").strip()
    if not form or _carries_legal_form(name, form):
        return name
    return f"{name}, {form}"


def forme_capital(party: Mapping) -> str:
    """A company's legal form and share capital, as R123-238 C. com. wants them.

    >>> forme_capital({"legal_form": "SAS", "share_capital": "50000.00"})
    'SAS au capital de 50\u202f000,00\xa0€'
    >>> forme_capital({"legal_form": "EI", "share_capital": None})
    'EI'
    """
    form = str(party.get("legal_form") or "").strip()
    capital = party.get("share_capital")
    if capital is None or capital == "":
        return form
    return f"{form} au capital de {euros(capital)}".strip()


def identite(party: Mapping) -> str:
    """A party's identity in a sentence: a company's name, legal form, share capital, RCS
    registration (R123-237 C. com.) and registered office; a private person's name and home.

    >>> text = identite({"name": "Ateliers Durand", "legal_form": "SAS",
    ...   "share_capital": "50000", "siren": "812345676", "rcs_city": "Évry",
    ...   "address": {"street": "14 rue des Tanneurs", "zip": "69002", "city": "Lyon"}})
    >>> for part in text.replace("\u202f", " ").replace("\xa0", " ").split(", "):
    ...     print(part)
    Ateliers Durand
    SAS au capital de 50 000,00 €
    immatriculée au RCS d'Évry sous le numéro 812 345 676
    dont le siège social est situé 14 rue des Tanneurs
    69002 Lyon
    >>> identite({"name": "Claire Lefèvre", "is_company": False, "civility": "Madame",
    ...   "address": {"street": "27 quai de la Fosse", "zip": "44000", "city": "Nantes"}})
    'Madame Claire Lefèvre, demeurant 27 quai de la Fosse, 44000 Nantes'
    """
    address = adresse(party.get("address") or {})
    if party.get("is_company") is False:
        civility = party.get("civility")
        name = f"{civility} {party['name']}" if civility in CIVILITIES else party["name"]
        return f"{name}, demeurant {address}"
    text = denomination(party)
    capital = party.get("share_capital")
    if capital is not None and capital != "":
        joiner = " " if text.endswith(str(party.get("legal_form") or "")) else ", "
        text += f"{joiner}au capital de {euros(capital)}"
    number = siren(party["siren"]) if party.get("siren") else None
    if number and party.get("rcs_city"):
        text += f", immatriculée au RCS {de(party['rcs_city'])} sous le numéro {number}"
    elif number:
        text += f", SIREN {number}"
    return f"{text}, dont le siège social est situé {address}"


_COUNTRY_CODES = {name.casefold(): code for code, name in Locale("fr").territories.items()}


def iso_country(country: str | None) -> str:
    """The ISO code of a country written in French ("France", "Belgique") or as a code.

    >>> iso_country("Belgique"), iso_country(""), iso_country("de")
    ('BE', 'FR', 'DE')
    """
    text = (country or "").strip()
    if not text or text.upper() == "FRA":
        return "FR"
    return _COUNTRY_CODES.get(text.casefold(), text.upper())


def postal_party(party: Mapping) -> PostalParty:
    """A party of a letter context as a postal address; a private person's line 1 carries
    its civility, and its legal representative goes on the "attention" line."""
    address = party.get("address") or {}
    name = str(party.get("name") or "")
    civility = party.get("civility")
    if party.get("is_company") is False and civility in CIVILITIES:
        name = f"{civility} {name}"
    return PostalParty(
        name=name,
        attention=party.get("representative") or None,
        street2=address.get("street2") or None,
        street=str(address.get("street") or ""),
        locality=address.get("locality") or None,
        zip=str(address.get("zip") or ""),
        city=str(address.get("city") or ""),
        country=iso_country(address.get("country")),
    )


def lignes_adresse(party: Mapping) -> list[str]:
    """The lines of a party's address block, in the order of NF Z10-011 (building before
    street, town in capitals, country abroad); an address that does not fit is an error.

    >>> lignes_adresse({"name": "Dupont", "representative": "Marc Dupont, gérant",
    ...   "address": {"street": "8 avenue Foch", "street2": "Bâtiment B", "zip": "69100",
    ...   "city": "Villeurbanne", "country": "France"}})
    ['Dupont', 'Marc Dupont, gérant', 'Bâtiment B', '8 avenue Foch', '69100 VILLEURBANNE']
    """
    return list(address_lines(postal_party(party)))


NO_BREAK_SPACE = "\u00a0"
NO_BREAK_HYPHEN = "\u2011"


def insecable(value) -> str:
    """A reference that never breaks across lines: no-break spaces and hyphens.

    >>> insecable("FA-2026-0018")
    'FA‑2026‑0018'
    >>> insecable("1A 193 847") == "1A\u00a0193\u00a0847"
    True
    """
    return str(value).replace("-", NO_BREAK_HYPHEN).replace(" ", NO_BREAK_SPACE)


FILTERS = {
    "date_fr": date_fr,
    "date_courte": date_courte,
    "decimal": to_decimal,
    "euros": euros,
    "euros_en_lettres": euros_en_lettres,
    "percent_fr": percent_fr,
    "siren": siren,
    "iban": iban,
    "adresse": adresse,
    "de": de,
    "le": le,
    "accord": accord,
    "civilite": civilite,
    "denomination": denomination,
    "insecable": insecable,
    "forme_capital": forme_capital,
    "identite": identite,
    "lignes_adresse": lignes_adresse,
}
"""The filters registered in the template environment, by the name templates use."""
