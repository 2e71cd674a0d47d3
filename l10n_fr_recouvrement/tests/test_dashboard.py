from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import RecouvrementCommon

NBSP = "\N{NO-BREAK SPACE}"
TODAY = "2026-03-18"


@tagged("post_install", "-at_install")
class TestDashboard(RecouvrementCommon):
    """Five open invoices on 18 March 2026, by level and age:

    ============  ========  =========  =====  ===========  =================
    invoice       customer  due        owes   level        age, block
    ============  ========  =========  =====  ===========  =================
    ``paid_part`` b2b       04/02      800    firm         42 days
    ``not_due``   b2b       20/03      500    none         not due
    ``old``       other     10/12/25   2000   firm         98 days
    ``disputed``  b2c       25/02      300    none         21 days, dispute
    ``promised``  other     10/01      700    courteous    67 days, promise
    ============  ========  =========  =====  ===========  =================
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.paid_part = cls.create_invoice(cls.b2b, 1000.0)
        cls.not_due = cls.create_invoice(cls.b2b, 500.0, "2026-02-18", "2026-03-20")
        cls.old = cls.create_invoice(cls.b2b_other, 2000.0, "2025-11-10", "2025-12-10")
        cls.disputed = cls.create_invoice(cls.b2c, 300.0, "2026-01-26", "2026-02-25")
        cls.promised = cls.create_invoice(cls.b2b_other, 700.0, "2025-12-11", "2026-01-10")
        cls.credit_note(cls.paid_part, 200.0, "2026-02-20")

    def setUp(self):
        super().setUp()
        self.run_ladder("2026-02-11", mode="auto")
        self.block(self.disputed, "dispute", "2026-03-01")
        self.block(self.promised, "promise", "2026-03-01", date_end="2026-03-31")
        self.run_ladder("2026-03-04", mode="auto")

    def block(self, invoice, reason, day, **values):
        with self.freeze(day):
            return self.env["recouvrement.block"].create(
                {
                    "partner_id": invoice.commercial_partner_id.id,
                    "company_id": self.company.id,
                    "move_ids": [Command.set(invoice.ids)],
                    "reason": reason,
                    "date_start": day,
                    **values,
                }
            )

    def dashboard(self, day=TODAY):
        with self.freeze(day):
            return self.env["recouvrement.dashboard"].create({})

    def test_ladder_of_the_fixture(self):
        self.assertEqual(self.paid_part.recouvrement_level_id, self.level_2)
        self.assertEqual(self.old.recouvrement_level_id, self.level_2)
        self.assertEqual(self.promised.recouvrement_level_id, self.level_1)
        self.assertFalse(self.not_due.recouvrement_level_id)
        self.assertFalse(self.disputed.recouvrement_level_id)
        self.assertEqual(self.paid_part.amount_residual, 800.0)
        self.assertEqual(self.paid_part.recouvrement_next_date, date(2026, 3, 11))
        self.assertEqual(self.disputed.recouvrement_next_date, date(2026, 3, 4))

    def test_totals_by_level_and_age(self):
        dashboard = self.dashboard()
        totals = dashboard._get_level_bucket_totals()
        no_level = self.env["recouvrement.policy.level"]
        self.assertEqual(
            {key: amount for key, amount in totals.items() if amount},
            {
                (self.level_2, "2_60"): 800.0,
                (self.level_2, "4_older"): 2000.0,
                (self.level_1, "3_90"): 700.0,
                (no_level, "0_not_due"): 500.0,
                (no_level, "1_30"): 300.0,
                (self.level_2, None): 2800.0,
                (self.level_1, None): 700.0,
                (no_level, None): 800.0,
                (None, "0_not_due"): 500.0,
                (None, "1_30"): 300.0,
                (None, "2_60"): 800.0,
                (None, "3_90"): 700.0,
                (None, "4_older"): 2000.0,
                (None, None): 4300.0,
            },
        )
        self.assertEqual(dashboard.amount_due, 4300.0)
        self.assertEqual(dashboard.amount_overdue, 3800.0)
        self.assertEqual(dashboard.overdue_count, 4)

    def test_ages_follow_the_day(self):
        # Ten days later the invoice due on 20 March is 8 days late, the disputed one 31.
        totals = self.dashboard("2026-03-28")._get_level_bucket_totals()
        self.assertNotIn((None, "0_not_due"), totals)
        self.assertEqual(totals[None, "1_30"], 500.0)
        self.assertEqual(totals[None, "2_60"], 1100.0)

    def test_top_debtors(self):
        dashboard = self.dashboard()
        self.assertEqual(
            dashboard._get_top_debtors(limit=2),
            [(self.b2b_other, 2700.0, 2700.0), (self.b2b, 1300.0, 800.0)],
        )
        self.assertEqual(len(dashboard._get_top_debtors()), 3)

    def test_due_for_action_today(self):
        dashboard = self.dashboard()
        # The two firm reminders may climb since 11 March; the disputed and the promised
        # invoices are due too, but blocked; the last one is not due yet.
        self.assertEqual(dashboard._get_action_due(), (2, 2, 2800.0))
        self.assertEqual(dashboard.action_due_count, 2)
        self.assertEqual(dashboard.action_due_partner_count, 2)
        self.assertEqual(dashboard.action_due_amount, 2800.0)
        self.assertEqual(
            dashboard._get_action_due_by_customer(),
            [(self.b2b_other, 1, 2000.0), (self.b2b, 1, 800.0)],
        )
        self.assertEqual(self.dashboard("2026-03-10")._get_action_due(), (0, 0, 0.0))
        with self.freeze(TODAY):
            due = self.env["recouvrement.overdue.report"].search([("action_due", "=", True)])
        self.assertEqual(due.move_id, self.paid_part | self.old)

    def test_blocked_by_reason(self):
        dashboard = self.dashboard()
        self.assertEqual(dashboard._get_blocked_by_reason(), {"dispute": 300.0, "promise": 700.0})
        self.assertEqual(dashboard.blocked_amount, 1000.0)

    def test_dso(self):
        dashboard = self.dashboard()
        # Sales from 19 December to 18 March: 1000 + 500 + 300 invoiced, 200 credited;
        # the invoices of 10 November and 11 December are older.
        self.assertEqual(dashboard.sales_amount, 1600.0)
        self.assertAlmostEqual(dashboard.dso, 4300.0 / 1600.0 * 90, places=1)
        self.assertEqual(dashboard._get_dso(4300.0, 1600.0), 241.875)
        self.assertEqual(dashboard._get_dso(4300.0, 0.0), 0.0)

    def test_summary_tables_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["l10n_fr_recouvrement"], ["fr_FR"])
        dashboard = self.dashboard().with_context(lang="fr_FR")
        dashboard.invalidate_recordset(["summary_html"])
        html = str(dashboard.summary_html)
        self.assertIn("Montants échus par niveau et par ancienneté", html)
        self.assertIn("Relance ferme", html)
        self.assertIn(f"4{NBSP}300,00{NBSP}€", html)
        self.assertIn(f"2{NBSP}700,00{NBSP}€", html)
        self.assertIn("<td>Promesse de paiement</td>", html)
        self.assertIn("<td>Aucun niveau</td>", html)
        self.assertIn("À traiter aujourd'hui", html)
        self.assertIn("Clients les plus débiteurs", html)
        self.assertIn(self.b2b_other.name, html)

    def test_drill_downs(self):
        dashboard = self.dashboard()
        action = dashboard.action_open_action_due()
        self.assertEqual(action["res_model"], "recouvrement.overdue.report")
        self.assertEqual(action["context"]["search_default_action_due"], 1)
        self.assertEqual(dashboard.action_open_analysis()["views"][0], (False, "pivot"))

    def new_user(self, login, groups):
        company = self.company.id
        return new_test_user(
            self.env,
            login,
            groups=groups,
            company_id=company,
            company_ids=[Command.set([company])],
        )

    def test_collection_users_and_counsel_only(self):
        report = self.env.ref("l10n_fr_recouvrement.action_report_collection_customer")
        collector = self.new_user("collector", "l10n_fr_recouvrement.group_recouvrement_user")
        counsel = self.new_user("counsel", "l10n_fr_recouvrement.group_recouvrement_legal")
        for user in (collector, counsel):
            env = self.env(user=user)
            with self.freeze(TODAY):
                self.assertEqual(env["recouvrement.dashboard"].create({}).amount_due, 4300.0)
                html, _kind = env["ir.actions.report"]._render_qweb_html(report, self.b2b.ids)
            self.assertIn(self.paid_part.name, html.decode())
        employee = self.env(user=self.new_user("employee", "base.group_user"))
        with self.assertRaises(AccessError):
            employee["recouvrement.dashboard"].create({})

    # ------------------------------------------------------------------
    # The per-customer collection report
    # ------------------------------------------------------------------
    def render_report(self, partner, day=TODAY):
        report = self.env.ref("l10n_fr_recouvrement.action_report_collection_customer")
        with self.freeze(day):
            html, _kind = self.env["ir.actions.report"]._render_qweb_html(report, partner.ids)
        return html.decode()

    def test_customer_report_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["l10n_fr_recouvrement"], ["fr_FR"])
        self.b2b.lang = "fr_FR"
        html = self.render_report(self.b2b)
        with self.freeze(TODAY):
            penalty = self.paid_part.recouvrement_penalty_amount
        self.assertGreater(penalty, 0)
        # Open items: dates, days late and amounts the French way, the engine's penalties.
        self.assertIn("<h2>Rapport de recouvrement</h2>", html)
        self.assertIn("Situation au <span>18/03/2026</span>", html)
        self.assertIn(self.paid_part.name, html)
        self.assertIn("05/01/2026", html)
        self.assertIn("04/02/2026", html)
        self.assertIn('<td class="text-end">42</td>', html)
        self.assertIn(f"800,00{NBSP}€", html)
        self.assertIn(f"1{NBSP}300,00{NBSP}€", html)
        self.assertIn(f"{penalty:.2f}".replace(".", ",") + f"{NBSP}€", html)
        self.assertIn(f"40,00{NBSP}€", html)
        # Communications: the courteous reminder sent by e-mail; the firm reminder's letter
        # waits to be printed, so it is not sent yet.
        self.assertIn("Communications envoyées", html)
        self.assertIn("<td>11/02/2026</td>", html)
        self.assertIn("<td>Relance courtoise</td>", html)
        self.assertIn("<td>Courriel</td>", html)
        self.assertIn("<td>Envoyée</td>", html)
        firm = self.paid_part.recouvrement_line_ids.communication_id.filtered(
            lambda communication: communication.level_id == self.level_2
        )
        self.assertEqual(firm.state, "to_send")
        self.assertNotIn(firm.name, html)
        # Next step: the last reminder, from 11 March (firm reminder of 4 March + 7 days).
        self.assertIn(
            f"Dernière relance à partir du 11/03/2026 (facture {self.paid_part.name}).", html
        )
        self.assertNotIn(self.old.name, html)

    def test_customer_report_when_blocked(self):
        html = self.render_report(self.b2c)
        self.assertIn(self.disputed.name, html)
        self.assertIn("None: collection is blocked (Dispute).", html)
        self.assertIn("No communication was sent.", html)

    def test_customer_report_when_nothing_is_open(self):
        html = self.render_report(self.partner_a)
        self.assertIn("Nothing is open.", html)
        self.assertIn("None: nothing is open.", html)

    def test_customer_report_from_the_customer_form(self):
        partner = self.b2b.with_context(discard_logo_check=True)
        action = partner.action_recouvrement_collection_report()
        self.assertEqual(action["report_name"], "l10n_fr_recouvrement.report_collection_customer")
        self.assertEqual(action["context"]["active_ids"], self.b2b.ids)
