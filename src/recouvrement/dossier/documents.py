"""The dossier's own documents: the request, the décompte and the bordereau des pièces.

The request (requête en injonction de payer, CPC 1405 to 1425) mirrors the content of
Cerfa 12946 (tribunal de commerce) and 12948 (tribunal judiciaire): both parties'
identities (a company's legal form, name, registered office, SIREN and legal
representative: CPC 54 and 57), the precise amount with the breakdown of each element
(principal per invoice, interest with its rate and start date per period, the 40 € per
invoice between businesses, no costs for a consumer: CPC 1407), the basis of the claim,
the numbered list of exhibits, the optional CPC 1408 request to go straight to trial if
the debtor objects, the date and the signature. It is the creditor's request: nothing in
it imitates a court or a bailiff's document (Code pénal 433-13).

The two other routes have their own opening document, rendered from the same context:

- PSRPC (CPCE L125-1, R125-1 ff.): the creditor's letter asking a commissaire de justice
  to start the procédure simplifiée de recouvrement des petites créances. It gives both
  parties' identities, the amount with its breakdown, the contractual basis of the claim,
  that it does not exceed 5 000 € in principal and interest (R125-1), the exhibits, and
  asks the commissaire to send the debtor the letter of R125-2 inviting them to agree
  within one month of its sending (L125-1). The addressee is left blank: the case file
  does not name the commissaire, whom the creditor chooses in the debtor's district.
- European order for payment (Regulation (EC) No 1896/2006): a document mirroring the
  headings of form A of Annex I (art. 7(1)), filled from the case; what the engine cannot
  know (the court, the code of the nature of the claim, the way court fees are paid) is
  left visibly blank. Only the code lists confirmed against the Regulation are printed
  as codes (the parties, the first grounds of jurisdiction); elsewhere the form's label
  is written out (docs/dossier.md).

Every document is rendered from a DOCX template in ``templates/`` by the sandboxed
:func:`~recouvrement.documents.rendering.render_docx`, after
:func:`check_dossier_mentions` has found nothing missing (one error lists everything).
The context is plain data, like a letter's: amounts as decimal strings, dates as ISO
strings (docs/dossier.md lists its keys).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from ..decompte import Decompte
from ..documents.mentions import (
    MentionChecker,
    MissingMentionsError,
    consumer_indemnity,
    missing,
    of,
)
from ..documents.rendering import render_docx
from ..kinds import Regime
from ..law.late_payment import FLAT_INDEMNITY
from ..law.procedure import PSRPC_LIMIT
from ..ledger import Address, Party, Reminder
from ..letters import legal_basis
from ..serialize import decompte_to_dict, iso, money
from .case import Case, Signatory
from .courts import Court
from .exhibits import Exhibit
from .guards import signs_as_legal_representative
from .procedure_choice import NOT_BOUND_BY_1896_2006, Procedure, ProcedureChoice, country_code

TEMPLATES = (
    "requete_injonction",
    "demande_psrpc",
    "injonction_europeenne",
    "decompte",
    "bordereau",
    "duplicata_facture",
)
INTEREST_LABELS = {
    Regime.B2B: "Pénalités de retard",
    Regime.B2C: "Intérêts au taux légal",
    Regime.PUBLIC: "Intérêts moratoires",
}
DEFAULT_NATURE = (
    "Paiement du prix des biens et services fournis au défendeur et facturés par le "
    "demandeur, restés impayés à leur échéance"
)


class MissingDossierMentions(MissingMentionsError):
    """The dossier lacks mandatory mentions; ``missing`` lists every one."""


def template_path(name: str) -> Path:
    """A template shipped with the dossier package.

    >>> template_path("bordereau").name
    'bordereau.docx'
    """
    if name not in TEMPLATES:
        raise ValueError(f"unknown dossier template {name!r}: use one of {', '.join(TEMPLATES)}")
    return Path(str(resources.files(__package__) / "templates" / f"{name}.docx"))


def rate_basis(regime: Regime, contractual_rate: Decimal | None) -> str:
    """What the interest rate is, in the words of the request."""
    if regime is Regime.B2C:
        return (
            "taux de l'intérêt légal (articles L313-2 et D313-1-A du code monétaire et "
            "financier), à compter de la réception de la mise en demeure (articles 1231-6 et "
            "1344-1 du code civil)"
        )
    if regime is Regime.PUBLIC:
        return "taux des intérêts moratoires (article R2192-31 du code de la commande publique)"
    if contractual_rate is not None:
        return (
            f"taux contractuel de {contractual_rate} % prévu par les conditions générales de "
            "vente (article L441-10 II du code de commerce)"
        )
    return (
        "taux de refinancement de la Banque centrale européenne majoré de 10 points, à "
        "compter du lendemain de l'échéance de chaque facture (article L441-10 II du code de "
        "commerce)"
    )


def interest_nature(regime: Regime, contractual_rate: Decimal | None) -> str:
    """Whether the interest is statutory or contractual, in the words of form A (rubric 7)."""
    if contractual_rate is not None and regime is Regime.B2B:
        return "intérêts conventionnels (taux stipulé par les conditions générales de vente)"
    return "intérêts légaux (taux fixé par la loi)"


def country_context(country: str) -> dict[str, str | None]:
    """A party's country as written (France when blank) and its ISO code, or None outside
    the countries the engine knows.

    >>> country_context("")
    {'name': 'France', 'code': 'FR'}
    >>> country_context("Belgique")
    {'name': 'Belgique', 'code': 'BE'}
    """
    name = (country or "").strip() or "France"
    return {"name": name, "code": country_code(name)}


def party_context(party: Party) -> dict:
    data = asdict(party)
    for key, value in list(data.items()):
        if value == "":
            data[key] = None
    data["address"] = address_context(party.address)
    return data


def address_context(address: Address) -> dict:
    return {key: value or None for key, value in asdict(address).items()}


def dossier_context(
    *,
    case: Case,
    as_of: date,
    reference: str,
    version: int,
    choice: ProcedureChoice,
    procedure: Procedure,
    court: Court | None,
    decompte: Decompte,
    exhibits: Sequence[Exhibit],
    notice: Reminder | None,
) -> dict[str, Any]:
    """The context of the request, the décompte and the bordereau."""
    summary = decompte_to_dict(decompte)
    account = case.account
    by_number = {line["number"]: line for line in summary["invoices"]}
    invoice_exhibits = {e.reference: e.number for e in exhibits if e.kind == "invoice"}
    invoices = []
    for invoice in account.invoices:
        if invoice.number in by_number:
            line = dict(by_number[invoice.number])
            line["date"] = iso(invoice.invoice_date or invoice.due_date)
            line["exhibit"] = invoice_exhibits.get(invoice.number)
            invoices.append(line)
    notice_exhibit = next(
        (
            e.number
            for e in exhibits
            if e.kind == "formal_notice" and notice and e.reference == notice.reference
        ),
        None,
    )
    signatory = case.signatory or Signatory("")
    place = signatory.place or case.creditor.address.city
    indemnities = [line for line in summary["invoices"] if Decimal(line["indemnity"])]
    creditor = party_context(case.creditor)
    return {
        "document": None,  # set per document by render_documents
        "procedure": {
            "code": procedure.value,
            "label": procedure.label,
            "proposed": choice.procedure.value,
            "explanation": choice.explanation,
        },
        "regime": account.regime.value,
        "date": iso(as_of),
        "reference": reference,
        "version": version,
        "court": _court_context(court),
        "creditor": creditor,
        "collector": None,  # the letterhead shared with the letters prints the sender
        "debtor": {**party_context(account.party), "is_company": account.party.is_company},
        "signatory": {
            "name": signatory.name or None,
            "title": signatory.title or None,
            "place": place or None,
            "legal_representative": signs_as_legal_representative(case),
            "power_exhibit": None
            if signs_as_legal_representative(case)
            else _exhibit_number(exhibits, "power_of_attorney"),
        },
        "representative": _representative_context(case, exhibits),
        "nature": case.nature or DEFAULT_NATURE,
        "legal_basis": legal_basis(account.regime, _terms_accepted(case, exhibits)),
        "invoices": invoices,
        "totals": {
            key: summary[key]
            for key in ("principal", "interest", "indemnity", "total", "daily_amount")
        },
        "principal_and_interest": money(decompte.principal + decompte.interest),
        "decompte": {
            "as_of": summary["as_of"],
            "method": summary["method"],
            "periods": summary["periods"],
            "rate_sources": summary["rate_sources"],
            "provisional": summary["provisional"],
        },
        "interest_label": INTEREST_LABELS[account.regime],
        "rate_basis": rate_basis(account.regime, account.contractual_rate),
        "contractual_rate": (
            f"{account.contractual_rate}" if account.contractual_rate is not None else None
        ),
        "indemnity_count": len(indemnities),
        "indemnity_unit": money(FLAT_INDEMNITY),
        "formal_notice": _notice_context(notice, notice_exhibit, exhibits),
        "exhibits": [
            {"number": e.number, "title": e.title, "file_name": e.file_name, "kind": e.kind}
            for e in exhibits
        ],
        "trial_if_opposed": case.flags.trial_if_opposed,
        "countries": {
            "creditor": country_context(case.creditor.address.country),
            "debtor": country_context(account.party.address.country),
        },
        "psrpc_limit": money(PSRPC_LIMIT),
        "interest_nature": interest_nature(account.regime, account.contractual_rate),
    }


def _exhibit_number(exhibits: Sequence[Exhibit], kind: str) -> int | None:
    """The number of the first exhibit of ``kind``, if any."""
    return next((e.number for e in exhibits if e.kind == kind), None)


def _representative_context(case: Case, exhibits: Sequence[Exhibit]) -> dict | None:
    """Who files for the creditor (CPC 1407, 54), and the exhibit of its mandate."""
    representative = case.representative
    if representative is None:
        return None
    return {
        "name": representative.name,
        "capacity": representative.capacity,
        "address": address_context(representative.address),
        "mandate_exhibit": _exhibit_number(exhibits, "mandate"),
    }


def _terms_accepted(case: Case, exhibits: Sequence[Exhibit]) -> bool:
    """The terms of sale are cited as accepted only when they are among the exhibits or
    the invoices refer to them."""
    return case.terms_on_invoices or any(e.kind == "cgv" for e in exhibits)


def _court_context(court: Court | None) -> dict | None:
    if court is None:
        return None
    return {
        "name": court.name,
        "kind": court.kind.value,
        "label": court.kind.label,
        "addressee": court.addressee,
        "address": court.address_line or None,
        "form": court.kind.form,
    }


def _notice_context(
    notice: Reminder | None, exhibit: int | None, exhibits: Sequence[Exhibit]
) -> dict | None:
    """The mise en demeure as the request states it. Its receipt is asserted only when the
    acknowledgment of receipt (avis de réception, or the LRE's acceptance proof) is among
    the exhibits; otherwise the request says when it was sent and first presented."""
    if notice is None:
        return None
    receipt_exhibit = next(
        (
            e.number
            for e in exhibits
            if e.kind == "registered_proof"
            and e.proof == "acknowledgment"
            and e.reference == notice.reference
        ),
        None,
    )
    return {
        "reference": notice.reference,
        "date": iso(notice.day),
        "received_on": iso(notice.received_on) if receipt_exhibit else None,
        "receipt_exhibit": receipt_exhibit if notice.received_on else None,
        "first_presented_on": iso(notice.first_presented_on),
        "registered": notice.channel in ("registered_letter", "lre", "lrar"),
        "electronic": notice.channel == "lre",
        "tracking_number": notice.tracking_number or None,
        "exhibit": exhibit,
    }


def check_dossier_mentions(context: Mapping[str, Any]) -> None:
    """Raise :class:`MissingDossierMentions` listing every mandatory mention the dossier lacks.

    Checked for every dossier: the date and reference; the creditor's name, legal form,
    valid SIREN, registered office and legal representative (CPC 54), its RCS city and
    share capital (C. com. R123-237, R123-238); for a natural person, its profession,
    nationality, date and place of birth instead (CPC 54 2° a); the debtor's name and
    address, and a company debtor's legal form (and its SIREN when given, which must be
    valid); every claimed invoice with its number, date, amount, balance and its PDF among
    the exhibits; principal, interest and total, the 40 € total between businesses, and
    none for a consumer; every interest period with its start, rate, base and amount; the
    rate's basis; no provisional rate; the nature and legal basis of the claim; at least
    one exhibit, and the CGV or contract when a contractual rate is claimed; the
    signatory's name and the place of signature. For an injonction de payer: the court.
    For a PSRPC: a debtor in France, and at most 5 000 € in principal and interest (CPCE
    R125-1). For a European order for payment: the debtor's country, a Member State bound
    by Regulation 1896/2006 other than France (art. 3), and the creditor's country.
    """
    c = MentionChecker()
    regime = context.get("regime")
    c.date(context.get("date"), "date du dossier", "date")
    c.text(context.get("reference"), "référence du dossier", "reference")
    procedure = (context.get("procedure") or {}).get("code")
    if procedure == Procedure.INJONCTION.value:
        c.text((context.get("court") or {}).get("name"), "juridiction saisie", "court.name")

    creditor = context.get("creditor") or {}
    if creditor.get("is_company") is False:
        _check_natural_person(c, creditor)
    else:
        c.company(creditor, "creditor")
        c.registration(creditor, "creditor")
        c.text(
            creditor.get("representative"),
            "représentant légal du créancier",
            "creditor.representative",
        )
    debtor = context.get("debtor") or {}
    company = bool(debtor.get("is_company"))
    c.company(debtor, "debtor", identity=False)
    if company:
        c.text(debtor.get("legal_form"), "forme juridique du débiteur", "debtor.legal_form")

    _check_claimed_invoices(c, context.get("invoices") or [])
    _check_dossier_amounts(c, context, regime)

    c.text(context.get("nature"), "nature de la créance", "nature")
    c.text(context.get("legal_basis"), "fondement juridique de la créance", "legal_basis")
    exhibits = context.get("exhibits") or []
    if not exhibits:
        c.add(missing("au moins une pièce", "exhibits"))
    if context.get("contractual_rate") and not any(
        e.get("kind") in ("cgv", "contract", "quote", "order") for e in exhibits
    ):
        c.add(
            missing(
                "les CGV ou le contrat qui stipulent le taux conventionnel, parmi les pièces",
                "pièce de type cgv",
            )
        )

    signatory = context.get("signatory") or {}
    c.text(signatory.get("name"), "nom du signataire", "signatory.name")
    c.text(signatory.get("place"), "lieu de signature", "signatory.place")
    if procedure == Procedure.PSRPC.value:
        _check_psrpc(c, context)
    elif procedure == Procedure.EUROPEAN.value:
        _check_european(c, context)
    if c.missing:
        label = (context.get("procedure") or {}).get("label") or "dossier"
        raise MissingDossierMentions(None, c.missing, what=f"le dossier ({label})")


def _check_claimed_invoices(c: MentionChecker, invoices: list) -> None:
    """Every claimed invoice: its number, date, amount, balance and PDF among the exhibits."""
    if not invoices:
        c.add(missing("au moins une facture réclamée", "invoices"))
    for index, invoice in enumerate(invoices, start=1):
        label = f"facture {invoice.get('number') or index}"
        c.invoice(invoice, label)
        if not invoice.get("exhibit"):
            c.add(missing(f"{label} : son PDF parmi les pièces", "pièce de type invoice"))


def _check_dossier_amounts(c: MentionChecker, context: Mapping[str, Any], regime: Any) -> None:
    """Principal, interest, total, the 40 € (never from a consumer), each interest period."""
    totals = context.get("totals") or {}
    c.amount(totals.get("principal"), "principal", "totals.principal")
    interest = c.amount(totals.get("interest"), "intérêts", "totals.interest")
    c.amount(totals.get("total"), "total", "totals.total")
    indemnity = c.amount(
        totals.get("indemnity"),
        "total des indemnités forfaitaires de recouvrement",
        "totals.indemnity",
    )
    if regime == "b2c" and indemnity:
        c.add(consumer_indemnity(totals.get("indemnity")))
    decompte = context.get("decompte") or {}
    if decompte.get("provisional"):
        c.add(
            "provisional_rates",
            "décompte (decompte.provisional) : calculé sur un taux provisoire, une requête "
            "demande des taux publiés",
        )
    periods = decompte.get("periods") or []
    if interest and not periods:
        c.add(missing("détail des intérêts", "decompte.periods"))
    for index, period in enumerate(periods, start=1):
        label = f"période d'intérêts {index}"
        c.date(period.get("start"), f"{label} : date de début", "period.start")
        c.date(period.get("end"), f"{label} : date de fin", "period.end")
        c.amount(period.get("rate"), f"{label} : taux", "period.rate")
        c.amount(period.get("balance"), f"{label} : assiette", "period.balance")
        c.amount(period.get("amount"), f"{label} : montant", "period.amount")
    if interest:
        c.text(context.get("rate_basis"), "fondement du taux d'intérêt", "rate_basis")


NATURAL_PERSON_KEYS = {
    "profession": "profession du créancier",
    "nationality": "nationalité du créancier",
    "birth_place": "lieu de naissance du créancier",
}


def _check_natural_person(c: MentionChecker, creditor: Mapping[str, Any]) -> None:
    """A natural person claiming: name, first names, profession, domicile, nationality,
    date and place of birth (CPC 54 2° a)."""
    c.company(creditor, "creditor", identity=False)
    for key, label in NATURAL_PERSON_KEYS.items():
        c.text(creditor.get(key), label, f"creditor.{key}")
    c.date(creditor.get("birth_date"), "date de naissance du créancier", "creditor.birth_date")


def _check_psrpc(c: MentionChecker, context: Mapping[str, Any]) -> None:
    """The PSRPC: a claim of at most 5 000 € in principal and interest, a debtor in France."""
    amount = c.amount(
        context.get("principal_and_interest"), "principal et intérêts", "principal_and_interest"
    )
    if amount is not None and amount > PSRPC_LIMIT:
        c.add(
            "psrpc_over_limit",
            "PSRPC : le principal et les intérêts ({amount} €) dépassent {limit} € (CPCE R125-1)",
            amount=amount,
            limit=PSRPC_LIMIT,
        )
    address = (context.get("debtor") or {}).get("address") or {}
    if country_code(address.get("country") or "") != "FR":
        c.add(
            "psrpc_debtor_abroad",
            "PSRPC : l'adresse du débiteur doit être en France (debtor.address.country = "
            "« {country} » ; un commissaire de justice du ressort du débiteur)",
            country=address.get("country") or "",
        )


def _check_european(c: MentionChecker, context: Mapping[str, Any]) -> None:
    """Form A, rubric 4 (cross-border nature): the countries of both parties."""
    for who in ("debtor", "creditor"):
        address = (context.get(who) or {}).get("address") or {}
        country = address.get("country")
        key = f"{who}.address.country"
        label = f"pays {of(who)}, pour la rubrique 4 du formulaire A"
        if who == "debtor" and not c.text(country, label, key):
            continue
        code = country_code(country or "")
        if code is None:
            c.add(
                "country_not_in_eu",
                "{label} ({key}) : « {country} » n'est pas un État membre de l'UE connu",
                label=label,
                key=key,
                country=country or "",
            )
        elif who == "debtor" and (code == "FR" or code in NOT_BOUND_BY_1896_2006):
            c.add(
                "country_not_bound_by_1896_2006",
                "{label} ({key}) : « {country} » n'est pas un autre État membre lié par le "
                "règlement 1896/2006 (art. 2, § 3, et art. 3)",
                label=label,
                key=key,
                country=country,
            )


DOCUMENTS = {
    "request": (
        "requete_injonction",
        "Requête en injonction de payer",
        "requete-injonction-de-payer",
    ),
    "psrpc_request": (
        "demande_psrpc",
        "Demande de procédure simplifiée de recouvrement des petites créances",
        "demande-procedure-simplifiee",
    ),
    "european_form": (
        "injonction_europeenne",
        "Demande d'injonction de payer européenne (formulaire A)",
        "demande-injonction-de-payer-europeenne",
    ),
    "decompte": ("decompte", "Décompte des sommes dues", "decompte"),
    "bordereau": ("bordereau", "Bordereau des pièces", "bordereau-des-pieces"),
}
"""role → (template, title, file stem)."""


OPENING_DOCUMENTS = {
    Procedure.INJONCTION: "request",
    Procedure.PSRPC: "psrpc_request",
    Procedure.EUROPEAN: "european_form",
}
"""The document that opens each procedure, by role."""


def document_roles(procedure: Procedure) -> tuple[str, ...]:
    """The documents of a dossier: the procedure's opening document, the décompte and the
    bordereau.

    >>> document_roles(Procedure.PSRPC)
    ('psrpc_request', 'decompte', 'bordereau')
    """
    return (OPENING_DOCUMENTS[procedure], "decompte", "bordereau")


def render_documents(context: Mapping[str, Any], procedure: Procedure) -> dict[str, bytes]:
    """Check the mentions, then render each document of the dossier to DOCX, by role."""
    check_dossier_mentions(context)
    rendered = {}
    for role in document_roles(procedure):
        template, title, _ = DOCUMENTS[role]
        rendered[role] = render_docx(
            template_path(template), {**context, "document": title}, name=f"{template}.docx"
        )
    return rendered
