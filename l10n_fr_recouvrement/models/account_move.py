import dataclasses
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from recouvrement.escalation import OpenItem, next_action_date

from .recouvrement_invoice_state import STATE_FIELDS

OPEN_INVOICE_INDEX = "account_move_recouvrement_open_invoice_idx"
OPEN_INVOICE_PARTNER_INDEX = "account_move_recouvrement_open_partner_idx"
OPEN_INVOICE_PREDICATE = (
    "move_type = 'out_invoice' AND state = 'posted' AND payment_state IN ('not_paid', 'partial')"
)


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
    # The ladder state lives in recouvrement.invoice.state (why: its docstring); these
    # fields show it, searchable, sortable and groupable through _field_to_sql.
    recouvrement_state_ids = fields.One2many(
        "recouvrement.invoice.state", "move_id", string="Collection state", readonly=True
    )
    recouvrement_level_id = fields.Many2one(
        "recouvrement.policy.level",
        string="Collection level",
        compute="_compute_recouvrement_level_id",
        search="_search_recouvrement_level_id",
        compute_sudo=True,
        help="The last level of the reminder ladder this invoice reached.",
    )
    recouvrement_last_date = fields.Date(
        string="Last reminder",
        compute="_compute_recouvrement_last_date",
        search="_search_recouvrement_last_date",
        compute_sudo=True,
        help="The day the last reminder went out (a mise en demeure: posted); a draft does "
        "not count.",
    )
    recouvrement_awaiting_sending = fields.Boolean(
        string="Reminder not sent yet",
        compute="_compute_recouvrement_awaiting_sending",
        search="_search_recouvrement_awaiting_sending",
        compute_sudo=True,
        help="The reminder of the level reached has not gone out: the ladder waits for it.",
    )
    recouvrement_next_date = fields.Date(
        string="Next collection action",
        compute="_compute_recouvrement_next_date",
        search="_search_recouvrement_next_date",
        compute_sudo=True,
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
            by_partner = self._recouvrement_get_partner_policies(
                company, moves.commercial_partner_id.ids
            )
            for move in moves:
                result[move] = (
                    move.recouvrement_policy_id or by_partner[move.commercial_partner_id.id]
                )
        return result

    @api.model
    def _recouvrement_get_partner_policies(self, company, partner_ids):
        """``{partner id: policy}``: the customer's policy in ``company``, else the
        company's (for the invoices without a policy of their own)."""
        default = company._recouvrement_get_policy()
        # The partner's policy depends on the company: read it in the company's env.
        partners = self.env["res.partner"].browse(partner_ids).with_company(company)
        return {partner.id: partner.recouvrement_policy_id or default for partner in partners}

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
    @api.model_create_multi
    def create(self, vals_list):
        moves = super().create(vals_list)
        self.env["recouvrement.invoice.state"]._ensure_rows(moves)
        return moves

    def write(self, vals):
        result = super().write(vals)
        if vals.get("move_type") == "out_invoice":
            self.env["recouvrement.invoice.state"]._ensure_rows(self)
        return result

    # ------------------------------------------------------------------
    # The ladder state, kept in recouvrement.invoice.state
    # ------------------------------------------------------------------
    # One compute per field: the next date's compute reads the others, never itself.
    @api.depends("recouvrement_state_ids.level_id")
    def _compute_recouvrement_level_id(self):
        self._recouvrement_copy_state("recouvrement_level_id")

    @api.depends("recouvrement_state_ids.last_date")
    def _compute_recouvrement_last_date(self):
        self._recouvrement_copy_state("recouvrement_last_date")

    @api.depends("recouvrement_state_ids.awaiting_sending")
    def _compute_recouvrement_awaiting_sending(self):
        self._recouvrement_copy_state("recouvrement_awaiting_sending")

    @api.depends("recouvrement_state_ids.next_date")
    def _compute_recouvrement_next_date(self):
        self._recouvrement_copy_state("recouvrement_next_date")

    def _recouvrement_copy_state(self, fname):
        column = STATE_FIELDS[fname]
        states = self.recouvrement_state_ids  # read for every invoice at once
        for move in self:
            move[fname] = move.recouvrement_state_ids[:1].with_prefetch(states._prefetch_ids)[
                column
            ]

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """The ladder fields as the state table's columns, joined on the invoice (no row:
        nulls, and false for the flag), so that domains, orders and group-bys use SQL."""
        column = STATE_FIELDS.get(fname)
        if column is None:
            return super()._field_to_sql(alias, fname, query, flush)
        if query is None:
            raise ValueError(f"{fname} needs a query to join the collection state")
        self.check_field_access_rights("read", [fname])
        State = self.env["recouvrement.invoice.state"]
        state_alias = query.make_alias(alias, "recouvrement_state")
        query.add_join(
            "LEFT JOIN",
            state_alias,
            State._table,
            SQL("%s = %s", SQL.identifier(alias, "id"), SQL.identifier(state_alias, "move_id")),
        )
        sql = SQL.identifier(state_alias, column, to_flush=State._fields[column] if flush else None)
        if column == "awaiting_sending":
            return SQL("COALESCE(%s, FALSE)", sql)
        return sql

    def _recouvrement_select(self, fnames, row_type, query=None):
        """The fields ``fnames`` of ``self`` (or of the invoices of ``query``) as
        ``row_type`` tuples, in one query, in no particular order: what a run reads of
        thousands of invoices, without building their records."""
        if query is None:
            query = self._as_query(ordered=False)
        columns = [self._field_to_sql(self._table, fname, query) for fname in fnames]
        return [row_type(*row) for row in self.env.execute_query(query.select(*columns))]

    def _recouvrement_search_state(self, fname, operator, value):
        """A condition on the state row's column, compiled on the row joined to the invoice
        (:class:`StateCondition`); a level by name: on the levels' names."""
        if fname == "recouvrement_level_id" and isinstance(value, str):
            negative = operator in expression.NEGATIVE_TERM_OPERATORS
            positive = expression.TERM_OPERATORS_NEGATION[operator] if negative else operator
            levels = self.env["recouvrement.policy.level"]._search([("name", positive, value)])
            operator, value = ("not in" if negative else "in"), list(levels)
        return [("id", "in", StateCondition(fname, operator, value))]

    def _condition_to_sql(self, alias, fname, operator, value, query):
        if isinstance(value, StateCondition):
            return value.to_sql(self, alias, query)
        return super()._condition_to_sql(alias, fname, operator, value, query)

    def _search_recouvrement_level_id(self, operator, value):
        return self._recouvrement_search_state("recouvrement_level_id", operator, value)

    def _search_recouvrement_last_date(self, operator, value):
        return self._recouvrement_search_state("recouvrement_last_date", operator, value)

    def _search_recouvrement_awaiting_sending(self, operator, value):
        return self._recouvrement_search_state("recouvrement_awaiting_sending", operator, value)

    def _search_recouvrement_next_date(self, operator, value):
        return self._recouvrement_search_state("recouvrement_next_date", operator, value)

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
        return make_open_item(
            self.id,
            self.commercial_partner_id.id,
            self.invoice_date_due,
            self.amount_residual_signed,
            position,
            self.recouvrement_last_date,
            self.recouvrement_awaiting_sending,
            self.recouvrement_notice_date,
            pauses,
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
        """Write ladder fields (the state table's) and the notice date, without the
        invoice's accounting synchronisation.

        ``account.move.write`` re-synchronises tax and payment-term lines on every write,
        with queries per invoice; the ladder fields touch no accounting data.
        """
        states = {STATE_FIELDS[name]: value for name, value in vals.items() if name in STATE_FIELDS}
        if states:
            self.env["recouvrement.invoice.state"]._write_ladder(self, states)
        others = {name: value for name, value in vals.items() if name not in STATE_FIELDS}
        if others:
            self.sudo().with_context(
                tracking_disable=True, skip_invoice_sync=True, check_move_validity=False
            ).write(others)

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


def make_open_item(
    move_id, partner_id, due_date, residual, position, last_date, awaiting, notice, pauses=()
):
    """An engine ``OpenItem`` from an invoice's plain values (a run reads them in SQL)."""
    return OpenItem(
        invoice=str(move_id),
        debtor=str(partner_id),
        due_date=due_date,
        balance=Decimal(f"{residual:.2f}"),
        level=position,
        last_reminder=last_date or None,
        pauses=pauses,
        awaiting_sending=bool(awaiting),
        notice_received=notice or None,
    )


class StateCondition(SQL):
    """The value of the domain term ``("id", "in", StateCondition(fname, operator,
    value))`` that the ladder fields' search methods return: ``account.move``'s
    ``_condition_to_sql`` compiles it as the condition on the state row that
    ``_field_to_sql`` joins, instead of a sub-query. On one join, PostgreSQL can walk the
    state table's index of next action dates in the list's order and stop at the page
    (a sub-query made it read and sort every match). An invoice without a row reads as a
    row of nulls, as on the left join.
    """

    __slots__ = ("fname", "operator", "value")

    def __init__(self, fname, operator, value):
        # Only account.move's _condition_to_sql compiles it (see to_sql); anywhere else,
        # the query fails on this undefined function instead of matching nothing.
        super().__init__("(SELECT recouvrement_state_condition_outside_account_move())")
        self.fname = fname
        self.operator = operator
        self.value = value

    def to_sql(self, moves, alias, query):
        """The condition on the invoices of table ``alias`` (``moves``' model) in
        ``query``: Odoo's own condition on the joined column, nulls included."""
        moves._field_to_sql(alias, self.fname, query)  # the join, shared with orders and reads
        State = moves.env["recouvrement.invoice.state"].sudo()
        return State._condition_to_sql(
            query.make_alias(alias, "recouvrement_state"),
            STATE_FIELDS[self.fname],
            self.operator,
            self.value,
            query,
        )

    def __repr__(self):
        return f"StateCondition({self.fname!r}, {self.operator!r}, {self.value!r})"
