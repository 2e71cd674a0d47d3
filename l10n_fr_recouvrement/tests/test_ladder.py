from odoo.tests import tagged

from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestLadder(RecouvrementCommon):
    def test_ladder_over_simulated_dates(self):
        """J+7 courteous e-mail, J+21 firm, J+35 last, J+45 mise en demeure, J+60 handoff
        once the mise en demeure was posted (on 21 March)."""
        invoice = self.create_invoice(self.b2b, 1000.0)
        self.assertEqual(invoice.recouvrement_next_date, self.as_date("2026-02-11"))
        steps = [
            ("2026-02-10", False),
            ("2026-02-11", self.level_1),
            ("2026-02-25", self.level_2),
            ("2026-03-11", self.level_3),
            ("2026-03-21", self.level_4),
            ("2026-04-05", self.level_5),
        ]
        for day, level in steps:
            run = self.run_ladder(day, mode="auto")
            if level == self.level_4:  # a registered letter to post by hand
                self.assertFalse(invoice.recouvrement_next_date)
                run.communication_ids.registered_number = "1A 234 567 8901 2"
                with self.freeze(day):
                    run.communication_ids.action_mark_posted()
            if level:
                self.assertEqual(invoice.recouvrement_level_id, level, day)
                self.assertEqual(invoice.recouvrement_last_date, self.as_date(day))
                self.assertEqual(run.communication_ids.level_id, level)
                self.assertIn(
                    run.communication_ids.state,
                    ("sent", "to_send"),
                    run.communication_ids.failure_reason,
                )
            else:
                self.assertFalse(invoice.recouvrement_level_id, day)
                self.assertFalse(run.communication_ids)
        self.assertFalse(invoice.recouvrement_next_date)
        self.assertEqual(len(invoice.recouvrement_line_ids), 5)
        self.assertEqual(
            invoice.recouvrement_line_ids.communication_id.mapped("is_formal_notice").count(True), 1
        )

    def test_one_level_per_run_and_minimum_interval(self):
        """An invoice 60 days late still climbs one level per run, 7 days apart."""
        invoice = self.create_invoice(self.b2b, 500.0, "2025-12-01", "2026-01-05")
        self.run_ladder("2026-03-06", mode="auto")
        self.assertEqual(invoice.recouvrement_level_id, self.level_1)
        self.assertEqual(invoice.recouvrement_next_date, self.as_date("2026-03-13"))
        for day in ("2026-03-07", "2026-03-12"):
            run = self.run_ladder(day, mode="auto")
            self.assertFalse(run.communication_ids, day)
            self.assertIn("Reminded less than 7 days ago", run.log)
        self.run_ladder("2026-03-13", mode="auto")
        self.assertEqual(invoice.recouvrement_level_id, self.level_2)
        # A longer interval on the next level is respected too.
        self.level_3.min_days_since_previous = 10
        self.assertFalse(self.run_ladder("2026-03-20", mode="auto").communication_ids)
        self.run_ladder("2026-03-23", mode="auto")
        self.assertEqual(invoice.recouvrement_level_id, self.level_3)

    def test_grouping_per_debtor(self):
        first = self.create_invoice(self.b2b, 100.0)
        second = self.create_invoice(self.b2b, 200.0, "2026-01-06", "2026-02-03")
        other = self.create_invoice(self.b2b_other, 300.0)
        consumer = self.create_invoice(self.b2c, 400.0)
        run = self.run_ladder("2026-02-11")
        communications = run.communication_ids
        self.assertEqual(len(communications), 3)
        self.assertEqual(communications.partner_id, self.b2b | self.b2b_other | self.b2c)
        dupont = communications.filtered(lambda comm: comm.partner_id == self.b2b)
        self.assertEqual(dupont.line_ids.move_id, first | second)
        self.assertEqual(dupont.amount_principal, 300.0)
        self.assertEqual(dupont.regime, "b2b")
        self.assertEqual(
            communications.filtered(lambda comm: comm.partner_id == self.b2c).line_ids.move_id,
            consumer,
        )
        self.assertIn(other, communications.line_ids.move_id)
        self.assertEqual(set(communications.mapped("state")), {"draft"})

    def test_same_day_twice_creates_nothing(self):
        invoice = self.create_invoice(self.b2b, 100.0)
        first = self.run_ladder("2026-02-11")
        second = self.run_ladder("2026-02-11")
        self.assertEqual(len(first.communication_ids), 1)
        self.assertFalse(second.communication_ids)
        self.assertEqual(len(invoice.recouvrement_line_ids), 1)
        # Automatic mode the same day: still nothing new.
        self.assertFalse(self.run_ladder("2026-02-11", mode="auto").communication_ids)

    def test_manual_mode_drafts_then_validation(self):
        invoice = self.create_invoice(self.b2b, 100.0)
        communication = self.run_ladder("2026-02-11").communication_ids
        self.assertEqual(communication.state, "draft")
        self.assertFalse(communication.mail_id)
        self.assertEqual(invoice.recouvrement_level_id, self.level_1)
        with self.freeze("2026-02-11"):
            communication.action_send()
            # Sending happens in the background job, not in the user's request.
            self.assertEqual(communication.state, "draft")
            self.assertTrue(communication.send_pending)
            self.assertFalse(communication.mail_id)
            self.process_queue()
        self.assertEqual(communication.state, "sent")
        self.assertFalse(communication.send_pending)
        self.assertTrue(communication.mail_id)

    def test_cancel_gives_the_level_back(self):
        invoice = self.create_invoice(self.b2b, 100.0)
        self.run_ladder("2026-02-11", mode="auto")
        communication = self.run_ladder("2026-02-25").communication_ids
        self.assertEqual(invoice.recouvrement_level_id, self.level_2)
        communication.action_cancel()
        self.assertEqual(invoice.recouvrement_level_id, self.level_1)
        self.assertEqual(invoice.recouvrement_last_date, self.as_date("2026-02-11"))
        again = self.run_ladder("2026-02-25").communication_ids
        self.assertEqual(again.level_id, self.level_2)
        # Deleting a draft gives the level back too.
        again.unlink()
        self.assertEqual(invoice.recouvrement_level_id, self.level_1)

    def test_reminder_before_due_date_and_policy_overrides(self):
        early = self.policy.copy({"name": "Early"})
        early.level_ids.sorted("sequence")[0].days_after_due = -3
        invoice = self.create_invoice(self.b2b_other, 100.0)
        self.b2b_other.with_company(self.company).recouvrement_policy_id = early
        self.assertEqual(invoice._recouvrement_get_policy(), early)
        run = self.run_ladder("2026-02-01")
        self.assertEqual(run.communication_ids.level_id.policy_id, early)
        # The invoice's own policy wins over the customer's.
        other = self.create_invoice(self.b2b_other, 50.0)
        other.recouvrement_policy_id = self.policy
        self.assertEqual(other._recouvrement_get_policy(), self.policy)
        self.assertFalse(self.run_ladder("2026-02-02").communication_ids.line_ids.move_id & other)
