"""DOCX to PDF conversion against a real LibreOffice (no mocks)."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from recouvrement.documents.pdf import (
    ConversionError,
    ConversionTimeout,
    LibreOfficeNotFound,
    PdfConverter,
    convert_with_new_process,
)

requires_office = pytest.mark.skipif(
    shutil.which(os.environ.get("RECOUVREMENT_SOFFICE") or "soffice") is None,
    reason="LibreOffice is not installed: run scripts/install-system-deps",
)

FRENCH = "Mise en demeure : réglez 1 234,56 € « sous huitaine », créance échue à Noël"


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page, whitespace runs (including no-break spaces) made single spaces."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def process_exists(pid: int) -> bool:
    """True while `pid` exists, zombies included."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def office_profile(pid: int) -> Path:
    """The profile directory given to the office on its command line."""
    arguments = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    (option,) = (a for a in arguments if a.startswith("-env:UserInstallation=file://"))
    return Path(option.removeprefix("-env:UserInstallation=file://"))


@requires_office
def test_pdf_keeps_french_text(converter, make_docx):
    pdf = converter.convert(make_docx(FRENCH))

    assert pdf.startswith(b"%PDF-")
    assert page_texts(pdf) == [FRENCH]


@requires_office
def test_one_pdf_page_per_docx_page(converter, make_docx):
    pdf = converter.convert(make_docx("Première page", "Deuxième page", "Troisième page"))

    assert page_texts(pdf) == ["Première page", "Deuxième page", "Troisième page"]


@requires_office
def test_table_cells_reach_the_pdf(converter, make_docx):
    rows = [("Facture", "Échéance", "Montant"), ("F-2026-001", "15/01/2026", "1 500,00 €")]

    (text,) = page_texts(converter.convert(make_docx("Relevé", rows=rows)))

    assert "F-2026-001" in text
    assert "Échéance" in text
    assert "1 500,00 €" in text


@requires_office
def test_convert_many_uses_one_office(converter, make_docx):
    converter.start()
    office = converter.office_pid
    debtors = ["Société Durand", "Boulangerie Lefèvre", "Café « Le Zinc »", "Garage Müller"]

    pdfs = list(converter.convert_many(make_docx(f"Débiteur : {name}") for name in debtors))

    assert [page_texts(pdf) for pdf in pdfs] == [[f"Débiteur : {name}"] for name in debtors]
    assert converter.office_pid == office


@requires_office
def test_unreadable_document_fails_alone(converter, make_docx):
    converter.start()
    office = converter.office_pid

    with pytest.raises(ConversionError, match="not a readable DOCX") as raised:
        converter.convert(b"ceci n'est pas un DOCX")

    assert type(raised.value) is ConversionError
    assert page_texts(converter.convert(make_docx("Suivant"))) == ["Suivant"]
    assert converter.office_pid == office


@requires_office
def test_timeout_kills_office_and_next_document_converts(converter, make_docx, monkeypatch):
    converter.start()
    office = converter.office_pid
    monkeypatch.setattr(converter, "timeout", 0.001)

    with pytest.raises(ConversionTimeout, match=r"within the 0\.001 s timeout"):
        converter.convert(make_docx("Trop lent"))

    assert not process_exists(office)
    monkeypatch.undo()
    assert page_texts(converter.convert(make_docx("Après le délai"))) == ["Après le délai"]
    assert converter.office_pid != office


@requires_office
def test_office_killed_between_documents_is_restarted(converter, make_docx):
    converter.start()
    office = converter.office_pid

    os.kill(office, signal.SIGKILL)

    assert page_texts(converter.convert(make_docx("Relance"))) == ["Relance"]
    assert converter.office_pid != office
    assert not process_exists(office)


@requires_office
def test_office_killed_during_conversion_is_retried(converter, make_docx):
    # About 1 s of work for a warm office: the kill lands in the middle of it.
    long_document = make_docx(*(f"Partie {n} : " + "intérêts de retard " * 300 for n in range(30)))
    converter.start()
    office = converter.office_pid
    killer = threading.Timer(0.2, os.kill, (office, signal.SIGKILL))

    killer.start()
    pdf = converter.convert(long_document)
    killer.join()

    last_pages = PdfReader(io.BytesIO(pdf)).pages[-3:]
    assert "Partie 29 :" in " ".join(page.extract_text() for page in last_pages)
    assert converter.office_pid != office
    assert not process_exists(office)


@requires_office
def test_close_stops_office_and_removes_profile(make_docx):
    with PdfConverter() as converter:
        assert converter.office_pid is None  # started on first use
        converter.convert(make_docx("Bonjour"))
        office = converter.office_pid
        profile = office_profile(office)
        assert profile.is_dir()

    assert converter.office_pid is None
    assert not process_exists(office)
    assert not profile.parent.exists()


@requires_office
def test_missing_uno_bridge_names_the_package():
    with (
        PdfConverter(uno_python=sys.executable) as converter,
        pytest.raises(LibreOfficeNotFound, match="python3-uno"),
    ):
        converter.start()


@requires_office
def test_convert_with_new_process(make_docx):
    assert page_texts(convert_with_new_process(make_docx(FRENCH))) == [FRENCH]


def test_missing_libreoffice_names_package_and_script(tmp_path):
    with pytest.raises(LibreOfficeNotFound) as raised:
        PdfConverter(soffice=str(tmp_path / "soffice"))

    assert isinstance(raised.value, ConversionError)
    assert "libreoffice-writer-nogui" in str(raised.value)
    assert "scripts/install-system-deps" in str(raised.value)


def test_missing_libreoffice_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("RECOUVREMENT_SOFFICE", str(tmp_path / "soffice"))

    with pytest.raises(LibreOfficeNotFound, match="libreoffice-writer-nogui"):
        PdfConverter()
    with pytest.raises(LibreOfficeNotFound, match="libreoffice-writer-nogui"):
        convert_with_new_process(b"")


def running(pid: int) -> bool:
    """True while `pid` runs; a zombie waiting for init to reap it does not count."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@requires_office
def test_office_dies_with_an_owner_that_never_closed_it(make_docx, tmp_path):
    source = tmp_path / "lettre.docx"
    source.write_bytes(make_docx("Bonjour"))
    owner = (
        "import os, sys\n"
        "from recouvrement.documents.pdf import PdfConverter\n"
        "converter = PdfConverter()\n"
        "converter.convert(open(sys.argv[1], 'rb').read())\n"
        "print(converter.office_pid, flush=True)\n"
        "os._exit(0)  # no close(), no atexit: as if the owner crashed\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", owner, str(source)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    office = int(completed.stdout)
    deadline = time.monotonic() + 30
    while running(office) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not running(office)
