"""Each channel of a communication keeps its own state: an e-mail that fails after its
letter was posted changes nothing of the letter, and the ladder waits for what was not
sent."""

import socket
from ast import literal_eval
from contextlib import contextmanager
from datetime import date
from unittest.mock import patch

from odoo import Command, tools
from odoo.exceptions import UserError
from odoo.modules import module
from odoo.tests import Form, new_test_user, tagged

from .test_dossier import DossierCommon


def closed_port():
    """A port of 127.0.0.1 nothing listens on: an SMTP server that is not there."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@tagged("post_install", "-at_install")
class TestChannels(DossierCommon):
    @contextmanager
    def without_mail_server(self):
        """Odoo's mail queue as on a server without an outgoing mail server: it really
        connects, to a port where nothing listens."""
        smtp = {"smtp_server": "127.0.0.1", "smtp_port": closed_port()}
        with patch.object(module, "current_test", False), patch.dict(tools.config.options, smtp):
            yield

    def test_state_follows_the_channels(self):
        Communication = self.env["recouvrement.communication"]
        received = {"registered_state": "delivered", "delivered_date": "2026-03-24"}
        cases = [
            (("email",), {"email_state": "outgoing"}, "sent"),
            (("email",), {"email_state": "failed"}, "failed"),
            (("email", "letter"), {"email_state": "failed", "letter_state": "to_post"}, "to_send"),
            (("email", "letter"), {"email_state": "failed", "letter_state": "posted"}, "sent"),
            (("email", "letter"), {"email_state": "sent", "letter_state": "received",
                                   "delivered_date": "2026-03-02"}, "delivered"),
            (("registered_letter", "email"), {"email_state": "failed", **received}, "delivered"),
            (("registered_letter", "email"), {"email_state": "sent", "registered_state": "to_post"},
             "to_send"),
            (("registered_letter", "email"), {"email_state": "failed",
                                              "registered_state": "undeliverable"}, "sent"),
            (("email", "phone"), {"email_state": "failed"}, "failed"),  # no task created
            (("phone",), {}, "sent"),
        ]  # fmt: skip
        for codes, values, state in cases:
            with self.subTest(codes=codes, values=values):
                channels = [
                    self.env.ref(f"l10n_fr_recouvrement.channel_{code}").id for code in codes
                ]
                communication = Communication.new(
                    {"channel_ids": [Command.set(channels)], **values}
                )
                self.assertEqual(communication._get_state_from_channels(), state)

    def test_failed_email_leaves_the_posted_letter_and_the_dossier_exportable(self):
        self.run_ladder("2026-02-11", mode="auto")
        firm = self.run_ladder("2026-02-25", mode="auto").communication_ids
        self.assertEqual(
            (firm.state, firm.email_state, firm.letter_state), ("to_send", "outgoing", "to_post")
        )
        with self.freeze("2026-02-26"):
            firm.action_mark_posted("2026-02-26")
        self.assertEqual((firm.state, firm.letter_state), ("sent", "posted"))
        self.assertEqual(firm.posted_date, date(2026, 2, 26))
        firm.mail_id._postprocess_sent_message(
            success_pids=[], failure_reason="550 mailbox unavailable", failure_type="mail_bounce"
        )
        self.assertEqual(
            (firm.state, firm.letter_state, firm.email_state), ("sent", "posted", "failed")
        )
        self.assertEqual(firm.failure_reason, "550 mailbox unavailable")
        self.assertEqual(firm._get_sent_channel(), "letter")
        notice = self.send_formal_notice()
        # The mise en demeure's e-mail fails too, after its receipt was recorded.
        notice.mail_id._postprocess_sent_message(
            success_pids=[], failure_reason=False, failure_type="mail_smtp"
        )
        self.assertEqual(notice.state, "delivered")
        self.assertEqual(notice.registered_state, "delivered")
        self.assertEqual(notice.email_state, "failed")
        self.assertEqual(notice.failure_reason, "mail_smtp")
        history = self.env["recouvrement.engine"]._get_reminder_history(firm | notice)
        self.assertEqual(
            [(reminder.reference, reminder.channel, reminder.received_on) for reminder in history],
            [(firm.name, "letter", None), (notice.name, "registered_letter", date(2026, 3, 24))],
        )
        with self.freeze("2026-04-10"):
            dossier = self.open_dossier(self.b2b)
            dossier.procedure = "injonction_de_payer"
            dossier.action_ready()
            dossier.action_export()
            dossier.action_export()  # "Export a new version"
        self.assertEqual(dossier.export_ids.mapped("version"), [1, 2])
        self.assertEqual(self.verify_zip(dossier.export_ids[-1:].attachment_id.raw), [])
        letters = dossier.exhibit_ids.filtered(lambda e: e.kind in ("reminder", "formal_notice"))
        self.assertEqual(letters.communication_id, firm | notice)

    def test_failed_email_sent_again_once_the_mail_server_works(self):
        self.create_invoice(self.b2b_other, 300.0)
        self.run_ladder("2026-02-11", mode="auto")
        firm = self.run_ladder("2026-02-25", mode="auto").communication_ids.filtered(
            lambda comm: comm.partner_id == self.b2b_other
        )
        with self.freeze("2026-02-26"):
            firm.action_mark_posted("2026-02-26")
        with self.without_mail_server():
            firm.mail_id.send()
        self.assertEqual(firm.mail_id.state, "exception")
        self.assertEqual(
            (firm.state, firm.letter_state, firm.email_state), ("sent", "posted", "failed")
        )
        # The mail server works again (Odoo's test mode takes the e-mail without sending
        # it): sent again, the letter stays posted.
        firm.action_resend_email()
        self.assertEqual((firm.email_state, firm.mail_id.state), ("outgoing", "outgoing"))
        self.assertFalse(firm.failure_reason)
        with patch.object(module, "current_test", self):
            firm.mail_id.send()
        self.assertEqual(firm.mail_id.state, "sent")
        self.assertEqual(
            (firm.state, firm.letter_state, firm.email_state), ("sent", "posted", "sent")
        )
        self.assertEqual(firm._get_sent_channel(), "letter")
        with self.assertRaises(UserError):
            firm.action_resend_email()

    def test_no_mail_server_leaves_a_posted_registered_letter_alone(self):
        notice = self.send_formal_notice()
        self.assertEqual(notice.mail_id.state, "outgoing")
        with self.without_mail_server():
            notice.mail_id.send()
        self.assertEqual(notice.mail_id.state, "exception")
        self.assertEqual(notice.email_state, "failed")
        self.assertIn("Connection refused", notice.failure_reason)
        # Nothing of the letter changed.
        self.assertEqual(notice.state, "delivered")
        self.assertEqual(notice.registered_state, "delivered")
        self.assertEqual(notice.posted_date, date(2026, 3, 21))
        self.assertEqual(notice.delivered_date, date(2026, 3, 24))
        self.assertEqual(notice.registered_number, "1A 234 567 8901 2")
        self.assertEqual(self.invoice.recouvrement_notice_date, date(2026, 3, 24))
        self.assertEqual(self.invoice.recouvrement_last_date, date(2026, 3, 21))

    def test_an_email_only_reminder_that_fails_holds_the_ladder(self):
        courteous = self.run_ladder("2026-02-11", mode="auto").communication_ids
        self.assertEqual((courteous.state, courteous.email_state), ("sent", "outgoing"))
        self.assertEqual(self.invoice.recouvrement_last_date, date(2026, 2, 11))
        with self.without_mail_server():
            courteous.mail_id.send()
        self.assertEqual((courteous.state, courteous.email_state), ("failed", "failed"))
        self.assertTrue(self.invoice.recouvrement_awaiting_sending)
        self.assertFalse(self.invoice.recouvrement_next_date)
        run = self.run_ladder("2026-02-25", mode="auto")
        self.assertFalse(run.communication_ids)
        self.assertIn("Reminder not sent yet: 2", run.log)

    def test_handoff_waits_for_the_mise_en_demeure_to_be_sent(self):
        for day in ("2026-02-11", "2026-02-25", "2026-03-11", "2026-03-21"):
            notice = self.run_ladder(day, mode="auto").communication_ids
        self.assertEqual((notice.level_id, notice.state), (self.level_4, "to_send"))
        self.assertEqual(notice.registered_state, "to_post")
        self.assertTrue(self.invoice.recouvrement_awaiting_sending)
        self.assertEqual(self.invoice.recouvrement_last_date, date(2026, 3, 11))
        self.assertFalse(self.invoice.recouvrement_next_date)
        # J+60 and long after: still no handoff, the letter was never posted.
        for day in ("2026-04-05", "2026-05-20"):
            run = self.run_ladder(day, mode="auto")
            self.assertFalse(run.communication_ids, day)
            self.assertIn("Formal notice not sent yet: 2", run.log)
        # Posted on 20 May: the handoff comes 7 days after the posting, no sooner.
        notice.registered_number = "1A 234 567 8901 2"
        with self.freeze("2026-05-20"):
            notice.action_mark_posted("2026-05-20")
        self.assertEqual(self.invoice.recouvrement_last_date, date(2026, 5, 20))
        self.assertEqual(self.invoice.recouvrement_next_date, date(2026, 5, 27))
        self.assertFalse(self.run_ladder("2026-05-26", mode="auto").communication_ids)
        # The receipt of 23 May, recorded on the 26th: the interval counts from it.
        with self.freeze("2026-05-26"):
            notice.action_mark_delivered("2026-05-23")
        self.assertEqual(self.invoice.recouvrement_next_date, date(2026, 5, 30))
        self.assertFalse(self.run_ladder("2026-05-29", mode="auto").communication_ids)
        handoff = self.run_ladder("2026-05-30", mode="auto").communication_ids
        self.assertEqual(handoff.level_id, self.level_5)
        self.assertEqual(handoff.line_ids.move_id, self.invoice | self.second)

    def test_last_reminder_is_set_once_sent(self):
        self.run_ladder("2026-02-11", mode="auto")
        self.assertEqual(self.invoice.recouvrement_last_date, date(2026, 2, 11))
        firm = self.run_ladder("2026-02-25").communication_ids
        self.assertEqual((firm.state, firm.level_id), ("draft", self.level_2))
        self.assertEqual(self.invoice.recouvrement_level_id, self.level_2)
        self.assertEqual(self.invoice.recouvrement_last_date, date(2026, 2, 11))
        self.assertTrue(self.invoice.recouvrement_awaiting_sending)
        # A draft left alone holds the ladder.
        self.assertFalse(self.run_ladder("2026-03-11").communication_ids)
        with self.freeze("2026-03-12"):
            firm.action_send()
            self.process_queue()
        self.assertEqual(firm.state, "to_send")
        self.assertEqual(self.invoice.recouvrement_last_date, date(2026, 3, 12))
        self.assertFalse(self.invoice.recouvrement_awaiting_sending)
        self.assertEqual(self.invoice.recouvrement_next_date, date(2026, 3, 19))

    def test_receipt_date_asked_and_corrected_by_a_manager(self):
        for day in ("2026-02-11", "2026-02-25", "2026-03-11", "2026-03-21"):
            notice = self.run_ladder(day, mode="auto").communication_ids
        notice.registered_number = "1A 234 567 8901 2"
        context = {"active_model": notice._name, "active_ids": notice.ids}
        with self.freeze("2026-03-25"):
            posted = self.env.ref("l10n_fr_recouvrement.action_recouvrement_letter_posted")
            wizard = Form(
                self.env[posted.res_model].with_context(**context, **literal_eval(posted.context))
            )
            self.assertEqual(wizard.day, date(2026, 3, 25))  # today by default
            wizard.day = date(2026, 3, 22)
            wizard.save().action_confirm()
            received = self.env.ref("l10n_fr_recouvrement.action_recouvrement_letter_delivered")
            wizard = Form(
                self.env[received.res_model].with_context(
                    **context, **literal_eval(received.context)
                )
            )
            wizard.day = date(2026, 3, 24)
            wizard.save().action_confirm()
        self.assertEqual(
            (notice.posted_date, notice.delivered_date), (date(2026, 3, 22), date(2026, 3, 24))
        )
        self.assertEqual(self.invoice.recouvrement_notice_date, date(2026, 3, 24))
        collector = new_test_user(
            self.env, "channels_collector", groups="l10n_fr_recouvrement.group_recouvrement_user"
        )
        correct = self.env.ref("l10n_fr_recouvrement.action_recouvrement_letter_receipt_correct")
        with self.freeze("2026-03-26"), self.assertRaises(UserError):
            notice.with_user(collector).action_correct_receipt_date("2026-03-23")
        with self.freeze("2026-03-26"):
            wizard = Form(
                self.env[correct.res_model].with_context(**context, **literal_eval(correct.context))
            )
            wizard.day = date(2026, 3, 23)
            wizard.save().action_confirm()
        self.assertEqual(notice.delivered_date, date(2026, 3, 23))
        self.assertEqual(self.invoice.recouvrement_notice_date, date(2026, 3, 23))
        with self.freeze("2026-03-26"), self.assertRaises(UserError):
            notice.action_correct_receipt_date("2026-03-21")  # before the posting

    def test_print_offered_only_where_there_is_a_letter(self):
        courteous = self.run_ladder("2026-02-11", mode="auto").communication_ids
        firm = self.run_ladder("2026-02-25", mode="auto").communication_ids
        reports = self.env.ref(
            "l10n_fr_recouvrement.action_report_communication_pdf"
        ) | self.env.ref("l10n_fr_recouvrement.action_report_communication_docx")
        self.assertFalse(
            set(reports.ids) & set(reports.get_valid_action_reports(courteous._name, courteous.ids))
        )
        self.assertEqual(
            set(reports.ids) & set(reports.get_valid_action_reports(firm._name, firm.ids)),
            set(reports.ids),
        )

    def test_invoice_shows_the_policy_that_applies(self):
        self.assertFalse(self.invoice.recouvrement_policy_id)
        self.assertEqual(self.invoice.recouvrement_applied_policy_id, self.policy)
        other = self.policy.copy({"name": "Clients grands comptes"})
        self.b2b.with_company(self.company).recouvrement_policy_id = other
        self.invoice.invalidate_recordset(["recouvrement_applied_policy_id"])
        self.assertEqual(self.invoice.recouvrement_applied_policy_id, other)
        self.second.recouvrement_policy_id = self.policy
        self.assertEqual(self.second.recouvrement_applied_policy_id, self.policy)

    def test_email_dates_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.b2b.lang = "fr_FR"
        courteous = self.run_ladder("2026-02-11", mode="auto").communication_ids
        body = str(courteous.mail_id.body_html)
        self.assertIn("<td>04/02/2026</td>", body)
        self.assertNotIn("2026-02-04", body)

    def test_kanban_columns_follow_the_workflow(self):
        self.run_ladder("2026-02-11", mode="auto")
        groups = self.env["recouvrement.communication"].read_group(
            [("partner_id", "=", self.b2b.id)], ["state"], ["state"]
        )
        self.assertEqual(
            [group["state"] for group in groups],
            ["draft", "to_send", "sent", "delivered", "failed", "cancelled"],
        )

    def test_run_preview_is_read_only_and_the_run_speaks_french(self):
        wizard = self.env["recouvrement.run.wizard"]
        self.assertTrue(wizard._fields["line_ids"].readonly)
        arch = self.env.ref("l10n_fr_recouvrement.view_recouvrement_run_wizard_form").arch
        self.assertIn('<list create="0" delete="0" edit="0">', arch)
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["l10n_fr_recouvrement"], ["fr_FR"])
        french = self.env(context=dict(self.env.context, lang="fr_FR"))
        run = french["recouvrement.run"].create({"company_id": self.company.id})
        self.assertEqual(run._creation_message(), "Campagne de relance créée")
        fields = french["recouvrement.communication"].fields_get(["run_id", "posted_date"])
        self.assertEqual(fields["run_id"]["string"], "Campagne de relance")
        self.assertEqual(fields["posted_date"]["string"], "Date d'envoi")
        # Short list headers, not cut.
        invoices = french.ref("l10n_fr_recouvrement.view_out_invoice_tree_recouvrement").arch
        for header in ("Niveau", "Bloqué", "Prochaine action", "Pénalités", "Indemnité"):
            self.assertIn(f'string="{header}"', invoices)
