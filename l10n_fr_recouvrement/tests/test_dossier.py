import base64
import hashlib
import io
import tempfile
import zipfile
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from recouvrement.dossier import verify

from .common import RecouvrementCommon


def blank_pdf(width=595, height=842):
    """A real one-page PDF (the engine merges the exhibits into one document)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width, height)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


FAKE_PDF = blank_pdf()


class DossierCommon(RecouvrementCommon):
    """Two invoices of a Paris debtor with their PDFs, the CGV, legal counsel, another company."""

    convert_pdf = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b2b.write({"street": "8 rue de la Boétie", "zip": "75008", "city": "Paris"})
        cls.company.write(
            {
                "recouvrement_cgv_file": base64.b64encode(FAKE_PDF),
                "recouvrement_cgv_filename": "CGV.pdf",
            }
        )
        cls.invoice = cls.create_invoice(cls.b2b, 1200.0)
        cls.second = cls.create_invoice(cls.b2b, 800.0, "2026-01-10", "2026-02-04")
        for move in cls.invoice | cls.second:
            cls.attach_invoice_pdf(move)
        company = cls.company.id
        cls.legal = new_test_user(
            cls.env, "dossier_counsel", groups="l10n_fr_recouvrement.group_recouvrement_legal",
            company_id=company, company_ids=[Command.set([company])],
        )  # fmt: skip
        cls.other_company = cls.setup_other_company(name="Autre Créancière")["company"]
        cls.stranger = new_test_user(
            cls.env, "dossier_stranger", groups="l10n_fr_recouvrement.group_recouvrement_manager",
            company_id=cls.other_company.id, company_ids=[Command.set(cls.other_company.ids)],
        )  # fmt: skip

    @classmethod
    def attach_invoice_pdf(cls, move):
        return cls.env["ir.attachment"].create(
            {
                "name": f"{move.name.replace('/', '_')}.pdf",
                "raw": FAKE_PDF,
                "mimetype": "application/pdf",
                "res_model": "account.move",
                "res_id": move.id,
                "res_field": "invoice_pdf_report_file",
            }
        )

    def send_formal_notice(self):
        """The ladder up to the mise en demeure, posted and received on 24 March."""
        for day in ("2026-02-11", "2026-02-25", "2026-03-11", "2026-03-21"):
            run = self.run_ladder(day, mode="auto")
        notice = run.communication_ids
        self.assertEqual(notice.level_id, self.level_4)
        notice.registered_number = "1A 234 567 8901 2"
        with self.freeze("2026-03-24"):
            notice.action_mark_posted("2026-03-21")
            notice.action_mark_delivered("2026-03-24")
        notice.registered_proof_ids = [Command.link(self.create_proof("Preuve de dépôt.pdf").id)]
        return notice

    def create_proof(self, name, **values):
        """A scanned proof, uploaded as the communication form's binary widget does."""
        values = {"raw": FAKE_PDF, "mimetype": "application/pdf", **values}
        return self.env["ir.attachment"].create({"name": name, **values})

    def open_dossier(self, partner):
        action = partner.action_recouvrement_open_dossier()
        return self.env["recouvrement.dossier"].browse(action["res_id"])

    @staticmethod
    def zip_names(data):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()

    @staticmethod
    def verify_zip(data):
        with tempfile.NamedTemporaryFile(suffix=".zip") as handle:
            handle.write(data)
            handle.flush()
            return verify(handle.name)


