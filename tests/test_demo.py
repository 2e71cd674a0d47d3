"""The main job on the bundled demo ledger, with real docxtpl and real LibreOffice."""

import io
import json
import os
import re
import subprocess
import sys

import pytest
from pypdf import PdfReader

from recouvrement.demo import run_demo
from recouvrement.documents.filters import euros


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return text.replace("\u202f", " ").replace("\xa0", " ")


def flat(text: str) -> str:
    """The text on one line: PDF line breaks become spaces."""
    return " ".join(text.split())


def plain(amount) -> str:
    return euros(amount).replace("\u202f", " ").replace("\xa0", " ")


@pytest.fixture(scope="module")
def demo(tmp_path_factory, converter):
    out = tmp_path_factory.mktemp("demo")
    return run_demo(out, converter=converter), out


def document(result, kind, debtor):
    return next(d for d in result.documents if d.kind == kind and d.debtor == debtor)


def test_each_debtor_reaches_its_step(demo):
    result, _ = demo
    letters = {(d.debtor, d.kind) for d in result.documents if d.kind != "releve_de_compte"}
    assert letters == {
        ("DUPONT", "mise_en_demeure"),
        ("MARTIN", "relance_ferme"),
        ("LEFEVRE", "relance_courtoise"),
    }
    skipped = {(skip.item.debtor, skip.reason) for skip in result.plan.skipped}
    assert skipped == {
        ("HORIZON", "paused: dispute"),
        ("PETIT", "paused: payment_plan"),
        ("QUATREVENTS", "paid"),
    }
    statements = {d.debtor for d in result.documents if d.kind == "releve_de_compte"}
    assert statements == {"DUPONT", "MARTIN", "LEFEVRE", "HORIZON", "PETIT", "GIRARD"}
    handoffs = [
        key for key, decisions in result.plan.groups.items() if decisions[0].level.ends_amicable
    ]
    assert handoffs == [("GIRARD", 5)]


def test_mise_en_demeure_pdf_carries_the_engine_figures(demo):
    result, out = demo
    notice = document(result, "mise_en_demeure", "DUPONT")
    text = pdf_text((out / f"{notice.name}.pdf").read_bytes())
    assert "MISE EN DEMEURE" in text
    assert "Dupont & Fils <SARL>" in text
    assert '8 avenue "Les Charmilles"' in text
    decompte = notice.decompte
    for amount in (decompte.total, decompte.interest, decompte.indemnity, decompte.daily_amount):
        assert plain(amount) in text
    for period in decompte.periods:
        assert plain(period.amount) in text
    assert plain(decompte.total) == "11 804,42 €"
    assert "onze mille huit cent quatre euros et quarante-deux centimes" in text
    assert "L441-10" in text and "D441-5" in text
    assert "dans un délai de 8 jours à compter de la réception de la présente lettre" in flat(text)
    assert "au plus tard" not in text  # one deadline only
    assert "injonction de payer" in text
    assert "SIREN 812 345 676" in text and "523 456 788" in text


def test_consumer_letter_shows_no_flat_indemnity(demo):
    result, out = demo
    letter = document(result, "relance_courtoise", "LEFEVRE")
    text = pdf_text((out / f"{letter.name}.pdf").read_bytes())
    assert "Claire Lefèvre" in text
    assert plain(letter.decompte.principal) in text
    assert not re.search(r"(?<!\d)40,00 €", text)
    assert "indemnité forfaitaire" not in text.lower()


def test_statement_lists_the_credit_note(demo):
    result, out = demo
    statement = document(result, "releve_de_compte", "MARTIN")
    text = pdf_text((out / f"{statement.name}.pdf").read_bytes())
    assert "Avoir AV-2026-0003" in text
    assert "4 260,00 €" in text or plain(statement.decompte.principal) in text


def test_mailing_merges_every_pdf_with_a_bookmark(demo):
    result, out = demo
    mailing = PdfReader(out / "courrier.pdf")
    parts = [PdfReader(out / f"{doc.name}.pdf") for doc in result.documents]
    assert len(mailing.pages) == sum(len(part.pages) for part in parts)
    assert [item.title for item in mailing.outline] == [doc.title for doc in result.documents]


