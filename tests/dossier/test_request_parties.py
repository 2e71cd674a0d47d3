"""The request's statements about the mise en demeure's receipt, its signatory and the
representative who files for the creditor, read in the PDF LibreOffice writes."""

from __future__ import annotations

import pytest

from recouvrement.dossier import CaseFileError, DossierRefused, build_dossier
from recouvrement.dossier.exhibits import plan_exhibits
from recouvrement.dossier.guards import SIGNATORY, signatory_problems
from recouvrement.dossier.package import claimed_invoices
from recouvrement.law.rates import RateTable

from .helpers import case_data, make_case, pdf_text
from .test_package import members

NOTICE = "MED-2026-0012"
AGENCY = {
    "name": "Lefèvre Recouvrement",
    "capacity": "société de recouvrement, mandataire du demandeur",
    "address": {"street": "3 place Bellecour", "zip": "69002", "city": "Lyon"},
}


def without_acknowledgment(data: dict) -> dict:
    """The case with the deposit proof only: the avis de réception is not an exhibit."""
    data["exhibits"] = [e for e in data["exhibits"] if e.get("proof") != "acknowledgment"]
    return data


def request_of(dossier) -> str:
    return " ".join(pdf_text(members(dossier)["requete-injonction-de-payer.pdf"]).split())


@pytest.fixture(scope="module")
def example_request(example) -> str:
    return request_of(example)


@pytest.fixture(scope="module")
def agency_dossier(converter, shipped):
    """Filed by a collection agency under its mandate, the avis de réception not attached,
    the letter first presented on 23 April 2026."""
    data = without_acknowledgment(case_data())
    data["debtor"]["reminders"][-1]["first_presented_on"] = "2026-04-23"
    data["representative"] = AGENCY
    data["signatory"] = {"name": "Marc Lefèvre", "title": "Gérant", "place": "Lyon"}
    data["exhibits"] = [e for e in data["exhibits"] if e["kind"] != "power_of_attorney"]
    data["exhibits"].append({"kind": "mandate", "file": "mandat-recouvrement.pdf"})
    return build_dossier(make_case(data), converter, **shipped)


def test_the_receipt_is_asserted_with_the_acknowledgment_among_the_exhibits(example_request):
    # exhibits: 10 the mise en demeure, 11 the deposit proof, 12 the avis de réception
    assert (
        "par lettre du 22 avril 2026 (réf. MED-2026-0012, pièce n° 10), envoyée le 22 avril 2026 "
        "par lettre recommandée avec demande d'avis de réception n° 1A 193 847 2650 3, reçue "
        "par le défendeur le 24 avril 2026 (avis de réception, pièce n° 12), restée sans effet"
    ) in example_request


def test_without_the_acknowledgment_the_request_says_sent_and_presented_only(agency_dossier):
    text = request_of(agency_dossier)
    assert (
        "par lettre du 22 avril 2026 (réf. MED-2026-0012, pièce n° 10), envoyée le 22 avril 2026 "
        "par lettre recommandée avec demande d'avis de réception n° 1A 193 847 2650 3, "
        "présentée pour la première fois le 23 avril 2026, restée sans effet"
    ) in text
    assert "reçue" not in text and "24 avril 2026" not in text
    titles = [e.title for e in agency_dossier.exhibits if e.kind == "registered_proof"]
    assert titles == ["Preuve de dépôt de la lettre recommandée n° 1A 193 847 2650 3"]


def test_a_proofs_default_title_names_what_it_proves_and_claims_no_receipt_otherwise():
    data = case_data()
    for exhibit in data["exhibits"]:
        if exhibit["kind"] == "registered_proof":
            del exhibit["title"]
    case = make_case(data)
    planned, _ = plan_exhibits(
        case, claimed_invoices(case, case.as_of), case.as_of, RateTable.load(user_file=None)
    )
    assert [p.title for p in planned if p.kind == "registered_proof"] == [
        "Preuve de dépôt n° 1A 193 847 2650 3 de la lettre MED-2026-0012 du 22 avril 2026",
        "Avis de réception n° 1A 193 847 2650 3 de la lettre MED-2026-0012 du 22 avril 2026, "
        "reçue le 24 avril 2026",
    ]


def test_a_signatory_under_a_power_of_attorney_cites_it(example_request):
    # exhibit 14: the power of attorney (rank 8, before the other documents)
    assert (
        "Pour Ateliers Durand, Sophie Renaud Responsable du recouvrement, par délégation de la "
        "présidente Par pouvoir de Claire Durand, présidente (pièce n° 14)"
    ) in example_request


