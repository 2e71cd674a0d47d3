"""The main job on the bundled demo ledger: decide each debtor's step, write the letters.

``recouvrement demo --out DIR`` runs the reminder ladder on a small French ledger (B2B
and B2C debtors, part payments, a credit note, a dispute, a payment plan, a debtor whose
mise en demeure expired unpaid), then writes into DIR, for every debtor that moves: the
letter of its step as DOCX and PDF, with the JSON context it was rendered from; a
statement of account for every debtor that still owes; ``courrier.pdf``, every PDF merged
with one bookmark each, ready to print; and, for a debtor handed over to the judicial
phase, its injonction de payer dossier as a ZIP.
"""

from __future__ import annotations

import json
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .decompte import Decompte
from .documents.filters import date_fr, euros
from .documents.mailing import merge_pdfs
from .documents.mentions import KIND_LABELS
from .documents.pdf import PdfConverter
from .documents.rendering import render_letter
from .dossier import build_demo_dossier
from .escalation import DEFAULT_LADDER, RunPlan, plan_run
from .law.rates import RateTable
from .ledger import Account, Ledger, bundled_ledger
from .letters import build_letter_context
from .text_report import table_lines

REFERENCE_PREFIXES = {"mise_en_demeure": "MED", "releve_de_compte": "RDC"}


@dataclass(frozen=True)
class Document:
    name: str
    title: str
    kind: str
    debtor: str
    context: dict
    decompte: Decompte


@dataclass(frozen=True)
class DemoResult:
    ledger: Ledger
    plan: RunPlan
    documents: list[Document]
    files: list[Path]


def run_demo(out: Path, ledger: Ledger | None = None, converter: PdfConverter | None = None):
    """Plan the run, render every document, convert them to PDF and write them to ``out``."""
    ledger = ledger or bundled_ledger()
    rates = RateTable.load(user_file=None)  # the shipped rates: the demo is reproducible
    items = [item for account in ledger.accounts for item in account.open_items(ledger.as_of)]
    plan = plan_run(items, DEFAULT_LADDER, ledger.as_of)
    references = _References(ledger.as_of.year)
    documents = _letters(ledger, plan, rates, references)
    documents += _statements(ledger, rates, references)
    docx_files = [render_letter(doc.kind, doc.context) for doc in documents]
    handoffs = [debtor for (debtor, _), decisions in sorted(plan.groups.items())
                if decisions[0].level.ends_amicable]  # fmt: skip
    with nullcontext(converter) if converter else PdfConverter() as office:
        pdf_files = list(office.convert_many(docx_files))
        files = _write(Path(out), documents, docx_files, pdf_files)
        files += [build_demo_dossier(ledger, debtor, Path(out), office) for debtor in handoffs]
    return DemoResult(ledger, plan, documents, files)


class _References:
    """Letter references numbered per prefix: REL-2026-0001, MED-2026-0001, …"""

    def __init__(self, year: int):
        self.year = year
        self.counters: Counter[str] = Counter()

    def next(self, kind: str) -> str:
        prefix = REFERENCE_PREFIXES.get(kind, "REL")
        self.counters[prefix] += 1
        return f"{prefix}-{self.year}-{self.counters[prefix]:04d}"


def _letters(ledger: Ledger, plan: RunPlan, rates: RateTable, references) -> list[Document]:
    documents = []
    for (debtor, _sequence), decisions in sorted(plan.groups.items()):
        level = decisions[0].level
        if level.document is None:
            continue
        account = ledger.account(debtor)
        reference = references.next(level.document)
        numbers = [decision.item.invoice for decision in decisions]
        documents.append(_document(level.document, ledger, account, numbers, reference, rates))
    return documents


def _statements(ledger: Ledger, rates: RateTable, references) -> list[Document]:
    documents = []
    for account in ledger.accounts:
        owing = [item.invoice for item in account.open_items(ledger.as_of) if item.balance > 0]
        if owing:
            reference = references.next("releve_de_compte")
            documents.append(
                _document("releve_de_compte", ledger, account, owing, reference, rates)
            )
    return documents


def _document(kind, ledger: Ledger, account: Account, numbers, reference, rates) -> Document:
    context, decompte = build_letter_context(
        kind, ledger, account, numbers, letter_date=ledger.as_of, reference=reference,
        rates=rates,
    )  # fmt: skip
    title = f"{reference} {account.party.name}"
    return Document(
        f"{reference}_{kind}_{account.key}", title, kind, account.key, context, decompte
    )


def _write(out: Path, documents, docx_files, pdf_files) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for document, docx, pdf in zip(documents, docx_files, pdf_files, strict=True):
        for suffix, payload in ((".docx", docx), (".pdf", pdf)):
            path = out / f"{document.name}{suffix}"
            path.write_bytes(payload)
            written.append(path)
        context_path = out / f"{document.name}.json"
        context_path.write_text(json.dumps(document.context, ensure_ascii=False, indent=2))
        written.append(context_path)
    mailing = merge_pdfs([(doc.title, pdf) for doc, pdf in zip(documents, pdf_files, strict=True)])
    mailing_path = out / "courrier.pdf"
    mailing_path.write_bytes(mailing.pdf)
    written.append(mailing_path)
    return written


STEP_LABELS = {
    **KIND_LABELS,
    "handoff": "transmission au contentieux",
    "paid": "soldée",
    "paused: dispute": "suspendue : litige",
    "paused: payment_plan": "suspendue : échéancier",
    "paused: promise": "suspendue : promesse",
    "paused: insolvency": "suspendue : procédure collective",
}
SUMMARY_HEADER = ("Débiteur", "Régime", "Étape", "Restant dû", "Pénalités", "Indemnité", "Total")


def summary_text(result: DemoResult, out: Path) -> str:
    """One row per debtor: its step in this run and what it owes, then the files."""
    letters = {doc.debtor: doc for doc in result.documents if doc.kind != "releve_de_compte"}
    reached = {
        debtor: decisions[0].level.code for (debtor, _), decisions in result.plan.groups.items()
    }
    skipped = {skip.item.debtor: skip.reason for skip in result.plan.skipped}
    rows = []
    for account in result.ledger.accounts:
        letter = letters.get(account.key)
        owed = sum(
            (max(item.balance, Decimal(0)) for item in account.open_items(result.ledger.as_of)),
            Decimal(0),
        )
        step = reached.get(account.key) or skipped.get(account.key, "en attente")
        figures = letter.decompte if letter else None
        amounts = (figures.interest, figures.indemnity, figures.total) if figures else ()
        rows.append(
            (
                account.party.name,
                account.regime.value.upper(),
                STEP_LABELS.get(step, step),
                euros(owed),
                *(euros(amount) for amount in amounts),
                *([""] * (3 - len(amounts))),
            )
        )
    lines = [f"Relances au {date_fr(result.ledger.as_of)} — {result.ledger.creditor.name}", ""]
    lines += table_lines(SUMMARY_HEADER, rows, {3, 4, 5, 6})
    lines += ["", f"{len(result.files)} fichiers écrits dans {out}/, dont courrier.pdf"]
    return "\n".join(lines)
