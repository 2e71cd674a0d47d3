"""Properties of the décompte that must hold for any claim (hypothesis)."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from recouvrement.claim import Settlement
from recouvrement.decompte import compute_decompte, to_cents

from .conftest import one_invoice_claim

# Every half-year from 2023 H1 to 2026 H1 has a published rate in the shipped table.
due_dates = st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 3, 31))
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000000"), places=2)
delays = st.integers(min_value=0, max_value=900)
rates_pct = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("30"), places=2)
LAST_KNOWN_DAY = date(2026, 6, 30)


def as_of_after(due: date, delay: int) -> date:
    return min(due + timedelta(days=delay), LAST_KNOWN_DAY)


@settings(max_examples=300, deadline=None)
@given(due=due_dates, delay=delays, amount=amounts, rate=rates_pct)
def test_splitting_moves_the_total_by_at_most_a_cent_per_split(rates, due, delay, amount, rate):
    """With one constant contractual rate, only the half-year splits differ from one period."""
    as_of = as_of_after(due, delay)
    claim = one_invoice_claim(amount=amount, due=due, contractual_rate=rate)
    result = compute_decompte(claim, as_of, rates)
    days = max((as_of - due).days, 0)
    unsplit = to_cents(amount * rate / 100 * days / 365)
    splits = max(len(result.periods) - 1, 0)
    assert abs(result.interest - unsplit) <= Decimal("0.01") * splits


@settings(max_examples=200, deadline=None)
@given(due=due_dates, delay=delays, amount=amounts)
def test_paying_on_the_due_date_owes_nothing(rates, due, delay, amount):
    claim = one_invoice_claim(amount=amount, due=due, settlements=[Settlement(due, amount)])
    result = compute_decompte(claim, as_of_after(due, delay), rates)
    assert result.interest == 0
    assert result.indemnity == 0
    assert result.total == 0
    assert result.invoices[0].days_late == 0


@settings(max_examples=300, deadline=None)
@given(due=due_dates, delay=delays, extra=st.integers(1, 400), amount=amounts)
def test_more_days_never_give_less_interest(rates, due, delay, extra, amount):
    claim = one_invoice_claim(amount=amount, due=due)
    earlier = as_of_after(due, delay)
    later = min(earlier + timedelta(days=extra), LAST_KNOWN_DAY)
    assert (
        compute_decompte(claim, later, rates).interest
        >= compute_decompte(claim, earlier, rates).interest
    )


@settings(max_examples=200, deadline=None)
@given(
    due=due_dates,
    delay=delays,
    amount=amounts,
    paid_share=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("0.99"), places=2),
    paid_after=st.integers(0, 300),
)
def test_a_part_payment_never_increases_the_interest_beyond_rounding(
    rates, due, delay, amount, paid_share, paid_after
):
    as_of = as_of_after(due, delay)
    paid = to_cents(amount * paid_share)
    if paid <= 0:
        return
    payment = Settlement(due + timedelta(days=paid_after), paid)
    with_payment = one_invoice_claim(amount=amount, due=due, settlements=[payment])
    without = one_invoice_claim(amount=amount, due=due)
    # The payment splits one period in two, and each piece is rounded: one cent at most.
    assert compute_decompte(with_payment, as_of, rates).interest <= (
        compute_decompte(without, as_of, rates).interest + Decimal("0.01")
    )
