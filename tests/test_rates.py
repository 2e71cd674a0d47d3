from datetime import date
from decimal import Decimal

import pytest

from recouvrement.errors import MissingRate, RateFileError
from recouvrement.kinds import CreditorKind
from recouvrement.law.half_year import HalfYear
from recouvrement.law.late_payment import contractual_rate_floor, default_penalty_rate
from recouvrement.law.rates import RateTable

# french-law.md §1: default penalty rate and contractual floor per half-year.
PENALTY_TABLE = [
    (HalfYear(2023, 1), "12.50", "6.18"),
    (HalfYear(2023, 2), "14.00", "12.66"),
    (HalfYear(2024, 1), "14.50", "15.21"),
    (HalfYear(2024, 2), "14.25", "14.76"),
    (HalfYear(2025, 1), "13.15", "11.13"),
    (HalfYear(2025, 2), "12.15", "8.28"),
    (HalfYear(2026, 1), "12.15", "7.86"),
]


@pytest.mark.parametrize(("half_year", "penalty", "floor"), PENALTY_TABLE)
def test_shipped_table_reproduces_the_published_figures(rates, half_year, penalty, floor):
    assert default_penalty_rate(half_year, rates).value == Decimal(penalty)
    assert contractual_rate_floor(half_year, rates) == Decimal(floor)


def test_mro_in_force_follows_the_decision_dates(rates):
    assert rates.mro_in_force(date(2023, 9, 19)).value == Decimal("4.25")
    assert rates.mro_in_force(date(2023, 9, 20)).value == Decimal("4.50")
    assert "FM.B.U2.EUR.4F.KR.MRR_FR.LEV" in rates.mro_in_force(date(2024, 1, 1)).source


def test_every_shipped_row_has_a_source(rates):
    for series in ("mro", "legal_individual", "legal_other"):
        assert all(row.source for row in rates.rows(series))


def test_legal_rate_by_creditor_kind(rates):
    assert rates.legal_rate(HalfYear(2025, 2), CreditorKind.INDIVIDUAL).value == Decimal("6.65")
    assert rates.legal_rate(HalfYear(2025, 2), CreditorKind.COMPANY).value == Decimal("2.76")


def test_unknown_half_year_names_itself(rates):
    with pytest.raises(MissingRate, match=r"2026 H2"):
        rates.legal_rate(HalfYear(2026, 2), CreditorKind.COMPANY)
    with pytest.raises(MissingRate, match=r"2026 H2"):
        rates.mro_in_force(date(2026, 7, 1))
    with pytest.raises(MissingRate, match=r"2015 H1"):
        rates.mro_in_force(date(2015, 1, 1))


def test_carry_forward_is_flagged_provisional(rates):
    rate = rates.legal_rate(HalfYear(2026, 2), CreditorKind.COMPANY, provisional_ok=True)
    assert (rate.value, rate.provisional) == (Decimal("2.62"), True)
    assert not rates.legal_rate(HalfYear(2026, 1), CreditorKind.COMPANY).provisional


def test_user_file_adds_and_overrides_rows(tmp_path):
    user_file = tmp_path / "rates.csv"
    user_file.write_text(
        "series,date,rate,source\n"
        "mro,2026-07-01,2.15,checked by hand\n"
        "legal_other,2026-07-01,2.50,arrêté test\n"
        "legal_other,2026-01-01,9.99,override for the test\n",
        encoding="utf-8",
    )
    table = RateTable.load(user_file)
    assert default_penalty_rate(HalfYear(2026, 2), table).value == Decimal("12.15")
    assert table.legal_rate(HalfYear(2026, 2), CreditorKind.COMPANY).source == "arrêté test"
    assert table.legal_rate(HalfYear(2026, 1), CreditorKind.COMPANY).value == Decimal("9.99")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("euribor,2026-01-01,2.0,x", "unknown series 'euribor'"),
        ("mro,2026-13-01,2.0,x", "is not a YYYY-MM-DD date"),
        ("mro,2026-01-01,abc,x", "is not a rate"),
        ("legal_other,2026-02-01,2.0,x", "1 January or 1 July"),
        ("mro,2026-01-01,250,x", "out of range"),
    ],
)
def test_malformed_user_file_names_file_and_line(tmp_path, line, message):
    user_file = tmp_path / "rates.csv"
    user_file.write_text(f"series,date,rate,source\n{line}\n", encoding="utf-8")
    with pytest.raises(RateFileError, match=message) as raised:
        RateTable.load(user_file)
    assert f"{user_file}, line 2" in str(raised.value)
