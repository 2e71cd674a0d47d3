"""The timeline of an injonction de payer once filed: its state, its deadlines, its costs.

The events are dated facts a user records: the request filed, the order (its date and
decision, granted or refused), its service by a commissaire de justice, the debtor's
objection, the payment or the closure of the case. The deadlines come from the rules of
:mod:`recouvrement.law.procedure`, counted as :mod:`recouvrement.law.time_limits` says
(months, then off weekends and public holidays, extra months for a debtor far away):

- the service deadline (CPC 1411: 3 months for an order from 1 September 2026, 6 before);
  an order unserved after it is void (non avenue);
- the end of the objection month (CPC 1416);
- the day enforcement may proceed without an objection (décret n° 2026-96; CPC 1422 for
  older orders).

Events that contradict each other (a service before the order, an objection after the
month, a refused order then served…) raise :class:`~.errors.TimelineError`, whose
message names the problem.

>>> events = CaseEvents(filed=date(2026, 9, 10), order_date=date(2026, 10, 5),
...                     decision=Decision.GRANTED, service_date=date(2026, 10, 20))
>>> timeline = build_timeline(events, as_of=date(2026, 11, 2))
>>> timeline.state.label_fr()
'ordonnance signifiée'
>>> [(item.code, item.day.isoformat()) for item in timeline.deadlines]
[('service', '2027-01-05'), ('objection', '2026-11-20'), ('enforcement', '2026-12-22')]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from ..law.procedure import (
    DECREE_2026_96_START,
    ENFORCEMENT_MONTHS,
    enforceable_from,
    new_rules_apply,
    objection_deadline,
    objection_months,
    service_deadline,
    service_months,
)
from ..law.time_limits import Place, add_months, extra_months
from ..messages import Message, french
from .errors import TimelineError

ONE_DAY = timedelta(days=1)


class CaseState(Enum):
    """Where the case stands, from the filing to its end."""

    FILED = "filed"
    ORDER_GRANTED = "order_granted"
    ORDER_REFUSED = "order_refused"
    VOID = "void"
    SERVED = "served"
    OBJECTION = "objection"
    ENFORCEABLE = "enforceable"
    PAID = "paid"
    CLOSED = "closed"

    def label_fr(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    CaseState.FILED: "requête déposée",
    CaseState.ORDER_GRANTED: "ordonnance rendue, à signifier",
    CaseState.ORDER_REFUSED: "requête rejetée",
    CaseState.VOID: "ordonnance non avenue, faute de signification dans le délai",
    CaseState.SERVED: "ordonnance signifiée",
    CaseState.OBJECTION: "opposition formée",
    CaseState.ENFORCEABLE: "ordonnance exécutoire",
    CaseState.PAID: "payée",
    CaseState.CLOSED: "close",
}


class Decision(Enum):
    """The judge's decision on the request (CPC 1409)."""

    GRANTED = "granted"
    REFUSED = "refused"


COST_KINDS = {
    "registry": "frais de greffe",
    "commissaire": "frais de commissaire de justice",
}


@dataclass(frozen=True)
class Cost:
    """A cost of the procedure the creditor advanced: ``kind`` is a key of COST_KINDS."""

    kind: str
    amount: Decimal
    label: str = ""

    def label_fr(self) -> str:
        kind = COST_KINDS.get(self.kind, self.kind)
        return f"{kind} : {self.label}" if self.label else kind


@dataclass(frozen=True)
class CaseEvents:
    """The dated events of a case; only the filing is required.

    ``objection_start`` is the first act served to the debtor in person, or the first
    seizure, when the order itself was not served in person (CPC 1416 al. 2). ``court``
    and ``debtor`` place the limits (public holidays where the court sits, CPC 643-644's
    extra months for a debtor overseas or abroad).
    """

    filed: date
    order_date: date | None = None
    decision: Decision | None = None
    service_date: date | None = None
    commissaire: str = ""
    objection_start: date | None = None
    objection_date: date | None = None
    paid_date: date | None = None
    closed_date: date | None = None
    costs: tuple[Cost, ...] = ()
    court: Place | None = None
    debtor: Place | None = None


@dataclass(frozen=True)
class Event:
    day: date
    code: str
    text: str


