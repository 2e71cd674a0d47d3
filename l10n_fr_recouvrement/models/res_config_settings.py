from odoo import fields, models
from odoo.exceptions import UserError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    recouvrement_policy_id = fields.Many2one(
        related="company_id.recouvrement_policy_id", readonly=False
    )
    recouvrement_send_mode = fields.Selection(
        related="company_id.recouvrement_send_mode", readonly=False
    )
    recouvrement_legal_form = fields.Char(
        related="company_id.recouvrement_legal_form", readonly=False
    )
    recouvrement_signatory_name = fields.Char(
        related="company_id.recouvrement_signatory_name", readonly=False
    )
    recouvrement_signatory_title = fields.Char(
        related="company_id.recouvrement_signatory_title", readonly=False
    )
    recouvrement_legal_representative = fields.Char(
        related="company_id.recouvrement_legal_representative", readonly=False
    )
    recouvrement_signature_image = fields.Image(
        related="company_id.recouvrement_signature_image", readonly=False
    )
    recouvrement_rcs_city = fields.Char(related="company_id.recouvrement_rcs_city", readonly=False)
    recouvrement_share_capital = fields.Monetary(
        related="company_id.recouvrement_share_capital", readonly=False
    )
    recouvrement_registered_channel = fields.Selection(
        related="company_id.recouvrement_registered_channel", readonly=False
    )
    recouvrement_terms_on_invoices = fields.Boolean(
        related="company_id.recouvrement_terms_on_invoices", readonly=False
    )
    recouvrement_gdpr_controller = fields.Char(
        related="company_id.recouvrement_gdpr_controller", readonly=False
    )
    recouvrement_gdpr_purpose = fields.Char(
        related="company_id.recouvrement_gdpr_purpose", readonly=False
    )
    recouvrement_gdpr_basis = fields.Char(
        related="company_id.recouvrement_gdpr_basis", readonly=False
    )
    recouvrement_gdpr_retention = fields.Char(
        related="company_id.recouvrement_gdpr_retention", readonly=False
    )
    recouvrement_gdpr_rights_contact = fields.Char(
        related="company_id.recouvrement_gdpr_rights_contact", readonly=False
    )
    recouvrement_power_of_attorney_file = fields.Binary(
        related="company_id.recouvrement_power_of_attorney_file", readonly=False
    )
    recouvrement_power_of_attorney_filename = fields.Char(
        related="company_id.recouvrement_power_of_attorney_filename", readonly=False
    )
    recouvrement_penalty_rate = fields.Float(
        related="company_id.recouvrement_penalty_rate", readonly=False
    )
    # The company's rate 0 means the legal rate: said by a box, not by a "0,00".
    recouvrement_use_contractual_rate = fields.Boolean(string="Use a contractual penalty rate")
    recouvrement_collector_id = fields.Many2one(
        related="company_id.recouvrement_collector_id", readonly=False
    )
    # Not related fields: a related field writes the file and its name one after the
    # other, and the engine's check of the file would name the previous file. Written
    # together by set_values, the company's check names the file being saved.
    recouvrement_court_file = fields.Binary(string="Court file", attachment=False)
    recouvrement_court_filename = fields.Char(string="Court file name")

    def get_values(self):
        values = super().get_values()
        company = self.env.company.with_context(bin_size=False)
        values.update(
            recouvrement_court_file=company.recouvrement_court_file,
            recouvrement_court_filename=company.recouvrement_court_filename,
            recouvrement_use_contractual_rate=bool(company.recouvrement_penalty_rate),
        )
        return values

    def set_values(self):
        for settings in self:
            if not settings.recouvrement_use_contractual_rate:
                settings.recouvrement_penalty_rate = 0.0
            elif settings.recouvrement_penalty_rate <= 0:
                raise UserError(
                    self.env._(
                        "Give the contractual penalty rate, or uncheck Use a contractual "
                        "penalty rate to apply the legal rate."
                    )
                )
        super().set_values()
        for settings in self.with_context(bin_size=False):
            company = settings.company_id
            values = {
                "recouvrement_court_file": settings.recouvrement_court_file or False,
                "recouvrement_court_filename": settings.recouvrement_court_filename or False,
            }
            current = {
                "recouvrement_court_file": company.recouvrement_court_file or False,
                "recouvrement_court_filename": company.recouvrement_court_filename or False,
            }
            if values != current:
                company.write(values)  # checked by the engine (res.company's constraint)