def test_a_signatory_without_power_refuses_the_dossier_in_french(converter, shipped):
    data = case_data()
    data["exhibits"] = [e for e in data["exhibits"] if e["kind"] != "power_of_attorney"]
    with pytest.raises(DossierRefused) as refused:
        build_dossier(make_case(data), converter, **shipped)
    assert [guard for guard, _ in refused.value.problems] == [SIGNATORY]
    message = refused.value.problems[0][1]
    assert message.code == "signatory_without_power"
    assert str(message) == (
        "la requête est signée par Sophie Renaud, qui n'est pas le représentant légal "
        "d'Ateliers Durand (Claire Durand, présidente) : joignez aux pièces le pouvoir que le "
        "représentant légal lui a donné (pièce de type « power_of_attorney »), ou faites "
        "signer le représentant légal (signatory.name)"
    )


def test_a_creditor_name_with_braces_is_written_as_typed():
    data = case_data()
    data["exhibits"] = [e for e in data["exhibits"] if e["kind"] != "power_of_attorney"]
    data["creditor"]["name"] = "Ateliers {Durand}"
    [(_, message)] = signatory_problems(make_case(data))
    assert "le représentant légal d'Ateliers {Durand} (Claire Durand" in str(message)


def test_the_legal_representative_signs_without_a_power_of_attorney():
    data = case_data()
    data["exhibits"] = [e for e in data["exhibits"] if e["kind"] != "power_of_attorney"]
    data["signatory"] = {"name": "claire  DURAND", "title": "Présidente"}
    assert signatory_problems(make_case(data)) == []


def test_a_natural_person_creditor_signs_its_own_request():
    data = case_data()
    data["exhibits"] = [e for e in data["exhibits"] if e["kind"] != "power_of_attorney"]
    data["creditor"] = {
        "name": "Jeanne Martin",
        "is_company": False,
        "address": {"street": "5 rue Mercière", "zip": "69002", "city": "Lyon"},
    }
    data["signatory"] = {"name": "Jeanne Martin"}
    assert signatory_problems(make_case(data)) == []
    data["signatory"] = {"name": "Paul Martin"}
    assert [m.code for _, m in signatory_problems(make_case(data))] == ["signatory_without_power"]


def test_a_representative_without_its_mandate_is_refused():
    data = case_data()
    data["representative"] = AGENCY
    problems = signatory_problems(make_case(data))
    assert [(guard, m.code) for guard, m in problems] == [
        (SIGNATORY, "representative_without_mandate")
    ]
    assert str(problems[0][1]) == (
        "Lefèvre Recouvrement dépose la requête pour Ateliers Durand : joignez aux pièces le "
        "mandat que le créancier lui a donné (pièce de type « mandate », art. 416 et 1407 CPC)"
    )


def test_the_representative_block_names_the_agency_its_address_and_mandate(agency_dossier):
    text = request_of(agency_dossier)
    # no avis de réception: 12 the statement, 13 the mandate, 14 the e-mail
    assert (
        "Représenté par Lefèvre Recouvrement, société de recouvrement, mandataire du demandeur, "
        "demeurant ou ayant son siège 3 place Bellecour, 69002 Lyon, agissant en vertu du "
        "mandat qui lui a été donné (pièce n° 13), chez qui il est fait élection de domicile "
        "(articles 54 et 1407 du code de procédure civile)."
    ) in text
    assert "Pour Ateliers Durand, par son mandataire Lefèvre Recouvrement, Marc Lefèvre" in text
    assert "Par pouvoir de" not in text
    assert "Pièce n° 13 : Mandat donné au représentant du demandeur" in text


def test_a_case_without_a_representative_prints_no_block(example_request):
    assert "Représenté par" not in example_request and "mandataire" not in example_request


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["exhibits"][2].update(proof="avis"),
            "proof 'avis' is for a registered_proof exhibit",
        ),
        (lambda d: d["exhibits"][0].update(proof="deposit"), "is for a registered_proof"),
        (lambda d: d.update(representative={"name": "X"}), "representative needs capacity"),
        (
            lambda d: d.update(representative={**AGENCY, "siren": "1"}),
            "representative: unknown keys siren",
        ),
    ],
)
def test_bad_proof_kinds_and_representatives_are_case_file_errors(change, expected):
    data = case_data()
    change(data)
    with pytest.raises(CaseFileError, match=expected):
        make_case(data)
