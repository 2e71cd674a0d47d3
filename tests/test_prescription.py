"""Prescription (french-law.md §7): acknowledgments only while it runs, credit notes are not
acknowledgments, the public buyer's written demands, an unknown start. Dates by hand."""

from datetime import date
from decimal import Decimal

from recouvrement.claim import Claim, Invoice, Settlement, SettlementKind
from recouvrement.decompte import compute_decompte
from recouvrement.dossier.guards import PRESCRIPTION, claim_problems
from recouvrement.kinds import Regime
from recouvrement.law.prescription import prescription, prescription_date
from recouvrement.ledger import Account, Address, Party, Reminder, ReminderState
from recouvrement.pauses import Pause, PauseReason

DUE = date(2026, 1, 15)


def codes(result) -> list[str]:
    return [warning.code for warning in result.warnings]


def test_an_acknowledgment_after_expiry_does_not_revive_the_claim(rates):
    # B2C, 2 years (L218-2): due 15 Jan 2026 → time-barred after 15 Jan 2028. A part
    # payment on 1 Feb 2028 comes too late: the last day stays 15 Jan 2028 (C. civ. 2240).
    late_payment = Settlement(date(2028, 2, 1), Decimal("100"))
    invoice = Invoice("F1", Decimal("1000"), DUE, settlements=(late_payment,))
    result = compute_decompte(
        Claim((invoice,), regime=Regime.B2C, notice_received=date(2026, 2, 2)),
        date(2028, 3, 1),
        rates,
        allow_provisional=True,  # 2026 H2 onwards has no published rate yet
    )
    assert result.prescription == date(2028, 1, 15)
    assert "time_barred" in codes(result)
    [warning] = [w for w in result.warnings if w.code == "acknowledgment_after_prescription"]
    assert warning == (
        "facture F1 : la reconnaissance du 1er février 2028 intervient après la prescription, "
        "acquise le 15 janvier 2028 ; elle ne la fait pas revivre (art. 2240 C. civ.)"
    )


def test_acknowledgments_while_running_restart_it_each_time():
    # B2C: 15 Jan 2026 → 15 Jan 2028; acknowledged 10 Jan 2028 (still running) → 10 Jan
    # 2030; acknowledged again 1 Jan 2030 → 1 Jan 2032.
    acts = [date(2028, 1, 10), date(2030, 1, 1)]
    assert prescription_date(DUE, Regime.B2C, acts) == date(2032, 1, 1)
    # Same acts, but the first after expiry (20 Jan 2028): nothing restarts, the second
    # (2030) is after expiry too.
    result = prescription(DUE, Regime.B2C, acknowledgments=[date(2028, 1, 20), date(2030, 1, 1)])
    assert result.last_day == date(2028, 1, 15)
    assert result.too_late == (date(2028, 1, 20), date(2030, 1, 1))


def test_a_credit_note_does_not_restart_prescription_but_a_payment_does(rates):
    # B2B, 5 years (L110-4): due 15 Jan 2026 → 15 Jan 2031. A credit note on 1 Mar 2026 is
    # the creditor's act: still 15 Jan 2031. A part payment that day: 1 Mar 2031.
    credit = Settlement(date(2026, 3, 1), Decimal("500"), SettlementKind.CREDIT_NOTE)
    payment = Settlement(date(2026, 3, 1), Decimal("500"))
    as_of = date(2026, 4, 15)
    for settlement, expected in ((credit, date(2031, 1, 15)), (payment, date(2031, 3, 1))):
        invoice = Invoice("F1", Decimal("1000"), DUE, settlements=(settlement,))
        assert compute_decompte(Claim((invoice,)), as_of, rates).prescription == expected


def test_a_written_demand_interrupts_only_against_a_public_buyer(rates):
    # Public buyer (loi 68-1250 art. 1): due 15 Jan 2026 → 4 years from 1 Jan 2027 → 31 Dec
    # 2030. A mise en demeure on 10 Mar 2027 (art. 2) → a new period from 1 Jan 2028 → 31
    # Dec 2031. Against a business the same letter changes nothing: 15 Jan 2031.
    demand = (date(2027, 3, 10),)
    assert prescription_date(DUE, Regime.PUBLIC) == date(2030, 12, 31)
    assert prescription_date(DUE, Regime.PUBLIC, demands=demand) == date(2031, 12, 31)
    assert prescription_date(DUE, Regime.B2B, demands=demand) == date(2031, 1, 15)
    invoice = Invoice("F1", Decimal("1000"), DUE, delivery_date=DUE)
    claim = Claim((invoice,), regime=Regime.PUBLIC, demands=demand)
    # On 15 Apr 2027 the letter is known (the R2192-31 rate is fixed at 2026 H1's).
    assert compute_decompte(claim, date(2027, 4, 15), rates).prescription == date(2031, 12, 31)
    # On 15 Apr 2026 it was not sent yet.
    assert compute_decompte(claim, date(2026, 4, 15), rates).prescription == date(2030, 12, 31)


