"""What the engine knows of a registered letter, whatever the provider that carries it.

A provider client turns its own statuses into :class:`DeliveryState`, its proofs into
:class:`Proof` and its tracking into dated :class:`Event` s, so that the command line and
the Odoo addon read one model: the state, the registered number, the events and the
proofs, each proof with its SHA-256.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from ..postal_address import Party
from .errors import DeliveryInputError


class DeliveryState(str, enum.Enum):
    """Where a registered letter is, from its creation at the provider to its outcome."""

    DRAFT = "draft"  # created at the provider, not submitted yet: nothing is posted
    SUBMITTED = "submitted"  # submitted, not yet handed to the postman or the platform
    DEPOSITED = "deposited"  # deposit proof issued: the letter is in the postal network
    FIRST_PRESENTATION = "first_presentation"  # presented (or notified) to the recipient
    DELIVERED = "delivered"  # signed for, or the LRE accepted
    REFUSED = "refused"  # the recipient refused it
    NOT_CLAIMED = "not_claimed"  # left unclaimed (15 days for an LRE, CPCE R53-3)
    UNDELIVERABLE = "undeliverable"  # returned or rejected; the reason says why

    @property
    def is_final(self) -> bool:
        return self in _FINAL_STATES

    @property
    def label_fr(self) -> str:
        return _LABELS_FR[self]


_FINAL_STATES = frozenset(
    {
        DeliveryState.DELIVERED,
        DeliveryState.REFUSED,
        DeliveryState.NOT_CLAIMED,
        DeliveryState.UNDELIVERABLE,
    }
)
_LABELS_FR = {
    DeliveryState.DRAFT: "brouillon",
    DeliveryState.SUBMITTED: "soumis",
    DeliveryState.DEPOSITED: "déposé",
    DeliveryState.FIRST_PRESENTATION: "première présentation",
    DeliveryState.DELIVERED: "distribué",
    DeliveryState.REFUSED: "refusé",
    DeliveryState.NOT_CLAIMED: "non réclamé",
    DeliveryState.UNDELIVERABLE: "non distribuable",
}


class ProofKind(str, enum.Enum):
    """The proofs a registered letter brings back."""

    DEPOSIT = "deposit"  # preuve de dépôt
    FIRST_PRESENTATION = "first_presentation"  # AR24 « preuve d'envoi » (notification)
    ACKNOWLEDGMENT = "acknowledgment"  # avis de réception signed, or LRE accepted
    REFUSAL = "refusal"
    NEGLIGENCE = "negligence"  # not claimed within the time allowed
    UNDELIVERED_NOTICE = "undelivered_notice"  # pli non distribuable, bounce


@dataclass(frozen=True)
class Event:
    """One dated step of the letter's tracking, in the provider's words and in ours."""

    at: datetime
    state: DeliveryState | None  # None for a tracking step that changes nothing for us
    code: str  # the provider's code (Maileva « D01 », AR24 « ar »)
    label: str  # the provider's label

    def to_dict(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "state": self.state.value if self.state else None,
            "code": self.code,
            "label": self.label,
        }


@dataclass(frozen=True)
class Proof:
    """A proof document downloaded from the provider."""

    kind: ProofKind
    filename: str
    content: bytes = field(repr=False)
    at: datetime | None = None  # the date the proof attests (receipt, deposit, …)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class ProofLink:
    """A proof the provider has, not downloaded yet: the client knows how to fetch it."""

    kind: ProofKind
    filename: str
    locator: str  # the provider's URL or path of the document
    at: datetime | None = None


def state_of(events) -> tuple[DeliveryState, str | None]:
    """The letter's state from its tracking events (in date order) and, when it did not
    arrive, the reason: the first final state wins, later steps change nothing.

    >>> from datetime import datetime
    >>> state_of([Event(datetime(2026, 3, 21), DeliveryState.DEPOSITED, "D", "Déposé"),
    ...           Event(datetime(2026, 4, 6), DeliveryState.NOT_CLAIMED, "N", "Non réclamé"),
    ...           Event(datetime(2026, 4, 7), DeliveryState.DELIVERED, "R", "Retourné")])
    (<DeliveryState.NOT_CLAIMED: 'not_claimed'>, 'Non réclamé')
    """
    state, reason = DeliveryState.SUBMITTED, None
    for event in events:
        if event.state is None or state.is_final:
            continue
        state = event.state
        if state.is_final and state is not DeliveryState.DELIVERED:
            reason = event.label
    return state, reason


@dataclass(frozen=True)
class SendingStatus:
    """The provider's view of one sending, turned into the engine's model."""

    reference: str
    provider: str
    sending_id: str
    state: DeliveryState
    registered_number: str | None = None
    reason: str | None = None  # why it was refused, returned or rejected
    events: tuple[Event, ...] = ()
    proof_links: tuple[ProofLink, ...] = ()

    def date_of(self, state: DeliveryState) -> datetime | None:
        """The date of the first event that brought the letter to ``state``."""
        return next((event.at for event in self.events if event.state is state), None)

    @property
    def first_presentation_date(self) -> datetime | None:
        return self.date_of(DeliveryState.FIRST_PRESENTATION)

    @property
    def receipt_date(self) -> datetime | None:
        """The date the recipient received it: the acknowledgment's date."""
        return self.date_of(DeliveryState.DELIVERED)

    def to_dict(self) -> dict:
        return {
            "reference": self.reference,
            "provider": self.provider,
            "sending_id": self.sending_id,
            "state": self.state.value,
            "state_label": self.state.label_fr,
            "registered_number": self.registered_number,
            "reason": self.reason,
            "events": [event.to_dict() for event in self.events],
        }


