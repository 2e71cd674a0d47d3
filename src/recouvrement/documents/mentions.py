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
...     print(error.missing[3], error.missing[3].code, error.missing[3].params)
forme juridique du créancier (creditor.legal_form) mention_missing \
{'label': 'forme juridique du créancier', 'key': 'creditor.legal_form'}
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.fr import siren as stdnum_siren

from ..errors import RecouvrementError
from ..messages import Message, message_dict
from ..postal_address import AddressError
from .filters import lignes_adresse, to_date, to_decimal

__all__ = [
    "AGENCY_LATER_KINDS",
    "KINDS",
    "KIND_LABELS",
    "L111_8_TEXT",
    "MissingMentionsError",
    "check_mentions",
    "consumer_indemnity",
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
    "controller": "qui traite les données",
    "purpose": "pourquoi les données sont traitées",
    "basis": "la base légale du traitement",
    "retention": "combien de temps les données sont conservées",
    "rights_contact": "où exercer ses droits",
}
"""The GDPR texts a letter gives (RGPD art. 13), by key of ``gdpr``."""

FEE_KEYS = ("fees", "collection_fees")
"""Keys of ``totals`` (or of the context) that would charge collection fees."""

KIND_LABELS = {
    "relance_courtoise": "relance courtoise",
    "relance_ferme": "relance ferme",
    "derniere_relance": "dernière relance",
    "mise_en_demeure": "mise en demeure",
    "releve_de_compte": "relevé de compte",
    "relance_mandataire": "relance par mandataire",
}
"""Each kind of letter, named in French."""

PARTIES = {"creditor": "du créancier", "debtor": "du débiteur", "collector": "du mandataire"}
"""Each party of a letter, as the complement of a French noun ("forme juridique du …")."""

SIREN_ERRORS = {
    InvalidChecksum: "clé de contrôle erronée",
    InvalidLength: "9 chiffres attendus",
    InvalidFormat: "9 chiffres attendus",
}


def of(who: str) -> str:
    """The party as a complement: "du créancier"; any other name as given."""
    return PARTIES.get(who, who)


