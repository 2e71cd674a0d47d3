"""What a French user reads: the run's reasons, the engine's refusals, dates and amounts."""

import base64
from datetime import datetime

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from recouvrement.delivery.model import DeliveryState, Event

from .test_dossier import DossierCommon
from .test_dossier_exhibits import COURT_HEADER, MANOSQUE


@tagged("post_install", "-at_install")
class TestFrenchMessages(DossierCommon):
    """A French user; the customer Dupont (two invoices due on 4 February 2026) and Atelier
    Martin (one, due the same day)."""

    convert_pdf = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["l10n_fr_recouvrement"], ["fr_FR"])
        cls.env.user.lang = "fr_FR"
        cls.env = cls.env(context=dict(cls.env.context, lang="fr_FR"))
        cls.martin_invoice = cls.create_invoice(cls.b2b_other, 1234.56)

    def dispute(self, invoice, day):
        self.env["recouvrement.block"].create(
            {
                "partner_id": invoice.commercial_partner_id.id,
                "company_id": self.company.id,
                "move_ids": [Command.set(invoice.ids)],
                "reason": "dispute",
                "date_start": day,
            }
        )

    def test_run_summary_and_preview_give_each_reason_and_its_count(self):
        self.dispute(self.martin_invoice, "2026-02-08")
        self.assertEqual(self.run_ladder("2026-02-11", mode="auto").log, "En pause (Litige) : 1")
        run = self.run_ladder("2026-02-15", mode="auto")
        expected = (
            "Date de « Relance ferme » pas encore atteinte : 2\n"  # the level's name, not code
            "En pause (Litige) : 1"
        )
        self.assertEqual(run.log, expected)
        self.assertEqual(run.skipped_count, 3)
        with self.freeze("2026-02-15"):
            wizard = self.env["recouvrement.run.wizard"].create({"mode": "manual"})
            wizard.action_preview()
        self.assertEqual(wizard.skipped_log, expected)
        # The mise en demeure is never posted: the invoices wait for it, not for a date.
        for day in ("2026-02-25", "2026-03-11", "2026-03-21"):
            self.run_ladder(day, mode="auto")
        self.assertEqual(
            self.run_ladder("2026-04-05", mode="auto").log,
            "En pause (Litige) : 1\nMise en demeure pas encore envoyée : 2",
        )

    def test_reminded_too_soon_names_the_interval(self):
        self.run_ladder("2026-02-11", mode="auto")
        late = self.create_invoice(self.b2b, 300.0, due="2026-01-20")
        self.run_ladder("2026-02-12", mode="auto")  # Dupont's late invoice, first reminder
        self.assertEqual(late.recouvrement_level_id, self.level_1)
        run = self.run_ladder("2026-02-16", mode="auto")
        self.assertIn("Relancées il y a moins de 7 jours : 1", run.log.splitlines())

    def test_a_guard_refusal_reads_in_french_without_its_code(self):
        with self.freeze("2026-04-10"):
            dossier = self.open_dossier(self.b2b)
            with self.assertRaises(UserError) as caught:
                dossier.action_ready()
        message = str(caught.exception)
        self.assertTrue(message.startswith(f"Le moteur refuse le dossier {dossier.name} :\n• "))
        self.assertIn("• aucune mise en demeure de l'historique ne couvre la facture", message)
        self.assertNotIn("no_formal_notice", message)
        self.assertNotIn("[", message)

    def test_a_court_file_error_reads_in_french(self):
        bad = COURT_HEADER + MANOSQUE + "commercial,,04300,,Tribunal de Forcalquier,,,,\n"
        with self.assertRaises(UserError) as caught:
            self.company.with_env(self.env).write(
                {
                    "recouvrement_court_file": base64.b64encode(bad.encode()),
                    "recouvrement_court_filename": "tribunaux.csv",
                }
            )
        self.assertEqual(
            str(caught.exception),
            "Le fichier des tribunaux est refusé : tribunaux.csv, ligne 3 : type de tribunal "
            "« commercial » inconnu (utilisez commerce, judiciaire, protection)",
        )

    def test_a_registered_letter_note_is_dated_the_french_way(self):
        run = self.run_ladder("2026-02-11", mode="auto")
        communication = run.communication_ids.filtered(lambda comm: comm.partner_id == self.b2b)
        delivered = Event(datetime(2026, 12, 1, 9, 30), DeliveryState.DELIVERED, "D01", "Distribué")
        communication._log_registered_events([delivered])
        note = self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", self.b2b.id)], order="id desc", limit=1
        )
        self.assertEqual(
            str(note.body),
            f"<p>Lettre recommandée {communication.name} : Distribuée le 01/12/2026 "
            "(Distribué).</p>",
        )

    def test_an_email_gives_dates_and_amounts_the_french_way(self):
        self.b2b_other.lang = "fr_FR"
        run = self.run_ladder("2026-02-11", mode="auto")
        communication = run.communication_ids.filtered(
            lambda comm: comm.partner_id == self.b2b_other
        )
        body = str(communication.mail_id.body_html)
        self.assertIn("<td>04/02/2026</td>", body)
        self.assertIn('<td style="text-align: right;">1\xa0234,56\xa0€</td>', body)
        self.assertIn("Sauf erreur ou omission", body)
