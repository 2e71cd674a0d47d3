"""Tiny real PDFs for the tests: text on A4 pages in Helvetica, a few hundred bytes each.

The example case's exhibits (tests/dossier/data/) were written by :func:`write_example_pdfs`;
a test checks they still equal what it writes, so they can be rebuilt at any time:

    .venv/bin/python -m tests.dossier.pdfs
"""

from __future__ import annotations

import sys
from pathlib import Path

from recouvrement.documents.text_pdf import text_pdf

DATA = Path(__file__).parent / "data"


EXAMPLE_PDFS = {
    "cgv.pdf": [
        [
            "Ateliers Durand - Conditions générales de vente (version du 1er janvier 2026)",
            "Article 7 - Paiement: à 30 jours de la date de facture.",
            "Article 8 - Retard: pénalités au taux de la BCE majoré de 10 points",
            "(article L441-10 du code de commerce) et indemnité forfaitaire de 40 €",
            "pour frais de recouvrement (article D441-5).",
        ],
        ["Article 9 - Réserve de propriété.", "Article 10 - Tribunal compétent."],
    ],
    "bon-de-commande-BC-2026-031.pdf": [
        ["Bon de commande BC-2026-031 signé le 2 février 2026", "Transports Girard"]
    ],
    "livraisons/BL-2026-0091.pdf": [
        ["Bon de livraison BL-2026-0091 du 5 février 2026", "Facture FA-2026-0009"]
    ],
    "factures/FA-2026-0009.pdf": [
        [
            "FACTURE FA-2026-0009 du 6 février 2026",
            "Total TTC: 6 420,00 €",
            "Échéance: 8 mars 2026",
        ],
    ],
    "factures/FA-2026-0014.pdf": [
        [
            "FACTURE FA-2026-0014 du 12 février 2026",
            "Total TTC: 2 330,00 €",
            "Échéance: 14 mars 2026",
        ],
    ],
    "preuves/MED-2026-0012-depot.pdf": [
        ["Preuve de dépôt - lettre recommandée 1A 193 847 2650 3 - 22 avril 2026"]
    ],
    "preuves/MED-2026-0012-avis-de-reception.pdf": [
        ["Avis de réception - lettre recommandée 1A 193 847 2650 3", "Distribuée le 24 avril 2026"]
    ],
    "pouvoir-signataire.pdf": [
        [
            "Pouvoir",
            "Je soussignée Claire Durand, présidente de la SAS Ateliers Durand, donne pouvoir",
            "à Sophie Renaud, responsable du recouvrement, de signer au nom de la société",
            "les requêtes en injonction de payer. Fait à Lyon, le 2 janvier 2026.",
        ]
    ],
    "mandat-recouvrement.pdf": [
        [
            "Mandat",
            "La SAS Ateliers Durand donne mandat au cabinet Lefèvre Recouvrement de présenter",
            "en son nom une requête en injonction de payer contre Transports Girard.",
            "Fait à Lyon, le 1er juin 2026.",
        ]
    ],
    "courriel-2026-05-05.pdf": [
        ["Courriel de Transports Girard du 5 mai 2026", "Nous reconnaissons devoir les factures."]
    ],
}


def write_example_pdfs(folder: Path = DATA) -> list[Path]:
    written = []
    for name, pages in EXAMPLE_PDFS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text_pdf(*pages))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_example_pdfs():
        print(path)
    sys.exit(0)
