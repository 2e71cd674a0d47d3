from odoo import api, fields, models
from odoo.tools import SQL

# The invoice's field for each column of the state table (see account_move.py).
STATE_FIELDS = {
    "recouvrement_level_id": "level_id",
    "recouvrement_last_date": "last_date",
    "recouvrement_awaiting_sending": "awaiting_sending",
    "recouvrement_next_date": "next_date",
}


class RecouvrementInvoiceState(models.Model):
    """Where a customer invoice stands on the reminder ladder: one row per invoice.

    A run raises thousands of invoices at once. On ``account_move`` (a hundred columns,
    thirty-odd indexes, the ORM's accounting hooks) that write was a third of a run's
    time; this table holds the ladder's columns only, has two indexes (the unique
    invoice, the next action date where there is one) and no audit columns (the
    communication lines keep each invoice's previous level and date), so that a run
    writes it in one ``INSERT … ON CONFLICT (move_id) DO UPDATE``.

    The invoice shows the same fields under its old names (``recouvrement_level_id``,
    ``recouvrement_last_date``, ``recouvrement_awaiting_sending``,
    ``recouvrement_next_date``), computed from here, and searchable, sortable and
    groupable through a join (``account.move._field_to_sql``); an invoice without a row
    reads as a row of nulls. Every customer invoice gets its row when it is created, so
    that its next action date is computed as before; the block flag and the notice date
    stay on the invoice: a run never writes them.

    Written by the server only (``sudo``): users read the invoice's fields.
    """

    _name = "recouvrement.invoice.state"
    _description = "Collection state of an invoice"
    _log_access = False
    _rec_name = "move_id"

    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    level_id = fields.Many2one(
        "recouvrement.policy.level", string="Collection level", readonly=True
    )
    last_date = fields.Date(string="Last reminder", readonly=True)
    awaiting_sending = fields.Boolean(string="Reminder not sent yet", readonly=True)
    next_date = fields.Date(
        string="Next collection action",
        compute="_compute_next_date",
        store=True,
        readonly=True,
        index="btree_not_null",
    )

    _sql_constraints = [
        ("move_uniq", "unique (move_id)", "An invoice has one collection state."),
    ]

    def init(self):
        """Give a row to the customer invoices that have none (an existing database)."""
        rows = self.env.execute_query(
            SQL(
                "INSERT INTO %s (move_id, company_id) "
                "SELECT id, company_id FROM account_move WHERE move_type = 'out_invoice' "
                "ON CONFLICT (move_id) DO NOTHING RETURNING id",
                SQL.identifier(self._table),
            )
        )
        if rows:
            self.env.add_to_compute(self._fields["next_date"], self.browse(r for (r,) in rows))

    @api.depends(
        "move_id.state",
        "move_id.payment_state",
        "move_id.invoice_date_due",
        "move_id.recouvrement_notice_date",
        "move_id.recouvrement_policy_id",
        "level_id",
        "last_date",
        "awaiting_sending",
    )
    def _compute_next_date(self):
        moves = self.move_id
        open_moves = moves.filtered(
            lambda move: move.invoice_date_due and move._recouvrement_is_open()
        )
        next_dates = open_moves._recouvrement_get_next_dates()
        for state in self:
            state.next_date = next_dates.get(state.move_id, False)

    @api.model
    def _ensure_rows(self, moves):
        """Rows for the customer invoices among ``moves`` that have none."""
        invoices = moves.filtered(lambda move: move.move_type == "out_invoice")
        if not invoices:
            return
        existing = set(self.sudo().search([("move_id", "in", invoices.ids)]).move_id.ids)
        self.sudo().create(
            [
                {"move_id": move.id, "company_id": move.company_id.id}
                for move in invoices
                if move.id not in existing
            ]
        )

    @api.model
    def _write_ladder(self, moves, vals):
        """Write the ladder columns ``vals`` of ``moves`` (rows created when missing);
        the next action dates follow through the ORM."""
        self._ensure_rows(moves)
        states = self.sudo().search([("move_id", "in", moves.ids)])
        states.write(vals)
        moves.invalidate_recordset(list(STATE_FIELDS))

    @api.model
    def _raise_levels(self, company, levels):
        """The run's write: ``levels`` maps ids of invoices of ``company`` to the level
        they reach, their reminder not sent yet, so no next action date (the engine's
        rule); one query, rows created when missing."""
        if not levels:
            return
        self.flush_model()
        move_ids = list(levels)
        self.env.execute_query(
            SQL(
                """
                INSERT INTO %(table)s AS state
                       (move_id, company_id, level_id, awaiting_sending, next_date)
                SELECT raised.move_id, %(company)s, raised.level_id, true, NULL
                  FROM unnest(%(ids)s::int[], %(levels)s::int[]) AS raised(move_id, level_id)
                    ON CONFLICT (move_id) DO UPDATE
                   SET level_id = EXCLUDED.level_id, awaiting_sending = true, next_date = NULL
                """,
                table=SQL.identifier(self._table),
                company=company.id,
                ids=move_ids,
                levels=[levels[move_id] for move_id in move_ids],
            )
        )
        self.invalidate_model(["level_id", "awaiting_sending", "next_date"])
        moves = self.env["account.move"].browse(move_ids)
        moves.invalidate_recordset(["recouvrement_state_ids", *STATE_FIELDS])
