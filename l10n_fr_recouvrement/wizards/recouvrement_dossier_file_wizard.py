"""File a dossier: the channel proposed from the court, run by the engine, the filing stored.

- A commercial court (tribunal de commerce, TAE) is filed on Tribunal Digital: the wizard
  produces the upload set (the request, the bordereau, one PDF per exhibit, the
  checklist) as a ZIP to download.
- Any other court is filed by registered letter to its registry through the company's
  Maileva account; a registry address the court list does not verify is used only once
  the user confirms one.
- A PSRPC goes to a commissaire de justice: by LRE through the company's AR24 account,
  or as the dossier's ZIP handed over (a download).
- A European order for payment goes as form A by registered letter to the court the user
  names (the dossier names none).

A request sent on paper is signed with the company's signature image (the wizard's
default), another image, or a signed scan; without any, the engine refuses it.
"""

import base64
import tempfile
from pathlib import Path

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from recouvrement.dossier import Court, CourtKind, Procedure
from recouvrement.errors import RecouvrementError
from recouvrement.filing import (
    Commissaire,
    CommissaireChannel,
    DossierUnreadable,
    EuropeanOrderChannel,
    RegistryLetterChannel,
    TribunalDigitalChannel,
    read_dossier,
    registry_party,
)
from recouvrement.postal_address import Party

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
    procedure = fields.Selection(related="dossier_id.procedure")
    channel = fields.Selection(
        selection=lambda self: self.env["recouvrement.dossier.filing"]._selection_channel(),
        compute="_compute_channel",
        store=True,
        readonly=False,
        required=True,
    )
    provider_kind = fields.Char(string="Provider kind", compute="_compute_provider_kind")
    provider_id = fields.Many2one(
        "recouvrement.registered.provider",
        string="Provider account",
        compute="_compute_provider_id",
        store=True,
        readonly=False,
        domain="[('company_id', '=', company_id), ('provider', '=', provider_kind)]",
    )
    signature_image = fields.Binary(
        string="Signature image",
        compute="_compute_signature_image",
        store=True,
        readonly=False,
        help="The signatory's signature (PNG or JPEG), stamped on the request's signature "
        "place: the company's (Settings), unless you give another.",
    )
    signed_request = fields.Binary(
        string="Signed request (scan)",
        help="The request printed, signed and scanned (PDF): filed instead of the stamped one.",
    )
    signed_request_name = fields.Char()
    commissaire_id = fields.Many2one(
        "res.partner",
        string="Commissaire de justice",
        compute="_compute_commissaire_id",
        store=True,
        readonly=False,
        help="The commissaire de justice chosen: name, e-mail (for the LRE) and address.",
    )
    commissaire_delivery = fields.Selection(
        selection="_selection_commissaire_delivery",
        string="Send the dossier",
        compute="_compute_commissaire_delivery",
        store=True,
        readonly=False,
    )
    court_verified = fields.Boolean(
        string="Registry address verified", compute="_compute_court_verified"
    )
    court_address_needed = fields.Boolean(
        string="Court address needed", compute="_compute_court_address_needed"
    )
    confirmed_name = fields.Char(
        string="Court addressed", help="European order: the competent court, as it is addressed."
    )
    confirmed_street = fields.Char(
        string="Registry street",
        help="Only when the court list's address is not verified: the registry's address "
        "you checked in the Annuaire de l'administration.",
    )
    confirmed_zip = fields.Char(string="Registry ZIP")
    confirmed_city = fields.Char(string="Registry city")
    confirmed_country_id = fields.Many2one(
        "res.country", string="Country", default=lambda self: self.env.ref("base.fr")
    )

    @api.model
    def _selection_commissaire_delivery(self):
        return [
            ("lre", self.env._("By electronic registered letter (AR24)")),
            ("zip", self.env._("As the ZIP, to hand over")),
        ]

    @api.depends("dossier_id")
    def _compute_export_id(self):
        for wizard in self:
            wizard.export_id = wizard.dossier_id.export_ids[:1]  # the latest version

    @api.depends("dossier_id.court_kind", "dossier_id.procedure")
    def _compute_channel(self):
        for wizard in self:
            wizard.channel = wizard._proposed_channel()

    def _proposed_channel(self):
        if self.procedure == Procedure.PSRPC.value:
            return "commissaire"
        if self.procedure == Procedure.EUROPEAN.value:
            return "european_order"
        if self.court_kind == CourtKind.COMMERCE.value:
            return "tribunal_digital"
        return "registered_letter"

    @api.depends("channel")
    def _compute_provider_kind(self):
        for wizard in self:
            wizard.provider_kind = "ar24" if wizard.channel == "commissaire" else "maileva"

    @api.depends("company_id", "channel")
    def _compute_provider_id(self):
        accounts = self.env["recouvrement.registered.provider"]
        for wizard in self:
            channel = "lre" if wizard.channel == "commissaire" else "lrar"
            wizard.provider_id = accounts._for_company(wizard.company_id).get(channel, accounts)

    @api.depends("company_id")
    def _compute_signature_image(self):
        for wizard in self:
            company = wizard.company_id.sudo().with_context(bin_size=False)
            wizard.signature_image = company.recouvrement_signature_image

    @api.depends("dossier_id")
    def _compute_commissaire_id(self):
        for wizard in self:
            wizard.commissaire_id = wizard.dossier_id.commissaire_id

    @api.depends("company_id")
    def _compute_commissaire_delivery(self):
        accounts = self.env["recouvrement.registered.provider"]
        for wizard in self:
            has_lre = "lre" in accounts._for_company(wizard.company_id)
            wizard.commissaire_delivery = "lre" if has_lre else "zip"

    @api.depends("export_id")
    def _compute_court_verified(self):
        for wizard in self:
            try:
                court = wizard._get_engine_dossier().court if wizard.export_id else None
            except DossierUnreadable:  # refused, with its message, when filing
                court = None
            wizard.court_verified = bool(court and court.verified)

    @api.depends("channel", "court_verified")
    def _compute_court_address_needed(self):
        for wizard in self:
            wizard.court_address_needed = wizard.channel == "european_order" or (
                wizard.channel == "registered_letter" and not wizard.court_verified
            )

    def _get_engine_dossier(self):
        """The version to file, read and verified against its manifest by the engine."""
        attachment = self.export_id.attachment_id.sudo().with_context(bin_size=False)
        return read_dossier(attachment.raw)

    def _check_filing_access(self):
        if not (self.env.su or self.env.user.has_group(LEGAL_GROUP)):
            raise AccessError(self.env._("Only legal counsel and managers file dossiers."))
        self.dossier_id.check_access("read")

    def action_file(self):
        self.ensure_one()
        self._check_filing_access()
        if not self.export_id:
            raise UserError(self.env._("Export the dossier before filing it."))
        file_through = {
            "tribunal_digital": self._file_on_portal,
            "registered_letter": self._file_with_registry,
            "commissaire": self._file_with_commissaire,
            "european_order": self._file_european_order,
        }[self.channel]
        today = fields.Date.context_today(self)
        try:
            filing = file_through(self._get_engine_dossier(), today)
        except RecouvrementError as error:
            raise UserError(str(error)) from error
        return {
            "type": "ir.actions.act_window",
            "res_model": filing._name,
            "res_id": filing.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------
    # The channels
    # ------------------------------------------------------------------
    def _file_on_portal(self, dossier, today):
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / f"depot-tribunal-digital-{dossier.reference}.zip"
            result = TribunalDigitalChannel(out).file(dossier, today)
            upload = (out.name, out.read_bytes())
        return self._store(result, upload=upload)

    def _file_with_registry(self, dossier, today):
        account = self._get_post_account()
        channel = RegistryLetterChannel(
            account._get_client(),
            court_address=self._get_confirmed_registry(),
            **self._get_signature(),
        )
        return self._store(channel.file(dossier, today), account=account)

    def _file_european_order(self, dossier, today):
        account = self._get_post_account()
        channel = EuropeanOrderChannel(
            account._get_client(), self._get_confirmed_court(), **self._get_signature()
        )
        return self._store(channel.file(dossier, today), account=account)

    def _file_with_commissaire(self, dossier, today):
        commissaire = self._get_commissaire()
        order = self.dossier_id.order_attachment_id.sudo().raw or None
        if self.commissaire_delivery == "zip":
            with tempfile.TemporaryDirectory() as folder:
                out = Path(folder) / f"dossier-{dossier.reference}-V{dossier.version}.zip"
                result = CommissaireChannel(commissaire, out=out).file(dossier, today)
                upload = (out.name, out.read_bytes())
            return self._store(result, upload=upload)
        account = self.provider_id.sudo()  # legal counsel does not read the credentials
        if not account:
            raise UserError(
                self.env._(
                    "The company has no AR24 account to send the electronic registered "
                    "letter: choose to hand the ZIP over."
                )
            )
        channel = CommissaireChannel(
            commissaire, client=account._get_client(), order_pdf=order, **self._get_signature()
        )
        return self._store(channel.file(dossier, today), account=account)

    def _store(self, result, account=None, upload=None):
        return self.env["recouvrement.dossier.filing"]._create_from_engine(
            self.dossier_id, self.export_id, self.channel, result, account=account, upload=upload
        )

    # ------------------------------------------------------------------
    # What the user gives
    # ------------------------------------------------------------------
    def _get_post_account(self):
        account = self.provider_id.sudo()  # legal counsel does not read the credentials
        if not account:
            raise UserError(
                self.env._("The company has no Maileva account to send the registered letter.")
            )
        return account

    def _get_signature(self):
        return {
            "signature_image": _decoded(self.signature_image),
            "signed_scan": _decoded(self.signed_request),
        }

    def _get_commissaire(self):
        partner = self.commissaire_id
        if not partner:
            raise UserError(self.env._("Choose the commissaire de justice to send the dossier to."))
        return Commissaire.from_mapping(
            {
                "name": partner.name,
                "email": partner.email or None,
                "street": partner.street or None,
                "street2": partner.street2 or None,
                "zip": partner.zip or None,
                "city": partner.city or None,
                "country": partner.country_id.code or "FR",
            }
        )

    def _get_confirmed_registry(self):
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

    def _get_confirmed_court(self):
        """The competent court of a European order, as the user gives it (None: refused
        by the engine, which says what to give)."""
        if not (self.confirmed_name or self.confirmed_street):
            return None
        return Party.from_mapping(
            {
                "name": self.confirmed_name or None,
                "attention": "Greffe",  # the letter's address block is French
                "street": self.confirmed_street or None,
                "zip": self.confirmed_zip or None,
                "city": self.confirmed_city or None,
                "country": self.confirmed_country_id.code or "FR",
            }
        )


def _decoded(value):
    """A binary field's bytes (Odoo keeps them base64-encoded)."""
    return base64.b64decode(value) if value else None
