"""The guards: what must not go to court is refused before anything is converted."""

from __future__ import annotations

from datetime import date

import pytest
from lxml import etree

from recouvrement.dossier import (
    CaseFileError,
    DossierRefused,
    MissingDossierMentions,
    build_dossier,
    check_dossier_mentions,
)
from recouvrement.dossier.manifest import ns

from .helpers import case_data, make_case


class Unused:
    """A converter that fails the test if a refused dossier ever reaches conversion."""

    def convert_many(self, documents):
        raise AssertionError("nothing may be converted for a refused dossier")


def refusal(data: dict, shipped: dict, **options) -> DossierRefused:
    with pytest.raises(DossierRefused) as error:
        build_dossier(make_case(data), Unused(), **shipped, **options)
    assert "\n" not in str(error.value)
    return error.value


def without_notice(data: dict) -> dict:
    debtor = data["debtor"]
    debtor["reminders"] = [r for r in debtor["reminders"] if r["kind"] != "mise_en_demeure"]
    data["exhibits"] = [e for e in data["exhibits"] if e["kind"] != "registered_proof"]
    return data


def test_a_time_barred_claim_is_refused(shipped):
    data = case_data()
    for invoice, due in zip(data["debtor"]["invoices"], ("2020-03-08", "2021-09-14"), strict=True):
        invoice["date"], invoice["due_date"], invoice["delivery_date"] = "2020-02-06", due, None
    error = refusal(data, shipped)
    assert error.guards == ["prescription"]
    assert "prescrite : facture FA-2026-0009 depuis le 8 mars 2025" in str(error)
    assert error.problems[0][1].params == {"invoices": {"FA-2026-0009": "2025-03-08"}}
    assert "FA-2026-0014" not in str(error)  # due 2021-09-14: barred from 2026-09-15 only


def test_a_debtor_under_insolvency_proceedings_is_refused(shipped):
    data = case_data()
    data["debtor"]["invoices"][1]["pauses"] = [
        {"reason": "insolvency", "since": "2026-06-02", "note": "BODACC A n° 20260112"}
    ]
    error = refusal(data, shipped)
    assert error.guards == ["insolvency"]
    assert "Transports Girard fait l'objet d'une procédure collective depuis le 2 juin 2026" in str(
        error
    )
    assert "BODACC A n° 20260112" in str(error)
    assert "L622-24" in str(error)


def test_the_insolvency_flag_of_the_case_refuses_too(shipped):
    data = case_data()
    data["flags"]["insolvency"] = True
    data["flags"]["insolvency_note"] = "redressement judiciaire, jugement du 3 juin 2026"
    error = refusal(data, shipped)
    assert error.guards == ["insolvency"]
    assert "redressement judiciaire" in str(error)


def test_provisional_rates_are_refused(shipped):
    error = refusal(case_data(), shipped, as_of=date(2026, 8, 17))
    assert error.guards == ["provisional_rates"]
    assert "taux provisoire pour le second semestre 2026" in str(error)


def test_a_mise_en_demeure_whose_deadline_runs_is_refused_with_the_first_possible_day(shipped):
    error = refusal(case_data(), shipped, as_of=date(2026, 5, 2))
    assert error.guards == ["notice_deadline"]
    assert "jusqu'au 2 mai 2026" in str(error)
    assert "à partir du 3 mai 2026" in str(error)


def test_no_mise_en_demeure_is_refused_unless_overridden(shipped):
    error = refusal(without_notice(case_data()), shipped)
    assert error.guards == ["no_formal_notice"]
    assert "ne couvre la facture FA-2026-0009, FA-2026-0014" in str(error)
    assert "levez ce garde-fou avec un motif" in str(error)


