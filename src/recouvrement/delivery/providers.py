"""The provider interface and the registry of clients by name.

Every client has the same three calls, which the command line and the Odoo addon use:

- ``send(letter, recipient, sender=None) -> SendingStatus``: send once, under the
  letter's reference; called again with the same reference it only reads the state;
- ``status(reference) -> SendingStatus``: re-read the sending from the provider;
- ``fetch(link) -> Proof``: download one proof the status lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from ..postal_address import Party
from .ar24 import Ar24Client
from .errors import ConfigurationError
from .maileva import MailevaClient
from .model import Letter, Proof, ProofKind, ProofLink, Recipient, SendingStatus
from .store import StateStore

CLIENTS = {MailevaClient.name: MailevaClient, Ar24Client.name: Ar24Client}


class RegisteredLetterProvider(Protocol):
    name: str

    def send(
        self, letter: Letter, recipient: Recipient, sender: Party | None = None
    ) -> SendingStatus: ...

    def status(self, reference: str) -> SendingStatus: ...

    def fetch(self, link: ProofLink) -> Proof: ...


def client_for(provider: str, config: Mapping, store: StateStore) -> RegisteredLetterProvider:
    """The client of ``provider`` (``maileva`` or ``ar24``) with its CONFIG.json."""
    try:
        client_class = CLIENTS[provider]
    except KeyError:
        raise ConfigurationError(
            f"Prestataire « {provider} » inconnu : {' ou '.join(sorted(CLIENTS))} attendu."
        ) from None
    return client_class(config, store)


def download_proofs(
    client: RegisteredLetterProvider,
    status: SendingStatus,
    already: Iterable[ProofKind] = (),
) -> list[Proof]:
    """The proofs the status lists, except the kinds already stored."""
    known = set(already)
    return [client.fetch(link) for link in status.proof_links if link.kind not in known]
