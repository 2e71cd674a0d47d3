import dataclasses
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from recouvrement.escalation import OpenItem, next_action_date

OPEN_INVOICE_INDEX = "account_move_recouvrement_open_invoice_idx"
OPEN_INVOICE_PARTNER_INDEX = "account_move_recouvrement_open_partner_idx"
OPEN_INVOICE_PREDICATE = (
    "move_type = 'out_invoice' AND state = 'posted' AND payment_state IN ('not_paid', 'partial')"
)
LADDER_FIELDS = [
    "recouvrement_level_id",
    "recouvrement_last_date",
    "recouvrement_awaiting_sending",
    "recouvrement_next_date",
]


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "recouvrement.server.fields.mixin"]
    # Where the invoice stands on the ladder: written by runs and communications only.
    _server_fields = (
        "recouvrement_level_id",
        "recouvrement_last_date",
        "recouvrement_awaiting_sending",
    )

    recouvrement_policy_id = fields.Many2one(
        "recouvrement.policy",
        string="Collection policy",
        copy=False,
        check_company=True,
        help="Overrides the customer's and the company's reminder ladder for this invoice.",
    )
    recouvrement_applied_policy_id = fields.Many2one(
        "recouvrement.policy",
        string="Applied policy",
        compute="_compute_recouvrement_applied_policy_id",
        help="The reminder ladder this invoice follows: its own, else its customer's, else "
        "its company's.",
    )
    recouvrement_level_id = fields.Many2one(
        "recouvrement.policy.level",
        string="Collection level",
        copy=False,
        index="btree_not_null",
        readonly=True,
        help="The last level of the reminder ladder this invoice reached.",
    )
    recouvrement_last_date = fields.Date(
        string="Last reminder",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The day the last reminder went out (a mise en demeure: posted); a draft does "
        "not count.",
    )
    recouvrement_awaiting_sending = fields.Boolean(
        string="Reminder not sent yet",
        copy=False,
        readonly=True,
        help="The reminder of the level reached has not gone out: the ladder waits for it.",
    )
    recouvrement_next_date = fields.Date(
        string="Next collection action",
        compute="_compute_recouvrement_next_date",
        store=True,
        index="btree_not_null",
        help="When the invoice may reach its next level, pauses aside.",
    )
    recouvrement_block_ids = fields.Many2many(
        "recouvrement.block",
        "recouvrement_block_account_move_rel",
        "move_id",
        "block_id",
        string="Collection blocks",
        copy=False,
    )
    recouvrement_blocked = fields.Boolean(
        string="Collection blocked",
        compute="_compute_recouvrement_blocked",
        store=True,
        index=True,
    )
    recouvrement_block_reason = fields.Selection(
        selection=lambda self: self.env["recouvrement.block"]._selection_reason(),
        string="Block reason",
        compute="_compute_recouvrement_blocked",
        store=True,
    )
    recouvrement_notice_date = fields.Date(
        string="Mise en demeure received",
        copy=False,
        help="The day the debtor received the mise en demeure: legal interest on a consumer "
        "debt runs from then (C. civ. 1344-1).",
    )
    recouvrement_line_ids = fields.One2many(
        "recouvrement.communication.line", "move_id", string="Collection communications"
    )
    recouvrement_communication_count = fields.Integer(
        compute="_compute_recouvrement_communication_count", string="Communications"
    )
    recouvrement_penalty_amount = fields.Monetary(
        string="Late penalties",
        compute="_compute_recouvrement_penalties",
        currency_field="company_currency_id",
        help="Late-payment penalties (B2B, public) or legal interest (B2C) to date, computed "
        "by the engine.",
    )
    recouvrement_indemnity_amount = fields.Monetary(
        string="Recovery indemnity",
        compute="_compute_recouvrement_penalties",
        currency_field="company_currency_id",
        help="The flat 40 € indemnity (C. com. D441-5), between businesses only.",
    )
    recouvrement_days_late = fields.Integer(
        string="Days late", compute="_compute_recouvrement_penalties"
    )
    recouvrement_penalty_provisional = fields.Boolean(
        string="Provisional penalties",
        compute="_compute_recouvrement_penalties",
        help="The penalties run on the last known rate: this half-year's rate is not known yet.",
    )
    recouvrement_rate_warning = fields.Char(
        string="Rates problem",
        compute="_compute_recouvrement_penalties",
        help="Why the penalties cannot be computed (the rate file, typically).",
    )

    def init(self):
        super().init()
        # What every run reads: the open customer invoices of a company, by due date; and
        # by customer, for the run's chunks (ranges of customers).
        for name, columns in (
            (OPEN_INVOICE_INDEX, "company_id, invoice_date_due"),
            (OPEN_INVOICE_PARTNER_INDEX, "company_id, commercial_partner_id"),
        ):
            self.env.cr.execute(
                SQL(
                    "CREATE INDEX IF NOT EXISTS %s ON account_move (%s) WHERE %s",
                    SQL.identifier(name),
                    SQL(columns),
                    SQL(OPEN_INVOICE_PREDICATE),
                )
            )

    # ------------------------------------------------------------------
    # Domains and policy
    # ------------------------------------------------------------------
    @api.model
    def _recouvrement_get_open_domain(self):
        """Customer invoices that still owe something."""
        return [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("amount_residual", ">", 0),
        ]

    def _recouvrement_get_policy(self):
        """The effective policy: the invoice's, the customer's, or the company's."""
        self.ensure_one()
        return self._recouvrement_get_policies()[self]

    def _recouvrement_get_policies(self):
        """``{move: policy}`` for many invoices, read company by company."""
        result = {}
        for company in self.company_id:
            moves = self.filtered(lambda move, company=company: move.company_id == company)
            default = company._recouvrement_get_policy()
            # The partner's policy depends on the company: read it in the company's env.
            partners = moves.commercial_partner_id.with_company(company)
            by_partner = {partner.id: partner.recouvrement_policy_id for partner in partners}
            for move in moves:
                result[move] = (
                    move.recouvrement_policy_id
                    or by_partner[move.commercial_partner_id.id]
                    or default
                )
        return result

    def _compute_recouvrement_applied_policy_id(self):
        policies = self.filtered("company_id")._recouvrement_get_policies()
        for move in self:
            move.recouvrement_applied_policy_id = policies.get(move, False)

    def _recouvrement_is_open(self):
        self.ensure_one()
        return (
            self.move_type == "out_invoice"
            and self.state == "posted"
            and self.payment_state in ("not_paid", "partial")
            and self.amount_residual > 0
        )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends(
        "state",
        "payment_state",
        "invoice_date_due",
        "recouvrement_level_id",
        "recouvrement_last_date",
        "recouvrement_awaiting_sending",
        "recouvrement_notice_date",
        "recouvrement_policy_id",
    )
    def _compute_recouvrement_next_date(self):
        open_moves = self.filtered(
            lambda move: move.invoice_date_due and move._recouvrement_is_open()
        )
        next_dates = open_moves._recouvrement_get_next_dates()
        for move in self:
            move.recouvrement_next_date = next_dates.get(move, False)

    def _recouvrement_get_next_dates(self):
        """``{move: date or False}``: when each invoice may climb again (the engine's).

        Each ladder is built once, and the engine asked once per ladder and distinct facts.
        """
        policies = self._recouvrement_get_policies()
        ladders = {}
        answers = {}
        result = {}
        for move in self:
            policy = policies[move]
            if not policy:
                result[move] = False
                continue
            if policy not in ladders:
                ladders[policy] = (policy._get_ladder()[0], policy._get_position_function())
            ladder, positions = ladders[policy]
            item = move._recouvrement_get_open_item(positions(move.recouvrement_level_id))
            key = (policy, dataclasses.replace(item, invoice="", debtor="", balance=0))
            if key not in answers:
                answers[key] = next_action_date(item, ladder) or False
            result[move] = answers[key]
        return result

    def _recouvrement_get_open_item(self, position, pauses=()):
        """The invoice as the engine's ladder sees it: the facts, no decision."""
        self.ensure_one()
        return OpenItem(
            invoice=str(self.id),
            debtor=str(self.commercial_partner_id.id),
            due_date=self.invoice_date_due,
            balance=Decimal(f"{self.amount_residual_signed:.2f}"),
            level=position,
            last_reminder=self.recouvrement_last_date or None,
            pauses=pauses,
            awaiting_sending=self.recouvrement_awaiting_sending,
            notice_received=self.recouvrement_notice_date or None,
        )

    @api.depends(
        "recouvrement_block_ids.holds",
        "recouvrement_block_ids.reason",
        "commercial_partner_id.recouvrement_block_ids.holds",
    )
    def _compute_recouvrement_blocked(self):
        for move in self:
            blocks = (
                move.recouvrement_block_ids
                | move.commercial_partner_id.recouvrement_block_ids.filtered(
                    lambda block, move=move: (
                        block.scope == "partner" and block.company_id == move.company_id
                    )
                )
            )
            holding = blocks.filtered("holds").sorted("date_start")
            move.recouvrement_blocked = bool(holding)
            move.recouvrement_block_reason = holding[:1].reason or False

    def _compute_recouvrement_communication_count(self):
        groups = dict(
            self.env["recouvrement.communication.line"]._read_group(
                [("move_id", "in", self.ids)], groupby=["move_id"], aggregates=["__count"]
            )
        )
        for move in self:
            move.recouvrement_communication_count = groups.get(move._origin, 0)

    @api.depends_context("recouvrement_as_of")
    def _compute_recouvrement_penalties(self):
        """Penalties and indemnity to date, computed by the engine in one pass."""
        as_of = self.env.context.get("recouvrement_as_of") or fields.Date.context_today(self)
        invoices = self.filtered(
            lambda move: move.move_type == "out_invoice" and move.state == "posted" and move.id
        )
        warning = False
        try:
            results = self.env["recouvrement.engine"]._compute_decomptes(
                invoices._origin, fields.Date.to_date(as_of)
            )
        except UserError as error:  # the rate file: said on the invoice, not a crash
            results, warning = {}, str(error)
        for move in self:
            move.recouvrement_rate_warning = warning if move in invoices else False
            line = results.get(move._origin.id)
            move.recouvrement_penalty_amount = float(line.interest) if line else 0.0
            move.recouvrement_indemnity_amount = float(line.indemnity) if line else 0.0
            move.recouvrement_days_late = line.days_late if line else 0
            move.recouvrement_penalty_provisional = bool(line and line.provisional)

    def _recouvrement_write_ladder(self, vals):
        """Write ladder fields without the invoice's accounting synchronisation.

        ``account.move.write`` re-synchronises tax and payment-term lines on every write,
        with queries per invoice; the ladder fields touch no accounting data.
        """
        return (
            self.sudo()
            .with_context(tracking_disable=True, skip_invoice_sync=True, check_move_validity=False)
            .write(vals)
        )

    def _recouvrement_raise_levels(self, levels):
        """The run's write: each invoice reaches ``levels[move]``, its reminder not sent
        yet (the last reminder's day is the sending's, see ``_recouvrement_mark_sent``),
        in one query.

        No next action date while the reminder waits to go out (the engine's rule); the
        ORM's write would issue one UPDATE per hundred invoices.
        """
        if not self:
            return
        self.flush_recordset(LADDER_FIELDS)
        self.env.execute_query(
            SQL(
                """
                UPDATE account_move AS move
                   SET recouvrement_level_id = raised.level_id,
                       recouvrement_awaiting_sending = true,
                       recouvrement_next_date = NULL,
                       write_uid = %(uid)s,
                       write_date = now() AT TIME ZONE 'UTC'
                  FROM unnest(%(ids)s::int[], %(levels)s::int[]) AS raised(id, level_id)
                 WHERE move.id = raised.id
                """,
                uid=self.env.uid,
                ids=self.ids,
                levels=[levels[move].id for move in self],
            )
        )
        self.invalidate_recordset([*LADDER_FIELDS, "write_uid", "write_date"])

    def _recouvrement_mark_sent(self, level, day):
        """The reminder of ``level`` went out on ``day``: the invoices still at that level
        count their next interval from it."""
        at_level = self.filtered(lambda move: move.recouvrement_level_id == level)
        waiting = at_level.filtered("recouvrement_awaiting_sending")
        waiting._recouvrement_write_ladder(
            {"recouvrement_last_date": day, "recouvrement_awaiting_sending": False}
        )

    def _recouvrement_mark_not_sent(self, level):
        """The reminder of ``level`` did not reach the debtor after all (its only channel
        failed): the ladder waits for it again."""
        at_level = self.filtered(lambda move: move.recouvrement_level_id == level)
        at_level._recouvrement_write_ladder({"recouvrement_awaiting_sending": True})

    # ------------------------------------------------------------------
    # Settlements: a payment or a credit note recomputes everything
    # ------------------------------------------------------------------
    def _recouvrement_settlement_changed(self):
        """Called when payments or credit notes are reconciled with these moves.

        Penalties are computed on the fly; what is stored is refreshed here: pending
        communications drop invoices that are now paid (and are cancelled when nothing is
        left), their documents are marked for regeneration, and payment plans are
        re-evaluated. Payments are registered by people outside collection: sudo.
        """
        invoices = self.filtered(lambda move: move.move_type == "out_invoice").sudo()
        if not invoices:
            return
        lines = (
            self.env["recouvrement.communication.line"]
            .sudo()
            .search(
                [
                    ("move_id", "in", invoices.ids),
                    ("communication_id.state", "in", ("draft", "to_send", "failed")),
                ]
            )
        )
        lines.communication_id._recouvrement_refresh_pending()
        blocks = (
            invoices.recouvrement_block_ids | invoices.commercial_partner_id.recouvrement_block_ids
        )
        blocks.filtered(lambda block: block.state == "active")._refresh_holds()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_recouvrement_block(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_fr_recouvrement.action_recouvrement_block"
        )
        action.update(
            {
                "views": [(False, "form")],
                "view_mode": "form",
                "target": "new",
                "context": {
                    "default_partner_id": self.commercial_partner_id[:1].id,
                    "default_move_ids": self.ids,
                    "default_company_id": self.company_id[:1].id,
                    "default_scope": "invoices",
                },
            }
        )
        return action

    def action_recouvrement_open_communications(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_fr_recouvrement.action_recouvrement_communication"
        )
        action["domain"] = [("line_ids.move_id", "in", self.ids)]
        return action

    # ------------------------------------------------------------------
    # Printing (DOCX reports)
    # ------------------------------------------------------------------
    def _recouvrement_get_docx_letters(self, report):
        """One letter per customer, listing the printed open invoices."""
        invoices = self.filtered(lambda move: move._recouvrement_is_open())
        if not invoices:
            raise UserError(self.env._("Only open customer invoices can be put in a letter."))
        engine = self.env["recouvrement.engine"]
        documents = []
        for partner in invoices.commercial_partner_id:
            moves = invoices.filtered(
                lambda move, partner=partner: move.commercial_partner_id == partner
            )
            kind = (
                report.recouvrement_letter_kind
                or moves.recouvrement_level_id.sorted("days_after_due")[-1:].letter_kind
                or "relance_courtoise"
            )
            documents.append(
                engine._render_adhoc_letter(report, partner, moves, kind, moves[0].name)
            )
        return documents
