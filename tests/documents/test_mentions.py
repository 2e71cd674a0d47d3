"""Mandatory mentions (french-law.md §4): every problem reported at once, before rendering."""

from __future__ import annotations

import datetime
import doctest

import pytest

from recouvrement.documents import mentions
from recouvrement.documents.mentions import (
    KINDS,
    L111_8_TEXT,
    MissingMentionsError,
    check_mentions,
    is_agency,
)
from recouvrement.errors import RecouvrementError

from .conftest_letters import agency_context, as_json, b2b_context, b2c_context, context_for


def missing_of(context) -> list[str]:
    with pytest.raises(MissingMentionsError) as info:
        check_mentions(context)
    return info.value.missing


def test_doctests():
    result = doctest.testmod(mentions)
    assert result.attempted >= 1
    assert result.failed == 0


@pytest.mark.parametrize("regime", ["b2b", "b2c", "public"])
@pytest.mark.parametrize("kind", KINDS)
def test_complete_contexts_pass(kind, regime):
    context = context_for(kind, regime)
    assert check_mentions(context) is None
    assert check_mentions(as_json(context)) is None


@pytest.mark.parametrize("kind", ["relance_courtoise", "mise_en_demeure"])
def test_agency_contexts_pass(kind):
    check_mentions(agency_context(kind))
    check_mentions(agency_context(kind, regime="b2c"))


def test_error_is_a_recouvrement_error_with_kind():
    context = b2b_context()
    context["legal_basis"] = ""
    with pytest.raises(RecouvrementError) as info:
        check_mentions(context)
    assert info.value.kind == "mise_en_demeure"
    assert info.value.missing == ["fondement juridique de la créance (legal_basis)"]
    assert "\n" not in str(info.value)
    assert info.value.code == "missing_mentions"
    assert info.value.params["problems"] == ["mention_missing"]
    assert info.value.params["details"] == [
        {
            "code": "mention_missing",
            "params": {"label": "fondement juridique de la créance", "key": "legal_basis"},
            "text": "fondement juridique de la créance (legal_basis)",
        }
    ]
    assert str(info.value) == (
        "impossible de produire la mise en demeure : 1 mention obligatoire manque ou est "
        "invalide : fondement juridique de la créance (legal_basis)"
    )


def test_every_missing_mention_is_listed_at_once():
    context = b2b_context("mise_en_demeure")
    context["creditor"]["siren"] = None
    context["creditor"]["address"]["city"] = ""
    context["debtor"]["legal_form"] = None
    context["invoices"][1]["balance"] = None
    context["legal_basis"] = None
    context["deadline"] = None
    context["deadline_days"] = None
    context["next_step"] = " "
    context["decompte"]["periods"][0]["rate"] = None
    context["totals"]["daily_amount"] = None
    context["signatory"] = None
    missing = missing_of(context)
    assert missing == [
        "SIREN du créancier (creditor.siren)",
        "adresse du créancier : ville (creditor.address.city)",
        "forme juridique du débiteur (debtor.legal_form)",
        "facture 2 (F-2026-0008) : solde (invoice.balance)",
        "fondement juridique de la créance (legal_basis)",
        "délai de paiement (deadline ou deadline_days)",
        "suite donnée à défaut de paiement (next_step)",
        "période 1 du décompte : taux (period.rate)",
        "montant par jour de retard (totals.daily_amount)",
        "nom du signataire (signatory.name)",
    ]
    with pytest.raises(MissingMentionsError) as info:
        check_mentions(context)
    message = str(info.value)
    assert message.startswith(
        "impossible de produire la mise en demeure : 10 mentions obligatoires manquent ou "
        "sont invalides : SIREN du créancier (creditor.siren) ; adresse du créancier"
    )
    for item in missing:
        assert item in message


