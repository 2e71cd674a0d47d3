from datetime import date
from decimal import Decimal

import pytest

from recouvrement.claim import Claim, Invoice, Settlement, SettlementKind
from recouvrement.decompte import compute_decompte
from recouvrement.errors import InvalidClaim, MissingRate
from recouvrement.kinds import CreditorKind, Regime

from .conftest import one_invoice_claim


def codes(result) -> list[str]:
    return [warning.code for warning in result.warnings]


def test_worked_example_default_rate(rates):
    """french-law.md §3: 10 000 € due 15 Jan 2026, paid 15 Apr 2026 → 299.59 € + 40 €."""
    claim = one_invoice_claim(settlements=[Settlement(date(2026, 4, 15), Decimal("10000"))])
    result = compute_decompte(claim, date(2026, 4, 15), rates)
    [period] = result.periods
    assert (period.start, period.end, period.days) == (date(2026, 1, 16), date(2026, 4, 15), 90)
    assert period.rate == Decimal("12.15")
    assert result.interest == Decimal("299.59")
    assert result.indemnity == Decimal("40.00")
    assert result.principal == Decimal("0.00")
    assert result.total == Decimal("339.59")
    assert result.daily_amount == Decimal("0.00")
    assert result.warnings == ()  # paid in full: nothing left to prescribe
    assert not result.provisional


def test_worked_example_contractual_rate_at_the_floor(rates):
    claim = one_invoice_claim(contractual_rate=Decimal("7.86"))
    result = compute_decompte(claim, date(2026, 4, 15), rates)
    assert result.interest == Decimal("193.81")
    assert result.indemnity == Decimal("40.00")
    assert result.total == Decimal("10233.81")
    assert "contractual_rate_below_floor" not in codes(result)  # 7.86 % = 3 × 2.62 %


def test_unpaid_invoice_daily_amount(rates):
    result = compute_decompte(one_invoice_claim(), date(2026, 4, 15), rates)
    assert result.total == Decimal("10339.59")
    assert result.daily_amount == Decimal("3.33")  # 10 000 × 12.15 % / 365 = 3.3288


def test_period_straddling_1_july_uses_each_half_year_rate(rates):
    claim = one_invoice_claim(due=date(2025, 6, 15))
    result = compute_decompte(claim, date(2025, 7, 20), rates)
    assert [(p.start, p.end, p.days, p.rate, p.amount) for p in result.periods] == [
        (date(2025, 6, 16), date(2025, 6, 30), 15, Decimal("13.15"), Decimal("54.04")),
        (date(2025, 7, 1), date(2025, 7, 20), 20, Decimal("12.15"), Decimal("66.58")),
    ]
    assert result.interest == Decimal("120.62")


def test_period_straddling_1_january_uses_each_half_year_rate(rates):
    claim = one_invoice_claim(due=date(2024, 12, 20))
    result = compute_decompte(claim, date(2025, 1, 10), rates)
    assert [(p.start, p.end, p.days, p.rate, p.amount) for p in result.periods] == [
        (date(2024, 12, 21), date(2024, 12, 31), 11, Decimal("14.25"), Decimal("42.95")),
        (date(2025, 1, 1), date(2025, 1, 10), 10, Decimal("13.15"), Decimal("36.03")),
    ]


def test_part_payment_lowers_the_balance_from_the_next_day(rates):
    payment = Settlement(date(2026, 2, 14), Decimal("4000"))
    result = compute_decompte(one_invoice_claim(settlements=[payment]), date(2026, 4, 15), rates)
    assert [(p.start, p.end, p.days, p.balance, p.amount) for p in result.periods] == [
        (date(2026, 1, 16), date(2026, 2, 14), 30, Decimal("10000"), Decimal("99.86")),
        (date(2026, 2, 15), date(2026, 4, 15), 60, Decimal("6000"), Decimal("119.84")),
    ]
    [invoice] = result.invoices
    assert (invoice.paid, invoice.balance) == (Decimal("4000"), Decimal("6000.00"))
    assert result.total == Decimal("6000.00") + Decimal("219.70") + Decimal("40.00")


