"""The default templates: they render with a full context and carry their mentions."""

from __future__ import annotations

import datetime
import io
import re
import zipfile

import pytest
from docx import Document
from docx.shared import Cm

from recouvrement.documents.mentions import KINDS, L111_8_TEXT
from recouvrement.documents.rendering import default_template, render_letter, template_variables

from .conftest_letters import (
    agency_context,
    as_json,
    b2b_context,
    b2c_context,
    context_for,
    docx_paragraphs,
    docx_table_cells,
    docx_text,
)

REGIMES = ("b2b", "b2c", "public")
CONTEXT_KEYS = {
    "kind", "regime", "date", "reference", "first_letter", "creditor", "collector",
    "debtor", "invoices", "movements", "totals", "decompte", "legal_basis", "deadline",
    "deadline_days", "next_step", "payment_methods", "signatory", "l111_8_text",
    "registered_channel", "gdpr", "movement_totals", "disputed_total", "payment_plan",
}  # fmt: skip
FORBIDDEN = re.compile(
    r"huissier|commandement|commissaire de justice|marianne|sommation|\bactes?\b|"
    r"tribunal|jugement|greffe",
    re.IGNORECASE,
)
# Templates print no court; a rendered letter names one only through next_step.
FORBIDDEN_RENDERED = re.compile(
    r"huissier|commandement|commissaire de justice|marianne|sommation|\bactes?\b",
    re.IGNORECASE,
)
FORTY_EUROS = re.compile(r"\b40(,00)?\s?€")


def render(kind: str, context: dict) -> str:
    return docx_text(render_letter(kind, context))


@pytest.fixture(scope="module")
def rendered() -> dict:
    """Every kind × regime rendered once, as the engine's context."""
    return {
        (kind, regime): render_letter(kind, context_for(kind, regime))
        for kind in KINDS
        for regime in REGIMES
    }


def template_text(kind: str) -> str:
    """The raw text of a template file, every part (body, headers, footers)."""
    with zipfile.ZipFile(default_template(kind)) as archive:
        parts = [name for name in archive.namelist() if re.match(r"word/.*\.xml$", name)]
        xml = " ".join(archive.read(name).decode("utf-8") for name in parts)
    return re.sub(r"<[^>]+>", "", xml)


@pytest.mark.parametrize("regime", REGIMES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_template_renders_engine_and_json_contexts(kind, regime, rendered):
    context = context_for(kind, regime)
    text = docx_text(rendered[(kind, regime)])
    assert text == render(kind, as_json(context))  # same letter from the CLI's JSON
    assert "{{" not in text and "{%" not in text and "None" not in text
    for expected in (
        "Dupont & Fils <SARL>" if regime == "b2b" else context["debtor"]["name"],
        context["reference"],
        "15 avril 2026",
        context["legal_basis"],
        "Ateliers Rhodaniens",
        "404 833 048",
    ):
        assert expected in text, expected
    if kind != "releve_de_compte":
        assert context["payment_methods"].replace("\u00a0", " ") in text


@pytest.mark.parametrize("kind", KINDS)
def test_header_shows_the_sender_identity(kind, rendered):
    doc = Document(io.BytesIO(rendered[(kind, "b2b")]))
    header = "\n".join(p.text for p in doc.sections[0].header.paragraphs)
    if kind == "relance_mandataire":
        assert "Recouvre Conseil" in header and "552 100 554" in header
    else:
        assert "Ateliers Rhodaniens" in header
        # R123-237 and R123-238 C. com.: legal form, share capital, RCS and its city,
        # registered office; the building before the street (NF Z10-011).
        assert "SAS au capital de 50 000,00 € – SIREN 404 833 048 RCS Lyon" in plain(header)
        assert "Siège social : Bâtiment B\n12 quai Perrache\n69002 Lyon" in header


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("kind", KINDS)
def test_page_is_a4_with_the_address_block_for_a_window_envelope(kind):
    doc = Document(str(default_template(kind)))
    section = doc.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.01)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.01)
    address = doc.styles["Bloc adresse"].paragraph_format.left_indent
    assert Cm(10.5) <= section.left_margin + address <= Cm(12)
    assert Cm(4) <= section.top_margin <= Cm(5)


