"""Registered letters sent through a provider, against its stand-in on 127.0.0.1.

The stand-in follows Maileva's published protocol (``recouvrement.delivery.standins``);
the addon talks to it over real HTTP, and the provider's callbacks reach the addon's
route through Odoo's own HTTP server.
"""

import hashlib
import json
import urllib.request
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from recouvrement.delivery.standins import FaultPlan, FaultRule, start_standin

from .test_dossier import DossierCommon


@tagged("post_install", "-at_install")
class TestRegisteredLetters(DossierCommon, HttpCase):
    def setUp(self):
        super().setUp()
        self.standin = start_standin("maileva", port=0)
        self.addCleanup(self.standin.stop)
        config = self.standin.sample_config()
        self.account = self.env["recouvrement.registered.provider"].create(
            {
                "company_id": self.company.id,
                "provider": "maileva",
                "environment": "sandbox",
                "api_url": config["api_url"],
                "auth_url": config["auth_url"],
                "api_version": config["api_version"],
                "client_id": config["client_id"],
                "client_secret": config["client_secret"],
                "username": config["username"],
                "password": config["password"],
            }
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def send_formal_notice(self, before_notice=None):
        """The ladder up to the mise en demeure: the background job sends it.
        ``before_notice`` is called after the last reminder, before the mise en demeure."""
        for day in ("2026-02-11", "2026-02-25", "2026-03-11"):
            self.run_ladder(day, mode="auto")
        if before_notice:
            before_notice()
        run = self.run_ladder("2026-03-21", mode="auto")
        notice = run.communication_ids
        self.assertEqual(notice.level_id, self.level_4)
        return notice

    def stats(self):
        with urllib.request.urlopen(f"{self.standin.url}/_standin/stats", timeout=10) as reply:
            return json.load(reply)

    def callback_url(self, secret=None):
        return f"/recouvrement/registered/maileva/{secret or self.account.webhook_secret}"

    def post_callback(self, payload, secret=None):
        return self.url_open(
            self.callback_url(secret),
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )

    def partner_notes(self, notice):
        """The tracking events logged on the customer, oldest first."""
        return self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", notice.partner_id.id),
             ("body", "ilike", f"Registered letter {notice.name}:")],
            order="id",
        )  # fmt: skip

    def assert_delivered(self, notice):
        self.assertEqual(notice.state, "delivered")
        self.assertEqual(notice.registered_state, "delivered")
        # The stand-in dates the acknowledgment two days after the submission.
        self.assertEqual(notice.posted_date, date(2026, 3, 21))
        self.assertEqual(notice.first_presented_date, date(2026, 3, 22))
        self.assertEqual(notice.delivered_date, date(2026, 3, 23))
        moves = notice.line_ids.move_id
        self.assertEqual(set(moves.mapped("recouvrement_notice_date")), {date(2026, 3, 23)})
        proofs = notice.registered_proof_ids
        self.assertEqual(len(proofs), 2)  # the deposit proof and the acknowledgment
        for proof in proofs:
            self.assertEqual((proof.res_model, proof.res_id), (notice._name, notice.id))
            self.assertTrue(proof.raw.startswith(b"%PDF-"))
            self.assertEqual(proof.description, f"SHA-256: {_sha256(proof.raw)}")
        self.assertEqual(notice.registered_proof_kinds, "acknowledgment,deposit")

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------
    def test_background_job_sends_then_poll_delivers(self):
        notice = self.send_formal_notice()
        self.assertEqual(notice.state, "sent")
        self.assertEqual(notice.registered_provider_id, self.account)
        self.assertEqual(notice.registered_channel, "lrar")
        self.assertEqual(notice.registered_state, "submitted")
        self.assertTrue(notice.registered_sending_id)
        stats = self.stats()
        self.assertEqual(stats["submitted"], 1)
        self.assertEqual(stats["submitted_per_reference"], {notice.name: 1})
        self.assertFalse(notice.registered_proof_ids)

        self.standin.advance(notice.registered_sending_id, 3)
        self.env["recouvrement.communication"]._cron_poll_registered_letters()
        number = notice.registered_number
        self.assertTrue(number)
        self.assert_delivered(notice)
        # Each tracking event of the provider, once, dated in the language (the order of
        # events of one instant is the provider's).
        self.assertCountEqual(
            [str(body) for body in self.partner_notes(notice).mapped("body")],
            [
                f"<p>Registered letter {notice.name}: {text}.</p>"
                for text in (
                    "Submitted on 03/21/2026 (Soumis)",
                    "Deposited on 03/21/2026 (Pris en charge)",
                    "Deposited on 03/21/2026 (Preuve de dépôt)",
                    "First presentation on 03/22/2026 (Avisé)",
                    "Delivered on 03/23/2026 (Distribué)",
                    "Delivered on 03/23/2026 (AR Signé : RAR distribué)",
                )
            ],
        )

        # What the provider's proofs say cannot be rewritten by hand.
        collector = new_test_user(
            self.env, "registered_clerk",
            groups="l10n_fr_recouvrement.group_recouvrement_user",
            company_id=self.company.id, company_ids=[Command.set(self.company.ids)],
        )  # fmt: skip
        with self.assertRaises(UserError):
            notice.with_user(collector).write({"registered_number": "1A 999"})
        with self.assertRaisesRegex(UserError, "come from the provider's proofs"):
            notice.with_user(collector).action_mark_delivered("2026-03-25")
        self.assertEqual(notice.registered_number, number)
        self.assert_delivered(notice)

        # Read again: nothing new is stored or logged.
        notice._refresh_registered_letters()
        self.assertEqual(len(notice.registered_proof_ids), 2)
        self.assertEqual(len(self.partner_notes(notice)), 6)

        # The dossier built afterwards takes both proofs as exhibits.
        with self.freeze("2026-04-10"):
            dossier = self.open_dossier(self.b2b)
        exhibits = dossier.exhibit_ids.filtered(lambda e: e.kind == "registered_proof")
        # The dossier keeps its own copy of each proof: same file, same content.
        proofs = notice.registered_proof_ids
        self.assertEqual(len(exhibits), 2)
        self.assertEqual(
            sorted(exhibits.mapped("attachment_id.name")), sorted(proofs.mapped("name"))
        )
        self.assertEqual(
            set(exhibits.mapped("attachment_id.checksum")), set(proofs.mapped("checksum"))
        )
        self.assertEqual(exhibits.communication_id, notice)

    def test_the_poll_ends_when_every_letter_in_flight_was_read(self):
        """A letter still travelling stays in flight after it is read: the poll must not
        take it again in the same round, or the scheduler would loop on it."""
        notice = self.send_formal_notice()
        self.assertEqual(notice.registered_state, "submitted")
        Communication = self.env["recouvrement.communication"]
        self.assertEqual(Communication._cron_poll_registered_letters(), 0)
        self.assertTrue(notice.registered_read_at)
        self.assertEqual(notice.registered_state, "submitted")  # read, still travelling
        reads = self.stats()["calls"]["read"]
        self.assertEqual(Communication._cron_poll_registered_letters(), 0)
        self.assertEqual(self.stats()["calls"]["read"], reads)  # not read again
        # Read more than an hour ago: due again.
        notice._server_write({"registered_read_at": "2026-03-20 00:00:00"})
        self.assertEqual(Communication._cron_poll_registered_letters(), 0)
        self.assertGreater(self.stats()["calls"]["read"], reads)

    def test_callback_rereads_the_sending(self):
        notice = self.send_formal_notice()
        sending_id = notice.registered_sending_id
        forged = {
            "event_type": "ON_ACKNOWLEDGEMENT_OF_RECEIPT_RECEIVED",
            "resource_type": "registered_mail/v2/sendings",
            "resource_id": sending_id,
        }
        # A wrong secret is refused before anything is read.
        reply = self.post_callback(forged, secret="not-the-secret")
        self.assertEqual(reply.status_code, 403)
        # The right secret with a payload claiming a receipt the provider never saw:
        # the sending is re-read, and it is only submitted.
        reply = self.post_callback(forged)
        self.assertEqual(reply.status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(notice.state, "sent")
        self.assertEqual(notice.registered_state, "submitted")
        self.assertFalse(notice.delivered_date)

        self.standin.advance(sending_id, 3)
        events = self.standin.pending_events()
        self.assertTrue(events)
        for event in events:
            self.assertEqual(self.post_callback(event).status_code, 200)
        self.env.invalidate_all()
        self.assert_delivered(notice)
        notes = len(self.partner_notes(notice))
        self.assertEqual(notes, 6)
        # Replayed: the same calls change nothing.
        for event in events:
            self.assertEqual(self.post_callback(event).status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(len(notice.registered_proof_ids), 2)
        self.assertEqual(len(self.partner_notes(notice)), notes)
        self.assertEqual(self.stats()["submitted"], 1)

    def test_job_run_twice_sends_once(self):
        notice = self.send_formal_notice()
        sending_id = notice.registered_sending_id
        # The provider has the letter, but the batch that sent it rolled back: the
        # communication is queued again, without its sending id.
        self.env.cr.execute(
            "UPDATE recouvrement_communication SET state = 'draft', send_pending = true, "
            "registered_sending_id = NULL, registered_state = NULL WHERE id = %s",
            [notice.id],
        )
        self.env.invalidate_all()
        with self.freeze("2026-03-21"):
            self.process_queue()
        self.assertEqual(notice.state, "sent")
        self.assertEqual(notice.registered_sending_id, sending_id)
        stats = self.stats()
        self.assertEqual(stats["sendings"], 1)
        self.assertEqual(stats["submitted_per_reference"], {notice.name: 1})

    def test_provider_down_fails_then_retry_submits_once(self):
        # Every try of the submission gets a 503: the retries are spent.
        self.standin.faults = FaultPlan([FaultRule("submit", "503", times=5)])
        notice = self.send_formal_notice()
        self.assertEqual(notice.state, "failed")
        self.assertTrue(notice.failure_reason.startswith("Maileva injoignable à l'étape"))
        stats = self.stats()
        self.assertEqual((stats["sendings"], stats["submitted"]), (1, 0))  # a draft, kept
        self.assertEqual(notice.registered_provider_id, self.account)  # retried there
        # The provider is back: Retry, then Send, submits that same draft once.
        notice.action_retry()
        with self.freeze("2026-03-21"):
            notice.action_send()
            self.process_queue()
        self.assertEqual(notice.state, "sent")
        self.assertEqual(notice.registered_state, "submitted")
        stats = self.stats()
        self.assertEqual((stats["sendings"], stats["submitted"]), (1, 1))

    def test_address_that_does_not_fit_fails_alone(self):
        # The earlier letters went out (a reminder that failed would hold the ladder).
        notice = self.send_formal_notice(
            before_notice=lambda: self.b2b.write(
                {"street": "Résidence des Grands Chênes, bâtiment B, escalier 4"}
            )
        )
        self.assertEqual(notice.state, "failed")
        # Refused before the letter is even rendered: its address block must fit too.
        self.assertIn("Ligne 4 de l'adresse", notice.failure_reason)
        self.assertIn("38 au plus", notice.failure_reason)
        self.assertFalse(notice.mail_id)  # nor its e-mail: nothing half-sent
        self.assertEqual(self.stats()["sendings"], 0)

    def test_without_provider_the_letter_is_posted_by_hand(self):
        self.account.active = False
        notice = self.send_formal_notice()
        self.assertEqual(notice.state, "to_send")
        self.assertFalse(notice.registered_sending_id)
        self.assertEqual(self.stats()["sendings"], 0)

    def test_consumer_without_lre_consent_goes_on_paper(self):
        ar24 = self.env["recouvrement.registered.provider"].create(
            {"company_id": self.company.id, "provider": "ar24", "api_url": "http://127.0.0.1:9"}
        )
        Communication = self.env["recouvrement.communication"]

        def account_for(partner, regime):
            return Communication.new(
                {"company_id": self.company.id, "partner_id": partner.id, "regime": regime}
            )._get_registered_account()

        self.assertEqual(account_for(self.b2b, "b2b"), ar24)  # a professional: LRE
        self.assertEqual(account_for(self.b2c, "b2c"), self.account)  # no consent: LRAR
        self.b2c.write(
            {"recouvrement_lre_consent": True, "recouvrement_lre_consent_date": "2026-01-05"}
        )
        self.assertEqual(account_for(self.b2c, "b2c"), ar24)
        self.account.active = False
        self.b2c.recouvrement_lre_consent = False
        self.assertFalse(account_for(self.b2c, "b2c"))  # no paper account: by hand

    def test_the_letter_names_the_channel_it_goes_through(self):
        """The company usually sends LRE, but only its paper (Maileva) account is set up:
        the mise en demeure says registered letter with acknowledgment, as it is sent."""
        self.company.recouvrement_registered_channel = "lre"
        notice = self.send_formal_notice()
        self.assertEqual(notice.registered_channel, "lrar")
        text = self.pdf_text(notice.pdf_attachment_id.raw)
        self.assertIn("Lettre recommandée avec avis de réception", text)
        self.assertNotIn("Lettre recommandée électronique", text)
        # Posted by hand to a consumer without consent: on paper too (CPCE L100).
        self.account.active = False
        communication = self.env["recouvrement.communication"].new(
            {"company_id": self.company.id, "partner_id": self.b2c.id, "regime": "b2c"}
        )
        self.assertEqual(communication._get_registered_letter_channel(), "lrar")
        self.b2c.write(
            {"recouvrement_lre_consent": True, "recouvrement_lre_consent_date": "2026-01-05"}
        )
        self.assertEqual(communication._get_registered_letter_channel(), "lre")

    def test_collection_user_cannot_read_credentials(self):
        collector = new_test_user(
            self.env, "registered_collector",
            groups="l10n_fr_recouvrement.group_recouvrement_user",
            company_id=self.company.id, company_ids=[Command.set(self.company.ids)],
        )  # fmt: skip
        Provider = self.env["recouvrement.registered.provider"].with_user(collector)
        with self.assertRaises(AccessError):
            Provider.search([])
        with self.assertRaises(AccessError):
            self.account.with_user(collector).read(["password", "client_secret"])
        manager = self.env["recouvrement.registered.provider"]
        self.assertEqual(manager.search([]).password, "standin")


def _sha256(content):
    return hashlib.sha256(content).hexdigest()
