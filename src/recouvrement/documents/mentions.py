"""Mandatory mentions of collection letters, checked before anything is rendered.

French law makes some mentions of a collection letter mandatory, and forbids some
charges:

- Every letter states the creditor's identity (and the collector's, when a third party
  collects), the amount, nature and detail of the debt (invoice numbers, dates, amounts,
  payments) and the legal basis of the obligation to pay.
- A third party collecting for the creditor (agency mode: a ``collector`` in the context,
  or a ``relance_mandataire`` letter) must give, under CPCE R124-4: its name and address
  and that it collects amicably; the creditor's name and address; the basis and amount
  with principal, interest and accessories shown separately; a demand to pay with the
  payment methods; the verbatim text of CPCE L111-8 paragraphs 2 and 3; and, from the
  second letter on, the first letter's reference and date. Omitting one is an offence
  (R124-7).
- A mise en demeure (C. civ. 1344) also gives both parties' legal form, SIREN and
  registered office, the breakdown of the amount (principal, penalties to a date with the
  daily amount, the 40 € per invoice between businesses), a deadline, the lawful next
  step and a signature.
- Every letter of a registered company carries its SIREN followed by "RCS" and the city
  of the registry, its legal form and share capital, and its registered office (C. com.
  R123-237 and R123-238): the creditor's, and the collector's in agency mode.
- The first letter and the mise en demeure give the GDPR information (RGPD art. 13; art.
  14 with the data's source when a third party collects): who processes the data, why, on
  which basis, how long they are kept, and where to exercise one's rights.
- A mise en demeure names the channel actually used, LRAR or LRE (CPCE L100), and gives
  one deadline only, stated one way (french-law.md §4 bis).
- A consumer (B2C) is never charged the 40 € flat indemnity (C. com. D441-5 applies
  between businesses only) nor collection fees (CPCE L111-8): a letter that does is an
  error, reported with the missing mentions.

:func:`check_mentions` reports every problem at once in a :class:`MissingMentionsError`.

>>> try:
...     check_mentions({"kind": "relance_courtoise", "regime": "b2b"})
... except MissingMentionsError as error:
...     print(error.missing[:4])
['letter date', 'letter reference', 'creditor name', 'creditor legal form']
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from stdnum.exceptions import ValidationError
from stdnum.fr import siren as stdnum_siren

from ..errors import RecouvrementError
from ..postal_address import AddressError
from .filters import lignes_adresse, to_date, to_decimal

__all__ = [
    "AGENCY_LATER_KINDS",
    "KINDS",
    "L111_8_TEXT",
    "MissingMentionsError",
    "check_mentions",
    "is_agency",
    "needs_gdpr",
]

KINDS = (
    "relance_courtoise",
    "relance_ferme",
    "derniere_relance",
    "mise_en_demeure",
    "releve_de_compte",
    "relance_mandataire",
)
"""The kinds of letters, each with a default template of the same name."""

AGENCY_LATER_KINDS = ("relance_ferme", "derniere_relance", "mise_en_demeure")
"""Kinds that always follow a first letter: in agency mode they repeat its reference."""

REGIMES = ("b2b", "b2c", "public")

L111_8_TEXT = (
    "Les frais de recouvrement entrepris sans titre exécutoire restent à la charge du "
    "créancier, sauf s'ils concernent un acte dont l'accomplissement est prescrit par la "
    "loi au créancier. Toute stipulation contraire est réputée non écrite, sauf disposition "
    "législative contraire.\n"
    "Cependant, le créancier qui justifie du caractère nécessaire des démarches entreprises "
    "pour recouvrer sa créance peut demander au juge de l'exécution de laisser tout ou "
    "partie des frais ainsi exposés à la charge du débiteur de mauvaise foi."
)
"""Code des procédures civiles d'exécution, article L111-8, paragraphs 2 and 3, verbatim.