def test_saved_context_renders_again_with_the_render_command(demo, tmp_path):
    result, out = demo
    letter = document(result, "relance_ferme", "MARTIN")
    target = tmp_path / "again.pdf"
    completed = subprocess.run(
        [sys.executable, "-m", "recouvrement", "render", "src/recouvrement/documents/templates/"
         "relance_ferme.docx", str(out / f"{letter.name}.json"), "-o", str(target)],
        capture_output=True, text=True, check=False, timeout=120,
        cwd=os.path.dirname(os.path.dirname(__file__)),
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "Boulangerie Martin" in pdf_text(target.read_bytes())
    assert json.loads((out / f"{letter.name}.json").read_text())["kind"] == "relance_ferme"


def test_demo_command_prints_the_summary_and_writes_the_files(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "recouvrement", "demo", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    summary = completed.stdout.replace("\u202f", " ").replace("\xa0", " ")
    assert "Relances au 30 juin 2026 — Ateliers Durand" in summary
    assert re.search(r"Dupont & Fils <SARL> +B2B +mise en demeure +11 380,00 €", summary)
    assert re.search(r"Horizon Bâtiment +B2B +suspendue : litige", summary)
    assert re.search(r"Transports Girard +B2B +transmission au contentieux", summary)
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert "courrier.pdf" in written
    assert "MED-2026-0001_mise_en_demeure_DUPONT.pdf" in written
    assert len([name for name in written if name.endswith(".pdf")]) == 10  # 3 + 6 + mailing


def pdf_of(result, out, kind, debtor) -> str:
    return pdf_text((out / f"{document(result, kind, debtor).name}.pdf").read_bytes())


def test_every_demo_pdf_carries_the_creditor_registration(demo):
    """R123-237 and R123-238 C. com.: RCS with the registry's city, legal form, share
    capital and registered office, in the letterhead of every page."""
    result, out = demo
    for doc in result.documents:
        pages = PdfReader(out / f"{doc.name}.pdf").pages
        for page in pages:
            text = page.extract_text().replace("\u202f", " ").replace("\xa0", " ")
            assert "SAS au capital de 50 000,00 € – SIREN 812 345 676 RCS Lyon" in text
            assert "Siège social : 14 rue des Tanneurs\n69002 Lyon" in text


def test_mise_en_demeure_pdf_names_the_channel_and_the_gdpr_information(demo):
    result, out = demo
    text = flat(pdf_of(result, out, "mise_en_demeure", "DUPONT"))
    assert "Lettre recommandée avec avis de réception" in text
    assert (
        "Créancier : Ateliers Durand, SAS au capital de 50 000,00 €, immatriculée au RCS de "
        "Lyon sous le numéro 812 345 676, dont le siège social est situé 14 rue des "
        "Tanneurs, 69002 Lyon" in text
    )
    # The name "Dupont & Fils <SARL>" carries its legal form: not repeated after it.
    assert "Débiteur : Dupont & Fils <SARL>, SIREN 523 456 788" in text
    assert "Protection de vos données : Ateliers Durand" in text
    assert "sur le fondement de l'exécution du contrat" in text
    assert "réclamation auprès de la CNIL" in text
    # Penalties keep running at each half-year's rate, not at a fixed daily amount.
    assert "au taux applicable à chaque semestre civil ; au taux actuel" in text
    assert "les factures suivantes demeurent impayées" in text  # two invoices: plural
    assert "à l'ordre d'Ateliers Durand" in text  # elision before a vowel


def test_mise_en_demeure_pdf_address_block_in_nf_z10_011_order(demo):
    result, out = demo
    text = pdf_of(result, out, "mise_en_demeure", "DUPONT")
    # name, attention, building (before the street), street, postcode and TOWN
    assert (
        'Dupont & Fils <SARL>\nMarc Dupont, gérant\nBâtiment B\n8 avenue "Les Charmilles"\n'
        "69100 VILLEURBANNE\nLyon, le 30 juin 2026" in text
    )


def test_consumer_letters_use_the_debtor_civility(demo):
    result, out = demo
    text = flat(pdf_of(result, out, "relance_courtoise", "LEFEVRE"))
    assert text.count("Madame Claire Lefèvre 27 quai de la Fosse 44000 NANTES") == 1
    assert "Madame, Monsieur" not in text
    assert "Madame, Sauf erreur" in text and "agréer, Madame, l’expression" in text
    # one invoice: singular
    assert "Objet : Rappel – facture en attente de règlement" in text
    assert "le règlement de la facture ci-dessous, arrivée à échéance," in text
    # the first letter carries the GDPR information
    assert "Protection de vos données" in text


def test_later_letters_leave_out_the_gdpr_information(demo):
    result, out = demo
    # A firm reminder follows the courteous one, which gave the information; a statement
    # of account never opens a file.
    assert "Protection de vos données" not in flat(pdf_of(result, out, "relance_ferme", "MARTIN"))
    statement = flat(pdf_of(result, out, "releve_de_compte", "MARTIN"))
    assert "Protection de vos données" not in statement


def test_statement_shows_a_running_balance_and_totals(demo):
    result, out = demo
    text = flat(pdf_of(result, out, "releve_de_compte", "MARTIN"))
    # 2 400 (FA-0049) + 1 860 (FA-0052) - 400 (credit note) = 3 860
    assert "15/04/2026 Facture FA-2026-0049 2 400,00 € 2 400,00 €" in text
    assert "25/04/2026 Facture FA-2026-0052 1 860,00 € 4 260,00 €" in text
    assert "10/05/2026 Avoir AV-2026-0003 (FA-2026-0049) 400,00 € 3 860,00 €" in text
    assert "Totaux 4 260,00 € 400,00 € 3 860,00 €" in text
    assert "votre propre comptabilité" in text  # a business keeps accounts


def test_statement_marks_a_disputed_invoice_and_does_not_demand_it(demo):
    result, out = demo
    text = flat(pdf_of(result, out, "releve_de_compte", "HORIZON"))
    assert "Facture FA-2026-0038 (contestée) 5 200,00 € 5 200,00 €" in text
    assert "La facture contestée est en cours d" in text
    assert "nous ne vous en demandons pas le règlement" in text
    assert "procéder au règlement" not in text
    assert document(result, "releve_de_compte", "HORIZON").context["totals"]["principal"] == (
        "0.00"
    )


def test_consumer_statement_shows_the_payment_plan_not_a_demand(demo):
    result, out = demo
    text = flat(pdf_of(result, out, "releve_de_compte", "PETIT"))
    assert "Monsieur Jean-Marc Petit" in text and "Monsieur, Veuillez" in text
    assert "Conformément à l’échéancier convenu le 15 avril 2026" in text
    assert "30/04/2026 Échéance 1 sur 3 300,00 € 300,00 € réglée" in text
    assert "30/06/2026 Échéance 3 sur 3 300,00 € 0,00 € à venir" in text
    assert "procéder au règlement" not in text
    assert "comptabilité" not in text  # nothing asks a consumer to check their accounts


def test_date_line_is_below_the_envelope_window(demo):
    """The recipient's block sits in a box as tall as the DL window (45 × 100 mm, from
    about 4.6 cm): the date line starts below it, out of the window."""
    result, out = demo
    doc = document(result, "mise_en_demeure", "DUPONT")
    page = PdfReader(out / f"{doc.name}.pdf").pages[0]
    positions = {}

    def visitor(text, cm, tm, font, size):
        if text.strip() and text.strip() not in positions:
            positions[text.strip()] = float(page.mediabox.top) - tm[5]

    page.extract_text(visitor_text=visitor)
    millimetres = {text: y * 25.4 / 72 for text, y in positions.items()}
    town = next(y for text, y in millimetres.items() if text.startswith("69100 VILLEURBANNE"))
    date_line = next(y for text, y in millimetres.items() if text.startswith("Lyon, le 30"))
    assert 45 <= town <= 95
    assert date_line >= 100
