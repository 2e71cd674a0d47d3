from odoo import api, fields, models
from odoo.tools import SQL


class RecouvrementOverdueReport(models.Model):
    """The collection dashboard: open customer invoices by level and by age.

    Ages are counted on the user's today (``recouvrement_as_of`` in the context for
    another day), not on the database server's clock.
    """

    _name = "recouvrement.overdue.report"
    _description = "Collection dashboard"
    _auto = False
    _order = "age_days desc"

    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    level_id = fields.Many2one("recouvrement.policy.level", string="Level", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    invoice_date_due = fields.Date(string="Due date", readonly=True)
    age_days = fields.Integer(string="Days overdue", readonly=True, aggregator="max")
    age_bucket = fields.Selection(selection="_selection_age_bucket", string="Age", readonly=True)
    blocked = fields.Boolean(readonly=True)
    block_reason = fields.Selection(
        selection=lambda self: self.env["recouvrement.block"]._selection_reason(),
        string="Block reason",
        readonly=True,
    )
    next_date = fields.Date(string="Next collection action", readonly=True)
    action_due = fields.Boolean(
        string="Due for action",
        readonly=True,
        help="The next collection action is due today or was due before, and nothing blocks it.",
    )
    amount_residual = fields.Monetary(string="Amount due", readonly=True)

    @api.model
    def _selection_age_bucket(self):
        return [
            ("0_not_due", self.env._("Not due")),
            ("1_30", self.env._("1-30 days")),
            ("2_60", self.env._("31-60 days")),
            ("3_90", self.env._("61-90 days")),
            ("4_older", self.env._("More than 90 days")),
        ]

    @api.model
    def _get_as_of(self):
        as_of = self.env.context.get("recouvrement_as_of") or fields.Date.context_today(self)
        return fields.Date.to_date(as_of)

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT move.id AS id,
                   move.id AS move_id,
                   move.company_id,
                   move.commercial_partner_id AS partner_id,
                   state.level_id AS level_id,
                   company.currency_id AS currency_id,
                   move.invoice_date_due,
                   GREATEST(%(today)s - move.invoice_date_due, 0) AS age_days,
                   CASE
                       WHEN move.invoice_date_due >= %(today)s THEN '0_not_due'
                       WHEN %(today)s - move.invoice_date_due <= 30 THEN '1_30'
                       WHEN %(today)s - move.invoice_date_due <= 60 THEN '2_60'
                       WHEN %(today)s - move.invoice_date_due <= 90 THEN '3_90'
                       ELSE '4_older'
                   END AS age_bucket,
                   COALESCE(move.recouvrement_blocked, FALSE) AS blocked,
                   move.recouvrement_block_reason AS block_reason,
                   state.next_date AS next_date,
                   COALESCE(state.next_date <= %(today)s
                            AND NOT COALESCE(move.recouvrement_blocked, FALSE), FALSE)
                       AS action_due,
                   move.amount_residual_signed AS amount_residual
              FROM account_move move
              JOIN res_company company ON company.id = move.company_id
              LEFT JOIN recouvrement_invoice_state state ON state.move_id = move.id
             WHERE move.move_type = 'out_invoice'
               AND move.state = 'posted'
               AND move.payment_state IN ('not_paid', 'partial')
               AND move.amount_residual > 0
            """,
            today=self._get_as_of(),
        )
