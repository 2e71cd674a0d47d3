import base64
import binascii
from pathlib import Path

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from recouvrement.dossier import CourtTable
from recouvrement.dossier.courts import COLUMNS as COURT_COLUMNS
from recouvrement.dossier.courts import read_court_rows
from recouvrement.dossier.errors import CourtFileError
from recouvrement.dossier.guards import same_person


class ResCompany(models.Model):
    _inherit = "res.company"

    recouvrement_policy_id = fields.Many2one(
        "recouvrement.policy",
        string="Collection policy",
        domain="[('company_id', 'in', (id, False))]",
        help="The default reminder ladder of the company's customer invoices.",
    )
    recouvrement_send_mode = fields.Selection(
        selection="_selection_recouvrement_send_mode",
        string="Collection runs",
        required=True,
        default="manual",
        help="Automatic: the scheduled run sends what it produces. Manual: it leaves drafts "
        "to review and validate.",
    )
    recouvrement_legal_form = fields.Char(
        related="partner_id.recouvrement_legal_form", readonly=False
    )
    recouvrement_signatory_name = fields.Char(string="Letters signed by")
    recouvrement_signatory_title = fields.Char(string="Signatory title")
    recouvrement_signature_image = fields.Image(
        string="Signatory's signature",
        attachment=True,
        max_width=1200,
        max_height=400,
        help="The signatory's handwritten signature (PNG or JPEG), stamped on court requests "
        "filed by post.",
    )
    recouvrement_legal_representative = fields.Char(
        string="Legal representative",
        help='Who represents the company in law, with the title: "Claire Durand, présidente". '
        "Named in court requests (CPC 54); when the letters' signatory is someone else, add "
        "the power of attorney.",
    )
    recouvrement_power_of_attorney_file = fields.Binary(
        string="Signatory's power of attorney (PDF)",
        attachment=True,
        help="The delegation that lets the signatory act for the legal representative: "
        "added to court dossiers when the signatory is not the legal representative.",
    )
    recouvrement_power_of_attorney_filename = fields.Char(string="Power of attorney file name")
    recouvrement_rcs_city = fields.Char(
        string="RCS registry city",
        help='The city of the trade register where the company is registered ("Lyon"): '
        'printed as "RCS Lyon" after the SIREN on every letter (C. com. R123-237).',
    )
    recouvrement_share_capital = fields.Monetary(
        string="Share capital",
        currency_field="currency_id",
        help="Printed with the legal form on every letter (C. com. R123-238). Leave empty "
        "for a sole trader (EI), who has none.",
    )
    recouvrement_registered_channel = fields.Selection(
        selection="_selection_recouvrement_registered_channel",
        string="Mises en demeure sent by",
        required=True,
        default="lrar",
        help="The letter names the channel actually used.",
    )
    recouvrement_terms_on_invoices = fields.Boolean(
        string="Invoices refer to the terms of sale",
        help="Tick when your invoices refer to your terms and conditions: only then do the "
        "letters say the customer accepted them.",
    )
    recouvrement_gdpr_controller = fields.Char(
        string="Data controller",
        help="Who processes the debtor's data. Empty: the company's name and address.",
    )
    recouvrement_gdpr_purpose = fields.Char(
        string="Purpose of the processing",
        help='Empty: "la gestion de votre compte client et le recouvrement des sommes dues".',
    )
    recouvrement_gdpr_basis = fields.Char(
        string="Legal basis of the processing",
        help="Empty: the performance of the contract and the legitimate interest in being "
        "paid (GDPR art. 6(1)(b) and (f)).",
    )
    recouvrement_gdpr_retention = fields.Char(
        string="Retention period",
        help="Empty: until full payment, then the limitation period of the claim; "
        "accounting records ten years.",
    )
    recouvrement_gdpr_rights_contact = fields.Char(
        string="Where to exercise GDPR rights",
        help="An e-mail or postal address (your DPO's). Empty: the company's e-mail.",
    )
    recouvrement_penalty_rate = fields.Float(
        string="Contractual penalty rate (%)",
        digits=(16, 2),
        help="The late-payment penalty rate of your terms of sale, between businesses. Empty: "
        "the legal default rate. The engine warns when it is below the legal floor.",
    )
    recouvrement_collector_id = fields.Many2one(
        "res.users", string="Default collector", help="Who gets the phone tasks."
    )
    recouvrement_court_file = fields.Binary(
        string="Court file",
        attachment=True,
        help="Your own court list for court dossiers, on top of the engine's: a CSV file "
        "(UTF-8, comma-separated) with the columns " + ",".join(COURT_COLUMNS) + ". A row "
        "adds a court for a postal code, a commune or a département, or replaces the "
        "shipped row with the same match.",
    )
    recouvrement_court_filename = fields.Char(string="Court file name")
    recouvrement_cgv_file = fields.Binary(
        string="Terms and conditions (PDF)",
        attachment=True,
        help="Added as the first exhibit of every court dossier.",
    )
    recouvrement_cgv_filename = fields.Char(string="Terms and conditions file name")

    @api.model
    def _selection_recouvrement_registered_channel(self):
        return [
            ("lrar", self.env._("Registered letter with acknowledgment of receipt (LRAR)")),
            ("lre", self.env._("Electronic registered letter (LRE)")),
        ]

    @api.model
    def _selection_recouvrement_send_mode(self):
        return [("manual", self.env._("Manual")), ("auto", self.env._("Automatic"))]

    def _recouvrement_get_policy(self):
        """The company's policy, else the shared default ladder."""
        self.ensure_one()
        if self.recouvrement_policy_id:
            return self.recouvrement_policy_id
        policy_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "l10n_fr_recouvrement.policy_fr_default", raise_if_not_found=False
        )
        policy = self.env["recouvrement.policy"].browse(policy_id)
        if (
            policy_id
            and policy.exists()
            and policy.active
            and policy.company_id in (self, self.browse())
        ):
            return policy
        return self.env["recouvrement.policy"].search(
            [("company_id", "in", (self.id, False))], limit=1
        )

    @api.constrains("recouvrement_court_file", "recouvrement_court_filename")
    def _check_recouvrement_court_file(self):
        """A court file is checked by the engine when it is saved, not when a dossier needs it."""
        for company in self:
            company._recouvrement_get_court_rows()

    def _recouvrement_get_court_rows(self):
        """The engine's rows of the company's court file (none without a file).

        :raise ValidationError: the file is not UTF-8 text, or the engine refuses a line
            (its message names the file, the line and the problem).
        """
        self.ensure_one()
        company = self.sudo().with_context(bin_size=False)
        if not company.recouvrement_court_file:
            return []
        origin = company.recouvrement_court_filename or self.env._("court file")
        try:
            text = base64.b64decode(company.recouvrement_court_file).decode("utf-8-sig")
        except (binascii.Error, UnicodeDecodeError):
            raise ValidationError(
                self.env._(
                    "The court file %s is not a UTF-8 text file: save it as CSV (UTF-8, "
                    "comma-separated).",
                    origin,
                )
            ) from None
        try:
            return read_court_rows(text, origin)
        except CourtFileError as error:
            raise ValidationError(
                self.env._("The court file is refused: %(error)s", error=error)
            ) from error

    def _recouvrement_get_court_table(self):
        """The engine's court list, with the rows of the company's court file on top."""
        self.ensure_one()
        shipped = self.env["recouvrement.engine"]._get_court_table()
        rows = self._recouvrement_get_court_rows()
        if not rows:
            return shipped
        # The file's name, for the engine's "add a row to your court file …" message.
        name = self.recouvrement_court_filename
        return CourtTable([*shipped.rows(), *rows], Path(name) if name else None)

    def _recouvrement_get_gdpr(self):
        """The GDPR information the letters print; empty values keep the engine's wording."""
        self.ensure_one()
        return {
            "controller": self.recouvrement_gdpr_controller or "",
            "purpose": self.recouvrement_gdpr_purpose or "",
            "basis": self.recouvrement_gdpr_basis or "",
            "retention": self.recouvrement_gdpr_retention or "",
            "rights_contact": self.recouvrement_gdpr_rights_contact or "",
        }

    def _recouvrement_get_cgv_attachment(self):
        return self._recouvrement_get_file_attachment("recouvrement_cgv_file")

    def _recouvrement_get_power_of_attorney_attachment(self):
        """The signatory's power of attorney, when the signatory is not the company's legal
        representative (a court request is signed by the representative or under its
        delegation)."""
        self.ensure_one()
        name = self.recouvrement_signatory_name or ""
        if not name.strip() or same_person(name, self.recouvrement_legal_representative or ""):
            return self.env["ir.attachment"]
        return self._recouvrement_get_file_attachment("recouvrement_power_of_attorney_file")

    def _recouvrement_get_file_attachment(self, field_name):
        self.ensure_one()
        if not self[field_name]:
            return self.env["ir.attachment"]
        return (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.company"),
                    ("res_id", "=", self.id),
                    ("res_field", "=", field_name),
                ],
                limit=1,
            )
        )
