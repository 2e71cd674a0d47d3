"""The invoices a communication claims, with the engine's figures for each."""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .bulk_insert import insert_rows


class RecouvrementCommunicationLine(models.Model):
    _name = "recouvrement.communication.line"
    _description = "Invoice in a collection communication"
    _inherit = ["recouvrement.server.fields.mixin"]
    _order = "communication_id, due_date, id"
    _check_company_auto = True
    # Written by runs and the engine only: a line names the invoice a letter claims.
    _server_fields = (
        "communication_id", "move_id", "level_id", "state", "date", "letter_kind",
        "company_id", "previous_level_id",
        "previous_last_date", "due_date", "amount_total", "amount_residual",
        "penalty_amount", "indemnity_amount", "days_late",
    )  # fmt: skip

    communication_id = fields.Many2one(
        "recouvrement.communication",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    # Stored for searching and the unique index; precomputed, so a run inserts each line
    # once instead of inserting then updating it.
    level_id = fields.Many2one(related="communication_id.level_id", store=True, precompute=True)
    state = fields.Selection(related="communication_id.state", store=True, precompute=True)
    date = fields.Date(related="communication_id.date", store=True, precompute=True)
    letter_kind = fields.Selection(
        related="communication_id.letter_kind", store=True, precompute=True
    )
    company_id = fields.Many2one(
        related="communication_id.company_id", store=True, index=True, precompute=True
    )
    # Read from the communication, not stored: each stored many2one costs PostgreSQL a
    # foreign-key check per line that a run inserts, and nothing searches lines by them.
    partner_id = fields.Many2one(related="communication_id.partner_id")
    currency_id = fields.Many2one(related="communication_id.currency_id")
    previous_level_id = fields.Many2one("recouvrement.policy.level", readonly=True)
    previous_last_date = fields.Date(readonly=True)
    due_date = fields.Date(readonly=True)
    amount_total = fields.Monetary(string="Invoice total", readonly=True)
    amount_residual = fields.Monetary(string="Balance", readonly=True)
    penalty_amount = fields.Monetary(string="Penalties", readonly=True)
    indemnity_amount = fields.Monetary(string="Indemnity", readonly=True)
    days_late = fields.Integer(readonly=True)

    @api.model
    def _get_copied_related_fields(self):
        """The stored fields related to the communication (``communication_id.<same>``)."""
        return [
            name
            for name, field in self._fields.items()
            if field.store and field.related == f"communication_id.{name}"
        ]

    @api.model
    def _insert_for_run(self, rows):
        """Insert the run's lines in one query (a run writes thousands).

        ``rows`` give every stored value, the related ones copied from their
        communication's values (see ``recouvrement.run._create_communications``). The
        unique (invoice, level) index still guards against a second run.
        """
        return insert_rows(self, rows)

    def init(self):
        # An invoice reaches a level once: two runs cannot both produce it (cancelled
        # communications give the level back).
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (move_id, level_id) "
                "WHERE state != 'cancelled'",
                SQL.identifier("recouvrement_communication_line_move_level_uniq"),
                SQL.identifier(self._table),
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_pending(self):
        for line in self:
            if line.communication_id.state in self.communication_id._get_locked_states():
                raise UserError(self.env._("A sent communication cannot be changed."))
