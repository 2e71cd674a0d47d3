"""The Tribunal Digital upload set: names, order, hashes, the size check and its copy."""

from __future__ import annotations

import hashlib
import io
import json
import random
import zipfile
from datetime import date

import pytest
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from recouvrement.dossier.manifest import ns
from recouvrement.filing import FilingError, TribunalDigitalChannel, read_dossier
from recouvrement.filing.tribunal_digital import CHECKLIST_NAME, upload_problems
from tests.dossier.helpers import DATA, case_data, pdf_text

from .conftest import dossier_zip

DAY = date(2026, 7, 1)


def manifest_hashes(zip_path) -> dict[str, tuple[str, str, str | None]]:
    """path → (role, sha256, exhibit) read straight from manifest.xml."""
    with zipfile.ZipFile(zip_path) as archive:
        root = etree.fromstring(archive.read("manifest.xml"))
    return {
        entry.get("path"): (entry.get("role"), entry.get("sha256"), entry.get("exhibit"))
        for entry in root.iter(ns("file"))
    }


def test_the_set_holds_the_request_the_bordereau_and_each_exhibit_as_in_the_manifest(
    commercial_zip, tmp_path
):
    out = tmp_path / "depot"
    filing = TribunalDigitalChannel(out).file(read_dossier(commercial_zip), DAY)

    listed = manifest_hashes(commercial_zip)
    exhibits = sorted(
        (int(number), path) for path, (role, _, number) in listed.items() if role == "exhibit"
    )
    expected = [
        "requete-injonction-de-payer.pdf",
        "bordereau-des-pieces.pdf",
        *(path.removeprefix("pieces/") for _, path in exhibits),
        CHECKLIST_NAME,
    ]
    assert [document.name for document in filing.documents] == expected
    assert sorted(p.name for p in out.iterdir()) == sorted(expected)
    assert [n for n, _ in exhibits] == list(range(1, 16))
    by_name = {path.rsplit("/", 1)[-1]: sha for path, (_, sha, _) in listed.items()}
    for document in filing.documents[:-1]:
        written = (out / document.name).read_bytes()
        assert hashlib.sha256(written).hexdigest() == by_name[document.name] == document.sha256
    assert filing.channel == "tribunal-digital"
    assert filing.court == "Tribunal de commerce d'Évry-Courcouronnes"
    assert filing.state == "prepared" and filing.reference is None
    assert filing.messages == ()
    assert json.loads(json.dumps(filing.to_dict()))["documents"][2]["exhibit"] == 1


def test_the_checklist_is_one_french_page_listing_the_uploads_in_order(commercial_zip, tmp_path):
    out = tmp_path / "depot"
    filing = TribunalDigitalChannel(out).file(read_dossier(commercial_zip), DAY)
    checklist = (out / CHECKLIST_NAME).read_bytes()
    assert len(PdfReader(io.BytesIO(checklist)).pages) == 1
    text = pdf_text(checklist)
    assert "Tribunal : Tribunal de commerce d'Évry-Courcouronnes" in text
    assert "Connectez-vous sur tribunaldigital.fr" in text
    assert "(9 157,40 €)" in text
    positions = [text.index(document.name) for document in filing.documents[:-1]]
    assert positions == sorted(positions)
    assert "Pièce n° 15 : 15-" in text
    assert "payez en ligne les frais de greffe" in text


def test_the_set_can_be_one_zip_with_the_same_files(commercial_zip, tmp_path):
    out = tmp_path / "depot.zip"
    filing = TribunalDigitalChannel(out).file(read_dossier(commercial_zip), DAY)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        hashes = {name: hashlib.sha256(archive.read(name)).hexdigest() for name in names}
    assert names == [document.name for document in filing.documents]
    assert all(hashes[d.name] == d.sha256 for d in filing.documents)
    assert all(document.path is None for document in filing.documents)
    # The same command again writes the same bytes and is accepted.
    again = TribunalDigitalChannel(out).file(read_dossier(commercial_zip), DAY)
    assert again.documents == filing.documents


def noisy_scan_pdf(path) -> bytes:
    """A heavy scanned page: a 2400×3400 noisy photo at JPEG quality 95."""
    generator = random.Random(7)
    picture = Image.new("RGB", (240, 340))
    picture.putdata([tuple(generator.randrange(256) for _ in range(3)) for _ in range(240 * 340)])
    picture = picture.resize((2400, 3400), Image.NEAREST)
    output = io.BytesIO()
    picture.save(output, "PDF", resolution=300.0, quality=95)
    path.write_bytes(output.getvalue())
    return output.getvalue()


