"""The collection dashboard's summary: the figures an accountant reads every morning.

Every figure is one grouped query on ``recouvrement.overdue.report`` (or on the
invoices, for the sales of DSO): no invoice is read one by one.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import format_amount

DSO_DAYS = 90
TOP_DEBTORS = 10


class RecouvrementDashboard(models.TransientModel):
    _name = "recouvrement.dashboard"
    _description = "Collection dashboard summary"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(
        string="As of", required=True, readonly=True, default=fields.Date.context_today
    )
    amount_due = fields.Monetary(string="Open amount", compute="_compute_figures")
    amount_overdue = fields.Monetary(string="Overdue amount", compute="_compute_figures")
    overdue_count = fields.Integer(string="Overdue invoices", compute="_compute_figures")
    action_due_amount = fields.Monetary(string="Due for action", compute="_compute_figures")
    action_due_count = fields.Integer(string="Invoices due for action", compute="_compute_figures")
    action_due_partner_count = fields.Integer(
        string="Customers due for action", compute="_compute_figures"
    )
    blocked_amount = fields.Monetary(string="Blocked amount", compute="_compute_figures")
    sales_amount = fields.Monetary(
        string="Credit sales of the last 90 days", compute="_compute_figures"
    )
    dso = fields.Float(
        string="DSO (days)",
        digits=(16, 1),
        compute="_compute_figures",
        help="Days sales outstanding: open receivables / credit sales of the last 90 days × 90.",
    )
    summary_html = fields.Html(string="Summary", compute="_compute_figures", sanitize=False)

    # ------------------------------------------------------------------
    # Figures (each one grouped query)
    # ------------------------------------------------------------------
    def _get_report(self):
        self.ensure_one()
        return self.env["recouvrement.overdue.report"].with_context(recouvrement_as_of=self.date)

    def _get_report_domain(self, *extra):
        self.ensure_one()
        return [("company_id", "=", self.company_id.id), *extra]

    def _get_totals(self, groupby, *domain):
        """``{group: amount due}`` of the open invoices, grouped by ``groupby`` fields."""
        groups = self._get_report()._read_group(
            self._get_report_domain(*domain), groupby, ["amount_residual:sum"]
        )
        return {tuple(group[:-1]): group[-1] for group in groups}

    def _get_total(self, *domain):
        return self._get_totals([], *domain).get((), 0.0)

    def _get_level_bucket_totals(self):
        """``{(level, bucket): amount}``, with the ``None`` key for each total."""
        totals = self._get_totals(["level_id", "age_bucket"])
        totals.update(
            {(level, None): amount for (level,), amount in self._get_totals(["level_id"]).items()}
        )
        totals.update(
            {
                (None, bucket): amount
                for (bucket,), amount in self._get_totals(["age_bucket"]).items()
            }
        )
        totals[None, None] = self._get_total()
        return totals

    def _get_top_debtors(self, limit=TOP_DEBTORS):
        """``[(partner, amount due, amount overdue)]``: the customers owing most."""
        report = self._get_report()
        groups = report._read_group(
            self._get_report_domain(),
            ["partner_id"],
            ["amount_residual:sum"],
            order="amount_residual:sum desc, partner_id",
            limit=limit,
        )
        overdue = dict(
            report._read_group(
                self._get_report_domain(
                    ("partner_id", "in", [partner.id for partner, _amount in groups]),
                    ("age_bucket", "!=", "0_not_due"),
                ),
                ["partner_id"],
                ["amount_residual:sum"],
            )
        )
        return [(partner, amount, overdue.get(partner, 0.0)) for partner, amount in groups]

    def _get_action_due(self):
        """``(invoices, customers, amount)`` whose next collection action is due."""
        [(count, partners, amount)] = self._get_report()._read_group(
            self._get_report_domain(("action_due", "=", True)),
            [],
            ["__count", "partner_id:count_distinct", "amount_residual:sum"],
        )
        return count, partners, amount

    def _get_action_due_by_customer(self, limit=TOP_DEBTORS):
        """``[(partner, invoices, amount)]`` due for action, the largest amounts first."""
        return self._get_report()._read_group(
            self._get_report_domain(("action_due", "=", True)),
            ["partner_id"],
            ["__count", "amount_residual:sum"],
            order="amount_residual:sum desc, partner_id",
            limit=limit,
        )

    def _get_blocked_by_reason(self):
        """``{reason: amount}`` of the blocked invoices."""
        totals = self._get_totals(["block_reason"], ("blocked", "=", True))
        return {reason: amount for (reason,), amount in totals.items()}

    def _get_sales(self):
        """Credit sales of the last 90 days, this day included: invoices less credit notes,
        taxes included (as the receivables are)."""
        self.ensure_one()
        [(amount,)] = self.env["account.move"]._read_group(
            [
                ("company_id", "=", self.company_id.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("invoice_date", ">", self.date - timedelta(days=DSO_DAYS)),
                ("invoice_date", "<=", self.date),
            ],
            [],
            ["amount_total_signed:sum"],
        )
        return amount

    @staticmethod
    def _get_dso(receivables, sales):
        """Days sales outstanding = receivables / credit sales of the last 90 days × 90.

        Receivables: what the open customer invoices still owe; no sales: 0.
        """
        return receivables / sales * DSO_DAYS if sales > 0 else 0.0

    @api.depends("company_id", "date")
    def _compute_figures(self):
        for dashboard in self:
            totals = dashboard._get_level_bucket_totals()
            count, partners, amount = dashboard._get_action_due()
            blocked = dashboard._get_blocked_by_reason()
            sales = dashboard._get_sales()
            overdue = dashboard._get_report()._read_group(
                dashboard._get_report_domain(("age_bucket", "!=", "0_not_due")),
                [],
                ["__count", "amount_residual:sum"],
            )
            dashboard.amount_due = totals[None, None]
            dashboard.overdue_count, dashboard.amount_overdue = overdue[0]
            dashboard.action_due_count = count
            dashboard.action_due_partner_count = partners
            dashboard.action_due_amount = amount
            dashboard.blocked_amount = sum(blocked.values())
            dashboard.sales_amount = sales
            dashboard.dso = self._get_dso(totals[None, None], sales)
            dashboard.summary_html = dashboard._render_summary(totals, blocked)

    # ------------------------------------------------------------------
    # The summary tables
    # ------------------------------------------------------------------
    def _render_summary(self, totals, blocked):
        Report = self.env["recouvrement.overdue.report"]
        # The invoices no level reached yet first (an empty level), then the ladder.
        levels = sorted(
            (level for level, bucket in totals if level is not None and bucket is None),
            key=lambda level: (bool(level), level.days_after_due, level.id),
        )
        reasons = dict(self.env["recouvrement.block"]._selection_reason())

        def money(amount):
            return format_amount(self.env, amount or 0.0, self.currency_id)

        values = {
            "buckets": Report._selection_age_bucket(),
            "levels": [(level, level.name or self.env._("No level")) for level in levels],
            "amount": lambda level, bucket: money(totals.get((level, bucket), 0.0)),
            "blocked": [
                (reasons.get(reason, reason), money(amount))
                for reason, amount in sorted(blocked.items(), key=lambda item: -item[1])
            ],
            "action_due": [
                (partner, count, money(amount))
                for partner, count, amount in self._get_action_due_by_customer()
            ],
            "top_debtors": [
                (partner, money(due), money(overdue))
                for partner, due, overdue in self._get_top_debtors()
            ],
        }
        return self.env["ir.qweb"]._render("l10n_fr_recouvrement.dashboard_summary", values)

    # ------------------------------------------------------------------
    # Drill-downs
    # ------------------------------------------------------------------
    def _get_report_action(self, name, context=None, view_mode="list,pivot,graph"):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_fr_recouvrement.action_recouvrement_overdue_report"
        )
        action.update(
            {
                "name": name,
                "view_mode": view_mode,
                "views": [(False, mode) for mode in view_mode.split(",")],
                "context": context or {},
            }
        )
        return action

    def action_open_analysis(self):
        return self._get_report_action(
            self.env._("Overdue amounts"),
            {"search_default_overdue": 1},
            view_mode="pivot,graph,list",
        )

    def action_open_action_due(self):
        return self._get_report_action(
            self.env._("Due for action"),
            {"search_default_action_due": 1, "search_default_group_partner": 1},
        )

    def action_open_blocked(self):
        return self._get_report_action(
            self.env._("Blocked"),
            {"search_default_blocked": 1, "search_default_group_block_reason": 1},
        )

    def action_open_debtors(self):
        return self._get_report_action(
            self.env._("Amounts due by customer"), {"search_default_group_partner": 1}
        )
