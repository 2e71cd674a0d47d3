"""The reusable base of the addon's tests: a French company with the French chart,
business and consumer customers, and helpers to invoice, pay and run the ladder on
simulated dates."""

import io
import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields, tools

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.l10n_fr_recouvrement.models.recouvrement_engine import RATES_DIR_OPTION

# A minimal valid PDF, used where a test does not look into the letter itself.
FAKE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
# What PostgreSQL raises in the transaction that loses a concurrent update.
SERIALIZATION_FAILURE = (
    "DO $$ BEGIN RAISE EXCEPTION 'could not serialize access due to concurrent update' "
    "USING ERRCODE = 'serialization_failure'; END $$"
)


class RecouvrementCommon(AccountTestInvoicingCommon):
    """Company "Société Créancière SAS" (FR, EUR, French chart) and its customers.

    Dates: invoices of early 2026 (the published rates cover 2026 H1). The default
    ladder is J+7, J+21, J+35, J+45 (mise en demeure), J+60 (handoff).
    """

    convert_pdf = False  # True: really convert letters with LibreOffice

    @classmethod
    @AccountTestInvoicingCommon.setup_country("fr")
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.env.user.groups_id |= cls.env.ref("l10n_fr_recouvrement.group_recouvrement_manager")
        cls.company.write(
            {
                "name": "Société Créancière",
                "street": "12 quai Perrache",
                "zip": "69002",
                "city": "Lyon",
                "email": "compta@creanciere.example",
                "siret": "40483304800022",
                "recouvrement_legal_form": "SAS",
                "recouvrement_signatory_name": "Claire Martin",
                "recouvrement_signatory_title": "Directrice financière",
                "recouvrement_rcs_city": "Lyon",
                "recouvrement_share_capital": 50000.0,
            }
        )
        cls.env["res.partner.bank"].create(
            {
                "acc_number": "FR7630006000011234567890189",
                "partner_id": cls.company.partner_id.id,
            }
        )
        cls.policy = cls.env.ref("l10n_fr_recouvrement.policy_fr_default")
        cls.level_1 = cls.env.ref("l10n_fr_recouvrement.level_relance_courtoise")
        cls.level_2 = cls.env.ref("l10n_fr_recouvrement.level_relance_ferme")
        cls.level_3 = cls.env.ref("l10n_fr_recouvrement.level_derniere_relance")
        cls.level_4 = cls.env.ref("l10n_fr_recouvrement.level_mise_en_demeure")
        cls.level_5 = cls.env.ref("l10n_fr_recouvrement.level_handoff")
        cls.b2b = cls._create_customer(
            "Dupont & Fils <SARL>", is_company=True, siret="55210055400013", legal_form="SARL"
        )
        cls.b2b_other = cls._create_customer(
            "Atelier Martin", is_company=True, siret="73282932000074", legal_form="SAS"
        )
        cls.b2c = cls._create_customer("Jeanne Durand", is_company=False)

    def setUp(self):
        super().setUp()
        if not self.convert_pdf:
            self.patch(
                type(self.env["recouvrement.engine"]),
                "_convert_to_pdf",
                lambda engine, documents, return_exceptions=False: [
                    FAKE_PDF for _document in documents
                ],
            )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @classmethod
    def _create_customer(cls, name, is_company, siret=False, legal_form=False, **values):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": is_company,
                "siret": siret,
                "recouvrement_legal_form": legal_form,
                "street": "3 rue des Lilas",
                "zip": "75011",
                "city": "Paris",
                "country_id": cls.env.ref("base.fr").id,
                "email": f"{name.split()[0].lower()}@client.example",
                "lang": "en_US",
                **values,
            }
        )

    @classmethod
    def create_invoice(
        cls, partner, amount, invoice_date="2026-01-05", due="2026-02-04", post=True
    ):
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "invoice_date": invoice_date,
                "invoice_date_due": due,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create({"name": "Services", "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        invoice.invoice_date_due = due
        if post:
            invoice.action_post()
        return invoice

    @classmethod
    def pay(cls, invoice, amount, day):
        with freeze_time(day):
            cls.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": amount, "payment_date": day})._create_payments()

    @classmethod
    def credit_note(cls, invoice, amount, day):
        refund = cls.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": invoice.partner_id.id,
                "company_id": cls.company.id,
                "invoice_date": day,
                "invoice_line_ids": [
                    Command.create({"name": "Credit", "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        refund.action_post()
        lines = (invoice.line_ids | refund.line_ids).filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        lines.reconcile()
        return refund

    @staticmethod
    def freeze(day):
        return freeze_time(day)

    def run_ladder(self, day, mode="manual", **values):
        """A run on ``day``, then the background job it triggers, as the scheduler would."""
        with freeze_time(day):
            run = self.env["recouvrement.run"].create(
                {"company_id": self.company.id, "mode": mode, **values}
            )
            run._execute()
            self.process_queue()
        return run

    def run_scheduled(self):
        """The daily scheduled action, called again while it reports invoices remaining,
        as the scheduler does; returns the runs it started."""
        Run = self.env["recouvrement.run"]
        runs = Run.browse()
        for _call in range(100):
            runs |= Run._cron_run()
            if not Run._get_running_runs():
                return runs
        self.fail("the scheduled run does not end")

    @contextmanager
    def losing_first_concurrent_update(self, model_class, method):
        """``method`` of ``model_class`` does its work, then its first call loses a
        concurrent update (a real PostgreSQL serialization failure); yields the records
        of every call."""
        original = getattr(model_class, method)
        calls = []

        def then_lose(records, *args, **kwargs):
            result = original(records, *args, **kwargs)
            calls.append(records.ids)
            if len(calls) == 1:
                self.env.cr.execute(SERIALIZATION_FAILURE)
            return result

        with patch.object(model_class, method, then_lose):
            yield calls

    def process_queue(self):
        """Run the letters-and-sending job until its queue is empty."""
        Communication = self.env["recouvrement.communication"]
        for _batch in range(100):
            if not Communication._cron_process_queue():
                return
        self.fail("the collection queue does not empty")

    def use_rate_file(self, content, name="rates.csv"):
        """A rate file in a fresh rate directory (the server option), for this test."""
        directory = tempfile.mkdtemp(prefix="recouvrement-rates-")
        self.addCleanup(shutil.rmtree, directory)
        self.patch(tools.config, "options", {**tools.config.options, RATES_DIR_OPTION: directory})
        path = os.path.join(directory, name)
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(content)
        return path

    @staticmethod
    def as_date(value):
        return value if isinstance(value, date) else fields.Date.to_date(value)

    @staticmethod
    def pdf_text(pdf):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(pdf))
        return "\n".join(page.extract_text() for page in reader.pages)


class QueueCommon(RecouvrementCommon):
    """Five business customers with an overdue invoice each, for the letters' queue: the
    scheduled action's and queue_job's tests."""

    convert_pdf = True
    letter_batch_size = None  # the queue's own batch size

    def setUp(self):
        super().setUp()
        self.Communication = self.env["recouvrement.communication"]
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

    def queue_letters(self):
        """A run at the letter level (auto mode: letters, then e-mails): its
        communications wait for their documents."""
        batch_size = self.letter_batch_size or self.Communication.QUEUE_BATCH_SIZE
        with (
            patch.object(type(self.Communication), "QUEUE_BATCH_SIZE", batch_size),
            self.freeze("2026-02-25"),
        ):
            run = self.env["recouvrement.run"].create(
                {"company_id": self.company.id, "mode": "auto", "partner_ids": self.customers.ids}
            )
            communications = run._execute()
        self.assertEqual(len(communications), 5)
        self.assertTrue(all(communications.mapped("documents_pending")))
        self.assertFalse(communications.pdf_attachment_id)
        return communications

    def attachments_of(self, communications):
        return self.env["ir.attachment"].search(
            [("res_model", "=", communications._name), ("res_id", "in", communications.ids)]
        )

    def mails_of(self, communications):
        return self.env["mail.mail"].search(
            [("model", "=", communications._name), ("res_id", "in", communications.ids)]
        )

    @contextmanager
    def broken_letter(self, broken):
        """The letter of ``broken`` cannot be rendered (a broken custom template)."""
        render = type(broken)._render_letter

        def render_or_break(record, *args):
            if record == broken:
                raise ValueError("the custom template is broken")
            return render(record, *args)

        with patch.object(type(broken), "_render_letter", render_or_break):
            yield
