"""The route the engine proposes: PSRPC, injonction de payer, European order for payment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from recouvrement.dossier import Procedure, UnsupportedProcedure, choose_procedure
from recouvrement.dossier.procedure_choice import check_requested, country_code
from recouvrement.ledger import Address

PARIS = Address("1 rue de Rivoli", "75001", "Paris")


def test_a_small_claim_against_a_reachable_debtor_goes_to_the_psrpc():
    choice = choose_procedure(Decimal("5000.00"), PARIS)
    assert choice.procedure is Procedure.PSRPC
    assert "L125-1" in choice.explanation
    assert "5 000,00" in choice.explanation.replace("\u202f", " ").replace("\xa0", " ")


def test_above_5000_euros_the_injonction_de_payer_is_proposed_with_its_reason():
    choice = choose_procedure(Decimal("5000.01"), PARIS)
    assert choice.procedure is Procedure.INJONCTION
    assert "dépasse le plafond" in choice.explanation
    assert "article 1406" in choice.explanation


def test_a_debtor_without_a_full_address_cannot_go_to_the_psrpc():
    choice = choose_procedure(Decimal("800"), Address("", "75001", "Paris"))
    assert choice.procedure is Procedure.INJONCTION
    assert "pas d'adresse complète" in choice.explanation


@pytest.mark.parametrize("country", ["Belgique", "Allemagne", "DE", "Pays-Bas", "ITALIA"])
def test_a_debtor_in_another_member_state_gets_the_european_order(country):
    choice = choose_procedure(Decimal("1200"), Address("Hauptstraße 1", "10115", "Berlin",
                                                       country=country))  # fmt: skip
    assert choice.procedure is Procedure.EUROPEAN
    assert "1896/2006" in choice.explanation
    assert choice.country != "FR"


def test_denmark_and_non_member_states_are_refused_with_a_reason():
    with pytest.raises(UnsupportedProcedure, match="Danemark"):
        choose_procedure(Decimal("1200"), Address("Vej 1", "1000", "København", "", "Danemark"))
    with pytest.raises(UnsupportedProcedure, match="n'est pas un État membre de l'UE"):
        choose_procedure(Decimal("1200"), Address("Rue 1", "1200", "Genève", "", "Suisse"))


def test_country_names():
    assert country_code("") == "FR"
    assert country_code("La Réunion") == "FR"
    assert country_code("Espagne") == "ES"
    assert country_code("Royaume-Uni") is None


def test_a_requested_route_is_checked():
    small = choose_procedure(Decimal("3000"), PARIS)
    check_requested(Procedure.INJONCTION, small, Decimal("3000"), court_given=False)  # allowed
    large = choose_procedure(Decimal("9000"), PARIS)
    with pytest.raises(UnsupportedProcedure, match="limitée à 5"):
        check_requested(Procedure.PSRPC, large, Decimal("9000"), court_given=False)
    with pytest.raises(UnsupportedProcedure, match="transfrontaliers"):
        check_requested(Procedure.EUROPEAN, large, Decimal("9000"), court_given=False)
    abroad = choose_procedure(Decimal("9000"), Address("Rue 1", "1000", "Bruxelles", "", "BE"))
    with pytest.raises(UnsupportedProcedure, match="aucun tribunal français"):
        check_requested(Procedure.INJONCTION, abroad, Decimal("9000"), court_given=False)
    check_requested(Procedure.INJONCTION, abroad, Decimal("9000"), court_given=True)
    with pytest.raises(UnsupportedProcedure, match="procédure « référé » inconnue"):
        Procedure.parse("référé")
