import datetime
import io

from docx import Document

from odoo.tests import tagged

from .common import RecouvrementCommon


def docx_text(data):
    doc = Document(io.BytesIO(data))
    paragraphs = [
        "".join(node.text or "" for node in p.iter() if node.tag.endswith("}t"))
        for p in doc.element.body.iter()
        if p.tag.endswith("}p")
    ]
    for section in doc.sections:
        paragraphs += [p.text for p in section.header.paragraphs]
    text = "\n".join(paragraphs)
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2011", "-")


@tagged("post_install", "-at_install")
class TestCompanyIdentity(RecouvrementCommon):
    """The company's registration, GDPR information and sending channel in the letters
    (C. com. R123-237 and R123-238, GDPR art. 13 and 14, french-law.md §4 bis)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls.create_invoice(cls.b2b, 1200.0)

    def letter(self, kind="mise_en_demeure", day=datetime.date(2026, 3, 21)):
        engine = self.env["recouvrement.engine"]
        context, _decompte = engine._build_letter_context(
            kind, self.b2b, self.invoice, day, "MED-TEST-0001"
        )
        return context

    def test_settings_write_the_company_fields(self):
        settings = self.env["res.config.settings"].create(
            {
                "recouvrement_rcs_city": "Villefranche-sur-Saône",
                "recouvrement_share_capital": 120000.0,
                "recouvrement_legal_representative": "Paul Durand, président",
                "recouvrement_registered_channel": "lre",
                "recouvrement_terms_on_invoices": True,
                "recouvrement_gdpr_rights_contact": "dpo@creanciere.example",
            }
        )
        settings.execute()
        self.assertEqual(self.company.recouvrement_rcs_city, "Villefranche-sur-Saône")
        self.assertEqual(self.company.recouvrement_share_capital, 120000.0)
        self.assertEqual(self.company.recouvrement_legal_representative, "Paul Durand, président")
        self.assertEqual(self.company.recouvrement_registered_channel, "lre")
        self.assertTrue(self.company.recouvrement_terms_on_invoices)
        self.assertEqual(self.company.recouvrement_gdpr_rights_contact, "dpo@creanciere.example")

    def test_letter_context_carries_the_company_identity_and_gdpr(self):
        self.company.recouvrement_gdpr_purpose = "le recouvrement de nos factures"
        context = self.letter()
        creditor = context["creditor"]
        self.assertEqual(creditor["rcs_city"], "Lyon")
        self.assertEqual(creditor["share_capital"], "50000.00")
        self.assertEqual(creditor["siren"], "404833048")
        gdpr = context["gdpr"]
        self.assertEqual(gdpr["purpose"], "le recouvrement de nos factures")
        # empty settings: the company as controller, its e-mail for the rights
        self.assertEqual(gdpr["controller"], "Société Créancière, 12 quai Perrache, 69002 Lyon")
        self.assertEqual(gdpr["rights_contact"], "compta@creanciere.example")
        self.assertIn("RGPD", gdpr["basis"])
        self.assertEqual(context["registered_channel"], "lrar")
        self.assertIsNone(context["deadline"])
        self.assertEqual(context["deadline_days"], 8)
        # terms of sale not cited as accepted unless the invoices refer to them
        self.assertNotIn("conditions générales", context["legal_basis"])
        self.company.recouvrement_terms_on_invoices = True
        self.assertIn("conditions générales de vente acceptées", self.letter()["legal_basis"])

    def test_rendered_mise_en_demeure_names_the_registration_and_the_channel(self):
        self.company.recouvrement_registered_channel = "lre"
        engine = self.env["recouvrement.engine"]
        text = docx_text(engine._render_letter("mise_en_demeure", self.letter()))
        self.assertIn("SAS au capital de 50 000,00 € – SIREN 404 833 048 RCS Lyon", text)
        self.assertIn("immatriculée au RCS de Lyon sous le numéro 404 833 048", text)
        self.assertIn("Lettre recommandée électronique", text)
        self.assertIn(
            "à compter de la réception de la présente lettre recommandée électronique", text
        )
        self.assertIn("Protection de vos données : Société Créancière", text)

    def test_missing_rcs_city_fails_the_letter(self):
        self.company.recouvrement_rcs_city = False
        self.company.recouvrement_share_capital = 0.0
        self.run_ladder("2026-02-11", mode="auto")  # the courteous reminder: an e-mail
        firm = self.run_ladder("2026-02-25", mode="auto").communication_ids
        self.assertEqual(firm.state, "failed")
        self.assertIn(
            "ville du greffe du RCS du créancier (creditor.rcs_city)", firm.failure_reason
        )
        self.assertIn("capital social du créancier (creditor.share_capital)", firm.failure_reason)
        self.assertFalse(firm.pdf_attachment_id)

    def test_new_settings_are_translated(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["l10n_fr_recouvrement"], ["fr_FR"])
        french = self.env(context=dict(self.env.context, lang="fr_FR"))
        fields = french["res.company"].fields_get(
            ["recouvrement_rcs_city", "recouvrement_share_capital", "recouvrement_gdpr_basis"]
        )
        self.assertEqual(fields["recouvrement_rcs_city"]["string"], "Ville du greffe (RCS)")
        self.assertEqual(fields["recouvrement_share_capital"]["string"], "Capital social")
        self.assertEqual(fields["recouvrement_gdpr_basis"]["string"], "Base légale du traitement")
        channels = dict(french["res.company"]._selection_recouvrement_registered_channel())
        self.assertEqual(channels["lre"], "Lettre recommandée électronique (LRE)")
