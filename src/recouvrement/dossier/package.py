"""Build a dossier and export it as one reproducible ZIP.

:func:`build_dossier` runs the whole chain for one case: guards, décompte, proposed
route, competent court, exhibits, mandatory mentions, documents, PDF conversion, merged
PDF and manifest. Nothing is converted (the slow part) before every check has passed.

The ZIP holds:

- ``manifest.xml``: the reference (see :mod:`.manifest`);
- the document opening the procedure, as ``.pdf`` and ``.docx``:
  ``requete-injonction-de-payer`` (injonction de payer), ``demande-procedure-simplifiee``
  (PSRPC, the letter to the commissaire de justice) or
  ``demande-injonction-de-payer-europeenne`` (form A of Regulation 1896/2006); then
  ``decompte.pdf``/``.docx``, ``bordereau-des-pieces.pdf``/``.docx``;
- ``pieces/01-….pdf`` …: every exhibit, numbered;
- ``dossier-complet.pdf``: all of the above merged, one bookmark per document;
- ``decompte.json``: the décompte as data (for the Odoo side).

The same inputs give the same bytes: ZIP entries carry the dossier date as their time,
in a fixed order; the DOCX files are re-zipped likewise; LibreOffice writes the time of
conversion into each PDF (``/CreationDate``, the ``/ID`` derived from it and its own
``/DocChecksum``), which is replaced by the dossier date and a digest of the content,
without changing any byte count. The user's exhibits are never altered. Should a
LibreOffice version write other varying data, the manifest stays the reference: verify
against it, not against another export.

A dossier export is never modified: writing refuses to replace a different file, and a
new export of the same case takes a new version number.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from ..claim import Invoice
from ..decompte import Decompte, compute_decompte
from ..documents.mailing import merge_pdfs
from ..documents.pdf import PdfConverter
from ..errors import MissingRate
from ..kinds import Regime
from ..law.rates import RateTable, default_user_rate_file
from ..serialize import decompte_to_dict
from .case import Case
from .courts import Court, CourtTable, competent_kind, default_user_court_file
from .documents import DOCUMENTS, dossier_context, render_documents
from .errors import CaseFileError, DossierExists, DossierRefused
from .exhibits import Exhibit, number_exhibits, plan_exhibits
from .guards import (
    Override,
    apply_overrides,
    check_overrides,
    claim_problems,
    decompte_problems,
    formal_notices,
    signatory_problems,
)
from .manifest import MANIFEST_NAME, ManifestData, ManifestFile, build_manifest
from .procedure_choice import Procedure, ProcedureChoice, check_requested, choose_procedure

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
JSON = "application/json"
MERGED_NAME = "dossier-complet.pdf"
DECOMPTE_JSON = "decompte.json"
REFERENCE_PREFIXES = {
    Procedure.INJONCTION: "IP",
    Procedure.PSRPC: "PSRPC",
    Procedure.EUROPEAN: "IPE",
}


@dataclass(frozen=True)
class Dossier:
    """A built dossier: what was decided, every file, and the manifest."""

    reference: str
    version: int
    created: date
    choice: ProcedureChoice
    procedure: Procedure
    court: Court | None
    decompte: Decompte
    exhibits: tuple[Exhibit, ...]
    overrides: tuple[Override, ...]
    warnings: tuple[str, ...]
    files: tuple[ManifestFile, ...]
    manifest: bytes

    def zip_bytes(self) -> bytes:
        """The export: the manifest first, then the files in the manifest's order."""
        entries = [(MANIFEST_NAME, self.manifest)] + [(item.path, item.data) for item in self.files]
        return reproducible_zip(entries, self.created)

    def write(self, path: Path | str, *, replace: bool = False) -> Path:
        """Write the ZIP; an existing different file is an error unless ``replace``."""
        path = Path(path)
        data = self.zip_bytes()
        if path.exists() and not replace and path.read_bytes() != data:
            raise DossierExists(
                f"{path} already holds a different dossier, and an export is never modified: "
                "write this one to a new file (each new export of a case takes the next "
                "--version)"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
        return path


def reproducible_zip(entries: list[tuple[str, bytes]], day: date) -> bytes:
    """A ZIP of ``entries`` whose bytes depend on nothing but the entries and ``day``."""
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=9)
    return out.getvalue()


