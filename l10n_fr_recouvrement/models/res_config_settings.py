from odoo import fields, models


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
    recouvrement_penalty_rate = fields.Float(
        related="company_id.recouvrement_penalty_rate", readonly=False
    )
    recouvrement_collector_id = fields.Many2one(
        related="company_id.recouvrement_collector_id", readonly=False
    )
