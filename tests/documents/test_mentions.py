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
    assert info.value.missing == ["legal basis (legal_basis)"]
    assert "\n" not in str(info.value)


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
        "creditor SIREN",
        "creditor address: city",
        "debtor legal form",
        "invoice 2 (F-2026-0008): balance",
        "legal basis (legal_basis)",
        "deadline (deadline or deadline_days)",
        "next step (next_step, e.g. injonction de payer)",
        "breakdown period 1: rate",
        "daily amount (totals.daily_amount)",
        "signatory name (signatory.name)",
    ]
    with pytest.raises(MissingMentionsError) as info:
        check_mentions(context)
    message = str(info.value)
    assert message.startswith("cannot produce a mise_en_demeure: 10 mandatory mentions")
    for item in missing:
        assert item in message


def test_empty_context_lists_everything():
    missing = missing_of({"kind": "mise_en_demeure", "regime": "b2b"})
    for item in (
        "letter date",
        "letter reference",
        "creditor name",
        "creditor legal form",
        "creditor SIREN",
        "creditor address",
        "debtor name",
        "debtor address",
        "invoices (at least one)",
        "legal basis (legal_basis)",
        "principal (totals.principal)",
        "total amount due (totals.total)",
        "payment methods (payment_methods)",
        "deadline (deadline or deadline_days)",
        "next step (next_step, e.g. injonction de payer)",
        "breakdown (decompte: as_of, method, periods)",
        "signatory name (signatory.name)",
    ):
        assert item in missing


def test_unknown_kind_and_regime():
    context = b2b_context()
    context["kind"] = "sommation"
    context["regime"] = "b2x"
    missing = missing_of(context)
    assert missing[0].startswith("kind (one of relance_courtoise")
    assert missing[1] == "regime (b2b, b2c or public; got 'b2x')"


def test_invalid_siren_is_reported_as_invalid():
    context = b2b_context("relance_courtoise")
    context["creditor"]["siren"] = "404833047"  # bad Luhn checksum
    context["debtor"]["siren"] = "12345"  # optional here, but checked when given
    missing = missing_of(context)
    assert len(missing) == 2
    assert missing[0].startswith("creditor SIREN '404833047' is invalid")
    assert "checksum" in missing[0]
    assert missing[1].startswith("debtor SIREN '12345' is invalid")


def test_siren_with_spaces_is_valid():
    context = b2b_context()
    context["creditor"]["siren"] = "404 833 048"
    check_mentions(context)


def test_invoice_fields_and_bad_values():
    context = b2b_context("relance_ferme")
    context["invoices"][0].update(number="", date="16/12/2025", amount="10 000,00")
    missing = missing_of(context)
    assert missing == [
        "invoice 1: number",
        "invoice 1: date (not a date: '16/12/2025')",
        "invoice 1: amount (not an amount: '10 000,00')",
    ]


def test_no_invoice():
    context = b2b_context("relance_courtoise")
    context["invoices"] = []
    assert missing_of(context) == ["invoices (at least one)"]