class DeadlineStatus(Enum):
    PENDING = "pending"
    MET = "met"
    MISSED = "missed"
    ELAPSED = "elapsed"
    REACHED = "reached"

    def label_fr(self) -> str:
        return DEADLINE_STATUS_LABELS[self]


DEADLINE_STATUS_LABELS = {
    DeadlineStatus.PENDING: "à venir",
    DeadlineStatus.MET: "respecté",
    DeadlineStatus.MISSED: "dépassé",
    DeadlineStatus.ELAPSED: "écoulé",
    DeadlineStatus.REACHED: "atteint",
}


@dataclass(frozen=True)
class Deadline:
    """A date the law sets: ``unmoved`` is what ``day`` would be had CPC 642 not moved
    the limit off a weekend or a public holiday (the same when it did not)."""

    code: str
    label: str
    day: date
    unmoved: date
    rule: str
    status: DeadlineStatus

    @property
    def moved(self) -> bool:
        return self.day != self.unmoved


@dataclass(frozen=True)
class Timeline:
    as_of: date
    state: CaseState
    events: tuple[Event, ...]
    deadlines: tuple[Deadline, ...]
    costs: tuple[Cost, ...] = field(default=())

    @property
    def total_costs(self) -> Decimal:
        return sum((cost.amount for cost in self.costs), Decimal("0.00"))

    @property
    def order_void(self) -> bool:
        return self.state is CaseState.VOID

    def deadline(self, code: str) -> Deadline | None:
        return next((item for item in self.deadlines if item.code == code), None)


def build_timeline(events: CaseEvents, as_of: date) -> Timeline:
    """The case's state on ``as_of``, its events in order, its deadlines and costs."""
    check_events(events, as_of)
    deadlines = _deadlines(events, as_of)
    return Timeline(
        as_of=as_of,
        state=_state(events, as_of, {item.code: item for item in deadlines}),
        events=_events(events),
        deadlines=deadlines,
        costs=tuple(events.costs),
    )


# ----------------------------------------------------------------------
# Consistency
# ----------------------------------------------------------------------
def check_events(events: CaseEvents, as_of: date) -> None:
    """Raise TimelineError on the first event that contradicts another or the law."""
    _check_not_after(events, as_of)
    if (events.order_date is None) != (events.decision is None):
        _fail(
            "timeline_order_incomplete",
            "l'ordonnance demande sa date et sa décision (accordée ou rejetée)",
        )
    if events.order_date and events.order_date < events.filed:
        _fail(
            "timeline_order_before_filing",
            "l'ordonnance du {order} précède le dépôt de la requête du {filed}",
            order=events.order_date,
            filed=events.filed,
        )
    _check_service(events)
    _check_objection(events)
    for name, day in (("le paiement", events.paid_date), ("la clôture", events.closed_date)):
        if day and day < events.filed:
            _fail(
                "timeline_end_before_filing",
                "{event} du {day} précède le dépôt de la requête du {filed}",
                event=name,
                day=day,
                filed=events.filed,
            )
    for cost in events.costs:
        if cost.kind not in COST_KINDS:
            _fail(
                "timeline_cost_kind",
                "frais de nature inconnue {kind} : {kinds}",
                kind=repr(cost.kind),
                kinds=sorted(COST_KINDS),
            )
        if cost.amount < 0:
            _fail(
                "timeline_cost_negative",
                "les {cost} sont négatifs ({amount})",
                cost=cost.label_fr(),
                amount=cost.amount,
            )


def _check_not_after(events: CaseEvents, as_of: date) -> None:
    dated = (
        ("dépôt de la requête", events.filed),
        ("ordonnance", events.order_date),
        ("signification", events.service_date),
        ("premier acte signifié à personne", events.objection_start),
        ("opposition", events.objection_date),
        ("paiement", events.paid_date),
        ("clôture", events.closed_date),
    )
    for name, day in dated:
        if day and day > as_of:
            _fail(
                "timeline_event_in_future",
                "{event} : le {day} est après la date du calendrier ({as_of})",
                event=name,
                day=day,
                as_of=as_of,
            )


