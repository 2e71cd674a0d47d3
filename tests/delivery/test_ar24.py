"""The AR24 client against the AR24 stand-in, and AR24's signature and encryption."""

import hashlib
from datetime import date

import pytest

from recouvrement.delivery import ar24_crypto
from recouvrement.delivery.ar24 import Ar24Client
from recouvrement.delivery.errors import (
    ConsentRequired,
    DeliveryInputError,
    ProviderRejected,
    ProviderUnavailable,
)
from recouvrement.delivery.model import DeliveryState, ProofKind
from recouvrement.delivery.providers import download_proofs
from recouvrement.delivery.standins import FaultRule
from recouvrement.delivery.store import JsonStateStore, Step

from .conftest import ar24_config, company, letter, stats

# AR24's installation guide: this date and private key give this signature, and this
# answer decrypts to the guide's success body.
GUIDE_DATE, GUIDE_KEY = "2021-05-26 14:00:00", "7X9gx9E3Qx4EiUdB63nc"
GUIDE_SIGNATURE = "bDop0cbjKpkySlpvnNGvBMg7PuYFFgPPqTTS2RAHoY0="
GUIDE_ANSWER = "WwBOU6s8DaMWmYdctBJwfuoujFgVygBUjhsbdf8eWqQ="


def test_signature_matches_ar24s_vector():
    assert ar24_crypto.sign(GUIDE_DATE, GUIDE_KEY) == GUIDE_SIGNATURE
    assert ar24_crypto.decrypt_signature(GUIDE_SIGNATURE, GUIDE_KEY) == GUIDE_DATE


def test_answer_decrypts_as_ar24s_vector():
    assert ar24_crypto.decrypt_answer(GUIDE_ANSWER, GUIDE_DATE, GUIDE_KEY) == '{status: "SUCCESS"}'


def test_vectors_computed_here_for_the_answer_key():
    """The answer key depends on the date: another second, another ciphertext."""
    body = '{"status":"SUCCESS","result":{"id":1001}}'
    first = ar24_crypto.encrypt_answer(body, "2026-12-01 10:00:00", GUIDE_KEY)
    second = ar24_crypto.encrypt_answer(body, "2026-12-01 10:00:01", GUIDE_KEY)
    assert first != second
    assert first == ar24_crypto.encrypt_answer(body, "2026-12-01 10:00:00", GUIDE_KEY)
    assert ar24_crypto.decrypt_answer(first, "2026-12-01 10:00:00", GUIDE_KEY) == body
    key = hashlib.sha256(("2026-12-01 10:00:00" + GUIDE_KEY).encode()).hexdigest()[:32]
    iv = hashlib.sha256(hashlib.sha256(GUIDE_KEY.encode()).hexdigest().encode()).hexdigest()
    assert ar24_crypto._answer_key("2026-12-01 10:00:00", GUIDE_KEY) == key.encode()
    assert ar24_crypto._iv(GUIDE_KEY) == iv[:16].encode()


def test_an_answer_encrypted_for_another_date_is_a_clear_error():
    cipher = ar24_crypto.encrypt_answer('{"status":"SUCCESS"}', "2026-12-01 10:00:00", "k")
    with pytest.raises(ar24_crypto.Ar24CryptoError, match="indéchiffrable"):
        ar24_crypto.decrypt_answer(cipher, "2026-12-01 10:00:05", "k")


def test_an_lre_goes_from_pdf_to_accepted_with_every_proof(ar24, ar24_standin, store):
    status = ar24.send(letter(), company())
    assert status.state is DeliveryState.DEPOSITED
    assert store.load("MED-2026-0001").step is Step.SUBMITTED

    ar24_standin.advance()
    status = ar24.status("MED-2026-0001")

    assert status.state is DeliveryState.DELIVERED
    assert status.registered_number == status.sending_id == "1001"
    proofs = download_proofs(ar24, status)
    assert [proof.kind for proof in proofs] == [
        ProofKind.DEPOSIT,
        ProofKind.FIRST_PRESENTATION,
        ProofKind.ACKNOWLEDGMENT,
    ]
    for proof in proofs:
        assert proof.sha256 == hashlib.sha256(proof.content).hexdigest()
        assert proof.content.startswith(b"%PDF-")
    assert proofs[2].at == status.receipt_date
    mail = ar24_standin.mails["1001"]["fields"]
    assert (mail["to_firstname"], mail["to_lastname"], mail["to_company"]) == (
        "Mme Claire",
        "Dupont",
        "SARL Dupont & Fils",
    )
    assert (mail["dest_statut"], mail["ref_dossier"], mail["eidas"]) == (
        "professionnel",
        "MED-2026-0001",
        "1",
    )


