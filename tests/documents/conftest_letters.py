"""Realistic letter contexts and DOCX helpers shared by the document tests.

Not a conftest: tests import what they need from here.

The B2B figures follow french-law.md §3: 10 000 € due 15 January 2026, 90 days late on
15 April 2026 at 12.15 % = 299.59 €, plus 40 € per invoice.
"""

from __future__ import annotations

import copy
import datetime
import io
import json
from decimal import Decimal

from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from recouvrement.documents.mentions import L111_8_TEXT

D = Decimal
day = datetime.date

CREDITOR = {
    "name": "Ateliers Rhodaniens",
    "legal_form": "SAS",
    "share_capital": D("50000.00"),
    "rcs_city": "Lyon",
    "siren": "404833048",
    "address": {
        "street": "12 quai Perrache",
        "street2": "Bâtiment B",
        "zip": "69002",
        "city": "Lyon",
        "country": "France",
    },
    "email": "compta@ateliers-rhodaniens.fr",
    "phone": "04 72 00 00 00",
    "iban": "FR7630006000011234567890189",
    "bic": "AGRIFRPP",
    "representative": "Mme Claire Martin, présidente",
}

COLLECTOR = {
    "name": "Recouvre Conseil",
    "legal_form": "SARL",
    "share_capital": D("8000.00"),
    "rcs_city": "Marseille",
    "siren": "552100554",
    "address": {
        "street": "3 rue de la République",
        "street2": None,
        "zip": "13001",
        "city": "Marseille",
        "country": "France",
    },
    "email": "dossiers@recouvre-conseil.fr",
    "phone": "04 91 00 00 00",
    "iban": "FR7610107001011234567890129",
    "bic": "BREDFRPP",
    "representative": None,
}

DEBTOR_B2B = {
    "name": "Dupont & Fils <SARL>",
    "legal_form": "SARL",
    "siren": "732829320",
    "is_company": True,
    "address": {
        "street": "5 avenue des Champs",
        "street2": None,
        "zip": "75008",
        "city": "Paris",
        "country": "France",
    },
}

DEBTOR_B2C = {
    "name": "Mme Jeanne L'Hôte",
    "legal_form": None,
    "siren": None,
    "is_company": False,
    "address": {
        "street": "8 rue des Lilas",
        "street2": "Appartement 12",
        "zip": "38000",
        "city": "Grenoble",
        "country": "France",
    },
}

B2B_INVOICES = [
    {
        "number": "F-2025-0147",
        "date": day(2025, 12, 16),
        "due_date": day(2026, 1, 15),
        "amount": D("10000.00"),
        "paid": D("0.00"),
        "credited": D("0.00"),
        "balance": D("10000.00"),
        "days_late": 90,
        "interest": D("299.59"),
        "indemnity": D("40.00"),
    },
    {
        "number": "F-2026-0008",
        "date": day(2026, 1, 20),
        "due_date": day(2026, 2, 19),
        "amount": D("2469.12"),
        "paid": D("1000.00"),
        "credited": D("234.56"),
        "balance": D("1234.56"),
        "days_late": 55,
        "interest": D("22.60"),
        "indemnity": D("40.00"),
    },
]

B2C_INVOICES = [
    {
        "number": "F-2026-0021",
        "date": day(2026, 1, 5),
        "due_date": day(2026, 2, 4),
        "amount": D("1234.56"),
        "paid": D("0.00"),
        "credited": D("0.00"),
        "balance": D("1234.56"),
        "days_late": 70,
        "interest": D("0.00"),
        "indemnity": D("0.00"),
    },
]

MOVEMENTS = [
    {"date": day(2025, 12, 16), "label": "Facture F-2025-0147", "debit": D("10000.00"),
     "credit": None},
    {"date": day(2026, 1, 20), "label": "Facture F-2026-0008", "debit": D("2469.12"),
     "credit": None},
    {"date": day(2026, 2, 2), "label": "Avoir A-2026-0003 (retour « pièce » n° 4)",
     "debit": None, "credit": D("234.56")},
    {"date": day(2026, 2, 19), "label": "Virement reçu – merci", "debit": None,
     "credit": D("1000.00")},
]  # fmt: skip

GDPR = {
    "controller": "Ateliers Rhodaniens, 12 quai Perrache, 69002 Lyon",
    "purpose": "la gestion de votre compte client et le recouvrement des sommes dues",
    "basis": "l'exécution du contrat (article 6, paragraphe 1, b, du RGPD)",
    "retention": "jusqu'au paiement complet, puis cinq ans",
    "rights_contact": "rgpd@ateliers-rhodaniens.fr",
    "source": None,
}

NEXT_STEP = (
    "requête en injonction de payer auprès du président du tribunal des activités "
    "économiques de Paris (articles 1405 et suivants du code de procédure civile)"
)

PAYMENT_METHODS = (
    "virement bancaire (coordonnées ci-dessous) ou chèque à l'ordre de « Ateliers Rhodaniens »"
)


