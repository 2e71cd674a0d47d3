"""The court case timeline: states, deadlines moved off weekends and holidays, errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from recouvrement.dossier.errors import TimelineError
from recouvrement.dossier.timeline import (
    CaseEvents,
    CaseState,
    Cost,
    DeadlineStatus,
    Decision,
    build_timeline,
)
from recouvrement.law.time_limits import Place

GRANTED = Decision.GRANTED


def timeline(as_of: str, **events):
    values = {"filed": date(2025, 9, 1), **events}
    return build_timeline(CaseEvents(**values), date.fromisoformat(as_of))


def day(text: str) -> date:
    return date.fromisoformat(text)


def deadlines(result) -> dict[str, str]:
    return {item.code: item.day.isoformat() for item in result.deadlines}


def test_order_before_1_september_2026_six_months_then_cpc_1422():
    result = timeline(
        "2026-06-10",
        order_date=day("2026-05-04"),
        decision=GRANTED,
        service_date=day("2026-06-01"),
        commissaire="SCP Martin",
    )
    assert deadlines(result) == {
        "service": "2026-11-04",  # six months (CPC 1411, old rule)
        "objection": "2026-07-01",
        "enforcement": "2026-07-02",  # CPC 1422: the day after the objection month
    }
    assert result.state is CaseState.SERVED
    service = result.deadline("service")
    assert service.status is DeadlineStatus.MET
    assert service.rule == (
        "CPC 1411 : signifier dans les 6 mois d'une ordonnance rendue avant le 1er septembre 2026"
    )
    assert result.deadline("enforcement").rule.startswith("CPC 1422 : le délai d'opposition")
    assert [event.text for event in result.events] == [
        "requête déposée au greffe",
        "ordonnance d'injonction de payer rendue",
        "ordonnance signifiée par SCP Martin",
    ]


def test_order_from_1_september_2026_three_months_and_two_months_to_enforce():
    result = timeline(
        "2026-10-02", order_date=day("2026-09-01"), decision=GRANTED, service_date=day("2026-10-01")
    )
    assert deadlines(result) == {
        "service": "2026-12-01",
        "objection": "2026-11-02",  # 1 November is a Sunday and All Saints' Day
        "enforcement": "2026-12-02",
    }
    assert result.deadline("service").rule.startswith(
        "CPC 1411 (décret n° 2026-96) : signifier dans les 3 mois"
    )
    objection = result.deadline("objection")
    assert objection.unmoved == day("2026-11-01")
    assert objection.moved
    assert objection.rule.endswith(
        "; le 1er novembre 2026 n'étant pas un jour ouvrable, le délai est prorogé au "
        "2 novembre 2026 (CPC 642)"
    )


def test_the_last_day_of_august_2026_keeps_six_months_moved_off_a_sunday():
    result = timeline("2026-09-01", order_date=day("2026-08-31"), decision=GRANTED)
    service = result.deadline("service")
    assert service.unmoved == day("2027-02-28")  # a Sunday
    assert service.day == day("2027-03-01")
    assert result.state is CaseState.ORDER_GRANTED


@pytest.mark.parametrize(
    ("order", "expected", "why"),
    [
        ("2026-10-09", "2027-01-11", "9 January 2027 is a Saturday"),
        ("2026-01-14", "2026-07-15", "14 July"),
        ("2025-10-06", "2026-04-07", "Easter Monday 2026"),
    ],
)
def test_service_deadline_off_weekends_and_public_holidays(order, expected, why):
    result = timeline(order, order_date=day(order), decision=GRANTED)
    assert result.deadline("service").day == day(expected), why
    assert result.deadline("service").moved


def test_all_saints_day_on_a_monday_moves_the_objection_month():
    result = timeline(
        "2027-10-05", order_date=day("2027-09-15"), decision=GRANTED, service_date=day("2027-10-01")
    )
    assert result.deadline("objection").day == day("2027-11-02")
    assert result.deadline("enforcement").day == day("2027-12-02")
    assert not result.deadline("enforcement").moved


def test_good_friday_moves_a_limit_only_where_the_court_sits_in_alsace():
    events = {"order_date": day("2027-02-01"), "decision": GRANTED}
    events["service_date"] = day("2027-02-26")
    paris = timeline("2027-03-01", **events, court=Place("FR", "75008"))
    strasbourg = timeline("2027-03-01", **events, court=Place("FR", "67000"))
    assert paris.deadline("objection").day == day("2027-03-26")
    # Good Friday, a weekend and Easter Monday: Tuesday 30 March.
    assert strasbourg.deadline("objection").day == day("2027-03-30")


def test_debtor_overseas_gets_one_more_month_to_object():
    result = timeline(
        "2026-10-20",
        order_date=day("2026-09-15"),
        decision=GRANTED,
        service_date=day("2026-10-01"),
        debtor=Place("FR", "97200"),
        court=Place("FR", "69003"),
    )
    objection = result.deadline("objection")
    assert objection.day == day("2026-12-01")
    assert objection.rule == (
        "CPC 1416 : un mois à compter de la signification, plus 1 mois pour un débiteur "
        "éloigné de la juridiction (CPC 643-644)"
    )


def test_first_act_in_person_starts_the_objection_month():
    result = timeline(
        "2026-10-20",
        order_date=day("2026-09-15"),
        decision=GRANTED,
        service_date=day("2026-10-01"),
        objection_start=day("2026-10-15"),
    )
    assert result.deadline("objection").day == day("2026-11-16")  # 15 November: Sunday
    assert result.deadline("objection").rule.startswith("CPC 1416 al. 2 : un mois à compter")
    assert result.deadline("enforcement").day == day("2026-12-02")  # from service


def test_unserved_order_is_void_the_day_after_its_deadline():
    events = {"order_date": day("2026-09-01"), "decision": GRANTED}
    on_the_last_day = timeline("2026-12-01", **events)
    assert on_the_last_day.state is CaseState.ORDER_GRANTED
    assert not on_the_last_day.order_void
    assert on_the_last_day.deadline("service").status is DeadlineStatus.PENDING
    after = timeline("2026-12-02", **events)
    assert after.state is CaseState.VOID
    assert after.order_void
    assert after.deadline("service").status is DeadlineStatus.MISSED
    assert after.state.label_fr() == "ordonnance non avenue, faute de signification dans le délai"


def test_objection_within_the_month_stops_enforcement():
    result = timeline(
        "2026-10-30",
        order_date=day("2026-09-15"),
        decision=GRANTED,
        service_date=day("2026-10-01"),
        objection_date=day("2026-10-28"),
    )
    assert result.state is CaseState.OBJECTION
    assert deadlines(result) == {"service": "2026-12-15", "objection": "2026-11-02"}
    assert result.deadline("objection").status is DeadlineStatus.MET


def test_enforceable_from_the_day_after_two_months_of_service():
    events = {
        "order_date": day("2026-09-15"),
        "decision": GRANTED,
        "service_date": day("2026-10-01"),
    }
    assert timeline("2026-12-01", **events).state is CaseState.SERVED
    result = timeline("2026-12-02", **events)
    assert result.state is CaseState.ENFORCEABLE
    assert result.deadline("enforcement").status is DeadlineStatus.REACHED
    assert result.deadline("objection").status is DeadlineStatus.ELAPSED


def test_refused_order_has_no_deadline():
    result = timeline("2026-10-01", order_date=day("2026-09-20"), decision=Decision.REFUSED)
    assert result.state is CaseState.ORDER_REFUSED
    assert result.deadlines == ()
    assert result.events[-1].text == "requête rejetée"


def test_costs_are_carried_and_totalled_then_the_case_is_paid():
    result = timeline(
        "2026-12-10",
        order_date=day("2026-09-15"),
        decision=GRANTED,
        service_date=day("2026-10-01"),
        paid_date=day("2026-12-08"),
        costs=(
            Cost("registry", Decimal("33.47")),
            Cost("commissaire", Decimal("45.12"), "signification"),
            Cost("commissaire", Decimal("120.00"), "saisie-attribution"),
        ),
    )
    assert result.state is CaseState.PAID
    assert result.total_costs == Decimal("198.59")
    assert [cost.label_fr() for cost in result.costs] == [
        "frais de greffe",
        "frais de commissaire de justice : signification",
        "frais de commissaire de justice : saisie-attribution",
    ]


def test_closed_case():
    result = timeline("2026-10-01", order_date=day("2026-09-20"), decision=Decision.REFUSED,
                      closed_date=day("2026-09-30"))  # fmt: skip
    assert result.state is CaseState.CLOSED
    assert result.total_costs == Decimal("0.00")


@pytest.mark.parametrize(
    ("events", "code", "text"),
    [
        (
            {
                "order_date": day("2026-09-20"),
                "decision": GRANTED,
                "service_date": day("2026-09-10"),
            },
            "timeline_service_before_order",
            "la signification du 10 septembre 2026 précède l'ordonnance du 20 septembre 2026",
        ),
        (
            {
                "order_date": day("2026-09-20"),
                "decision": Decision.REFUSED,
                "service_date": day("2026-10-01"),
            },
            "timeline_service_after_refusal",
            "la requête a été rejetée le 20 septembre 2026 : il n'y a pas d'ordonnance à signifier "
            "(signification indiquée le 1er octobre 2026)",
        ),
        (
            {
                "order_date": day("2026-05-04"),
                "decision": GRANTED,
                "service_date": day("2026-11-05"),
            },
            "timeline_service_late",
            "la signification du 5 novembre 2026 est postérieure au 4 novembre 2026, dernier "
            "jour pour signifier l'ordonnance du 4 mai 2026 : l'ordonnance est non avenue "
            "(CPC 1411)",
        ),
        (
            {
                "order_date": day("2026-09-15"),
                "decision": GRANTED,
                "service_date": day("2026-10-01"),
                "objection_date": day("2026-11-03"),
            },
            "timeline_objection_late",
            "l'opposition du 3 novembre 2026 est formée après le 2 novembre 2026, fin du délai "
            "d'opposition (CPC 1416)",
        ),
        (
            {
                "order_date": day("2026-09-15"),
                "decision": GRANTED,
                "objection_date": day("2026-10-01"),
            },
            "timeline_objection_without_service",
            "une opposition le 1er octobre 2026 à une ordonnance qui n'a pas été signifiée",
        ),
        (
            {"service_date": day("2026-10-01")},
            "timeline_service_without_order",
            "une signification le 1er octobre 2026 sans ordonnance rendue",
        ),
        (
            {"order_date": day("2026-09-15")},
            "timeline_order_incomplete",
            "l'ordonnance demande sa date et sa décision (accordée ou rejetée)",
        ),
        (
            {"order_date": day("2025-08-01"), "decision": GRANTED},
            "timeline_order_before_filing",
            "l'ordonnance du 1er août 2025 précède le dépôt de la requête du 1er septembre 2025",
        ),
        (
            {"order_date": day("2026-12-01"), "decision": GRANTED},
            "timeline_event_in_future",
            "ordonnance : le 1er décembre 2026 est après la date du calendrier (30 novembre 2026)",
        ),
        (
            {"paid_date": day("2025-08-31")},
            "timeline_end_before_filing",
            "le paiement du 31 août 2025 précède le dépôt de la requête du 1er septembre 2025",
        ),
        (
            {"costs": (Cost("registry", Decimal("-1.00")),)},
            "timeline_cost_negative",
            "les frais de greffe sont négatifs (-1,00)",
        ),
    ],
)
def test_inconsistent_events_are_a_french_error(events, code, text):
    with pytest.raises(TimelineError) as caught:
        timeline("2026-11-30", **events)
    assert caught.value.code == code
    assert str(caught.value) == text
