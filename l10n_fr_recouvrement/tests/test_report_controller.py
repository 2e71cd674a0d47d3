import html
import json
from urllib.parse import urlencode

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestReportController(RecouvrementCommon, HttpCase):
    """The Print menu's download route for the DOCX report types (runs under odoo-bin;
    pytest-odoo skips HTTP tests unless given --odoo-http)."""

    def download(self, report_xmlid, records, report_type):
        report = self.env.ref(report_xmlid)
        converter = "docx" if report_type == "docx" else "docxpdf"
        url = f"/report/{converter}/{report.report_name}/{','.join(map(str, records.ids))}"
        query = urlencode(
            {"data": json.dumps([url, report_type]), "context": json.dumps({"lang": "en_US"})}
        )
        return self.url_open(f"/report/download?{query}", timeout=120)

    def test_download_docx_and_pdf(self):
        invoice = self.create_invoice(self.b2b, 500.0)
        self.authenticate("accountman", "accountman")
        with self.freeze("2026-03-02"):  # inside the published rates
            response = self.download(
                "l10n_fr_recouvrement.action_report_invoice_reminder_docx", invoice, "docx"
            )
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertIn("wordprocessingml", response.headers["Content-Type"])
        self.assertIn(".docx", response.headers["Content-Disposition"])
        self.assertTrue(response.content.startswith(b"PK"))
        with self.freeze("2026-03-02"):
            response = self.download(
                "l10n_fr_recouvrement.action_report_partner_statement_pdf", self.b2b, "docx-pdf"
            )
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        # The engine refuses to guess a rate: the message reaches the user's dialog.
        with (
            self.freeze("2026-08-14"),
            mute_logger("odoo.addons.l10n_fr_recouvrement.controllers.report"),
        ):
            response = self.download(
                "l10n_fr_recouvrement.action_report_invoice_reminder_docx", invoice, "docx"
            )
        # As with Odoo's own reports: an error payload the web client shows in a dialog.
        error = json.loads(html.unescape(response.text))
        self.assertEqual(error["data"]["name"], "odoo.exceptions.UserError")
        self.assertIn(
            "The taux de refinancement de la BCE of the second semestre 2026 is not known yet",
            error["data"]["message"],
        )
        self.assertIn("Configuration > Collection > Rates", error["data"]["message"])

    def test_client_context_and_bad_requests(self):
        """Only the language, time zone and companies of the client's context are used; a
        context that is not a JSON object is a 400, an unknown report a 404."""
        from ..controllers.report import _client_context

        self.assertEqual(
            _client_context(
                json.dumps({"lang": "fr_FR", "bin_size": True, "recouvrement_server_write": True})
            ),
            {"lang": "fr_FR"},
        )
        invoice = self.create_invoice(self.b2b, 500.0)
        self.authenticate("accountman", "accountman")
        report = self.env.ref("l10n_fr_recouvrement.action_report_invoice_reminder_docx")
        url = f"/report/docx/{report.report_name}/{invoice.id}"
        for context in ("[1, 2]", "not json", '"lang"'):
            query = urlencode({"data": json.dumps([url, "docx"]), "context": context})
            response = self.url_open(f"/report/download?{query}", timeout=60)
            self.assertEqual(response.status_code, 400, context)
        query = urlencode({"data": "[not json"})
        self.assertEqual(self.url_open(f"/report/download?{query}").status_code, 400)
        unknown = "/report/docx/l10n_fr_recouvrement.no_such_report/1"
        query = urlencode({"data": json.dumps([unknown, "docx"])})
        with mute_logger("odoo.http"):
            self.assertEqual(self.url_open(f"/report/download?{query}").status_code, 404)
            self.assertEqual(self.url_open(unknown).status_code, 404)
