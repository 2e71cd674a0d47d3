from datetime import date

import pytest

from recouvrement.documents.mentions import check_mentions
from recouvrement.errors import MissingRate
from recouvrement.ledger import bundled_ledger
from recouvrement.letters import build_letter_context


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