def _check_service(events: CaseEvents) -> None:
    if events.service_date is None:
        if events.commissaire:
            _fail(
                "timeline_commissaire_without_service",
                "un commissaire de justice ({commissaire}) est indiqué sans date de signification",
                commissaire=events.commissaire,
            )
        return
    if events.order_date is None:
        _fail(
            "timeline_service_without_order",
            "une signification le {service} sans ordonnance rendue",
            service=events.service_date,
        )
    if events.decision is Decision.REFUSED:
        _fail(
            "timeline_service_after_refusal",
            "la requête a été rejetée le {order} : il n'y a pas d'ordonnance à signifier "
            "(signification indiquée le {service})",
            order=events.order_date,
            service=events.service_date,
        )
    if events.service_date < events.order_date:
        _fail(
            "timeline_service_before_order",
            "la signification du {service} précède l'ordonnance du {order}",
            service=events.service_date,
            order=events.order_date,
        )
    last_day = service_deadline(events.order_date, events.court)
    if events.service_date > last_day:
        _fail(
            "timeline_service_late",
            "la signification du {service} est postérieure au {last_day}, dernier jour pour "
            "signifier l'ordonnance du {order} : l'ordonnance est non avenue (CPC 1411)",
            service=events.service_date,
            last_day=last_day,
            order=events.order_date,
        )


def _check_objection(events: CaseEvents) -> None:
    if events.objection_start and events.service_date is None:
        _fail(
            "timeline_objection_start_without_service",
            "un premier acte signifié à personne le {start} sans signification de l'ordonnance",
            start=events.objection_start,
        )
    if events.objection_start and events.objection_start < events.service_date:
        _fail(
            "timeline_objection_start_before_service",
            "le premier acte signifié à personne le {start} précède la signification du {service}",
            start=events.objection_start,
            service=events.service_date,
        )
    if events.objection_date is None:
        return
    if events.service_date is None:
        _fail(
            "timeline_objection_without_service",
            "une opposition le {objection} à une ordonnance qui n'a pas été signifiée",
            objection=events.objection_date,
        )
    if events.objection_date < events.service_date:
        _fail(
            "timeline_objection_before_service",
            "l'opposition du {objection} précède la signification du {service}",
            objection=events.objection_date,
            service=events.service_date,
        )
    last_day = _objection_deadline(events)
    if events.objection_date > last_day:
        _fail(
            "timeline_objection_late",
            "l'opposition du {objection} est formée après le {last_day}, fin du délai "
            "d'opposition (CPC 1416)",
            objection=events.objection_date,
            last_day=last_day,
        )


def _fail(code: str, template: str, **params) -> None:
    raise TimelineError(Message.build(code, template, **params))


# ----------------------------------------------------------------------
# Deadlines, state, events
# ----------------------------------------------------------------------
def _objection_deadline(events: CaseEvents) -> date:
    return objection_deadline(
        events.service_date,
        objection_start=events.objection_start,
        debtor=events.debtor,
        court=events.court,
    )


def _deadlines(events: CaseEvents, as_of: date) -> tuple[Deadline, ...]:
    if events.decision is not Decision.GRANTED:
        return ()
    deadlines = [_service_item(events, as_of)]
    if events.service_date:
        deadlines.append(_objection_item(events, as_of))
        if events.objection_date is None:
            deadlines.append(_enforcement_item(events, as_of))
    return tuple(deadlines)


def _service_item(events: CaseEvents, as_of: date) -> Deadline:
    order = events.order_date
    months = service_months(order)
    day = service_deadline(order, events.court)
    if events.service_date:
        status = DeadlineStatus.MET
    else:
        status = DeadlineStatus.MISSED if as_of > day else DeadlineStatus.PENDING
    if new_rules_apply(order):
        rule = (
            f"CPC 1411 (décret n° 2026-96) : signifier dans les {months} mois d'une "
            f"ordonnance rendue à partir du {french(DECREE_2026_96_START)}"
        )
    else:
        rule = (
            f"CPC 1411 : signifier dans les {months} mois d'une ordonnance rendue avant le "
            f"{french(DECREE_2026_96_START)}"
        )
    return _item(
        "service", "signification de l'ordonnance", day, add_months(order, months), rule, status
    )