def test_empty_context_lists_everything():
    missing = missing_of({"kind": "mise_en_demeure", "regime": "b2b"})
    for item in (
        "date de la lettre (date)",
        "référence de la lettre (reference)",
        "nom du créancier (creditor.name)",
        "forme juridique du créancier (creditor.legal_form)",
        "SIREN du créancier (creditor.siren)",
        "adresse du créancier (creditor.address)",
        "nom du débiteur (debtor.name)",
        "adresse du débiteur (debtor.address)",
        "au moins une facture (invoices)",
        "fondement juridique de la créance (legal_basis)",
        "principal (totals.principal)",
        "total dû (totals.total)",
        "moyens de paiement (payment_methods)",
        "mode d'envoi recommandé (registered_channel)",
        "délai de paiement (deadline ou deadline_days)",
        "suite donnée à défaut de paiement (next_step)",
        "décompte (decompte : as_of, method, periods)",
        "nom du signataire (signatory.name)",
    ):
        assert item in missing


def test_unknown_kind_and_regime():
    context = b2b_context()
    context["kind"] = "sommation"
    context["regime"] = "b2x"
    missing = missing_of(context)
    assert missing[0] == (
        "type de lettre (kind) : « sommation » inconnu, attendu relance_courtoise, "
        "relance_ferme, derniere_relance, mise_en_demeure, releve_de_compte ou "
        "relance_mandataire"
    )
    assert missing[0].code == "mention_unknown_value"
    assert missing[1] == "régime (regime) : « b2x » inconnu, attendu b2b, b2c ou public"


def test_invalid_siren_is_reported_as_invalid():
    context = b2b_context("relance_courtoise")
    context["creditor"]["siren"] = "404833047"  # bad Luhn checksum
    context["debtor"]["siren"] = "12345"  # optional here, but checked when given
    missing = missing_of(context)
    assert len(missing) == 2
    assert missing == [
        "SIREN du créancier (creditor.siren) invalide : « 404833047 », clé de contrôle erronée",
        "SIREN du débiteur (debtor.siren) invalide : « 12345 », 9 chiffres attendus",
    ]
    assert missing[0].code == "siren_invalid"
    assert missing[0].params["value"] == "404833047"


def test_siren_with_spaces_is_valid():
    context = b2b_context()
    context["creditor"]["siren"] = "404 833 048"
    check_mentions(context)


def test_invoice_fields_and_bad_values():
    context = b2b_context("relance_ferme")
    context["invoices"][0].update(number="", date="16/12/2025", amount="10 000,00")
    missing = missing_of(context)
    assert missing == [
        "facture 1 : numéro (invoice.number)",
        "facture 1 : date (invoice.date) : « 16/12/2025 » n'est pas une date (AAAA-MM-JJ)",
        "facture 1 : montant (invoice.amount) : « 10 000,00 » n'est pas un montant (1234.56)",
    ]


def test_no_invoice():
    context = b2b_context("relance_courtoise")
    context["invoices"] = []
    assert missing_of(context) == ["au moins une facture (invoices)"]


def test_statement_may_list_movements_only():
    context = b2b_context("releve_de_compte")
    context["invoices"] = []
    check_mentions(context)
    context["movements"][0]["label"] = ""
    context["movements"][1].update(debit=None, credit=None)
    assert missing_of(context) == [
        "ligne 1 du relevé : libellé (movement.label)",
        "ligne 2 du relevé : débit ou crédit (movement.debit, movement.credit)",
    ]


def test_debtor_legal_identity_only_required_for_a_company_mise_en_demeure():
    reminder = b2b_context("relance_ferme")
    reminder["debtor"].update(legal_form=None, siren=None)
    check_mentions(reminder)
    consumer = b2c_context("mise_en_demeure")
    assert consumer["debtor"]["siren"] is None
    check_mentions(consumer)


def test_mise_en_demeure_breakdown():
    context = b2b_context()
    context["decompte"] = None
    assert missing_of(context) == ["décompte (decompte : as_of, method, periods)"]
    context = b2b_context()
    context["decompte"]["periods"] = []
    assert missing_of(context) == ["périodes du décompte (decompte.periods)"]