def test_the_mise_en_demeure_of_the_history_counts_for_a_public_buyer(rates):
    # The account's reminders are the written demands: the mise en demeure of 22 April
    # 2026 → a new period from 1 Jan 2027 → 31 Dec 2030; a phone call would not count.
    invoice = Invoice("F1", Decimal("1000"), date(2025, 3, 1), delivery_date=date(2025, 2, 20))
    reminders = (
        Reminder("TEL-1", "phone", date(2025, 6, 1), ("F1",), channel="phone"),
        Reminder("MED-1", "mise_en_demeure", date(2026, 4, 22), ("F1",), "registered_letter"),
    )
    account = public_account(invoice, reminders=reminders)
    # Without the letter: 20 Feb 2025 → 31 Dec 2029.
    assert prescription_date(date(2025, 2, 20), Regime.PUBLIC) == date(2029, 12, 31)
    claim = account.claim()
    assert claim.invoices[0].demands == (date(2026, 4, 22),)
    assert compute_decompte(claim, date(2026, 4, 30), rates).prescription == date(2030, 12, 31)


def test_an_unknown_delivery_date_starts_at_the_due_date_with_a_warning(rates):
    as_of = date(2026, 4, 15)
    unknown = compute_decompte(Claim((Invoice("F1", Decimal("1000"), DUE),)), as_of, rates)
    assert "prescription_from_due_date" in codes(unknown)
    assert unknown.prescription == date(2031, 1, 15)
    # Delivered 20 Dec 2025: the earlier date starts it → 20 Dec 2030, no warning.
    known = Invoice("F1", Decimal("1000"), DUE, delivery_date=date(2025, 12, 20))
    result = compute_decompte(Claim((known,)), as_of, rates)
    assert "prescription_from_due_date" not in codes(result)
    assert result.prescription == date(2030, 12, 20)


def test_the_guards_count_the_payment_plans_and_promises_of_the_history():
    # B2B: delivered and due 8 Mar 2020 → barred after 8 Mar 2025. A payment plan signed
    # on 10 Jan 2025, while it still ran → 10 Jan 2030: not barred on 30 Jun 2026. A promise
    # made on 1 Jun 2025, after expiry, does not revive the other invoice (8 Mar 2025).
    as_of = date(2026, 6, 30)
    planned = Invoice("F1", Decimal("1000"), date(2020, 3, 8), delivery_date=date(2020, 3, 8))
    promised = Invoice("F2", Decimal("500"), date(2020, 3, 8), delivery_date=date(2020, 3, 8))
    states = {
        "F1": ReminderState(pauses=(Pause(PauseReason.PAYMENT_PLAN, date(2025, 1, 10)),)),
        "F2": ReminderState(pauses=(Pause(PauseReason.PROMISE, date(2025, 6, 1)),)),
    }
    account = Account(
        "DUPONT",
        Party("Dupont SARL", Address("1 rue de la Paix", "69002", "Lyon")),
        Regime.B2B,
        (planned, promised),
        states=states,
    )
    problems = dict(claim_problems(account, account.invoices, as_of))
    assert problems[PRESCRIPTION] == "la créance est prescrite : facture F2 depuis le 8 mars 2025"
    assert problems[PRESCRIPTION].params == {"invoices": {"F2": "2025-03-08"}}


def public_account(invoice: Invoice, reminders=()) -> Account:
    return Account(
        "MAIRIE",
        Party("Commune de Villeurbanne", Address("Place Lazare-Goujon", "69100", "Villeurbanne")),
        Regime.PUBLIC,
        (invoice,),
        reminders=reminders,
    )


def test_the_ledger_reads_periodic_invoices_and_acknowledgments():
    from recouvrement.ledger import account_from_dict

    account = account_from_dict(
        {
            "key": "X",
            "regime": "b2b",
            "party": {"name": "X SARL", "address": {"street": "1 rue A", "zip": "69002",
                                                     "city": "Lyon"}},
            "invoices": [{"number": "F1", "date": "2026-01-10", "due_date": "2026-02-24",
                          "amount": "100.00", "periodic": True,
                          "acknowledgments": ["2026-03-01"]}],
        }
    )  # fmt: skip
    [invoice] = account.invoices
    assert invoice.periodic
    assert invoice.acknowledgments == (date(2026, 3, 1),)
