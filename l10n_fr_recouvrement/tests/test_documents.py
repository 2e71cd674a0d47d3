import base64
import hashlib

from odoo.exceptions import UserError
from odoo.tests import tagged

from recouvrement.documents.rendering import default_template

from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestDocuments(RecouvrementCommon):
    """Letters really rendered by the engine and converted by LibreOffice."""

    convert_pdf = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls.create_invoice(cls.b2b, 1200.0)
        cls.second = cls.create_invoice(cls.b2b, 800.0, "2026-01-10", "2026-02-04")
        # Odoo keeps an invoice's legal PDF once it was sent: the reminder attaches it.
        cls.invoice_pdf = cls.env["ir.attachment"].create(
            {
                "name": "INV_2026_00001.pdf",
                "raw": b"%PDF-1.4 invoice",
                "mimetype": "application/pdf",
                "res_model": "account.move",
                "res_id": cls.invoice.id,
                "res_field": "invoice_pdf_report_file",
            }
        )

    def climb_to(self, last_day):
        days = ["2026-02-11", "2026-02-25", "2026-03-11", "2026-03-21"]
        run = None
        for day in days[: days.index(last_day) + 1]:
            run = self.run_ladder(day, mode="auto")
        return run.communication_ids

    def _french_mail_body(self, communication):
        return " ".join(str(communication.mail_id.body_html).split())

    def test_first_reminder_mail_carries_the_gdpr_information_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["l10n_fr_recouvrement"], ["fr_FR"])
        self.b2b.lang = "fr_FR"
        first = self.climb_to("2026-02-11")
        self.assertEqual(first.level_id, self.level_1)
        body = self._french_mail_body(first)
        # No GDPR settings: the company as controller, the usual wording, its e-mail.
        self.assertIn(
            "Protection de vos données : Société Créancière, 12 quai Perrache, 69002 Lyon "
            "traite les données personnelles vous concernant pour la gestion de votre compte "
            "client et le recouvrement des sommes dues, sur le fondement de",
            body,
        )
        self.assertIn("(article 6, paragraphe 1, b et f, du RGPD).", body)
        self.assertIn("les pièces comptables dix ans (article L123-22 du Code de commerce)", body)
        self.assertIn(
            "en écrivant à compta@creanciere.example ; vous pouvez aussi introduire une "
            "réclamation auprès de la CNIL (www.cnil.fr).",
            body,
        )
        self.assertNotIn("Protection of your data", body)
        # The firm reminder, not the first letter any more, carries none.
        second = self.climb_to("2026-02-25")
        self.assertEqual(second.level_id, self.level_2)
        self.assertNotIn("Protection de vos données", self._french_mail_body(second))

    def test_the_mail_gdpr_information_follows_the_company_settings(self):
        self.company.write(
            {
                "recouvrement_gdpr_controller": "Groupe Créancier, 1 place Bellecour, Lyon",
                "recouvrement_gdpr_purpose": "le suivi des impayés",
                "recouvrement_gdpr_rights_contact": "dpo@creanciere.example",
            }
        )
        body = self._french_mail_body(self.climb_to("2026-02-11"))
        self.assertIn(
            "Protection of your data: Groupe Créancier, 1 place Bellecour, Lyon processes your "
            "personal data for le suivi des impayés, on the basis of the performance of the "
            "contract",
            body,
        )
        self.assertIn("by writing to dpo@creanciere.example;", body)

    def test_mise_en_demeure_pdf(self):
        notice = self.climb_to("2026-03-21")
        self.assertEqual(notice.level_id, self.level_4)
        self.assertEqual(notice.state, "to_send", notice.failure_reason)
        pdf = notice.pdf_attachment_id.raw
        docx = notice.docx_attachment_id.raw
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertTrue(docx.startswith(b"PK"))
        self.assertEqual(notice.pdf_sha256, hashlib.sha256(pdf).hexdigest())
        self.assertEqual(notice.docx_sha256, hashlib.sha256(docx).hexdigest())
        text = self.pdf_text(pdf)
        self.assertIn("MISE EN DEMEURE", text.upper())
        self.assertIn("Dupont & Fils <SARL>", text)
        self.assertIn(self.invoice.name, text)
        self.assertIn(self.second.name, text)
        self.assertIn(notice.name, text)
        self.assertIn("552 100 554", text)  # the debtor's SIREN
        self.assertIn("injonction de payer", text)
        self.assertIn("2\u202f000,00", text)  # principal, French formatting
        # The first letter is repeated in later ones.
        self.assertTrue(notice.amount_penalty > 0)
        self.assertEqual(notice.amount_indemnity, 80.0)
        # Registered letter: posted by hand with its number.
        with self.assertRaises(UserError):
            notice.action_mark_posted()
        notice.registered_number = "1A 234 567 8901 2"
        notice.action_mark_posted()
        self.assertEqual(notice.state, "sent")

    def test_mail_with_attachments_activity_and_chatter(self):
        last = self.climb_to("2026-03-11")
        self.assertEqual(last.level_id, self.level_3)
        mail = last.mail_id
        self.assertTrue(mail)
        self.assertEqual(mail.model, "recouvrement.communication")
        self.assertEqual(mail.res_id, last.id)
        self.assertEqual(mail.recipient_ids, self.b2b)
        self.assertIn(last.name, mail.subject)
        self.assertIn(self.invoice.name, str(mail.body_html))
        self.assertEqual(
            set(mail.attachment_ids.ids), {last.pdf_attachment_id.id, self.invoice_pdf.id}
        )
        self.assertTrue(last.pdf_attachment_id.raw.startswith(b"%PDF"))
        # The phone task for the collector.
        self.assertEqual(
            last.phone_activity_id.activity_type_id, self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual(last.phone_activity_id.res_id, last.id)
        # One note per communication, on the customer, linking its invoices; none on
        # the invoices.
        notes = self.b2b.message_ids.filtered(lambda message: last.name in str(message.body))
        self.assertEqual(len(notes), 1)
        for invoice in (self.invoice, self.second):
            self.assertIn(f'data-oe-id="{invoice.id}"', str(notes.body))
            self.assertFalse(
                invoice.message_ids.filtered(lambda message: last.name in str(message.body))
            )
        # The mail fails: only the e-mail channel does; the letter is still to post.
        mail._postprocess_sent_message(
            success_pids=[], failure_reason="bounce", failure_type="mail_smtp"
        )
        self.assertEqual((last.email_state, last.letter_state), ("failed", "to_post"))
        self.assertEqual(last.state, "to_send")
        self.assertEqual(last.failure_reason, "bounce")

    def test_print_menu_docx_and_pdf(self):
        Report = self.env["ir.actions.report"]
        with self.freeze("2026-02-26"):
            docx, kind = Report._render(
                "l10n_fr_recouvrement.action_report_invoice_reminder_docx", self.invoice.ids
            )
            self.assertEqual(kind, "docx")
            self.assertTrue(docx.startswith(b"PK"))
            pdf, kind = Report._render(
                "l10n_fr_recouvrement.action_report_partner_statement_pdf", self.b2b.ids
            )
            self.assertEqual(kind, "pdf")
            text = self.pdf_text(pdf)
            self.assertIn(self.invoice.name, text)
            self.assertIn(self.second.name, text)
        firm = self.climb_to("2026-02-25")
        pdf, kind = Report._render("l10n_fr_recouvrement.action_report_communication_pdf", firm.ids)
        self.assertEqual(pdf, firm.pdf_attachment_id.raw)
        # An uploaded template prints as well.
        custom = Report.create(
            {
                "name": "My firm reminder",
                "model": "recouvrement.communication",
                "report_type": "docx-pdf",
                "report_name": "my_firm_reminder",
                "recouvrement_letter_kind": "relance_ferme",
                "docx_template": base64.b64encode(default_template("relance_ferme").read_bytes()),
            }
        )
        pdf, kind = Report._render(custom, firm.ids)
        self.assertIn(firm.name, self.pdf_text(pdf))

    def test_missing_mention_fails_the_letter(self):
        self.company.recouvrement_legal_form = False
        self.run_ladder("2026-02-11", mode="auto")
        firm = self.run_ladder("2026-02-25", mode="auto").communication_ids
        self.assertEqual(firm.state, "failed")
        self.assertIn("forme juridique du créancier (creditor.legal_form)", firm.failure_reason)
        self.assertFalse(firm.pdf_attachment_id)
        self.company.recouvrement_legal_form = "SAS"
        firm.action_retry()
        with self.freeze("2026-02-26"):
            firm.action_send()
            self.process_queue()
        self.assertEqual(firm.state, "to_send", firm.failure_reason)
        self.assertTrue(firm.pdf_attachment_id)
