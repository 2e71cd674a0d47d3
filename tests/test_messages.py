"""Messages: French text for users, a stable code and JSON parameters for programs."""

import copy
import json
import pickle
from datetime import date
from decimal import Decimal

import pytest

from recouvrement.claim import Invoice
from recouvrement.errors import InvalidClaim, RecouvrementError
from recouvrement.law.half_year import HalfYear
from recouvrement.messages import Message, message_dict


def test_parameters_read_the_french_way_and_stay_plain_in_json():
    message = Message.build(
        "example",
        "le {day}, {rate} % pour le {half_year}, factures {invoices}",
        day=date(2026, 7, 1),
        rate=Decimal("7.86"),
        half_year=HalfYear(2026, 2),
        invoices=["F1", "F2"],
    )
    assert message == "le 1er juillet 2026, 7,86 % pour le second semestre 2026, factures F1, F2"
    assert json.loads(json.dumps(message.to_dict())) == {
        "code": "example",
        "params": {
            "day": "2026-07-01",
            "rate": "7.86",
            "half_year": "2026 H2",
            "invoices": ["F1", "F2"],
        },
        "text": str(message),
    }


def test_a_message_keeps_its_code_through_copy_and_pickle():
    message = Message.build("example", "facture {invoice}", invoice="F1")
    for clone in (copy.deepcopy(message), pickle.loads(pickle.dumps(message))):
        assert (clone, clone.code, clone.params) == (message, "example", {"invoice": "F1"})
    assert message_dict("texte libre") == {"code": "message", "params": {}, "text": "texte libre"}


def test_errors_carry_the_code_and_parameters_of_their_message():
    with pytest.raises(InvalidClaim) as raised:
        Invoice("F1", Decimal("100"), date(2026, 1, 15), invoice_date=date(2026, 2, 1))
    error = raised.value
    assert str(error) == (
        "facture F1 : l'échéance (15 janvier 2026) précède la date de facture (1er février 2026)"
    )
    assert error.code == "due_before_issue"
    assert error.params == {"invoice": "F1", "due": "2026-01-15", "issued": "2026-02-01"}
    plain = RecouvrementError("un texte")
    assert (plain.code, plain.params, str(plain)) == ("error", {}, "un texte")
