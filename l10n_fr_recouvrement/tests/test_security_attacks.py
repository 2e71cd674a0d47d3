"""The attacks of the security review, replayed through the ORM as an RPC client would.

Two French companies with the French chart, a user in each group. Each attack calls the
same ``create`` / ``write`` / action methods a client calls over RPC, and checks that it
is refused with nothing changed.
"""

from contextlib import contextmanager

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..models.bulk_insert import insert_rows
from .test_dossier import FAKE_PDF, DossierCommon

COMMUNICATION_HISTORY = [
    "state",
    "date",
    "posted_date",
    "delivered_date",
    "amount_principal",
    "amount_penalty",
    "amount_indemnity",
    "amount_total",
    "letter_kind",
    "is_formal_notice",
    "send_user_id",
    "pdf_attachment_id",
]


@tagged("post_install", "-at_install")
class TestSecurityAttacks(DossierCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company_a, company_b = cls.company, cls.other_company

        def user(login, group, companies):
            return new_test_user(
                cls.env, login, groups=f"l10n_fr_recouvrement.{group}",
                company_id=companies[0].id, company_ids=[Command.set(companies.ids)],
            )  # fmt: skip

        cls.collector = user("attack_collector", "group_recouvrement_user", company_a)
        cls.manager = user("attack_manager", "group_recouvrement_manager", company_a)
        # An administrator of both companies: what a sending user set by the client was.
        cls.admin_ab = user("attack_admin", "group_recouvrement_manager", company_a | company_b)
        cls.collector_b = cls.stranger  # collection manager of company B only
        company_b.write(
            {
                "street": "5 place Bellecour",
                "zip": "69002",
                "city": "Lyon",
                "email": "compta@autre.example",
                "siret": "35600000000048",
                "recouvrement_legal_form": "SA",
                "recouvrement_rcs_city": "Lyon",
                "recouvrement_share_capital": 100000.0,
            }
        )
        # Company B's invoice to the same customer, and its PDF.
        cls.foreign_invoice = cls.create_company_invoice(company_b, cls.b2b, 900.0)
        cls.foreign_pdf = cls.attach_invoice_pdf(cls.foreign_invoice)

    @classmethod
    def create_company_invoice(cls, company, partner, amount):
        invoice = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "invoice_date": "2026-01-05",
                    "invoice_date_due": "2026-02-04",
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create({"name": "Services", "price_unit": amount, "tax_ids": []})
                    ],
                }
            )
        )
        invoice.action_post()
        return invoice

    @contextmanager
    def assertRefused(self, exception, pattern):
        """``assertRaisesRegex`` in a savepoint rolled back on the error, as Odoo's
        ``assertRaises`` (and an RPC call's transaction) does."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), pattern)

    def as_admin_of_both(self, records):
        """``records`` as the administrator of both companies, both of them selected."""
        companies = (self.company | self.other_company).ids
        return records.with_user(self.admin_ab).with_context(allowed_company_ids=companies)

    def run_company(self, company, day, mode="manual"):
        with self.freeze(day):
            run = self.env["recouvrement.run"].create({"company_id": company.id, "mode": mode})
            run._execute()
            self.process_queue()
        return run

    # ------------------------------------------------------------------
    # Attachments of another company
    # ------------------------------------------------------------------
    def test_foreign_attachment_refused_as_proof_exhibit_and_letter(self):
        notice = self.send_formal_notice()
        proofs, letter = notice.registered_proof_ids, notice.pdf_attachment_id
        link_foreign = {"registered_proof_ids": [Command.link(self.foreign_pdf.id)]}
        # As a proof: by a user of company A (who cannot read it) and by the
        # administrator of both (who can, but it is company B's).
        with self.assertRefused(UserError, "belongs to another company"):
            notice.with_user(self.collector).write(link_foreign)
        with self.assertRefused(UserError, "belongs to another company"):
            self.as_admin_of_both(notice).write(link_foreign)
        self.assertEqual(notice.registered_proof_ids, proofs)
        # As the letter: a produced document, never written by a client.
        with self.assertRaises(UserError):  # sent, and a produced document anyway
            notice.with_user(self.collector).write({"pdf_attachment_id": self.foreign_pdf.id})
        self.assertEqual(notice.pdf_attachment_id, letter)
        # A scan uploaded on the communication is accepted.
        scan = (
            self.env["ir.attachment"]
            .with_user(self.collector)
            .create(
                {
                    "name": "Accusé de réception.pdf",
                    "raw": FAKE_PDF,
                    "mimetype": "application/pdf",
                    "res_model": notice._name,
                    "res_id": notice.id,
                }
            )
        )
        notice.with_user(self.collector).write({"registered_proof_ids": [Command.link(scan.id)]})
        self.assertIn(scan, notice.registered_proof_ids)

        # As an exhibit, by hand: refused, the dossier keeps its exhibits.
        with self.freeze("2026-04-10"):
            dossier = self.open_dossier(self.b2b)
        exhibits = dossier.exhibit_ids
        Exhibit = self.env["recouvrement.dossier.exhibit"]
        foreign_exhibit = {
            "dossier_id": dossier.id,
            "kind": "invoice",
            "attachment_id": self.foreign_pdf.id,
        }
        with self.assertRefused(UserError, "belongs to another company"):
            Exhibit.with_user(self.collector).create(foreign_exhibit)
        with self.assertRefused(UserError, "belongs to another company"):
            self.as_admin_of_both(Exhibit).create(foreign_exhibit)
        with self.assertRefused(UserError, "belongs to another company"):
            exhibits[:1].with_user(self.collector).write({"attachment_id": self.foreign_pdf.id})
        self.assertEqual(dossier.exhibit_ids, exhibits)

    def test_superuser_code_uses_only_the_records_own_files(self):
        """Data tampered before this version (written as superuser here): the code that
        gathers, mails and exports with ``sudo()`` leaves another company's files out."""
        notice = self.send_formal_notice()
        notice.sudo().registered_proof_ids = [Command.link(self.foreign_pdf.id)]
        with self.freeze("2026-04-10"):
            dossier = self.open_dossier(self.b2b)
        proofs = dossier.exhibit_ids.filtered(lambda exhibit: exhibit.kind == "registered_proof")
        self.assertEqual(proofs.mapped("attachment_id.name"), ["Preuve de dépôt.pdf"])
        # An exhibit of company B slipped in: the dossier is refused before anything is built.
        self.env["recouvrement.dossier.exhibit"].sudo().create(
            {"dossier_id": dossier.id, "kind": "other", "attachment_id": self.foreign_pdf.id}
        )
        dossier.procedure = "injonction_de_payer"
        with self.assertRefused(UserError, "belongs to another company"):
            dossier.action_ready()
        self.assertEqual(dossier.state, "draft")
        self.assertFalse(dossier.export_ids)

    def test_letter_of_another_company_is_not_mailed(self):
        self.run_ladder("2026-02-11", mode="auto")
        draft = self.run_ladder("2026-02-25").communication_ids  # e-mail and letter
        self.assertTrue(draft.letter_kind and draft.pdf_attachment_id)
        draft.sudo().pdf_attachment_id = self.foreign_pdf  # tampered data
        with self.freeze("2026-02-25"):
            draft.with_user(self.collector).action_send()
            self.process_queue()
        self.assertEqual(draft.state, "failed")
        self.assertEqual(draft.failure_reason, "The letter was not produced.")
        self.assertFalse(draft.mail_id)
        self.assertFalse(
            self.env["mail.mail"].sudo().search([("attachment_ids", "in", self.foreign_pdf.ids)])
        )

    # ------------------------------------------------------------------
    # Invoices of another company
    # ------------------------------------------------------------------
    def test_foreign_invoice_refused_on_a_line_a_block_and_a_dossier(self):
        communication = self.run_ladder("2026-02-11").communication_ids
        lines = communication.line_ids
        Line = self.env["recouvrement.communication.line"]
        values = {"communication_id": communication.id, "move_id": self.foreign_invoice.id}
        with self.assertRaises(AccessError):
            Line.with_user(self.collector).create(values)
        with self.assertRaises(AccessError):
            lines[:1].with_user(self.collector).write({"move_id": self.foreign_invoice.id})
        # Even the code (superuser) cannot mix the companies.
        with self.assertRefused(UserError, "ncompatible compan"):
            Line.sudo().create(values)
        self.env.invalidate_all()  # read back from the database
        self.assertEqual(communication.line_ids, lines)
        self.assertEqual(lines.move_id.company_id, self.company)

        Block = self.as_admin_of_both(self.env["recouvrement.block"])
        with self.assertRefused(UserError, "ncompatible compan"):
            Block.create(
                {
                    "company_id": self.company.id,
                    "partner_id": self.b2b.id,
                    "move_ids": [Command.set(self.foreign_invoice.ids)],
                    "reason": "dispute",
                }
            )
        self.assertFalse(
            self.env["recouvrement.block"].search([("move_ids", "in", self.foreign_invoice.ids)])
        )

        with self.freeze("2026-04-10"):
            dossier = self.open_dossier(self.b2b)
        moves = dossier.move_ids
        with self.assertRefused(UserError, "ncompatible compan"):
            self.as_admin_of_both(dossier).write(
                {"move_ids": [Command.link(self.foreign_invoice.id)]}
            )
        with self.assertRaises(ValidationError):
            dossier.write({"move_ids": [Command.link(self.create_invoice(self.b2c, 50.0).id)]})
        self.assertEqual(dossier.move_ids, moves)

    # ------------------------------------------------------------------
    # Server-only state
    # ------------------------------------------------------------------
    def test_sending_user_is_who_clicked(self):
        communication = self.run_ladder("2026-02-11").communication_ids
        with self.assertRaises(AccessError):
            communication.with_user(self.collector).write({"send_user_id": self.admin_ab.id})
        self.assertFalse(communication.send_user_id)
        with self.freeze("2026-02-11"):
            communication.with_user(self.collector).action_send()
            self.process_queue()
        self.assertEqual(communication.send_user_id, self.collector)
        self.assertEqual(communication.mail_id.author_id, self.collector.partner_id)

    def test_history_of_a_draft_cannot_be_forged(self):
        communication = self.run_ladder("2026-02-11").communication_ids
        before = communication.read(COMMUNICATION_HISTORY)
        line_amounts = communication.line_ids.read(["penalty_amount", "amount_residual"])
        as_collector = communication.with_user(self.collector)
        forgeries = [
            {"state": "delivered", "delivered_date": "2020-01-01"},
            {"posted_date": "2020-01-01"},
            {"date": "2020-01-01"},
            {"amount_total": 100000.0, "amount_penalty": 50000.0},
            {"letter_kind": "mise_en_demeure", "is_formal_notice": True},
            {"send_user_id": self.admin_ab.id},
        ]
        for values in forgeries:
            with self.subTest(values=values), self.assertRaises(AccessError):
                as_collector.write(values)
        # A context key from the client lifts nothing (JSON cannot carry the server's mark).
        with self.assertRaises(AccessError):
            as_collector.with_context(recouvrement_server_write=True).write({"state": "sent"})
        with self.assertRaises(AccessError):
            communication.line_ids.with_user(self.collector).write({"penalty_amount": 999.0})
        with self.assertRaises(AccessError):
            self.env["recouvrement.communication"].with_user(self.collector).create(
                {
                    "partner_id": self.b2b.id,
                    "policy_id": self.policy.id,
                    "level_id": self.level_4.id,
                    "state": "delivered",
                    "date": "2020-01-01",
                }
            )
        self.env.invalidate_all()  # read back from the database
        self.assertEqual(communication.read(COMMUNICATION_HISTORY), before)
        self.assertEqual(
            communication.line_ids.read(["penalty_amount", "amount_residual"]), line_amounts
        )
        # Nor the invoice's place on the ladder, nor a run's date.
        invoice = communication.line_ids.move_id[:1]
        with self.assertRaises(AccessError):
            invoice.with_user(self.collector).write({"recouvrement_level_id": self.level_5.id})
        self.assertEqual(invoice.recouvrement_level_id, self.level_1)
        with self.assertRaises(AccessError):
            self.env["recouvrement.run"].with_user(self.collector).create(
                {"company_id": self.company.id, "date": "2020-01-01"}
            )

    def test_posting_and_receipt_dates_are_checked(self):
        self.run_ladder("2026-02-11", mode="auto")
        letter = self.run_ladder("2026-02-25", mode="auto").communication_ids
        self.assertEqual(letter.state, "to_send")
        as_collector = letter.with_user(self.collector)
        with self.freeze("2026-02-27"):
            with self.assertRefused(UserError, "must be between 02/25/2026 and today"):
                as_collector.action_mark_posted("2020-01-01")
            with self.assertRefused(UserError, "must be between"):
                as_collector.action_mark_posted("2026-03-15")  # the future
            self.assertEqual(letter.state, "to_send")
            self.assertFalse(letter.posted_date)
            as_collector.action_mark_posted("2026-02-26")
            with self.assertRefused(UserError, "must be between 02/26/2026 and today"):
                as_collector.action_mark_delivered("2026-02-25")
        self.assertEqual(letter.state, "sent")
        self.assertEqual(str(letter.posted_date), "2026-02-26")
        self.assertFalse(letter.delivered_date)

    def test_exported_dossier_freeze_not_lifted_by_a_context_key(self):
        self.send_formal_notice()
        with self.freeze("2026-04-10"):
            dossier = self.open_dossier(self.b2b)
            dossier.procedure = "injonction_de_payer"
            dossier.action_ready()
            dossier.action_export()
        self.assertEqual(dossier.state, "exported")
        moves, exhibits, lines = dossier.move_ids, dossier.exhibit_ids, dossier.line_ids
        total, export = dossier.amount_total, dossier.export_ids
        forged = dossier.with_user(self.collector).with_context(recouvrement_dossier_engine=True)
        with self.assertRefused(UserError, "frozen"):
            forged.write({"move_ids": [Command.clear()]})
        with self.assertRefused(UserError, "frozen"):
            forged.write({"line_ids": [Command.clear()], "amount_total": 0.0})
        with self.assertRaises(AccessError):
            forged.write({"state": "draft"})
        with self.assertRaises(UserError):
            forged.exhibit_ids.unlink()
        with self.assertRaises(UserError):
            forged.exhibit_ids[:1].write({"number": 99})
        with self.assertRaises(AccessError):
            export.with_user(self.collector).unlink()
        with self.assertRaises(AccessError):
            export.with_user(self.collector).write({"sha256": "0" * 64})
        self.env.invalidate_all()  # read back from the database
        self.assertEqual(
            (dossier.move_ids, dossier.exhibit_ids, dossier.line_ids, dossier.export_ids),
            (moves, exhibits, lines, export),
        )
        self.assertEqual((dossier.state, dossier.amount_total), ("exported", total))

    def test_selection_values_and_template_kinds_are_checked(self):
        with self.assertRefused(ValidationError, "not a valid value of"):
            self.level_2.with_user(self.manager).write({"letter_kind": "../../../etc/passwd"})
        with self.assertRefused(ValidationError, "not a valid value of"):
            self.env["recouvrement.block"].with_user(self.collector).create(
                {"partner_id": self.b2b.id, "scope": "partner", "reason": "forged"}
            )
        self.assertEqual(self.level_2.letter_kind, "relance_ferme")
        # A kind that is not the engine's never becomes a template path.
        with self.assertRefused(UserError, "Unknown letter kind"):
            self.env["recouvrement.engine"]._render_letter("/etc/hostname", {})
        # The run's set-based insert checks selections as create does.
        Communication = self.env["recouvrement.communication"]
        row = {
            "name": "FORGED",
            "company_id": self.company.id,
            "partner_id": self.b2b.id,
            "policy_id": self.policy.id,
            "level_id": self.level_1.id,
            "state": "forged",
            "date": "2026-02-11",
        }
        with self.assertRefused(ValueError, "not in its selection"):
            insert_rows(Communication, [row])
        self.assertFalse(Communication.search([("name", "=", "FORGED")]))

    # ------------------------------------------------------------------
    # Companies
    # ------------------------------------------------------------------
    def test_instalments_of_another_company(self):
        plan = (
            self.env["recouvrement.block"]
            .with_user(self.collector_b)
            .create(
                {
                    "company_id": self.other_company.id,
                    "partner_id": self.b2b.id,
                    "reason": "payment_plan",
                    "move_ids": [Command.set(self.foreign_invoice.ids)],
                    "instalment_ids": [
                        Command.create({"due_date": "2026-03-01", "amount": 450.0}),
                        Command.create({"due_date": "2026-04-01", "amount": 450.0}),
                    ],
                }
            )
        )
        instalment = plan.instalment_ids[0]
        self.assertEqual(instalment.company_id, self.other_company)
        Instalment = self.env["recouvrement.block.instalment"].with_user(self.collector)
        self.assertFalse(Instalment.search([("id", "in", plan.instalment_ids.ids)]))
        as_collector = instalment.with_user(self.collector)
        with self.assertRaises(AccessError):
            as_collector.read(["amount"])
        with self.assertRaises(AccessError):
            as_collector.write({"amount": 1.0})
        with self.assertRaises(AccessError):
            as_collector.unlink()
        self.assertTrue(instalment.exists())
        self.assertEqual(instalment.amount, 450.0)
        # Company B's own user still works with them.
        self.assertEqual(instalment.with_user(self.collector_b).amount, 450.0)

    def test_merged_letters_of_two_companies_are_not_stored_on_one(self):
        self.run_ladder("2026-02-11", mode="auto")
        letter_a = self.run_ladder("2026-02-25", mode="auto").communication_ids
        for day in ("2026-02-11", "2026-02-25"):
            run_b = self.run_company(self.other_company, day, mode="auto")
        letter_b = run_b.communication_ids
        self.assertEqual(letter_b.company_id, self.other_company)
        self.assertTrue(letter_a.pdf_attachment_id and letter_b.pdf_attachment_id)
        with self.assertRefused(UserError, "one company at a time"):
            self.as_admin_of_both(letter_a | letter_b).action_print_letters()
        action = letter_a.with_user(self.collector).action_print_letters()
        merged = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        self.assertEqual((merged.res_id, merged.company_id), (letter_a.id, self.company))
        with self.assertRaises(AccessError):
            merged.with_user(self.collector_b).check("read")

    def test_one_company_failure_leaves_the_others_runs(self):
        """Company B's stray line (left by the attack this version closes) makes its run
        fail on the database's unique index; company A's run goes through."""
        stray = (
            self.env["recouvrement.communication"]
            .sudo()
            .create(
                {
                    "name": "STRAY",
                    "company_id": self.other_company.id,
                    "partner_id": self.b2b.id,
                    "policy_id": self.policy.id,
                    "level_id": self.level_1.id,
                    "date": "2026-02-10",
                }
            )
        )
        self.env["recouvrement.communication.line"].sudo().create(
            {"communication_id": stray.id, "move_id": self.foreign_invoice.id}
        )
        with (
            self.freeze("2026-02-11"),
            mute_logger("odoo.addons.l10n_fr_recouvrement.models.recouvrement_run", "odoo.sql_db"),
        ):
            self.run_scheduled()
        Run = self.env["recouvrement.run"]
        run_a = Run.search([("company_id", "=", self.company.id), ("trigger", "=", "cron")])
        self.assertEqual(run_a.state, "done")
        self.assertEqual(run_a.communication_ids.line_ids.move_id, self.invoice | self.second)
        self.assertEqual(self.invoice.recouvrement_level_id, self.level_1)
        run_b = Run.search([("company_id", "=", self.other_company.id)])
        self.assertEqual(run_b.state, "failed")
        self.assertIn("recouvrement_communication_line_move_level_uniq", run_b.log)
        self.assertFalse(run_b.communication_ids)
        self.assertFalse(self.foreign_invoice.recouvrement_level_id)

    def test_receipt_date_through_the_wizard(self):
        """The form's buttons ask for the date, which the actions check."""
        self.run_ladder("2026-02-11", mode="auto")
        letter = self.run_ladder("2026-02-25", mode="auto").communication_ids
        Wizard = self.env["recouvrement.letter.date.wizard"].with_user(self.collector)
        context = {"active_model": letter._name, "active_ids": letter.ids}
        with self.freeze("2026-03-02"):
            posted = Wizard.with_context(**context, default_step="posted").create(
                {"day": "2026-02-26"}
            )
            posted.action_confirm()
            received = Wizard.with_context(**context, default_step="delivered").create(
                {"day": "2026-03-01"}
            )
            received.action_confirm()
        self.assertEqual(letter.state, "delivered")
        self.assertEqual(str(letter.posted_date), "2026-02-26")
        self.assertEqual(str(letter.delivered_date), "2026-03-01")
