"""What stops a dossier before anything is written.

- ``insolvency``: the debtor is under sauvegarde, redressement or liquidation judiciaire:
  individual actions are suspended (C. com. L622-21) and the claim is declared to the
  mandataire judiciaire instead, within two months of the BODACC publication (L622-24,
  R622-24). Never overridable.
- ``prescription``: an invoice is time-barred on the dossier date (C. com. L110-4, C. conso
  L218-2), counting the payments, the payment plans and promises of the history, and for
  a public buyer the written demands (one rule: law.prescription). Never overridable.
- ``provisional_rates``: the décompte carries a rate forward into a half-year with no
  published rate; a requête must not rest on provisional figures. Never overridable.
- ``notice_deadline``: the mise en demeure's deadline (eight days from receipt, C. civ.
  1344) has not run out yet. Never overridable: wait for the date it names.
- ``no_formal_notice``: no mise en demeure covers a claimed invoice. Overridable with a
  reason (a debtor who disappeared, an urgent case), which the manifest records.
- ``open_dispute``: the debtor disputes an invoice and the dispute is still open.
  Overridable with a reason, recorded likewise.
- ``signatory``: the request is signed by someone who is neither the creditor's legal
  representative (a natural person: the creditor itself) nor holds a power of attorney
  among the exhibits; or a representative files without its mandate among the exhibits
  (CPC 1407: the request is signed by the creditor or its representative; CPC 416: a
  representative other than a lawyer justifies its mandate). Never overridable.

A missing mandatory mention of the request is refused too, by
:func:`recouvrement.dossier.documents.check_dossier_mentions`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ..claim import Invoice
from ..decompte import Decompte, invoice_prescription
from ..documents.filters import date_fr, de
from ..law.formal_notice import DEADLINE_DAYS, payment_deadline
from ..ledger import Account, Reminder
from ..messages import Message
from ..pauses import PauseReason
from .case import Case
from .errors import CaseFileError

INSOLVENCY = "insolvency"
PRESCRIPTION = "prescription"
PROVISIONAL_RATES = "provisional_rates"
NOTICE_DEADLINE = "notice_deadline"
NO_FORMAL_NOTICE = "no_formal_notice"
OPEN_DISPUTE = "open_dispute"
SIGNATORY = "signatory"

GUARDS = (
    INSOLVENCY,
    PRESCRIPTION,
    PROVISIONAL_RATES,
    NOTICE_DEADLINE,
    NO_FORMAL_NOTICE,
    OPEN_DISPUTE,
    SIGNATORY,
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
                Message.build(
                    "unknown_guard",
                    "garde-fou inconnu {guard} : seuls {known} peuvent être levés",
                    guard=repr(guard),
                    known=sorted(OVERRIDABLE),
                )
            )
        if guard not in OVERRIDABLE:
            raise CaseFileError(
                Message.build(
                    "guard_not_overridable",
                    "le garde-fou {guard} ne peut pas être levé",
                    guard=guard,
                )
            )
        if not str(reason or "").strip():
            raise CaseFileError(
                Message.build(
                    "override_without_reason",
                    "lever le garde-fou {guard} demande un motif",
                    guard=guard,
                )
            )
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
        since = f" depuis le {date_fr(insolvency[0].since)}" if insolvency else ""
        note = insolvency_note or (insolvency[0].note if insolvency else "")
        problems.append(
            (
                INSOLVENCY,
                Message(
                    "insolvency",
                    f"{name} fait l'objet d'une procédure collective{since}"
                    f"{f' ({note})' if note else ''} : pas d'injonction de payer (art. L622-21 "
                    "C. com.) ; déclarez la créance au mandataire judiciaire dans les deux mois "
                    "de la publication au BODACC (art. L622-24)",
                    {
                        "debtor": name,
                        "since": insolvency[0].since.isoformat() if insolvency else None,
                        "note": note,
                    },
                ),
            )
        )
    claim = account.claim(tuple(invoices))
    barred = {}
    for invoice in claim.invoices:  # with the plans, promises and demands of the history
        last_day = invoice_prescription(invoice, claim, as_of).last_day
        if last_day < as_of:
            barred[invoice.number] = last_day
    if barred:
        text = ", ".join(f"{number} depuis le {date_fr(day)}" for number, day in barred.items())
        problems.append(
            (
                PRESCRIPTION,
                Message(
                    "time_barred",
                    f"la créance est prescrite : facture {text}",
                    {"invoices": {number: day.isoformat() for number, day in barred.items()}},
                ),
            )
        )
    disputed = sorted(number for number, pause in pauses if pause.reason is PauseReason.DISPUTE)
    if disputed:
        problems.append(
            (
                OPEN_DISPUTE,
                Message.build(
                    "open_dispute",
                    "facture {invoices} : contestée, la contestation est toujours ouverte ; "
                    "réglez-la d'abord, ou levez ce garde-fou avec un motif",
                    invoices=disputed,
                ),
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
                Message.build(
                    "no_formal_notice",
                    "aucune mise en demeure de l'historique ne couvre la facture {invoices} : "
                    "envoyez-en une d'abord (art. 1344 C. civ.), ou levez ce garde-fou avec un "
                    "motif",
                    invoices=uncovered,
                ),
            )
        ]
    running = [n for n in notices if numbers & set(n.invoices) and notice_deadline(n) >= as_of]
    if running:
        last = max(notice_deadline(notice) for notice in running)
        references = ", ".join(notice.reference for notice in running)
        return [
            (
                NOTICE_DEADLINE,
                Message.build(
                    "notice_deadline",
                    "la mise en demeure {references} laisse au débiteur jusqu'au {last} pour "
                    "payer : constituez le dossier à partir du {first}",
                    references=references,
                    last=last,
                    first=last + timedelta(days=1),
                ),
            )
        ]
    return []


def same_person(name: str, described: str) -> bool:
    """Whether ``name`` is the person ``described`` ("Claire Durand" is "Claire Durand,
    présidente"), case, spacing and a civility aside; "Jean" is not "Jean-Claude Martin".

    >>> same_person("claire  DURAND", "Mme Claire Durand, présidente")
    True
    >>> same_person("Jean", "Jean-Claude Martin, président")
    False
    """
    return bool(_person_name(name)) and _person_name(name) == _person_name(described)


def _person_name(text: str) -> str:
    """The name part of "Mme Claire Durand, présidente": "claire durand"."""
    words = text.split(",", 1)[0].casefold().split()
    if words and words[0] in _CIVILITIES:
        words = words[1:]
    return " ".join(words)


_CIVILITIES = {"m.", "mme", "mlle", "monsieur", "madame", "mademoiselle", "me", "maître"}


def signs_as_legal_representative(case: Case) -> bool:
    """Whether the signatory is the creditor's legal representative (a natural person
    creditor: the creditor itself)."""
    if case.signatory is None:
        return False
    creditor = case.creditor
    described = creditor.name if creditor.is_company is False else creditor.representative
    return same_person(case.signatory.name, described or "")


def signatory_problems(case: Case) -> list[tuple[str, str]]:
    """Who may sign the request: the legal representative, someone holding its power of
    attorney, or a representative (mandataire) whose mandate is among the exhibits."""
    kinds = {exhibit.kind for exhibit in case.exhibits}
    problems = []
    if case.representative and "mandate" not in kinds:
        problems.append(
            Message.build(
                "representative_without_mandate",
                "{representative} dépose la requête pour {creditor} : joignez aux pièces le "
                "mandat que le créancier lui a donné (pièce de type « mandate », art. 416 "
                "et 1407 CPC)",
                representative=case.representative.name,
                creditor=case.creditor.name,
            )
        )
    creditor_described = case.creditor.representative or case.creditor.is_company is False
    authorised = (
        signs_as_legal_representative(case)
        or "power_of_attorney" in kinds
        or (case.representative is not None and "mandate" in kinds)
    )
    if case.signatory and creditor_described and not authorised:
        problems.append(
            Message.build(
                "signatory_without_power",
                "la requête est signée par {signatory}, qui n'est pas le représentant légal "
                "{of_creditor} ({representative}) : joignez aux pièces le pouvoir que le "
                "représentant légal lui a donné (pièce de type « power_of_attorney »), ou "
                "faites signer le représentant légal (signatory.name)",
                signatory=case.signatory.name,
                creditor=case.creditor.name,
                of_creditor=de(case.creditor.name),
                representative=case.creditor.representative or case.creditor.name,
            )
        )
    return [(SIGNATORY, message) for message in problems]


def decompte_problems(decompte: Decompte) -> list[tuple[str, str]]:
    if not decompte.provisional:
        return []
    carried = [w for w in decompte.warnings if getattr(w, "code", "") == "provisional_rate"]
    return [
        (
            PROVISIONAL_RATES,
            Message.build(
                "provisional_rates",
                "le décompte repose sur des taux provisoires ({carried}) : une requête exige "
                "des taux publiés ; mettez à jour les taux (recouvrement update-rates) ou "
                "changez la date du dossier",
                carried=carried,
            ),
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
