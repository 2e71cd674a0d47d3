"""Maileva's ``registered_mail`` API: paper registered letters with acknowledgment (LRAR).

Written against Maileva's public OpenAPI description « Envoi et Suivi de Lettres
Recommandées En Ligne distribuées par le facteur », version 2.5 (``/registered_mail/v2``),
and the « Maileva Connect » authentication description v1.4 (OAuth2 password grant).
The base URL, the token URL and the API version are configuration: sandbox and
production hosts differ, and v4 keeps this flow.

The flow: create the sending (DRAFT) with our reference as ``custom_id``, upload the
PDF, add the recipient, submit. The sending id is saved the moment Maileva gives it; a
step that timed out is checked before it is retried (documents or recipients listed,
the sending read), submit is retried only while the sending still reads DRAFT, and a
create whose answer was lost is found again by its ``custom_id``.
"""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from collections.abc import Mapping
from datetime import datetime

from ..postal_address import Party, country_code, provider_lines
from .errors import (
    ConfigurationError,
    DeliveryInputError,
    ProviderRejected,
    ProviderUnavailable,
    UnknownSending,
)
from .http import RetryPolicy, Transient, call_with_retries, new_session, send
from .model import (
    DeliveryState,
    Event,
    Letter,
    Proof,
    ProofKind,
    ProofLink,
    Recipient,
    SendingStatus,
    state_of,
)
from .store import SendingRecord, StateStore, Step

NAME = "maileva"
LABEL = "Maileva"
REQUIRED_KEYS = ("api_url", "auth_url", "client_id", "client_secret", "username", "password")
# registered_mail v2.5, schema country_code: where Maileva posts registered letters.
COUNTRIES = frozenset({"FR", "MC", "AD", "RE", "YT", "MQ", "GP", "MF", "BL", "GF", "PM"})
TOKEN_MARGIN = 60  # seconds: a token is renewed this long before it expires
PAGE_SIZE = 500  # the largest page GET /sendings serves

# Delivery status codes of registered_mail v2.5 (delivery_statuses_response) and what each
# means for the letter; the codes not listed are tracking steps that change nothing.
DELIVERY_CODES = {
    "A01": DeliveryState.DEPOSITED,  # pris en charge
    "A02": DeliveryState.FIRST_PRESENTATION,  # avisé
    "A05": DeliveryState.FIRST_PRESENTATION,  # tentative de distribution infructueuse
    "P01": DeliveryState.FIRST_PRESENTATION,  # attend d'être retiré au guichet
    "P02": DeliveryState.FIRST_PRESENTATION,  # en attente de seconde présentation
    "D01": DeliveryState.DELIVERED,  # distribué
    "N01": DeliveryState.DELIVERED,  # AR signé
    "A16": DeliveryState.REFUSED,
    "A18": DeliveryState.REFUSED,
    "P04": DeliveryState.REFUSED,
    "P05": DeliveryState.REFUSED,
    "N05": DeliveryState.REFUSED,
    "N08": DeliveryState.REFUSED,
    "A14": DeliveryState.NOT_CLAIMED,
    "A17": DeliveryState.NOT_CLAIMED,
    "P03": DeliveryState.NOT_CLAIMED,
    "N03": DeliveryState.NOT_CLAIMED,
    "A19": DeliveryState.UNDELIVERABLE,
    "A21": DeliveryState.UNDELIVERABLE,
    "A22": DeliveryState.UNDELIVERABLE,
    "A23": DeliveryState.UNDELIVERABLE,
    "A24": DeliveryState.UNDELIVERABLE,
    "A26": DeliveryState.UNDELIVERABLE,
    "N02": DeliveryState.UNDELIVERABLE,
    "N04": DeliveryState.UNDELIVERABLE,
    "N06": DeliveryState.UNDELIVERABLE,
    "N07": DeliveryState.UNDELIVERABLE,
    "N10": DeliveryState.UNDELIVERABLE,
}


class MailevaConfig:
    """CONFIG.json for Maileva: URLs, credentials, options and retry policy."""

    def __init__(self, data: Mapping):
        if not isinstance(data, Mapping):
            raise ConfigurationError("Configuration Maileva : objet JSON attendu.")
        for key in REQUIRED_KEYS:
            if not isinstance(data.get(key), str) or not data[key].strip():
                raise ConfigurationError(f"Configuration Maileva : « {key} » manque.")
        self.api_url = data["api_url"].rstrip("/")
        self.auth_url = data["auth_url"]
        self.client_id = data["client_id"]
        self.client_secret = data["client_secret"]
        self.username = data["username"]
        self.password = data["password"]
        self.api_version = data.get("api_version", "v2")
        self.notification_email = data.get("notification_email", self.username)
        self.acknowledgement_of_receipt_scanning = bool(data.get("ar_scanning", True))
        self.color_printing = bool(data.get("color_printing", False))
        self.duplex_printing = bool(data.get("duplex_printing", True))
        self.archiving_duration = int(data.get("archiving_duration", 6))
        self.retry = RetryPolicy.from_mapping(data)

    @property
    def base(self) -> str:
        return f"{self.api_url}/registered_mail/{self.api_version}"