@tagged("post_install", "-at_install")
class TestDossier(DossierCommon):
    """Court dossiers built by the real engine, converted by the real LibreOffice."""

    def test_workflow(self):
        notice = self.send_formal_notice()
        with self.freeze("2026-04-10"):
            dossier = self.open_dossier(self.b2b)
        self.assertEqual(dossier.state, "draft")
        self.assertEqual(dossier.move_ids, self.invoice | self.second)
        self.assertEqual(dossier.as_of, date(2026, 4, 10))
        kinds = dossier.exhibit_ids.mapped("kind")
        self.assertEqual(kinds[:3], ["cgv", "invoice", "invoice"])
        self.assertIn("formal_notice", kinds)
        self.assertIn("registered_proof", kinds)
        formal = dossier.exhibit_ids.filtered(lambda e: e.kind == "formal_notice")
        self.assertEqual(formal.communication_id, notice)
        self.assertEqual(formal.attachment_id.raw, notice.pdf_attachment_id.raw)
        # 2 000 € against a reachable debtor: the engine proposes the PSRPC; we ask for
        # an injonction de payer, whose court the engine finds from the registered office.
        self.assertEqual(dossier.procedure_proposed, "psrpc")
        self.assertAlmostEqual(dossier.amount_principal, 2000.0)
        self.assertAlmostEqual(dossier.amount_indemnity, 80.0)
        self.assertGreater(dossier.amount_interest, 0)
        self.assertEqual(len(dossier.line_ids), 2)
        dossier.procedure = "injonction_de_payer"
        dossier.action_ready()
        self.assertEqual(dossier.state, "ready")
        self.assertEqual(dossier.court_name, "Tribunal des activités économiques de Paris")
        self.assertEqual(dossier.court_kind, "commerce")

        dossier.action_export()
        self.assertEqual(dossier.state, "exported")
        export = dossier.export_ids
        self.assertEqual(export.version, 1)
        data = export.attachment_id.raw
        self.assertEqual(export.sha256, hashlib.sha256(data).hexdigest())
        self.assertEqual(self.verify_zip(data), [])
        names = self.zip_names(data)
        self.assertIn("requete-injonction-de-payer.pdf", names)
        pieces = [name for name in names if name.startswith("pieces/")]
        self.assertTrue(pieces[0].startswith("pieces/01-conditions-generales-de-vente"))
        numbered = dossier.exhibit_ids.filtered("number").sorted("number")
        self.assertEqual(len(numbered), len(dossier.exhibit_ids))
        # The Odoo exhibits carry the engine's numbers, in the bordereau's order.
        for exhibit in numbered:
            self.assertTrue(pieces[exhibit.number - 1].startswith(f"pieces/{exhibit.number:02d}-"))
        kinds = numbered.mapped("kind")
        self.assertEqual(kinds[:3], ["cgv", "invoice", "invoice"])
        self.assertEqual(kinds[-2:], ["formal_notice", "registered_proof"])
        # Once exported, the documents are frozen.
        with self.assertRaises(UserError):
            dossier.exhibit_ids[:1].title = "Autre"
        with self.assertRaises(UserError):
            dossier.as_of = "2026-04-20"
        with self.assertRaises(UserError):
            dossier.action_gather_exhibits()

        # Legal counsel reads and exports (a new version; the first one is kept), and
        # writes nothing: no invoice, no policy, no dossier.
        as_legal = dossier.with_user(self.legal)
        self.assertEqual(as_legal.court_name, dossier.court_name)
        as_legal.action_export()
        exports = dossier.export_ids.sorted("version")
        self.assertEqual(exports.mapped("version"), [1, 2])
        self.assertEqual(exports[0], export)
        self.assertEqual(exports[1].user_id, self.legal)
        self.assertEqual(self.verify_zip(exports[1].attachment_id.raw), [])
        with self.assertRaises(AccessError):
            as_legal.write({"user_id": self.legal.id})
        with self.assertRaises(AccessError):
            self.invoice.with_user(self.legal).write({"ref": "X"})
        with self.assertRaises(AccessError):
            self.policy.with_user(self.legal).write({"name": "X"})
        with self.assertRaises(AccessError):
            as_legal.action_filed()
        # A user of another company does not see it.
        Dossier = self.env["recouvrement.dossier"].with_user(self.stranger)
        self.assertFalse(Dossier.search([("id", "=", dossier.id)]))
        with self.assertRaises(AccessError):
            dossier.with_user(self.stranger).read(["name"])

        # Filed, then the court case through legal counsel's wizards (the order, its
        # service), each deadline with activities ahead of it (more in test_dossier_case).
        with self.freeze("2026-04-15"):
            dossier.action_filed()
        self.assertEqual(dossier.filed_date, date(2026, 4, 15))
        action = as_legal.action_order_granted()
        self.assertEqual(action["res_model"], "recouvrement.dossier.case.wizard")
        self.assertEqual(action["context"]["default_kind"], "order")
        Wizard = self.env["recouvrement.dossier.case.wizard"].with_user(self.legal)
        order = {"order_date": "2026-05-04", "order_decision": "granted"}
        order.update(order_file=base64.b64encode(FAKE_PDF), order_filename="ordonnance.pdf")
        with self.freeze("2026-05-04"):
            Wizard.create({"dossier_id": dossier.id, "kind": "order", **order}).action_confirm()
        self.assertEqual(dossier.state, "order_granted")
        self.assertEqual(dossier.service_deadline, date(2026, 11, 4))
        self.assertEqual(dossier.next_deadline, date(2026, 11, 4))
        activities = dossier.activity_ids.sorted("date_deadline")
        self.assertEqual(
            activities.mapped("date_deadline"), [date(2026, 10, 5), date(2026, 10, 28)]
        )
        self.assertEqual(activities.user_id, dossier.user_id)  # no counsel named
        self.assertIn("11/04/2026", activities[0].summary)
        commissaire = self.env["res.partner"].create({"name": "SCP Huissiers Réunis"})
        service = {"service_date": "2026-06-01", "commissaire_id": commissaire.id}
        with self.freeze("2026-06-01"):
            Wizard.create({"dossier_id": dossier.id, "kind": "service", **service}).action_confirm()
        self.assertEqual(dossier.state, "served")
        self.assertEqual(dossier.objection_deadline, date(2026, 7, 1))
        self.assertEqual(dossier.next_deadline, date(2026, 7, 1))
        self.assertEqual(dossier.activity_ids.date_deadline, date(2026, 7, 1))
        self.assertIn("07/01/2026", dossier.activity_ids.summary)
        found = self.env["recouvrement.dossier"].search(
            [("id", "=", dossier.id), ("next_deadline", "<=", "2026-07-10")]
        )
        self.assertEqual(found, dossier)
        dossier.action_close()
        self.assertEqual(dossier.state, "closed")
        self.assertFalse(dossier.activity_ids)
        with self.assertRaises(UserError):
            dossier.unlink()

    def test_guards(self):
        invoice = self.create_invoice(self.b2b_other, 900.0)
        self.attach_invoice_pdf(invoice)
        with self.freeze("2026-04-10"):
            dossier = self.open_dossier(self.b2b_other)
            # No mise en demeure: refused, every reason listed.
            with self.assertRaisesRegex(UserError, "aucune mise en demeure de l.historique"):
                dossier.action_ready()
            self.assertEqual(dossier.state, "draft")
            # Overridden with a reason, recorded on the dossier and in the manifest.
            dossier.override_no_notice_reason = "Débiteur injoignable depuis février"
            dossier.action_ready()
            self.assertEqual(dossier.state, "ready")
            dossier.action_export()
        export = dossier.export_ids
        self.assertIn("no_formal_notice: Débiteur injoignable depuis février", export.overrides)
        with zipfile.ZipFile(io.BytesIO(export.attachment_id.raw)) as archive:
            manifest = archive.read("manifest.xml").decode()
        self.assertIn("Débiteur injoignable depuis février", manifest)
        self.assertEqual(self.verify_zip(export.attachment_id.raw), [])

    def test_insolvency_refused(self):
        invoice = self.create_invoice(self.b2b_other, 900.0)
        self.attach_invoice_pdf(invoice)
        self.env["recouvrement.block"].create(
            {
                "partner_id": self.b2b_other.id,
                "scope": "partner",
                "reason": "insolvency",
                "date_start": "2026-03-01",
                "note": "BODACC A n° 20260042",
            }
        )
        with self.freeze("2026-04-10"):
            dossier = self.open_dossier(self.b2b_other)
            dossier.override_no_notice_reason = "Débiteur injoignable"
            with self.assertRaisesRegex(UserError, "procédure collective") as caught:
                dossier.action_ready()
        self.assertIn("L622-21", str(caught.exception))
        self.assertEqual(dossier.state, "draft")

    def test_court_of_a_consumer_in_lyon(self):
        self.b2c.write({"street": "5 place Bellecour", "zip": "69002", "city": "Lyon"})
        self.create_invoice(self.b2c, 300.0)
        with self.freeze("2026-04-10"):
            dossier = self.open_dossier(self.b2c)
            self.assertEqual(dossier.procedure_proposed, "psrpc")
            self.assertFalse(dossier.court_name)  # a PSRPC goes to a commissaire de justice
            dossier.procedure = "injonction_de_payer"
            dossier.action_refresh()
        self.assertEqual(dossier.court_name, "Tribunal judiciaire de Lyon")
        self.assertEqual(dossier.court_kind, "judiciaire")
        self.assertIn("69002", dossier.court_matched)
        # The user may name another court instead.
        dossier.write(
            {
                "court_override_name": "Tribunal judiciaire de Villefranche",
                "court_override_kind": "judiciaire",
            }
        )
        dossier.action_refresh()
        self.assertEqual(dossier.court_name, "Tribunal judiciaire de Villefranche")

    def test_open_from_handoff_communication(self):
        self.send_formal_notice()
        handoff = self.run_ladder("2026-04-06", mode="auto").communication_ids
        self.assertEqual(handoff.level_id, self.level_5)
        with self.freeze("2026-04-10"):
            action = handoff.action_open_dossier()
        dossier = self.env["recouvrement.dossier"].browse(action["res_id"])
        self.assertEqual(dossier.communication_id, handoff)
        self.assertEqual(dossier.move_ids, self.invoice | self.second)
        # Opening it again shows the same dossier.
        self.assertEqual(handoff.action_open_dossier()["res_id"], dossier.id)
