from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from recouvrement.escalation import (
    DEFAULT_LADDER,
    Decision,
    OpenItem,
    Skip,
    decide,
    next_action_date,
    plan_run,
)
from recouvrement.pauses import Instalment, Pause, PauseReason

DUE = date(2026, 3, 1)


def item(number="F1", debtor="ACME", level=0, last=None, balance="100", pauses=()):
    return OpenItem(number, debtor, DUE, Decimal(balance), level, last, tuple(pauses))


def level_reached(outcome):
    return outcome.level.code if isinstance(outcome, Decision) else outcome.reason


def test_ladder_over_simulated_days():
    """Walk the ladder day by day, applying each decision as a run would."""
    current, reached = item(), []
    for offset in range(0, 80):
        today = DUE + timedelta(days=offset)
        outcome = decide(current, DEFAULT_LADDER, today)
        if isinstance(outcome, Decision):
            reached.append((offset, outcome.level.code))
            current = item(level=outcome.level.sequence, last=today)
    assert reached == [
        (7, "relance_courtoise"),
        (21, "relance_ferme"),
        (35, "derniere_relance"),
        (45, "mise_en_demeure"),
        (60, "handoff"),
    ]


def test_one_level_per_run_even_when_far_overdue():
    outcome = decide(item(), DEFAULT_LADDER, DUE + timedelta(days=90))
    assert level_reached(outcome) == "relance_courtoise"


def test_minimum_interval_since_the_previous_reminder():
    late_first = item(level=1, last=DUE + timedelta(days=18))
    assert level_reached(decide(late_first, DEFAULT_LADDER, DUE + timedelta(days=21))) == (
        "reminded less than 7 days ago"
    )
    assert level_reached(decide(late_first, DEFAULT_LADDER, DUE + timedelta(days=25))) == (
        "relance_ferme"
    )


def test_paid_invoice_is_never_reminded():
    assert level_reached(decide(item(balance="0"), DEFAULT_LADDER, DUE + timedelta(40))) == "paid"


def test_dispute_pauses_until_resolved():
    dispute = Pause(PauseReason.DISPUTE, since=DUE, until=DUE + timedelta(days=30))
    disputed = item(pauses=[dispute])
    assert level_reached(decide(disputed, DEFAULT_LADDER, DUE + timedelta(20))) == (
        "paused: dispute"
    )
    assert level_reached(decide(disputed, DEFAULT_LADDER, DUE + timedelta(31))) == (
        "relance_courtoise"
    )
    open_dispute = item(pauses=[Pause(PauseReason.DISPUTE, since=DUE)])
    assert isinstance(decide(open_dispute, DEFAULT_LADDER, DUE + timedelta(300)), Skip)


def test_promise_to_pay_pauses_until_its_date():
    promise = Pause(PauseReason.PROMISE, since=DUE + timedelta(5), until=DUE + timedelta(25))
    promised = item(pauses=[promise])
    assert level_reached(decide(promised, DEFAULT_LADDER, DUE + timedelta(25))) == (
        "paused: promise"
    )
    assert level_reached(decide(promised, DEFAULT_LADDER, DUE + timedelta(26))) == (
        "relance_courtoise"
    )


def test_payment_plan_holds_while_honoured_and_resumes_on_a_missed_instalment():
    instalments = (
        Instalment(DUE + timedelta(10), Decimal("50"), paid=Decimal("50")),
        Instalment(DUE + timedelta(40), Decimal("50")),
    )
    plan = item(pauses=[Pause(PauseReason.PAYMENT_PLAN, since=DUE, instalments=instalments)])
    assert level_reached(decide(plan, DEFAULT_LADDER, DUE + timedelta(40))) == (
        "paused: payment_plan"
    )
    assert level_reached(decide(plan, DEFAULT_LADDER, DUE + timedelta(41))) == ("relance_courtoise")


def test_insolvency_stops_the_ladder_for_good():
    insolvent = item(pauses=[Pause(PauseReason.INSOLVENCY, since=DUE)])
    assert level_reached(decide(insolvent, DEFAULT_LADDER, DUE + timedelta(900))) == (
        "paused: insolvency"
    )


def test_run_groups_per_debtor_and_level():
    items = [
        item("F1", "ACME"),
        item("F2", "ACME"),
        item("F3", "ACME", level=1, last=DUE + timedelta(7)),
        item("F4", "BETA"),
        item("F5", "BETA", balance="0"),
    ]
    plan = plan_run(items, DEFAULT_LADDER, DUE + timedelta(days=22))
    grouped = {key: [d.item.invoice for d in decisions] for key, decisions in plan.groups.items()}
    assert grouped == {("ACME", 1): ["F1", "F2"], ("ACME", 2): ["F3"], ("BETA", 1): ["F4"]}
    assert [(skip.item.invoice, skip.reason) for skip in plan.skipped] == [("F5", "paid")]