def test_invoice_table_cells(rendered):
    address, *tables = docx_table_cells(rendered[("mise_en_demeure", "b2b")])
    assert address == [["Dupont & Fils <SARL>\n5 avenue des Champs\n75008 PARIS"]]
    invoices = tables[0]
    assert invoices[0] == [
        "Facture", "Date", "Échéance", "Montant TTC", "Réglé", "Avoirs", "Reste dû", "Retard",
    ]  # fmt: skip
    # references keep no-break hyphens: they never break across lines
    assert invoices[1] == [
        "F\u20112025\u20110147", "16/12/2025", "15/01/2026", "10\u202f000,00\u00a0€", "", "",
        "10\u202f000,00\u00a0€", "90 j",
    ]  # fmt: skip
    assert invoices[2][0] == "F\u20112026\u20110008"
    assert invoices[2][4:7] == ["1\u202f000,00\u00a0€", "234,56\u00a0€", "1\u202f234,56\u00a0€"]
    assert invoices[-1][0] == "Total" and invoices[-1][6] == "11\u202f234,56\u00a0€"
    periods = tables[1]
    assert periods[1] == [
        "F-2025-0147", "16/01/2026", "15/04/2026", "90", "10\u202f000,00\u00a0€",
        "12,15\u00a0%", "299,59\u00a0€",
    ]  # fmt: skip
    summary = tables[2]
    assert summary == [
        ["Principal restant dû", "11\u202f234,56\u00a0€"],
        ["Pénalités de retard au 15 avril 2026", "322,19\u00a0€"],
        ["Indemnité forfaitaire pour frais de recouvrement (40\u00a0€ par facture)",
         "80,00\u00a0€"],
        ["Total dû", "11\u202f636,75\u00a0€"],
    ]  # fmt: skip


def test_mise_en_demeure_b2b(rendered):
    text = docx_text(rendered[("mise_en_demeure", "b2b")])
    for expected in (
        "MISE EN DEMEURE",
        "Lettre recommandée avec avis de réception",
        "Lyon, le 15 avril 2026",
        # both identities, legal form, SIREN, registered office
        "Créancier : Ateliers Rhodaniens, SAS au capital de 50 000,00 €, immatriculée au "
        "RCS de Lyon sous le numéro 404 833 048, dont le siège social est situé "
        "Bâtiment B, 12 quai Perrache, 69002 Lyon, représentée par Mme Claire Martin, "
        "présidente.",
        # the name carries its legal form: not repeated
        "Débiteur : Dupont & Fils <SARL>, SIREN 732 829 320, dont le siège social est "
        "situé 5 avenue des Champs, 75008 Paris.",
        "Objet : Mise en demeure de payer – factures F-2025-0147, F-2026-0008",
        "les factures suivantes demeurent impayées à ce jour",
        "article L441-10 du Code de commerce",
        "L’article D441-5 du même code",
        "arrêté au 15 avril 2026",
        "Soit un total de 11 636,75 € (onze mille six cent trente-six euros et "
        "soixante-quinze centimes).",
        "au taux applicable à chaque semestre civil ; au taux actuel, elles s’élèvent à "
        "3,74 € par jour de retard",
        # one deadline, stated one way, and the channel actually used
        "dans un délai de 8 jours à compter de la réception de la présente lettre recommandée.",
        "Protection de vos données : Ateliers Rhodaniens, 12 quai Perrache, 69002 Lyon "
        "traite les données personnelles vous concernant pour la gestion de votre compte "
        "client et le recouvrement des sommes dues, sur le fondement de l'exécution du "
        "contrat (article 6, paragraphe 1, b, du RGPD). Elles sont conservées jusqu'au "
        "paiement complet, puis cinq ans.",
        "en écrivant à rgpd@ateliers-rhodaniens.fr",
        "injonction de payer",
        "Modalités de règlement :",
        "IBAN FR76 3000 6000 0112 3456 7890 189",
        "Claire Martin\nPrésidente",
    ):
        assert expected in text, expected
    assert "1231-6" not in text
    assert "L111-8" not in text  # no third party collects here
    assert "au plus tard" not in text
    assert text.count("Madame, Monsieur") == 2  # a company: salutation and closing


def test_mise_en_demeure_b2c(rendered):
    text = docx_text(rendered[("mise_en_demeure", "b2c")])
    assert "MISE EN DEMEURE" in text
    assert "articles 1231-6, 1344 et 1344-1 du Code civil" in text
    assert "intérêts au taux légal à compter de la réception" in text
    assert "soit 0,09 € par jour de retard" in text
    assert "Débiteur : Mme Jeanne L'Hôte, demeurant Appartement 12, 8 rue des Lilas, " in text
    assert "dans un délai de 8 jours à compter de la réception" in text
    assert "la facture suivante demeure impayée à ce jour" in text  # one invoice
    assert "Objet : Mise en demeure de payer – facture F-2026-0021\n" in text
    assert "L441-10" not in text and "D441-5" not in text
    assert "SIREN None" not in text


