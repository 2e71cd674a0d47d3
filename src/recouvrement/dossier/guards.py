"""What stops a dossier before anything is written.

- ``insolvency``: the debtor is under sauvegarde, redressement or liquidation judiciaire:
  individual actions are suspended (C. com. L622-21) and the claim is declared to the
  mandataire judiciaire instead, within two months of the BODACC publication (L622-24,
  R622-24). Never overridable.
- ``prescription``: an invoice is time-barred on the dossier date (C. com. L110-4, C. conso
  L218-2). Never overridable.
- ``provisional_rates``: the décompte carries a rate forward into a half-year with no
  published rate; a requête must not rest on provisional figures. Never overridable.
- ``notice_deadline``: the mise en demeure's deadline (eight days from receipt, C. civ.
  1344) has not run out yet. Never overridable: wait for the date it names.
- ``no_formal_notice``: no mise en demeure covers a claimed invoice. Overridable with a
  reason (a debtor who disappeared, an urgent case), which the manifest records.
- ``open_dispute``: the debtor disputes an invoice and the dispute is still open.
  Overridable with a reason, recorded likewise.

A missing mandatory mention of the request is refused too, by
:func:`recouvrement.dossier.documents.check_dossier_mentions`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ..claim import Invoice
from ..decompte import Decompte
from ..law.formal_notice import DEADLINE_DAYS, payment_deadline
from ..law.prescription import prescription_date, prescription_start
from ..ledger import Account, Reminder
from ..pauses import PauseReason
from .errors import CaseFileError

INSOLVENCY = "insolvency"
PRESCRIPTION = "prescription"
PROVISIONAL_RATES = "provisional_rates"
NOTICE_DEADLINE = "notice_deadline"
NO_FORMAL_NOTICE = "no_formal_notice"
OPEN_DISPUTE = "open_dispute"

GUARDS = (
    INSOLVENCY,
    PRESCRIPTION,
    PROVISIONAL_RATES,
    NOTICE_DEADLINE,
    NO_FORMAL_NOTICE,
    OPEN_DISPUTE,
)
OVERRIDABLE = frozenset({NO_FORMAL_NOTICE, OPEN_DISPUTE})
FORMAL_NOTICE_KIND = "mise_en_demeure"


@dataclass(frozen=True)
class Override:
    """A guard the user lifted: which, why (their words), and what it would have said."""

    guard: str
    reason: str
    message: str


def check_overrides(overrides: Mapping[str, str]) -> dict[str, str]:
    """Refuse unknown guards, guards that cannot be lifted and overrides without a reason."""
    checked = {}
    for guard, reason in overrides.items():
        if guard not in GUARDS:
            raise CaseFileError(
                f"unknown guard {guard!r} to override: use one of {', '.join(sorted(OVERRIDABLE))}"
            )
        if guard not in OVERRIDABLE:
            raise CaseFileError(f"the {guard} guard cannot be overridden")
        if not str(reason or "").strip():
            raise CaseFileError(f"overriding the {guard} guard needs a reason")
        checked[guard] = str(reason).strip()
    return checked


def formal_notices(account: Account, as_of: date) -> list[Reminder]:
    """The mises en demeure sent on or before ``as_of``, oldest first."""
    notices = [r for r in account.reminders if r.kind == FORMAL_NOTICE_KIND and r.day <= as_of]
    return sorted(notices, key=lambda reminder: (reminder.day, reminder.reference))


def notice_deadline(notice: Reminder) -> date:
    """The last day the mise en demeure gave to pay: eight days from receipt when known."""
    if notice.received_on:
        return notice.received_on + timedelta(days=DEADLINE_DAYS)
    return payment_deadline(notice.day)


def claim_problems(
    account: Account,
    invoices: Sequence[Invoice],
    as_of: date,
    *,
    insolvency_flag: bool = False,
    insolvency_note: str = "",
) -> list[tuple[str, str]]:
    """Every guard that holds for the claim, before its décompte is computed."""
    problems = []
    name = account.party.name
    numbers = {invoice.number for invoice in invoices}
    pauses = [
        (number, pause)
        for number, state in account.states.items()
        if number in numbers
        for pause in state.pauses
        if pause.holds_on(as_of)
    ]
    insolvency = [pause for _, pause in pauses if pause.reason is PauseReason.INSOLVENCY]
    if insolvency or insolvency_flag:
        since = f" since {insolvency[0].since.isoformat()}" if insolvency else ""
        note = insolvency_note or (insolvency[0].note if insolvency else "")
        problems.append(
            (
                INSOLVENCY,
                f"{name} is under insolvency proceedings{since}{f' ({note})' if note else ''}: no "
                "injonction de payer (C. com. L622-21); declare the claim to the mandataire "
                "judiciaire within two months of the BODACC publication (L622-24)",
            )
        )
    barred = []
    for invoice in invoices:
        acknowledgments = [item.day for item in invoice.settlements if item.day <= as_of]
        start = prescription_start(invoice.due_date, invoice.delivery_date)
        last_day = prescription_date(start, account.regime, acknowledgments)
        if last_day < as_of:
            barred.append(f"{invoice.number} since {last_day.isoformat()}")
    if barred:
        problems.append((PRESCRIPTION, "the claim is time-barred: invoice " + ", ".join(barred)))
    disputed = sorted(number for number, pause in pauses if pause.reason is PauseReason.DISPUTE)
    if disputed:
        problems.append(
            (
                OPEN_DISPUTE,
                f"invoice {', '.join(disputed)} is disputed and the dispute is still open: settle "
                "it first, or override with a reason",
            )
        )
    problems += _notice_problems(account, numbers, as_of)
    return problems


def _notice_problems(account: Account, numbers: set[str], as_of: date) -> list[tuple[str, str]]:
    notices = formal_notices(account, as_of)
    covered = {number for notice in notices for number in notice.invoices}
    uncovered = sorted(numbers - covered)
    if uncovered:
        return [
            (
                NO_FORMAL_NOTICE,
                "no mise en demeure in the reminder history covers invoice "
                f"{', '.join(uncovered)}: send one first (C. civ. 1344), or override with a reason",
            )
        ]
    running = [n for n in notices if numbers & set(n.invoices) and notice_deadline(n) >= as_of]
    if running:
        last = max(notice_deadline(notice) for notice in running)
        references = ", ".join(notice.reference for notice in running)
        return [
            (
                NOTICE_DEADLINE,
                f"the mise en demeure {references} gives the debtor until {last.isoformat()} to "
                f"pay: build the dossier from {(last + timedelta(days=1)).isoformat()} on",
            )
        ]
    return []


def decompte_problems(decompte: Decompte) -> list[tuple[str, str]]:
    if not decompte.provisional:
        return []
    carried = "; ".join(w for w in decompte.warnings if w.startswith("provisional")) or "rates"
    return [
        (
            PROVISIONAL_RATES,
            f"the décompte uses provisional rates ({carried}): a requête needs published rates; "
            "update the rate table (recouvrement update-rates) or move the dossier date",
        )
    ]


def apply_overrides(
    problems: list[tuple[str, str]], overrides: Mapping[str, str]
) -> tuple[list[tuple[str, str]], list[Override]]:
    """Split the problems into those still refusing the dossier and the overridden ones."""
    remaining, lifted = [], []
    for guard, message in problems:
        if guard in overrides:
            lifted.append(Override(guard, overrides[guard], message))
        else:
            remaining.append((guard, message))
    return remaining, lifted