class _Token:
    """The OAuth2 bearer token, shared by the client's threads, renewed before expiry."""

    def __init__(self):
        self.value: str | None = None
        self.expires_at = 0.0
        self.lock = threading.Lock()

    def valid(self) -> bool:
        return self.value is not None and time.monotonic() < self.expires_at - TOKEN_MARGIN

    def expire(self):
        with self.lock:
            self.value = None


class MailevaClient:
    """Send a registered letter through Maileva, read its state, fetch its proofs."""

    name = NAME

    def __init__(self, config: Mapping | MailevaConfig, store: StateStore, session=None):
        self.config = config if isinstance(config, MailevaConfig) else MailevaConfig(config)
        self.store = store
        self.session = session or new_session(self.config.retry)
        self._token = _Token()

    # -- the provider interface --------------------------------------------------------

    def send(
        self, letter: Letter, recipient: Recipient, sender: Party | None = None
    ) -> SendingStatus:
        """Send ``letter`` once; again with the same reference, it only reads the state."""
        lines, country = self._recipient_address(recipient.party)
        sender_address = self._sender_fields(sender)
        record, resumed = self._record(letter.reference)
        if record.step is Step.CREATING:
            self._create(record, letter, sender_address, check_first=resumed)
            resumed = False
        if record.step is Step.CREATED:
            self._add_document(record, letter, check_first=resumed)
            resumed = False
        if record.step is Step.DOCUMENT_ADDED:
            self._add_recipient(record, lines, country, check_first=resumed)
            resumed = False
        if record.step in (Step.RECIPIENT_ADDED, Step.SUBMITTING):
            self._submit(record)
        return self.status(letter.reference)

    def status(self, reference: str) -> SendingStatus:
        """The sending's state, registered number, events and the proofs it has."""
        try:
            return self._read_status(reference)
        except Transient as error:
            raise ProviderUnavailable(
                f"{LABEL} injoignable pour lire « {reference} » ({error.reason}) ; "
                "réessayez plus tard."
            ) from None

    def fetch(self, link: ProofLink) -> Proof:
        """Download one proof."""
        try:
            response = self._call("GET", link.locator, step="téléchargement de preuve")
        except Transient as error:
            raise ProviderUnavailable(
                f"{LABEL} injoignable pour télécharger {link.filename} ({error.reason})."
            ) from None
        return Proof(link.kind, link.filename, _pdf_of(response.content), link.at)

    def _read_status(self, reference: str) -> SendingStatus:
        record = self._known(reference)
        sending = self._get(f"/sendings/{record.sending_id}")
        recipient = self._first_recipient(record.sending_id)
        statuses = []
        if recipient is not None:
            path = f"/sendings/{record.sending_id}/recipients/{recipient['id']}/delivery_statuses"
            statuses = self._get(path).get("delivery_statuses") or []
        return _status(reference, sending, recipient, statuses)

    # -- steps -------------------------------------------------------------------------

    def _record(self, reference: str) -> tuple[SendingRecord, bool]:
        record = self.store.load(reference)
        if record is not None:
            if record.provider != NAME:
                raise DeliveryInputError(
                    f"La référence « {reference} » a déjà été envoyée par {record.provider}."
                )
            return record, True
        record = SendingRecord(reference=reference, provider=NAME)
        self.store.save(record)  # the intent first: a lost answer is then looked for
        return record, False

    def _create(self, record, letter: Letter, sender_fields: dict, check_first: bool):
        body = {
            "name": letter.subject[:256],
            "custom_id": letter.reference,
            "acknowledgement_of_receipt": True,
            "acknowledgement_of_receipt_scanning": self.config.acknowledgement_of_receipt_scanning,
            "color_printing": self.config.color_printing,
            "duplex_printing": self.config.duplex_printing,
            "archiving_duration": self.config.archiving_duration,
            "notification_email": self.config.notification_email,
            **sender_fields,
        }
        sending = call_with_retries(
            LABEL,
            "création de l'envoi",
            self.config.retry,
            action=lambda: self._post_json("/sendings", body, "création de l'envoi"),
            check=lambda: self._find_by_custom_id(letter.reference),
            check_first=check_first,
        )
        record.sending_id = sending["id"]
        record.step = Step.CREATED
        self.store.save(record)

    def _add_document(self, record, letter: Letter, check_first: bool):
        path = f"/sendings/{record.sending_id}/documents"
        metadata = json.dumps({"priority": 1, "name": letter.filename})
        files = {
            "document": (letter.filename, letter.pdf, "application/pdf"),
            "metadata": (None, metadata, "application/json"),
        }
        step = "ajout du document"
        call_with_retries(
            LABEL,
            step,
            self.config.retry,
            action=lambda: self._call("POST", path, step=step, files=files).json(),
            check=lambda: self._get(path).get("documents") or None,
            check_first=check_first,
        )
        record.step = Step.DOCUMENT_ADDED
        self.store.save(record)

    def _add_recipient(self, record, lines: list[str], country: str, check_first: bool):
        path = f"/sendings/{record.sending_id}/recipients"
        body = {f"address_line_{number}": line for number, line in enumerate(lines, 1) if line}
        body["country_code"] = country
        call_with_retries(
            LABEL,
            "ajout du destinataire",
            self.config.retry,
            action=lambda: self._post_json(path, body, "ajout du destinataire"),
            check=lambda: self._first_recipient(record.sending_id),
            check_first=check_first,
        )
        record.step = Step.RECIPIENT_ADDED
        self.store.save(record)

    def _submit(self, record):
        """Submit, which cannot be undone: retried only after reading the sending is DRAFT."""
        resumed = record.step is Step.SUBMITTING
        record.step = Step.SUBMITTING
        self.store.save(record)
        path = f"/sendings/{record.sending_id}"

        def submitted_already():
            return True if self._get(path)["status"] != "DRAFT" else None

        def submit():
            try:
                self._call("POST", f"{path}/submit", step="soumission")
            except ProviderRejected as error:
                # A submit whose answer was lost is no longer a draft: read to be sure.
                if error.provider_code == "SENDING_STATUS_IS_NOT_DRAFT" and submitted_already():
                    return True
                raise
            return True

        call_with_retries(
            LABEL,
            "soumission",
            self.config.retry,
            action=submit,
            check=submitted_already,
            check_first=resumed,
        )
        record.step = Step.SUBMITTED
        self.store.save(record)

    def _find_by_custom_id(self, reference: str) -> dict | None:
        start = 1
        while True:
            page = self._get("/sendings", params={"start_index": start, "count": PAGE_SIZE})
            sendings = page.get("sendings") or []
            for sending in sendings:
                if sending.get("custom_id") == reference:
                    return sending
            if len(sendings) < PAGE_SIZE:
                return None
            start += PAGE_SIZE

    def _first_recipient(self, sending_id: str) -> dict | None:
        recipients = self._get(f"/sendings/{sending_id}/recipients").get("recipients") or []
        return recipients[0] if recipients else None

    def _known(self, reference: str) -> SendingRecord:
        record = self.store.load(reference)
        if record is not None and record.provider != NAME:
            raise UnknownSending(f"La référence « {reference} » est suivie par {record.provider}.")
        if record is not None and record.sending_id is None:
            found = self._find_by_custom_id(reference)
            if found is not None:
                record.sending_id, record.step = found["id"], Step.CREATED
                self.store.save(record)
        if record is None or record.sending_id is None:
            raise UnknownSending(
                f"Aucun envoi Maileva n'est connu sous la référence « {reference} »."
            )
        return record

    # -- address -----------------------------------------------------------------------

    @staticmethod
    def _recipient_address(party: Party) -> tuple[list[str], str]:
        lines = provider_lines(party)
        country = country_code(party)
        if country not in COUNTRIES:
            raise DeliveryInputError(
                f"Maileva ne poste pas de lettre recommandée vers ce pays ({country}) ; "
                f"pays servis : {', '.join(sorted(COUNTRIES))}."
            )
        return lines, country

    def _sender_fields(self, sender: Party | None) -> dict:
        if sender is None:
            return {}
        lines, country = self._recipient_address(sender)
        fields = {f"sender_address_line_{n}": line for n, line in enumerate(lines, 1) if line}
        fields["sender_country_code"] = country
        return fields

    # -- HTTP --------------------------------------------------------------------------

    def _get(self, path: str, params=None) -> dict:
        return self._call("GET", path, step="lecture", params=params).json()

    def _post_json(self, path: str, body: dict, step: str) -> dict:
        return self._call("POST", path, step=step, json=body).json()

    def _call(self, method: str, path: str, step: str, **kwargs):
        response = self._authorized(method, self._url(path), **kwargs)
        if response.status_code == 401:
            # Expired or revoked before its announced end: log in again, once.
            self._token.expire()
            response = self._authorized(method, self._url(path), **kwargs)
        if response.status_code == 401:
            self._token.expire()
            raise Transient("jeton refusé deux fois de suite")
        if response.status_code >= 400:
            code, message = _error_of(response)
            raise ProviderRejected(LABEL, step, response.status_code, code, message)
        return response

    def _authorized(self, method: str, url: str, **kwargs):
        headers = {"Authorization": f"Bearer {self._bearer()}"}
        return send(self.session, self.config.retry, method, url, headers=headers, **kwargs)

    def _url(self, path: str) -> str:
        if "://" in path:
            return path
        if path.startswith("/registered_mail/"):
            return self.config.api_url + path
        return self.config.base + path

    def _bearer(self) -> str:
        with self._token.lock:
            if not self._token.valid():
                self._login()
            return self._token.value

    def _login(self):
        """OAuth2 password grant: client id and secret as HTTP Basic, the user in the form."""
        form = {
            "grant_type": "password",
            "username": self.config.username,
            "password": self.config.password,
        }
        auth = (self.config.client_id, self.config.client_secret)
        response = send(
            self.session, self.config.retry, "POST", self.config.auth_url, data=form, auth=auth
        )
        if response.status_code >= 400:
            code, message = _error_of(response)
            raise ProviderRejected(LABEL, "authentification", response.status_code, code, message)
        token = response.json()
        self._token.value = token["access_token"]
        self._token.expires_at = time.monotonic() + float(token.get("expires_in", 300))


