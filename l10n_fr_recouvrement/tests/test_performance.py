from odoo.tests import tagged

from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestPerformance(RecouvrementCommon):
    """A run reads and writes in batches: its query count does not grow with invoices."""

    QUERY_BOUND = 70

    def count_run_queries(self, invoice_count, days):
        """Queries of the last of the runs on ``days``, over ``invoice_count`` new invoices."""
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
        for day in days:
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
                count = self.cr.sql_log_count - before
            self.assertEqual(run.raised_count, invoice_count)
            self.assertEqual(len(run.communication_ids), invoice_count // 2)
            self.assertEqual(
                set(run.communication_ids.mapped("state")),
                {"to_send" if run.communication_ids.level_id.letter_kind else "sent"},
            )
        return count

    def test_query_count_does_not_grow(self):
        # Warm the caches (mail templates, xmlids, registry) first.
        self.count_run_queries(4, ["2026-02-11", "2026-02-25"])
        counts = {}
        for size in (10, 50):
            counts[size, "email"] = self.count_run_queries(size, ["2026-02-11"])
            counts[size, "letter"] = self.count_run_queries(size, ["2026-02-11", "2026-02-25"])
        message = f"queries of a run, by number of invoices and channel: {counts}"
        print(message)
        for channel in ("email", "letter"):
            self.assertLessEqual(counts[50, channel], self.QUERY_BOUND, message)
            self.assertLessEqual(counts[50, channel] - counts[10, channel], 3, message)
