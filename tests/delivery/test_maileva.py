"""The Maileva client against the Maileva stand-in, over real HTTP on 127.0.0.1."""

import hashlib
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from recouvrement.delivery.errors import (
    DeliveryInputError,
    ProviderRejected,
    ProviderUnavailable,
)
from recouvrement.delivery.maileva import MailevaClient
from recouvrement.delivery.model import DeliveryState, ProofKind
from recouvrement.delivery.providers import download_proofs
from recouvrement.delivery.standins import FaultRule
from recouvrement.delivery.store import JsonStateStore, Step
from recouvrement.postal_address import AddressError, Party

from .conftest import company, letter, maileva_config, stats

WRITE_CALLS = ("token", "create", "document", "recipient", "submit")
CHECK_CALLS = ("list", "documents", "recipients", "read")
FAULTS = ("timeout", "drop", "lost_answer", "late_answer", "500", "503", "429", "expired_token")


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_letter_goes_from_pdf_to_delivered_with_every_proof(maileva, maileva_standin, store):
    status = maileva.send(letter(), company())
    assert status.state is DeliveryState.SUBMITTED
    assert store.load("MED-2026-0001").step is Step.SUBMITTED
    assert store.load("MED-2026-0001").sending_id == status.sending_id

    maileva_standin.advance()
    status = maileva.status("MED-2026-0001")

    assert status.state is DeliveryState.DELIVERED
    assert status.registered_number == "1A00000000001"
    assert [event.code for event in status.events] == [
        "SUBMITTED",
        "DEPOSIT_PROOF",
        "A01",
        "A02",
        "D01",
        "N01",
    ]
    assert status.receipt_date - status.first_presentation_date == timedelta(days=1)
    proofs = download_proofs(maileva, status)
    assert [proof.kind for proof in proofs] == [ProofKind.DEPOSIT, ProofKind.ACKNOWLEDGMENT]
    for proof in proofs:
        assert proof.content.startswith(b"%PDF-")
        assert proof.sha256 == hashlib.sha256(proof.content).hexdigest()
    acknowledgment = pdf_text(proofs[1].content)
    assert "Avis de réception" in acknowledgment
    assert "1A00000000001" in acknowledgment
    assert proofs[1].at == status.receipt_date
    assert download_proofs(maileva, status, already=[ProofKind.DEPOSIT]) == proofs[1:]


def test_what_the_stand_in_received_is_what_the_issue_asks(maileva, maileva_standin):
    maileva.send(
        letter(), company(), sender=Party("SAS Créancier", "1 quai Perrache", "69002", "Lyon")
    )
    sending = next(iter(maileva_standin.sendings.values()))
    assert sending["fields"]["custom_id"] == "MED-2026-0001"
    assert sending["fields"]["acknowledgement_of_receipt"] is True
    assert sending["fields"]["sender_address_line_1"] == "SAS Créancier"
    assert sending["fields"]["sender_address_line_6"] == "69002 LYON"
    recipient = sending["recipients"][0]
    assert recipient["address_line_1"] == "SARL Dupont & Fils"
    assert recipient["address_line_2"] == "Mme Claire Dupont"
    assert recipient["address_line_4"] == "12 rue de la République"
    assert recipient["address_line_6"] == "69002 LYON"
    assert "address_line_3" not in recipient
    assert sending["documents"][0]["name"] == "mise-en-demeure.pdf"


@pytest.mark.parametrize(
    ("call", "fault"),
    [
        (call, fault)
        for call in WRITE_CALLS + CHECK_CALLS
        for fault in FAULTS
        if (call, fault) != ("token", "expired_token")  # no token to expire there
    ],
)
def test_each_fault_leaves_exactly_one_sending(maileva_standin, store, call, fault):
    # The check calls fail while the write they check is retried: fail the write first.
    rules = [FaultRule(call, fault, times=2)]
    if call in CHECK_CALLS:
        write = {
            "list": "create",
            "documents": "document",
            "recipients": "recipient",
            "read": "submit",
        }[call]
        rules.insert(0, FaultRule(write, "lost_answer"))
    maileva_standin.faults.rules = rules
    client = MailevaClient(maileva_config(maileva_standin), store)

    status = client.send(letter(), company())

    assert status.state is DeliveryState.SUBMITTED
    counts = stats(maileva_standin)
    assert counts["sendings"] == 1
    assert counts["submitted_per_reference"] == {"MED-2026-0001": 1}
    assert maileva_standin.faults.fired  # the fault did strike
    sending = next(iter(maileva_standin.sendings.values()))
    assert len(sending["documents"]) == 1
    assert len(sending["recipients"]) == 1


def test_sending_again_with_the_same_reference_sends_nothing(maileva_standin, tmp_path):
    state_file = tmp_path / "state.json"
    first = MailevaClient(maileva_config(maileva_standin), JsonStateStore(state_file))
    sent = first.send(letter(), company())
    second = MailevaClient(maileva_config(maileva_standin), JsonStateStore(state_file))

    again = second.send(letter(), company())

    assert again.sending_id == sent.sending_id
    calls = stats(maileva_standin)["calls"]
    assert (calls["create"], calls["document"], calls["recipient"], calls["submit"]) == (1, 1, 1, 1)


def test_a_submit_whose_answer_was_lost_is_never_repeated(maileva_standin, tmp_path):
    state_file = tmp_path / "state.json"
    maileva_standin.faults.rules = [FaultRule("submit", "lost_answer")]
    impatient = MailevaClient(
        maileva_config(maileva_standin, attempts=1), JsonStateStore(state_file)
    )
    with pytest.raises(ProviderUnavailable, match="« soumission »"):
        impatient.send(letter(), company())
    assert JsonStateStore(state_file).load("MED-2026-0001").step is Step.SUBMITTING

    status = MailevaClient(maileva_config(maileva_standin), JsonStateStore(state_file)).send(
        letter(), company()
    )

    assert status.state is DeliveryState.SUBMITTED
    assert stats(maileva_standin)["calls"]["submit"] == 1


