"""A case: one debtor handed over to the judicial phase, read from a JSON file.

The case file reuses the ledger's format (:func:`~recouvrement.ledger.party_from_dict`
for the creditor, :func:`~recouvrement.ledger.account_from_dict` for the debtor, its
invoices and its reminder history) and adds what a court dossier needs: the signatory,
the nature of the claim, the exhibits (PDF files, paths relative to the case file), an
optional court or court list, the route asked for, flags and guard overrides. The format
is documented in docs/dossier.md; a complete example is tests/dossier/data/case.json.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from ..delivery.model import ProofKind
from ..errors import InvalidClaim
from ..ledger import Account, Address, Ledger, Party, account_from_dict, party_from_dict
from .courts import Court, CourtKind
from .errors import CaseFileError
from .procedure_choice import Procedure

FORMAT = "recouvrement-case/1"

EXHIBIT_KINDS = (
    "cgv",
    "contract",
    "quote",
    "order",
    "delivery",
    "invoice",
    "reminder",
    "formal_notice",
    "registered_proof",
    "statement",
    "power_of_attorney",
    "mandate",
    "other",
)
"""Kinds of exhibits, in the order the bordereau lists them (contract, quote and order
share a rank; a registered-letter proof follows the letter it proves; the signatory's
power of attorney and a representative's mandate come with the other documents)."""

PROOF_KINDS = tuple(kind.value for kind in ProofKind)
"""What a ``registered_proof`` exhibit proves (``proof``): the deposit, the first
presentation, the acknowledgment of receipt (avis de réception signed, or the LRE
accepted), a refusal, an unclaimed letter or an undelivered one."""

CASE_KEYS = {
    "format",
    "reference",
    "as_of",
    "creditor",
    "signatory",
    "debtor",
    "claim",
    "exhibits",
    "court",
    "courts_file",
    "procedure",
    "flags",
    "overrides",
    "gdpr",
    "terms_on_invoices",
    "representative",
}
FLAG_KEYS = {
    "insolvency",
    "insolvency_note",
    "consumer_credit",
    "housing_lease",
    "debtor_is_trader",
    "trial_if_opposed",
}
EXHIBIT_KEYS = {"kind", "file", "title", "invoice", "reference", "date", "proof"}
REPRESENTATIVE_KEYS = {"name", "capacity", "address"}


@dataclass(frozen=True)
class Signatory:
    """Who signs the request for the creditor, in which capacity (``title``), and where."""

    name: str
    title: str = ""
    place: str = ""


@dataclass(frozen=True)
class Representative:
    """Who files on the creditor's behalf (CPC 1407, 54): a collection agency, a lawyer."""

    name: str
    capacity: str  # "société de recouvrement mandataire", "avocat au barreau de Lyon"
    address: Address


@dataclass(frozen=True)
class CaseFlags:
    insolvency: bool = False  # the debtor is under sauvegarde, redressement or liquidation
    insolvency_note: str = ""  # e.g. the BODACC reference
    consumer_credit: bool = False  # juge des contentieux de la protection
    housing_lease: bool = False  # juge des contentieux de la protection
    debtor_is_trader: bool | None = None  # None: deduced from the legal form, or asked
    trial_if_opposed: bool = True  # CPC 1408: straight to trial if the debtor objects


@dataclass(frozen=True)
class ExhibitFile:
    """A PDF the user supplies: an invoice, the CGV, a registered-letter proof, …"""

    kind: str
    pdf: bytes
    origin: str  # the path as the case file gives it, or what produced it
    title: str = ""
    invoice: str = ""  # the invoice it belongs to (invoice, delivery)
    reference: str = ""  # the letter it belongs to (reminder, formal_notice, registered_proof)
    day: date | None = None
    proof: str = ""  # for a registered_proof: a ProofKind value (deposit, acknowledgment, …)
    generated: bool = False  # rendered by the engine rather than supplied by the user


@dataclass(frozen=True)
class Case:
    creditor: Party
    account: Account
    as_of: date | None = None
    reference: str = ""
    signatory: Signatory | None = None
    representative: Representative | None = None  # who files for the creditor, if anyone
    nature: str = ""  # what the invoices were for: "Fourniture de pièces détachées…"
    invoices: tuple[str, ...] = ()  # the invoices claimed; empty: every one with a balance
    exhibits: tuple[ExhibitFile, ...] = ()
    court: Court | None = None
    courts_file: Path | None = None
    procedure: Procedure | None = None
    flags: CaseFlags = field(default_factory=CaseFlags)
    overrides: Mapping[str, str] = field(default_factory=dict)
    gdpr: Mapping[str, str] = field(default_factory=dict)  # the company's GDPR information
    terms_on_invoices: bool = False  # the invoices refer to the creditor's terms of sale
    origin: str = "<case>"

    @property
    def debtor(self) -> Party:
        return self.account.party

    def ledger(self, as_of: date) -> Ledger:
        """A one-debtor ledger, for the letter pipeline."""
        signatory = {}
        if self.signatory:
            signatory = {"name": self.signatory.name, "title": self.signatory.title or None}
        return Ledger(
            as_of,
            self.creditor,
            (self.account,),
            signatory,
            gdpr=dict(self.gdpr),
            terms_on_invoices=self.terms_on_invoices,
        )


def load_case(path: Path | str) -> Case:
    """Read a case file; exhibit paths are relative to its folder."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CaseFileError(f"{path}: cannot read the case file: {error}") from None
    except ValueError as error:
        raise CaseFileError(f"{path}: not valid JSON: {error}") from None
    return case_from_dict(data, path.parent, origin=str(path))


def case_from_dict(data: Any, base: Path | str = ".", *, origin: str = "<case>") -> Case:
    """Build a case from parsed JSON; ``base`` is the folder exhibit paths start from."""
    if not isinstance(data, dict):
        raise CaseFileError(f"{origin}: the case must be a JSON object")
    unknown = sorted(set(data) - CASE_KEYS)
    if unknown:
        raise CaseFileError(f"{origin}: unknown keys {', '.join(unknown)}")
    if data.get("format", FORMAT) != FORMAT:
        raise CaseFileError(f"{origin}: format {data['format']!r} is not {FORMAT!r}")
    base = Path(base)
    try:
        creditor = party_from_dict(_object(data, "creditor", origin))
        account = account_from_dict(_object(data, "debtor", origin))
    except KeyError as missing:
        raise CaseFileError(f"{origin}: missing key {missing.args[0]!r}") from None
    except TypeError as error:
        raise CaseFileError(f"{origin}: unexpected field in a party or invoice: {error}") from None
    except InvalidClaim as error:
        raise CaseFileError(f"{origin}: {error}") from None
    claim = data.get("claim") or {}
    if not isinstance(claim, dict):
        raise CaseFileError(f"{origin}: claim must be an object")
    return Case(
        creditor=creditor,
        account=account,
        as_of=_date(data.get("as_of"), "as_of", origin),
        reference=str(data.get("reference") or ""),
        signatory=_signatory(data.get("signatory"), origin),
        representative=_representative(data.get("representative"), origin),
        nature=str(claim.get("nature") or ""),
        invoices=tuple(str(number) for number in claim.get("invoices") or ()),
        exhibits=tuple(
            _exhibit(entry, base, f"{origin}: exhibits[{index}]")
            for index, entry in enumerate(data.get("exhibits") or ())
        ),
        court=_court(data.get("court"), origin),
        courts_file=(base / data["courts_file"]) if data.get("courts_file") else None,
        procedure=Procedure.parse(data["procedure"]) if data.get("procedure") else None,
        flags=_flags(data.get("flags") or {}, origin),
        overrides={str(key): str(value) for key, value in (data.get("overrides") or {}).items()},
        gdpr={str(key): str(value) for key, value in (data.get("gdpr") or {}).items()},
        terms_on_invoices=bool(data.get("terms_on_invoices", False)),
        origin=origin,
    )


def _object(data: dict, key: str, origin: str) -> dict:
    value = data.get(key)
    if not isinstance(value, dict):
        raise CaseFileError(f"{origin}: {key} must be an object (see docs/dossier.md)")
    return value


def _date(text: Any, key: str, origin: str) -> date | None:
    if text in (None, ""):
        return None
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise CaseFileError(f"{origin}: {key}: {text!r} is not a date (YYYY-MM-DD)") from None


def _signatory(data: Any, origin: str) -> Signatory | None:
    if data is None:
        return None
    if not isinstance(data, dict) or not data.get("name"):
        raise CaseFileError(f"{origin}: signatory needs at least a name")
    return Signatory(str(data["name"]), str(data.get("title") or ""), str(data.get("place") or ""))


def _representative(data: Any, origin: str) -> Representative | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise CaseFileError(f"{origin}: representative must be an object (name, capacity, address)")
    unknown = sorted(set(data) - REPRESENTATIVE_KEYS)
    if unknown:
        raise CaseFileError(f"{origin}: representative: unknown keys {', '.join(unknown)}")
    missing = [key for key in ("name", "capacity", "address") if not data.get(key)]
    if missing:
        raise CaseFileError(f"{origin}: representative needs {', '.join(missing)}")
    try:
        address = Address(**data["address"])
    except (TypeError, AttributeError) as error:
        raise CaseFileError(f"{origin}: representative.address: {error}") from None
    return Representative(str(data["name"]), str(data["capacity"]), address)


def _court(data: Any, origin: str) -> Court | None:
    if data is None:
        return None
    if not isinstance(data, dict) or not data.get("name") or not data.get("kind"):
        raise CaseFileError(f"{origin}: court needs a kind and a name")
    try:
        kind = CourtKind(data["kind"])
    except ValueError:
        known = ", ".join(kind.value for kind in CourtKind)
        raise CaseFileError(f"{origin}: court kind {data['kind']!r}: use {known}") from None
    return Court(
        kind,
        str(data["name"]),
        str(data.get("street") or ""),
        str(data.get("zip") or ""),
        str(data.get("city") or ""),
        str(data.get("source") or "named in the case file"),
        matched=f"case file {origin}",
    )


def _flags(data: Any, origin: str) -> CaseFlags:
    if not isinstance(data, dict):
        raise CaseFileError(f"{origin}: flags must be an object")
    unknown = sorted(set(data) - FLAG_KEYS)
    if unknown:
        raise CaseFileError(f"{origin}: unknown flags {', '.join(unknown)}")
    for key, value in data.items():
        if key == "insolvency_note":
            expected, valid = "text", isinstance(value, str)
        elif key == "debtor_is_trader":
            expected, valid = "true, false or null", value is None or isinstance(value, bool)
        else:
            expected, valid = "true or false", isinstance(value, bool)
        if not valid:
            raise CaseFileError(f"{origin}: flags.{key} must be {expected}, not {value!r}")
    return CaseFlags(**data)


def _exhibit(entry: Any, base: Path, where: str) -> ExhibitFile:
    if not isinstance(entry, dict):
        raise CaseFileError(f"{where}: an exhibit must be an object")
    unknown = sorted(set(entry) - EXHIBIT_KEYS)
    if unknown:
        raise CaseFileError(f"{where}: unknown keys {', '.join(unknown)}")
    kind = entry.get("kind")
    if kind not in EXHIBIT_KINDS:
        raise CaseFileError(f"{where}: kind {kind!r}: use one of {', '.join(EXHIBIT_KINDS)}")
    if not entry.get("file"):
        raise CaseFileError(f"{where}: the PDF file is missing (file)")
    if kind == "other" and not entry.get("title"):
        raise CaseFileError(f"{where}: an exhibit of kind 'other' needs a title")
    if kind == "invoice" and not entry.get("invoice"):
        raise CaseFileError(f"{where}: an invoice exhibit names its invoice (invoice)")
    if kind in ("reminder", "formal_notice", "registered_proof") and not entry.get("reference"):
        raise CaseFileError(f"{where}: a {kind} exhibit names its letter's reference (reference)")
    if entry.get("proof") and (kind != "registered_proof" or entry["proof"] not in PROOF_KINDS):
        raise CaseFileError(
            f"{where}: proof {entry['proof']!r} is for a registered_proof exhibit, one of "
            f"{', '.join(PROOF_KINDS)}"
        )
    path = base / entry["file"]
    try:
        pdf = path.read_bytes()
    except OSError as error:
        raise CaseFileError(f"{where}: cannot read {path}: {error.strerror}") from None
    check_pdf(pdf, f"{where} ({entry['file']})")
    return ExhibitFile(
        kind=kind,
        pdf=pdf,
        origin=str(entry["file"]),
        title=str(entry.get("title") or ""),
        invoice=str(entry.get("invoice") or ""),
        reference=str(entry.get("reference") or ""),
        day=_date(entry.get("date"), "date", where),
        proof=str(entry.get("proof") or ""),
    )


def check_pdf(pdf: bytes, where: str) -> int:
    """The page count of a PDF; :class:`CaseFileError` if it is unreadable or has no page."""
    try:
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
    except (PyPdfError, ValueError, OSError) as error:
        raise CaseFileError(f"{where}: not a readable PDF ({error})") from None
    if not pages:
        raise CaseFileError(f"{where}: the PDF has no page")
    return pages