def test_skip_codes_name_each_reason():
    today = DUE + timedelta(days=3)
    codes = {
        "paid": decide(item(balance="0"), DEFAULT_LADDER, today).code,
        "not_yet_due": decide(item(), DEFAULT_LADDER, today).code,
        "too_soon": decide(item(level=1, last=DUE + timedelta(20)), DEFAULT_LADDER,
                           DUE + timedelta(22)).code,
        "last_level": decide(item(level=5), DEFAULT_LADDER, today).code,
        "paused": decide(item(pauses=[Pause(PauseReason.DISPUTE, since=DUE)]), DEFAULT_LADDER,
                         today).code,
    }  # fmt: skip
    assert {name: code.value for name, code in codes.items()} == {name: name for name in codes}


def test_next_action_date_takes_the_later_of_the_two_rules():
    assert next_action_date(item(), DEFAULT_LADDER) == DUE + timedelta(days=7)
    reminded_late = item(level=1, last=DUE + timedelta(days=18))
    assert next_action_date(reminded_late, DEFAULT_LADDER) == DUE + timedelta(days=25)
    assert next_action_date(item(level=5), DEFAULT_LADDER) is None


def test_nothing_moves_while_the_last_reminder_has_not_gone_out():
    waiting = replace(item(level=2, last=DUE + timedelta(days=7)), awaiting_sending=True)
    outcome = decide(waiting, DEFAULT_LADDER, DUE + timedelta(days=50))
    assert (outcome.code.value, outcome.reason) == ("not_sent", "reminder not sent yet")
    assert next_action_date(waiting, DEFAULT_LADDER) is None


def test_handoff_waits_for_the_mise_en_demeure_to_be_sent():
    """Never posted: no handoff, however late; the caller's flag is not even needed."""
    unsent = item(level=4, last=None)
    outcome = decide(unsent, DEFAULT_LADDER, DUE + timedelta(days=120))
    assert (outcome.code.value, outcome.reason) == ("not_sent", "formal notice not sent yet")
    assert next_action_date(unsent, DEFAULT_LADDER) is None


def test_handoff_interval_counts_from_the_sending_then_from_the_receipt():
    sent_on = DUE + timedelta(days=58)
    sent = item(level=4, last=sent_on)
    assert next_action_date(sent, DEFAULT_LADDER) == sent_on + timedelta(days=7)
    assert level_reached(decide(sent, DEFAULT_LADDER, sent_on + timedelta(days=6))) == (
        "reminded less than 7 days ago"
    )
    assert level_reached(decide(sent, DEFAULT_LADDER, sent_on + timedelta(days=7))) == "handoff"
    received = replace(sent, notice_received=sent_on + timedelta(days=3))
    assert next_action_date(received, DEFAULT_LADDER) == sent_on + timedelta(days=10)
    assert level_reached(decide(received, DEFAULT_LADDER, sent_on + timedelta(days=9))) == (
        "reminded less than 7 days ago"
    )
    assert level_reached(decide(received, DEFAULT_LADDER, sent_on + timedelta(days=10))) == (
        "handoff"
    )
    # An older receipt (an earlier mise en demeure) does not shorten the wait.
    older = replace(sent, notice_received=DUE)
    assert next_action_date(older, DEFAULT_LADDER) == sent_on + timedelta(days=7)
    # The due-date rule still holds: J+60 at the earliest.
    early = item(level=4, last=DUE + timedelta(days=45))
    assert next_action_date(early, DEFAULT_LADDER) == DUE + timedelta(days=60)


def test_a_skip_names_what_it_waits_for_in_its_params():
    """The addon translates a skip from its code and params, never from its words."""
    dispute = Pause(PauseReason.DISPUTE, since=DUE)
    cases = [
        (item(pauses=[dispute]), 20, ("paused", {"pause": "dispute"})),
        (item(level=1, last=DUE + timedelta(days=7)), 10, ("not_yet_due", {"level": 2})),
        (item(level=1, last=DUE + timedelta(days=18)), 21, ("too_soon", {"days": 7})),
        (item(level=4, last=None), 120, ("not_sent", {"formal_notice": True})),
        (item(balance="0"), 40, ("paid", {})),
    ]
    for open_item, days, expected in cases:
        outcome = decide(open_item, DEFAULT_LADDER, DUE + timedelta(days=days))
        assert (outcome.code.value, outcome.params) == expected
