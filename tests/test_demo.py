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
    assert "15 juillet 2026" in text  # the deadline
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
