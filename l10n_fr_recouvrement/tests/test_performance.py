from odoo.tests import tagged

from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestPerformance(RecouvrementCommon):
    """A run reads and writes in batches: its query count does not grow with invoices."""

    QUERY_BOUND = 40
    LEVELS = (("2026-02-11", "email"), ("2026-02-25", "letter"))

    def count_run_queries(self, invoice_count):
        """``{channel: queries}`` of the runs raising ``invoice_count`` new invoices to the
        e-mail level, then to the letter level (documents and sending are queued)."""
        partners = self.env["res.partner"].create(
            [
                {"name": f"Client {invoice_count}-{index}", "is_company": True,
                 "siret": "73282932000074", "recouvrement_legal_form": "SAS",
                 "email": f"c{index}@client.example", "street": "1 rue", "zip": "75001",
                 "city": "Paris"}
                for index in range(invoice_count // 2)
            ]
        )  # fmt: skip
        for index in range(invoice_count):
            self.create_invoice(partners[index % len(partners)], 100.0 + index)
        counts = {}
        for day, channel in self.LEVELS:
            self.env.flush_all()
            self.env.invalidate_all()
            with self.freeze(day):
                run = self.env["recouvrement.run"].create(
                    {"company_id": self.company.id, "mode": "auto", "partner_ids": partners.ids}
                )
                self.env.flush_all()
                before = self.cr.sql_log_count
                run._execute()
                self.env.flush_all()
                counts[channel] = self.cr.sql_log_count - before
                self.process_queue()
            communications = run.communication_ids
            self.assertEqual(run.raised_count, invoice_count)
            self.assertEqual(len(communications), invoice_count // 2)
            self.assertEqual(
                set(communications.mapped("state")),
                {"to_send" if channel == "letter" else "sent"},
            )
            self.assertTrue(all(communications.mapped("amount_total")))
            if channel == "letter":
                self.assertEqual(len(communications.pdf_attachment_id), len(communications))
        return counts

    def test_query_count_does_not_grow(self):
        # Warm the caches (mail templates, xmlids, registry) first.
        self.count_run_queries(4)
        small, large = self.count_run_queries(10), self.count_run_queries(500)
        message = f"queries of a run over 10 and 500 invoices, by channel: {small} {large}"
        print(message)
        for channel in ("email", "letter"):
            self.assertLessEqual(large[channel], self.QUERY_BOUND, message)
            self.assertEqual(large[channel], small[channel], message)