def test_mise_en_demeure_accepts_deadline_date_or_days():
    context = b2b_context()
    context.update(deadline_days=None, deadline=datetime.date(2026, 5, 4))
    check_mentions(context)
    context = b2b_context()
    context["deadline"] = None
    check_mentions(context)
    context["deadline_days"] = 0
    assert missing_of(context) == [
        "délai de paiement en jours (deadline_days) : un nombre de jours positif, et non « 0 »"
    ]


def test_mise_en_demeure_refuses_provisional_rates():
    context = b2b_context()
    context["decompte"]["periods"][1]["provisional"] = True
    assert missing_of(context) == [
        "décompte (decompte.provisional) : calculé sur un taux provisoire, une mise en "
        "demeure demande des taux publiés"
    ]


def test_b2c_never_charges_the_40_euros_nor_fees():
    context = b2c_context("relance_ferme")
    context["totals"]["indemnity"] = "40.00"
    context["invoices"][0]["indemnity"] = "40"
    context["totals"]["fees"] = "15.00"
    context["legal_basis"] = ""
    missing = missing_of(context)
    assert missing == [
        "fondement juridique de la créance (legal_basis)",
        "B2C : aucune indemnité de 40 € ne peut être réclamée à un consommateur "
        "(totals.indemnity = 40.00)",
        "B2C : aucune indemnité de 40 € ne peut être réclamée à un consommateur "
        "(invoice.indemnity des factures F-2026-0021)",
        "aucun frais de recouvrement ne peut être réclamé à un consommateur (L111-8 CPCE ; "
        "totals.fees = 15.00)",
    ]


def test_b2c_zero_indemnity_is_fine():
    context = b2c_context("relance_ferme")
    context["totals"]["indemnity"] = "0.00"
    context["invoices"][0]["indemnity"] = None
    check_mentions(context)


def test_b2b_40_euros_is_allowed():
    context = b2b_context("relance_ferme")
    assert context["totals"]["indemnity"] > 0
    check_mentions(context)


def test_agency_mode_mentions():
    context = agency_context("relance_mandataire")
    context["collector"]["address"] = {"street": "", "zip": "13001", "city": ""}
    context["l111_8_text"] = None
    context["first_letter"] = {"reference": "RC-2026-0044", "date": None}
    assert missing_of(context) == [
        "adresse du mandataire : rue (collector.address.street)",
        "adresse du mandataire : ville (collector.address.city)",
        "texte de l'article L111-8 CPCE, alinéas 2 et 3 (l111_8_text)",
        "date de la première lettre (first_letter.date)",
    ]


def test_relance_mandataire_needs_a_collector():
    context = agency_context("relance_mandataire")
    context["collector"] = None
    assert is_agency(context)
    assert missing_of(context) == [
        "mandataire qui recouvre : nom, forme juridique, SIREN, adresse (collector)"
    ]


def test_l111_8_text_must_be_verbatim():
    context = agency_context()
    context["l111_8_text"] = L111_8_TEXT.replace("mauvaise foi", "bonne foi")
    assert missing_of(context) == [
        "texte de l'article L111-8 CPCE (l111_8_text) : il doit être reproduit mot pour mot "
        "(L111_8_TEXT)"
    ]
    context["l111_8_text"] = L111_8_TEXT.replace("\n", "\r\n")
    check_mentions(context)


def test_later_agency_steps_repeat_the_first_letter():
    context = agency_context("mise_en_demeure")
    context["first_letter"] = None
    assert missing_of(context) == [
        "référence de la première lettre (first_letter.reference)",
        "date de la première lettre (first_letter.date)",
    ]
    first = agency_context("relance_courtoise")
    first["first_letter"] = None
    check_mentions(first)  # the first letter itself


def test_agency_mode_refuses_fees():
    context = agency_context("relance_mandataire")
    context["totals"]["collection_fees"] = "25"
    assert missing_of(context) == [
        "aucun frais de recouvrement ne peut être réclamé au débiteur par un mandataire "
        "(L111-8 CPCE ; totals.collection_fees = 25)"
    ]


