"""AR24's API: qualified electronic registered letters (LRE, eIDAS).

Written against AR24's form-data API as its public clients use it (connected-company's
``php-ar24-client`` for the endpoints and fields, two more clients for the signature) and
AR24's « Sign your requests » scheme (see :mod:`.ar24_crypto`). Each request carries the
account ``token`` and a ``date`` (Paris time), a ``signature`` header, and gets back
clear JSON for an error or an encrypted body for a success. Endpoints: ``attachment/``
(upload, returns ``file_id``), ``mail/`` (POST sends, GET ``id=`` reads), ``user/mail``
(the account's mails, used to find a sending whose answer was lost).

AR24 keeps no draft: ``mail/`` sends at once. So the attachment is uploaded first (an
orphan upload sends nothing), the intent is saved, and a ``mail/`` call whose answer was
lost is looked up by our reference (``ref_dossier``) before it is ever tried again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from ..law.registered_letter import check_lre_allowed
from ..postal_address import Party
from . import ar24_crypto
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

NAME = "ar24"
LABEL = "AR24"
REQUIRED_KEYS = ("api_url", "token", "private_key", "user_id")
PARIS = ZoneInfo("Europe/Paris")

# The dated fields of an AR24 mail, in the order the letter goes through them, with the
# state each brings and its proof (AR24 names the proofs dp, ev, ar, rf, ng, bc).
MILESTONES = (
    ("date", DeliveryState.DEPOSITED, "proof_dp_url", ProofKind.DEPOSIT, "Dépôt"),
    (
        "ts_ev_date",
        DeliveryState.FIRST_PRESENTATION,
        "proof_ev_url",
        ProofKind.FIRST_PRESENTATION,
        "Envoi (notification au destinataire)",
    ),
    ("view_date", DeliveryState.DELIVERED, "proof_ar_url", ProofKind.ACKNOWLEDGMENT, "Accepté"),
    ("refused_date", DeliveryState.REFUSED, "proof_rf_url", ProofKind.REFUSAL, "Refusé"),
    (
        "negligence_date",
        DeliveryState.NOT_CLAIMED,
        "proof_ng_url",
        ProofKind.NEGLIGENCE,
        "Négligé (non réclamé sous 15 jours)",
    ),
    (
        "bounced_date",
        DeliveryState.UNDELIVERABLE,
        "proof_bc_url",
        ProofKind.UNDELIVERED_NOTICE,
        "Adresse électronique invalide (rebond)",
    ),
)


class Ar24Config:
    """CONFIG.json for AR24: the API URL, the account's token, private key and user."""

    def __init__(self, data: Mapping):
        if not isinstance(data, Mapping):
            raise ConfigurationError("Configuration AR24 : objet JSON attendu.")
        for key in REQUIRED_KEYS:
            if not isinstance(data.get(key), (str, int)) or not str(data[key]).strip():
                raise ConfigurationError(f"Configuration AR24 : « {key} » manque.")
        self.api_url = data["api_url"].rstrip("/")
        self.token = data["token"]
        self.private_key = data["private_key"]
        self.user_id = str(data["user_id"])
        self.eidas = bool(data.get("eidas", True))
        self.webhook_url = data.get("webhook_url")
        self.retry = RetryPolicy.from_mapping(data)


