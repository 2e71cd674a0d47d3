"""Amounts (french-law.md §2, §3, §9): insolvency stops accrual (L622-28), the 5 points of
L313-3 C. mon. fin., periodic invoices (CGI 289, L441-10 I), the 1343-1 imputation.
Figures by hand: balance × rate × days / 365, rounded to the cent per period."""

from datetime import date
from decimal import Decimal

from recouvrement.claim import Claim, Invoice, Settlement
from recouvrement.decompte import compute_decompte
from recouvrement.kinds import Regime
from recouvrement.law.imputation import Imputation
from recouvrement.ledger import Account, Address, Party, ReminderState
from recouvrement.pauses import Pause, PauseReason
from recouvrement.serialize import decompte_to_dict

DUE = date(2026, 1, 15)
AS_OF = date(2026, 4, 15)


def codes(result) -> list[str]:
    return [warning.code for warning in result.warnings]


def test_an_opening_judgment_stops_penalties_from_its_date(rates):
    # 10 000 € due 15 Jan 2026, B2B 12.15 %; redressement opened 17 Mar 2026. Penalties
    # run 16 Jan to 16 Mar inclusive: 16 + 28 + 16 = 60 days; 10 000 × 12.15 % × 60 / 365
    # = 199.726 → 199.73 €, not the 299.59 € of the full 90 days to 15 Apr.
    invoice = Invoice("F1", Decimal("10000"), DUE, delivery_date=DUE)
    result = compute_decompte(
        Claim((invoice,), insolvency_judgment=date(2026, 3, 17)), AS_OF, rates
    )
    [period] = result.periods
    assert (period.start, period.end, period.days) == (date(2026, 1, 16), date(2026, 3, 16), 60)
    assert result.interest == Decimal("199.73")
    assert result.indemnity == Decimal("40.00")
    assert result.total == Decimal("10239.73")
    assert result.daily_amount == Decimal("0.00")  # nothing runs any more
    assert result.accrual_stopped_on == date(2026, 3, 16)
    assert "insolvency_stops_accrual" in codes(result)


def test_the_ledger_insolvency_pause_dates_the_judgment(rates):
    invoice = Invoice("F1", Decimal("10000"), DUE, delivery_date=DUE)
    account = Account(
        "GIRARD",
        Party("Transports Girard", Address("4 rue Henri Farman", "91320", "Wissous")),
        Regime.B2B,
        (invoice,),
        states={"F1": ReminderState(pauses=(Pause(PauseReason.INSOLVENCY, date(2026, 3, 17)),))},
    )
    assert compute_decompte(account.claim(), AS_OF, rates).interest == Decimal("199.73")


def test_five_more_points_two_months_after_an_enforceable_decision(rates):
    # Consumer, 1 000 €, company creditor (legal rate 2026 H1: 2.62 %); mise en demeure
    # received 2 Feb 2026; decision enforceable 2 Mar 2026 → two months end 2 May → 7.62 %
    # from 3 May (L313-3).
    #   3 Feb – 2 May: 26 + 31 + 30 + 2 = 89 days × 1 000 × 2.62 % / 365 = 6.388 → 6.39 €
    #   3 May – 31 May: 29 days × 1 000 × 7.62 % / 365 = 6.054 → 6.05 €
    invoice = Invoice("F1", Decimal("1000"), DUE)
    claim = Claim(
        (invoice,),
        regime=Regime.B2C,
        notice_received=date(2026, 2, 2),
        enforceable_on=date(2026, 3, 2),
    )
    result = compute_decompte(claim, date(2026, 5, 31), rates)
    assert [(p.start, p.end, p.days, p.rate, p.amount) for p in result.periods] == [
        (date(2026, 2, 3), date(2026, 5, 2), 89, Decimal("2.62"), Decimal("6.39")),
        (date(2026, 5, 3), date(2026, 5, 31), 29, Decimal("7.62"), Decimal("6.05")),
    ]
    assert result.interest == Decimal("12.44")
    assert any("L313-3" in source for source in result.rate_sources)