class MissingMentionsError(RecouvrementError):
    """A letter lacks mandatory mentions or charges what the law forbids.

    ``missing`` lists every problem as a :class:`~recouvrement.messages.Message`, a short
    French item with its own code ("forme juridique du créancier (creditor.legal_form)",
    code ``mention_missing``); ``kind`` is the kind of letter. The message lists them all,
    on one line; its code is ``missing_mentions`` and its parameters give the document,
    the count, the problems' codes (``problems``) and each problem in full (``details``).
    """

    code = "missing_mentions"

    def __init__(self, kind: str | None, missing: list[str], what: str | None = None):
        self.kind = kind
        self.missing = list(missing)
        if what is None:
            what = f"la {KIND_LABELS[kind]}" if kind in KIND_LABELS else "la lettre"
        count = len(self.missing)
        mentions = (
            "1 mention obligatoire manque ou est invalide"
            if count == 1
            else f"{count} mentions obligatoires manquent ou sont invalides"
        )
        text = f"impossible de produire {what} : {mentions} : " + " ; ".join(self.missing)
        super().__init__(
            Message(
                self.code,
                text,
                {
                    "kind": kind,
                    "document": what,
                    "count": count,
                    "problems": [message_dict(item)["code"] for item in self.missing],
                    "details": [message_dict(item) for item in self.missing],
                },
            )
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


def missing(label: str, key: str | None = None) -> Message:
    """A missing mention: its French name, then the context key for the template author."""
    if key is None:
        return Message.build("mention_missing", "{label}", label=label)
    return Message.build("mention_missing", "{label} ({key})", label=label, key=key)


class MentionChecker:
    """Collects problems in order; each check adds a :class:`Message` when it fails.

    A check names the mention in French (``label``) and, for the template author, the
    context key it reads (``key``), printed in parentheses.
    """

    def __init__(self) -> None:
        self.missing: list[Message] = []

    def add(self, problem: Message | str, template: str | None = None, **params: Any) -> None:
        """Add a :class:`Message`, or build one from its code, French template and params."""
        if isinstance(problem, Message):
            item = problem
        elif template is None:
            raise TypeError(f"a mention problem needs its code and French text: {problem!r}")
        else:
            item = Message.build(problem, template, **params)
        if item not in self.missing:
            self.missing.append(item)

    def text(self, value: Any, label: str, key: str | None = None) -> bool:
        if _blank(value):
            self.add(missing(label, key))
            return False
        return True

    def choice(self, value: Any, label: str, key: str, choices: tuple[str, ...]) -> None:
        if not self.text(value, label, key) or value in choices:
            return
        self.add(
            "mention_unknown_value",
            "{label} ({key}) : « {value} » inconnu, attendu {choices}",
            label=label,
            key=key,
            value=value,
            choices=" ou ".join((", ".join(choices[:-1]), choices[-1])),
        )

    def date(self, value: Any, label: str, key: str | None = None) -> bool:
        if not self.text(value, label, key):
            return False
        try:
            to_date(value)
        except (TypeError, ValueError):
            self.add(
                "mention_not_a_date",
                "{label} ({key}) : « {value} » n'est pas une date (AAAA-MM-JJ)",
                label=label,
                key=key or "",
                value=value,
            )
            return False
        return True

    def amount(self, value: Any, label: str, key: str | None = None) -> Decimal | None:
        if not self.text(value, label, key):
            return None
        try:
            return to_decimal(value)
        except (TypeError, ValueError):
            self.add(
                "mention_not_an_amount",
                "{label} ({key}) : « {value} » n'est pas un montant (1234.56)",
                label=label,
                key=key or "",
                value=value,
            )
            return None

    def siren(self, value: Any, who: str, required: bool = True) -> None:
        if _blank(value):
            if required:
                self.add(missing(f"SIREN {of(who)}", f"{who}.siren"))
            return
        try:
            stdnum_siren.validate(str(value))
        except ValidationError as exc:
            self.add(
                "siren_invalid",
                "SIREN {of_party} ({key}) invalide : « {value} », {reason}",
                of_party=of(who),
                key=f"{who}.siren",
                value=value,
                reason=SIREN_ERRORS.get(type(exc), "numéro invalide"),
            )

    def address(self, address: Any, who: str) -> None:
        if not isinstance(address, Mapping):
            self.add(missing(f"adresse {of(who)}", f"{who}.address"))
            return
        for field, label in (("street", "rue"), ("zip", "code postal"), ("city", "ville")):
            self.text(
                _get(address, field), f"adresse {of(who)} : {label}", f"{who}.address.{field}"
            )

    def invoice(self, invoice: Mapping[str, Any], label: str) -> None:
        """An invoice of the debt: number, date, amount and balance."""
        self.text(invoice.get("number"), f"{label} : numéro", "invoice.number")
        self.date(invoice.get("date"), f"{label} : date", "invoice.date")
        self.amount(invoice.get("amount"), f"{label} : montant", "invoice.amount")
        self.amount(invoice.get("balance"), f"{label} : solde", "invoice.balance")

    def postal_address(self, party: Any, who: str) -> None:
        """The address block must fit NF Z10-011 (six lines of 38 characters at most)."""
        if not isinstance(party, Mapping) or not isinstance(party.get("address"), Mapping):
            return
        try:
            lignes_adresse(party)
        except AddressError as error:
            self.add(
                "postal_address_invalid",
                "adresse postale {of_party} ({key}) : {error}",
                of_party=of(who),
                key=f"{who}.address",
                error=error,
            )

    def registration(self, party: Any, who: str) -> None:
        """RCS with the registry's city, legal form and share capital (R123-237, R123-238)."""
        if not isinstance(party, Mapping) or party.get("is_company") is False:
            return
        form = str(party.get("legal_form") or "").strip().upper()
        if form not in OUTSIDE_RCS:
            self.text(party.get("rcs_city"), f"ville du greffe du RCS {of(who)}", f"{who}.rcs_city")
        if form and form not in WITHOUT_SHARE_CAPITAL:
            key = f"{who}.share_capital"
            capital = self.amount(party.get("share_capital"), f"capital social {of(who)}", key)
            if capital is not None and capital <= 0:
                self.add(
                    "share_capital_not_positive",
                    "capital social {of_party} ({key}) : doit être positif, et non {value}",
                    of_party=of(who),
                    key=key,
                    value=capital,
                )

    def company(self, party: Any, who: str, *, identity: bool = True) -> None:
        """Name and address; with ``identity``, legal form and a valid SIREN too."""
        self.text(_get(party, "name"), f"nom {of(who)}", f"{who}.name")
        if identity:
            self.text(_get(party, "legal_form"), f"forme juridique {of(who)}", f"{who}.legal_form")
            self.siren(_get(party, "siren"), who)
        elif isinstance(party, Mapping):
            self.siren(party.get("siren"), who, required=False)
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
        c.add(
            missing(
                "informations RGPD",
                "gdpr : controller, purpose, basis, retention, rights_contact",
            )
        )
        return
    for key, label in GDPR_KEYS.items():
        c.text(gdpr.get(key), f"RGPD : {label}", f"gdpr.{key}")
    if agency:
        c.text(gdpr.get("source"), "RGPD art. 14 : d'où viennent les données", "gdpr.source")


def consumer_indemnity(value: Any) -> Message:
    """The 40 € charged to a consumer: C. com. D441-5 applies between businesses only."""
    return Message.build(
        "b2c_indemnity",
        "B2C : aucune indemnité de 40 € ne peut être réclamée à un consommateur "
        "(totals.indemnity = {value})",
        value=value,
    )


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
    c.choice(kind, "type de lettre", "kind", KINDS)
    regime = context.get("regime")
    c.choice(regime, "régime", "regime", REGIMES)
    agency = is_agency(context)
    formal = kind == "mise_en_demeure"
    statement = kind == "releve_de_compte"

    c.date(context.get("date"), "date de la lettre", "date")
    c.text(context.get("reference"), "référence de la lettre", "reference")

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

    if agency:
        _check_agency(c, context, kind)
    elif context.get("first_letter"):
        _check_first_letter(c, context["first_letter"])

    _check_debt(c, context, statement)
    c.text(context.get("legal_basis"), "fondement juridique de la créance", "legal_basis")
    _check_totals(c, context, regime, statement)

    if needs_gdpr(context):
        _check_gdpr(c, context, agency)
    if formal:
        _check_formal(c, context, regime)
    if formal or agency:
        c.text(_get(context.get("signatory"), "name"), "nom du signataire", "signatory.name")

    _check_charges(c, context, regime, agency)

    if c.missing:
        raise MissingMentionsError(kind if kind in KINDS else None, c.missing)


def _check_agency(c: MentionChecker, context: Mapping[str, Any], kind: Any) -> None:
    """A third party collecting (CPCE R124-4)."""
    collector = context.get("collector")
    if not collector:
        c.add(
            missing("mandataire qui recouvre : nom, forme juridique, SIREN, adresse", "collector")
        )
    else:
        c.company(collector, "collector")
        c.registration(collector, "collector")
    text = context.get("l111_8_text")
    if _blank(text):
        c.add(missing("texte de l'article L111-8 CPCE, alinéas 2 et 3", "l111_8_text"))
    elif str(text).replace("\r\n", "\n").strip() != L111_8_TEXT:
        c.add(
            "l111_8_not_verbatim",
            "texte de l'article L111-8 CPCE (l111_8_text) : il doit être reproduit mot pour "
            "mot (L111_8_TEXT)",
        )
    first = context.get("first_letter")
    if first or kind in AGENCY_LATER_KINDS:
        _check_first_letter(c, first)


def _check_first_letter(c: MentionChecker, first: Any) -> None:
    c.text(_get(first, "reference"), "référence de la première lettre", "first_letter.reference")
    c.date(_get(first, "date"), "date de la première lettre", "first_letter.date")


def _check_debt(c: MentionChecker, context: Mapping[str, Any], statement: bool) -> None:
    """The debt: invoices, or the lines of a statement of account."""
    invoices = context.get("invoices") or []
    movements = context.get("movements") or []
    if not invoices and not (statement and movements):
        c.add(missing("au moins une facture", "invoices"))
    for index, invoice in enumerate(invoices, start=1):
        label = f"facture {index}"
        if isinstance(invoice, Mapping) and not _blank(invoice.get("number")):
            label = f"facture {index} ({invoice['number']})"
        if not isinstance(invoice, Mapping):
            c.add(missing(f"{label} : numéro, date, montant et solde", "invoices"))
            continue
        c.invoice(invoice, label)
    if statement:
        for index, line in enumerate(movements, start=1):
            label = f"ligne {index} du relevé"
            c.date(_get(line, "date"), f"{label} : date", "movement.date")
            c.text(_get(line, "label"), f"{label} : libellé", "movement.label")
            if _blank(_get(line, "debit")) and _blank(_get(line, "credit")):
                c.add(missing(f"{label} : débit ou crédit", "movement.debit, movement.credit"))


def _check_totals(
    c: MentionChecker, context: Mapping[str, Any], regime: Any, statement: bool
) -> None:
    totals = context.get("totals")
    c.amount(_get(totals, "principal"), "principal", "totals.principal")
    c.amount(_get(totals, "total"), "total dû", "totals.total")
    if statement:
        return
    c.amount(_get(totals, "interest"), "intérêts ou pénalités", "totals.interest")
    if regime in ("b2b", "public"):
        c.amount(
            _get(totals, "indemnity"),
            "total des indemnités forfaitaires de recouvrement",
            "totals.indemnity",
        )
    c.text(context.get("payment_methods"), "moyens de paiement", "payment_methods")


def _check_formal(c: MentionChecker, context: Mapping[str, Any], regime: Any) -> None:
    """A mise en demeure: channel, deadline, breakdown, next step."""
    c.choice(
        context.get("registered_channel"),
        "mode d'envoi recommandé",
        "registered_channel",
        REGISTERED_CHANNELS,
    )
    _check_deadline(c, context)
    c.text(context.get("next_step"), "suite donnée à défaut de paiement", "next_step")

    totals = context.get("totals")
    decompte = context.get("decompte")
    if not isinstance(decompte, Mapping):
        c.add(missing("décompte", "decompte : as_of, method, periods"))
        decompte = {}
    else:
        c.date(decompte.get("as_of"), "date du décompte", "decompte.as_of")
        c.text(decompte.get("method"), "méthode du décompte", "decompte.method")
    if decompte.get("provisional") or any(
        isinstance(p, Mapping) and p.get("provisional") for p in decompte.get("periods") or ()
    ):
        c.add(
            "provisional_rates",
            "décompte (decompte.provisional) : calculé sur un taux provisoire, une mise en "
            "demeure demande des taux publiés",
        )
    if regime != "b2c":
        # Penalties run from the day after the due date (L441-10): show each period.
        periods = decompte.get("periods") or []
        if not periods and decompte:
            c.add(missing("périodes du décompte", "decompte.periods"))
        for index, period in enumerate(periods, start=1):
            _check_period(c, period, f"période {index} du décompte")
        c.amount(_get(totals, "daily_amount"), "montant par jour de retard", "totals.daily_amount")


PERIOD_FIELDS = {
    "invoice": ("facture", "text"),
    "start": ("début", "date"),
    "end": ("fin", "date"),
    "days": ("jours", "text"),
    "balance": ("solde", "amount"),
    "rate": ("taux", "amount"),
    "amount": ("montant", "amount"),
}
"""What each period of a mise en demeure's breakdown shows: key → (French name, check)."""


def _check_period(c: MentionChecker, period: Any, label: str) -> None:
    if not isinstance(period, Mapping):
        c.add(missing(label, "decompte.periods"))
        return
    for key, (name, check) in PERIOD_FIELDS.items():
        getattr(c, check)(period.get(key), f"{label} : {name}", f"period.{key}")


def _check_deadline(c: MentionChecker, context: Mapping[str, Any]) -> None:
    """One deadline, stated one way: a date or a number of days (french-law.md §4 bis)."""
    deadline, days = context.get("deadline"), context.get("deadline_days")
    if _blank(deadline) and _blank(days):
        c.add(missing("délai de paiement", "deadline ou deadline_days"))
    elif not _blank(deadline) and not _blank(days):
        c.add(
            "deadline_twice",
            "délai de paiement : un seul, donné d'une seule façon (deadline ou deadline_days, "
            "pas les deux)",
        )
    elif not _blank(deadline):
        c.date(deadline, "date limite de paiement", "deadline")
    if not _blank(days) and (isinstance(days, bool) or not isinstance(days, int) or days <= 0):
        c.add(
            "deadline_days_invalid",
            "délai de paiement en jours (deadline_days) : un nombre de jours positif, et non "
            "« {value} »",
            value=days,
        )


def _check_charges(
    c: MentionChecker, context: Mapping[str, Any], regime: Any, agency: bool
) -> None:
    """Charges the law forbids: the 40 € and fees from a consumer, fees in agency mode."""
    totals = context.get("totals")
    if regime == "b2c":
        if _nonzero(_get(totals, "indemnity")):
            c.add(consumer_indemnity(_get(totals, "indemnity")))
        charged = [
            str(invoice.get("number") or index)
            for index, invoice in enumerate(context.get("invoices") or [], start=1)
            if isinstance(invoice, Mapping) and _nonzero(invoice.get("indemnity"))
        ]
        if charged:
            c.add(
                "b2c_invoice_indemnity",
                "B2C : aucune indemnité de 40 € ne peut être réclamée à un consommateur "
                "(invoice.indemnity des factures {invoices})",
                invoices=charged,
            )
    if regime == "b2c" or agency:
        debtor = "consumer" if regime == "b2c" else "agency"
        who = "à un consommateur" if regime == "b2c" else "au débiteur par un mandataire"
        for where, source in (("totals", totals), ("context", context)):
            for key in FEE_KEYS:
                if _nonzero(_get(source, key)):
                    c.add(
                        "collection_fees_forbidden",
                        "aucun frais de recouvrement ne peut être réclamé {who} (L111-8 CPCE ; "
                        "{key} = {value})",
                        who=who,
                        debtor=debtor,
                        key=f"{where}.{key}" if where == "totals" else key,
                        value=_get(source, key),
                    )