@pytest.fixture(scope="module")
def heavy_zip(converter, shipped, tmp_path_factory):
    folder = tmp_path_factory.mktemp("heavy")
    data = case_data()
    scan = noisy_scan_pdf(folder / "scan.pdf")
    data["exhibits"].append(
        {"kind": "other", "file": str(folder / "scan.pdf"), "title": "Bon de livraison scanné"}
    )
    return dossier_zip(converter, shipped, data, folder), len(scan)


def test_a_file_over_the_limit_is_reported_in_french_and_a_compressed_copy_written(
    heavy_zip, tmp_path
):
    zip_path, scan_size = heavy_zip
    limit = 1024 * 1024
    assert scan_size > limit
    out = tmp_path / "depot"
    filing = TribunalDigitalChannel(out, max_file_size=limit).file(read_dossier(zip_path), DAY)

    heavy = next(d for d in filing.documents if d.title == "Bon de livraison scanné")
    assert heavy.name == "16-bon-de-livraison-scanne.pdf" and heavy.exhibit == 16
    size = f"{scan_size / 1048576:.1f}".replace(".", ",")
    assert [str(message) for message in filing.messages] == [
        f"16-bon-de-livraison-scanne.pdf : {size} Mo, au-delà de la limite de 1,0 Mo par "
        "fichier du portail ; une copie compressée est jointe, à déposer à sa place."
    ]
    assert filing.messages[0].code == "upload_too_large"
    copy = next(d for d in filing.documents if d.role == "compressed_copy")
    assert copy.name == "16-bon-de-livraison-scanne-compresse.pdf"
    data = (out / copy.name).read_bytes()
    assert copy.size == len(data) < limit < scan_size
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    assert (out / heavy.name).read_bytes() == read_dossier(zip_path).exhibits[-1].data
    text = pdf_text((out / CHECKLIST_NAME).read_bytes())
    assert "Pièce n° 16 : 16-bon-de-livraison-scanne-compresse.pdf (copie compressée de" in text


def test_a_copy_still_too_large_says_what_to_do(heavy_zip, tmp_path):
    zip_path, _ = heavy_zip
    filing = TribunalDigitalChannel(tmp_path / "d", max_file_size=60_000).file(
        read_dossier(zip_path), DAY
    )
    codes = [message.code for message in filing.messages]
    assert codes == ["upload_too_large", "upload_still_too_large"]
    assert "scindez-la en plusieurs fichiers, ou déposez le dossier par lettre recommandée" in (
        str(filing.messages[1])
    )


def test_each_file_is_checked_to_be_a_readable_pdf():
    assert [m.code for m in upload_problems("a.pdf", b"GIF89a")] == ["upload_not_pdf"]
    assert [m.code for m in upload_problems("b.pdf", b"%PDF-1.4\ngarbage")] == ["upload_unreadable"]
    assert upload_problems("cgv.pdf", (DATA / "cgv.pdf").read_bytes()) == []


def test_the_portal_is_for_commercial_courts_only(judiciaire_zip, tmp_path):
    with pytest.raises(FilingError) as refused:
        TribunalDigitalChannel(tmp_path / "d").file(read_dossier(judiciaire_zip), DAY)
    assert refused.value.code == "portal_not_for_court"
    assert str(refused.value) == (
        "Tribunal Digital ne sert que les tribunaux de commerce et des activités économiques ; "
        "le dossier IP-2026-0008 va au Tribunal judiciaire de Paris : déposez-le par lettre "
        "recommandée au greffe (--channel registered-letter)."
    )
    assert not (tmp_path / "d").exists()


def test_a_dossier_that_differs_from_its_manifest_is_not_filed(commercial_zip, tmp_path):
    from tests.dossier.helpers import rewrite_zip

    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(
        rewrite_zip(commercial_zip.read_bytes(), {"bordereau-des-pieces.pdf": b"%PDF-1.4 x"})
    )
    with pytest.raises(Exception) as refused:
        read_dossier(tampered)
    assert refused.value.code == "dossier_not_intact"
    assert "bordereau-des-pieces.pdf : SHA-256 différent" in str(refused.value)


def test_the_dossier_reads_from_its_bytes_as_the_addon_stores_it(commercial_zip):
    from_path = read_dossier(commercial_zip)
    from_bytes = read_dossier(commercial_zip.read_bytes())
    assert from_bytes.name == "dossier.zip"
    assert from_bytes.files == from_path.files
    assert from_bytes.court == from_path.court
    assert from_bytes.court.verified
    assert (from_bytes.court.street, from_bytes.court.zip, from_bytes.court.city) == (
        "1 rue de la Patinoire",
        "91000",
        "Évry",
    )
    assert from_bytes.signatory == "Sophie Renaud" and from_bytes.total == "9157.40"
