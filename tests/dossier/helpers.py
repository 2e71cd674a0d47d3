"""Shared data and helpers of the dossier tests (not a conftest: tests import from here)."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path

from pypdf import PdfReader

from recouvrement.documents.filters import euros
from recouvrement.dossier import Case, case_from_dict

DATA = Path(__file__).parent / "data"
CASE_FILE = DATA / "case.json"
_EXAMPLE = json.loads(CASE_FILE.read_text(encoding="utf-8"))


def case_data() -> dict:
    """A fresh copy of the example case's JSON, to change in a test."""
    return copy.deepcopy(_EXAMPLE)


def make_case(data: dict | None = None) -> Case:
    """A case from JSON data, exhibit paths relative to tests/dossier/data."""
    return case_from_dict(data if data is not None else case_data(), DATA, origin="test case")


def consumer_case_data() -> dict:
    """A consumer in Paris who owes two invoices, put on notice by registered letter."""
    data = case_data()
    data["reference"] = "IP-2026-0008"
    data["debtor"] = {
        "key": "MOREAU",
        "regime": "b2c",
        "party": {
            "name": "Julien Moreau",
            "is_company": False,
            "address": {"street": "18 rue Oberkampf", "zip": "75011", "city": "Paris"},
        },
        "invoices": [
            {"number": "FC-2026-0101", "date": "2026-02-02", "due_date": "2026-03-04",
             "amount": "2890.00"},
            {"number": "FC-2026-0102", "date": "2026-02-20", "due_date": "2026-03-22",
             "amount": "3560.00",
             "settlements": [{"date": "2026-04-10", "amount": "500.00"}]},
        ],
        "reminders": [
            {"reference": "REL-2026-0140", "kind": "relance_courtoise", "date": "2026-04-01",
             "invoices": ["FC-2026-0101", "FC-2026-0102"]},
            {"reference": "MED-2026-0020", "kind": "mise_en_demeure", "date": "2026-04-27",
             "invoices": ["FC-2026-0101", "FC-2026-0102"], "channel": "registered_letter",
             "tracking_number": "1A 200 111 2222 3", "received_on": "2026-04-29"},
        ],
        "notice_received": "2026-04-29",
    }  # fmt: skip
    data["claim"] = {"nature": "Travaux de rénovation d'une cuisine, devis accepté du 5 janvier"}
    data["exhibits"] = [
        {"kind": "quote", "file": "bon-de-commande-BC-2026-031.pdf", "title": "Devis accepté"},
        {"kind": "invoice", "invoice": "FC-2026-0101", "file": "factures/FA-2026-0009.pdf"},
        {"kind": "invoice", "invoice": "FC-2026-0102", "file": "factures/FA-2026-0014.pdf"},
        {"kind": "power_of_attorney", "file": "pouvoir-signataire.pdf"},
    ]
    return data


def pdf_text(data: bytes) -> str:
    """The text of a PDF, with the no-break spaces of French amounts made plain."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return text.replace("\u202f", " ").replace("\xa0", " ")


def plain_euros(amount) -> str:
    return euros(amount).replace("\u202f", " ").replace("\xa0", " ")


def rewrite_zip(data: bytes, changes: dict[str, bytes | None] = (), extra=()) -> bytes:
    """A copy of a ZIP with entries replaced (bytes), removed (None) or added (extra)."""
    changes = dict(changes)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename in changes:
                if changes[info.filename] is not None:
                    target.writestr(info, changes[info.filename])
            else:
                target.writestr(info, source.read(info.filename))
        for name, payload in dict(extra).items():
            target.writestr(name, payload)
    return out.getvalue()
