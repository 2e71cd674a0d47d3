from odoo import Command
from odoo.tests import tagged

from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestBlocks(RecouvrementCommon):
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

    def test_dispute_blocks_until_resolved(self):
        invoice = self.create_invoice(self.b2b, 1000.0)
        dispute = self.block(invoice, "dispute", "2026-02-08")
        self.assertTrue(invoice.recouvrement_blocked)
        self.assertEqual(invoice.recouvrement_block_reason, "dispute")
        run = self.run_ladder("2026-02-11", mode="auto")
        self.assertFalse(run.communication_ids)
        self.assertIn("Paused (Dispute)", run.log)
        self.assertFalse(self.run_ladder("2026-03-30", mode="auto").communication_ids)
        with self.freeze("2026-04-01"):
            dispute.action_end()
        self.assertFalse(invoice.recouvrement_blocked)
        self.run_ladder("2026-04-02", mode="auto")
        # It resumes where it stood: the first level, not a jump to the mise en demeure.
        self.assertEqual(invoice.recouvrement_level_id, self.level_1)

    def test_promise_to_pay_blocks_until_its_date(self):
        invoice = self.create_invoice(self.b2b, 1000.0)
        self.run_ladder("2026-02-11", mode="auto")
        self.block(invoice, "promise", "2026-02-20", date_end="2026-03-05")
        self.assertFalse(self.run_ladder("2026-02-25", mode="auto").communication_ids)
        self.assertFalse(self.run_ladder("2026-03-05", mode="auto").communication_ids)
        # The promise was not kept: escalation resumes the next day.
        self.run_ladder("2026-03-06", mode="auto")
        self.assertEqual(invoice.recouvrement_level_id, self.level_2)

    def test_payment_plan_missed_instalment(self):
        invoice = self.create_invoice(self.b2b, 1000.0)
        plan = self.block(
            invoice,
            "payment_plan",
            "2026-02-09",
            instalment_ids=[
                Command.create({"due_date": "2026-02-20", "amount": 300.0}),
                Command.create({"due_date": "2026-03-20", "amount": 700.0}),
            ],
        )
        with self.freeze("2026-02-10"):
            plan._refresh_holds()
            self.assertTrue(plan.holds)
            self.assertTrue(invoice.recouvrement_blocked)
        self.assertFalse(self.run_ladder("2026-02-11", mode="auto").communication_ids)
        self.pay(invoice, 300.0, "2026-02-19")
        self.assertEqual(plan.amount_paid, 300.0)
        run = self.run_ladder("2026-03-02", mode="auto")
        self.assertFalse(run.communication_ids)
        self.assertIn("Paused (Payment plan)", run.log)
        # The second instalment is missed: escalation resumes.
        run = self.run_ladder("2026-03-21", mode="auto")
        self.assertEqual(invoice.recouvrement_level_id, self.level_1)
        self.assertEqual(run.communication_ids.line_ids.amount_residual, 700.0)
        with self.freeze("2026-03-21"):
            plan._refresh_holds()
        self.assertFalse(plan.holds)
        self.assertEqual(str(plan.missed_instalment_date), "2026-03-20")
        self.assertFalse(invoice.recouvrement_blocked)

    def test_insolvency_blocks_every_invoice_of_the_customer(self):
        first = self.create_invoice(self.b2b, 100.0)
        second = self.create_invoice(self.b2b, 200.0)
        with self.freeze("2026-02-09"):
            self.env["recouvrement.block"].create(
                {
                    "partner_id": self.b2b.id,
                    "company_id": self.company.id,
                    "scope": "partner",
                    "reason": "insolvency",
                    "date_start": "2026-02-09",
                }
            )
        self.assertTrue(first.recouvrement_blocked and second.recouvrement_blocked)
        run = self.run_ladder("2026-06-30", mode="auto")
        self.assertFalse(run.communication_ids)
        self.assertIn("Paused (Insolvency proceedings): 2", run.log)
