"""A dossier's filing with the court: the channel, the date, the reference, the proofs.

The engine files (``recouvrement.filing``): it prepares the Tribunal Digital upload set,
sends the signed request, the bordereau and the exhibits by registered letter to the
registry (or form A to the court of a European order) through the company's Maileva
account, or sends the dossier to a commissaire de justice by LRE through its AR24 account
(else hands the ZIP over, to download). This model keeps what happened: the
documents filed with their SHA-256, the provider's sending, and the evidence of the
filing (the deposit proof and the acknowledgment of receipt, attachments with their
SHA-256), refreshed by a button and by the registered letters' poll.
"""

import json
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from recouvrement.delivery import DeliveryState
from recouvrement.errors import RecouvrementError
from recouvrement.filing import refresh

_logger = logging.getLogger(__name__)

IN_FLIGHT_STATES = ("submitted", "deposited", "first_presentation")
LEGAL_GROUP = "l10n_fr_recouvrement.group_recouvrement_legal"


class RecouvrementDossierFiling(models.Model):
    _name = "recouvrement.dossier.filing"
    _description = "Court dossier: filing"
    _inherit = ["recouvrement.server.fields.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _server_fields = (
        "dossier_id", "export_id", "channel", "filed_on", "court_name", "recipient_address",
        "provider_id", "sending_reference", "sending_id", "state", "documents",
        "upload_set_id", "evidence_ids", "evidence_kinds", "read_at",
    )  # fmt: skip

    name = fields.Char(compute="_compute_name", store=True)
    dossier_id = fields.Many2one(
        "recouvrement.dossier", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="dossier_id.company_id", store=True, index=True)
    export_id = fields.Many2one(
        "recouvrement.dossier.export", string="Version filed", readonly=True
    )
    channel = fields.Selection(selection="_selection_channel", required=True, readonly=True)
    filed_on = fields.Date(readonly=True)
    court_name = fields.Char(string="Court", readonly=True)
    recipient_address = fields.Char(string="Sent to", readonly=True)
    reference = fields.Char(
        help="Tribunal Digital: the reference the portal gives after the upload, typed in "
        "here. By post: the registered letter's number, from the provider."
    )
    provider_id = fields.Many2one(
        "recouvrement.registered.provider", string="Provider", readonly=True
    )
    sending_reference = fields.Char(string="Our sending reference", readonly=True)
    sending_id = fields.Char(string="Provider sending ID", readonly=True, index="btree_not_null")
    state = fields.Selection(selection="_selection_state", readonly=True, default="prepared")
    documents = fields.Text(string="Documents filed (SHA-256)", readonly=True)
    upload_set_id = fields.Many2one("ir.attachment", string="Upload set", readonly=True)
    upload_set_data = fields.Binary(related="upload_set_id.datas", string="Upload set (ZIP)")
    upload_set_name = fields.Char(related="upload_set_id.name", string="Upload set file name")
    evidence_ids = fields.Many2many(
        "ir.attachment",
        "recouvrement_dossier_filing_evidence_rel",
        "filing_id",
        "attachment_id",
        string="Evidence",
        readonly=True,
    )
    evidence_kinds = fields.Char(readonly=True)
    read_at = fields.Datetime(string="Last read from the provider", readonly=True)

    @api.model
    def _selection_channel(self):
        return [
            ("tribunal_digital", self.env._("Tribunal Digital (online)")),
            ("registered_letter", self.env._("Registered letter to the registry")),
            ("commissaire", self.env._("Commissaire de justice")),
            ("european_order", self.env._("European order for payment (form A)")),
        ]

    @api.model
    def _selection_state(self):
        return [
            ("prepared", self.env._("To upload")),
            ("handed_over", self.env._("ZIP to hand over")),
            ("filed", self.env._("Filed")),
            ("submitted", self.env._("Submitted")),
            ("deposited", self.env._("Deposited")),
            ("first_presentation", self.env._("First presentation")),
            ("delivered", self.env._("Received by the registry")),
            ("refused", self.env._("Refused")),
            ("not_claimed", self.env._("Not claimed")),
            ("undeliverable", self.env._("Undeliverable")),
        ]

    @api.depends("dossier_id.name", "channel")
    def _compute_name(self):
        labels = dict(self._selection_channel())
        for filing in self:
            filing.name = f"{filing.dossier_id.name} – {labels.get(filing.channel, '')}"

    # ------------------------------------------------------------------
    # From the engine
    # ------------------------------------------------------------------
    @api.model
    def _create_from_engine(self, dossier, export, channel, result, account=None, upload=None):
        """The filing record of the engine's ``Filing`` ``result``; a sending filed again
        (the engine read it back from the provider) keeps its one record. The registry's
        letter and the commissaire's LRE of one version share the sending reference, not
        the channel."""
        if result.sending_reference:
            known = self.search(
                [("dossier_id", "=", dossier.id), ("channel", "=", channel),
                 ("sending_reference", "=", result.sending_reference)], limit=1,
            )  # fmt: skip
            if known:
                kinds = set(filter(None, (known.evidence_kinds or "").split(",")))
                known._store_evidence([e for e in result.evidence if e.kind not in kinds])
                return known
        filing = self._server_create(
            {
                "dossier_id": dossier.id,
                "export_id": export.id,
                "channel": channel,
                "filed_on": result.day,
                "court_name": result.court,
                "recipient_address": result.recipient_address or False,
                "reference": result.reference or False,
                "provider_id": account.id if account else False,
                "sending_reference": result.sending_reference or False,
                "sending_id": result.sending_id or False,
                "state": result.state,
                "documents": _documents_text(result),
            }
        )
        if upload is not None:
            attachment = filing._attach(upload[0], upload[1], "application/zip")
            filing._server_write({"upload_set_id": attachment.id})
        filing._store_evidence(result.evidence)
        if result.sending_id:
            dossier._record_filing(result.day)
        return filing

    def _attach(self, name, data, mimetype, description=False):
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name,
                    "raw": data,
                    "mimetype": mimetype,
                    "res_model": self._name,
                    "res_id": self.id,
                    "company_id": self.company_id.id,
                    "description": description,
                }
            )
        )

    def _store_evidence(self, evidence):
        """The proofs as attachments with their SHA-256; the deposit proof dates the filing."""
        self.ensure_one()
        if not evidence:
            return
        attachments = self.env["ir.attachment"]
        for proof in evidence:
            attachments |= self._attach(
                proof.filename, proof.content, "application/pdf", f"SHA-256: {proof.sha256}"
            )
        kinds = set(filter(None, (self.evidence_kinds or "").split(",")))
        kinds |= {proof.kind for proof in evidence}
        self._server_write(
            {
                "evidence_ids": [fields.Command.link(item.id) for item in attachments],
                "evidence_kinds": ",".join(sorted(kinds)),
            }
        )
        deposit = next((proof for proof in evidence if proof.kind == "deposit"), None)
        if deposit and deposit.at:
            self.dossier_id._record_filing(fields.Date.to_date(deposit.at[:10]), replace=True)

    # ------------------------------------------------------------------
    # Tribunal Digital: the portal's reference, typed in
    # ------------------------------------------------------------------
    def action_mark_uploaded(self):
        """The set was uploaded: the portal's reference is kept, the dossier is filed."""
        for filing in self:
            if filing.channel != "tribunal_digital" or filing.state != "prepared":
                raise UserError(self.env._("Only a Tribunal Digital set to upload is marked so."))
            if not filing.reference:
                raise UserError(
                    self.env._("Type in the reference Tribunal Digital gave for the filing.")
                )
            today = fields.Date.context_today(self)
            filing._server_write({"state": "filed", "filed_on": today})
            filing.dossier_id._record_filing(today)
        return True

    # ------------------------------------------------------------------
    # By post: the provider's proofs
    # ------------------------------------------------------------------
    def action_refresh(self):
        """Re-read the letter from the provider; new proofs become evidence."""
        for filing in self:
            if not filing.sending_reference:
                raise UserError(self.env._("Only a filing sent by registered letter is re-read."))
            try:
                filing._refresh_from_provider()
            except RecouvrementError as error:
                _logger.info("Filing %s refused: %s", filing.name, error.code)
                raise UserError(str(error)) from error
        return True

    def _refresh_from_provider(self):
        self.ensure_one()
        client = self.provider_id.sudo()._get_client()
        known = filter(None, (self.evidence_kinds or "").split(","))
        status, evidence = refresh(client, self.sending_reference, known)
        values = {
            "state": "submitted" if status.state is DeliveryState.DRAFT else status.state.value,
            "read_at": fields.Datetime.now(),
        }
        if status.registered_number:
            values["reference"] = status.registered_number
        self._server_write(values)
        self._store_evidence(evidence)

    @api.model
    def _cron_refresh_in_flight(self):
        """The filings by post still in flight, re-read; one failing waits for the next run."""
        filings = self.sudo().search(
            [("sending_reference", "!=", False), ("state", "in", IN_FLIGHT_STATES)]
        )
        for filing in filings:
            try:
                filing._refresh_from_provider()
            except RecouvrementError as error:
                _logger.warning("Filing %s: %s", filing.name, error.code)
        return len(filings)


