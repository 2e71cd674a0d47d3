"""The exported dossier: files, hashes, manifest, merged PDF, request text, reproducibility."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date

import pytest
from lxml import etree
from pypdf import PdfReader

from recouvrement.documents.filters import siren
from recouvrement.dossier import DossierExists, Procedure, build_dossier, load_case
from recouvrement.dossier.documents import template_path
from recouvrement.dossier.manifest import manifest_schema, ns
from recouvrement.dossier.package import stable_pdf

from .helpers import CASE_FILE, case_data, consumer_case_data, make_case, pdf_text, plain_euros

FORBIDDEN = re.compile(
    r"huissier|commandement|commissaire de justice|marianne|sommation|\bactes?\b|"
    r"république française|au nom du peuple|ordonnance n°",
    re.IGNORECASE,
)
FORTY_EUROS = re.compile(r"\b40(,00)? ?€")


def members(dossier) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(dossier.zip_bytes())) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


@pytest.fixture(scope="module")
def files(example) -> dict[str, bytes]:
    return members(example)


@pytest.fixture(scope="module")
def manifest(files):
    return etree.fromstring(files["manifest.xml"])


@pytest.fixture(scope="module")
def request_text(files) -> str:
    return pdf_text(files["requete-injonction-de-payer.pdf"])


@pytest.fixture(scope="module")
def consumer(converter, shipped):
    return build_dossier(make_case(consumer_case_data()), converter, **shipped)


def test_the_zip_holds_the_documents_every_exhibit_the_merged_pdf_and_the_manifest(files):
    names = list(files)
    assert names[0] == "manifest.xml"
    for stem in ("requete-injonction-de-payer", "decompte", "bordereau-des-pieces"):
        assert f"{stem}.pdf" in names and f"{stem}.docx" in names
    assert sum(name.startswith("pieces/") for name in names) == 15
    assert "dossier-complet.pdf" in names and "decompte.json" in names
    assert len(names) == 1 + 6 + 15 + 2


def test_every_hash_and_size_is_right_and_the_manifest_validates(files, manifest):
    assert manifest_schema().validate(manifest.getroottree()), manifest_schema().error_log
    listed = manifest.findall(f"{ns('files')}/{ns('file')}")
    assert {entry.get("path") for entry in listed} == set(files) - {"manifest.xml"}
    for entry in listed:
        data = files[entry.get("path")]
        assert entry.get("sha256") == hashlib.sha256(data).hexdigest()
        assert entry.get("size") == str(len(data))
    exhibits = [entry for entry in listed if entry.get("role") == "exhibit"]
    assert [int(entry.get("exhibit")) for entry in exhibits] == list(range(1, 16))
    assert exhibits[0].findtext(ns("title")) == "Conditions générales de vente"


def test_the_manifest_carries_parties_procedure_court_amounts_and_version(example, manifest):
    assert manifest.get("reference") == "IP-2026-0007"
    assert manifest.get("version") == "1"
    assert manifest.get("created") == "2026-06-30"
    procedure = manifest.find(ns("procedure"))
    assert procedure.get("code") == procedure.get("proposed") == "injonction_de_payer"
    assert procedure.get("form") == "cerfa 12946"
    assert (
        manifest.find(ns("court")).findtext(ns("name"))
        == "Tribunal de commerce d'Évry-Courcouronnes"
    )
    assert manifest.find(ns("creditor")).findtext(ns("siren")) == "812345676"
    debtor = manifest.find(ns("debtor"))
    assert (debtor.get("key"), debtor.get("regime"), debtor.get("company")) == (
        "GIRARD", "b2b", "true",
    )  # fmt: skip
    amounts = manifest.find(ns("amounts"))
    assert amounts.get("asOf") == "2026-06-30"
    decompte = example.decompte
    keys = ("principal", "interest", "indemnity", "total")
    assert [amounts.findtext(ns(key)) for key in keys] == [
        f"{getattr(decompte, key):.2f}" for key in keys
    ]  # fmt: skip
    assert f"{decompte.total:.2f}" == "9157.40"
    assert manifest.find(ns("overrides")) is None


def test_the_merged_pdf_has_every_page_and_one_bookmark_per_part(files):
    merged = PdfReader(io.BytesIO(files["dossier-complet.pdf"]))
    parts = ["requete-injonction-de-payer.pdf", "decompte.pdf", "bordereau-des-pieces.pdf"]
    parts += sorted(name for name in files if name.startswith("pieces/"))
    counts = [len(PdfReader(io.BytesIO(files[name])).pages) for name in parts]
    assert len(merged.pages) == sum(counts)
    assert len(merged.outline) == len(parts)
    titles = [item.title for item in merged.outline]
    assert titles[:3] == ["Requête en injonction de payer", "Décompte des sommes dues",
                          "Bordereau des pièces"]  # fmt: skip
    assert titles[3] == "Pièce n° 1 – Conditions générales de vente"
    starts = [merged.get_destination_page_number(item) for item in merged.outline]
    assert starts == [sum(counts[:index]) for index in range(len(counts))]


def test_the_request_names_both_parties_with_their_identities(request_text):
    for expected in (
        "REQUÊTE EN INJONCTION DE PAYER",
        "Président du Tribunal de commerce d'Évry-Courcouronnes",
        # R123-237, R123-238 C. com.: legal form, share capital, RCS with its city
        "Ateliers Durand, SAS au capital de 50 000,00 €, immatriculée au RCS de Lyon sous "
        "le numéro 812 345 676",
        "SAS au capital de 50 000,00 € – SIREN 812 345 676 RCS Lyon",
        # penalties keep running at each half-year's rate
        "au taux applicable à chaque semestre civil",
        "14 rue des Tanneurs, 69002 Lyon",
        "Claire Durand, présidente",
        "Transports Girard, SAS",
        siren("519873426"),
        "4 rue Henri Farman, ZI des Hauts de Wissous, 91320 Wissous",
        "Paul Girard, président",
        "Sophie Renaud",
        "Fait à Lyon, le 30 juin 2026",
    ):
        assert expected in " ".join(request_text.split()), expected


def test_the_request_amounts_are_the_engines_decompte(example, request_text):
    text = " ".join(request_text.split())
    decompte = example.decompte
    for amount in (decompte.principal, decompte.interest, decompte.indemnity, decompte.total):
        assert plain_euros(amount) in text
    for period in decompte.periods:
        assert f"{period.start:%d/%m/%Y}" in text  # start date of each period
        assert plain_euros(period.amount) in text
    assert "12,15 %" in text
    assert "40,00 € par facture" in text
    assert "neuf mille cent cinquante-sept euros et quarante centimes" in text


def test_the_request_lists_the_exhibits_and_the_1408_request(example, request_text):
    text = " ".join(request_text.split())
    for exhibit in example.exhibits:
        title = " ".join(exhibit.title.replace("\u202f", " ").replace("\xa0", " ").split())
        assert f"Pièce n° {exhibit.number} : {title}" in text
    assert "Pièce n° 15 : Courriel du défendeur du 5 mai 2026" in text
    assert "Pièce n° 14 : Pouvoir donné au signataire par le représentant légal" in text
    assert "article 1408 du code de procédure civile" in text


def test_no_document_looks_like_a_court_or_bailiff_act(files):
    for name in ("requete-injonction-de-payer.pdf", "decompte.pdf", "bordereau-des-pieces.pdf"):
        assert not FORBIDDEN.search(pdf_text(files[name])), name


def test_the_decompte_and_the_bordereau(example, files):
    decompte = " ".join(pdf_text(files["decompte.pdf"]).split())
    assert "DÉCOMPTE DES SOMMES DUES" in decompte
    assert plain_euros(example.decompte.total) in decompte
    assert "premier semestre 2026 : 12,15 % — taux de refinancement de la BCE au 1er janvier" in (
        decompte
    )
    assert "en vigueur depuis le 11 juin 2025), majoré de 10 points (art. L441-10" in decompte
    bordereau = " ".join(pdf_text(files["bordereau-des-pieces.pdf"]).split())
    assert "BORDEREAU DES PIÈCES" in bordereau
    assert "15 pièces" in bordereau
    assert "Relevé de compte au 30 juin 2026" in bordereau


def test_the_same_inputs_give_the_same_zip(example, converter, shipped):
    again = build_dossier(load_case(CASE_FILE), converter, **shipped)
    assert again.zip_bytes() == example.zip_bytes()


def test_a_new_version_is_a_new_export_and_an_export_is_never_overwritten(
    example, converter, shipped, tmp_path
):
    second = build_dossier(make_case(), converter, version=2, **shipped)
    assert etree.fromstring(second.manifest).get("version") == "2"
    assert "(version 2)" in pdf_text(dict(members(second))["decompte.pdf"])
    path = example.write(tmp_path / "dossier.zip")
    assert example.write(path) == path  # the same bytes again: nothing changes
    with pytest.raises(DossierExists, match="never modified"):
        second.write(path)
    assert path.read_bytes() == example.zip_bytes()


def test_pdfs_from_libreoffice_are_made_reproducible(converter):
    docx = template_path("bordereau").read_bytes()  # a template converts as it is
    first = converter.convert(docx)
    second = converter.convert(docx)
    day = date(2026, 6, 30)
    assert stable_pdf(first, day) == stable_pdf(second, day)
    assert b"/CreationDate(D:20260630000000" in stable_pdf(first, day)
    assert len(stable_pdf(first, day)) == len(first)


def test_a_consumer_dossier_goes_to_the_tribunal_judiciaire_without_the_40_euros(consumer):
    assert consumer.court.name == "Tribunal judiciaire de Paris"
    assert consumer.procedure is Procedure.INJONCTION
    assert consumer.decompte.indemnity == 0
    files = members(consumer)
    text = " ".join(pdf_text(files["requete-injonction-de-payer.pdf"]).split())
    assert "Madame, Monsieur le juge du Tribunal judiciaire de Paris" in text
    assert "Julien Moreau, demeurant 18 rue Oberkampf, 75011 Paris" in text
    assert not FORTY_EUROS.search(text)
    assert "Indemnité forfaitaire pour frais de recouvrement" not in text
    assert "Aucune indemnité forfaitaire ni aucun frais de recouvrement" in text
    assert "Intérêts au taux légal" in text
    assert plain_euros(consumer.decompte.total) in text
    manifest = etree.fromstring(files["manifest.xml"])
    assert manifest.find(ns("procedure")).get("form") == "cerfa 12948"


def test_a_small_claim_makes_a_psrpc_dossier_without_a_request(converter, shipped):
    data = consumer_case_data()
    data["debtor"]["invoices"] = data["debtor"]["invoices"][:1]
    data["exhibits"] = data["exhibits"][:2] + data["exhibits"][-1:]  # the power of attorney
    dossier = build_dossier(make_case(data), converter, **shipped)
    assert dossier.procedure is Procedure.PSRPC
    assert dossier.court is None
    names = set(members(dossier))
    assert "requete-injonction-de-payer.pdf" not in names
    assert "demande-procedure-simplifiee.pdf" in names  # the letter to the commissaire
    assert {"decompte.pdf", "bordereau-des-pieces.pdf", "dossier-complet.pdf"} <= names
    bordereau = " ".join(pdf_text(members(dossier)["bordereau-des-pieces.pdf"]).split())
    assert "procédure simplifiée de recouvrement des petites créances" in bordereau


def test_a_debtor_in_another_member_state_gets_a_european_order_dossier(converter, shipped):
    data = case_data()
    data["debtor"]["party"]["address"] = {
        "street": "Rue de la Loi 42", "zip": "1040", "city": "Bruxelles", "country": "Belgique",
    }  # fmt: skip
    data["debtor"]["party"]["siren"] = ""
    data["debtor"]["reminders"] = data["debtor"]["reminders"][-1:]  # the mise en demeure
    # as sent: the letter template wants a SIREN, which a Belgian company does not have
    data["exhibits"].append(
        {"kind": "formal_notice", "reference": "MED-2026-0012", "file": "courriel-2026-05-05.pdf"}
    )
    dossier = build_dossier(make_case(data), converter, **shipped)
    assert dossier.procedure is Procedure.EUROPEAN
    assert dossier.court is None
    assert "1896/2006" in dossier.choice.explanation
    manifest = etree.fromstring(dossier.manifest)
    assert manifest.find(ns("procedure")).get("code") == "injonction_europeenne"
    assert manifest.find(ns("debtor")).find(ns("address")).findtext(ns("country")) == "Belgique"
    assert "requete-injonction-de-payer.pdf" not in members(dossier)
    assert "demande-injonction-de-payer-europeenne.pdf" in members(dossier)  # form A


def natural_person_creditor(data: dict) -> dict:
    data["creditor"] = {
        "name": "Hélène Garnier",
        "civility": "Madame",
        "is_company": False,
        "profession": "architecte",
        "nationality": "française",
        "birth_date": "1979-04-12",
        "birth_place": "Annecy (Haute-Savoie)",
        "address": {"street": "5 rue Royale", "zip": "74000", "city": "Annecy"},
        "email": "h.garnier@example.org",
    }
    data["signatory"] = {"name": "Hélène Garnier", "place": "Annecy"}
    return data


def test_a_natural_person_creditor_is_described_as_cpc_54_says(converter, shipped):
    dossier = build_dossier(make_case(natural_person_creditor(case_data())), converter, **shipped)
    text = " ".join(pdf_text(members(dossier)["requete-injonction-de-payer.pdf"]).split())
    assert (
        "Madame Hélène Garnier, demeurant 5 rue Royale, 74000 Annecy, architecte, de "
        "nationalité française, née le 12 avril 1979 à Annecy (Haute-Savoie) (article 54 du "
        "code de procédure civile)." in text
    )
    assert "Siège social" not in text and "RCS" not in text and "SIREN None" not in text


def test_a_natural_person_creditor_without_birth_details_is_refused(converter, shipped):
    data = natural_person_creditor(case_data())
    del data["creditor"]["nationality"], data["creditor"]["birth_date"]
    with pytest.raises(Exception) as info:
        build_dossier(make_case(data), converter, **shipped)
    assert info.value.missing == [
        "nationalité du créancier (creditor.nationality)",
        "date de naissance du créancier (creditor.birth_date)",
    ]
