"""File a dossier: the channel proposed from the court, run by the engine, the filing stored.

A commercial court (tribunal de commerce, TAE) is filed on Tribunal Digital: the wizard
produces the upload set (the request, the bordereau, one PDF per exhibit, the checklist)
as a ZIP to download. Any other court is filed by registered letter to its registry
through the company's Maileva account, with the request signed by the signatory's image
or a signed scan.
"""

import base64
import tempfile
from pathlib import Path

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from recouvrement.dossier import Court, CourtKind
from recouvrement.errors import RecouvrementError
from recouvrement.filing import (
    RegistryLetterChannel,
    TribunalDigitalChannel,
    read_dossier,
    registry_party,
)

from ..models.recouvrement_dossier_filing import LEGAL_GROUP


class RecouvrementDossierFileWizard(models.TransientModel):
    _name = "recouvrement.dossier.file.wizard"
    _description = "File a court dossier"

    dossier_id = fields.Many2one("recouvrement.dossier", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="dossier_id.company_id")
    export_id = fields.Many2one(
        "recouvrement.dossier.export",
        string="Version to file",
        compute="_compute_export_id",
        store=True,
        readonly=False,
        domain="[('dossier_id', '=', dossier_id)]",
    )
    court_name = fields.Char(related="dossier_id.court_name")
    court_kind = fields.Selection(related="dossier_id.court_kind")
    channel = fields.Selection(
        selection=lambda self: self.env["recouvrement.dossier.filing"]._selection_channel(),
        compute="_compute_channel",
        store=True,
        readonly=False,
        required=True,
    )
    provider_id = fields.Many2one(
        "recouvrement.registered.provider",
        string="Provider account",
        compute="_compute_provider_id",
        store=True,
        readonly=False,
        domain="[('company_id', '=', company_id), ('provider', '=', 'maileva')]",
    )
    signature_image = fields.Binary(
        string="Signature image",
        help="The signatory's signature (PNG or JPEG), stamped on the request's signature place.",
    )
    signed_request = fields.Binary(
        string="Signed request (scan)", help="The request printed, signed and scanned (PDF)."
    )
    signed_request_name = fields.Char()
    confirmed_street = fields.Char(
        string="Registry street",
        help="Only when the court list's address is not verified: the registry's address "
        "you checked in the Annuaire de l'administration.",
    )
    confirmed_zip = fields.Char(string="Registry ZIP")
    confirmed_city = fields.Char(string="Registry city")

    @api.depends("dossier_id")
    def _compute_export_id(self):
        for wizard in self:
            wizard.export_id = wizard.dossier_id.export_ids[:1]  # the latest version

    @api.depends("dossier_id.court_kind")
    def _compute_channel(self):
        for wizard in self:
            commercial = wizard.dossier_id.court_kind == "commerce"
            wizard.channel = "tribunal_digital" if commercial else "registered_letter"

    @api.depends("company_id")
    def _compute_provider_id(self):
        accounts = self.env["recouvrement.registered.provider"]
        for wizard in self:
            wizard.provider_id = accounts._for_company(wizard.company_id).get("lrar", accounts)

    def _check_filing_access(self):
        if not (self.env.su or self.env.user.has_group(LEGAL_GROUP)):
            raise AccessError(self.env._("Only legal counsel and managers file dossiers."))
        self.dossier_id.check_access("read")

    def action_file(self):
        self.ensure_one()
        self._check_filing_access()
        if not self.export_id:
            raise UserError(self.env._("Export the dossier before filing it."))
        today = fields.Date.context_today(self)
        try:
            dossier = read_dossier(self.export_id.attachment_id.sudo().raw)
            if self.channel == "tribunal_digital":
                filing = self._file_on_portal(dossier, today)
            else:
                filing = self._file_by_post(dossier, today)
        except RecouvrementError as error:
            raise UserError(str(error)) from error
        return {
            "type": "ir.actions.act_window",
            "res_model": filing._name,
            "res_id": filing.id,
            "view_mode": "form",
            "target": "current",
        }

    def _file_on_portal(self, dossier, today):
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / f"depot-tribunal-digital-{dossier.reference}.zip"
            result = TribunalDigitalChannel(out).file(dossier, today)
            upload = (out.name, out.read_bytes())
        return self.env["recouvrement.dossier.filing"]._create_from_engine(
            self.dossier_id, self.export_id, self.channel, result, upload=upload
        )

    def _file_by_post(self, dossier, today):
        account = self.provider_id.sudo()  # legal counsel does not read the credentials
        if not account:
            raise UserError(
                self.env._("The company has no Maileva account to send the registered letter.")
            )
        channel = RegistryLetterChannel(
            account._get_client(),
            signature_image=_decoded(self.signature_image),
            signed_scan=_decoded(self.signed_request),
            court_address=self._get_confirmed_address(),
        )
        result = channel.file(dossier, today)
        return self.env["recouvrement.dossier.filing"]._create_from_engine(
            self.dossier_id, self.export_id, self.channel, result, account=account
        )

    def _get_confirmed_address(self):
        """The registry's address the user checked, named as the engine names a registry."""
        if not self.confirmed_street:
            return None
        court = Court(
            CourtKind(self.court_kind or "judiciaire"),
            self.court_name,
            self.confirmed_street,
            self.confirmed_zip or "",
            self.confirmed_city or "",
            source="address confirmed by the user",
        )
        return registry_party(court)


def _decoded(value):
    """A binary field's bytes (Odoo keeps them base64-encoded)."""
    return base64.b64decode(value) if value else None
