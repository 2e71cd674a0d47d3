"""A stand-in for AR24's LRE API.

Written from AR24's protocol as its public clients document it: form-data requests with
the account's ``token``, ``id_user`` and ``date``, a ``signature`` header (AES-256-CBC of
the date, see :mod:`recouvrement.delivery.ar24_crypto`), errors answered in clear JSON
``{"status": "ERROR", "slug", "message"}``, successes answered encrypted with the
request's date. Endpoints: ``attachment/``, ``mail/`` (POST, GET ``id=``), ``user/mail``,
and the proof PDFs at ``/get/proof/<kind>-<id>``. The mail goes through dépôt (dp),
envoi (ev: the recipient is notified), then acceptance (ar), refusal (rf), negligence
after 15 days (ng) or a bounce (bc).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import urllib.parse
import urllib.request
from datetime import datetime, timedelta

from ..ar24_crypto import Ar24CryptoError, decrypt_signature, encrypt_answer
from .common import Progress, Reply, Request, StandinServer, now, outcome_for, proof_pdf

API = "/api"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
STAGE_FIELDS = {  # stage -> (the mail's date field, its proof's code)
    "deposited": ("date", "dp"),
    "first_presentation": ("ts_ev_date", "ev"),
    "delivered": ("view_date", "ar"),
    "refused": ("refused_date", "rf"),
    "not_claimed": ("negligence_date", "ng"),
    "undeliverable": ("bounced_date", "bc"),
}
PROOF_TITLES = {
    "dp": "Preuve de dépôt",
    "ev": "Preuve d'envoi",
    "ar": "Accusé de réception (acceptation)",
    "rf": "Preuve de refus",
    "ng": "Preuve de négligence",
    "bc": "Preuve de rebond",
}
REQUIRED_MAIL_FIELDS = ("to_email", "to_firstname", "to_lastname", "dest_statut", "content")
DATE_WINDOW = timedelta(minutes=10)


def failure(slug: str, message: str) -> Reply:
    return Reply.json(200, {"status": "ERROR", "slug": slug, "message": message})


class Ar24Standin(StandinServer):
    """AR24's LRE API, in memory."""

    def __init__(
        self,
        port: int = 0,
        token="standin-token",
        private_key="standin-private-key",
        user_id="1",
        **options,
    ):
        super().__init__(port, **options)
        self.token, self.private_key, self.user_id = token, private_key, str(user_id)
        self.attachments: dict[str, bytes] = {}
        self.mails: dict[str, dict] = {}
        self.ids = itertools.count(1001)
        self.emitted: dict[str, int] = {}
        self.add_route("POST", API + "/attachment/?", "attachment", self.signed(self.attachment))
        self.add_route("POST", API + "/mail/?", "mail", self.signed(self.send_mail))
        self.add_route("GET", API + "/mail/?", "read", self.signed(self.read_mail))
        self.add_route("GET", API + "/user/mail/?", "list", self.signed(self.list_mails))
        self.add_route("GET", r"/get/proof/(?P<code>[a-z]{2})-(?P<mid>\d+)", "proof", self.proof)

    def sample_config(self) -> dict:
        return {
            "api_url": self.url + API,
            "token": self.token,
            "private_key": self.private_key,
            "user_id": self.user_id,
        }

    # -- signature -----------------------------------------------------------------------

    def signed(self, handler):
        def check(request: Request, **groups) -> Reply:
            fields = request.query if request.method == "GET" else request.form()
            if fields.get("token") != self.token:
                return failure("invalid_token", "Token invalide")
            if fields.get("id_user") != self.user_id:
                return failure("user_not_found", "Utilisateur inconnu")
            date = fields.get("date", "")
            try:
                sent_at = datetime.strptime(date, DATE_FORMAT)
                signed_date = decrypt_signature(
                    request.headers.get("signature", ""), self.private_key
                )
            except (ValueError, Ar24CryptoError):
                return failure("invalid_signature", "Signature ou date invalide")
            if signed_date != date:
                return failure("invalid_signature", "La signature ne correspond pas à la date")
            paris_now = datetime.now(_paris()).replace(tzinfo=None)
            if abs(paris_now - sent_at) > DATE_WINDOW:
                return failure("expired_date", "La date de la requête a expiré")
            reply = handler(request, fields, **groups)
            if reply.status == 200 and json.loads(reply.body).get("status") == "SUCCESS":
                reply = Reply(
                    200,
                    encrypt_answer(reply.body.decode(), date, self.private_key).encode(),
                    content_type="text/plain",
                )
            return reply

        return check

    # -- endpoints -----------------------------------------------------------------------

    def attachment(self, request: Request, fields: dict) -> Reply:
        files = request.files()
        if "file" not in files or not files["file"][1]:
            return failure("missing_file", "Aucun fichier")
        filename, content = files["file"]
        file_id = str(len(self.attachments) + 1)
        self.attachments[file_id] = content
        return success(
            {
                "file_id": file_id,
                "name": filename,
                "hash_sha256": hashlib.sha256(content).hexdigest(),
            }
        )

    def send_mail(self, request: Request, fields: dict) -> Reply:
        for key in REQUIRED_MAIL_FIELDS:
            if not fields.get(key):
                return failure(f"missing_{key}", f"Le champ {key} est obligatoire")
        if fields["dest_statut"] not in ("particulier", "professionnel"):
            return failure("invalid_dest_statut", "dest_statut : particulier ou professionnel")
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", fields["to_email"]):
            return failure("invalid_email", "Adresse électronique invalide")
        attachments = [value for key, value in fields.items() if key.startswith("attachment[")]
        if not attachments or any(a not in self.attachments for a in attachments):
            return failure("attachment_not_found", "Pièce jointe inconnue")
        mail_id = str(next(self.ids))
        outcome = outcome_for(
            fields["to_lastname"], fields.get("to_company", ""), fields["to_email"]
        )
        progress = Progress(outcome, now(), manual=1)  # AR24 deposits at once
        self.mails[mail_id] = {"fields": fields, "attachments": attachments, "progress": progress}
        return success(self.view(mail_id))

    def read_mail(self, request: Request, fields: dict) -> Reply:
        mail_id = fields.get("id", "")
        if mail_id not in self.mails:
            return failure("mail_not_found", "Courrier introuvable")
        return success(self.view(mail_id))

    def list_mails(self, request: Request, fields: dict) -> Reply:
        return success([self.view(mail_id) for mail_id in self.mails])

    def proof(self, request: Request, code: str, mid: str) -> Reply:
        mail = self.mails.get(mid)
        if mail is None or request.query.get("token") != proof_token(mid):
            return Reply.json(404, {"status": "ERROR", "slug": "not_found"})
        stages = {STAGE_FIELDS[stage][1]: stage for stage in self.stages(mail)}
        if code not in stages:
            return Reply.json(404, {"status": "ERROR", "slug": "not_found"})
        date = mail["progress"].date_of(stages[code]).astimezone(_paris())
        pdf = proof_pdf(
            PROOF_TITLES[code],
            [
                f"LRE n° {mid} ({mail['fields'].get('ref_dossier', '')})",
                f"Destinataire : {mail['fields']['to_firstname']} {mail['fields']['to_lastname']}",
                f"Date : {date.strftime(DATE_FORMAT)}",
            ],
        )
        return Reply(200, pdf, content_type="application/pdf")

    # -- views ---------------------------------------------------------------------------

    def stages(self, mail: dict) -> list[str]:
        return mail["progress"].reached(self.step_seconds)

    def view(self, mail_id: str) -> dict:
        mail = self.mails[mail_id]
        fields = mail["fields"]
        stages = self.stages(mail)
        view = {
            "id": int(mail_id),
            "type": "lre",
            "status": STAGE_FIELDS[stages[-1]][1] if stages else "waiting",
            "to_firstname": fields["to_firstname"],
            "to_lastname": fields["to_lastname"],
            "to_company": fields.get("to_company", ""),
            "to_email": fields["to_email"],
            "dest_statut": fields["dest_statut"],
            "ref_dossier": fields.get("ref_dossier", ""),
            "is_eidas": fields.get("eidas") == "1",
            "attachments": mail["attachments"],
        }
        for stage in stages:
            date_field, code = STAGE_FIELDS[stage]
            date = mail["progress"].date_of(stage).astimezone(_paris())
            view[date_field] = date.strftime(DATE_FORMAT)
            view[f"proof_{code}_url"] = f"{self.url}/get/proof/{code}-{mail_id}?token=" + (
                proof_token(mail_id)
            )
        return view

    # -- what the admin and the tests read ---------------------------------------------

    def sending_counts(self) -> dict:
        per_reference: dict[str, int] = {}
        for mail in self.mails.values():
            reference = mail["fields"].get("ref_dossier", "")
            per_reference[reference] = per_reference.get(reference, 0) + 1
        return {
            "sendings": len(self.mails),
            "submitted": len(self.mails),
            "submitted_per_reference": per_reference,
            "attachments": len(self.attachments),
        }

    def advance(self, sending_id: str | None = None, steps: int | None = None) -> None:
        with self.lock:
            for mail_id in [sending_id] if sending_id else list(self.mails):
                self.mails[mail_id]["progress"].manual += steps if steps else 3

    def pending_events(self) -> list[dict]:
        events = []
        for mail_id, mail in self.mails.items():
            stages = self.stages(mail)
            for stage in stages[self.emitted.get(mail_id, 0) :]:
                events.append(
                    {
                        "id_mail": mail_id,
                        "new_state": STAGE_FIELDS[stage][1],
                        "ref_dossier": mail["fields"].get("ref_dossier", ""),
                        "webhook": mail["fields"].get("webhook", ""),
                    }
                )
            self.emitted[mail_id] = len(stages)
        return events

    def webhook_request(self, payload: dict, forged: bool) -> urllib.request.Request:
        url = payload.get("webhook") or self.webhook_url
        body = {key: value for key, value in payload.items() if key != "webhook"}
        if forged:  # claims an acceptance, at a URL without the subscription's secret
            body["new_state"] = "ar"
            url = re.sub(r"([?&]secret=)[^&]*", r"\1forged", url)
        return urllib.request.Request(
            url,
            data=urllib.parse.urlencode(body).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )

    def deliver_webhooks(self):
        # Mails may carry their own webhook URL; the server-wide one is the fallback.
        if self.webhook_url is None and any(
            m["fields"].get("webhook") for m in self.mails.values()
        ):
            self.webhook_url = next(
                m["fields"]["webhook"] for m in self.mails.values() if m["fields"].get("webhook")
            )
        super().deliver_webhooks()


def success(result) -> Reply:
    return Reply.json(200, {"status": "SUCCESS", "result": result})


def proof_token(mail_id: str) -> str:
    return hashlib.sha256(f"proof-{mail_id}".encode()).hexdigest()[:16]


def _paris():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Paris")
