"""The case events file (CASE_EVENTS.json) and the timeline as JSON or French text.

The format is documented in docs/dossier.md ("The timeline"); an example is
tests/dossier/data/case-events.json. Every problem is a
:class:`~.errors.CaseEventsFileError` naming the file and the key.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..documents.filters import date_fr, euros
from ..law.time_limits import Place
from ..serialize import iso, money
from .errors import CaseEventsFileError
from .timeline import COST_KINDS, CaseEvents, Cost, Decision, Timeline

FORMAT = "recouvrement-case-events/1"
KEYS = {
    "format", "reference", "as_of", "court", "debtor", "filed", "order", "service",
    "objection", "paid", "closed", "costs",
}  # fmt: skip
ORDER_KEYS = {"date", "decision"}
SERVICE_KEYS = {"date", "commissaire", "first_act_in_person"}
PLACE_KEYS = {"country", "postcode"}
COST_KEYS = {"kind", "amount", "label"}


class _Reader:
    """Reads one file's values, each error naming the file and the key."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, problem: str):
        raise CaseEventsFileError(f"{self.path} : {key} : {problem}")

    def mapping(self, value, key: str, allowed: set[str]) -> dict:
        if not isinstance(value, dict):
            self.fail(key, "un objet JSON est attendu")
        unknown = sorted(set(value) - allowed)
        if unknown:
            self.fail(
                key, f"clé inconnue {unknown[0]!r} (clés permises : {', '.join(sorted(allowed))})"
            )
        return value

    def date(self, value, key: str, required: bool = False) -> date | None:
        if value is None:
            if required:
                self.fail(key, "date obligatoire (AAAA-MM-JJ)")
            return None
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(key, f"{value!r} n'est pas une date (AAAA-MM-JJ)")

    def text(self, value, key: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(key, "un texte est attendu")
        return value.strip()

    def amount(self, value, key: str) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.fail(key, 'un montant en texte est attendu ("35.27")')
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            self.fail(key, f"{value!r} n'est pas un montant (35.27)")
        if not amount.is_finite() or amount < 0:
            self.fail(key, f"le montant doit être positif ou nul, pas {value!r}")
        if amount.as_tuple().exponent < -2:
            self.fail(key, f"le montant {value!r} a plus de deux décimales")
        return amount

    def place(self, value, key: str) -> Place | None:
        if value is None:
            return None
        data = self.mapping(value, key, PLACE_KEYS)
        return Place(
            self.text(data.get("country"), f"{key}.country") or "FR",
            self.text(data.get("postcode"), f"{key}.postcode"),
        )


def load_case_events(path: Path) -> tuple[CaseEvents, dict]:
    """The events of ``path`` and its header: ``{"reference": ..., "as_of": date | None}``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CaseEventsFileError(f"{path} : fichier introuvable") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CaseEventsFileError(f"{path} : illisible ({error})") from None
    except json.JSONDecodeError as error:
        raise CaseEventsFileError(
            f"{path} : JSON invalide ligne {error.lineno}, colonne {error.colno}"
        ) from None
    return case_events_from_dict(data, Path(path))


def case_events_from_dict(data, path: Path) -> tuple[CaseEvents, dict]:
    read = _Reader(path)
    read.mapping(data, "fichier", KEYS)
    if data.get("format", FORMAT) != FORMAT:
        read.fail("format", f"format {data['format']!r} inconnu, {FORMAT!r} attendu")
    order = read.mapping(data.get("order", {}), "order", ORDER_KEYS)
    service = read.mapping(data.get("service", {}), "service", SERVICE_KEYS)
    decision = order.get("decision")
    if decision is not None and decision not in {item.value for item in Decision}:
        read.fail(
            "order.decision", f"{decision!r} : « granted » (accordée) ou « refused » (rejetée)"
        )
    costs = data.get("costs", [])
    if not isinstance(costs, list):
        read.fail("costs", "une liste de frais est attendue")
    events = CaseEvents(
        filed=read.date(data.get("filed"), "filed", required=True),
        order_date=read.date(order.get("date"), "order.date"),
        decision=Decision(decision) if decision else None,
        service_date=read.date(service.get("date"), "service.date"),
        commissaire=read.text(service.get("commissaire"), "service.commissaire"),
        objection_start=read.date(
            service.get("first_act_in_person"), "service.first_act_in_person"
        ),
        objection_date=read.date(data.get("objection"), "objection"),
        paid_date=read.date(data.get("paid"), "paid"),
        closed_date=read.date(data.get("closed"), "closed"),
        costs=tuple(_cost(read, entry, f"costs[{index}]") for index, entry in enumerate(costs)),
        court=read.place(data.get("court"), "court"),
        debtor=read.place(data.get("debtor"), "debtor"),
    )
    header = {
        "reference": read.text(data.get("reference"), "reference"),
        "as_of": read.date(data.get("as_of"), "as_of"),
    }
    return events, header


def _cost(read: _Reader, entry, key: str) -> Cost:
    entry = read.mapping(entry, key, COST_KEYS)
    kind = entry.get("kind")
    if kind not in COST_KINDS:
        read.fail(f"{key}.kind", f"{kind!r} : {' ou '.join(sorted(COST_KINDS))} attendu")
    if "amount" not in entry:
        read.fail(f"{key}.amount", "montant obligatoire")
    return Cost(
        kind,
        read.amount(entry["amount"], f"{key}.amount"),
        read.text(entry.get("label"), f"{key}.label"),
    )


def timeline_to_dict(timeline: Timeline, reference: str = "") -> dict:
    return {
        "reference": reference or None,
        "as_of": iso(timeline.as_of),
        "state": timeline.state.value,
        "state_text": timeline.state.label_fr(),
        "order_void": timeline.order_void,
        "events": [
            {"date": iso(event.day), "code": event.code, "text": event.text}
            for event in timeline.events
        ],
        "deadlines": [
            {
                "code": item.code,
                "label": item.label,
                "date": iso(item.day),
                "unmoved": iso(item.unmoved),
                "moved": item.moved,
                "status": item.status.value,
                "status_text": item.status.label_fr(),
                "rule": item.rule,
            }
            for item in timeline.deadlines
        ],
        "costs": [
            {"kind": cost.kind, "label": cost.label_fr(), "amount": money(cost.amount)}
            for cost in timeline.costs
        ],
        "total_costs": money(timeline.total_costs),
    }


def timeline_text(timeline: Timeline, reference: str = "") -> str:
    """The timeline for a reader, in French."""
    title = f"Affaire {reference}" if reference else "Affaire"
    lines = [f"{title} au {date_fr(timeline.as_of)} : {timeline.state.label_fr()}", ""]
    lines.append("Événements")
    lines += [f"  {date_fr(event.day):<20} {event.text}" for event in timeline.events]
    if timeline.deadlines:
        lines += ["", "Délais"]
        for item in timeline.deadlines:
            lines.append(f"  {date_fr(item.day):<20} {item.label} ({item.status.label_fr()})")
            lines.append(f"  {'':<20} {item.rule}")
    if timeline.costs:
        lines += ["", "Frais"]
        width = max(len(cost.label_fr()) for cost in timeline.costs)
        lines += [
            f"  {cost.label_fr():<{width}} {euros(cost.amount):>12}" for cost in timeline.costs
        ]
        lines.append(f"  {'Total':<{width}} {euros(timeline.total_costs):>12}")
    return "\n".join(lines)