def test_mise_en_demeure_public(rendered):
    text = docx_text(rendered[("mise_en_demeure", "public")])
    assert "code de la commande publique" in text
    assert "intérêts moratoires" in text.lower()
    assert "Décompte des intérêts moratoires arrêté au 15 avril 2026" in text


def test_mise_en_demeure_with_a_deadline_date_only():
    context = b2b_context()
    context.update(deadline_days=None, deadline=datetime.date(2026, 5, 4))
    text = render("mise_en_demeure", context)
    assert "mettons en demeure de nous régler la somme de 11 636,75 € au plus tard le " in text


@pytest.mark.parametrize("kind", KINDS)
def test_b2c_letters_never_show_the_40_euros_nor_fees(kind, rendered):
    for data in (rendered[(kind, "b2c")], render_letter(kind, agency_context(kind, "b2c"))):
        text = docx_text(data)
        lowered = text.lower()
        assert "indemnité forfaitaire" not in lowered
        assert not FORTY_EUROS.search(text), FORTY_EUROS.search(text)
        assert "D441-5" not in text and "L441-10" not in text
        assert "frais de recouvrement" not in lowered.replace(
            L111_8_TEXT.lower().replace("\u00a0", " "), ""
        ).replace("ce montant ne comprend aucun frais de recouvrement", "")


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "releve_de_compte"])
def test_b2b_letters_state_the_40_euros(kind, rendered):
    text = docx_text(rendered[(kind, "b2b")])
    assert "indemnité forfaitaire pour frais de recouvrement" in text.lower()
    assert "D441-5" in text and "L441-10" in text


def test_relance_mandataire_has_the_five_r124_4_mentions(rendered):
    data = rendered[("relance_mandataire", "b2b")]
    text = docx_text(data)
    # 1° collector, its address, amicable collection
    assert (
        "Recouvre Conseil, SARL au capital de 8 000,00 €, immatriculée au RCS de Marseille "
        "sous le numéro 552 100 554, dont le siège social est situé 3 rue de la "
        "République, 13001 Marseille, exerce une activité de recouvrement amiable" in text
    )
    # 2° creditor's name and address
    assert "pour le compte de notre mandant, le créancier : Ateliers Rhodaniens" in text
    assert "Bâtiment B, 12 quai Perrache, 69002 Lyon" in text
    # 3° basis and amount: principal, interest, accessories separately, no costs
    assert "Fondement de la créance :" in text
    cells = docx_table_cells(data)[2]
    assert [row[0] for row in cells] == [
        "Principal restant dû",
        "Pénalités de retard au 15 avril 2026",
        "Indemnité forfaitaire pour frais de recouvrement (40\u00a0€ par facture)",
        "Total dû",
    ]
    assert "Ce montant ne comprend aucun frais de recouvrement restant à la charge" in text
    # 4° a demand to pay and the payment methods
    assert (
        "Nous vous demandons de régler la somme de 11 636,75 € dans un délai de 8 jours à "
        "compter de la réception du présent courrier" in text
    )
    assert "Modalités de règlement :" in text
    # 5° L111-8 CPCE paragraphs 2 and 3, verbatim (line break included)
    assert L111_8_TEXT in docx_paragraphs(data)
    # the first letter's reference and date
    assert "Notre premier courrier : réf. RC-2026-0044 du 2 mars 2026" in text


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "relance_mandataire"])
def test_every_letter_in_agency_mode_carries_the_agency_mentions(kind):
    data = render_letter(kind, agency_context(kind))
    text = docx_text(data)
    assert L111_8_TEXT in docx_paragraphs(data)
    assert "exerce une activité de recouvrement amiable de créances pour le compte" in text
    assert "Notre premier courrier : réf. RC-2026-0044 du 2 mars 2026" in text
    header = Document(io.BytesIO(data)).sections[0].header.paragraphs
    assert "Recouvre Conseil" in [p.text for p in header]