def test_l111_8_text_is_the_statute():
    paragraphs = L111_8_TEXT.split("\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("Les frais de recouvrement entrepris sans titre")
    assert paragraphs[0].endswith("sauf disposition législative contraire.")
    assert paragraphs[1].startswith("Cependant, le créancier qui justifie")
    assert paragraphs[1].endswith("à la charge du débiteur de mauvaise foi.")


# --- R123-237, R123-238 C. com., GDPR, the mise en demeure's channel and deadline -------


def test_registration_mentions_are_required_on_every_letter():
    context = b2b_context("relance_courtoise")
    context["creditor"].update(rcs_city=None, share_capital=None)
    assert missing_of(context) == [
        "ville du greffe du RCS du créancier (creditor.rcs_city)",
        "capital social du créancier (creditor.share_capital)",
    ]
    context["creditor"]["share_capital"] = "0"
    assert (
        "capital social du créancier (creditor.share_capital) : doit être positif, et non 0,00"
        in missing_of(context)
    )


def test_a_sole_trader_has_no_share_capital_and_an_association_no_rcs():
    context = b2b_context("relance_courtoise")
    context["creditor"].update(legal_form="EI", share_capital=None)
    check_mentions(context)
    context["creditor"].update(legal_form="Association", rcs_city=None)
    check_mentions(context)


def test_agency_letters_need_the_collector_registration():
    context = agency_context("relance_mandataire")
    context["collector"]["rcs_city"] = ""
    assert missing_of(context) == ["ville du greffe du RCS du mandataire (collector.rcs_city)"]


def test_gdpr_information_at_the_first_letter_and_the_mise_en_demeure():
    for kind in ("relance_courtoise", "mise_en_demeure"):
        context = b2b_context(kind)
        context["gdpr"] = None
        assert missing_of(context) == [
            "informations RGPD (gdpr : controller, purpose, basis, retention, rights_contact)"
        ]
    context = b2b_context("mise_en_demeure")
    context["gdpr"]["retention"] = " "
    assert missing_of(context) == [
        "RGPD : combien de temps les données sont conservées (gdpr.retention)"
    ]
    # A firm reminder follows the first letter; a statement never opens a file.
    for kind in ("relance_ferme", "releve_de_compte"):
        context = b2b_context(kind)
        context["gdpr"] = None
        check_mentions(context)
    # A later courteous reminder names the first letter: no need to repeat it.
    context = b2b_context("relance_courtoise")
    context.update(gdpr=None, first_letter={"reference": "REL-1", "date": "2026-03-02"})
    check_mentions(context)


def test_gdpr_in_agency_mode_says_where_the_data_come_from():
    context = agency_context("mise_en_demeure")
    context["gdpr"]["source"] = None
    assert missing_of(context) == ["RGPD art. 14 : d'où viennent les données (gdpr.source)"]


def test_mise_en_demeure_names_its_channel_and_one_deadline():
    context = b2b_context()
    context["registered_channel"] = "email"
    assert missing_of(context) == [
        "mode d'envoi recommandé (registered_channel) : « email » inconnu, attendu lrar ou lre"
    ]
    context = b2b_context()
    context["deadline"] = datetime.date(2026, 5, 4)
    assert missing_of(context) == [
        "délai de paiement : un seul, donné d'une seule façon (deadline ou deadline_days, "
        "pas les deux)"
    ]


def test_an_address_that_does_not_fit_the_envelope_is_reported():
    context = b2b_context("relance_courtoise")
    context["debtor"]["address"]["street"] = "ZI des Hauts de Wissous, 4 rue Henri Farman"
    assert missing_of(context) == [
        "adresse postale du débiteur (debtor.address) : Ligne 4 de l'adresse (« ZI des Hauts "
        "de Wissous, 4 rue Henri Farman ») : 43 caractères, 38 au plus."
    ]
