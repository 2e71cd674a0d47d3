"""Filing by registered letter to the registry, end to end through the Maileva stand-in."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from recouvrement.filing import (
    FilingError,
    RegistryLetterChannel,
    read_dossier,
    refresh,
    stamp_signature,
)
from recouvrement.postal_address import Party
from tests.delivery.conftest import stats
from tests.dossier.helpers import pdf_text
from tests.dossier.pdfs import text_pdf

from .conftest import signature_png

DAY = date(2026, 7, 2)


def drawn_images(page) -> int:
    """Images the page's own content draws (resources may be shared between pages)."""
    xobjects = page["/Resources"].get("/XObject", {})
    count = 0
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"Do" and xobjects[operands[0]].get_object()["/Subtype"] == "/Image":
            count += 1
        elif operator == b"Do":
            count += drawn_images_in_form(xobjects[operands[0]].get_object())
    return count


def drawn_images_in_form(form) -> int:
    xobjects = form.get("/Resources", {}).get("/XObject", {})
    count = 0
    for operands, operator in ContentStream(form, None).operations:
        if operator == b"Do" and xobjects[operands[0]].get_object()["/Subtype"] == "/Image":
            count += 1
    return count


def outline(pdf: bytes) -> list[tuple[str, int]]:
    reader = PdfReader(io.BytesIO(pdf))
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


def test_the_signed_request_bordereau_and_exhibits_reach_the_registry_in_order(
    judiciaire_zip, maileva, maileva_standin
):
    dossier = read_dossier(judiciaire_zip)
    channel = RegistryLetterChannel(maileva, signature_image=signature_png())
    filing = channel.file(dossier, DAY)

    # What the stand-in received: one PDF, in the bordereau's order.
    (sending_id,) = maileva_standin.received
    (received,) = maileva_standin.received[sending_id]
    exhibits = [(f"Pièce n° {e.exhibit} – {e.title}", e) for e in dossier.exhibits]
    assert [title for title, _ in outline(received)] == [
        "Lettre d'accompagnement",
        "Requête en injonction de payer",
        "Bordereau des pièces",
        *(title for title, _ in exhibits),
    ]
    reader = PdfReader(io.BytesIO(received))
    starts = dict(outline(received))
    for title, exhibit in exhibits:
        first = reader.pages[starts[title]].extract_text()
        assert first == PdfReader(io.BytesIO(exhibit.data)).pages[0].extract_text()
    cover = " ".join(reader.pages[0].extract_text().split())
    assert (
        "je vous adresse la requête en injonction de payer d'Ateliers Durand contre Julien "
        "Moreau, signée, avec le bordereau des pièces et les 7 pièces qu'il énumère, dans cet "
        "ordre." in cover
    )
    assert cover.startswith("Ateliers Durand 14 rue des Tanneurs 69002 Lyon Greffe du Tribunal")
    assert cover.endswith("Pour Ateliers Durand, Sophie Renaud")
    # The request carries the signature image on its signature page.
    request_pages = range(starts["Requête en injonction de payer"], starts["Bordereau des pièces"])
    assert [drawn_images(reader.pages[n]) for n in request_pages] == [0, 1]

    # The recipient is the registry, at the court list's verified address.
    (recipient,) = maileva_standin.sendings[sending_id]["recipients"]
    assert {key: value for key, value in recipient.items() if key.startswith("address_line")} == {
        "address_line_1": "Greffe du Tribunal judiciaire de Paris",
        "address_line_4": "29-45 avenue de la Porte de Clichy",
        "address_line_6": "75017 PARIS",
    }
    assert filing.recipient_address == (
        "Greffe du Tribunal judiciaire de Paris – 29-45 avenue de la Porte de Clichy – 75017 Paris"
    )
    assert filing.channel == "registered-letter" and filing.provider == "maileva"
    assert filing.sending_reference == "DEPOT-IP-2026-0008-V1"
    assert filing.sending_id == sending_id
    assert filing.state == "submitted"
    assert filing.evidence == ()
    roles = [document.role for document in filing.documents]
    assert roles == ["cover_letter", "request", "bordereau", *["exhibit"] * 7, "merged"]
    assert filing.documents[-1].sha256 == hashlib.sha256(received).hexdigest()
    manifest = {item.name: item.sha256 for item in dossier.files}
    for document in filing.documents[2:-1]:
        assert document.sha256 == manifest[document.name]
    assert filing.documents[1].sha256 != manifest["requete-injonction-de-payer.pdf"]  # signed

    # The proofs come back once the letter moves; each is downloaded and hashed.
    maileva_standin.advance(steps=5)
    status, evidence = refresh(maileva, filing.sending_reference)
    assert status.state.value == "delivered"
    assert [proof.kind for proof in evidence] == ["deposit", "acknowledgment"]
    for proof in evidence:
        assert proof.content.startswith(b"%PDF-")
        assert proof.sha256 == hashlib.sha256(proof.content).hexdigest()
        assert proof.at is not None
    assert "Preuve de dépôt" in pdf_text(evidence[0].content)
    _, known = refresh(maileva, filing.sending_reference, known=["deposit", "acknowledgment"])
    assert known == []

    # Filing again sends nothing: the same sending is read back.
    again = channel.file(dossier, DAY)
    assert again.sending_id == sending_id
    assert [proof.kind for proof in again.evidence] == ["deposit", "acknowledgment"]
    assert stats(maileva_standin)["submitted_per_reference"] == {"DEPOT-IP-2026-0008-V1": 1}


