from datetime import date
from decimal import Decimal

import pytest

from recouvrement.claim import Claim, Invoice
from recouvrement.documents.pdf import LibreOfficeNotFound, PdfConverter
from recouvrement.law.rates import RateTable


@pytest.fixture(scope="session")
def rates() -> RateTable:
    """The shipped rate table only, whatever the user has in ~/.config."""
    return RateTable.load(user_file=None)


@pytest.fixture(scope="session")
def converter():
    """One converter (one office process) for the whole session; tests may kill or time it
    out, and it recovers."""
    try:
        shared = PdfConverter()
    except LibreOfficeNotFound as error:
        pytest.skip(str(error))
    with shared:
        yield shared


def one_invoice_claim(amount="10000", due=date(2026, 1, 15), settlements=(), **claim_options):
    invoice = Invoice("F1", Decimal(amount), due, settlements=tuple(settlements))
    return Claim((invoice,), **claim_options)