def test_a_periodic_invoice_gets_45_days_from_issue(rates):
    # Issued 10 Jan 2026, due 28 Feb 2026 (49 days). A periodic invoice (CGI 289 I 3) may
    # not go past 10 Jan + 45 days = 24 Feb 2026; an ordinary one has until 17 Mar 2026
    # (45 days after the end of January).
    terms = {"invoice_date": date(2026, 1, 10), "delivery_date": date(2026, 1, 10)}
    periodic = Invoice("F1", Decimal("1000"), date(2026, 2, 28), periodic=True, **terms)
    ordinary = Invoice("F1", Decimal("1000"), date(2026, 2, 28), **terms)
    [warning] = [
        w
        for w in compute_decompte(Claim((periodic,)), AS_OF, rates).warnings
        if w.code == "payment_term_exceeded"
    ]
    assert "facture périodique (art. 289 CGI)" in warning and "24 février 2026" in warning
    assert "payment_term_exceeded" not in codes(compute_decompte(Claim((ordinary,)), AS_OF, rates))


def test_1343_1_imputes_a_part_payment_on_the_penalties_first(rates):
    # 10 000 € due 15 Jan 2026, 4 000 € paid 14 Feb 2026, B2B 12.15 %, on 15 Apr 2026.
    # Simple: 16 Jan – 14 Feb 30 days × 10 000 = 99.86 €; 15 Feb – 15 Apr 60 days × 6 000
    #   = 119.84 €; principal 6 000 €, total 6 000 + 219.70 + 40 = 6 259.70 €.
    # 1343-1: the 4 000 € first pays the 99.86 € accrued, 3 900.14 € go to the principal,
    #   which falls to 6 099.86 €; 60 days × 6 099.86 × 12.15 % / 365 = 121.830 → 121.83 €
    #   still owed; total 6 099.86 + 121.83 + 40 = 6 261.69 €.
    invoice = Invoice(
        "F1",
        Decimal("10000"),
        DUE,
        delivery_date=DUE,
        settlements=(Settlement(date(2026, 2, 14), Decimal("4000")),),
    )
    simple = compute_decompte(Claim((invoice,)), AS_OF, rates)
    assert (simple.principal, simple.interest, simple.total) == (
        Decimal("6000.00"),
        Decimal("219.70"),
        Decimal("6259.70"),
    )
    imputed = compute_decompte(Claim((invoice,), method=Imputation.INTEREST_FIRST), AS_OF, rates)
    assert [(p.days, p.balance, p.amount) for p in imputed.periods] == [
        (30, Decimal("10000"), Decimal("99.86")),
        (60, Decimal("6099.86"), Decimal("121.83")),
    ]
    assert imputed.invoices[0].interest_paid == Decimal("99.86")
    assert (imputed.principal, imputed.interest, imputed.total) == (
        Decimal("6099.86"),
        Decimal("121.83"),
        Decimal("6261.69"),
    )
    as_json = decompte_to_dict(imputed)
    assert as_json["method_code"] == "1343-1"
    assert as_json["method"] == (
        "imputation des paiements sur les intérêts d'abord (art. 1343-1 C. civ.)"
    )
    assert decompte_to_dict(simple)["method"].startswith("simple (")


def test_1343_1_with_two_part_payments(rates):
    # 2 000 € due 15 Jan 2026, paid 500 € on 14 Feb and 1 000 € on 16 Mar, B2B 12.15 %.
    #   16 Jan – 14 Feb: 30 days × 2 000 × 12.15 % / 365 = 19.972 → 19.97 €; the 500 € pay
    #   19.97 € of it and 480.03 € of principal → 1 519.97 €.
    #   15 Feb – 16 Mar: 30 days × 1 519.97 × 12.15 % / 365 = 15.178 → 15.18 €; the 1 000 €
    #   pay 15.18 € and 984.82 € of principal → 535.15 €.
    #   17 Mar – 15 Apr: 30 days × 535.15 × 12.15 % / 365 = 5.344 → 5.34 € still owed.
    invoice = Invoice(
        "F1",
        Decimal("2000"),
        DUE,
        delivery_date=DUE,
        settlements=(
            Settlement(date(2026, 2, 14), Decimal("500")),
            Settlement(date(2026, 3, 16), Decimal("1000")),
        ),
    )
    result = compute_decompte(Claim((invoice,), method=Imputation.INTEREST_FIRST), AS_OF, rates)
    assert [(p.balance, p.amount) for p in result.periods] == [
        (Decimal("2000"), Decimal("19.97")),
        (Decimal("1519.97"), Decimal("15.18")),
        (Decimal("535.15"), Decimal("5.34")),
    ]
    assert result.invoices[0].interest_paid == Decimal("35.15")
    assert result.principal == Decimal("535.15")
    assert result.interest == Decimal("5.34")
    assert result.total == Decimal("580.49")  # 535.15 + 5.34 + 40