def _documents_text(result):
    """One line per document filed: its name and SHA-256 (the JSON keeps the details)."""
    return json.dumps(
        [document.to_dict() for document in result.documents], ensure_ascii=False, indent=1
    )


class RecouvrementDossier(models.Model):
    _inherit = "recouvrement.dossier"

    filing_ids = fields.One2many("recouvrement.dossier.filing", "dossier_id", string="Filings")
    filing_count = fields.Integer(compute="_compute_filing_count")

    @api.depends("filing_ids")
    def _compute_filing_count(self):
        for dossier in self:
            dossier.filing_count = len(dossier.filing_ids)

    def _record_filing(self, day, replace=False):
        """The dossier filed on ``day`` (the deposit proof's date replaces the sending's)."""
        dossier = self.sudo()._as_server()
        values = {}
        if dossier.state == "exported":
            values["state"] = "filed"
        if replace or not dossier.filed_date:
            values["filed_date"] = day
        if values:
            dossier.write(values)

    def action_open_file_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("File the dossier"),
            "res_model": "recouvrement.dossier.file.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_dossier_id": self.id},
        }

    def action_open_filings(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Filings"),
            "res_model": "recouvrement.dossier.filing",
            "view_mode": "list,form",
            "domain": [("dossier_id", "=", self.id)],
        }


class RecouvrementCommunication(models.Model):
    _inherit = "recouvrement.communication"

    @api.model
    def _cron_poll_registered_letters(self):
        """The registered letters' poll also re-reads the filings sent by post."""
        remaining = super()._cron_poll_registered_letters()
        self.env["recouvrement.dossier.filing"]._cron_refresh_in_flight()
        return remaining