def test_credit_note_before_due_date_lowers_the_principal(rates):
    credit = Settlement(date(2026, 1, 10), Decimal("2000"), SettlementKind.CREDIT_NOTE)
    result = compute_decompte(one_invoice_claim(settlements=[credit]), date(2026, 4, 15), rates)
    [period] = result.periods
    assert period.balance == Decimal("8000")
    assert result.invoices[0].credited == Decimal("2000")
    assert result.interest == Decimal("239.67")  # 8 000 × 12.15 % × 90 / 365


def test_invoice_cancelled_by_credit_note_owes_nothing(rates):
    credit = Settlement(date(2026, 2, 1), Decimal("10000"), SettlementKind.CREDIT_NOTE)
    result = compute_decompte(one_invoice_claim(settlements=[credit]), date(2026, 4, 15), rates)
    assert result.indemnity == Decimal("0.00")
    assert result.principal == Decimal("0.00")


def test_settlements_after_the_as_of_date_are_ignored(rates):
    later = Settlement(date(2026, 5, 1), Decimal("10000"))
    result = compute_decompte(one_invoice_claim(settlements=[later]), date(2026, 4, 15), rates)
    assert result.interest == Decimal("299.59")
    assert result.principal == Decimal("10000.00")


def test_b2c_interest_runs_from_the_notice_at_the_legal_rate(rates):
    claim = one_invoice_claim(amount="1000", regime=Regime.B2C, notice_received=date(2026, 2, 10))
    result = compute_decompte(claim, date(2026, 4, 10), rates)
    [period] = result.periods
    assert (period.start, period.days, period.rate) == (date(2026, 2, 11), 59, Decimal("2.62"))
    assert result.interest == Decimal("4.24")
    assert result.indemnity == Decimal("0.00")


def test_b2c_private_person_creditor_uses_the_higher_legal_rate(rates):
    claim = one_invoice_claim(
        amount="1000",
        regime=Regime.B2C,
        notice_received=date(2026, 2, 10),
        creditor=CreditorKind.INDIVIDUAL,
    )
    result = compute_decompte(claim, date(2026, 4, 10), rates)
    assert result.periods[0].rate == Decimal("6.67")
    assert result.interest == Decimal("10.78")


def test_b2c_without_notice_owes_no_interest_and_says_why(rates):
    claim = one_invoice_claim(amount="1000", regime=Regime.B2C)
    result = compute_decompte(claim, date(2026, 4, 10), rates)
    assert result.periods == []
    assert result.interest == Decimal("0.00")
    assert result.indemnity == Decimal("0.00")
    assert any("1344-1" in warning for warning in result.warnings)
    assert "no_notice_received" in codes(result)


def test_public_buyer_rate_is_fixed_at_the_start_half_year(rates):
    claim = one_invoice_claim(due=date(2025, 6, 15), regime=Regime.PUBLIC)
    result = compute_decompte(claim, date(2025, 7, 20), rates)
    # R2192-31: ECB rate on 1 Jan 2025 (3.15 %) + 8 points, for the whole delay.
    assert {period.rate for period in result.periods} == {Decimal("11.15")}
    assert result.indemnity == Decimal("40.00")


def test_contractual_rate_below_the_floor_is_flagged(rates):
    claim = one_invoice_claim(contractual_rate=Decimal("7.00"))
    result = compute_decompte(claim, date(2026, 4, 15), rates)
    assert result.interest == Decimal("172.60")  # the contractual rate still applies
    [warning] = [w for w in result.warnings if w.code == "contractual_rate_below_floor"]
    assert warning == (
        "le taux contractuel de 7,00 % est inférieur au plancher de l'art. L441-10 C. com. "
        "(7,86 %, 3 fois le taux de l'intérêt légal) pour le premier semestre 2026"
    )
    assert warning.params == {"rate": "7.00", "floor": "7.86", "half_year": "2026 H1"}


def test_missing_half_year_is_an_error_naming_it(rates):
    with pytest.raises(MissingRate) as raised:
        compute_decompte(one_invoice_claim(), date(2026, 8, 1), rates)
    assert "2026 H2" in str(raised.value)
    assert "second semestre 2026" in str(raised.value)
    assert raised.value.code == "missing_rate"


def test_missing_half_year_carried_forward_only_on_request(rates):
    result = compute_decompte(one_invoice_claim(), date(2026, 8, 1), rates, allow_provisional=True)
    assert result.provisional
    assert result.periods[-1].rate == Decimal("12.15")
    [warning] = [w for w in result.warnings if w.code == "provisional_rate"]
    assert warning.startswith("taux provisoire pour le second semestre 2026")
    assert [period.provisional for period in result.periods] == [False, True]