def test_statement_may_list_movements_only():
    context = b2b_context("releve_de_compte")
    context["invoices"] = []
    check_mentions(context)
    context["movements"][0]["label"] = ""
    context["movements"][1].update(debit=None, credit=None)
    assert missing_of(context) == [
        "statement line 1: label",
        "statement line 2: debit or credit",
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
    assert missing_of(context) == ["breakdown (decompte: as_of, method, periods)"]
    context = b2b_context()
    context["decompte"]["periods"] = []
    assert missing_of(context) == ["breakdown periods (decompte.periods)"]


def test_mise_en_demeure_accepts_deadline_date_or_days():
    context = b2b_context()
    context.update(deadline_days=None, deadline=datetime.date(2026, 5, 4))
    check_mentions(context)
    context = b2b_context()
    context["deadline"] = None
    check_mentions(context)
    context["deadline_days"] = 0
    assert missing_of(context) == ["deadline_days (a positive number of days; got 0)"]


def test_mise_en_demeure_refuses_provisional_rates():
    context = b2b_context()
    context["decompte"]["periods"][1]["provisional"] = True
    assert missing_of(context) == [
        "breakdown uses provisional rates (a mise en demeure needs confirmed rates)"
    ]


def test_b2c_never_charges_the_40_euros_nor_fees():
    context = b2c_context("relance_ferme")
    context["totals"]["indemnity"] = "40.00"
    context["invoices"][0]["indemnity"] = "40"
    context["totals"]["fees"] = "15.00"
    context["legal_basis"] = ""
    missing = missing_of(context)
    assert missing == [
        "legal basis (legal_basis)",
        "B2C: no 40 € indemnity may be charged to a consumer (totals.indemnity = 40.00)",
        "B2C: no 40 € indemnity may be charged to a consumer (invoices F-2026-0021)",
        "collection fees may not be charged to a consumer (L111-8 CPCE; totals.fees = 15.00)",
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
        "collector address: street",
        "collector address: city",
        "L111-8 CPCE text (paragraphs 2 and 3, l111_8_text)",
        "first letter date (first_letter.date)",
    ]


def test_relance_mandataire_needs_a_collector():
    context = agency_context("relance_mandataire")
    context["collector"] = None
    assert is_agency(context)
    assert missing_of(context) == [
        "collector (the third party collecting: name, legal form, SIREN, address)"
    ]


def test_l111_8_text_must_be_verbatim():
    context = agency_context()
    context["l111_8_text"] = L111_8_TEXT.replace("mauvaise foi", "bonne foi")
    assert missing_of(context) == [
        "L111-8 CPCE text is not verbatim (l111_8_text must be L111_8_TEXT)"
    ]
    context["l111_8_text"] = L111_8_TEXT.replace("\n", "\r\n")
    check_mentions(context)


def test_later_agency_steps_repeat_the_first_letter():
    context = agency_context("mise_en_demeure")
    context["first_letter"] = None
    assert missing_of(context) == [
        "first letter reference (first_letter.reference)",
        "first letter date (first_letter.date)",
    ]
    first = agency_context("relance_courtoise")
    first["first_letter"] = None
    check_mentions(first)  # the first letter itself


def test_agency_mode_refuses_fees():
    context = agency_context("relance_mandataire")
    context["totals"]["collection_fees"] = "25"
    assert missing_of(context) == [
        "collection fees may not be charged to the debtor in agency mode "
        "(L111-8 CPCE; totals.collection_fees = 25)"
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
        "creditor RCS registry city (creditor.rcs_city)",
        "creditor share capital (creditor.share_capital)",
    ]
    context["creditor"]["share_capital"] = "0"
    assert "creditor share capital must be positive (got 0)" in missing_of(context)


def test_a_sole_trader_has_no_share_capital_and_an_association_no_rcs():
    context = b2b_context("relance_courtoise")
    context["creditor"].update(legal_form="EI", share_capital=None)
    check_mentions(context)
    context["creditor"].update(legal_form="Association", rcs_city=None)
    check_mentions(context)


def test_agency_letters_need_the_collector_registration():
    context = agency_context("relance_mandataire")
    context["collector"]["rcs_city"] = ""
    assert missing_of(context) == ["collector RCS registry city (collector.rcs_city)"]


def test_gdpr_information_at_the_first_letter_and_the_mise_en_demeure():
    for kind in ("relance_courtoise", "mise_en_demeure"):
        context = b2b_context(kind)
        context["gdpr"] = None
        assert missing_of(context) == [
            "GDPR information (gdpr: controller, purpose, basis, retention, rights_contact)"
        ]
    context = b2b_context("mise_en_demeure")
    context["gdpr"]["retention"] = " "
    assert missing_of(context) == ["GDPR: how long the data are kept (gdpr.retention)"]
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
    assert missing_of(context) == ["GDPR art. 14: where the data come from (gdpr.source)"]


def test_mise_en_demeure_names_its_channel_and_one_deadline():
    context = b2b_context()
    context["registered_channel"] = "email"
    assert missing_of(context) == [
        "registered channel (registered_channel: lrar or lre; got 'email')"
    ]
    context = b2b_context()
    context["deadline"] = datetime.date(2026, 5, 4)
    assert missing_of(context) == ["one deadline only (deadline or deadline_days, not both)"]


def test_an_address_that_does_not_fit_the_envelope_is_reported():
    context = b2b_context("relance_courtoise")
    context["debtor"]["address"]["street"] = "ZI des Hauts de Wissous, 4 rue Henri Farman"
    assert missing_of(context) == [
        "debtor postal address: Ligne 4 de l'adresse (« ZI des Hauts de Wissous, 4 rue Henri "
        "Farman ») : 43 caractères, 38 au plus."
    ]
