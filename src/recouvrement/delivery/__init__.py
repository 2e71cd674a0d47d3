"""Registered letters sent through provider APIs, with their proofs coming back.

What the command line and the Odoo addon call:

- :func:`client_for` (``"maileva"`` or ``"ar24"``, CONFIG mapping, a :class:`StateStore`)
  gives a client with ``send(letter, recipient, sender)``, ``status(reference)`` and
  ``fetch(proof_link)``; :func:`download_proofs` fetches the proofs not stored yet;
- :func:`send_many` and :func:`refresh_many` overlap the calls of a batch;
  :func:`read_sending` re-reads one sending with its new proofs;
- :func:`sending_id_of` reads the sending a provider's callback names, to re-read it;
- the model: :class:`Letter`, :class:`Recipient`, :class:`SendingStatus`,
  :class:`DeliveryState`, :class:`Event`, :class:`Proof`, :class:`ProofKind`.
"""

from .batch import Outcome, read_sending, refresh_many, send_many
from .errors import (
    ConfigurationError,
    ConsentRequired,
    DeliveryError,
    DeliveryInputError,
    ProviderRejected,
    ProviderUnavailable,
    UnknownSending,
)
from .model import (
    DeliveryState,
    Event,
    Letter,
    Proof,
    ProofKind,
    ProofLink,
    Recipient,
    SendingStatus,
)
from .providers import CLIENTS, RegisteredLetterProvider, client_for, download_proofs
from .store import JsonStateStore, MemoryStateStore, SendingRecord, StateStore, Step
from .webhooks import secret_matches, sending_id_of
