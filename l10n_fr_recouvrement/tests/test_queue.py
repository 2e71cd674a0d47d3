from unittest.mock import patch

from psycopg2 import OperationalError

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import QueueCommon

COMMUNICATION_LOGGER = "odoo.addons.l10n_fr_recouvrement.models.recouvrement_communication"


@tagged("post_install", "-at_install")
class TestQueue(QueueCommon):
    """Letters are produced by a background job in committed batches, resumable."""

    def setUp(self):
        super().setUp()
        self.run_ladder("2026-02-11", mode="auto", partner_ids=self.customers.ids)

    def test_resumed_batch_produces_each_letter_once(self):
        communications = self.queue_letters()
        Communication = self.env["recouvrement.communication"]
        with self.freeze("2026-02-25"):
            # First batch: two letters, committed.
            with self.env.cr.savepoint():
                self.assertEqual(Communication._cron_process_queue(batch_size=2), 3)
            first = communications.filtered(lambda comm: not comm.documents_pending)
            self.assertEqual(len(first), 2)
            first_pdfs = first.pdf_attachment_id
            # Second batch: the worker dies after storing its documents, before the end
            # of its transaction; nothing of it remains.
            store = type(Communication)._store_documents

            def store_then_crash(records, documents):
                store(records, documents)
                raise KeyboardInterrupt("worker killed")

            with (
                patch.object(type(Communication), "_store_documents", store_then_crash),
                self.assertRaises(KeyboardInterrupt),
                self.env.cr.savepoint(),
            ):
                Communication._cron_process_queue(batch_size=2)
            self.env.invalidate_all()
            self.assertEqual(len(communications.filtered("documents_pending")), 3)
            # The scheduler starts again: the job resumes with the letters not done.
            self.process_queue()
        self.assertFalse(communications.filtered("documents_pending"))
        self.assertEqual(first.pdf_attachment_id, first_pdfs)
        for communication in communications:
            attachments = self.attachments_of(communication)
            self.assertEqual(
                sorted(attachments.mapped("mimetype")),
                [
                    "application/pdf",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ],
                communication.name,
            )
            self.assertIn(
                communication.partner_id.name, self.pdf_text(communication.pdf_attachment_id.raw)
            )
            self.assertEqual(communication.state, "to_send")
            # Sent once: one e-mail each.
            self.assertEqual(
                self.env["mail.mail"].search_count(
                    [("model", "=", communication._name), ("res_id", "=", communication.id)]
                ),
                1,
            )

    @mute_logger("odoo.sql_db")
    def test_a_concurrent_update_fails_no_letter_and_the_next_call_redoes_it(self):
        communications = self.queue_letters()
        Communication = self.env["recouvrement.communication"]
        with (
            self.losing_first_concurrent_update(type(Communication), "_store_documents") as calls,
            self.freeze("2026-02-25"),
        ):
            # The call fails as a whole, and the scheduler rolls its transaction back: no
            # letter marked failed, all still queued.
            with self.assertRaises(OperationalError), self.env.cr.savepoint():
                Communication._cron_process_queue()
            self.env.invalidate_all()
            self.assertFalse(communications.filtered(lambda comm: comm.state == "failed"))
            self.assertEqual(len(communications.filtered("documents_pending")), 5)
            self.assertFalse(communications.pdf_attachment_id)
            self.process_queue()
        self.assertEqual(len(calls), 2)
        self.assertEqual(set(communications.mapped("state")), {"to_send"})
        for communication in communications:
            self.assertEqual(len(self.attachments_of(communication)), 2, communication.name)
        self.assertEqual(len(self.mails_of(communications)), 5)

    def test_send_button_queues_and_job_sends_once(self):
        with self.freeze("2026-02-25"):
            run = self.env["recouvrement.run"].create(
                {"company_id": self.company.id, "mode": "manual", "partner_ids": self.customers.ids}
            )
            communications = run._execute()
            self.process_queue()
            # Manual mode: letters are ready, nothing is sent.
            self.assertEqual(set(communications.mapped("state")), {"draft"})
            self.assertEqual(len(communications.pdf_attachment_id), 5)
            communications.action_send()
            communications.action_send()  # a double click: still one e-mail each below
            self.assertTrue(all(communications.mapped("send_pending")))
            self.process_queue()
        self.assertEqual(set(communications.mapped("state")), {"to_send"})
        self.assertEqual(
            self.env["mail.mail"].search_count(
                [("model", "=", communications._name), ("res_id", "in", communications.ids)]
            ),
            5,
        )

    def manual_letters(self):
        """Letters produced by a manual run on 2026-02-25, ready to validate."""
        with self.freeze("2026-02-25"):
            run = self.env["recouvrement.run"].create(
                {"company_id": self.company.id, "mode": "manual", "partner_ids": self.customers.ids}
            )
            communications = run._execute()
            self.process_queue()
        self.assertEqual(len(communications.pdf_attachment_id), 5)
        return communications

    @mute_logger(COMMUNICATION_LOGGER)
    def test_a_letter_that_fails_alone_and_is_never_sent_without_its_pdf(self):
        communications = self.queue_letters()
        broken = communications[2]
        with self.broken_letter(broken), self.freeze("2026-02-25"):
            self.process_queue()
        self.assertEqual(broken.state, "failed")
        self.assertIn("the custom template is broken", broken.failure_reason)
        self.assertFalse(self.mails_of(broken))
        others = communications - broken
        self.assertEqual(set(others.mapped("state")), {"to_send"})
        self.assertEqual(len(self.mails_of(others)), 4)

    @mute_logger(COMMUNICATION_LOGGER)
    def test_one_failing_communication_does_not_block_the_queue(self):
        communications = self.manual_letters()
        broken = communications[1]
        prepare = type(broken)._prepare_mail_values

        def prepare_or_break(record, *args):
            if record == broken:
                raise ValueError("the mail template cannot be rendered")
            return prepare(record, *args)

        with self.freeze("2026-02-25"):
            communications.action_send()
            with patch.object(type(broken), "_prepare_mail_values", prepare_or_break):
                self.assertEqual(self.env["recouvrement.communication"]._cron_process_queue(), 0)
        self.assertEqual(broken.state, "failed")
        self.assertIn("the mail template cannot be rendered", broken.failure_reason)
        self.assertFalse(broken.send_pending)
        self.assertEqual(set((communications - broken).mapped("state")), {"to_send"})
        self.assertEqual(len(self.mails_of(communications)), 4)

    def test_cancelled_while_queued_is_not_processed(self):
        communications = self.manual_letters()
        cancelled = communications[0]
        with self.freeze("2026-02-25"):
            communications.action_send()
            cancelled.action_cancel()
            self.assertFalse(cancelled.send_pending)
            self.process_queue()
        self.assertEqual(cancelled.state, "cancelled")
        self.assertFalse(self.mails_of(cancelled))
        self.assertEqual(len(self.mails_of(communications)), 4)

    def test_payment_after_queuing_renews_the_letter_before_sending(self):
        communications = self.manual_letters()
        target = communications[0]
        invoice = target.line_ids.move_id
        old_pdf = target.pdf_attachment_id
        with self.freeze("2026-02-25"):
            communications.action_send()
        self.pay(invoice, 40.0, "2026-02-25")
        self.assertTrue(target.documents_pending)
        with self.freeze("2026-02-25"):
            self.process_queue()
        self.assertEqual(target.state, "to_send")
        self.assertNotEqual(target.pdf_attachment_id, old_pdf)
        self.assertEqual(target.line_ids.amount_residual, 60.0)
        self.assertIn("60,00", self.pdf_text(target.pdf_attachment_id.raw))
        self.assertEqual(
            self.mails_of(target).attachment_ids & target.pdf_attachment_id,
            target.pdf_attachment_id,
        )

    def test_sending_runs_as_the_user_who_asked(self):
        collector = new_test_user(
            self.env, "collector-queue", groups="l10n_fr_recouvrement.group_recouvrement_user",
            company_id=self.company.id, company_ids=[Command.set(self.company.ids)],
        )  # fmt: skip
        communications = self.manual_letters()
        with self.freeze("2026-02-25"):
            communications.with_user(collector).action_send()
            self.assertEqual(communications.send_user_id, collector)
            self.process_queue()
        self.assertEqual(self.mails_of(communications).author_id, collector.partner_id)

    def test_archived_job_refuses_to_queue(self):
        self.env.ref("l10n_fr_recouvrement.ir_cron_recouvrement_queue").active = False
        with self.freeze("2026-02-25"), self.assertRaisesRegex(UserError, "archived"):
            self.env["recouvrement.run"].create(
                {"company_id": self.company.id, "mode": "auto", "partner_ids": self.customers.ids}
            )._execute()
