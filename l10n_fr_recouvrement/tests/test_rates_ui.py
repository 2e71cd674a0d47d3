"""Rates in the interface: rows by hand, the ECB update against a local server,
provisional penalties, and the mise en demeure that waits for its rate."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import RecouvrementCommon

ECB_HEADER = "KEY,FREQ,REF_AREA,CURRENCY,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n"
ECB_ANSWER = ECB_HEADER + "".join(
    f"FM.B.U2.EUR.4F.KR.MRR_FR.LEV,B,U2,EUR,{day},{rate},A\n"
    for day, rate in (("2025-04-23", "2.4"), ("2025-06-11", "2.15"), ("2026-09-16", "2.4"))
)


class FakeEcb:
    """The ECB Data Portal on 127.0.0.1: its status and body are settable."""

    def __init__(self):
        self.status, self.body = 200, ECB_ANSWER
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                payload = portal.body.encode()
                self.send_response(portal.status)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/service/data/FM/MRR"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@tagged("post_install", "-at_install")
class TestRatesUi(RecouvrementCommon):
    def setUp(self):
        super().setUp()
        self.Rate = self.env["recouvrement.rate"]

    def penalties(self, invoice, day="2026-12-01"):
        invoice.invalidate_recordset()
        with self.freeze(day):
            return invoice.recouvrement_penalty_amount, invoice.recouvrement_penalty_provisional

    def enter_mro_h2(self, rate=2.4):
        return self.Rate.create(
            {"series": "mro", "date": "2026-07-01", "rate": rate, "source": "décision test"}
        )

    def test_shipped_rows_read_only(self):
        shipped = self.Rate.search([("origin", "=", "shipped")])
        self.assertEqual(len(shipped), 34)  # the rows of the engine's rates.csv
        h1 = shipped.filtered(lambda r: r.series == "legal_other" and str(r.date) == "2026-01-01")
        self.assertAlmostEqual(h1.rate, 2.62)
        self.assertIn("arrêté du 15 décembre 2025", h1.source)
        with self.assertRaises(UserError):
            h1.rate = 3.0
        with self.assertRaises(UserError):
            h1.unlink()

    def test_rate_by_hand_is_checked(self):
        with self.assertRaises(ValidationError) as caught:
            self.Rate.create(
                {"series": "legal_other", "date": "2026-08-01", "rate": 3.0, "source": "arrêté"}
            )
        self.assertIn("1er janvier ou le 1er juillet", str(caught.exception))
        with self.assertRaises(ValidationError):
            self.Rate.create({"series": "mro", "date": "2026-07-01", "rate": 2.0, "source": " "})

    def test_rate_by_hand_used_by_next_decompte(self):
        invoice = self.create_invoice(self.b2b, 1000.0)
        # H2 2026 is unknown: the ECB rate of 31 March (2.15 %) is carried forward.
        self.assertEqual(self.penalties(invoice), (99.86, True))
        rate = self.enter_mro_h2(2.4)
        self.assertEqual(rate.origin, "manual")
        # 146 days at 12.15 % (48.60 €) and 154 days at 12.40 % (52.32 €).
        self.assertEqual(self.penalties(invoice), (100.92, False))
        rate.rate = 3.4
        self.assertEqual(self.penalties(invoice), (105.14, False))

    def test_ecb_update_adds_the_rows(self):
        ecb = FakeEcb()
        self.addCleanup(ecb.close)
        self.env["ir.config_parameter"].set_param("l10n_fr_recouvrement.ecb_url", ecb.url)
        invoice = self.create_invoice(self.b2b, 1000.0)
        action = self.Rate.action_update_from_ecb()
        self.assertEqual(action["params"]["type"], "success")
        rows = self.Rate.search([("origin", "=", "ecb")], order="date")
        today = fields.Date.context_today(self.Rate)
        self.assertEqual(
            [(str(row.date), row.rate) for row in rows[:3]],
            [("2025-04-23", 2.4), ("2025-06-11", 2.15), ("2026-09-16", 2.4)],
        )
        self.assertEqual(rows[-1].date, today)  # the rate confirmed still in force today
        self.assertIn("portail de données de la BCE", rows[0].source)
        log = self.env["recouvrement.rate.update"].search([], limit=1)
        self.assertEqual(log.state, "done")
        self.assertIn("4 ECB rows fetched", log.message)
        # The ECB's 2.15 % in force on 1 July 2026 is now confirmed: 12.15 % all year.
        self.assertEqual(self.penalties(invoice), (99.86, False))
        # Fetching again replaces the ECB rows, never duplicates them.
        self.Rate.action_update_from_ecb()
        self.assertEqual(self.Rate.search_count([("origin", "=", "ecb")]), len(rows))
        accountant = new_test_user(
            self.env, "rates_accountant", groups="account.group_account_invoice"
        )
        with self.assertRaises(AccessError):
            self.Rate.with_user(accountant).action_update_from_ecb()
        with self.assertRaises(AccessError):
            self.Rate.with_user(accountant).create(
                {"series": "mro", "date": "2026-07-01", "rate": 9.0, "source": "moi"}
            )

    def test_failing_ecb_says_so_in_french(self):
        ecb = FakeEcb()
        self.addCleanup(ecb.close)
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["l10n_fr_recouvrement"], ["fr_FR"])
        self.env["ir.config_parameter"].set_param("l10n_fr_recouvrement.ecb_url", ecb.url)
        Rate = self.Rate.with_context(lang="fr_FR")
        ecb.status = 500
        action = Rate.action_update_from_ecb()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("Les taux ne sont pas mis à jour", action["params"]["message"])
        self.assertIn(
            "la requête au portail de données de la BCE a échoué", action["params"]["message"]
        )
        ecb.status, ecb.body = 200, "<html>maintenance</html>"
        Rate._cron_update_from_ecb()
        log = self.env["recouvrement.rate.update"].search([], limit=1)
        self.assertEqual(log.state, "failed")
        self.assertIn("réponse de la BCE mal formée", log.message)
        self.assertNotIn("Traceback", log.message)
        self.assertFalse(self.Rate.search([("origin", "=", "ecb")]))

    def test_provisional_penalties_in_the_email(self):
        invoice = self.create_invoice(self.b2b, 1000.0, "2026-08-05", "2026-09-04")
        run = self.run_ladder("2026-09-11", mode="auto")
        courtesy = run.communication_ids
        self.assertEqual(courtesy.level_id, self.level_1)
        self.assertTrue(courtesy.penalty_provisional)
        # 7 days at 12.15 % carried forward from 31 March.
        self.assertAlmostEqual(courtesy.amount_penalty, 2.33)
        self.assertIn("(provisional: computed on the last known rate", courtesy.mail_id.body_html)
        self.assertTrue(invoice)

    def test_formal_notice_waits_for_its_rate(self):
        # The reminders go out in June (rates known); the mise en demeure, in July, waits.
        self.create_invoice(self.b2b, 1000.0, "2026-04-25", "2026-05-25")
        for day in ("2026-06-01", "2026-06-15", "2026-06-29", "2026-07-09"):
            run = self.run_ladder(day, mode="auto")
        notice = run.communication_ids
        self.assertEqual(notice.level_id, self.level_4)
        self.assertEqual(notice.state, "failed")
        self.assertIn(
            "The taux de refinancement de la BCE of the second semestre 2026 is not known yet, "
            "and a letter never quotes a provisional rate: it waits.",
            notice.failure_reason,
        )
        self.assertIn("Configuration > Collection > Rates", notice.failure_reason)
        self.assertNotIn("update-rates", notice.failure_reason)
        self.assertFalse(notice.pdf_attachment_id)
        self.enter_mro_h2(2.15)
        with self.freeze("2026-07-09"):
            notice.action_send()  # the Send button, as for any failed communication
            self.process_queue()
        self.assertNotEqual(notice.state, "failed")
        self.assertFalse(notice.failure_reason)
        self.assertTrue(notice.pdf_attachment_id)
        self.assertFalse(notice.penalty_provisional)

    def test_dossier_waits_for_its_rates(self):
        self.create_invoice(self.b2b, 6000.0)
        with self.freeze("2026-12-01"):
            dossier = self.env["recouvrement.dossier"]._create_from_partner(self.b2b)
            self.assertIn("The interest runs on provisional rates", dossier.warnings)
            with self.assertRaises(UserError) as caught:
                dossier.action_ready()
            refusal = str(caught.exception)
            self.assertIn("• The interest runs on provisional rates", refusal)
            self.assertNotIn("[provisional_rates]", refusal)
            self.assertIn("Configuration > Collection > Rates", refusal)
            self.assertNotIn("update-rates", refusal)
            self.enter_mro_h2(2.4)
            dossier.action_refresh()
        self.assertFalse(dossier.warnings)
        # 6 000 €: 146 days at 12.15 % (291.60 €) and 154 days at 12.40 % (313.91 €).
        self.assertAlmostEqual(dossier.amount_interest, 605.51)
