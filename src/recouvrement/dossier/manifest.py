"""``manifest.xml``: the reference of a dossier export, built with lxml, checked by an XSD.

The manifest lists every other file of the ZIP (path, role, SHA-256, size; an exhibit's
number, kind and title), the parties, the procedure and court, the amounts, the dossier's
version and date, and each guard the user lifted with their reason. Its last element is
the SHA-256 of its own canonical form (C14N, without that element and without the
whitespace between elements), so that editing the manifest is detected like editing any
other file. The schema ships as ``data/dossier-manifest.xsd``.

Hashes detect accidental and naive changes; they do not prove who made the dossier (that
would take an electronic signature).
"""

from __future__ import annotations

import copy
import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources

from lxml import etree

from .. import __version__
from ..decompte import Decompte
from ..ledger import Party
from ..serialize import money
from .courts import Court
from .guards import Override

NAMESPACE = "urn:recouvrement:dossier-manifest:1"
MANIFEST_NAME = "manifest.xml"
SCHEMA = "dossier/data/dossier-manifest.xsd"
INTEGRITY_ALGORITHM = "sha256-c14n"
EUROPEAN_FORM = "formulaire A, règlement (CE) n° 1896/2006"
_NS = f"{{{NAMESPACE}}}"


@dataclass(frozen=True)
class ManifestFile:
    """One file of the dossier as the manifest lists it."""

    path: str
    role: str  # request, psrpc_request, european_form, decompte, bordereau, exhibit, merged, data
    media_type: str
    data: bytes
    title: str
    exhibit: int | None = None
    kind: str = ""
    source: str = ""  # exhibits: file or generated
    origin: str = ""
    pages: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class ManifestData:
    reference: str
    version: int
    created: date
    procedure: str
    proposed: str
    procedure_label: str
    explanation: str
    court: Court | None
    creditor: Party
    debtor: Party
    debtor_key: str
    regime: str
    signatory: dict
    decompte: Decompte
    overrides: tuple[Override, ...]
    warnings: tuple[str, ...]


def _element(parent, tag: str, text: str | None = None, **attributes):
    element = etree.SubElement(parent, _NS + tag, {k: v for k, v in attributes.items() if v})
    if text is not None:
        element.text = text
    return element


def _optional(parent, tag: str, text: str | None) -> None:
    if text:
        _element(parent, tag, text)


def _party(parent, tag: str, party: Party, **attributes):
    element = _element(parent, tag, **attributes)
    _element(element, "name", party.name)
    _optional(element, "legalForm", party.legal_form)
    _optional(element, "siren", party.siren.replace(" ", "") if party.siren else "")
    _optional(element, "representative", party.representative)
    address = _element(element, "address")
    _element(address, "street", party.address.street)
    _optional(address, "street2", party.address.street2)
    _element(address, "zip", party.address.zip)
    _element(address, "city", party.address.city)
    _element(address, "country", party.address.country or "France")
    return element


def build_manifest(data: ManifestData, files: Sequence[ManifestFile]) -> bytes:
    """The manifest's bytes (UTF-8, indented), valid against the shipped XSD."""
    root = etree.Element(
        _NS + "dossier",
        {
            "format": "1",
            "reference": data.reference,
            "version": str(data.version),
            "created": data.created.isoformat(),
            "generator": f"recouvrement {__version__}",
        },
        nsmap={None: NAMESPACE},
    )
    form = ""
    if data.procedure == "injonction_de_payer" and data.court:
        form = data.court.kind.form
    elif data.procedure == "injonction_europeenne":
        form = EUROPEAN_FORM
    procedure = _element(root, "procedure", code=data.procedure, proposed=data.proposed, form=form)
    _element(procedure, "label", data.procedure_label)
    _element(procedure, "explanation", data.explanation)
    if data.court is not None:
        court = _element(root, "court", kind=data.court.kind.value)
        _element(court, "name", data.court.name)
        _optional(court, "address", data.court.address_line)
        _optional(court, "source", data.court.source)
        _optional(court, "matched", data.court.matched)
    _party(root, "creditor", data.creditor)
    _party(
        root,
        "debtor",
        data.debtor,
        key=data.debtor_key,
        regime=data.regime,
        company="true" if data.debtor.is_company else "false",
    )
    signatory = _element(root, "signatory")
    _element(signatory, "name", data.signatory["name"])
    _optional(signatory, "title", data.signatory.get("title"))
    _element(signatory, "place", data.signatory["place"])
    _amounts(root, data.decompte)
    if data.overrides:
        overrides = _element(root, "overrides")
        for item in data.overrides:
            override = _element(overrides, "override", guard=item.guard)
            _element(override, "reason", item.reason)
            _element(override, "refusal", item.message)
    if data.warnings:
        warnings = _element(root, "warnings")
        for warning in data.warnings:
            _element(warnings, "warning", warning)
    listing = _element(root, "files")
    for item in files:
        entry = _element(
            listing,
            "file",
            path=item.path,
            role=item.role,
            mediaType=item.media_type,
            size=str(len(item.data)),
            sha256=item.sha256,
            exhibit=str(item.exhibit) if item.exhibit else None,
            kind=item.kind,
            source=item.source,
            pages=str(item.pages) if item.pages else None,
        )
        _element(entry, "title", item.title)
        _optional(entry, "origin", item.origin)
    _element(root, "integrity", manifest_digest(root), algorithm=INTEGRITY_ALGORITHM)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _amounts(root, decompte: Decompte) -> None:
    amounts = _element(
        root, "amounts", asOf=decompte.as_of.isoformat(), currency="EUR", method=decompte.method
    )
    _element(amounts, "principal", money(decompte.principal))
    _element(amounts, "interest", money(decompte.interest))
    _element(amounts, "indemnity", money(decompte.indemnity))
    _element(amounts, "total", money(decompte.total))
    for invoice in decompte.invoices:
        _element(
            amounts,
            "invoice",
            number=invoice.number,
            dueDate=invoice.due_date.isoformat(),
            amount=money(invoice.amount),
            balance=money(invoice.balance),
            interest=money(invoice.interest),
            indemnity=money(invoice.indemnity),
        )


def manifest_digest(root) -> str:
    """SHA-256 of the canonical form of ``root`` without its integrity element."""
    clone = copy.deepcopy(root)
    for element in clone.findall(_NS + "integrity"):
        clone.remove(element)
    for element in clone.iter():
        if len(element) and element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    return hashlib.sha256(etree.tostring(clone, method="c14n")).hexdigest()


@functools.lru_cache(maxsize=1)
def manifest_schema() -> etree.XMLSchema:
    """The shipped XSD, parsed once."""
    with resources.files("recouvrement").joinpath(SCHEMA).open("rb") as stream:
        return etree.XMLSchema(etree.parse(stream))


def schema_problems(document) -> list[str]:
    """What the XSD finds wrong in a parsed manifest, one line each."""
    schema = manifest_schema()
    if schema.validate(document):
        return []
    return [f"manifest.xml line {error.line}: {error.message}" for error in schema.error_log]


def ns(tag: str) -> str:
    """A manifest tag in Clark notation, for lxml look-ups: ``ns("file")``."""
    return _NS + tag
