from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestSecurity(RecouvrementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls.create_invoice(cls.b2b, 100.0)
        company = cls.company.id
        cls.user = new_test_user(
            cls.env, "collector", groups="l10n_fr_recouvrement.group_recouvrement_user",
            company_id=company, company_ids=[Command.set([company])],
        )  # fmt: skip
        cls.legal = new_test_user(
            cls.env, "counsel", groups="l10n_fr_recouvrement.group_recouvrement_legal",
            company_id=company, company_ids=[Command.set([company])],
        )  # fmt: skip
        cls.employee = new_test_user(
            cls.env, "employee", groups="base.group_user",
            company_id=company, company_ids=[Command.set([company])],
        )  # fmt: skip
        cls.other_company = cls.setup_other_company(name="Autre Société")["company"]
        cls.stranger = new_test_user(
            cls.env, "stranger", groups="l10n_fr_recouvrement.group_recouvrement_manager",
            company_id=cls.other_company.id, company_ids=[Command.set(cls.other_company.ids)],
        )  # fmt: skip

    def test_access_per_group(self):
        communication = self.run_ladder("2026-02-11").communication_ids
        Communication = self.env["recouvrement.communication"]
        # Legal counsel reads communications, runs and blocks, and changes nothing.
        as_legal = communication.with_user(self.legal)
        self.assertEqual(as_legal.partner_id, self.b2b)
        self.assertTrue(self.env["recouvrement.run"].with_user(self.legal).search([]))
        with self.assertRaises(AccessError):
            as_legal.write({"registered_number": "X"})
        with self.assertRaises(AccessError):
            as_legal.action_send()
        with self.assertRaises(AccessError):
            self.env["recouvrement.run"].with_user(self.legal).create({})
        # A collection user runs, sends and records blocks, but does not configure.
        with self.freeze("2026-02-11"):
            communication.with_user(self.user).action_send()
            self.process_queue()
        self.assertEqual(communication.state, "sent")
        self.env["recouvrement.block"].with_user(self.user).create(
            {
                "partner_id": self.b2b.id,
                "move_ids": [Command.set(self.invoice.ids)],
                "reason": "dispute",
            }
        )
        with self.assertRaises(AccessError):
            self.policy.with_user(self.user).write({"name": "Mine"})
        self.policy.write({"name": "Ours"})  # the manager configures
        # An employee without accounting rights sees no communication.
        with self.assertRaises(AccessError):
            Communication.with_user(self.employee).search([])

    def test_accountant_outside_collection_registers_a_payment(self):
        accountant = new_test_user(
            self.env, "billing", groups="account.group_account_invoice",
            company_id=self.company.id, company_ids=[Command.set(self.company.ids)],
        )  # fmt: skip
        draft = self.run_ladder("2026-02-11").communication_ids
        with self.freeze("2026-02-12"):
            self.env["account.payment.register"].with_user(accountant).with_context(
                active_model="account.move", active_ids=self.invoice.ids
            ).create({"payment_date": "2026-02-12"})._create_payments()
        self.assertEqual(self.invoice.payment_state, "paid")
        self.assertEqual(draft.state, "cancelled")
        # Invoicing users see the collection fields of their invoices.
        invoice = self.invoice.with_user(accountant)
        self.assertEqual(invoice.recouvrement_level_id, self.level_1)
        self.assertFalse(invoice.recouvrement_next_date)
        # The paid invoice left the draft, which had nothing else: it was cancelled.
        self.assertFalse(draft.line_ids)

    def test_access_per_company(self):
        communication = self.run_ladder("2026-02-11").communication_ids
        Communication = self.env["recouvrement.communication"].with_user(self.stranger)
        self.assertFalse(Communication.search([]))
        with self.assertRaises(AccessError):
            communication.with_user(self.stranger).read(["name"])
        self.assertFalse(self.env["recouvrement.run"].with_user(self.stranger).search([]))
        self.assertFalse(
            self.env["recouvrement.overdue.report"].with_user(self.stranger).search([])
        )
        # The shared French ladder is visible from both companies.
        self.assertTrue(self.policy.with_user(self.stranger).level_ids)

    def test_sent_communication_is_locked(self):
        communication = self.run_ladder("2026-02-11", mode="auto").communication_ids
        self.assertEqual(communication.state, "sent")
        with self.assertRaises(UserError):
            communication.write({"date": "2026-02-12"})
        with self.assertRaises(UserError):
            communication.write({"state": "draft"})
        with self.assertRaises(UserError):
            communication.unlink()
        with self.assertRaises(UserError):
            communication.action_cancel()
        with self.assertRaises(UserError):
            communication.line_ids.unlink()

    def test_concurrent_runs(self):
        """A run holds a database lock: a second run of the company at the same time fails."""
        with self.env.registry.cursor() as other_cursor:
            other_cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", (7405202, self.company.id))
            run = self.env["recouvrement.run"].create({"company_id": self.company.id})
            with self.freeze("2026-02-11"), self.assertRaises(UserError):
                run._execute()
            other_cursor.rollback()
        self.assertFalse(self.invoice.recouvrement_level_id)
        # Once released, the run goes through.
        self.run_ladder("2026-02-11")
        self.assertEqual(self.invoice.recouvrement_level_id, self.level_1)

    def test_database_refuses_duplicates(self):
        communication = self.run_ladder("2026-02-11").communication_ids
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            # As the server would (users cannot create lines).
            self.env["recouvrement.communication.line"].sudo().create(
                {"communication_id": communication.id, "move_id": self.invoice.id}
            )
            self.env.flush_all()