def b2b_context(kind: str = "mise_en_demeure") -> dict:
    """A complete B2B context for any kind (a mise en demeure unless told)."""
    return copy.deepcopy(
        {
            "kind": kind,
            "regime": "b2b",
            "date": day(2026, 4, 15),
            "reference": "MED-2026-0007",
            "first_letter": None,
            "creditor": CREDITOR,
            "collector": None,
            "debtor": DEBTOR_B2B,
            "invoices": B2B_INVOICES,
            "movements": MOVEMENTS if kind == "releve_de_compte" else [],
            "totals": {
                "principal": D("11234.56"),
                "interest": D("322.19"),
                "indemnity": D("80.00"),
                "total": D("11636.75"),
                "daily_amount": D("3.74"),
            },
            "decompte": {
                "as_of": day(2026, 4, 15),
                "method": "simple (répartition par solde restant dû)",
                "periods": [
                    {
                        "invoice": "F-2025-0147",
                        "start": day(2026, 1, 16),
                        "end": day(2026, 4, 15),
                        "days": 90,
                        "balance": D("10000.00"),
                        "rate": D("12.15"),
                        "amount": D("299.59"),
                    },
                    {
                        "invoice": "F-2026-0008",
                        "start": day(2026, 2, 20),
                        "end": day(2026, 4, 15),
                        "days": 55,
                        "balance": D("1234.56"),
                        "rate": D("12.15"),
                        "amount": D("22.60"),
                    },
                ],
            },
            "legal_basis": (
                "factures émises en exécution du bon de commande n° BC-2025-311 du "
                "2 décembre 2025 et de nos conditions générales de vente"
            ),
            "deadline": None,
            "deadline_days": 8,
            "registered_channel": "lrar",
            "gdpr": GDPR,
            "next_step": NEXT_STEP,
            "payment_methods": PAYMENT_METHODS,
            "signatory": {"name": "Claire Martin", "title": "Présidente"},
            "l111_8_text": None,
        }
    )


def b2c_context(kind: str = "mise_en_demeure") -> dict:
    """A complete B2C context: no 40 €, no fees, legal interest only after the demand."""
    ctx = b2b_context(kind)
    ctx.update(
        regime="b2c",
        debtor=copy.deepcopy(DEBTOR_B2C),
        invoices=copy.deepcopy(B2C_INVOICES),
        totals={
            "principal": D("1234.56"),
            "interest": D("0.00"),
            "indemnity": D("0.00"),
            "total": D("1234.56"),
            "daily_amount": D("0.09"),
        },
        decompte={"as_of": day(2026, 4, 15), "method": "intérêts au taux légal",
                  "periods": []},
        legal_basis="facture F-2026-0021 du 5 janvier 2026 (devis signé du 2 janvier 2026)",
        next_step=(
            "requête en injonction de payer auprès du tribunal judiciaire de Grenoble "
            "(articles 1405 et suivants du code de procédure civile)"
        ),
    )  # fmt: skip
    if kind == "releve_de_compte":
        ctx["movements"] = [
            {"date": day(2026, 1, 5), "label": "Facture F-2026-0021", "debit": D("1234.56"),
             "credit": None},
        ]  # fmt: skip
    return ctx


def public_context(kind: str = "mise_en_demeure") -> dict:
    """A public buyer: moratory interest and the 40 € under the public procurement code."""
    ctx = b2b_context(kind)
    ctx["regime"] = "public"
    ctx["debtor"] = {
        "name": "Commune de Villefranche",
        "legal_form": "Collectivité territoriale",
        "siren": "443061841",
        "is_company": True,
        "address": {"street": "Place de l'Hôtel de Ville", "street2": None, "zip": "69400",
                    "city": "Villefranche-sur-Saône", "country": "France"},
    }  # fmt: skip
    return ctx


def agency_context(kind: str = "relance_mandataire", regime: str = "b2b") -> dict:
    """A third party collects (R124-4 CPCE): collector, L111-8 text, first letter."""
    ctx = b2c_context(kind) if regime == "b2c" else b2b_context(kind)
    ctx.update(
        collector=copy.deepcopy(COLLECTOR),
        l111_8_text=L111_8_TEXT,
        reference="RC-2026-0112",
        first_letter={"reference": "RC-2026-0044", "date": day(2026, 3, 2)},
        signatory={"name": "Paul Roux", "title": "Chargé de recouvrement"},
        gdpr={**GDPR, "source": "Ces données nous ont été communiquées par votre créancier."},
    )
    return ctx


def context_for(kind: str, regime: str = "b2b") -> dict:
    """The natural context of a kind: agency mode for relance_mandataire."""
    if kind == "relance_mandataire":
        return agency_context(kind, regime)
    return {"b2b": b2b_context, "b2c": b2c_context, "public": public_context}[regime](kind)


def as_json(context: dict) -> dict:
    """The same context as the CLI reads it from JSON: ISO dates, decimal strings."""

    def default(value):
        if isinstance(value, (datetime.date, Decimal)):
            return str(value)
        raise TypeError(type(value))

    return json.loads(json.dumps(context, default=default))


# ------------------------------------------------------------------- reading DOCX


def _paragraph_texts(element, parent) -> list[str]:
    return [Paragraph(p, parent).text for p in element.iter(qn("w:p"))]


def docx_paragraphs(data: bytes) -> list[str]:
    """Every paragraph's text, body first (table cells included, in order), then headers
    and footers."""
    doc = Document(io.BytesIO(data))
    texts = _paragraph_texts(doc.element.body, doc)
    for section in doc.sections:
        for part in (section.header, section.footer):
            texts += _paragraph_texts(part._element, part)
    return texts


def docx_text(data: bytes) -> str:
    """All the visible text of a DOCX, one paragraph a line, French spaces and no-break
    hyphens (in references) made plain."""
    text = "\n".join(docx_paragraphs(data))
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2011", "-")


def docx_table_cells(data: bytes) -> list[list[list[str]]]:
    """The text of every table's cells: tables → rows → cell texts."""
    doc = Document(io.BytesIO(data))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in doc.tables]


def make_template(*paragraphs: str, table: list[list[str]] | None = None) -> bytes:
    """A small DOCX template: paragraphs, then an optional table (each text in one run)."""
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    if table:
        t = doc.add_table(rows=0, cols=len(table[0]))
        for row in table:
            cells = t.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.paragraphs[0].add_run(text)
        doc.add_paragraph("")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