def stable_docx(data: bytes, day: date) -> bytes:
    """The same DOCX with every entry dated ``day`` (python-docx stamps the saving time)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    return reproducible_zip(entries, day)


_CREATION = re.compile(rb"/CreationDate\s*\(D:\d{14}")
_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]{32})>\s*<([0-9A-Fa-f]{32})>\s*\]")
_CHECKSUM = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]{32})")


def stable_pdf(data: bytes, day: date) -> bytes:
    """A PDF LibreOffice wrote, with its conversion time replaced by ``day``.

    The creation date becomes ``day`` at midnight; the file identifier and LibreOffice's
    checksum become an MD5 of the rest of the file. Every replacement keeps its length,
    so the cross-reference offsets stay right. A PDF without these keys is returned as is.
    """
    stamp = day.strftime("%Y%m%d000000").encode()
    data = _CREATION.sub(lambda m: m.group(0)[:-14] + stamp, data)
    blank = _identify(data, b"0" * 32)
    digest = hashlib.md5(blank, usedforsecurity=False).hexdigest().upper().encode()
    return _identify(blank, digest)


def _identify(data: bytes, value: bytes) -> bytes:
    """``data`` with both /ID strings and the /DocChecksum set to ``value`` (32 hex digits)."""

    def identifier(match: re.Match) -> bytes:
        text = match.group(0)
        for group in (2, 1):
            start, end = match.start(group) - match.start(), match.end(group) - match.start()
            text = text[:start] + value + text[end:]
        return text

    def checksum(match: re.Match) -> bytes:
        return match.group(0)[: match.start(1) - match.start()] + value

    return _CHECKSUM.sub(checksum, _ID.sub(identifier, data))


def claimed_invoices(case: Case, as_of: date) -> tuple[Invoice, ...]:
    """The invoices the dossier claims: those named by the case, else every one still owed."""
    account = case.account
    if case.invoices:
        known = {invoice.number: invoice for invoice in account.invoices}
        unknown = [number for number in case.invoices if number not in known]
        if unknown:
            raise CaseFileError(
                f"{case.origin}: claim.invoices names unknown invoice {', '.join(unknown)}"
            )
        return tuple(invoice for invoice in account.invoices if invoice.number in case.invoices)
    owed = {item.invoice for item in account.open_items(as_of) if item.balance > 0}
    invoices = tuple(invoice for invoice in account.invoices if invoice.number in owed)
    if not invoices:
        raise CaseFileError(f"{case.origin}: {account.party.name} owes nothing on {as_of}")
    return invoices


def build_dossier(
    case: Case,
    converter: PdfConverter,
    *,
    as_of: date | None = None,
    version: int = 1,
    overrides: dict[str, str] | None = None,
    rates: RateTable | None = None,
    courts: CourtTable | None = None,
) -> Dossier:
    """Check, decide, render, convert and assemble the dossier of ``case``.

    ``as_of`` (default: the case's, else today) is the date of the request and of the
    décompte; ``overrides`` maps a guard to the user's reason (added to the case's own).
    Raises :class:`DossierRefused`, :class:`CourtNotFound`, :class:`UnsupportedProcedure`,
    :class:`MissingDossierMentions`, :class:`CaseFileError` or another
    :class:`~recouvrement.errors.RecouvrementError` before converting anything.
    """
    as_of = as_of or case.as_of or date.today()
    if not isinstance(version, int) or version < 1:
        raise CaseFileError(f"the dossier version must be a whole number from 1, not {version!r}")
    if case.account.regime is Regime.PUBLIC:
        competent_kind(case.account.regime, case.debtor)  # raises UnsupportedProcedure
    rates = rates if rates is not None else RateTable.load(default_user_rate_file())
    lifted_by = check_overrides({**case.overrides, **(overrides or {})})
    invoices = claimed_invoices(case, as_of)

    decompte, overridden = _decompte_and_guards(case, invoices, as_of, rates, lifted_by)
    choice, procedure = _procedure(case, decompte)
    court = _court(case, procedure, courts)
    reference = case.reference or f"{REFERENCE_PREFIXES[procedure]}-{as_of.year}-{case.account.key}"

    planned, warnings = plan_exhibits(case, invoices, as_of, rates)
    placeholders = number_exhibits(planned, [item.pdf or b"" for item in planned])
    numbers = {invoice.number for invoice in invoices}
    notices = [n for n in formal_notices(case.account, as_of) if numbers & set(n.invoices)]
    context = dossier_context(
        case=case,
        as_of=as_of,
        reference=reference,
        version=version,
        choice=choice,
        procedure=procedure,
        court=court,
        decompte=decompte,
        exhibits=placeholders,
        notice=notices[-1] if notices else None,
    )
    documents = render_documents(context, procedure)  # checks the mentions first

    to_convert = [item.render() for item in planned if item.render is not None]
    to_convert += list(documents.values())
    converted = iter(stable_pdf(pdf, as_of) for pdf in converter.convert_many(to_convert))
    exhibit_pdfs = [item.pdf if item.render is None else next(converted) for item in planned]
    document_pdfs = {role: next(converted) for role in documents}
    exhibits = number_exhibits(planned, exhibit_pdfs)

    files = _files(documents, document_pdfs, exhibits, as_of)
    files.append(_decompte_json(decompte, reference, version))
    warnings = tuple(dict.fromkeys([*decompte.warnings, *warnings]))
    manifest = build_manifest(
        ManifestData(
            reference=reference,
            version=version,
            created=as_of,
            procedure=procedure.value,
            proposed=choice.procedure.value,
            procedure_label=procedure.label,
            explanation=choice.explanation,
            court=court,
            creditor=case.creditor,
            debtor=case.debtor,
            debtor_key=case.account.key,
            regime=case.account.regime.value,
            signatory=context["signatory"],
            decompte=decompte,
            overrides=tuple(overridden),
            warnings=warnings,
        ),
        files,
    )
    return Dossier(
        reference=reference,
        version=version,
        created=as_of,
        choice=choice,
        procedure=procedure,
        court=court,
        decompte=decompte,
        exhibits=exhibits,
        overrides=tuple(overridden),
        warnings=warnings,
        files=tuple(files),
        manifest=manifest,
    )


def _decompte_and_guards(case, invoices, as_of, rates, lifted_by):
    flags = case.flags
    problems = claim_problems(
        case.account,
        invoices,
        as_of,
        insolvency_flag=flags.insolvency,
        insolvency_note=flags.insolvency_note,
    )
    problems += signatory_problems(case)
    try:
        decompte = compute_decompte(
            case.account.claim(invoices), as_of, rates, allow_provisional=True
        )
    except MissingRate:
        remaining, _ = apply_overrides(problems, lifted_by)
        if remaining:
            raise DossierRefused(remaining) from None
        raise
    problems += decompte_problems(decompte)
    remaining, overridden = apply_overrides(problems, lifted_by)
    if remaining:
        raise DossierRefused(remaining)
    return decompte, overridden


def _procedure(case: Case, decompte: Decompte) -> tuple[ProcedureChoice, Procedure]:
    amount = decompte.principal + decompte.interest
    choice = choose_procedure(amount, case.debtor.address)
    requested = case.procedure or choice.procedure
    check_requested(requested, choice, amount, court_given=case.court is not None)
    return choice, requested


def _court(case: Case, procedure: Procedure, courts: CourtTable | None) -> Court | None:
    if case.court is not None:
        return case.court
    if procedure is not Procedure.INJONCTION:
        return None  # PSRPC: a commissaire de justice; European order: the court is named
    flags = case.flags
    kind = competent_kind(
        case.account.regime,
        case.debtor,
        debtor_is_trader=flags.debtor_is_trader,
        consumer_credit=flags.consumer_credit,
        housing_lease=flags.housing_lease,
    )
    extra = [case.courts_file] if case.courts_file else []
    if courts is None:
        courts = CourtTable.load(default_user_court_file(), extra)
    elif extra:
        courts = courts.with_files(extra)
    return courts.find(kind, case.debtor.address)


def _files(documents, document_pdfs, exhibits, as_of) -> list[ManifestFile]:
    files = []
    for role, docx in documents.items():
        _, title, stem = DOCUMENTS[role]
        pdf = document_pdfs[role]
        files.append(ManifestFile(f"{stem}.pdf", role, PDF, pdf, title, pages=_pages(pdf)))
        files.append(ManifestFile(f"{stem}.docx", role, DOCX, stable_docx(docx, as_of), title))
    for exhibit in exhibits:
        files.append(
            ManifestFile(
                exhibit.file_name,
                "exhibit",
                PDF,
                exhibit.pdf,
                exhibit.title,
                exhibit=exhibit.number,
                kind=exhibit.kind,
                source=exhibit.source,
                origin=exhibit.origin,
                pages=_pages(exhibit.pdf),
            )
        )
    parts = [(DOCUMENTS[role][1], document_pdfs[role]) for role in documents]
    parts += [(f"Pièce n° {e.number} – {e.title}", e.pdf) for e in exhibits]
    try:
        merged = merge_pdfs(parts)
    except ValueError as error:
        raise CaseFileError(f"cannot merge the dossier's PDFs: {error}") from None
    what = ", ".join(DOCUMENTS[role][1].split(" ")[0].lower() for role in documents)
    title = f"Dossier complet ({what} et pièces)"
    files.append(
        ManifestFile(MERGED_NAME, "merged", PDF, merged.pdf, title, pages=merged.page_count)
    )
    return files


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _decompte_json(decompte: Decompte, reference: str, version: int) -> ManifestFile:
    data = {
        "format": "recouvrement-decompte/1",
        "reference": reference,
        "version": version,
        **decompte_to_dict(decompte),
    }
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return ManifestFile(DECOMPTE_JSON, "data", JSON, text.encode("utf-8"), "Décompte (données)")