def test_provisional_per_invoice(rates):
    """An invoice paid before the unknown half-year has no provisional interest."""
    paid = Invoice(
        "F1",
        Decimal("1000"),
        date(2026, 1, 15),
        settlements=(Settlement(date(2026, 5, 31), Decimal("1000")),),
    )
    open_invoice = Invoice("F2", Decimal("1000"), date(2026, 1, 15))
    result = compute_decompte(
        Claim((paid, open_invoice)), date(2026, 8, 1), rates, allow_provisional=True
    )
    assert [invoice.provisional for invoice in result.invoices] == [False, True]
    assert result.provisional


def test_several_invoices_add_up_per_invoice(rates):
    first = Invoice("F1", Decimal("10000"), date(2026, 1, 15))
    second = Invoice(
        "F2",
        Decimal("2500"),
        date(2026, 2, 28),
        settlements=(Settlement(date(2026, 3, 31), Decimal("500")),),
    )
    claim = Claim((first, second))
    result = compute_decompte(claim, date(2026, 4, 15), rates)
    alone = [
        compute_decompte(Claim((invoice,)), date(2026, 4, 15), rates) for invoice in (first, second)
    ]
    assert result.interest == sum(part.interest for part in alone)
    assert result.indemnity == Decimal("80.00")
    assert result.principal == Decimal("12000.00")
    assert result.total == sum(part.total for part in alone)
    assert [period.invoice for period in result.periods] == ["F1", "F2", "F2"]


def test_payment_term_beyond_l441_10_is_flagged(rates):
    invoice = Invoice("F1", Decimal("1000"), date(2026, 4, 15), invoice_date=date(2026, 1, 10))
    result = compute_decompte(Claim((invoice,)), date(2026, 4, 20), rates)
    [warning] = [w for w in result.warnings if w.code == "payment_term_exceeded"]
    assert "L441-10 I" in warning and "17 mars 2026" in warning
    assert warning.params["limit"] == "2026-03-17"


def test_prescription_and_psrpc_appear_in_the_decompte(rates):
    partly_paid = one_invoice_claim(
        amount="4000", settlements=[Settlement(date(2026, 3, 1), Decimal("500"))]
    )
    result = compute_decompte(partly_paid, date(2026, 4, 15), rates)
    assert result.prescription == date(2031, 3, 1)  # the part payment restarted it
    assert result.psrpc_eligible
    big = compute_decompte(one_invoice_claim(), date(2026, 4, 15), rates)
    assert not big.psrpc_eligible


def test_injonction_deadlines_appear_when_dates_are_known(rates):
    claim = one_invoice_claim(order_date=date(2026, 3, 31), service_date=date(2026, 4, 30))
    result = compute_decompte(claim, date(2026, 4, 15), rates)
    assert result.service_deadline == date(2026, 9, 30)  # order before 1 Sept 2026: 6 months
    # 30 May 2026 is a Saturday: CPC 642 moves the end to Monday 1 June 2026.
    assert result.objection_deadline == date(2026, 6, 1)
    assert result.enforcement_date is None  # old order: no two-month enforcement rule


def test_prescription_warning_close_to_expiry(rates):
    claim = one_invoice_claim(amount="500", due=date(2024, 5, 1), regime=Regime.B2C)
    result = compute_decompte(claim, date(2026, 3, 1), rates)
    [warning] = [w for w in result.warnings if w.code == "prescription_soon"]
    assert warning == "facture F1 : prescrite le 1er mai 2026"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"contractual_rate": Decimal("8"), "regime": Regime.B2C},
            "ne s'applique qu'entre professionnels",
        ),
        ({"contractual_rate": Decimal("-1")}, "ne peut pas être négatif"),
    ],
)
def test_invalid_claims_are_refused(options, message):
    with pytest.raises(InvalidClaim, match=message):
        one_invoice_claim(**options)


def test_invalid_invoices_are_refused():
    with pytest.raises(InvalidClaim, match="doit être positif"):
        Invoice("F1", Decimal("-5"), date(2026, 1, 1))
    with pytest.raises(InvalidClaim, match="qu'une fois"):
        invoice = Invoice("F1", Decimal("5"), date(2026, 1, 1))
        Claim((invoice, invoice))
