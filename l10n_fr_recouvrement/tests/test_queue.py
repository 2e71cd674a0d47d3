from unittest.mock import patch

from odoo.tests import tagged

from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestQueue(RecouvrementCommon):
    """Letters are produced by a background job in committed batches, resumable."""

    convert_pdf = True

    def setUp(self):
        super().setUp()
        self.customers = self.env["res.partner"].create(
            [
                {"name": f"Client {index}", "is_company": True, "siret": "73282932000074",
                 "recouvrement_legal_form": "SAS", "email": f"c{index}@client.example",
                 "street": "1 rue", "zip": "75001", "city": "Paris"}
                for index in range(5)
            ]
        )  # fmt: skip
        for customer in self.customers:
            self.create_invoice(customer, 100.0)
        self.run_ladder("2026-02-11", mode="auto", partner_ids=self.customers.ids)

    def queue_letters(self):
        """A run at the letter level: its communications wait for their documents."""
        with self.freeze("2026-02-25"):
            run = self.env["recouvrement.run"].create(
                {"company_id": self.company.id, "mode": "auto", "partner_ids": self.customers.ids}
            )
            communications = run._execute()
        self.assertEqual(len(communications), 5)
        self.assertTrue(all(communications.mapped("documents_pending")))
        self.assertFalse(communications.pdf_attachment_id)
        return communications

    def attachments_of(self, communication):
        return self.env["ir.attachment"].search(
            [("res_model", "=", communication._name), ("res_id", "=", communication.id)]
        )

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
            communications.action_send()  # a double click queues nothing more
            self.assertTrue(all(communications.mapped("send_pending")))
            self.process_queue()
        self.assertEqual(set(communications.mapped("state")), {"to_send"})
        self.assertEqual(
            self.env["mail.mail"].search_count(
                [("model", "=", communications._name), ("res_id", "in", communications.ids)]
            ),
            5,
        )
