"""The opening documents of the two other routes: the PSRPC letter and form A."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from docx import Document
from lxml import etree
from pypdf import PdfReader

from recouvrement.decompte import compute_decompte
from recouvrement.documents.filters import siren
from recouvrement.dossier import (
    MissingDossierMentions,
    Procedure,
    build_dossier,
    choose_procedure,
    verify,
)
from recouvrement.dossier.documents import check_dossier_mentions, dossier_context
from recouvrement.dossier.exhibits import number_exhibits, plan_exhibits
from recouvrement.dossier.manifest import manifest_schema, ns
from recouvrement.dossier.package import claimed_invoices

from .helpers import case_data, make_case, pdf_text, plain_euros

PSRPC_STEM = "demande-procedure-simplifiee"
FORM_A_STEM = "demande-injonction-de-payer-europeenne"
NOT_A_COURT_OR_BAILIFF = re.compile(
    r"huissier|commandement|marianne|sommation|\bactes?\b|république française|"
    r"au nom du peuple|ordonnance n°",
    re.IGNORECASE,
)


def psrpc_case_data() -> dict:
    """The example debtor, a French SAS, for its second invoice only: 2 413,77 € in
    principal and interest, under the 5 000 € of the PSRPC."""
    data = case_data()
    data["reference"] = "PSRPC-2026-0003"
    data["claim"]["invoices"] = ["FA-2026-0014"]
    data["exhibits"] = [e for e in data["exhibits"] if e.get("invoice") != "FA-2026-0009"]
    return data


def european_case_data(country: str = "Allemagne") -> dict:
    """The example debtor moved to Berlin: no SIREN, the mise en demeure as sent."""
    data = case_data()
    data["reference"] = "IPE-2026-0004"
    data["debtor"]["party"]["address"] = {
        "street": "Friedrichstraße 120", "zip": "10117", "city": "Berlin", "country": country,
    }  # fmt: skip
    data["debtor"]["party"]["siren"] = ""
    data["debtor"]["reminders"] = data["debtor"]["reminders"][-1:]
    data["exhibits"].append(
        {"kind": "formal_notice", "reference": "MED-2026-0012", "file": "courriel-2026-05-05.pdf"}
    )
    return data


def members(dossier) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(dossier.zip_bytes())) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def psrpc(converter, shipped):
    return build_dossier(make_case(psrpc_case_data()), converter, **shipped)


@pytest.fixture(scope="module")
def european(converter, shipped):
    return build_dossier(make_case(european_case_data()), converter, **shipped)


@pytest.mark.parametrize(
    ("name", "procedure", "stem", "role"),
    [
        ("psrpc", Procedure.PSRPC, PSRPC_STEM, "psrpc_request"),
        ("european", Procedure.EUROPEAN, FORM_A_STEM, "european_form"),
    ],
)
def test_the_opening_document_is_in_the_zip_the_manifest_and_the_merged_pdf(
    request, tmp_path, name, procedure, stem, role
):
    dossier = request.getfixturevalue(name)
    assert dossier.procedure is procedure
    files = members(dossier)
    names = list(files)
    assert names[1:3] == [f"{stem}.pdf", f"{stem}.docx"]
    assert "requete-injonction-de-payer.pdf" not in files

    manifest = etree.fromstring(files["manifest.xml"])
    assert manifest_schema().validate(manifest.getroottree()), manifest_schema().error_log
    listed = {e.get("path"): e for e in manifest.findall(f"{ns('files')}/{ns('file')}")}
    assert set(listed) == set(files) - {"manifest.xml"}
    assert listed[f"{stem}.pdf"].get("role") == listed[f"{stem}.docx"].get("role") == role

    path = dossier.write(tmp_path / f"{name}.zip")
    assert verify(path) == []

    merged = PdfReader(io.BytesIO(files["dossier-complet.pdf"]))
    parts = [f"{stem}.pdf", "decompte.pdf", "bordereau-des-pieces.pdf"]
    parts += sorted(n for n in files if n.startswith("pieces/"))
    counts = [len(PdfReader(io.BytesIO(files[n])).pages) for n in parts]
    assert len(merged.pages) == sum(counts)
    title = listed[f"{stem}.pdf"].findtext(ns("title"))
    assert merged.outline[0].title == title


def test_the_psrpc_letter_asks_the_commissaire_to_invite_the_debtor(psrpc):
    files = members(psrpc)
    text = flat(pdf_text(files[f"{PSRPC_STEM}.pdf"]))
    decompte = psrpc.decompte
    principal_and_interest = decompte.principal + decompte.interest
    for expected in (
        "Maître ……",  # the addressee, left for the creditor to fill in
        "Commissaire de justice",
        "procédure simplifiée de recouvrement des petites créances",
        "articles L125-1 et R125-1 et suivants du code des procédures civiles d'exécution",
        "la lettre prévue à l'article R125-2 du même code",
        "dans le délai d'un mois à compter de son envoi",
        "Ateliers Durand, SAS, immatriculée sous le numéro SIREN " + siren("812345676"),
        "14 rue des Tanneurs, 69002 Lyon",
        "Claire Durand, présidente",
        "Transports Girard, SAS, immatriculée sous le numéro SIREN " + siren("519873426"),
        "4 rue Henri Farman, ZI des Hauts de Wissous, 91320 Wissous",
        "Paul Girard, président",
        "La créance a une cause contractuelle",
        f"Son montant en principal et intérêts, {plain_euros(principal_and_interest)}, "
        "n'excède pas 5 000,00 € (article R125-1 du même code)",
        "Transport et entreposage de marchandises",
        "frais de toute nature qu'occasionne la procédure sont à sa charge exclusive",
        "Fait à Lyon, le 30 juin 2026",
        "Sophie Renaud",
    ):
        assert expected in text, expected
    for amount in (decompte.principal, decompte.interest, decompte.indemnity, decompte.total):
        assert plain_euros(amount) in text
    for period in decompte.periods:
        assert f"{period.start:%d/%m/%Y}" in text and plain_euros(period.amount) in text
    for exhibit in psrpc.exhibits:
        assert f"Pièce n° {exhibit.number} : {flat(exhibit.title)}" in text
    assert "FA-2026-0009" not in text  # not claimed
    assert not NOT_A_COURT_OR_BAILIFF.search(text)


def test_the_psrpc_docx_stays_an_editable_letter(psrpc):
    document = Document(io.BytesIO(members(psrpc)[f"{PSRPC_STEM}.docx"]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Maître ……" in text and "{{" not in text and "{%" not in text
    assert "Transports Girard" in text


def test_form_a_follows_the_rubrics_of_the_regulation(european):
    files = members(european)
    text = flat(pdf_text(files[f"{FORM_A_STEM}.pdf"]))
    decompte = european.decompte
    rubrics = [
        "1. Juridiction",
        "2. Parties et leurs représentants",
        "3. Compétence de la juridiction",
        "4. Caractère transfrontalier du litige",
        "5. Coordonnées bancaires (facultatif)",
        "6. Principal",
        "7. Intérêts",
        "8. Pénalité contractuelle",
        "9. Frais",
        "10. Description des éléments de preuve",
        "11. Déclarations complémentaires et autres informations",
        "12. Déclaration et signature",
    ]
    positions = [text.index(rubric) for rubric in rubrics]
    assert positions == sorted(positions)
    for expected in (
        "DEMANDE D'INJONCTION DE PAYER EUROPÉENNE",
        "règlement (CE) n° 1896/2006",
        "Code 01 – Demandeur",
        "Code 02 – Défendeur",
        "Code 05 – Représentant légal du demandeur",
        "Ateliers Durand (SAS)",
        "SIREN " + siren("812345676"),
        "Transports Girard (SAS)",
        "Friedrichstraße 120",
        "Paul Girard, président",
        "Code 01 – domicile du défendeur ou du codéfendeur",
        "habituelle du demandeur FR – France",
        "habituelle du défendeur DE – Allemagne",
        "IBAN FR76 3000 6000 0112 3456 7890 189",
        "Devise : euro (EUR)",
        "Transport et entreposage de marchandises",
        "intérêts légaux",
        "Aucune pénalité contractuelle n'est réclamée",
        "article 6 de la directive 2011/7/UE",
        "n° 1 Preuve écrite Conditions générales de vente",
        "qu'à ma connaissance les informations fournies sont exactes",
        "Fait à Lyon, le 30 juin 2026",
    ):
        assert expected in text, expected
    for invoice in decompte.invoices:
        assert f"Facture n° {invoice.number}" in text
        assert plain_euros(invoice.balance) in text
    for period in decompte.periods:
        assert f"{period.start:%d/%m/%Y} {period.end:%d/%m/%Y}" in text
        assert plain_euros(period.amount) in text
    for amount in (decompte.principal, decompte.interest, decompte.indemnity, decompte.total):
        assert plain_euros(amount) in text
    for exhibit in european.exhibits:
        assert f"n° {exhibit.number} Preuve écrite" in text
    assert "Juridiction ……" in text  # no court in the case file: left to the user
    assert not NOT_A_COURT_OR_BAILIFF.search(text)
    assert "commissaire de justice" not in text.lower()
    manifest = etree.fromstring(files["manifest.xml"])
    assert manifest.find(ns("procedure")).get("form") == "formulaire A, règlement (CE) n° 1896/2006"


def _context(data: dict, shipped: dict) -> dict:
    """The documents' context of a case, built by the engine's own steps."""
    case = make_case(data)
    as_of = case.as_of
    invoices = claimed_invoices(case, as_of)
    decompte = compute_decompte(case.account.claim(invoices), as_of, shipped["rates"])
    choice = choose_procedure(decompte.principal + decompte.interest, case.debtor.address)
    planned, _ = plan_exhibits(case, invoices, as_of, shipped["rates"])
    return dossier_context(
        case=case,
        as_of=as_of,
        reference=case.reference,
        version=1,
        choice=choice,
        procedure=case.procedure or choice.procedure,
        court=None,
        decompte=decompte,
        exhibits=number_exhibits(planned, [item.pdf or b"" for item in planned]),
        notice=None,
    )


def test_form_a_without_the_debtors_country_is_refused_naming_it(shipped):
    context = _context(european_case_data(), shipped)
    check_dossier_mentions(context)  # complete
    debtor = {**context["debtor"], "address": {**context["debtor"]["address"], "country": None}}
    with pytest.raises(MissingDossierMentions) as error:
        check_dossier_mentions({**context, "debtor": debtor})
    assert error.value.missing == [
        "pays du débiteur, pour la rubrique 4 du formulaire A (debtor.address.country)"
    ]
    debtor["address"]["country"] = "France"
    with pytest.raises(
        MissingDossierMentions,
        match="n'est pas un autre État membre lié par le règlement 1896/2006",
    ):
        check_dossier_mentions({**context, "debtor": debtor})


def test_a_psrpc_above_5000_euros_or_abroad_is_refused_naming_the_reason(shipped):
    context = _context(psrpc_case_data(), shipped)
    assert context["procedure"]["code"] == "psrpc"
    check_dossier_mentions(context)
    with pytest.raises(
        MissingDossierMentions, match=r"\(5.000,01 €\) dépassent 5.000,00 € \(CPCE R125-1\)"
    ):
        check_dossier_mentions({**context, "principal_and_interest": "5000.01"})
    debtor = {**context["debtor"], "address": {**context["debtor"]["address"], "country": "BE"}}
    with pytest.raises(MissingDossierMentions, match="l'adresse du débiteur doit être en France"):
        check_dossier_mentions({**context, "debtor": debtor})