@pytest.mark.parametrize(
    ("name", "state", "kind"),
    [
        ("REFUS SA", DeliveryState.REFUSED, ProofKind.REFUSAL),
        ("NON RECLAME SA", DeliveryState.NOT_CLAIMED, ProofKind.NEGLIGENCE),
    ],
)
def test_refused_or_neglected_keeps_the_first_presentation(ar24, ar24_standin, name, state, kind):
    ar24.send(letter(), company(name=name))
    ar24_standin.advance()
    status = ar24.status("MED-2026-0001")
    assert status.state is state
    assert status.first_presentation_date is not None
    assert status.receipt_date is None
    assert download_proofs(ar24, status)[-1].kind is kind


@pytest.mark.parametrize("call", ["attachment", "mail", "list"])
@pytest.mark.parametrize("fault", ["timeout", "drop", "lost_answer", "late_answer", "500", "429"])
def test_each_fault_leaves_exactly_one_mail(ar24_standin, store, call, fault):
    rules = [FaultRule(call, fault, times=2)]
    if call == "list":  # the look-up runs after a lost send
        rules.insert(0, FaultRule("mail", "lost_answer"))
    ar24_standin.faults.rules = rules
    status = Ar24Client(ar24_config(ar24_standin), store).send(letter(), company())
    assert status.state is DeliveryState.DEPOSITED
    assert stats(ar24_standin)["submitted_per_reference"] == {"MED-2026-0001": 1}
    assert ar24_standin.faults.fired


def test_a_send_lost_by_an_earlier_run_is_found_not_repeated(ar24_standin, tmp_path):
    state_file = tmp_path / "state.json"
    ar24_standin.faults.rules = [FaultRule("mail", "lost_answer")]
    with pytest.raises(ProviderUnavailable):
        Ar24Client(ar24_config(ar24_standin, attempts=1), JsonStateStore(state_file)).send(
            letter(), company()
        )
    again = Ar24Client(ar24_config(ar24_standin), JsonStateStore(state_file))
    assert again.send(letter(), company()).sending_id == "1001"
    assert stats(ar24_standin)["calls"]["mail"] == 1


def test_sending_again_with_the_same_reference_sends_nothing(ar24, ar24_standin):
    ar24.send(letter(), company())
    ar24.send(letter(), company())
    calls = stats(ar24_standin)["calls"]
    assert (calls["attachment"], calls["mail"]) == (1, 1)


def test_lre_refused_to_a_consumer_without_consent(ar24, ar24_standin):
    consumer = company(name="Jean Martin", is_consumer=True)
    with pytest.raises(ConsentRequired, match=r"consommateur sans consentement .* \(LRAR\)"):
        ar24.send(letter(), consumer)
    assert stats(ar24_standin)["calls"] == {}


def test_lre_sent_to_a_consumer_who_agreed(ar24, ar24_standin):
    consumer = company(name="Jean Martin", is_consumer=True, lre_consent_date=date(2026, 1, 5))
    ar24.send(letter(), consumer)
    assert ar24_standin.mails["1001"]["fields"]["dest_statut"] == "particulier"
    assert "to_company" not in ar24_standin.mails["1001"]["fields"]


def test_lre_needs_to_know_whether_the_recipient_is_a_consumer(ar24):
    with pytest.raises(ConsentRequired, match="précisez « kind »"):
        ar24.send(letter(), company(is_consumer=None))


def test_lre_needs_an_email(ar24):
    with pytest.raises(DeliveryInputError, match="« email » manque"):
        ar24.send(letter(), company(email=None))


def test_a_wrong_private_key_is_refused_with_ar24s_slug(ar24_standin, store):
    client = Ar24Client(ar24_config(ar24_standin, private_key="wrong"), store)
    with pytest.raises(ProviderRejected) as error:
        client.send(letter(), company())
    assert error.value.provider_code == "invalid_signature"
    assert "AR24 a refusé l'étape « pièce jointe »" in str(error.value)