@dataclass(frozen=True)
class Recipient:
    """The addressee of a registered letter: a postal party, plus what an LRE needs."""

    party: Party
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_consumer: bool | None = None  # None: not said (an LRE then cannot be sent)
    lre_consent_date: date | None = None  # the consumer's recorded consent (CPCE L100)

    @classmethod
    def from_mapping(cls, data: Mapping) -> Recipient:
        """The recipient of RECIPIENT.json: the party's keys, and ``email``,
        ``first_name``, ``last_name``, ``kind`` (``consumer`` or ``professional``) and
        ``lre_consent_date`` (YYYY-MM-DD) for an electronic registered letter."""
        party = Party.from_mapping(data)
        return cls(
            party=party,
            email=_optional_text(data, "email"),
            first_name=_optional_text(data, "first_name"),
            last_name=_optional_text(data, "last_name"),
            is_consumer=_consumer(data.get("kind")),
            lre_consent_date=_optional_date(data, "lre_consent_date"),
        )


def _optional_text(data: Mapping, key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise DeliveryInputError(f"Destinataire : « {key} » doit être du texte.")
    return value.strip() or None


def _consumer(kind) -> bool | None:
    if kind is None:
        return None
    if kind not in ("consumer", "professional"):
        raise DeliveryInputError(
            f"Destinataire : « kind » vaut « {kind} » ; « consumer » ou « professional » attendu."
        )
    return kind == "consumer"


def _optional_date(data: Mapping, key: str) -> date | None:
    text = _optional_text(data, key)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DeliveryInputError(
            f"Destinataire : « {key} » vaut « {text} », date AAAA-MM-JJ attendue."
        ) from None


@dataclass(frozen=True)
class Letter:
    """The PDF to send, under our reference (the communication's)."""

    reference: str
    pdf: bytes = field(repr=False)
    filename: str = "lettre.pdf"
    subject: str = "Lettre recommandée"

    def __post_init__(self):
        if not self.reference or not self.reference.strip():
            raise DeliveryInputError("La référence de l'envoi est vide.")
        if len(self.reference) > 38:  # Maileva's custom_id holds 38 characters
            raise DeliveryInputError(
                f"Référence « {self.reference} » : {len(self.reference)} caractères, 38 au plus."
            )
        if not self.pdf.startswith(b"%PDF-"):
            raise DeliveryInputError(f"« {self.filename} » n'est pas un PDF lisible.")