def test_a_signed_scan_is_sent_as_given(judiciaire_zip, maileva, maileva_standin):
    scan = text_pdf(["Requête signée et scannée par Sophie Renaud"])
    filing = RegistryLetterChannel(maileva, signed_scan=scan).file(
        read_dossier(judiciaire_zip), DAY
    )
    (received,) = next(iter(maileva_standin.received.values()))
    reader = PdfReader(io.BytesIO(received))
    assert reader.pages[1].extract_text() == "Requête signée et scannée par Sophie Renaud"
    assert filing.documents[1].sha256 == hashlib.sha256(scan).hexdigest()


def test_an_unsigned_request_is_refused_and_nothing_is_sent(
    judiciaire_zip, maileva, maileva_standin
):
    with pytest.raises(FilingError) as refused:
        RegistryLetterChannel(maileva).file(read_dossier(judiciaire_zip), DAY)
    assert refused.value.code == "request_unsigned"
    assert str(refused.value) == (
        "La requête doit être signée pour être déposée : fournissez l'image de la signature "
        "de Sophie Renaud ou le PDF de la requête signée et scannée."
    )
    assert stats(maileva_standin)["sendings"] == 0


def test_an_unverified_registry_address_is_refused_unless_confirmed(
    unverified_zip, maileva, maileva_standin
):
    dossier = read_dossier(unverified_zip)
    with pytest.raises(FilingError) as refused:
        RegistryLetterChannel(maileva, signature_image=signature_png()).file(dossier, DAY)
    assert refused.value.code == "court_address_unverified"
    assert str(refused.value) == (
        "L'adresse du greffe du Tribunal judiciaire de Paris n'est pas vérifiée dans la liste "
        "des tribunaux (« aucune adresse ») : vérifiez-la dans l'Annuaire de l'administration "
        "(lannuaire.service-public.gouv.fr) et donnez-la confirmée ; rien n'a été envoyé."
    )
    assert stats(maileva_standin)["sendings"] == 0

    confirmed = Party(
        name="Greffe du tribunal judiciaire",
        attention="Service des injonctions de payer",
        street="29-45 avenue de la Porte de Clichy",
        zip="75017",
        city="Paris",
    )
    channel = RegistryLetterChannel(
        maileva, signature_image=signature_png(), court_address=confirmed
    )
    filing = channel.file(dossier, DAY)
    (recipient,) = maileva_standin.sendings[filing.sending_id]["recipients"]
    assert recipient["address_line_2"] == "Service des injonctions de payer"
    assert recipient["address_line_6"] == "75017 PARIS"


def test_a_psrpc_is_not_filed_at_a_registry(psrpc_zip, maileva):
    with pytest.raises(FilingError) as refused:
        RegistryLetterChannel(maileva, signature_image=signature_png()).file(
            read_dossier(psrpc_zip), DAY
        )
    assert refused.value.code == "registry_not_for_procedure"


def test_the_signature_is_stamped_under_its_place_and_the_text_kept(judiciaire_zip):
    request = read_dossier(judiciaire_zip).opening.data
    stamped = stamp_signature(request, signature_png())
    before, after = PdfReader(io.BytesIO(request)), PdfReader(io.BytesIO(stamped))
    assert len(after.pages) == len(before.pages)
    last = after.pages[-1]
    assert [drawn_images(page) for page in after.pages] == [0] * (len(after.pages) - 1) + [1]
    assert [drawn_images(page) for page in before.pages] == [0] * len(before.pages)
    assert last.extract_text().strip() == before.pages[-1].extract_text().strip()
    with pytest.raises(FilingError) as refused:
        stamp_signature(text_pdf(["Pas de place pour signer"]), signature_png())
    assert refused.value.code == "signature_place_missing"
    with pytest.raises(FilingError) as refused:
        stamp_signature(request, b"not an image")
    assert refused.value.code == "signature_not_image"


def test_a_dossier_converted_in_batches_is_signed(shipped, tmp_path):
    """The addon converts the dossier's documents through the converter pool, in batches:
    the request cut from a batch keeps a signature place the stamp finds."""
    from recouvrement.documents.pdf_pool import PdfConverterPool

    from .conftest import consumer_case_data, dossier_zip

    with PdfConverterPool(size=1) as pool:
        archive = dossier_zip(pool, shipped, consumer_case_data(), tmp_path)
    request = read_dossier(archive).opening.data
    stamped = PdfReader(io.BytesIO(stamp_signature(request, signature_png())))
    assert drawn_images(stamped.pages[-1]) == 1
