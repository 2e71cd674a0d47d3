"""A stand-in for Maileva: OAuth2 password grant and ``registered_mail`` (v2.5 description).

Written from Maileva's published OpenAPI description of ``registered_mail`` v2.5 and the
« Maileva Connect » authentication v1.4: the same paths, the same JSON fields, the same
error codes (``ADDRESS_LINE_4_TOO_LONG``, ``SENDING_STATUS_IS_NOT_DRAFT`` …). The proofs
are served as ``application/zip`` holding one PDF, as the description says. Webhooks
follow the ``notification_center`` subscription: a callback URL, optional HTTP Basic
credentials, and a payload naming the event and the resource.

Serves any API version in the path (``/registered_mail/v2``, ``/registered_mail/v4``).
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import re
import secrets
import time
import urllib.request
import uuid
import zipfile

from .common import Progress, Reply, Request, StandinServer, now, outcome_for, proof_pdf

TOKEN_PATH = "/auth/realms/services/protocol/openid-connect/token"
API = r"/registered_mail/(?P<version>v\d+)"
COUNTRIES = {"FR", "MC", "AD", "RE", "YT", "MQ", "GP", "MF", "BL", "GF", "PM"}
MAX_DOCUMENT_SIZE = 20 * 1024 * 1024
MAX_DOCUMENTS = 30
# The delivery statuses of registered_mail v2.5 that each simulated stage writes.
STAGE_STATUSES = {
    "deposited": [("A01", "Pris en charge")],
    "first_presentation": [("A02", "Avisé")],
    "delivered": [("D01", "Distribué"), ("N01", "AR Signé : RAR distribué")],
    "refused": [("N05", "Refusé")],
    "not_claimed": [
        ("P03", "Retourné à l'expéditeur pour cause de dépassement de délai d'instance"),
        ("N03", "Non réclamé"),
    ],
    "undeliverable": [("N02", "PND (Pli Non Distribuable) pour une LR")],
}
STAGE_EVENTS = {  # notification_center events
    "deposited": ["ON_STATUS_PROCESSED", "ON_DEPOSIT_PROOF_RECEIVED"],
    "delivered": ["ON_ACKNOWLEDGEMENT_OF_RECEIPT_RECEIVED"],
    "refused": ["ON_UNDELIVERED_MAIL_RECEIVED"],
    "not_claimed": ["ON_UNDELIVERED_MAIL_RECEIVED"],
    "undeliverable": ["ON_UNDELIVERED_MAIL_RECEIVED"],
}
FINAL_STAGES = {"delivered", "refused", "not_claimed", "undeliverable"}


def error(status: int, code: str, message: str) -> Reply:
    return Reply.json(status, {"errors": [{"code": code, "message": message}]})


class MailevaStandin(StandinServer):
    """Maileva's registered_mail, in memory."""

    def __init__(
        self,
        port: int = 0,
        client_id="standin-client",
        client_secret="standin-secret",
        username="standin",
        password="standin",
        token_lifetime: float = 3600.0,
        **options,
    ):
        super().__init__(port, **options)
        self.credentials = (client_id, client_secret, username, password)
        self.token_lifetime = token_lifetime
        self.refused_tokens = 0  # calls answered 401 for an unknown or expired token
        self.tokens: dict[str, float] = {}
        self.sendings: dict[str, dict] = {}
        self.order: list[str] = []  # creation order, for the paged list
        self.numbers = itertools.count(1)
        self.emitted: dict[str, int] = {}  # stages already notified, per sending
        self.webhook_auth: tuple[str, str] | None = None
        self.received: dict[str, list[bytes]] = {}  # the PDFs uploaded, per sending
        self.add_route("POST", TOKEN_PATH, "token", self.token)
        self.add_route(
            "POST",
            r"/notification_center/v\d+/subscriptions",
            "subscribe",
            self.authorized(self.subscribe),
        )
        routes = [
            ("POST", "/sendings", "create", self.create),
            ("GET", "/sendings", "list", self.list_sendings),
            ("GET", "/sendings/(?P<sid>[^/]+)", "read", self.read),
            ("POST", "/sendings/(?P<sid>[^/]+)/documents", "document", self.add_document),
            ("GET", "/sendings/(?P<sid>[^/]+)/documents", "documents", self.documents),
            ("POST", "/sendings/(?P<sid>[^/]+)/recipients", "recipient", self.add_recipient),
            ("GET", "/sendings/(?P<sid>[^/]+)/recipients", "recipients", self.recipients),
            ("POST", "/sendings/(?P<sid>[^/]+)/submit", "submit", self.submit),
            (
                "GET",
                "/sendings/(?P<sid>[^/]+)/recipients/(?P<rid>[^/]+)/delivery_statuses",
                "delivery_statuses",
                self.delivery_statuses,
            ),
            (
                "GET",
                "/sendings/(?P<sid>[^/]+)/recipients/(?P<rid>[^/]+)"
                "/download_acknowledgement_of_receipt",
                "download_ar",
                self.download_ar,
            ),
            (
                "GET",
                "/sendings/(?P<sid>[^/]+)/download_deposit_proof",
                "download_deposit",
                self.download_deposit,
            ),
        ]
        for method, path, call, handler in routes:
            self.add_route(method, API + path, call, self.authorized(handler))

    def sample_config(self) -> dict:
        client_id, client_secret, username, password = self.credentials
        return {
            "api_url": self.url,
            "auth_url": self.url + TOKEN_PATH,
            "api_version": "v2",
            "client_id": client_id,
            "client_secret": client_secret,
            "username": username,
            "password": password,
            "notification_email": "recouvrement@example.org",
        }

    # -- authentication ------------------------------------------------------------------

    def token(self, request: Request) -> Reply:
        client_id, client_secret, username, password = self.credentials
        basic = request.headers.get("authorization", "")
        expected = "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        if basic != expected:
            return Reply.json(
                401, {"error": "invalid_client", "error_description": "Invalid client credentials"}
            )
        form = request.form()
        if form.get("grant_type") != "password":
            return Reply.json(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "Invalid grant type parameter",
                },
            )
        if (form.get("username"), form.get("password")) != (username, password):
            return Reply.json(
                401, {"error": "invalid_grant", "error_description": "Invalid user credentials"}
            )
        value = secrets.token_urlsafe(24)
        self.tokens[value] = time.monotonic() + self.token_lifetime
        return Reply.json(
            200,
            {"access_token": value, "token_type": "Bearer", "expires_in": self.token_lifetime},
        )

    def authorized(self, handler):
        def check(request: Request, **groups) -> Reply:
            header = request.headers.get("authorization", "")
            token = header.removeprefix("Bearer ")
            if self.tokens.get(token, 0) < time.monotonic():
                self.refused_tokens += 1
                return Reply.json(401, {"code": "UNAUTHORIZED", "message": "Invalid token"})
            groups.pop("version", None)
            if "sid" in groups:
                sending = self.sendings.get(groups.pop("sid"))
                if sending is None:
                    return error(404, "SENDING_NOT_FOUND", "Ressource SENDING introuvable")
                groups["sending"] = sending
            return handler(request, **groups)

        return check

    def subscribe(self, request: Request) -> Reply:
        data = request.json() or {}
        self.webhook_url = data.get("callback_url")
        basic = (data.get("authentication") or {}).get("basic") or {}
        self.webhook_auth = (basic["username"], basic["password"]) if basic else None
        return Reply.json(201, {"id": str(uuid.uuid4()), **data})

    # -- sendings ------------------------------------------------------------------------

    def create(self, request: Request) -> Reply:
        data = request.json()
        if not isinstance(data, dict):
            return error(400, "METADATA_WRONG_FORMAT", "Corps JSON attendu")
        if not data.get("name"):
            return error(400, "EMPTY_NAME", "Aucun nom d'envoi n'a été transmis")
        if len(data["name"]) > 256:
            return error(400, "NAME_TOO_LONG", "Le nom de l'envoi est trop long")
        if len(data.get("custom_id") or "") > 38:
            return error(400, "CUSTOM_ID_WRONG_FORMAT", "Le custom id n'est pas au bon format")
        if not data.get("notification_email"):
            return error(400, "INVALID_NOTIFICATION_EMAIL", "L'email est invalide.")
        sending_id = str(uuid.uuid4())
        self.sendings[sending_id] = {
            "fields": {key: value for key, value in data.items()},
            "id": sending_id,
            "status": "DRAFT",
            "creation_date": now(),
            "documents": [],
            "recipients": [],
            "progress": None,
        }
        self.order.append(sending_id)
        return Reply.json(201, self.view(sending_id), {"Location": f"/sendings/{sending_id}"})

    def list_sendings(self, request: Request) -> Reply:
        start = max(1, int(float(request.query.get("start_index", 1))))
        count = min(500, max(1, int(float(request.query.get("count", 50)))))
        page = self.order[start - 1 : start - 1 + count]
        return Reply.json(
            200,
            {
                "sendings": [self.view(sid) for sid in page],
                "paging": {"total_results": len(self.order)},
            },
        )

    def read(self, request: Request, sending: dict) -> Reply:
        return Reply.json(200, self.view(sending["id"]))

    def add_document(self, request: Request, sending: dict) -> Reply:
        if sending["status"] != "DRAFT":
            return error(400, "SENDING_STATUS_IS_NOT_DRAFT", "L'envoi n'est pas en état draft")
        files = request.files()
        if "document" not in files:
            return error(400, "EMPTY_DOCUMENT", "Le document est vide")
        filename, content = files["document"]
        form = request.form()
        try:
            metadata = json.loads(form.get("metadata", ""))
        except ValueError:
            return error(400, "METADATA_WRONG_FORMAT", "Le paramètre metadata n'est pas correct")
        if not content:
            return error(400, "EMPTY_DOCUMENT", "Le document est vide")
        if not content.startswith(b"%PDF-"):
            return error(400, "DOCUMENT_TYPE_NOT_ACCEPTED", "Le type de document n'est pas accepté")
        if len(content) > MAX_DOCUMENT_SIZE:
            return error(400, "INVALID_DOCUMENT_SIZE", "La taille du document dépasse 20 Mo")
        if len(sending["documents"]) >= MAX_DOCUMENTS:
            return error(400, "INVALID_DOCUMENTS_COUNT", "Plus de 30 documents")
        document = {
            "id": str(uuid.uuid4()),
            "name": metadata.get("name") or filename,
            "priority": metadata.get("priority", len(sending["documents"]) + 1),
            "type": "application/pdf",
            "size": len(content),
        }
        sending["documents"].append(document)
        self.received.setdefault(sending["id"], []).append(content)
        return Reply.json(201, document)

    def documents(self, request: Request, sending: dict) -> Reply:
        return Reply.json(
            200,
            {
                "documents": sending["documents"],
                "paging": {"total_results": len(sending["documents"])},
            },
        )

    def add_recipient(self, request: Request, sending: dict) -> Reply:
        if sending["status"] != "DRAFT":
            return error(400, "SENDING_STATUS_IS_NOT_DRAFT", "L'envoi n'est pas en état draft")
        data = request.json() or {}
        problem = address_problem(data)
        if problem:
            return error(400, *problem)
        recipient = {
            "id": str(uuid.uuid4()),
            **{key: data[key] for key in data if key.startswith("address_line_")},
            "country_code": data["country_code"],
            "status": "DRAFT",
        }
        sending["recipients"].append(recipient)
        return Reply.json(201, self.recipient_view(sending, recipient))

    def recipients(self, request: Request, sending: dict) -> Reply:
        views = [self.recipient_view(sending, recipient) for recipient in sending["recipients"]]
        return Reply.json(200, {"recipients": views, "paging": {"total_results": len(views)}})

    def submit(self, request: Request, sending: dict) -> Reply:
        if sending["status"] != "DRAFT":
            return error(400, "SENDING_STATUS_IS_NOT_DRAFT", "L'envoi n'est pas en état draft")
        if not sending["documents"]:
            return error(400, "EMPTY_DOCUMENT", "L'envoi n'a aucun document")
        if not sending["recipients"]:
            return error(400, "INVALID_RECIPIENTS_COUNT", "L'envoi n'a aucun destinataire")
        recipient = sending["recipients"][0]
        lines = [recipient.get(f"address_line_{n}", "") for n in range(1, 7)]
        sending["status"] = "PENDING"
        sending["submission_date"] = now()
        sending["progress"] = Progress(outcome_for(*lines), sending["submission_date"])
        return Reply(200)

    def delivery_statuses(self, request: Request, sending: dict, rid: str) -> Reply:
        if not any(recipient["id"] == rid for recipient in sending["recipients"]):
            return error(404, "RECIPIENT_NOT_FOUND", "Ressource RECIPIENT introuvable")
        statuses = [
            {"status": code, "label": label, "date": date.isoformat()}
            for code, label, date in self.statuses(sending)
        ]
        return Reply.json(
            200, {"delivery_statuses": statuses, "paging": {"total_results": len(statuses)}}
        )

    def download_ar(self, request: Request, sending: dict, rid: str) -> Reply:
        final = self.final_stage(sending)
        if final is None:
            return error(404, "RECIPIENT_NOT_FOUND", "Aucun avis de réception")
        sid, progress = sending["id"], sending["progress"]
        recipient = sending["recipients"][0]
        title = "Avis de réception" if final == "delivered" else "Avis de non-distribution"
        pdf = proof_pdf(
            title,
            [
                f"Envoi {sid}",
                f"Recommandé n° {recipient['registered_number']}",
                f"Destinataire : {recipient.get('address_line_1') or recipient['address_line_2']}",
                f"Date : {progress.date_of(final).date().isoformat()}",
                f"Motif : {STAGE_STATUSES[final][-1][1]}",
            ],
        )
        return zipped(f"{final}-{sid}.pdf", pdf)

    def download_deposit(self, request: Request, sending: dict) -> Reply:
        if "deposited" not in self.stages(sending):
            return error(404, "SENDING_NOT_FOUND", "Aucune preuve de dépôt")
        sid, recipient = sending["id"], sending["recipients"][0]
        pdf = proof_pdf(
            "Preuve de dépôt",
            [
                f"Envoi {sid} ({sending['fields'].get('custom_id', '')})",
                f"Recommandé n° {recipient['registered_number']}",
                f"Déposé le {sending['progress'].date_of('deposited').date().isoformat()}",
            ],
        )
        return zipped(f"preuve-de-depot-{sid}.pdf", pdf)

    # -- views ---------------------------------------------------------------------------

    def stages(self, sending: dict) -> list[str]:
        progress = sending["progress"]
        return progress.reached(self.step_seconds) if progress else []

    def final_stage(self, sending: dict) -> str | None:
        return next((stage for stage in self.stages(sending) if stage in FINAL_STAGES), None)

    def statuses(self, sending: dict):
        for stage in self.stages(sending):
            for code, label in STAGE_STATUSES[stage]:
                yield code, label, sending["progress"].date_of(stage)

    def view(self, sid: str) -> dict:
        sending = self.sendings[sid]
        stages = self.stages(sending)
        view = {
            **sending["fields"],
            "id": sid,
            "status": "PROCESSED" if stages else sending["status"],
            "creation_date": sending["creation_date"].isoformat(),
            "documents_count": len(sending["documents"]),
            "recipients_counts": {"total": len(sending["recipients"])},
        }
        if sending.get("submission_date"):
            view["submission_date"] = sending["submission_date"].isoformat()
        if "deposited" in stages:
            view["deposit_proof_date"] = sending["progress"].date_of("deposited").isoformat()
            view["deposit_proof_url"] = f"/sendings/{sid}/download_deposit_proof"
        return view

    def recipient_view(self, sending: dict, recipient: dict) -> dict:
        stages = self.stages(sending)
        if stages and "registered_number" not in recipient:
            recipient["registered_number"] = f"1A{next(self.numbers):011d}"
        view = {key: value for key, value in recipient.items()}
        if stages:
            view["status"] = "PROCESSED"
            statuses = list(self.statuses(sending))
            view["last_delivery_status"] = statuses[-1][1]
            view["last_delivery_status_date"] = statuses[-1][2].isoformat()
        elif sending["status"] != "DRAFT":
            view["status"] = "PENDING"
        if self.final_stage(sending):
            view["acknowledgement_of_receipt_url"] = (
                f"/sendings/{sending['id']}/recipients/{recipient['id']}"
                "/download_acknowledgement_of_receipt"
            )
        return view

    # -- what the admin and the tests read ---------------------------------------------

    def sending_counts(self) -> dict:
        submitted = [s for s in self.sendings.values() if s["status"] != "DRAFT"]
        per_reference: dict[str, int] = {}
        for sending in submitted:
            reference = sending["fields"].get("custom_id", "")
            per_reference[reference] = per_reference.get(reference, 0) + 1
        return {
            "sendings": len(self.sendings),
            "submitted": len(submitted),
            "submitted_per_reference": per_reference,
            "refused_tokens": self.refused_tokens,
        }

    def advance(self, sending_id: str | None = None, steps: int | None = None) -> None:
        with self.lock:
            targets = [sending_id] if sending_id else list(self.sendings)
            for sid in targets:
                progress = self.sendings[sid]["progress"]
                if progress is not None:
                    progress.manual += steps if steps else 3

    def pending_events(self) -> list[dict]:
        events = []
        for sid, sending in self.sendings.items():
            stages = self.stages(sending)
            for stage in stages[self.emitted.get(sid, 0) :]:
                for event_type in STAGE_EVENTS.get(stage, ()):
                    events.append(
                        {
                            "event_type": event_type,
                            "resource_type": "registered_mail/v2/sendings",
                            "resource_id": sid,
                            "resource_location": f"/registered_mail/v2/sendings/{sid}",
                            "event_date": sending["progress"].date_of(stage).isoformat(),
                        }
                    )
            self.emitted[sid] = len(stages)
        return events

    def webhook_request(self, payload: dict, forged: bool) -> urllib.request.Request:
        if forged:  # claims a delivery, with credentials the subscription never had
            payload = {**payload, "event_type": "ON_ACKNOWLEDGEMENT_OF_RECEIPT_RECEIVED"}
        request = urllib.request.Request(
            self.webhook_url,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        auth = ("forger", "forged") if forged else self.webhook_auth
        if auth:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        elif forged:
            request.full_url = re.sub(r"([?&]secret=)[^&]*", r"\1forged", self.webhook_url)
        return request


def address_problem(data: dict) -> tuple[str, str] | None:
    """The error registered_mail v2.5 answers for a recipient's address, if any."""
    for number in range(1, 7):
        if len(data.get(f"address_line_{number}") or "") > 38:
            return (
                f"ADDRESS_LINE_{number}_TOO_LONG",
                f"La ligne d'adresse n°{number} est limitée à 38 caractères",
            )
    if not (data.get("address_line_1") or data.get("address_line_2")):
        return (
            "EMPTY_ADDRESS_LINE_1_OR_ADDRESS_LINE_2",
            "La ligne d'adresse n°1 ou la ligne d'adresse n°2 doit être renseignée",
        )
    if not data.get("address_line_6"):
        return "EMPTY_ADDRESS_LINE_6", "La ligne d'adresse n°6 doit être renseignée"
    if data.get("country_code") not in COUNTRIES:
        return "INVALID_COUNTRY_CODE", "Le code pays n'est pas autorisé"
    if data["country_code"] == "FR" and not re.fullmatch(r"\d{5} .+", data["address_line_6"]):
        return (
            "ADDRESS_LINE_6_WRONG_FORMAT",
            "Le champ address_line_6 doit avoir le format [CODE_POSTAL] [VILLE]",
        )
    return None


def zipped(name: str, pdf: bytes) -> Reply:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, pdf)
    return Reply(200, buffer.getvalue(), content_type="application/zip")