class Ar24Client:
    """Send an LRE through AR24, read its state, fetch its proofs."""

    name = NAME

    def __init__(self, config: Mapping | Ar24Config, store: StateStore, session=None):
        self.config = config if isinstance(config, Ar24Config) else Ar24Config(config)
        self.store = store
        self.session = session or new_session(self.config.retry)

    def send(
        self, letter: Letter, recipient: Recipient, sender: Party | None = None
    ) -> SendingStatus:
        """Send ``letter`` once; again with the same reference, it only reads the state."""
        fields = self._recipient_fields(recipient)
        record = self.store.load(letter.reference)
        if record is not None and record.provider != NAME:
            raise DeliveryInputError(
                f"La référence « {letter.reference} » a déjà été envoyée par {record.provider}."
            )
        resumed = record is not None and record.step is Step.SUBMITTING
        if record is None:
            record = SendingRecord(reference=letter.reference, provider=NAME)
        if record.step is Step.CREATING:
            self._upload(record, letter)
        if record.step is Step.SUBMITTING:
            self._send_mail(record, letter, fields, check_first=resumed)
        return self.status(letter.reference)

    def status(self, reference: str) -> SendingStatus:
        """The mail's state, its events and the proofs it has."""
        record = self.store.load(reference)
        if record is None or record.provider != NAME:
            raise UnknownSending(f"Aucun envoi AR24 connu sous la référence « {reference} ».")
        try:
            if record.sending_id is None:
                mail = self._find_by_reference(reference)
                if mail is None:
                    raise UnknownSending(f"Aucun envoi AR24 sous la référence « {reference} ».")
                self._saved_as_sent(record, mail)
            else:
                mail = self._request("GET", "mail/", "lecture", {"id": record.sending_id})
        except Transient as error:
            raise ProviderUnavailable(
                f"{LABEL} injoignable pour lire « {reference} » ({error.reason})."
            ) from None
        return _status(reference, mail)

    def fetch(self, link: ProofLink) -> Proof:
        """Download one proof (a PDF at the URL the mail gives)."""
        try:
            response = send(self.session, self.config.retry, "GET", link.locator)
        except Transient as error:
            raise ProviderUnavailable(
                f"{LABEL} injoignable pour télécharger {link.filename} ({error.reason})."
            ) from None
        if response.status_code >= 400 or not response.content.startswith(b"%PDF-"):
            raise ProviderRejected(
                LABEL, "téléchargement de preuve", response.status_code, "PROOF", link.filename
            )
        return Proof(link.kind, link.filename, response.content, link.at)

    # -- steps -------------------------------------------------------------------------

    def _upload(self, record: SendingRecord, letter: Letter):
        """Upload the PDF; retried freely, since an attachment alone sends nothing."""
        files = {"file": (letter.filename, letter.pdf, "application/pdf")}
        result = call_with_retries(
            LABEL,
            "dépôt de la pièce jointe",
            self.config.retry,
            action=lambda: self._request("POST", "attachment/", "pièce jointe", {}, files),
        )
        record.details["attachment_id"] = str(result["file_id"])
        record.step = Step.SUBMITTING  # the intent, saved before the call that sends
        self.store.save(record)

    def _send_mail(self, record: SendingRecord, letter: Letter, fields: dict, check_first: bool):
        form = {
            **fields,
            "ref_dossier": letter.reference,
            "content": letter.subject,
            "attachment[0]": record.details["attachment_id"],
        }
        if self.config.eidas:
            form["eidas"] = "1"
        if self.config.webhook_url:
            form["webhook"] = self.config.webhook_url
        mail = call_with_retries(
            LABEL,
            "envoi",
            self.config.retry,
            action=lambda: self._request("POST", "mail/", "envoi", form),
            check=lambda: self._find_by_reference(letter.reference),
            check_first=check_first,  # an earlier run may have sent it
        )
        self._saved_as_sent(record, mail)

    def _saved_as_sent(self, record: SendingRecord, mail: dict):
        record.sending_id = str(mail["id"])
        record.step = Step.SUBMITTED
        self.store.save(record)

    def _find_by_reference(self, reference: str) -> dict | None:
        mails = self._request("GET", "user/mail", "recherche par référence", {})
        if isinstance(mails, dict):
            mails = mails.get("mails") or mails.get("result") or []
        return next((mail for mail in mails if mail.get("ref_dossier") == reference), None)

    def _recipient_fields(self, recipient: Recipient) -> dict:
        party = recipient.party
        check_lre_allowed(party.name, recipient.is_consumer, recipient.lre_consent_date)
        if not recipient.email:
            raise DeliveryInputError(
                f"Destinataire « {party.name} » : « email » manque pour une LRE."
            )
        first, last = _names(recipient)
        fields = {
            "to_firstname": first,
            "to_lastname": last,
            "to_email": recipient.email,
            "dest_statut": "particulier" if recipient.is_consumer else "professionnel",
        }
        if not recipient.is_consumer:
            fields["to_company"] = party.name
        return fields

    # -- HTTP --------------------------------------------------------------------------

    def _request(self, method: str, path: str, step: str, fields: dict, files=None):
        """One signed call; the decrypted ``result`` of a success."""
        date = datetime.now(PARIS).strftime(ar24_crypto.DATE_FORMAT)
        params = {"token": self.config.token, "date": date, "id_user": self.config.user_id}
        params.update(fields)
        headers = {"signature": ar24_crypto.sign(date, self.config.private_key)}
        url = f"{self.config.api_url}/{path}"
        if method == "GET":
            response = send(
                self.session, self.config.retry, "GET", url, params=params, headers=headers
            )
        else:
            response = send(
                self.session,
                self.config.retry,
                "POST",
                url,
                data=params,
                files=files,
                headers=headers,
            )
        answer = self._answer(response, date)
        status = str(answer.get("status", "")).lower()
        if status == "maintenance":
            raise Transient("AR24 en maintenance")
        if status == "error" or response.status_code >= 400:
            raise ProviderRejected(
                LABEL,
                step,
                response.status_code,
                str(answer.get("slug") or answer.get("code") or f"HTTP_{response.status_code}"),
                str(answer.get("message", "")),
            )
        return answer.get("result", {})

    def _answer(self, response, date: str) -> dict:
        """Errors come in clear JSON, successes encrypted with the request's date."""
        text = response.text.strip()
        try:
            return json.loads(text)
        except ValueError:
            pass
        plaintext = ar24_crypto.decrypt_answer(text, date, self.config.private_key)
        try:
            return json.loads(plaintext)
        except ValueError:
            raise ProviderRejected(
                LABEL, "réponse", response.status_code, "INVALID_JSON", plaintext[:200]
            ) from None


def _names(recipient: Recipient) -> tuple[str, str]:
    """First and last names for AR24: given, else split from the attention line (a
    company's contact) or the name (a consumer)."""
    if recipient.first_name and recipient.last_name:
        return recipient.first_name, recipient.last_name
    person = recipient.party.attention or recipient.party.name
    first, _, last = person.rpartition(" ")
    return (recipient.first_name or first or last), (recipient.last_name or last)


def _status(reference: str, mail: dict) -> SendingStatus:
    events, links = [], []
    for date_key, milestone_state, url_key, kind, label in MILESTONES:
        if not mail.get(date_key):
            continue
        at = _date(mail[date_key])
        events.append(Event(at, milestone_state, date_key, label))
        if mail.get(url_key):
            links.append(ProofLink(kind, f"ar24-{kind.value}.pdf", mail[url_key], at))
    events.sort(key=lambda event: event.at)
    state, reason = state_of(events)
    return SendingStatus(
        reference=reference,
        provider=NAME,
        sending_id=str(mail["id"]),
        state=state,
        registered_number=str(mail["id"]),  # an LRE's number is its AR24 identifier
        reason=reason,
        events=tuple(events),
        proof_links=tuple(links),
    )


def _date(text: str) -> datetime:
    """AR24 dates are Paris time « YYYY-MM-DD HH:MM:SS »."""
    return datetime.strptime(text, ar24_crypto.DATE_FORMAT).replace(tzinfo=PARIS)
