"""French filters: dates, euros, amounts in words, rates (babel, num2words, Decimal)."""

from __future__ import annotations

import datetime
import doctest
from decimal import Decimal

import pytest

from recouvrement.documents import filters
from recouvrement.documents.filters import (
    FILTERS,
    adresse,
    date_courte,
    date_fr,
    euros,
    euros_en_lettres,
    iban,
    percent_fr,
    siren,
    to_date,
    to_decimal,
)

NNBSP, NBSP = "\u202f", "\u00a0"


def test_doctests():
    result = doctest.testmod(filters)
    assert result.attempted > 10
    assert result.failed == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.date(2026, 1, 15), "15 janvier 2026"),
        ("2026-01-15", "15 janvier 2026"),
        (" 2026-02-28 ", "28 février 2026"),
        ("2026-08-03T10:15:00", "3 août 2026"),
        (datetime.datetime(2026, 12, 31, 23, 59), "31 décembre 2026"),
        (datetime.date(2026, 7, 1), "1er juillet 2026"),
    ],
)
def test_date_fr(value, expected):
    assert date_fr(value) == expected


def test_date_courte():
    assert date_courte(datetime.date(2026, 1, 5)) == "05/01/2026"
    assert date_courte("2025-12-16") == "16/12/2025"


@pytest.mark.parametrize("bad", ["15/01/2026", "2026-13-01", "", "demain"])
def test_date_rejects_non_iso_text(bad):
    with pytest.raises(ValueError, match="ISO date"):
        date_fr(bad)


@pytest.mark.parametrize("bad", [None, 20260115, Decimal("1")])
def test_date_rejects_other_types(bad):
    with pytest.raises(TypeError):
        to_date(bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234.56"), f"1{NNBSP}234,56{NBSP}€"),
        ("1234.56", f"1{NNBSP}234,56{NBSP}€"),
        (1234, f"1{NNBSP}234,00{NBSP}€"),
        (40, f"40,00{NBSP}€"),
        ("0", f"0,00{NBSP}€"),
        ("299.585", f"299,59{NBSP}€"),  # half up to the cent
        ("1000000", f"1{NNBSP}000{NNBSP}000,00{NBSP}€"),
        ("-12.5", f"-12,50{NBSP}€"),
    ],
)
def test_euros_keeps_babel_fr_spaces(value, expected):
    assert euros(value) == expected


def test_euros_refuses_float_and_bool():
    with pytest.raises(TypeError, match="float"):
        euros(1234.56)
    with pytest.raises(TypeError, match="bool"):
        euros(True)


@pytest.mark.parametrize("bad", ["1 234,56", "12,5", "abc", "NaN", "Infinity"])
def test_euros_refuses_non_decimal_text(bad):
    with pytest.raises(ValueError):
        euros(bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234.56", "mille deux cent trente-quatre euros et cinquante-six centimes"),
        (Decimal("1"), "un euro"),
        ("1.01", "un euro et un centime"),
        ("0.01", "un centime"),
        ("0", "zéro euro"),
        ("0.80", "quatre-vingts centimes"),
        (80, "quatre-vingts euros"),
        (200, "deux cents euros"),
        ("21.21", "vingt et un euros et vingt et un centimes"),
        ("71", "soixante et onze euros"),
        ("1000000", "un million d'euros"),
        ("2000000", "deux millions d'euros"),
        ("1000200", "un million deux cents euros"),
        ("11636.75", "onze mille six cent trente-six euros et soixante-quinze centimes"),
        ("-5", "moins cinq euros"),
    ],
)
def test_euros_en_lettres(value, expected):
    assert euros_en_lettres(value) == expected


def test_euros_en_lettres_rounds_like_euros():
    assert euros("10.005") == f"10,01{NBSP}€"
    assert euros_en_lettres("10.005") == "dix euros et un centime"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12.15"), f"12,15{NBSP}%"),
        ("7.86", f"7,86{NBSP}%"),
        (10, f"10,00{NBSP}%"),
        ("0.5", f"0,50{NBSP}%"),
        ("1234.5", f"1{NNBSP}234,50{NBSP}%"),
    ],
)
def test_percent_fr_takes_percentage_points(value, expected):
    assert percent_fr(value) == expected


def test_to_decimal_is_exact():
    assert to_decimal("0.1") + to_decimal("0.2") == Decimal("0.3")
    assert to_decimal(Decimal("12.15")) == Decimal("12.15")


def test_identity_filters():
    assert siren("404833048") == "404 833 048"
    assert iban("FR7630006000011234567890189") == "FR76 3000 6000 0112 3456 7890 189"
    address = {"street": "12 quai Perrache", "street2": "Bâtiment B", "zip": "69002",
               "city": "Lyon", "country": "FR"}  # fmt: skip
    assert adresse(address) == "Bâtiment B, 12 quai Perrache, 69002 Lyon"


def test_filters_are_registered_by_their_template_names():
    for name in ("date_fr", "euros", "euros_en_lettres", "percent_fr", "date_courte"):
        assert name in FILTERS
    assert FILTERS["euros"] is euros


def test_french_grammar_filters():
    from recouvrement.documents.filters import accord, civilite, de, denomination, insecable, le

    assert de("Ateliers Durand") == "d'Ateliers Durand"
    assert de("Horizon Bâtiment") == "d'Horizon Bâtiment"  # mute h
    assert de("Hangars du Nord") == "de Hangars du Nord"  # aspirated h
    assert de("Transports Girard") == "de Transports Girard"
    assert le("Horizon") == "l'Horizon" and le("Tribunal") == "le Tribunal"
    assert accord([], "facture") == "facture" and accord(["a", "b"], "facture") == "factures"
    assert civilite({"is_company": False, "civility": "Monsieur"}) == "Monsieur"
    assert civilite({"is_company": False, "civility": None}) == "Madame, Monsieur"
    assert civilite({"is_company": True, "civility": "Madame"}) == "Madame, Monsieur"
    assert denomination({"name": "SARL Dupont", "legal_form": "SARL"}) == "SARL Dupont"
    assert denomination({"name": "Dupont", "legal_form": "SARL"}) == "Dupont, SARL"
    assert insecable("MED-2026-0001") == "MED\u20112026\u20110001"


def test_address_block_lines_follow_nf_z10_011():
    from recouvrement.documents.filters import lignes_adresse

    party = {
        "name": "Lefèvre", "civility": "Madame", "is_company": False,
        "address": {"street": "27 quai de la Fosse", "street2": "Résidence Les Tilleuls",
                    "locality": "Lieu-dit La Croix", "zip": "44000", "city": "Nantes",
                    "country": "Belgique"},
    }  # fmt: skip
    party["address"]["zip"] = "4000"
    party["address"]["city"] = "Liège"
    assert lignes_adresse(party) == [
        "Madame Lefèvre", "Résidence Les Tilleuls", "27 quai de la Fosse",
        "Lieu-dit La Croix", "4000 LIEGE", "BELGIQUE",
    ]  # fmt: skip
