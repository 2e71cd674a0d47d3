from odoo import api, fields, models


class RecouvrementRunWizard(models.TransientModel):
    """Start a collection run by hand, after a preview of what it will produce."""

    _name = "recouvrement.run.wizard"
    _description = "Start a collection run"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date = fields.Date(default=fields.Date.context_today, readonly=True)
    mode = fields.Selection(
        selection=lambda self: self.env["res.company"]._selection_recouvrement_send_mode(),
        required=True,
        default="manual",
        help="Manual: create drafts to review and validate. Automatic: send at once.",
    )
    partner_ids = fields.Many2many("res.partner", string="Customers", help="Empty: every customer.")
    # Read-only: the run decides again when it starts; the preview only shows what it
    # would do today.
    line_ids = fields.One2many(
        "recouvrement.run.wizard.line", "wizard_id", string="Preview", readonly=True
    )
    previewed = fields.Boolean()
    skipped_log = fields.Text(string="Waiting", readonly=True)

    def _prepare_run_values(self):
        self.ensure_one()
        return {
            "company_id": self.company_id.id,
            "mode": self.mode,
            "partner_ids": [(6, 0, self.partner_ids.ids)],
        }

    def action_preview(self):
        """Ask the engine what the run would do, without writing anything."""
        self.ensure_one()
        run = (
            self.env["recouvrement.run"]
            .with_company(self.company_id)
            .new(self._prepare_run_values())
        )
        groups, skipped, _examined = run._plan()
        lines = [(5, 0, 0)]
        for (partner, level), moves in sorted(
            groups.items(), key=lambda item: (item[0][0].name or "", item[0][1].sequence)
        ):
            lines.append(
                (
                    0,
                    0,
                    {
                        "partner_id": partner.id,
                        "level_id": level.id,
                        "move_ids": [(6, 0, moves.ids)],
                        "amount_residual": sum(moves.mapped("amount_residual_signed")),
                    },
                )
            )
        self.write(
            {
                "line_ids": lines,
                "previewed": True,
                "skipped_log": run._get_skip_summary(skipped),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Collection run"),
        }

    def action_run(self):
        self.ensure_one()
        run = (
            self.env["recouvrement.run"]
            .with_company(self.company_id)
            .create(self._prepare_run_values())
        )
        run._execute_or_hand_off()
        return {
            "type": "ir.actions.act_window",
            "res_model": "recouvrement.run",
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
        }


class RecouvrementRunWizardLine(models.TransientModel):
    _name = "recouvrement.run.wizard.line"
    _description = "Collection run preview"

    wizard_id = fields.Many2one("recouvrement.run.wizard", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    level_id = fields.Many2one("recouvrement.policy.level", string="Level", readonly=True)
    move_ids = fields.Many2many("account.move", string="Invoices", readonly=True)
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    currency_id = fields.Many2one(related="wizard_id.company_id.currency_id")
    amount_residual = fields.Monetary(string="Amount due", readonly=True)

    @api.depends("move_ids")
    def _compute_invoice_count(self):
        for line in self:
            line.invoice_count = len(line.move_ids)
