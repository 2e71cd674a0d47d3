"""The dossier's templates and the example data they are tested with."""

from __future__ import annotations

import re
import zipfile

import pytest

from recouvrement.documents.rendering import template_variables
from recouvrement.dossier.documents import TEMPLATES, template_path

from .helpers import DATA
from .pdfs import EXAMPLE_PDFS, text_pdf

CONTEXT_KEYS = {
    "document", "procedure", "regime", "date", "reference", "version", "court", "creditor",
    "collector", "debtor", "signatory", "nature", "legal_basis", "invoices", "totals",
    "principal_and_interest", "decompte", "interest_label", "rate_basis", "contractual_rate",
    "indemnity_count", "indemnity_unit", "formal_notice", "exhibits", "trial_if_opposed",
    "countries", "psrpc_limit", "interest_nature", "representative",
}  # fmt: skip
DUPLICATE_KEYS = {"date", "reference", "version", "collector", "creditor", "debtor", "invoice"}
FORBIDDEN = re.compile(
    r"huissier|commandement|commissaire de justice|marianne|sommation|\bactes?\b|"
    r"république française|au nom du peuple",
    re.IGNORECASE,
)
# The PSRPC letter is addressed to a commissaire de justice: naming him is its purpose.
ALLOWED = {"demande_psrpc": re.compile(r"commissaire de justice", re.IGNORECASE)}


@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_use_only_documented_variables(name):
    known = DUPLICATE_KEYS if name == "duplicata_facture" else CONTEXT_KEYS
    assert template_variables(template_path(name)) <= known


@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_never_look_like_a_court_or_bailiff_document(name):
    with zipfile.ZipFile(template_path(name)) as archive:
        parts = [n for n in archive.namelist() if re.match(r"word/.*\.xml$", n)]
        text = re.sub(r"<[^>]+>", "", " ".join(archive.read(n).decode() for n in parts))
    if name in ALLOWED:
        text = ALLOWED[name].sub("", text)
    assert not FORBIDDEN.search(text)


def test_the_example_pdfs_are_what_the_helper_writes():
    for name, pages in EXAMPLE_PDFS.items():
        assert (DATA / name).read_bytes() == text_pdf(*pages), name
