"""The exhibits: gathered, ordered and numbered the same way every time."""

from __future__ import annotations

import random
from datetime import date

import pytest

from recouvrement.documents.filters import euros
from recouvrement.dossier import CaseFileError
from recouvrement.dossier.exhibits import plan_exhibits
from recouvrement.dossier.package import claimed_invoices

from .helpers import DATA, case_data, make_case
from .pdfs import EXAMPLE_PDFS, text_pdf

ORDER = [
    ("cgv", "file"),
    ("order", "file"),
    ("delivery", "file"),
    ("invoice", "file"),
    ("invoice", "file"),
    ("reminder", "generated"),
    ("reminder", "generated"),
    ("reminder", "generated"),
    ("reminder", "generated"),
    ("formal_notice", "generated"),
    ("registered_proof", "file"),
    ("registered_proof", "file"),
    ("statement", "generated"),
    ("power_of_attorney", "file"),
    ("other", "file"),
]


def titles(data: dict, shipped: dict) -> list[str]:
    case = make_case(data)
    as_of = date(2026, 6, 30)
    planned, _ = plan_exhibits(case, claimed_invoices(case, as_of), as_of, shipped["rates"])
    return [item.title for item in planned]


def test_the_exhibits_come_in_a_fixed_order_numbered_from_one(example):
    exhibits = example.exhibits
    assert [(e.kind, e.source) for e in exhibits] == ORDER
    assert [e.number for e in exhibits] == list(range(1, 16))
    assert [e.file_name[:10] for e in exhibits] == [f"pieces/{n:02d}-" for n in range(1, 16)]
    assert exhibits[0].file_name == "pieces/01-conditions-generales-de-vente.pdf"
    assert exhibits[3].title == f"Facture n° FA-2026-0009 du 6 février 2026 ({euros('6420')})"
    assert exhibits[9].title == (
        "Mise en demeure du 22 avril 2026 (réf. MED-2026-0012), lettre recommandée n° "
        "1A 193 847 2650 3"
    )
    assert exhibits[10].title.startswith("Preuve de dépôt")  # the case file's order
    assert exhibits[11].title.startswith("Avis de réception")
    assert [e.reference for e in exhibits[5:10]] == [
        "REL-2026-0101", "REL-2026-0102", "REL-2026-0117", "REL-2026-0131", "MED-2026-0012",
    ]  # fmt: skip


def test_the_users_pdfs_are_kept_byte_for_byte(example):
    by_origin = {e.origin: e.pdf for e in example.exhibits if e.source == "file"}
    assert set(by_origin) <= set(EXAMPLE_PDFS)
    for origin, pdf in by_origin.items():
        assert pdf == (DATA / origin).read_bytes() == text_pdf(*EXAMPLE_PDFS[origin])


def test_a_reminder_without_a_letter_is_a_warning(example):
    warning = next(w for w in example.warnings if "TEL-2026-0040" in w)
    assert warning == (
        "l'appel téléphonique TEL-2026-0040 du 8 avril 2026 n'a pas de lettre à joindre : "
        "ajoutez son PDF au dossier de l'affaire s'il s'agit d'une lettre"
    )
    assert warning.code == "exhibit_no_letter"
    assert warning.params == {
        "what": "l'appel téléphonique",
        "kind": "phone",
        "reference": "TEL-2026-0040",
        "day": "2026-04-08",
    }


def test_the_order_does_not_depend_on_the_case_files_order_of_kinds(shipped):
    reference = titles(case_data(), shipped)
    for seed in range(3):
        data = case_data()
        proofs = [e for e in data["exhibits"] if e["kind"] == "registered_proof"]
        others = [e for e in data["exhibits"] if e["kind"] != "registered_proof"]
        random.Random(seed).shuffle(others)
        data["exhibits"] = others + proofs  # proofs keep their relative order
        assert titles(data, shipped) == reference


def test_a_letters_own_file_replaces_its_rendering(shipped):
    data = case_data()
    data["exhibits"].append(
        {"kind": "reminder", "reference": "REL-2026-0117", "file": "courriel-2026-05-05.pdf"}
    )
    case = make_case(data)
    as_of = date(2026, 6, 30)
    planned, _ = plan_exhibits(case, claimed_invoices(case, as_of), as_of, shipped["rates"])
    letter = next(item for item in planned if item.reference == "REL-2026-0117")
    assert letter.source == "file"
    assert letter.render is None
    assert letter.title == "Relance du 30 mars 2026 (réf. REL-2026-0117)"


@pytest.mark.parametrize(
    ("exhibit", "problem"),
    [
        ({"kind": "invoice", "invoice": "FA-1999-0001", "file": "cgv.pdf"}, "n'est pas réclamée"),
        (
            {"kind": "registered_proof", "reference": "MED-0", "file": "cgv.pdf"},
            "absente de l'historique",
        ),
        ({"kind": "formal_notice", "reference": "MED-2026-0012", "file": "cgv.pdf"}, None),
    ],
)
def test_exhibits_must_match_the_claim(exhibit, problem, shipped):
    data = case_data()
    data["exhibits"].append(exhibit)
    if problem is None:  # a second file for the same letter
        data["exhibits"].append(dict(exhibit))
        problem = "deux fichiers sont donnés pour la lettre MED-2026-0012"
    with pytest.raises(CaseFileError, match=problem):
        titles(data, shipped)