def _error_of(response) -> tuple[str, str]:
    """The provider's code and message: ``{"errors": [{code, message}]}``, one
    ``{code, message}``, or OAuth2's ``{error, error_description}``."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP_{response.status_code}", response.text[:200]
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors:
        return (
            ", ".join(str(error.get("code")) for error in errors),
            " ; ".join(str(error.get("message")) for error in errors),
        )
    if isinstance(body, dict) and "code" in body:
        return str(body["code"]), str(body.get("message", ""))
    if isinstance(body, dict) and "error" in body:
        return str(body["error"]), str(body.get("error_description", ""))
    return f"HTTP_{response.status_code}", str(body)[:200]


def _status(reference: str, sending: dict, recipient: dict | None, statuses) -> SendingStatus:
    events = []
    if sending.get("submission_date"):
        events.append(
            Event(_date(sending["submission_date"]), DeliveryState.SUBMITTED, "SUBMITTED", "Soumis")
        )
    if sending.get("deposit_proof_date"):
        events.append(
            Event(
                _date(sending["deposit_proof_date"]),
                DeliveryState.DEPOSITED,
                "DEPOSIT_PROOF",
                "Preuve de dépôt",
            )
        )
    for status in statuses:
        code = status.get("status", "")
        events.append(
            Event(_date(status["date"]), DELIVERY_CODES.get(code), code, status.get("label", ""))
        )
    events.sort(key=lambda event: event.at)
    state, reason = _state(sending, recipient, events)
    return SendingStatus(
        reference=reference,
        provider=NAME,
        sending_id=sending["id"],
        state=state,
        registered_number=(recipient or {}).get("registered_number"),
        reason=reason,
        events=tuple(events),
        proof_links=tuple(_proof_links(sending, recipient, state)),
    )


def _state(sending: dict, recipient: dict | None, events) -> tuple[DeliveryState, str | None]:
    status = sending.get("status")
    if status == "DRAFT":
        return DeliveryState.DRAFT, None
    if status == "REJECTED":
        return (
            DeliveryState.UNDELIVERABLE,
            f"envoi rejeté par Maileva : {sending.get('status_detail')}",
        )
    if recipient and recipient.get("status") == "REJECTED":
        return (
            DeliveryState.UNDELIVERABLE,
            f"destinataire rejeté : {recipient.get('status_detail')}",
        )
    return state_of(events)


def _proof_links(sending: dict, recipient: dict | None, state: DeliveryState):
    if sending.get("deposit_proof_url"):
        yield ProofLink(
            ProofKind.DEPOSIT,
            "preuve-de-depot.pdf",
            sending["deposit_proof_url"],
            _date(sending["deposit_proof_date"]) if sending.get("deposit_proof_date") else None,
        )
    if recipient and recipient.get("acknowledgement_of_receipt_url"):
        # v2.5 serves the scanned card at this URL: the signed AR, or for a letter that
        # came back (PND, refused, not claimed) the undelivered-mail notice.
        delivered = state is DeliveryState.DELIVERED
        kind = ProofKind.ACKNOWLEDGMENT if delivered else ProofKind.UNDELIVERED_NOTICE
        filename = "avis-de-reception.pdf" if delivered else "avis-de-non-distribution.pdf"
        at = recipient.get("last_delivery_status_date")
        yield ProofLink(
            kind, filename, recipient["acknowledgement_of_receipt_url"], _date(at) if at else None
        )


def _pdf_of(content: bytes) -> bytes:
    """The PDF in a download: v2.5 describes the proofs as ``application/zip``."""
    if not content.startswith(b"PK"):
        return content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.lower().endswith(".pdf"):
                return archive.read(name)
    raise DeliveryInputError("Preuve Maileva : l'archive ne contient aucun PDF.")


def _date(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
