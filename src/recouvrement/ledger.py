"""A creditor's receivables as plain data: parties, invoices, settlements, ladder state.

This is the engine's input format outside Odoo: the bundled demo ledger and the command
line read it from JSON. Dates are ISO strings, amounts decimal strings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from .claim import Claim, Invoice, Settlement, SettlementKind
from .errors import InvalidClaim
from .escalation import OpenItem
from .kinds import CreditorKind, Regime
from .pauses import Instalment, Pause, PauseReason

# A signed payment plan and a promise to pay are the debtor's acknowledgments of the debt
# (C. civ. 2240); a phone call leaves no written demand (loi 68-1250 art. 2 wants one).
ACKNOWLEDGING_PAUSES = frozenset({PauseReason.PAYMENT_PLAN, PauseReason.PROMISE})
UNWRITTEN_CHANNELS = frozenset({"phone"})


@dataclass(frozen=True)
class Address:
    street: str
    zip: str
    city: str
    street2: str = ""  # building, entrance, residence (NF Z10-011 line 3)
    country: str = "France"
    locality: str = ""  # lieu-dit, industrial zone, BP (NF Z10-011 line 5)


@dataclass(frozen=True)
class Party:
    name: str
    address: Address
    legal_form: str = ""
    siren: str = ""
    is_company: bool = True
    email: str = ""
    phone: str = ""
    iban: str = ""
    bic: str = ""
    representative: str = ""
    civility: str = ""  # "Madame" or "Monsieur", for a private person
    rcs_city: str = ""  # the city of the RCS registry (C. com. R123-237)
    share_capital: Decimal | None = None  # C. com. R123-238
    # A natural person claiming in court (CPC 54): profession, nationality, birth.
    profession: str = ""
    nationality: str = ""
    birth_date: str = ""  # ISO date
    birth_place: str = ""


@dataclass(frozen=True)
class ReminderState:
    """Where an invoice stands on the ladder before the run."""

    level: int = 0
    last_reminder: date | None = None
    pauses: tuple[Pause, ...] = ()


@dataclass(frozen=True)
class Reminder:
    """A contact already made: which letter, when, how, and the registered-letter trace."""

    reference: str
    kind: str
    day: date
    invoices: tuple[str, ...]
    channel: str = "email"
    tracking_number: str = ""  # the registered letter's number (LRAR or LRE)
    received_on: date | None = None  # delivery, or the 15th day for an unclaimed LRE
    first_presented_on: date | None = None  # the registered letter's first presentation


@dataclass(frozen=True)
class Account:
    """One debtor and its invoices."""

    key: str
    party: Party
    regime: Regime
    invoices: tuple[Invoice, ...]
    states: dict[str, ReminderState] = field(default_factory=dict)
    contractual_rate: Decimal | None = None
    notice_received: date | None = None
    reminders: tuple[Reminder, ...] = ()

    def claim(self, invoices: tuple[Invoice, ...] | None = None) -> Claim:
        """The claim on ``invoices`` (default: all), with what the history says of them:
        the debtor's acknowledgments (payment plans, promises), the written demands and
        the insolvency opening judgment."""
        return Claim(
            invoices=tuple(self._with_history(invoice) for invoice in invoices or self.invoices),
            regime=self.regime,
            contractual_rate=self.contractual_rate,
            creditor=CreditorKind.COMPANY,
            notice_received=self.notice_received,
            insolvency_judgment=min(
                (
                    pause.since
                    for state in self.states.values()
                    for pause in state.pauses
                    if pause.reason is PauseReason.INSOLVENCY
                ),
                default=None,
            ),
        )

    def _with_history(self, invoice: Invoice) -> Invoice:
        pauses = self.states.get(invoice.number, ReminderState()).pauses
        acknowledged = [pause.since for pause in pauses if pause.reason in ACKNOWLEDGING_PAUSES]
        demanded = [
            reminder.day
            for reminder in self.reminders
            if invoice.number in reminder.invoices and reminder.channel not in UNWRITTEN_CHANNELS
        ]
        return replace(
            invoice,
            acknowledgments=tuple(dict.fromkeys([*invoice.acknowledgments, *acknowledged])),
            demands=tuple(dict.fromkeys([*invoice.demands, *demanded])),
        )

    def open_items(self, as_of: date) -> list[OpenItem]:
        items = []
        for invoice in self.invoices:
            state = self.states.get(invoice.number, ReminderState())
            items.append(
                OpenItem(
                    invoice=invoice.number,
                    debtor=self.key,
                    due_date=invoice.due_date,
                    balance=invoice.balance_on(as_of),
                    level=state.level,
                    last_reminder=state.last_reminder,
                    pauses=state.pauses,
                    notice_received=self.notice_received,
                )
            )
        return items


@dataclass(frozen=True)
class Ledger:
    as_of: date
    creditor: Party
    accounts: tuple[Account, ...]
    signatory: dict[str, str] = field(default_factory=dict)
    gdpr: dict[str, str] = field(default_factory=dict)  # see letters.gdpr_context
    terms_on_invoices: bool = False  # the invoices refer to the creditor's terms of sale
    registered_channel: str = "lrar"  # how a mise en demeure is sent: "lrar" or "lre"

    def account(self, key: str) -> Account:
        return next(account for account in self.accounts if account.key == key)


def load_ledger(source: Path | str | dict) -> Ledger:
    """Read a ledger from a JSON file or an already parsed mapping."""
    data = source if isinstance(source, dict) else json.loads(Path(source).read_text("utf-8"))
    try:
        return Ledger(
            as_of=_date(data["as_of"]),
            creditor=party_from_dict(data["creditor"]),
            accounts=tuple(account_from_dict(entry) for entry in data["debtors"]),
            signatory=dict(data.get("signatory", {})),
            gdpr=dict(data.get("gdpr", {})),
            terms_on_invoices=bool(data.get("terms_on_invoices", False)),
            registered_channel=data.get("registered_channel", "lrar"),
        )
    except KeyError as missing:
        raise InvalidClaim(f"the ledger has no {missing.args[0]!r}") from None


def bundled_ledger() -> Ledger:
    """The demo ledger shipped with the package (a French creditor and six debtors)."""
    return load_ledger(str(resources.files("recouvrement").joinpath("data/demo_ledger.json")))


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InvalidClaim(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _amount(text: Any) -> Decimal:
    try:
        return Decimal(str(text))
    except InvalidOperation:
        raise InvalidClaim(f"{text!r} is not an amount") from None


def party_from_dict(data: dict) -> Party:
    fields = {key: value for key, value in data.items() if key != "address"}
    if fields.get("share_capital") is not None:
        fields["share_capital"] = _amount(fields["share_capital"])
    return Party(address=Address(**data["address"]), **fields)


def account_from_dict(data: dict) -> Account:
    invoices = tuple(_invoice(entry) for entry in data["invoices"])
    states = {entry["number"]: _state(entry) for entry in data["invoices"]}
    rate = data.get("contractual_rate")
    return Account(
        key=data["key"],
        party=party_from_dict(data["party"]),
        regime=Regime.parse(data["regime"]),
        invoices=invoices,
        states=states,
        contractual_rate=_amount(rate) if rate is not None else None,
        notice_received=_date(data.get("notice_received")),
        reminders=tuple(_reminder(entry) for entry in data.get("reminders", [])),
    )


def _reminder(data: dict) -> Reminder:
    return Reminder(
        reference=data["reference"],
        kind=data["kind"],
        day=_date(data["date"]),
        invoices=tuple(data["invoices"]),
        channel=data.get("channel", "email"),
        tracking_number=data.get("tracking_number", ""),
        received_on=_date(data.get("received_on")),
        first_presented_on=_date(data.get("first_presented_on")),
    )


def _invoice(data: dict) -> Invoice:
    return Invoice(
        number=data["number"],
        amount=_amount(data["amount"]),
        due_date=_date(data["due_date"]),
        invoice_date=_date(data.get("date")),
        delivery_date=_date(data.get("delivery_date")),
        settlements=tuple(
            Settlement(
                _date(entry["date"]),
                _amount(entry["amount"]),
                SettlementKind(entry.get("kind", "payment")),
                entry.get("label", ""),
            )
            for entry in data.get("settlements", [])
        ),
        periodic=bool(data.get("periodic", False)),
        acknowledgments=tuple(_date(day) for day in data.get("acknowledgments", [])),
    )


def _state(data: dict) -> ReminderState:
    return ReminderState(
        level=int(data.get("level", 0)),
        last_reminder=_date(data.get("last_reminder")),
        pauses=tuple(_pause(entry) for entry in data.get("pauses", [])),
    )


def _pause(data: dict) -> Pause:
    return Pause(
        reason=PauseReason(data["reason"]),
        since=_date(data["since"]),
        until=_date(data.get("until")),
        instalments=tuple(
            Instalment(_date(item["due_date"]), _amount(item["amount"]), _amount(item["paid"]))
            for item in data.get("instalments", [])
        ),
        note=data.get("note", ""),
    )
