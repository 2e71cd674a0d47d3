from datetime import date
from decimal import Decimal

from odoo.exceptions import UserError
from odoo.tests import tagged

from recouvrement.claim import Claim, Invoice, Settlement
from recouvrement.decompte import compute_decompte
from recouvrement.law.rates import RateTable

from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestSettlements(RecouvrementCommon):
    def test_penalties_come_from_the_engine(self):
        """The worked example of french-law.md: 10 000 € due 15 Jan 2026, as of 15 Apr."""
        invoice = self.create_invoice(self.b2b, 10000.0, "2025-12-16", "2026-01-15")
        with self.freeze("2026-04-15"):
            invoice.invalidate_recordset(["recouvrement_penalty_amount"])
            self.assertAlmostEqual(invoice.recouvrement_penalty_amount, 299.59)
            self.assertEqual(invoice.recouvrement_indemnity_amount, 40.0)
            self.assertEqual(invoice.recouvrement_days_late, 90)

    def test_paid_invoice_is_never_reminded(self):
        invoice = self.create_invoice(self.b2b, 100.0)
        draft = self.run_ladder("2026-02-11").communication_ids
        self.assertEqual(draft.state, "draft")
        self.pay(invoice, 100.0, "2026-02-12")
        self.assertEqual(invoice.payment_state, "paid")
        # The pending draft loses the invoice and is cancelled.
        self.assertEqual(draft.state, "cancelled")
        self.assertFalse(invoice.recouvrement_next_date)
        self.assertFalse(self.run_ladder("2026-04-30", mode="auto").communication_ids)

    def test_partly_paid_invoice(self):
        invoice = self.create_invoice(self.b2b, 1000.0)
        other = self.create_invoice(self.b2b, 500.0)
        draft = self.run_ladder("2026-02-11").communication_ids
        self.pay(invoice, 400.0, "2026-02-12")
        self.assertEqual(invoice.payment_state, "partial")
        self.assertTrue(draft.documents_stale)
        self.assertEqual(draft.line_ids.move_id, invoice | other)
        with self.freeze("2026-02-13"):
            draft.action_send()
            self.process_queue()
        line = draft.line_ids.filtered(lambda line: line.move_id == invoice)
        self.assertEqual(line.amount_residual, 600.0)
        # The engine's own figures, from the same facts.
        expected = compute_decompte(
            Claim(
                (
                    Invoice(
                        invoice.name,
                        Decimal("1000.00"),
                        date(2026, 2, 4),
                        date(2026, 1, 5),
                        settlements=(Settlement(date(2026, 2, 12), Decimal("400.00")),),
                    ),
                )
            ),
            date(2026, 2, 13),
            RateTable.load(user_file=None),
        ).invoices[0]
        self.assertAlmostEqual(line.penalty_amount, float(expected.interest))
        self.assertEqual(line.indemnity_amount, 40.0)
        run = self.run_ladder("2026-02-25", mode="auto")
        self.assertEqual(run.communication_ids.line_ids.move_id, invoice | other)

    def test_credit_notes(self):
        cancelled = self.create_invoice(self.b2b, 300.0)
        reduced = self.create_invoice(self.b2b_other, 1000.0)
        self.credit_note(cancelled, 300.0, "2026-02-06")
        self.credit_note(reduced, 250.0, "2026-02-06")
        self.assertIn(cancelled.payment_state, ("reversed", "paid"))
        run = self.run_ladder("2026-02-11", mode="auto")
        self.assertEqual(run.communication_ids.line_ids.move_id, reduced)
        self.assertEqual(run.communication_ids.line_ids.amount_residual, 750.0)

    def test_consumer_gets_no_flat_indemnity(self):
        invoice = self.create_invoice(self.b2c, 1000.0)
        self.assertEqual(self.b2c.recouvrement_regime, "b2c")
        with self.freeze("2026-03-20"):
            invoice.invalidate_recordset(["recouvrement_penalty_amount"])
            self.assertEqual(invoice.recouvrement_indemnity_amount, 0.0)
            # No interest before the mise en demeure is received (C. civ. 1344-1).
            self.assertEqual(invoice.recouvrement_penalty_amount, 0.0)
        for day in ("2026-02-11", "2026-02-25", "2026-03-11"):
            self.run_ladder(day, mode="auto")
        notice = self.run_ladder("2026-03-21", mode="auto").communication_ids
        self.assertTrue(notice.is_formal_notice)
        self.assertEqual(notice.amount_indemnity, 0.0)
        self.assertEqual(notice.line_ids.indemnity_amount, 0.0)
        notice.registered_number = "1A 234 567 8901 2"
        with self.freeze("2026-03-24"):
            notice.action_mark_delivered()
        self.assertEqual(notice.state, "delivered")
        self.assertEqual(str(invoice.recouvrement_notice_date), "2026-03-24")
        with self.freeze("2026-04-24"):
            invoice.invalidate_recordset(["recouvrement_penalty_amount"])
            self.assertGreater(invoice.recouvrement_penalty_amount, 0.0)
            self.assertEqual(invoice.recouvrement_indemnity_amount, 0.0)

    def test_regime_follows_company_flag_and_siren(self):
        self.assertEqual(self.b2b.recouvrement_regime, "b2b")
        self.assertEqual(self.b2b.recouvrement_siren, "552100554")
        sole_trader = self._create_customer(
            "Paul Artisan", is_company=False, siret="73282932000074"
        )
        self.assertEqual(sole_trader.recouvrement_regime, "b2b")
        sole_trader.recouvrement_regime = "public"
        self.assertEqual(sole_trader.recouvrement_regime, "public")

    def test_rate_file_adds_later_half_years(self):
        """Rates published after this version come from the system parameter's CSV file."""
        invoice = self.create_invoice(self.b2b, 1000.0, "2026-06-01", "2026-06-30")
        with self.freeze("2026-07-31"):
            invoice.invalidate_recordset(["recouvrement_penalty_amount"])
            # 2026 H2 is not published in the shipped table: shown as provisional.
            provisional = invoice.recouvrement_penalty_amount
        rate_file = self.use_rate_file("series,date,rate,source\nmro,2026-07-01,5.00,test\n")
        self.env["ir.config_parameter"].set_param("l10n_fr_recouvrement.rate_file", rate_file)
        with self.freeze("2026-07-31"):
            invoice.invalidate_recordset(["recouvrement_penalty_amount"])
            # 31 days at 5 % + 10 points instead of the carried-forward 2.15 % + 10.
            self.assertAlmostEqual(invoice.recouvrement_penalty_amount, 12.74)
            self.assertNotEqual(invoice.recouvrement_penalty_amount, provisional)

    def test_rate_file_outside_its_directory_or_malformed(self):
        """A bad rate file is said where rates are used; the invoices still open."""
        invoice = self.create_invoice(self.b2b, 1000.0, "2026-01-05", "2026-02-04")
        self.use_rate_file("series,date,rate,source\nmro,2026-07-01,5.00,test\n")
        Parameter = self.env["ir.config_parameter"]
        # Outside the rate directory: never read, even if it exists.
        Parameter.set_param("l10n_fr_recouvrement.rate_file", "/etc/passwd")
        with self.freeze("2026-03-06"):
            invoice.invalidate_recordset(["recouvrement_penalty_amount"])
            self.assertEqual(invoice.recouvrement_penalty_amount, 0.0)
            self.assertIn("outside the directory of rate files", invoice.recouvrement_rate_warning)
            with self.assertRaisesRegex(UserError, "outside the directory"):
                self.env["recouvrement.engine"]._get_rate_table()
        malformed = self.use_rate_file("date;rate\n2026-07-01;5\n", name="broken.csv")
        Parameter.set_param("l10n_fr_recouvrement.rate_file", malformed)
        with self.freeze("2026-03-06"):
            invoice.invalidate_recordset(["recouvrement_penalty_amount"])
            self.assertEqual(invoice.recouvrement_penalty_amount, 0.0)
            self.assertIn("cannot be used", invoice.recouvrement_rate_warning)
            self.assertIn("l'en-tête doit être", invoice.recouvrement_rate_warning)
        # Fixed: the penalties are back and the warning is gone.
        Parameter.set_param("l10n_fr_recouvrement.rate_file", False)
        with self.freeze("2026-03-06"):
            invoice.invalidate_recordset(["recouvrement_penalty_amount"])
            self.assertGreater(invoice.recouvrement_penalty_amount, 0.0)
            self.assertFalse(invoice.recouvrement_rate_warning)
