from odoo import api, fields, models


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
    recouvrement_penalty_rate = fields.Float(
        string="Contractual penalty rate (%)",
        digits=(16, 2),
        help="The late-payment penalty rate of your terms of sale, between businesses. Empty: "
        "the legal default rate. The engine warns when it is below the legal floor.",
    )
    recouvrement_collector_id = fields.Many2one(
        "res.users", string="Default collector", help="Who gets the phone tasks."
    )

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
