from datetime import date

from odoo.tests import tagged

from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestInvoiceState(RecouvrementCommon):
    """The ladder state in its own table, and the invoice's fields that show it."""

    def state_of(self, invoice):
        return self.env["recouvrement.invoice.state"].search([("move_id", "=", invoice.id)])

    def test_every_customer_invoice_has_a_row(self):
        invoice = self.create_invoice(self.b2b, 100.0)
        state = self.state_of(invoice)
        self.assertEqual(len(state), 1)
        self.assertEqual(state.company_id, self.company)
        self.assertFalse(state.level_id)
        # The default ladder's first level, 7 days after the due date.
        self.assertEqual(state.next_date, date(2026, 2, 11))
        self.assertEqual(invoice.recouvrement_next_date, date(2026, 2, 11))
        refund = self.credit_note(self.create_invoice(self.b2b, 50.0), 50.0, "2026-01-10")
        self.assertFalse(self.state_of(refund))
        self.assertFalse(refund.recouvrement_level_id)
        self.assertFalse(refund.recouvrement_awaiting_sending)

    def test_run_sending_and_payment_write_the_row(self):
        invoice = self.create_invoice(self.b2b, 100.0)
        written = invoice.write_date
        run = self.run_ladder("2026-02-11")
        state = self.state_of(invoice)
        self.assertEqual(
            (state.level_id, state.awaiting_sending, state.last_date, state.next_date),
            (self.level_1, True, False, False),
        )
        self.assertEqual(invoice.recouvrement_level_id, self.level_1)
        self.assertTrue(invoice.recouvrement_awaiting_sending)
        self.assertFalse(invoice.recouvrement_next_date)
        # The run wrote the narrow table, not the invoice.
        invoice.invalidate_recordset(["write_date"])
        self.assertEqual(invoice.write_date, written)
        with self.freeze("2026-02-12"):
            run.communication_ids.action_send()
            self.process_queue()
        self.assertEqual(
            (state.level_id, state.awaiting_sending, state.last_date),
            (self.level_1, False, date(2026, 2, 12)),
        )
        # Next level at J+21, more than the 7 days since the reminder.
        self.assertEqual(state.next_date, date(2026, 2, 25))
        self.assertEqual(invoice.recouvrement_next_date, date(2026, 2, 25))
        self.assertEqual(invoice.recouvrement_last_date, date(2026, 2, 12))
        self.pay(invoice, 100.0, "2026-02-13")
        self.assertEqual(invoice.payment_state, "paid")
        self.assertFalse(state.next_date)
        self.assertFalse(invoice.recouvrement_next_date)
        self.assertEqual(invoice.recouvrement_level_id, self.level_1)

    def test_rows_are_created_by_a_run_when_missing(self):
        invoice = self.create_invoice(self.b2b, 100.0)
        self.state_of(invoice).sudo().unlink()
        self.run_ladder("2026-02-11")
        self.assertEqual(self.state_of(invoice).level_id, self.level_1)
        self.assertEqual(invoice.recouvrement_level_id, self.level_1)

    def test_fields_search_sort_and_group(self):
        raised = self.create_invoice(self.b2b, 100.0)
        waiting = self.create_invoice(self.b2b_other, 200.0, due="2026-02-10")
        self.run_ladder("2026-02-11")
        Move = self.env["account.move"]
        ours = [("id", "in", (raised | waiting).ids)]

        def found(*domain):
            return Move.search([*ours, *domain])

        self.assertEqual(found(("recouvrement_level_id", "=", self.level_1.id)), raised)
        self.assertEqual(found(("recouvrement_level_id", "=", False)), waiting)
        self.assertEqual(found(("recouvrement_level_id", "!=", False)), raised)
        self.assertEqual(found(("recouvrement_level_id", "ilike", self.level_1.name)), raised)
        self.assertEqual(found(("recouvrement_level_id", "not ilike", self.level_1.name)), waiting)
        self.assertEqual(found(("recouvrement_awaiting_sending", "=", True)), raised)
        self.assertEqual(found(("recouvrement_awaiting_sending", "=", False)), waiting)
        self.assertEqual(found(("recouvrement_next_date", "<=", "2026-02-17")), waiting)
        self.assertEqual(found(("recouvrement_next_date", "=", False)), raised)
        self.assertEqual(
            found(
                "|", ("recouvrement_level_id", "=", False), ("recouvrement_next_date", "=", False)
            ),
            raised | waiting,
        )
        # An invoice without a row reads as one of nulls.
        refund = self.credit_note(self.create_invoice(self.b2b, 50.0), 50.0, "2026-01-10")
        self.assertIn(refund, Move.search([("recouvrement_level_id", "=", False)]))
        self.assertNotIn(refund, Move.search([("recouvrement_awaiting_sending", "=", True)]))
        # Sorted and grouped in SQL, as the list view and its filters do.
        self.assertEqual(
            Move.search(ours, order="recouvrement_next_date, id").ids, [waiting.id, raised.id]
        )
        groups = Move._read_group(ours, ["recouvrement_level_id"], ["__count"])
        self.assertEqual(dict(groups), {self.level_1: 1, self.env["recouvrement.policy.level"]: 1})
        groups = Move._read_group(ours, ["recouvrement_next_date:day"], ["__count"])
        self.assertEqual(dict(groups), {date(2026, 2, 17): 1, False: 1})
        description = Move.fields_get(["recouvrement_level_id", "recouvrement_next_date"])
        for name in ("recouvrement_level_id", "recouvrement_next_date"):
            self.assertTrue(description[name]["sortable"], name)
            self.assertTrue(description[name]["groupable"], name)
            self.assertTrue(description[name]["searchable"], name)
        # The overdue report reads the same table.
        report = self.env["recouvrement.overdue.report"].with_context(
            recouvrement_as_of="2026-02-17"
        )
        self.assertEqual(report.search([("move_id", "=", raised.id)]).level_id, self.level_1)
        due = report.search([("move_id", "=", waiting.id)])
        self.assertEqual((due.next_date, due.action_due), (date(2026, 2, 17), True))

    def test_list_filter_and_order_share_one_join(self):
        """The invoice list filtered and sorted on the next action date reads the state
        table through one join with the condition on it, so that PostgreSQL can walk the
        table's index of dates and stop at the page (a sub-query made it sort every
        match)."""
        query = self.env["account.move"]._search(
            [("recouvrement_next_date", "<=", "2026-02-17")],
            order="recouvrement_next_date, id",
            limit=80,
        )
        sql = query.select().code
        self.assertEqual(sql.count('"recouvrement_invoice_state"'), 1, sql)
        self.assertNotIn("SELECT move_id", sql)