Agency letters must reproduce it (R124-4 5°); templates print it as ``{{ l111_8_text }}``
and :func:`check_mentions` checks the context carries exactly this text.
"""

REGISTERED_CHANNELS = ("lrar", "lre")
"""How a mise en demeure is sent: registered letter with acknowledgment of receipt, or
qualified electronic registered letter (CPCE L100)."""

WITHOUT_SHARE_CAPITAL = ("EI", "EIRL", "ENTREPRENEUR INDIVIDUEL", "ASSOCIATION", "GIE")
"""Legal forms with no share capital to state (R123-238 concerns sociétés)."""

OUTSIDE_RCS = ("ASSOCIATION",)
"""Legal forms not registered at the RCS, so without the "RCS city" mention."""

GDPR_KEYS = {
    "controller": "who processes the data (gdpr.controller)",
    "purpose": "why the data are processed (gdpr.purpose)",
    "basis": "the legal basis of the processing (gdpr.basis)",
    "retention": "how long the data are kept (gdpr.retention)",
    "rights_contact": "where to exercise one's rights (gdpr.rights_contact)",
}

FEE_KEYS = ("fees", "collection_fees")
"""Keys of ``totals`` (or of the context) that would charge collection fees."""


class MissingMentionsError(RecouvrementError):
    """A letter lacks mandatory mentions or charges what the law forbids.

    ``missing`` lists every problem as a short readable item ("creditor SIREN", "B2C:
    no 40 € indemnity may be charged to a consumer (totals.indemnity)"); ``kind`` is the
    kind of letter. The message lists them all, on one line.
    """

    def __init__(self, kind: str | None, missing: list[str]):
        self.kind = kind
        self.missing = list(missing)
        what = f"a {kind}" if kind else "the letter"
        count = len(self.missing)
        noun = "mention is" if count == 1 else "mentions are"
        super().__init__(
            f"cannot produce {what}: {count} mandatory {noun} missing or invalid: "
            + "; ".join(self.missing)
        )


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict)):
        return not value
    return False


def _get(mapping: Any, key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, Mapping) else None


class MentionChecker:
    """Collects problems in order; each ``require_*`` adds an item when a check fails."""

    def __init__(self) -> None:
        self.missing: list[str] = []

    def add(self, item: str) -> None:
        if item not in self.missing:
            self.missing.append(item)

    def text(self, value: Any, item: str) -> bool:
        if _blank(value):
            self.add(item)
            return False
        return True

    def date(self, value: Any, item: str) -> bool:
        if _blank(value):
            self.add(item)
            return False
        try:
            to_date(value)
        except (TypeError, ValueError):
            self.add(f"{item} (not a date: {value!r})")
            return False
        return True

    def amount(self, value: Any, item: str) -> Decimal | None:
        if _blank(value):
            self.add(item)
            return None
        try:
            return to_decimal(value)
        except (TypeError, ValueError):
            self.add(f"{item} (not an amount: {value!r})")
            return None

    def siren(self, value: Any, item: str, required: bool = True) -> None:
        if _blank(value):
            if required:
                self.add(item)
            return
        try:
            stdnum_siren.validate(str(value))
        except ValidationError as exc:
            self.add(f"{item} {value!r} is invalid ({exc})")

    def address(self, address: Any, who: str) -> None:
        if not isinstance(address, Mapping):
            self.add(f"{who} address")
            return
        self.text(_get(address, "street"), f"{who} address: street")
        self.text(_get(address, "zip"), f"{who} address: postcode")
        self.text(_get(address, "city"), f"{who} address: city")

    def postal_address(self, party: Any, who: str) -> None:
        """The address block must fit NF Z10-011 (six lines of 38 characters at most)."""
        if not isinstance(party, Mapping) or not isinstance(party.get("address"), Mapping):
            return
        try:
            lignes_adresse(party)
        except AddressError as error:
            self.add(f"{who} postal address: {error}")

    def registration(self, party: Any, who: str) -> None:
        """RCS with the registry's city, legal form and share capital (R123-237, R123-238)."""
        if not isinstance(party, Mapping) or party.get("is_company") is False:
            return
        form = str(party.get("legal_form") or "").strip().upper()
        if form not in OUTSIDE_RCS:
            self.text(party.get("rcs_city"), f"{who} RCS registry city ({who}.rcs_city)")
        if form and form not in WITHOUT_SHARE_CAPITAL:
            capital = self.amount(
                party.get("share_capital"), f"{who} share capital ({who}.share_capital)"
            )
            if capital is not None and capital <= 0:
                self.add(f"{who} share capital must be positive (got {capital})")

    def company(self, party: Any, who: str, *, identity: bool = True) -> None:
        """Name and address; with ``identity``, legal form and a valid SIREN too."""
        self.text(_get(party, "name"), f"{who} name")
        if identity:
            self.text(_get(party, "legal_form"), f"{who} legal form")
            self.siren(_get(party, "siren"), f"{who} SIREN")
        elif isinstance(party, Mapping):
            self.siren(party.get("siren"), f"{who} SIREN", required=False)
        self.address(_get(party, "address"), who)


def is_agency(context: Mapping[str, Any]) -> bool:
    """Whether a third party collects (a ``collector``, or a ``relance_mandataire``)."""
    return bool(context.get("collector")) or context.get("kind") == "relance_mandataire"


def needs_gdpr(context: Mapping[str, Any]) -> bool:
    """Whether the letter must carry the GDPR information: the first letter (no earlier
    letter named) and the mise en demeure; a statement of account never opens a file."""
    kind = context.get("kind")
    if kind == "mise_en_demeure":
        return True
    return (
        kind != "releve_de_compte"
        and kind not in AGENCY_LATER_KINDS
        and not context.get("first_letter")
    )


def _check_gdpr(c: MentionChecker, context: Mapping[str, Any], agency: bool) -> None:
    gdpr = context.get("gdpr")
    if not isinstance(gdpr, Mapping):
        c.add("GDPR information (gdpr: controller, purpose, basis, retention, rights_contact)")
        return
    for key, item in GDPR_KEYS.items():
        c.text(gdpr.get(key), f"GDPR: {item}")
    if agency:
        c.text(gdpr.get("source"), "GDPR art. 14: where the data come from (gdpr.source)")


def _nonzero(value: Any) -> bool:
    if _blank(value):
        return False
    try:
        return to_decimal(value) != 0
    except (TypeError, ValueError):
        return True  # not a number: treat as charged, the caller names the key


def check_mentions(context: Mapping[str, Any]) -> None:
    """Raise :class:`MissingMentionsError` listing every mandatory mention a letter lacks.

    ``context`` is the letter's context (see docs/templates.md): engine values (``date``,
    ``Decimal``) or JSON values (ISO date strings, decimal strings). Returns None when
    the letter may be produced.
    """
    c = MentionChecker()
    kind = context.get("kind")
    if kind not in KINDS:
        c.add(f"kind (one of {', '.join(KINDS)}; got {kind!r})")
    regime = context.get("regime")
    if regime not in REGIMES:
        c.add(f"regime (b2b, b2c or public; got {regime!r})")
    agency = is_agency(context)
    formal = kind == "mise_en_demeure"
    statement = kind == "releve_de_compte"

    c.date(context.get("date"), "letter date")
    c.text(context.get("reference"), "letter reference")

    # Parties.
    creditor = context.get("creditor")
    # A private person may be owed too (a landlord, a lender): no legal form or SIREN.
    c.company(creditor, "creditor", identity=_get(creditor, "is_company") is not False)
    c.registration(creditor, "creditor")
    debtor = context.get("debtor")
    is_company = _get(debtor, "is_company")
    if is_company is None:
        is_company = regime != "b2c"
    c.company(debtor, "debtor", identity=formal and bool(is_company))
    c.postal_address(debtor, "debtor")

    # Agency mode (CPCE R124-4).
    if agency:
        collector = context.get("collector")
        if not collector:
            c.add("collector (the third party collecting: name, legal form, SIREN, address)")
        else:
            c.company(collector, "collector")
            c.registration(collector, "collector")
        text = context.get("l111_8_text")
        if _blank(text):
            c.add("L111-8 CPCE text (paragraphs 2 and 3, l111_8_text)")
        elif str(text).replace("\r\n", "\n").strip() != L111_8_TEXT:
            c.add("L111-8 CPCE text is not verbatim (l111_8_text must be L111_8_TEXT)")
        first = context.get("first_letter")
        if first or kind in AGENCY_LATER_KINDS:
            c.text(_get(first, "reference"), "first letter reference (first_letter.reference)")
            c.date(_get(first, "date"), "first letter date (first_letter.date)")
    elif context.get("first_letter"):
        first = context["first_letter"]
        c.text(_get(first, "reference"), "first letter reference (first_letter.reference)")
        c.date(_get(first, "date"), "first letter date (first_letter.date)")

    # The debt: invoices, or the lines of a statement of account.
    invoices = context.get("invoices") or []
    movements = context.get("movements") or []
    if not invoices and not (statement and movements):
        c.add("invoices (at least one)")
    for index, invoice in enumerate(invoices, start=1):
        label = f"invoice {index}"
        if isinstance(invoice, Mapping) and not _blank(invoice.get("number")):
            label = f"invoice {index} ({invoice['number']})"
        if not isinstance(invoice, Mapping):
            c.add(f"{label}: number, date, amount and balance")
            continue
        c.text(invoice.get("number"), f"{label}: number")
        c.date(invoice.get("date"), f"{label}: date")
        c.amount(invoice.get("amount"), f"{label}: amount")
        c.amount(invoice.get("balance"), f"{label}: balance")
    if statement:
        for index, line in enumerate(movements, start=1):
            label = f"statement line {index}"
            c.date(_get(line, "date"), f"{label}: date")
            c.text(_get(line, "label"), f"{label}: label")
            if _blank(_get(line, "debit")) and _blank(_get(line, "credit")):
                c.add(f"{label}: debit or credit")

    c.text(context.get("legal_basis"), "legal basis (legal_basis)")

    # Amounts.
    totals = context.get("totals")
    c.amount(_get(totals, "principal"), "principal (totals.principal)")
    c.amount(_get(totals, "total"), "total amount due (totals.total)")
    if not statement:
        c.amount(_get(totals, "interest"), "interest or penalties (totals.interest)")
        if regime in ("b2b", "public"):
            c.amount(_get(totals, "indemnity"), "flat indemnity total (totals.indemnity)")
    if not statement:
        c.text(context.get("payment_methods"), "payment methods (payment_methods)")

    if needs_gdpr(context):
        _check_gdpr(c, context, agency)
    if formal:
        _check_formal(c, context, regime)
    if formal or agency:
        c.text(_get(context.get("signatory"), "name"), "signatory name (signatory.name)")

    _check_charges(c, context, regime, agency)

    if c.missing:
        raise MissingMentionsError(kind if kind in KINDS else None, c.missing)


def _check_formal(c: MentionChecker, context: Mapping[str, Any], regime: Any) -> None:
    """A mise en demeure: deadline, breakdown, next step."""
    channel = context.get("registered_channel")
    if channel not in REGISTERED_CHANNELS:
        c.add(f"registered channel (registered_channel: lrar or lre; got {channel!r})")
    deadline, days = context.get("deadline"), context.get("deadline_days")
    if _blank(deadline) and _blank(days):
        c.add("deadline (deadline or deadline_days)")
    elif not _blank(deadline) and not _blank(days):
        c.add("one deadline only (deadline or deadline_days, not both)")
    elif not _blank(deadline):
        c.date(deadline, "deadline")
    if not _blank(days) and (isinstance(days, bool) or not isinstance(days, int) or days <= 0):
        c.add(f"deadline_days (a positive number of days; got {days!r})")
    c.text(context.get("next_step"), "next step (next_step, e.g. injonction de payer)")

    totals = context.get("totals")
    decompte = context.get("decompte")
    if not isinstance(decompte, Mapping):
        c.add("breakdown (decompte: as_of, method, periods)")
        decompte = {}
    else:
        c.date(decompte.get("as_of"), "breakdown date (decompte.as_of)")
        c.text(decompte.get("method"), "breakdown method (decompte.method)")
    if decompte.get("provisional") or any(
        isinstance(p, Mapping) and p.get("provisional") for p in decompte.get("periods") or ()
    ):
        c.add("breakdown uses provisional rates (a mise en demeure needs confirmed rates)")
    if regime != "b2c":
        # Penalties run from the day after the due date (L441-10): show each period.
        periods = decompte.get("periods") or []
        if not periods and decompte:
            c.add("breakdown periods (decompte.periods)")
        for index, period in enumerate(periods, start=1):
            label = f"breakdown period {index}"
            if not isinstance(period, Mapping):
                c.add(label)
                continue
            c.text(period.get("invoice"), f"{label}: invoice")
            c.date(period.get("start"), f"{label}: start")
            c.date(period.get("end"), f"{label}: end")
            if _blank(period.get("days")):
                c.add(f"{label}: days")
            c.amount(period.get("balance"), f"{label}: balance")
            c.amount(period.get("rate"), f"{label}: rate")
            c.amount(period.get("amount"), f"{label}: amount")
        c.amount(_get(totals, "daily_amount"), "daily amount (totals.daily_amount)")


def _check_charges(
    c: MentionChecker, context: Mapping[str, Any], regime: Any, agency: bool
) -> None:
    """Charges the law forbids: the 40 € and fees from a consumer, fees in agency mode."""
    totals = context.get("totals")
    if regime == "b2c":
        if _nonzero(_get(totals, "indemnity")):
            c.add(
                "B2C: no 40 € indemnity may be charged to a consumer "
                f"(totals.indemnity = {_get(totals, 'indemnity')})"
            )
        charged = [
            str(invoice.get("number") or index)
            for index, invoice in enumerate(context.get("invoices") or [], start=1)
            if isinstance(invoice, Mapping) and _nonzero(invoice.get("indemnity"))
        ]
        if charged:
            c.add(
                "B2C: no 40 € indemnity may be charged to a consumer (invoices "
                + ", ".join(charged)
                + ")"
            )
    if regime == "b2c" or agency:
        for where, source in (("totals", totals), ("context", context)):
            for key in FEE_KEYS:
                if _nonzero(_get(source, key)):
                    who = "a consumer" if regime == "b2c" else "the debtor in agency mode"
                    c.add(
                        f"collection fees may not be charged to {who} (L111-8 CPCE; "
                        f"{where}.{key} = {_get(source, key)})"
                    )
