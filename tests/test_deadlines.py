from datetime import date
from decimal import Decimal

from recouvrement.kinds import Regime
from recouvrement.law.prescription import prescription_date, prescription_start
from recouvrement.law.procedure import (
    objection_deadline,
    psrpc_eligible,
    service_deadline,
)


def test_prescription_lengths_by_regime():
    due = date(2026, 1, 15)
    assert prescription_date(due, Regime.B2B) == date(2031, 1, 15)
    assert prescription_date(due, Regime.B2C) == date(2028, 1, 15)
    assert prescription_date(due, Regime.PUBLIC) == date(2030, 12, 31)


def test_acknowledgment_restarts_prescription_but_not_an_earlier_one():
    due = date(2026, 1, 15)
    acknowledged = [date(2025, 12, 1), date(2027, 3, 2)]
    assert prescription_date(due, Regime.B2B, acknowledged) == date(2032, 3, 2)
    assert prescription_date(due, Regime.PUBLIC, acknowledged) == date(2031, 12, 31)


def test_prescription_starts_at_the_earlier_of_delivery_and_due_date():
    assert prescription_start(date(2026, 3, 1), date(2026, 1, 20)) == date(2026, 1, 20)
    assert prescription_start(date(2026, 3, 1), None) == date(2026, 3, 1)


def test_leap_day_prescription():
    assert prescription_date(date(2024, 2, 29), Regime.B2B) == date(2029, 2, 28)


def test_psrpc_limit_is_5000_principal_and_interest():
    assert psrpc_eligible(Decimal("5000.00"))
    assert not psrpc_eligible(Decimal("5000.01"))
    assert not psrpc_eligible(Decimal("0"))


def test_injonction_deadlines():
    assert service_deadline(date(2026, 8, 31)) == date(2027, 2, 28)
    assert objection_deadline(date(2026, 3, 31)) == date(2026, 4, 30)
