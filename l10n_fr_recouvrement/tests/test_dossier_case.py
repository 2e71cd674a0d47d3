import base64
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import RecouvrementCommon
from .test_dossier import FAKE_PDF

SERVICE_FIRST = "l10n_fr_recouvrement.mail_activity_type_case_service_first"
SERVICE_LAST = "l10n_fr_recouvrement.mail_activity_type_case_service_last"
OBJECTION_END = "l10n_fr_recouvrement.mail_activity_type_case_objection_end"


@tagged("post_install", "-at_install")
class TestDossierCase(RecouvrementCommon):
    """The court case of a filed dossier: the order, its service, objection, payment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b2b.write({"street": "8 rue de la Boétie", "zip": "75008", "city": "Paris"})
        cls.invoice = cls.create_invoice(cls.b2b, 6200.0)
        company = cls.company.id
        users = {"company_id": company, "company_ids": [Command.set([company])]}
        cls.counsel = new_test_user(
            cls.env, "case_counsel", groups="l10n_fr_recouvrement.group_recouvrement_legal",
            **users,
        )  # fmt: skip
        cls.clerk = new_test_user(
            cls.env, "case_clerk", groups="l10n_fr_recouvrement.group_recouvrement_user", **users
        )
        cls.commissaire = cls.env["res.partner"].create(
            {"name": "SELARL Lemoine & Associés", "is_company": True}
        )

    def filed_dossier(self, filed="2026-09-10"):
        dossier = self.env["recouvrement.dossier"].create(
            {
                "partner_id": self.b2b.id,
                "move_ids": [Command.set(self.invoice.ids)],
                "procedure": "injonction_de_payer",
                "counsel_id": self.counsel.id,
            }
        )
        dossier._server_write({"state": "filed", "filed_date": filed})
        return dossier

    def record(self, dossier, kind, today, user=None, **values):
        """Open the step's wizard from the dossier's button, as ``user``, fill it, confirm."""
        dossier = dossier.with_user(user or self.counsel)
        with self.freeze(today):
            action = getattr(dossier, f"action_record_{kind}")()
            wizard = self.env[action["res_model"]].with_user(user or self.counsel)
            with Form(wizard.with_context(action["context"])) as form:
                for name, value in values.items():
                    setattr(form, name, value)
            form.record.action_confirm()
        dossier.invalidate_recordset()
        return dossier.with_user(self.env.user)

    def record_order(self, dossier, day, today=None, **values):
        values = {"order_date": day, "order_decision": "granted", **values}
        if values["order_decision"] == "granted" and "order_file" not in values:
            values["order_file"] = base64.b64encode(FAKE_PDF)
        return self.record(dossier, "order", today or day, **values)

    def activities(self, dossier, xmlid):
        kind = self.env.ref(xmlid)
        return dossier.activity_ids.filtered(lambda activity: activity.activity_type_id == kind)

    def test_record_order_then_service(self):
        dossier = self.filed_dossier()
        self.record_order(dossier, "2026-10-01", today="2026-10-05", registry_fees=33.47)
        self.assertEqual(dossier.state, "order_granted")
        self.assertEqual(dossier.order_decision, "granted")
        self.assertEqual(dossier.order_attachment_id.raw, FAKE_PDF)
        self.assertEqual(dossier.order_attachment_id.res_id, dossier.id)
        # Three months (an order from 1 September 2026); 1 January 2027 is a holiday.
        self.assertEqual(dossier.service_deadline, date(2027, 1, 4))
        self.assertEqual(dossier.next_deadline, date(2027, 1, 4))
        with self.freeze("2026-10-05"):
            self.assertEqual(dossier.case_state, "order_granted")
        first = self.activities(dossier, SERVICE_FIRST)
        last = self.activities(dossier, SERVICE_LAST)
        self.assertEqual(first.date_deadline, date(2026, 12, 5))  # D-30
        self.assertEqual(last.date_deadline, date(2026, 12, 28))  # D-7
        self.assertEqual((first | last).user_id, self.counsel)
        self.assertEqual(first.summary, "Serve the order before 01/04/2027 (CPC 1411)")
        self.assertFalse(self.activities(dossier, OBJECTION_END))

        self.record(
            dossier, "service", "2026-10-21",
            service_date="2026-10-20", commissaire_id=self.commissaire, commissaire_fees=45.12,
        )  # fmt: skip
        self.assertEqual(dossier.state, "served")
        self.assertEqual(dossier.commissaire_id, self.commissaire)
        self.assertEqual(dossier.objection_deadline, date(2026, 11, 20))
        self.assertEqual(dossier.enforcement_date, date(2026, 12, 22))
        self.assertEqual(dossier.next_deadline, date(2026, 11, 20))
        self.assertAlmostEqual(dossier.total_costs, 78.59)
        # The service reminders are done, the end of the objection month is due.
        self.assertFalse(
            self.activities(dossier, SERVICE_FIRST) | self.activities(dossier, SERVICE_LAST)
        )
        done = dossier.message_ids.filtered(
            lambda m: "Done: the event is recorded." in (m.body or "")
        )
        self.assertEqual(len(done), 2)
        objection = self.activities(dossier, OBJECTION_END)
        self.assertEqual(objection.date_deadline, date(2026, 11, 20))
        self.assertEqual(objection.user_id, self.counsel)
        with self.freeze("2026-12-21"):
            self.assertEqual(dossier.case_state, "served")
            self.assertIn("ordonnance signifiée par SELARL Lemoine", dossier.timeline_html)
            self.assertIn("CPC 642", dossier.timeline_html)
        dossier.invalidate_recordset()
        with self.freeze("2026-12-22"):
            self.assertEqual(dossier.case_state, "enforceable")

    def test_changed_order_date_moves_the_activities(self):
        dossier = self.filed_dossier()
        self.record_order(dossier, "2026-10-01", today="2026-10-05")
        first, last = (
            self.activities(dossier, SERVICE_FIRST),
            self.activities(dossier, SERVICE_LAST),
        )
        # The order was of 9 October: three months end on Saturday 9 January, so Monday 11.
        self.record_order(dossier, "2026-10-09", today="2026-10-12")
        self.assertEqual(dossier.service_deadline, date(2027, 1, 11))
        self.assertEqual(self.activities(dossier, SERVICE_FIRST), first)
        self.assertEqual(self.activities(dossier, SERVICE_LAST), last)
        self.assertEqual(first.date_deadline, date(2026, 12, 12))
        self.assertEqual(last.date_deadline, date(2027, 1, 4))
        self.assertIn("01/11/2027", last.summary)
        self.assertEqual(len(dossier.activity_ids), 2)
        # Another counsel: the same activities, reassigned.
        other = new_test_user(
            self.env, "case_counsel_2", groups="l10n_fr_recouvrement.group_recouvrement_legal"
        )
        dossier.counsel_id = other
        self.assertEqual(self.activities(dossier, SERVICE_FIRST), first)
        self.assertEqual((first | last).user_id, other)

    def test_order_before_1_september_2026_has_six_months(self):
        dossier = self.filed_dossier(filed="2026-04-15")
        self.record_order(dossier, "2026-05-04")
        self.assertEqual(dossier.service_deadline, date(2026, 11, 4))
        self.assertEqual(self.activities(dossier, SERVICE_FIRST).date_deadline, date(2026, 10, 5))
        self.record(dossier, "service", "2026-06-01", service_date="2026-06-01",
                    commissaire_id=self.commissaire)  # fmt: skip
        self.assertEqual(dossier.objection_deadline, date(2026, 7, 1))
        self.assertEqual(dossier.enforcement_date, date(2026, 7, 2))  # CPC 1422

    def test_unserved_order_past_its_deadline_is_void(self):
        dossier = self.filed_dossier(filed="2026-08-20")
        self.record_order(dossier, "2026-09-01", today="2026-09-03")
        self.assertEqual(dossier.service_deadline, date(2026, 12, 1))
        Dossier = self.env["recouvrement.dossier"]
        mine = [("id", "=", dossier.id)]
        with self.freeze("2026-12-01"):
            self.assertFalse(dossier.order_void)
            self.assertFalse(Dossier.search([*mine, ("order_void", "=", True)]))
            self.assertEqual(Dossier.search([*mine, ("order_void", "=", False)]), dossier)
        dossier.invalidate_recordset()
        with self.freeze("2026-12-02"):
            self.assertTrue(dossier.order_void)
            self.assertEqual(dossier.case_state, "void")
            self.assertEqual(Dossier.search([*mine, ("order_void", "=", True)]), dossier)
            self.assertFalse(Dossier.search([*mine, ("order_void", "!=", True)]))
        with self.assertRaisesRegex(UserError, "l'ordonnance est non avenue"):
            self.record(dossier, "service", "2026-12-02", service_date="2026-12-02",
                        commissaire_id=self.commissaire)  # fmt: skip
        self.assertFalse(dossier.service_date)

    def test_refused_order(self):
        dossier = self.filed_dossier()
        self.record_order(dossier, "2026-10-01", order_decision="refused", order_file=False)
        self.assertEqual(dossier.state, "closed")
        self.assertEqual(dossier.order_decision, "refused")
        self.assertFalse(dossier.service_deadline)
        self.assertFalse(dossier.activity_ids)
        with self.freeze("2026-10-02"):
            self.assertEqual(dossier.case_state, "order_refused")
        with self.assertRaisesRegex(UserError, "not at that stage"):
            self.record(dossier, "service", "2026-10-02", service_date="2026-10-02",
                        commissaire_id=self.commissaire)  # fmt: skip

    def test_granted_order_needs_its_pdf(self):
        dossier = self.filed_dossier()
        # The form requires the file; the server too (a client may skip the form).
        Wizard = self.env["recouvrement.dossier.case.wizard"].with_user(self.counsel)
        order = {"dossier_id": dossier.id, "kind": "order", "order_date": "2026-10-01"}
        wizard = Wizard.create({**order, "order_decision": "granted"})
        with self.freeze("2026-10-01"), self.assertRaisesRegex(UserError, "Attach the order's PDF"):
            wizard.action_confirm()
        with self.assertRaisesRegex(UserError, "must be a PDF"):
            self.record_order(dossier, "2026-10-01", order_file=base64.b64encode(b"GIF89a"))
        self.assertFalse(dossier.order_date)

    def test_objection(self):
        dossier = self.filed_dossier()
        self.record_order(dossier, "2026-09-15", today="2026-09-20")
        self.record(dossier, "service", "2026-10-01", service_date="2026-10-01",
                    commissaire_id=self.commissaire)  # fmt: skip
        self.assertEqual(dossier.objection_deadline, date(2026, 11, 2))  # 1 November
        with self.assertRaisesRegex(UserError, "l'opposition du 3 novembre 2026 est formée après"):
            self.record(dossier, "objection", "2026-11-03", objection_date="2026-11-03")
        self.record(dossier, "objection", "2026-10-28", objection_date="2026-10-28")
        self.assertEqual(dossier.state, "objection")
        self.assertFalse(dossier.enforcement_date)
        self.assertFalse(dossier.activity_ids)
        with self.freeze("2026-10-28"):
            self.assertEqual(dossier.case_state, "objection")

    def test_inconsistent_dates_are_refused(self):
        dossier = self.filed_dossier()
        with self.assertRaisesRegex(UserError, "précède le dépôt de la requête"):
            self.record_order(dossier, "2026-09-01", today="2026-09-20")
        with self.assertRaisesRegex(UserError, "est après la date du calendrier"):
            self.record_order(dossier, "2026-10-01", today="2026-09-20")
        self.record_order(dossier, "2026-10-01", today="2026-10-05")
        with self.assertRaisesRegex(UserError, "précède l'ordonnance du 1er octobre 2026"):
            self.record(dossier, "service", "2026-10-05", service_date="2026-09-30",
                        commissaire_id=self.commissaire)  # fmt: skip

    def test_payment_cancels_the_activities(self):
        dossier = self.filed_dossier()
        self.record_order(dossier, "2026-10-01", today="2026-10-05")
        self.assertEqual(len(dossier.activity_ids), 2)
        self.record(dossier, "payment", "2026-10-20", paid_date="2026-10-19")
        self.assertEqual(dossier.state, "closed")
        self.assertFalse(dossier.activity_ids)
        self.assertFalse(dossier.message_ids.filtered(lambda m: "Done:" in (m.body or "")))
        with self.freeze("2026-10-20"):
            self.assertEqual(dossier.case_state, "paid")

    def test_collection_users_read_the_case_counsel_records_it(self):
        dossier = self.filed_dossier()
        self.record_order(dossier, "2026-10-01", today="2026-10-05")
        as_clerk = dossier.with_user(self.clerk)
        self.assertEqual(as_clerk.service_deadline, date(2027, 1, 4))
        with self.assertRaises(AccessError):
            as_clerk.action_record_service()
        with self.assertRaises(AccessError):
            as_clerk.write({"service_date": "2026-10-06"})
        with self.assertRaises(AccessError):
            self.env["recouvrement.dossier.case.wizard"].with_user(self.clerk).create(
                {"dossier_id": dossier.id, "kind": "service"}
            )
        with self.assertRaises(AccessError):
            dossier.with_user(self.counsel).write({"order_date": "2026-10-02"})
        self.assertEqual(dossier.order_date, date(2026, 10, 1))

    def test_french_labels(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["l10n_fr_recouvrement"], ["fr_FR"])
        french = self.env(context=dict(self.env.context, lang="fr_FR"))
        states = dict(french["recouvrement.dossier"]._selection_case_state())
        self.assertEqual(states["void"], "Ordonnance non avenue")
        kinds = dict(french["recouvrement.dossier.case.wizard"]._selection_kind())
        self.assertEqual(kinds["service"], "Enregistrer la signification")
        activity = french.ref("l10n_fr_recouvrement.mail_activity_type_case_service_last")
        self.assertEqual(activity.name, "Signifier l'ordonnance (reste une semaine)")
