"""The demo's judicial handoff: the dossier of GIRARD, built from the bundled ledger alone."""

from __future__ import annotations

import zipfile

from recouvrement.dossier import build_demo_dossier, verify
from recouvrement.ledger import bundled_ledger

from .helpers import pdf_text


def test_the_demo_dossier_of_girard(converter, tmp_path):
    path = build_demo_dossier(bundled_ledger(), "GIRARD", tmp_path, converter)
    assert path == tmp_path / "dossier-GIRARD.zip"
    assert verify(path) == []
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        request = " ".join(pdf_text(archive.read("requete-injonction-de-payer.pdf")).split())
        invoice = pdf_text(archive.read(names[7]))
    assert names[7].startswith("pieces/01-facture-n-fa-2026-0009")
    assert "DUPLICATA DE FACTURE" in invoice and "démonstration" in invoice
    assert "Président du Tribunal de commerce d'Évry-Courcouronnes" in request
    assert "9 157,40 €" in request
