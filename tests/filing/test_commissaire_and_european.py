"""The commissaire de justice (LRE through the AR24 stand-in, or the ZIP handed over) and
the European order for payment (form A by registered letter through the Maileva stand-in)."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest
from pypdf import PdfReader

from recouvrement.delivery import DeliveryInputError
from recouvrement.filing import (
    Commissaire,
    CommissaireChannel,
    EuropeanOrderChannel,
    FilingError,
    read_dossier,
)
from recouvrement.postal_address import Party
from tests.delivery.conftest import stats
from tests.dossier.pdfs import text_pdf

from .conftest import signature_png

DAY = date(2026, 7, 3)
MAITRE = Commissaire(
    "Maître Hélène Roux",
    "etude.roux@commissaires.example",
    Party(
        name="SELARL Roux Commissaires",
        attention="Maître Hélène Roux",
        street="8 rue de la Charité",
        zip="69002",
        city="Lyon",
    ),
)


def titles(pdf: bytes) -> list[str]:
    return [item.title for item in PdfReader(io.BytesIO(pdf)).outline]


def test_the_psrpc_request_goes_to_the_commissaire_by_lre(psrpc_zip, ar24, ar24_standin):
    dossier = read_dossier(psrpc_zip)
    filing = CommissaireChannel(MAITRE, client=ar24).file(dossier, DAY)

    (mail,) = ar24_standin.mails.values()
    assert mail["fields"]["to_email"] == "etude.roux@commissaires.example"
    assert mail["fields"]["dest_statut"] == "professionnel"
    assert mail["fields"]["to_company"] == "SELARL Roux Commissaires"
    (attachment,) = mail["attachments"]
    sent = ar24_standin.attachments[attachment]
    assert titles(sent) == [
        "Lettre d'accompagnement",
        "Demande de procédure simplifiée de recouvrement des petites créances",
        "Décompte des sommes dues",
        "Bordereau des pièces",
        *(f"Pièce n° {e.exhibit} – {e.title}" for e in dossier.exhibits),
    ]
    cover = " ".join(PdfReader(io.BytesIO(sent)).pages[0].extract_text().split())
    assert "Maître Hélène Roux, Je vous adresse ma demande de procédure simplifiée" in cover
    assert "Lettre recommandée électronique" in cover
    assert filing.channel == "commissaire" and filing.court == "Maître Hélène Roux"
    assert filing.provider == "ar24" and filing.sending_id
    assert filing.documents[-1].sha256 == hashlib.sha256(sent).hexdigest()
    assert [proof.kind for proof in filing.evidence] == ["deposit"]  # AR24 deposits at once
    assert stats(ar24_standin)["sendings"] == 1


def test_an_order_to_serve_comes_first_after_the_cover_letter(commercial_zip, ar24, ar24_standin):
    order = text_pdf(["Ordonnance portant injonction de payer du 15 juillet 2026"])
    filing = CommissaireChannel(MAITRE, client=ar24, order_pdf=order).file(
        read_dossier(commercial_zip), DAY
    )
    (mail,) = ar24_standin.mails.values()
    sent = ar24_standin.attachments[mail["attachments"][0]]
    assert titles(sent)[:3] == [
        "Lettre d'accompagnement",
        "Ordonnance à signifier",
        "Requête en injonction de payer",
    ]
    assert filing.documents[1].role == "order"
    cover = " ".join(PdfReader(io.BytesIO(sent)).pages[0].extract_text().split())
    assert "l'ordonnance portant injonction de payer, pour signification" in cover


def test_an_order_that_is_no_pdf_is_refused_before_sending(commercial_zip, ar24, ar24_standin):
    with pytest.raises(FilingError) as refused:
        CommissaireChannel(MAITRE, client=ar24, order_pdf=b"scan.jpg").file(
            read_dossier(commercial_zip), DAY
        )
    assert str(refused.value) == "« Ordonnance à signifier » n'est pas un PDF lisible."
    assert stats(ar24_standin)["sendings"] == 0


def test_the_zip_can_be_handed_over_as_is(psrpc_zip, tmp_path):
    out = tmp_path / "remise" / "dossier-PSRPC.zip"
    filing = CommissaireChannel(MAITRE, out=out).file(read_dossier(psrpc_zip), DAY)
    assert out.read_bytes() == psrpc_zip.read_bytes()
    (document,) = filing.documents
    assert document.sha256 == hashlib.sha256(psrpc_zip.read_bytes()).hexdigest()
    assert filing.state == "handed_over" and filing.sending_id is None


def test_an_lre_needs_the_commissaire_s_email(psrpc_zip, ar24):
    nameless = Commissaire(MAITRE.name, None, MAITRE.address)
    with pytest.raises(FilingError) as refused:
        CommissaireChannel(nameless, client=ar24).file(read_dossier(psrpc_zip), DAY)
    assert refused.value.code == "commissaire_email_missing"
    with pytest.raises(FilingError) as refused:
        Commissaire.from_mapping({"email": "x@y.example"})
    assert refused.value.code == "commissaire_missing"


COURT = Party(
    name="Tribunal judiciaire de Lyon",
    attention="Greffe",
    street="67 rue Servient",
    zip="69003",
    city="Lyon",
)


def test_form_a_and_its_annexes_go_by_registered_letter_to_the_court(
    european_zip, maileva, maileva_standin
):
    dossier = read_dossier(european_zip)
    filing = EuropeanOrderChannel(maileva, COURT, signature_image=signature_png()).file(
        dossier, DAY
    )
    ((received,),) = maileva_standin.received.values()
    assert titles(received) == [
        "Lettre d'accompagnement",
        "Demande d'injonction de payer européenne (formulaire A)",
        "Décompte des sommes dues",
        "Bordereau des pièces",
        *(f"Pièce n° {e.exhibit} – {e.title}" for e in dossier.exhibits),
    ]
    (recipient,) = maileva_standin.sendings[filing.sending_id]["recipients"]
    assert recipient["address_line_1"] == "Tribunal judiciaire de Lyon"
    assert recipient["address_line_6"] == "69003 LYON"
    cover = " ".join(PdfReader(io.BytesIO(received)).pages[0].extract_text().split())
    assert "article 7 du règlement (CE) n° 1896/2006" in cover
    assert filing.channel == "european-order" and filing.court == "Tribunal judiciaire de Lyon"
    roles = [document.role for document in filing.documents]
    assert roles[:4] == ["cover_letter", "european_form", "decompte", "bordereau"]


def test_a_european_order_needs_its_court_and_a_signature(european_zip, maileva, maileva_standin):
    dossier = read_dossier(european_zip)
    with pytest.raises(FilingError) as refused:
        EuropeanOrderChannel(maileva, None, signature_image=signature_png()).file(dossier, DAY)
    assert refused.value.code == "european_court_missing"
    with pytest.raises(FilingError) as refused:
        EuropeanOrderChannel(maileva, COURT).file(dossier, DAY)
    assert refused.value.code == "request_unsigned"
    berlin = Party(name="Amtsgericht Wedding", street="Brunnenplatz 1", zip="13357",
                   city="Berlin", country="DE")  # fmt: skip
    with pytest.raises(DeliveryInputError) as refused:
        EuropeanOrderChannel(maileva, berlin, signature_image=signature_png()).file(dossier, DAY)
    assert "Maileva ne poste pas de lettre recommandée vers ce pays (DE)" in str(refused.value)
    assert stats(maileva_standin)["submitted"] == 0


def test_only_a_european_dossier_takes_this_channel(commercial_zip, maileva):
    with pytest.raises(FilingError) as refused:
        EuropeanOrderChannel(maileva, COURT, signature_image=signature_png()).file(
            read_dossier(commercial_zip), DAY
        )
    assert refused.value.code == "not_a_european_order"
