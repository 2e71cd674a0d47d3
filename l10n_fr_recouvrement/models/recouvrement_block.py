from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from recouvrement.pauses import Instalment, Pause, PauseReason

from .recouvrement_engine import to_decimal


class RecouvrementBlock(models.Model):
    """What pauses the ladder: a dispute, a promise to pay, a payment plan, insolvency.

    The engine decides whether a block still holds on a given day (a promise until its
    date, a payment plan while no instalment is missed, a dispute until it is resolved).
    """

    _name = "recouvrement.block"
    _description = "Collection block (dispute, promise, payment plan)"
    _inherit = ["recouvrement.server.fields.mixin", "mail.thread"]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    # Ended and reopened through the actions; whether it holds is the engine's answer.
    _server_fields = ("state", "holds", "missed_instalment_date")

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        domain="[('parent_id', '=', False)]",
        tracking=True,
        check_company=True,
    )
    scope = fields.Selection(
        selection="_selection_scope",
        required=True,
        default="invoices",
        help="Invoices: only the chosen invoices. Customer: every invoice of the customer "
        "(insolvency proceedings, for instance).",
    )
    move_ids = fields.Many2many(
        "account.move",
        "recouvrement_block_account_move_rel",
        "block_id",
        "move_id",
        string="Invoices",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('commercial_partner_id', '=', partner_id), ('company_id', '=', company_id)]",
    )
    reason = fields.Selection(
        selection="_selection_reason", required=True, default="dispute", tracking=True
    )
    date_start = fields.Date(
        string="Since", required=True, default=fields.Date.context_today, tracking=True
    )
    date_end = fields.Date(
        string="Until",
        tracking=True,
        help="Promise to pay: the promised date. Dispute: the day it was resolved.",
    )
    state = fields.Selection(
        selection="_selection_state",
        required=True,
        default="active",
        readonly=True,  # else the form sends its default on create, which the mixin refuses
        tracking=True,
    )
    note = fields.Text()
    instalment_ids = fields.One2many(
        "recouvrement.block.instalment", "block_id", string="Instalments", copy=True
    )
    holds = fields.Boolean(
        string="Blocking",
        compute="_compute_holds",
        store=True,
        help="Whether escalation is paused today; refreshed every day and on each payment.",
    )
    missed_instalment_date = fields.Date(compute="_compute_holds", store=True)
    amount_planned = fields.Monetary(compute="_compute_amounts", currency_field="currency_id")
    amount_paid = fields.Monetary(compute="_compute_amounts", currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.model
    def _selection_reason(self):
        return [
            ("dispute", self.env._("Dispute")),
            ("promise", self.env._("Promise to pay")),
            ("payment_plan", self.env._("Payment plan")),
            ("insolvency", self.env._("Insolvency proceedings")),
            ("manual", self.env._("Manual")),
        ]

    @api.model
    def _selection_scope(self):
        return [("invoices", self.env._("Invoices")), ("partner", self.env._("Customer"))]

    @api.model
    def _selection_state(self):
        return [("active", self.env._("Active")), ("done", self.env._("Ended"))]

    @api.depends("reason", "partner_id", "date_start")
    def _compute_name(self):
        labels = dict(self._selection_reason())
        for block in self:
            block.name = f"{labels.get(block.reason, '')} – {block.partner_id.name or ''}"

    @api.constrains("scope", "move_ids", "partner_id", "reason", "instalment_ids", "date_end")
    def _check_block(self):
        for block in self:
            if block.scope == "invoices" and not block.move_ids:
                raise ValidationError(self.env._("Choose the invoices the block applies to."))
            if block.move_ids.commercial_partner_id - block.partner_id:
                raise ValidationError(self.env._("The invoices must belong to the customer."))
            if block.reason == "promise" and not block.date_end:
                raise ValidationError(self.env._("A promise to pay needs the promised date."))
            if block.reason == "payment_plan" and not block.instalment_ids:
                raise ValidationError(self.env._("A payment plan needs its instalments."))
            if block.date_end and block.date_end < block.date_start and block.reason != "dispute":
                raise ValidationError(self.env._("The block ends before it starts."))

    # ------------------------------------------------------------------
    # Engine pauses
    # ------------------------------------------------------------------
    def _get_plan_payments(self, settlements=None):
        """``{block_id: Decimal}``: what was paid on each plan's invoices since it started."""
        plans = self.filtered(lambda block: block.reason == "payment_plan")
        if settlements is None:
            settlements = self.env["recouvrement.engine"]._get_settlements(plans.move_ids)
        paid = {}
        for block in plans:
            paid[block.id] = sum(
                (
                    item.amount
                    for move in block.move_ids
                    for item in settlements.get(move.id, ())
                    if item.day >= block.date_start
                ),
                Decimal(0),
            )
        return paid

    def _to_engine(self, plan_payments=None):
        """This block as an engine ``Pause``; instalments are paid in order."""
        self.ensure_one()
        until = self.date_end or None
        if self.state == "done" and not until:
            until = self.write_date.date() if self.write_date else self.date_start
        instalments = ()
        if self.reason == "payment_plan":
            available = (plan_payments or {}).get(self.id, Decimal(0))
            items = []
            for instalment in self.instalment_ids.sorted(lambda line: (line.due_date, line.id)):
                amount = to_decimal(instalment.amount)
                paid = min(amount, available)
                available -= paid
                items.append(Instalment(instalment.due_date, amount, paid))
            instalments = tuple(items)
        return Pause(
            reason=PauseReason(self.reason),
            since=self.date_start,
            until=until,
            instalments=instalments,
            note=self.note or "",
        )

    @api.depends(
        "state",
        "reason",
        "date_start",
        "date_end",
        "instalment_ids.amount",
        "instalment_ids.due_date",
        "move_ids.amount_residual",
    )
    def _compute_holds(self):
        today = fields.Date.context_today(self)
        payments = self._get_plan_payments()
        for block in self:
            if block.state != "active" or not block.date_start:
                block.holds = False
                block.missed_instalment_date = False
                continue
            pause = block._to_engine(payments)
            block.holds = pause.holds_on(today)
            missed = pause.missed_instalment(today) if block.reason == "payment_plan" else None
            block.missed_instalment_date = missed.due_date if missed else False

    @api.depends("instalment_ids.amount", "move_ids.amount_residual")
    def _compute_amounts(self):
        payments = self._get_plan_payments()
        for block in self:
            block.amount_planned = sum(block.instalment_ids.mapped("amount"))
            block.amount_paid = float(payments.get(block.id, 0))

    def _refresh_holds(self):
        """Re-evaluate whether blocks hold today (time passes, payments arrive)."""
        if not self:
            return
        # Marking the fields for recomputation does not reach what depends on them (the
        # invoices' blocked flag): ``modified`` does.
        self.modified(["holds", "missed_instalment_date"])
        self.env.add_to_compute(self._fields["holds"], self)
        self.env.add_to_compute(self._fields["missed_instalment_date"], self)
        self.flush_recordset(["holds", "missed_instalment_date"])

    @api.model
    def _cron_refresh(self, company=None):
        domain = [("state", "=", "active")]
        if company:
            domain.append(("company_id", "=", company.id))
        self.search(domain)._refresh_holds()

    def action_end(self):
        """Resolve a dispute, close a promise or a plan: escalation resumes."""
        today = fields.Date.context_today(self)
        for block in self:
            block._server_write({"state": "done", "date_end": block.date_end or today})

    def action_reopen(self):
        self._server_write({"state": "active"})


class RecouvrementBlockInstalment(models.Model):
    _name = "recouvrement.block.instalment"
    _description = "Payment plan instalment"
    _order = "due_date, id"

    block_id = fields.Many2one("recouvrement.block", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="block_id.company_id", store=True, index=True)
    due_date = fields.Date(required=True)
    amount = fields.Monetary(required=True, currency_field="currency_id")
    currency_id = fields.Many2one(related="block_id.currency_id")

    _sql_constraints = [
        ("amount_positive", "CHECK(amount > 0)", "An instalment amount must be positive."),
    ]
