"""verify(): every change to a dossier export is detected, and each problem is named."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from lxml import etree

from recouvrement.dossier import verify
from recouvrement.dossier.manifest import manifest_digest, ns

from .helpers import rewrite_zip

EXHIBIT = "pieces/04-facture-n-fa-2026-0009-du-6-fevrier-2026-6-420-00.pdf"


@pytest.fixture(scope="module")
def original(example_zip) -> bytes:
    return example_zip.read_bytes()


def check(tmp_path, data: bytes) -> list[str]:
    path = tmp_path / "tampered.zip"
    path.write_bytes(data)
    return verify(path)


def manifest_of(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read("manifest.xml"))


def resealed(root) -> bytes:
    """The manifest with its integrity digest recomputed, as a forger would."""
    root.find(ns("integrity")).text = manifest_digest(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_an_intact_dossier_has_no_problem(example_zip):
    assert verify(example_zip) == []


def test_a_modified_exhibit_is_detected(original, tmp_path):
    data = rewrite_zip(original, {EXHIBIT: b"%PDF-1.4 forged"})
    problems = check(tmp_path, data)
    assert (
        f"{EXHIBIT} : SHA-256 différent de celui du manifeste (le fichier a été modifié)"
        in problems
    )
    size = next(p for p in problems if p.code == "file_size_differs")
    assert size.startswith(f"{EXHIBIT} : 15 octets, le manifeste en annonce ")
    assert size.params["size"] == 15


def test_a_byte_changed_inside_a_document_is_detected(original, tmp_path, example):
    pdf = next(f.data for f in example.files if f.path == "decompte.pdf")
    forged = pdf.replace(b"/Producer", b"/Producex", 1)
    problems = check(tmp_path, rewrite_zip(original, {"decompte.pdf": forged}))
    assert problems == [
        "decompte.pdf : SHA-256 différent de celui du manifeste (le fichier a été modifié)"
    ]
    assert problems[0].code == "file_changed"


def test_a_modified_manifest_is_detected(original, tmp_path):
    text = manifest_of(original)
    title = text.find(f"{ns('files')}/{ns('file')}[@exhibit='14']/{ns('title')}")
    title.text = "Courriel sans importance"
    data = rewrite_zip(original, {"manifest.xml": etree.tostring(text, encoding="UTF-8")})
    assert check(tmp_path, data) == [
        "manifest.xml : modifié après l'export (son empreinte d'intégrité ne correspond pas)"
    ]


def test_a_forged_exhibit_with_its_hash_updated_in_the_manifest_is_detected(original, tmp_path):
    forged = b"%PDF-1.4 forged"
    root = manifest_of(original)
    entry = root.find(f"{ns('files')}/{ns('file')}[@path='{EXHIBIT}']")
    entry.set("sha256", hashlib.sha256(forged).hexdigest())
    entry.set("size", str(len(forged)))
    data = rewrite_zip(
        original, {EXHIBIT: forged, "manifest.xml": etree.tostring(root, encoding="UTF-8")}
    )
    assert check(tmp_path, data) == [
        "manifest.xml : modifié après l'export (son empreinte d'intégrité ne correspond pas)"
    ]


def test_an_extra_file_is_detected(original, tmp_path):
    data = rewrite_zip(original, extra={"pieces/15-ajout.pdf": b"%PDF-1.4"})
    assert check(tmp_path, data) == ["pieces/15-ajout.pdf : dans le ZIP mais absent du manifeste"]


def test_a_missing_file_is_detected(original, tmp_path):
    data = rewrite_zip(original, {EXHIBIT: None})
    assert check(tmp_path, data) == [f"{EXHIBIT} : listé dans le manifeste mais absent du ZIP"]


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_duplicate_entry_is_detected(original, tmp_path):
    data = rewrite_zip(original, extra={"decompte.json": b"{}"})
    problems = check(tmp_path, data)
    assert "decompte.json : présent 2 fois dans le ZIP" in problems


def test_a_manifest_against_the_schema_is_detected_even_when_resealed(original, tmp_path):
    root = manifest_of(original)
    root.remove(root.find(ns("signatory")))
    data = rewrite_zip(original, {"manifest.xml": resealed(root)})
    problems = check(tmp_path, data)
    assert len(problems) == 1
    assert problems[0].startswith("manifest.xml line ")
    assert "signatory" in problems[0]


def test_resealed_amounts_are_checked_against_the_decompte(original, tmp_path):
    root = manifest_of(original)
    root.find(f"{ns('amounts')}/{ns('total')}").text = "19157.40"
    data = rewrite_zip(original, {"manifest.xml": resealed(root)})
    assert check(tmp_path, data) == [
        "montants : total vaut 19157.40 dans le manifeste mais 9157.40 dans decompte.json"
    ]


def test_broken_archives(original, tmp_path):
    assert "fichier ZIP illisible" in check(tmp_path, b"not a zip")[0]
    assert check(tmp_path, rewrite_zip(original, {"manifest.xml": None})) == [
        "manifest.xml absent : rien à quoi comparer le dossier"
    ]
    problems = check(tmp_path, rewrite_zip(original, {"manifest.xml": b"<dossier"}))
    assert problems[0].startswith("manifest.xml n'est pas un XML bien formé")