def test_releve_de_compte(rendered):
    data = rendered[("releve_de_compte", "b2b")]
    text = docx_text(data)
    assert "Relevé de compte au 15 avril 2026" in text
    movements = docx_table_cells(data)[1]
    assert movements[0] == ["Date", "Libellé", "Débit", "Crédit", "Solde"]
    # the running balance: 10 000 + 2 469,12 - 234,56 - 1 000 = 11 234,56
    assert movements[3] == ["02/02/2026", "Avoir A-2026-0003 (retour « pièce » n° 4)", "",
                            "234,56\u00a0€", "12\u202f234,56\u00a0€"]  # fmt: skip
    assert movements[4] == ["19/02/2026", "Virement reçu – merci", "", "1\u202f000,00\u00a0€",
                            "11\u202f234,56\u00a0€"]  # fmt: skip
    assert movements[-1] == ["Totaux", "", "12\u202f469,12\u00a0€", "1\u202f234,56\u00a0€",
                             "11\u202f234,56\u00a0€"]  # fmt: skip
    assert "votre propre comptabilité" in text  # a business keeps accounts
    assert "Le solde de votre compte s’élève à 11 234,56 € au 15 avril 2026." in text
    assert (
        "Pénalités de retard exigibles à cette date, non comprises dans ce solde : "
        "322,19 €, et indemnités forfaitaires pour frais de recouvrement : 80,00 €." in text
    )


def test_reminders_grow_firmer():
    courteous = render("relance_courtoise", b2b_context("relance_courtoise"))
    firm = render("relance_ferme", b2b_context("relance_ferme"))
    last = render("derniere_relance", b2b_context("derniere_relance"))
    assert "simple oubli" in courteous and "mise en demeure" not in courteous.lower()
    assert "Malgré notre précédent rappel" in firm
    assert "DERNIÈRE RELANCE AVANT MISE EN DEMEURE" in last
    assert "nous vous adresserons une mise en demeure par lettre recommandée" in last
    assert "injonction de payer" in last


def test_multiline_values_keep_their_line_breaks():
    context = b2b_context("relance_ferme")
    context["payment_methods"] = "Virement : voir ci-dessous\nChèque : à l'ordre de « A & B »"
    context["debtor"]["address"]["street2"] = 'Bât. "C" <2e étage>'
    paragraphs = docx_paragraphs(render_letter("relance_ferme", context))
    assert (
        "Modalités de règlement : Virement : voir ci-dessous\nChèque : à l'ordre de "
        "« A & B »" in [p.replace("\u00a0", " ") for p in paragraphs]
    )
    assert 'Bât. "C" <2e étage>' in paragraphs


def test_foreign_debtor_address_shows_the_country():
    context = b2b_context("relance_courtoise")
    context["debtor"]["address"].update(zip="10121", city="Torino", country="Italie")
    text = render("relance_courtoise", context)
    assert "10121 TORINO\nITALIE" in text


@pytest.mark.parametrize("kind", KINDS)
def test_no_template_looks_like_a_court_or_bailiff_document(kind, rendered):
    raw = template_text(kind)
    assert not FORBIDDEN.search(raw), FORBIDDEN.search(raw)
    with zipfile.ZipFile(default_template(kind)) as archive:
        assert not [name for name in archive.namelist() if name.startswith("word/media/")]
    for regime in REGIMES:
        text = docx_text(rendered[(kind, regime)])
        # The statute quoted in agency letters says "acte": that quotation is the law.
        text = text.replace(L111_8_TEXT.replace("\u00a0", " "), "")
        assert not FORBIDDEN_RENDERED.search(text), FORBIDDEN_RENDERED.search(text)


@pytest.mark.parametrize("kind", KINDS)
def test_each_jinja_tag_sits_in_one_run(kind):
    """Word keeps a run whole when editing around it: no tag is split across runs."""
    with zipfile.ZipFile(default_template(kind)) as archive:
        for name in archive.namelist():
            if not re.match(r"word/(document|header\d*|footer\d*)\.xml$", name):
                continue
            xml = archive.read(name).decode("utf-8")
            for run_text in re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml):
                for opening, closing in (("{{", "}}"), ("{%", "%}"), ("{#", "#}")):
                    assert run_text.count(opening) == run_text.count(closing), run_text


@pytest.mark.parametrize("kind", KINDS)
def test_templates_use_only_documented_variables(kind):
    assert template_variables(default_template(kind)) <= CONTEXT_KEYS


def test_b2c_reminder_with_interest_after_a_demand():
    context = b2c_context("relance_ferme")
    context["totals"].update(interest="12.34", total="1246.90")
    text = render("relance_ferme", context)
    assert "Intérêts au taux légal" in text and "12,34 €" in text
    assert not FORTY_EUROS.search(text)
