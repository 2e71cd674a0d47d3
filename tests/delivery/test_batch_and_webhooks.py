"""Batches with overlapped calls, and callbacks that only trigger a re-read."""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from recouvrement.delivery.batch import refresh_many, send_many
from recouvrement.delivery.maileva import MailevaClient
from recouvrement.delivery.model import DeliveryState
from recouvrement.delivery.standins import FaultPlan
from recouvrement.delivery.store import MemoryStateStore
from recouvrement.delivery.webhooks import secret_matches, sending_id_of

from .conftest import company, letter, maileva_config, stats


def test_a_batch_with_random_faults_sends_each_letter_once(maileva_standin):
    maileva_standin.faults = FaultPlan(random_rate=0.15, seed=7)
    client = MailevaClient(maileva_config(maileva_standin, attempts=8), MemoryStateStore())
    references = [f"MED-{number:03d}" for number in range(30)]

    outcomes = send_many(client, [(letter(ref), company(), None) for ref in references], 6)

    assert [outcome.reference for outcome in outcomes] == references
    assert [outcome.error for outcome in outcomes] == [None] * 30
    counts = stats(maileva_standin)
    assert counts["sendings"] == 30
    assert counts["submitted_per_reference"] == dict.fromkeys(references, 1)
    assert sum(maileva_standin.faults.fired.values()) > 0

    maileva_standin.advance()
    refreshed = refresh_many(client, references, 6, stored={references[0]: ["deposit"]})
    assert {outcome.status.state for outcome in refreshed} == {DeliveryState.DELIVERED}
    # The proofs come with the status, except the kinds already stored.
    kinds = [[proof.kind.value for proof in outcome.proofs] for outcome in refreshed]
    assert kinds == [["acknowledgment"]] + [["deposit", "acknowledgment"]] * 29
    assert all(proof.content.startswith(b"%PDF-") for proof in refreshed[1].proofs)


def test_a_proof_that_cannot_be_downloaded_fails_its_letter_only(maileva_standin):
    client = MailevaClient(maileva_config(maileva_standin), MemoryStateStore())
    send_many(client, [(letter(ref), company(), None) for ref in ("MED-1", "MED-2")])
    maileva_standin.advance()
    maileva_standin.faults = FaultPlan([{"call": "download_ar", "kind": "500", "times": 99}])
    first, second = refresh_many(client, ["MED-1", "MED-2"], stored={"MED-2": ["acknowledgment"]})
    assert first.error is not None and first.status is None
    assert "injoignable" in str(first.error)
    assert second.error is None
    assert [proof.kind.value for proof in second.proofs] == ["deposit"]


def test_one_bad_letter_fails_alone(maileva_standin):
    client = MailevaClient(maileva_config(maileva_standin), MemoryStateStore())
    jobs = [(letter("MED-1"), company(), None), (letter("MED-2"), company(name="N" * 39), None)]
    first, second = send_many(client, jobs)
    assert first.status.state is DeliveryState.SUBMITTED
    assert "Ligne 1 de l'adresse" in str(second.error)
    assert stats(maileva_standin)["sendings"] == 1


class Receiver(ThreadingHTTPServer):
    """What the addon's webhook controller does: authenticate, then re-read the sending."""

    def __init__(self, client, username, password):
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.client, self.credentials = client, f"{username}:{password}"
        self.rejected, self.reread = 0, []
        self.references = {}  # sending id -> our reference, as the addon's records hold it


class ReceiverHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        server = self.server
        body = self.rfile.read(int(self.headers["Content-Length"]))
        header = self.headers.get("Authorization", "").removeprefix("Basic ")
        received = base64.b64decode(header).decode() if header else None
        sending_id = sending_id_of("maileva", body)
        if not secret_matches(server.credentials, received) or sending_id not in server.references:
            server.rejected += 1
            self.send_response(401)
        else:
            status = server.client.status(server.references[sending_id])  # never the payload
            server.reread.append(status.state)
            self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def receiver(maileva_standin):
    client = MailevaClient(maileva_config(maileva_standin), MemoryStateStore())
    server = Receiver(client, "hook", "s3cret")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_duplicated_reordered_and_forged_callbacks_change_nothing(maileva_standin, receiver):
    url = f"http://127.0.0.1:{receiver.server_address[1]}/webhook"
    maileva_standin.webhook_url = url
    maileva_standin.webhook_auth = ("hook", "s3cret")
    maileva_standin.webhook_options = {"duplicate": True, "reverse": True, "forge": True}
    status = receiver.client.send(letter(), company())
    receiver.references[status.sending_id] = status.reference

    maileva_standin.advance(status.sending_id, steps=1)  # deposited
    maileva_standin.deliver_webhooks()
    assert set(receiver.reread) == {DeliveryState.DEPOSITED}  # forged « delivered » ignored
    maileva_standin.advance(status.sending_id, steps=2)  # first presentation, delivered
    maileva_standin.deliver_webhooks()

    events = [sent["payload"]["event_type"] for sent in maileva_standin.webhooks_sent]
    assert events.count("ON_DEPOSIT_PROOF_RECEIVED") == 4  # twice genuine, twice forged
    assert receiver.rejected == len(maileva_standin.webhooks_sent) // 2
    assert receiver.reread[-1] is DeliveryState.DELIVERED
    assert len(receiver.reread) == 6  # 2 events at deposit, 1 at delivery, each twice


def test_webhook_payloads_name_the_sending():
    assert sending_id_of("maileva", json.dumps({"resource_id": "s-1"}).encode()) == "s-1"
    assert sending_id_of("maileva", b"[]") is None
    assert sending_id_of("ar24", b"new_state=ar") is None
    assert not secret_matches("s3cret", None)
    assert not secret_matches("s3cret", "s3cre")
