"""Stand-ins on 127.0.0.1 and clients pointed at them, with retries fast enough for tests.

A client gives up waiting after ``TIMEOUT`` seconds; a stand-in's « timeout » fault hangs
``HANG`` seconds, longer, so that the client really times out over real HTTP.
"""

from __future__ import annotations

import pytest

from recouvrement.delivery.ar24 import Ar24Client
from recouvrement.delivery.maileva import MailevaClient
from recouvrement.delivery.model import Letter, Recipient
from recouvrement.delivery.standins import Ar24Standin, MailevaStandin
from recouvrement.delivery.store import MemoryStateStore
from recouvrement.postal_address import Party
from tests.dossier.pdfs import text_pdf

TIMEOUT = 0.25
HANG = 0.5
FAST = {"timeout": TIMEOUT, "backoff": 0.01, "attempts": 5}


@pytest.fixture
def maileva_standin():
    server = MailevaStandin(hang_seconds=HANG).start()
    yield server
    server.stop()


@pytest.fixture
def ar24_standin():
    server = Ar24Standin(hang_seconds=HANG).start()
    yield server
    server.stop()


def maileva_config(server, **overrides) -> dict:
    return {**server.sample_config(), **FAST, **overrides}


def ar24_config(server, **overrides) -> dict:
    return {**server.sample_config(), **FAST, **overrides}


@pytest.fixture
def store():
    return MemoryStateStore()


@pytest.fixture
def maileva(maileva_standin, store):
    return MailevaClient(maileva_config(maileva_standin), store)


@pytest.fixture
def ar24(ar24_standin, store):
    return Ar24Client(ar24_config(ar24_standin), store)


def letter(reference="MED-2026-0001", lines=("Mise en demeure de payer",)) -> Letter:
    return Letter(reference, text_pdf(list(lines)), filename="mise-en-demeure.pdf")


def company(name="SARL Dupont & Fils", **fields) -> Recipient:
    party = Party(
        name=name,
        attention="Mme Claire Dupont",
        street="12 rue de la République",
        zip="69002",
        city="Lyon",
    )
    defaults = {"email": "claire.dupont@dupont.example", "is_consumer": False}
    return Recipient(party, **{**defaults, **fields})


def stats(server) -> dict:
    import json

    return json.loads(server.stats_reply().body)