def test_a_create_lost_before_its_id_was_saved_is_found_by_its_reference(maileva_standin, tmp_path):
    state_file = tmp_path / "state.json"
    maileva_standin.faults.rules = [FaultRule("create", "lost_answer")]
    with pytest.raises(ProviderUnavailable):
        MailevaClient(maileva_config(maileva_standin, attempts=1), JsonStateStore(state_file)).send(
            letter(), company()
        )
    assert JsonStateStore(state_file).load("MED-2026-0001").sending_id is None

    MailevaClient(maileva_config(maileva_standin), JsonStateStore(state_file)).send(
        letter(), company()
    )

    assert stats(maileva_standin)["sendings"] == 1
    assert stats(maileva_standin)["calls"]["create"] == 1


def test_a_provider_down_is_a_french_error_and_nothing_is_lost(maileva_standin, store):
    maileva_standin.faults.rules = [FaultRule("document", "503", times=99)]
    client = MailevaClient(maileva_config(maileva_standin, attempts=3), store)
    with pytest.raises(
        ProviderUnavailable,
        match=r"Maileva injoignable à l'étape « ajout du "
        r"document » après 3 essais \(HTTP 503\)",
    ):
        client.send(letter(), company())
    assert store.load("MED-2026-0001").step is Step.CREATED

    maileva_standin.faults.rules = []
    client.send(letter(), company())
    assert stats(maileva_standin)["sendings"] == 1


def test_the_token_is_cached_across_letters(maileva, maileva_standin):
    for number in range(3):
        maileva.send(letter(f"MED-{number}"), company())
    assert stats(maileva_standin)["calls"]["token"] == 1


def test_a_token_about_to_expire_is_renewed_before_use(maileva_standin, store):
    maileva_standin.token_lifetime = 60  # no longer than the client's renewal margin
    client = MailevaClient(maileva_config(maileva_standin), store)
    client.send(letter(), company())
    calls = stats(maileva_standin)["calls"]
    api_calls = sum(count for call, count in calls.items() if call != "token")
    assert calls["token"] == api_calls  # a fresh token for each call
    assert stats(maileva_standin)["refused_tokens"] == 0  # never an expired one


def test_wrong_credentials_are_a_4xx_naming_the_provider_code(maileva_standin, store):
    client = MailevaClient(maileva_config(maileva_standin, password="wrong"), store)
    with pytest.raises(ProviderRejected) as error:
        client.send(letter(), company())
    assert error.value.provider_code == "invalid_grant"
    assert str(error.value) == (
        "Maileva a refusé l'étape « authentification » (HTTP 401) : invalid_grant — "
        "Invalid user credentials"
    )


def test_a_4xx_from_the_api_names_its_code_and_message(maileva, maileva_standin):
    maileva.send(letter(), company())
    sending_id = next(iter(maileva_standin.sendings))
    with pytest.raises(ProviderRejected, match="SENDING_STATUS_IS_NOT_DRAFT — L'envoi n'est pas"):
        maileva._call(
            "POST",
            f"/sendings/{sending_id}/recipients",
            "ajout du destinataire",
            json={"address_line_1": "X", "address_line_6": "69002 LYON", "country_code": "FR"},
        )


def test_an_address_that_does_not_fit_is_refused_before_anything_is_sent(maileva, maileva_standin):
    recipient = company(name="Société Anonyme des Transports Girard et Fils")
    with pytest.raises(AddressError, match=r"^Ligne 1 de l'adresse"):
        maileva.send(letter(), recipient)
    assert stats(maileva_standin)["calls"] == {}


def test_a_country_maileva_does_not_serve_is_refused(maileva, maileva_standin):
    party = Party("Anna Rossi", "Via Roma 10", "00184", "Roma", country="IT")
    with pytest.raises(DeliveryInputError, match=r"vers ce pays \(IT\)"):
        maileva.send(letter(), company().__class__(party))
    assert stats(maileva_standin)["calls"] == {}


@pytest.mark.parametrize(
    ("name", "state", "reason"),
    [
        ("SARL REFUS", DeliveryState.REFUSED, "Refusé"),
        (
            "SARL NON RECLAME",
            DeliveryState.NOT_CLAIMED,
            "Retourné à l'expéditeur pour cause de dépassement de délai d'instance",
        ),
        ("SARL INCONNU", DeliveryState.UNDELIVERABLE, "PND (Pli Non Distribuable) pour une LR"),
    ],
)
def test_letters_that_come_back(maileva, maileva_standin, name, state, reason):
    maileva.send(letter(), company(name=name))
    maileva_standin.advance()
    status = maileva.status("MED-2026-0001")
    assert (status.state, status.reason, status.receipt_date) == (state, reason, None)
    if state is not DeliveryState.UNDELIVERABLE:
        assert status.first_presentation_date is not None
    kinds = [proof.kind for proof in download_proofs(maileva, status)]
    assert kinds == [ProofKind.DEPOSIT, ProofKind.UNDELIVERED_NOTICE]


def test_progress_step_by_step(maileva, maileva_standin):
    status = maileva.send(letter(), company())
    states = [status.state]
    for _ in range(3):
        maileva_standin.advance(status.sending_id, steps=1)
        states.append(maileva.status("MED-2026-0001").state)
    assert states == [
        DeliveryState.SUBMITTED,
        DeliveryState.DEPOSITED,
        DeliveryState.FIRST_PRESENTATION,
        DeliveryState.DELIVERED,
    ]
