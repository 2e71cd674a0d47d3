"""The competent court: CPC 1406, the court kinds, and the editable court list."""

from __future__ import annotations

import csv
import io
import re
from importlib import resources

import pytest

from recouvrement.dossier import CaseFileError, CourtNotFound, CourtTable, UnsupportedProcedure
from recouvrement.dossier.courts import (
    COLUMNS,
    CourtFileError,
    CourtKind,
    competent_kind,
    read_court_rows,
)
from recouvrement.kinds import Regime
from recouvrement.ledger import Address, Party, bundled_ledger

HEADER = ",".join(COLUMNS) + "\n"
TAE_CITIES = (
    "Paris", "Auxerre", "Nanterre", "Versailles", "Marseille", "Lyon", "Limoges", "Avignon",
    "Nancy", "Havre", "Mans", "Saint-Brieuc",
)  # fmt: skip


@pytest.fixture(scope="module")
def table() -> CourtTable:
    return CourtTable.load(user_file=None)


def company(zip_code: str, city: str, legal_form: str = "SAS") -> Party:
    return Party("Soieries Croix-Rousse", Address("3 rue d'Austerlitz", zip_code, city),
                 legal_form=legal_form)  # fmt: skip


def test_a_lyon_company_goes_to_the_tae_of_lyon(table):
    debtor = company("69004", "Lyon")
    kind = competent_kind(Regime.B2B, debtor)
    court = table.find(kind, debtor.address)
    assert kind is CourtKind.COMMERCE
    assert court.name == "Tribunal des activités économiques de Lyon"
    assert court.address_line == ""  # not confirmed by an official source: left blank
    assert court.addressee.startswith("Madame, Monsieur le Président du Tribunal des activités")
    assert court.kind.form == "cerfa 12946"
    assert court.matched.startswith("code postal 69004")


def test_a_paris_consumer_goes_to_the_tribunal_judiciaire_de_paris(table):
    consumer = Party("Julien Moreau", Address("18 rue Oberkampf", "75011", "Paris"),
                     is_company=False)  # fmt: skip
    kind = competent_kind(Regime.B2C, consumer)
    court = table.find(kind, consumer.address)
    assert kind is CourtKind.JUDICIAIRE
    assert court.name == "Tribunal judiciaire de Paris"
    assert court.kind.form == "cerfa 12948"
    assert court.matched.startswith("département 75")


def test_an_unknown_postal_code_is_a_clear_error_naming_the_file_to_edit(tmp_path):
    user_file = tmp_path / "courts.csv"
    table = CourtTable.load(user_file=user_file)
    with pytest.raises(CourtNotFound) as error:
        table.find(CourtKind.COMMERCE, Address("1 place Bonnyaud", "23000", "Guéret"))
    message = str(error.value)
    assert "code postal 23000" in message
    assert "département 23" in message
    assert str(user_file) in message
    assert "kind=commerce" in message
    assert "\n" not in message


def test_a_malformed_postal_code_is_an_error(table):
    with pytest.raises(CourtNotFound, match="« 6900 » n'est pas un code postal français"):
        table.find(CourtKind.COMMERCE, Address("1 rue", "6900", "Lyon"))


def test_a_commune_matches_when_its_postal_code_is_not_listed(table):
    court = table.find(CourtKind.COMMERCE, Address("8 avenue", "69100", "Villeurbanne"))
    assert court.name == "Tribunal des activités économiques de Lyon"
    assert court.matched.startswith("commune Villeurbanne (69)")


def test_a_cedex_or_district_spelling_still_matches_the_commune(table):
    court = table.find(CourtKind.JUDICIAIRE, Address("BP 12", "31068", "TOULOUSE CEDEX 7"))
    assert court.name == "Tribunal judiciaire de Toulouse"


def test_the_most_specific_row_wins_and_a_user_file_adds_rows(tmp_path):
    user_file = tmp_path / "courts.csv"
    user_file.write_text(
        HEADER
        + "commerce,23,,,Tribunal de commerce de Guéret,,,,test: département\n"
        + "commerce,23,,Aubusson,Juridiction d'Aubusson,,,,test: commune\n"
        + "commerce,,23300,,Juridiction de La Souterraine,,,,test: postal code\n",
        encoding="utf-8",
    )
    table = CourtTable.load(user_file=user_file)
    find = lambda zip_code, city: table.find(CourtKind.COMMERCE, Address("1 rue", zip_code, city))  # noqa: E731
    assert find("23000", "Guéret").name == "Tribunal de commerce de Guéret"
    assert find("23200", "Aubusson").name == "Juridiction d'Aubusson"
    assert find("23300", "La Souterraine").name == "Juridiction de La Souterraine"
    assert find("23300", "Aubusson").name == "Juridiction de La Souterraine"  # postal code first
    assert "courts.csv, ligne 4" in find("23300", "La Souterraine").matched


