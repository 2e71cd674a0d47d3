import dataclasses
from datetime import date

import pytest

from recouvrement.documents.mentions import check_mentions
from recouvrement.errors import MissingRate
from recouvrement.ledger import bundled_ledger
from recouvrement.letters import GDPR_DEFAULTS, build_letter_context


@pytest.fixture(scope="module")
def ledger():
    return bundled_ledger()


def context_for(ledger, rates, kind, debtor, numbers, day=date(2026, 6, 30)):
    account = ledger.account(debtor)
    return build_letter_context(
        kind, ledger, account, numbers, letter_date=day, reference="REF-1", rates=rates
    )


def test_mise_en_demeure_context_carries_the_engine_figures(ledger, rates):
    context, decompte = context_for(
        ledger, rates, "mise_en_demeure", "DUPONT", ["FA-2026-0018", "FA-2026-0031"]
    )
    check_mentions(context)
    assert context["totals"] == {
        "principal": "11380.00",
        "interest": f"{decompte.interest:.2f}",
        "indemnity": "80.00",
        "total": f"{decompte.total:.2f}",
        "daily_amount": f"{decompte.daily_amount:.2f}",
    }
    assert [period["amount"] for period in context["decompte"]["periods"]] == [
        f"{period.amount:.2f}" for period in decompte.periods
    ]
    # One deadline, stated one way: 8 days from receipt, no date beside it.
    assert context["deadline"] is None
    assert context["deadline_days"] == 8
    assert context["registered_channel"] == "lrar"
    assert context["gdpr"]["controller"].startswith("Ateliers Durand")
    assert "injonction de payer" in context["next_step"]
    assert "L441-10" in context["legal_basis"] and "D441-5" in context["legal_basis"]


def test_consumer_letter_has_no_indemnity_and_the_civil_code_basis(ledger, rates):
    context, _ = context_for(ledger, rates, "relance_courtoise", "LEFEVRE", ["FA-2026-0060"])
    check_mentions(context)
    assert context["totals"]["indemnity"] == "0.00"
    assert "1231-6" in context["legal_basis"]
    assert "40 €" not in context["legal_basis"]


def test_statement_lists_invoices_payments_and_credit_notes_by_date(ledger, rates):
    context, _ = context_for(
        ledger, rates, "releve_de_compte", "MARTIN", ["FA-2026-0049", "FA-2026-0052"]
    )
    assert [(line["date"], line["label"], line["debit"], line["credit"]) for line in
            context["movements"]] == [
        ("2026-04-15", "Facture FA-2026-0049", "2400.00", None),
        ("2026-04-25", "Facture FA-2026-0052", "1860.00", None),
        ("2026-05-10", "Avoir AV-2026-0003 (FA-2026-0049)", None, "400.00"),
    ]  # fmt: skip
    assert context["invoices"][0]["credited"] == "400.00"
    assert context["invoices"][0]["balance"] == "2000.00"


def test_letters_never_rest_on_a_missing_rate(ledger, rates):
    with pytest.raises(MissingRate, match="2026 H2"):
        context_for(
            ledger, rates, "mise_en_demeure", "DUPONT", ["FA-2026-0018"], day=date(2026, 8, 3)
        )


def test_terms_of_sale_cited_as_accepted_only_when_the_invoices_refer_to_them(ledger, rates):
    context, _ = context_for(ledger, rates, "relance_courtoise", "LEFEVRE", ["FA-2026-0060"])
    assert "conditions générales de vente acceptées" in context["legal_basis"]
    other = dataclasses.replace(ledger, terms_on_invoices=False)
    context, _ = context_for(other, rates, "relance_courtoise", "LEFEVRE", ["FA-2026-0060"])
    assert "conditions générales" not in context["legal_basis"]
    assert context["legal_basis"].startswith("Nos factures, émises pour les biens et services")


def test_statement_marks_disputed_invoices_and_leaves_them_out_of_the_demand(ledger, rates):
    context, decompte = context_for(ledger, rates, "releve_de_compte", "HORIZON", ["FA-2026-0038"])
    check_mentions(context)
    assert decompte is None  # nothing demanded
    assert context["invoices"][0]["disputed"] is True
    assert context["totals"]["principal"] == "0.00" and context["totals"]["total"] == "0.00"
    assert context["disputed_total"] == "5200.00"
    assert context["movements"][0]["label"] == "Facture FA-2026-0038 (contestée)"
    assert context["movement_totals"] == {
        "debit": "5200.00",
        "credit": "0.00",
        "balance": "5200.00",
    }


def test_other_letters_leave_a_disputed_invoice_out(ledger, rates):
    context, _ = context_for(ledger, rates, "relance_ferme", "HORIZON", ["FA-2026-0038"])
    assert context["invoices"] == []
    assert context["disputed_total"] == "5200.00"


def test_statement_shows_the_payment_plan_with_its_instalments(ledger, rates):
    context, _ = context_for(ledger, rates, "releve_de_compte", "PETIT", ["FA-2026-0025"])
    plan = context["payment_plan"]
    assert plan["since"] == "2026-04-15" and plan["total"] == "900.00"
    assert [(i["due_date"], i["paid"], i["status"]) for i in plan["instalments"]] == [
        ("2026-04-30", "300.00", "réglée"),
        ("2026-05-31", "300.00", "réglée"),
        ("2026-06-30", "0.00", "à venir"),
    ]
    # 900 - 300 - 300 = 300 after each payment
    assert [line["balance"] for line in context["movements"]] == ["900.00", "600.00", "300.00"]
    late, _ = context_for(ledger, rates, "releve_de_compte", "PETIT", ["FA-2026-0025"],
                          day=date(2026, 7, 1))  # fmt: skip
    assert late["payment_plan"]["instalments"][2]["status"] == "impayée"


def test_gdpr_information_from_the_settings_or_the_usual_wording(ledger, rates):
    bare = dataclasses.replace(ledger, gdpr={})
    context, _ = context_for(bare, rates, "relance_courtoise", "LEFEVRE", ["FA-2026-0060"])
    assert context["gdpr"]["controller"] == "Ateliers Durand, 14 rue des Tanneurs, 69002 Lyon"
    assert context["gdpr"]["rights_contact"] == "comptabilite@ateliers-durand.example"
    assert context["gdpr"]["purpose"] == GDPR_DEFAULTS["purpose"]
    context, _ = context_for(ledger, rates, "relance_courtoise", "LEFEVRE", ["FA-2026-0060"])
    assert context["gdpr"]["rights_contact"].startswith("rgpd@ateliers-durand.example")
