"""Injonction de payer deadlines: décret 2026-96 (orders from 1 September 2026), CPC 640-644,
CPC 1416 al. 2. Every date below is worked out by hand in the comment beside it."""

from datetime import date

import pytest

from recouvrement.law.procedure import enforcement_date, objection_deadline, service_deadline
from recouvrement.law.time_limits import Place, add_months, extra_months, next_working_day

LYON = Place("FR", "69003")
STRASBOURG = Place("FR", "67000")
METZ = Place("FR", "57000")
FORT_DE_FRANCE = Place("FR", "97200")


@pytest.mark.parametrize(
    ("order_date", "expected"),
    [
        # 31 Aug 2026, old rule: 6 months → 28 Feb 2027 (no 31 Feb, CPC 641), a Sunday;
        # CPC 642 → Monday 1 March 2027.
        (date(2026, 8, 31), date(2027, 3, 1)),
        # 1 Sep 2026, décret 2026-96: 3 months → Tuesday 1 December 2026.
        (date(2026, 9, 1), date(2026, 12, 1)),
        # 15 Sep 2026: 3 months → Tuesday 15 December 2026.
        (date(2026, 9, 15), date(2026, 12, 15)),
        # 12 Sep 2026: 3 months → Saturday 12 December 2026 → Monday 14 December.
        (date(2026, 9, 12), date(2026, 12, 14)),
        # 13 Sep 2026: 3 months → Sunday 13 December 2026 → Monday 14 December.
        (date(2026, 9, 13), date(2026, 12, 14)),
        # 25 Sep 2026: 3 months → Friday 25 December 2026, Christmas; Saturday 26, Sunday
        # 27 → Monday 28 December 2026.
        (date(2026, 9, 25), date(2026, 12, 28)),
        # 31 Mar 2026, old rule: 6 months → Wednesday 30 September 2026.
        (date(2026, 3, 31), date(2026, 9, 30)),
    ],
)
def test_service_deadline_by_the_date_of_the_order(order_date, expected):
    assert service_deadline(order_date) == expected


def test_a_public_holiday_extends_the_objection_deadline():
    # Served 11 Oct 2026: 1 month → Wednesday 11 November 2026, Armistice → Thursday 12.
    assert objection_deadline(date(2026, 10, 11)) == date(2026, 11, 12)


def test_alsace_moselle_holidays_count_when_the_court_sits_there():
    # Served 3 March 2026: 1 month → Friday 3 April 2026, Good Friday. A working day in
    # Lyon; a holiday in Strasbourg and Metz, then Saturday 4, Sunday 5, Easter Monday 6
    # → Tuesday 7 April 2026.
    served = date(2026, 3, 3)
    assert objection_deadline(served, court=LYON) == date(2026, 4, 3)
    assert objection_deadline(served, court=STRASBOURG) == date(2026, 4, 7)
    assert objection_deadline(served, court=METZ) == date(2026, 4, 7)
    # 26 December is a holiday in Moselle only: Saturday anyway in 2026; Thursday in 2024.
    assert next_working_day(date(2024, 12, 26), METZ) == date(2024, 12, 27)
    assert next_working_day(date(2024, 12, 26), LYON) == date(2024, 12, 26)


def test_month_arithmetic_per_cpc_641():
    # 31 March + 1 month: no 31 April → 30 April; 31 January 2028 + 1 month → 29 February
    # (2028 is a leap year).
    assert add_months(date(2026, 3, 31), 1) == date(2026, 4, 30)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    # Served 30 April 2026: 1 month → Saturday 30 May 2026 → Monday 1 June 2026.
    assert objection_deadline(date(2026, 4, 30)) == date(2026, 6, 1)


def test_enforcement_two_months_after_service_for_new_orders_only():
    # Order 15 Sep 2026, served 1 Oct 2026: 2 months → Tuesday 1 December 2026; no
    # objection notice by then → enforcement from Wednesday 2 December 2026.
    assert enforcement_date(date(2026, 9, 15), date(2026, 10, 1)) == date(2026, 12, 2)
    # Served 10 Oct 2026 → Thursday 10 December → from Friday 11 December 2026.
    assert enforcement_date(date(2026, 9, 1), date(2026, 10, 10)) == date(2026, 12, 11)
    # An order of 31 August 2026 keeps the old rules: no such date.
    assert enforcement_date(date(2026, 8, 31), date(2026, 10, 1)) is None


def test_objection_runs_from_the_first_act_in_person_when_service_was_not():
    # Served 1 Oct 2026 at the address, not in person; first seizure 20 Nov 2026: 1 month
    # → Sunday 20 December 2026 → Monday 21 December 2026 (CPC 1416 al. 2).
    assert objection_deadline(date(2026, 10, 1), objection_start=date(2026, 11, 20)) == date(
        2026, 12, 21
    )


def test_extra_time_for_a_debtor_overseas_or_abroad():
    served = date(2026, 9, 10)
    # Lyon court, debtor in Martinique: 1 + 1 months (CPC 643 1°) → Tuesday 10 Nov 2026.
    martinique = Place("FR", "97200")
    assert objection_deadline(served, debtor=martinique, court=LYON) == date(2026, 11, 10)
    # Debtor in Belgium: 1 + 2 months (CPC 643 2°) → Thursday 10 December 2026.
    belgium = Place("BE", "1000")
    assert objection_deadline(served, debtor=belgium, court=LYON) == date(2026, 12, 10)
    # Court in Fort-de-France (CPC 644): a debtor in Paris gets one more month, one who
    # lives in Martinique none.
    assert extra_months(Place("FR", "75011"), FORT_DE_FRANCE) == 1
    assert extra_months(martinique, FORT_DE_FRANCE) == 0
    assert extra_months(Place("France", "75011"), LYON) == 0
    assert extra_months(Place("FR", "98800"), LYON) == 1  # Nouvelle-Calédonie