def test_the_override_is_recorded_in_the_manifest(converter, shipped):
    reason = "Le débiteur a quitté son siège ; mise en demeure impossible à délivrer"
    dossier = build_dossier(
        make_case(without_notice(case_data())),
        converter,
        overrides={"no_formal_notice": reason},
        **shipped,
    )
    assert [(o.guard, o.reason) for o in dossier.overrides] == [("no_formal_notice", reason)]
    root = etree.fromstring(dossier.manifest)
    override = root.find(f"{ns('overrides')}/{ns('override')}")
    assert override.get("guard") == "no_formal_notice"
    assert override.findtext(ns("reason")) == reason
    assert "aucune mise en demeure" in override.findtext(ns("refusal"))
    assert "formal_notice" not in [e.kind for e in dossier.exhibits]


def test_an_open_dispute_is_refused(shipped):
    data = case_data()
    data["debtor"]["invoices"][0]["pauses"] = [
        {"reason": "dispute", "since": "2026-05-12", "note": "Avarie contestée"}
    ]
    error = refusal(data, shipped)
    assert error.guards == ["open_dispute"]
    assert "facture FA-2026-0009 : contestée" in str(error)


def test_every_refusal_is_reported_at_once(shipped):
    data = without_notice(case_data())
    data["flags"]["insolvency"] = True
    error = refusal(data, shipped, as_of=date(2026, 8, 17))
    assert error.guards == ["insolvency", "no_formal_notice", "provisional_rates"]
    assert "3 motifs" in str(error)


def test_only_some_guards_can_be_overridden_and_always_with_a_reason(shipped):
    with pytest.raises(CaseFileError, match="le garde-fou prescription ne peut pas être levé"):
        build_dossier(make_case(), Unused(), overrides={"prescription": "vu"}, **shipped)
    with pytest.raises(CaseFileError, match="demande un motif"):
        build_dossier(make_case(), Unused(), overrides={"no_formal_notice": " "}, **shipped)
    with pytest.raises(CaseFileError, match="garde-fou inconnu 'notice'"):
        build_dossier(make_case(), Unused(), overrides={"notice": "x"}, **shipped)


def test_missing_mentions_are_listed_in_one_error(shipped):
    data = case_data()
    data["creditor"]["representative"] = ""
    data["creditor"]["siren"] = "812345670"
    del data["signatory"]
    data["exhibits"] = [e for e in data["exhibits"] if e.get("invoice") != "FA-2026-0014"]
    data["debtor"]["party"]["legal_form"] = ""
    data["flags"]["debtor_is_trader"] = True
    with pytest.raises(MissingDossierMentions) as error:
        build_dossier(make_case(data), Unused(), **shipped)
    assert error.value.missing == [
        "SIREN du créancier (creditor.siren) invalide : « 812345670 », clé de contrôle erronée",
        "représentant légal du créancier (creditor.representative)",
        "forme juridique du débiteur (debtor.legal_form)",
        "facture FA-2026-0014 : son PDF parmi les pièces (pièce de type invoice)",
        "nom du signataire (signatory.name)",
    ]
    assert str(error.value).startswith(
        "impossible de produire le dossier (injonction de payer) : 5 mentions obligatoires "
        "manquent ou sont invalides : SIREN du créancier"
    )
    assert error.value.code == "missing_mentions"
    assert error.value.params["problems"] == [
        "siren_invalid",
        "mention_missing",
        "mention_missing",
        "mention_missing",
        "mention_missing",
    ]


def test_a_contractual_rate_needs_the_cgv_among_the_exhibits(shipped):
    data = case_data()
    data["debtor"]["contractual_rate"] = "9.00"
    data["exhibits"] = [e for e in data["exhibits"] if e["kind"] not in ("cgv", "order")]
    with pytest.raises(MissingDossierMentions, match="les CGV ou le contrat qui stipulent"):
        build_dossier(make_case(data), Unused(), **shipped)


def test_a_consumer_is_never_charged_the_40_euros():
    context = {
        "regime": "b2c",
        "totals": {"principal": "100.00", "interest": "0.00", "total": "140.00",
                   "indemnity": "40.00"},
    }  # fmt: skip
    with pytest.raises(MissingDossierMentions) as error:
        check_dossier_mentions(context)
    assert (
        "B2C : aucune indemnité de 40 € ne peut être réclamée à un consommateur "
        "(totals.indemnity = 40.00)"
    ) in error.value.missing