def test_a_user_row_overrides_the_shipped_row_with_the_same_match(tmp_path):
    user_file = tmp_path / "courts.csv"
    user_file.write_text(
        HEADER + "commerce,91,,,Tribunal de commerce d'Évry,1 rue de test,91000,Évry,checked\n",
        encoding="utf-8",
    )
    shipped = CourtTable.load(user_file=None).find(
        CourtKind.COMMERCE, Address("4 rue Henri Farman", "91320", "Wissous")
    )
    court = CourtTable.load(user_file=user_file).find(
        CourtKind.COMMERCE, Address("4 rue Henri Farman", "91320", "Wissous")
    )
    assert shipped.address_line == "1 rue de la Patinoire, 91000 Évry"
    assert court.address_line == "1 rue de test, 91000 Évry"
    assert court.source == "checked"


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("tribunal,75,,,X,,,,s", "type de tribunal « tribunal » inconnu"),
        ("commerce,69,75001,,X,,,,s", "le code postal 75001 n'est pas dans le département 69"),
        ("commerce,,75001,Paris,X,,,,s", "un code postal ou une commune, pas les deux"),
        ("commerce,,,Paris,X,,,,s", "indiquez un code postal, ou un département"),
        ("commerce,7,,,X,,,,s", "« 7 » n'est pas un département"),
        ("commerce,75,,,,,,,s", "le nom du tribunal manque"),
        ("commerce,,7500,,X,,,,s", "« 7500 » n'est pas un code postal français"),
    ],
)
def test_a_malformed_court_file_names_the_file_and_the_line(row, problem):
    with pytest.raises(CourtFileError, match=f"my.csv, ligne 2 : .*{problem}"):
        read_court_rows(HEADER + row + "\n", "my.csv")


def test_a_court_file_needs_the_header_and_no_duplicate_match():
    with pytest.raises(CourtFileError, match="l'en-tête doit être kind,departement"):
        read_court_rows("kind,court\ncommerce,X\n", "my.csv")
    with pytest.raises(
        CourtFileError, match=re.escape("ligne 3 : même critère que my.csv, ligne 2")
    ):
        read_court_rows(HEADER + "commerce,75,,,X,,,,s\ncommerce,75,,,Y,,,,s\n", "my.csv")


@pytest.mark.parametrize(
    ("regime", "legal_form", "is_company", "flags", "expected"),
    [
        (Regime.B2B, "SARL", True, {}, CourtKind.COMMERCE),
        (Regime.B2B, "S.A.S. au capital de 10 000 €", True, {}, CourtKind.COMMERCE),
        (Regime.B2B, "SCI", True, {}, CourtKind.JUDICIAIRE),
        (Regime.B2B, "Association loi 1901", True, {}, CourtKind.JUDICIAIRE),
        (Regime.B2B, "EI", True, {"debtor_is_trader": True}, CourtKind.COMMERCE),
        (Regime.B2B, "SELARL", True, {"debtor_is_trader": False}, CourtKind.JUDICIAIRE),
        (Regime.B2C, "", False, {}, CourtKind.JUDICIAIRE),
        (Regime.B2C, "", False, {"consumer_credit": True}, CourtKind.PROTECTION),
        (Regime.B2C, "", False, {"housing_lease": True}, CourtKind.PROTECTION),
    ],
)
def test_the_kind_of_court(regime, legal_form, is_company, flags, expected):
    debtor = Party("X", Address("1 rue", "75001", "Paris"), legal_form=legal_form,
                   is_company=is_company)  # fmt: skip
    assert competent_kind(regime, debtor, **flags) is expected


def test_a_business_debtor_of_unclear_status_is_asked_about_never_guessed():
    debtor = Party("Cabinet Lenoir", Address("1 rue", "75001", "Paris"), legal_form="EI")
    with pytest.raises(
        CaseFileError, match=re.escape('indiquez "flags": {"debtor_is_trader": true}')
    ):
        competent_kind(Regime.B2B, debtor)


def test_a_public_buyer_is_refused():
    debtor = Party("Commune de Wissous", Address("1 place", "91320", "Wissous"))
    with pytest.raises(UnsupportedProcedure, match="référé-provision"):
        competent_kind(Regime.PUBLIC, debtor)


def test_every_debtor_of_the_demo_ledger_has_a_court(table):
    for account in bundled_ledger().accounts:
        kind = competent_kind(account.regime, account.party)
        assert table.find(kind, account.party.address).name


def test_the_shipped_list_is_sourced_and_names_the_twelve_tae():
    text = resources.files("recouvrement").joinpath("dossier/data/courts.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert all(row["source"].strip() for row in rows)
    tae = {row["court"] for row in rows if "activités économiques" in row["court"]}
    assert len(tae) == 12
    for city in TAE_CITIES:
        assert any(city in name for name in tae), city