def _objection_item(events: CaseEvents, as_of: date) -> Deadline:
    start = events.objection_start or events.service_date
    months = objection_months(events.debtor, events.court)
    day = _objection_deadline(events)
    if events.objection_date:
        status = DeadlineStatus.MET
    else:
        status = DeadlineStatus.ELAPSED if as_of > day else DeadlineStatus.PENDING
    if events.objection_start:
        rule = "CPC 1416 al. 2 : un mois à compter du premier acte signifié à personne"
    else:
        rule = "CPC 1416 : un mois à compter de la signification"
    extra = extra_months(events.debtor, events.court)
    if extra:
        rule += f", plus {extra} mois pour un débiteur éloigné de la juridiction (CPC 643-644)"
    return _item(
        "objection", "fin du délai d'opposition", day, add_months(start, months), rule, status
    )


def _enforcement_item(events: CaseEvents, as_of: date) -> Deadline:
    order, service = events.order_date, events.service_date
    day = enforceable_from(order, service, debtor=events.debtor, court=events.court)
    if new_rules_apply(order):
        months = ENFORCEMENT_MONTHS
        rule = (
            f"décret n° 2026-96 : exécution sans avis d'opposition à partir du lendemain "
            f"des {months} mois qui suivent la signification"
        )
    else:
        months = objection_months(events.debtor, events.court)
        rule = (
            "CPC 1422 : le délai d'opposition suspend l'exécution, possible à partir du "
            "lendemain de sa fin"
        )
    # Enforcement starts the day after the limit; ``unmoved`` too.
    unmoved_end, end = add_months(service, months), day - ONE_DAY
    status = DeadlineStatus.REACHED if as_of >= day else DeadlineStatus.PENDING
    return Deadline(
        "enforcement",
        "exécution possible",
        day,
        unmoved_end + ONE_DAY,
        _moved_rule(rule, unmoved_end, end),
        status,
    )


def _item(code, label, day, unmoved, rule, status) -> Deadline:
    return Deadline(code, label, day, unmoved, _moved_rule(rule, unmoved, day), status)


def _moved_rule(rule: str, unmoved_end: date, end: date) -> str:
    """The rule, with CPC 642 when the limit ended on a weekend or a public holiday."""
    if end == unmoved_end:
        return rule
    return (
        f"{rule} ; le {french(unmoved_end)} n'étant pas un jour ouvrable, le délai est "
        f"prorogé au {french(end)} (CPC 642)"
    )


def _state(events: CaseEvents, as_of: date, deadlines: dict[str, Deadline]) -> CaseState:
    if events.closed_date:
        return CaseState.CLOSED
    if events.paid_date:
        return CaseState.PAID
    if events.decision is None:
        return CaseState.FILED
    if events.decision is Decision.REFUSED:
        return CaseState.ORDER_REFUSED
    if events.service_date is None:
        missed = deadlines["service"].status is DeadlineStatus.MISSED
        return CaseState.VOID if missed else CaseState.ORDER_GRANTED
    if events.objection_date:
        return CaseState.OBJECTION
    if deadlines["enforcement"].status is DeadlineStatus.REACHED:
        return CaseState.ENFORCEABLE
    return CaseState.SERVED


def _events(events: CaseEvents) -> tuple[Event, ...]:
    found = [Event(events.filed, "filed", "requête déposée au greffe")]
    if events.order_date:
        granted = events.decision is Decision.GRANTED
        text = "ordonnance d'injonction de payer rendue" if granted else "requête rejetée"
        found.append(Event(events.order_date, "order", text))
    if events.service_date:
        by = f" par {events.commissaire}" if events.commissaire else ""
        found.append(Event(events.service_date, "service", f"ordonnance signifiée{by}"))
    if events.objection_start:
        found.append(
            Event(events.objection_start, "objection_start", "premier acte signifié à personne")
        )
    if events.objection_date:
        found.append(Event(events.objection_date, "objection", "opposition du débiteur"))
    if events.paid_date:
        found.append(Event(events.paid_date, "paid", "paiement du débiteur"))
    if events.closed_date:
        found.append(Event(events.closed_date, "closed", "affaire close"))
    return tuple(sorted(found, key=lambda event: event.day))
