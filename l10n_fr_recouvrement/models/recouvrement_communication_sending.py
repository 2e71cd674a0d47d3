"""Sending a communication on its channels, and the background job that produces and
sends in committed batches."""

import logging
from collections import defaultdict

from markupsafe import Markup
from psycopg2 import OperationalError

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY

from .server_fields import attachments_of

_logger = logging.getLogger(__name__)


class RecouvrementCommunication(models.Model):
    _inherit = "recouvrement.communication"

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------
    def action_send(self):
        """Validate drafts: queue them for the background job, which regenerates stale
        letters and sends on every channel, batch by batch."""
        today = fields.Date.context_today(self)
        pending = self.filtered(lambda comm: comm.state in ("draft", "failed"))
        if not pending:
            return True
        stale = pending.filtered(
            lambda comm: (
                comm.documents_stale
                or comm.state == "failed"
                or comm.date != today
                or (comm.letter_kind and not comm.pdf_attachment_id)
            )
        )
        if stale:
            stale._server_write(
                {
                    "date": today,
                    "state": "draft",
                    "failure_reason": False,
                    "documents_pending": True,
                }
            )
        pending._server_write({"send_pending": True, "send_user_id": self.env.user.id})
        self._trigger_queue()
        return True

    @api.model
    def _trigger_queue(self):
        """Wake the background job up: with OCA queue_job installed, queue the jobs of the
        batches now (see recouvrement_communication_queue_job); else the scheduled action."""
        if self._queue_job_enabled():
            self._queue_jobs()
        else:
            self._get_queue_cron()._trigger()

    @api.model
    def _get_queue_cron(self):
        """The background job; archived, nothing queued would ever go out: refuse."""
        cron = self.env.ref("l10n_fr_recouvrement.ir_cron_recouvrement_queue").sudo()
        if not cron.active:
            raise UserError(
                self.env._(
                    "The scheduled action “%s” is archived: activate it, or letters and "
                    "e-mails will wait forever.",
                    cron.name,
                )
            )
        return cron

    # ------------------------------------------------------------------
    # Background job: letters and sending, in committed batches
    # ------------------------------------------------------------------
    @api.model
    def _get_queue_domain(self):
        return ["|", ("documents_pending", "=", True), ("send_pending", "=", True)]

    @api.model
    def _cron_process_queue(self, batch_size=None):
        """Process one batch of the queue; the scheduler commits and calls again.

        Each batch renders, converts and stores its letters, then sends what was queued
        for sending, and clears its flags, in one transaction: after a crash the
        scheduler starts again with the first batch not committed, so every letter is
        produced and sent once.

        With queue_job installed, the jobs do that work: the scheduled action only queues
        what waits outside any job still to run (a safety net, like its hourly call).
        """
        if self._queue_job_enabled():
            self._queue_jobs(batch_size)
            return 0
        batch = self._get_queue_batch(batch_size)
        batch._run_queue_batch()
        remaining = self.search_count(self._get_queue_domain())
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining)
        return remaining

    def _run_queue_batch(self):
        """Process these communications in one savepoint; when that fails, one by one.

        One communication must not hold the queue up: the ones that still fail alone
        leave the queue, marked failed. A concurrent update (another transaction wrote
        one of these rows) is raised instead: it fails no letter, the whole batch is
        retried by the scheduler's next call or queue_job's retry, in a new transaction.
        Shared by the scheduled action and the queue_job jobs.
        """
        try:
            with self.env.cr.savepoint():
                self._process_queue_batch()
        except Exception as batch_error:
            if is_concurrency_error(batch_error):
                raise
            _logger.exception("Collection queue: batch %s failed, retrying one by one", self.ids)
            for communication in self:
                try:
                    with self.env.cr.savepoint():
                        communication._process_queue_batch()
                except Exception as error:
                    if is_concurrency_error(error):
                        raise
                    _logger.exception("Collection queue: %s failed", communication.name)
                    communication._take_out_of_queue(error)

    @api.model
    def _get_queue_batch(self, batch_size=None):
        """The letters still to render first (they are sent with their batch when queued
        for sending), then the ones only waiting to be sent, in larger batches."""
        to_render = self.search(
            [("documents_pending", "=", True)],
            order="id",
            limit=batch_size or self.QUEUE_BATCH_SIZE,
        )
        return to_render or self.search(
            [("send_pending", "=", True)], order="id", limit=batch_size or self.SEND_BATCH_SIZE
        )

    def _process_queue_batch(self):
        """Letters, then sending, for communications still waiting; others leave the queue.

        Sending runs as the user who asked for it, in their language.
        """
        self = self._as_server()
        waiting = self.filtered(lambda comm: comm.state in ("draft", "failed"))
        waiting.filtered("documents_pending")._generate_documents()
        to_send = waiting.filtered(lambda comm: comm.send_pending and comm.state == "draft")
        by_sender = to_send.filtered("send_user_id").grouped(
            lambda comm: (comm.send_user_id, comm.company_id)
        )
        for (user, company), group in by_sender.items():
            # In the company of the communications: a user who lost access to it fails.
            group.with_user(user).with_company(company).with_context(
                lang=user.lang, tz=user.tz
            )._send()
        (to_send - to_send.filtered("send_user_id"))._send()
        self._server_write({"documents_pending": False, "send_pending": False})

    def _take_out_of_queue(self, error):
        values = {"documents_pending": False, "send_pending": False}
        if self.state in ("draft", "failed"):
            values.update(state="failed", failure_reason=str(error) or type(error).__name__)
        self._server_write(values)

    def _send(self):
        """Send drafts on their channels: e-mail, letters to post, phone tasks; each
        channel records its own state, and the communication's follows.

        A communication whose letter is missing (or is not its own file) is not sent: it
        fails, to be retried.
        """
        without_letter = self.filtered(
            lambda comm: comm.letter_kind and not comm._get_own_letter_pdf()
        )
        without_letter.filtered(lambda comm: comm.state != "failed")._mark_failed(
            self.env._("The letter was not produced.")
        )
        self -= without_letter
        if not self:
            return
        # The registered letter first: one the provider cannot take fails the
        # communication before its e-mail or phone task goes out.
        self.filtered("has_registered_letter")._send_registered_letters()
        self = self.filtered(lambda comm: comm.state == "draft")
        if not self:
            return
        email = self.filtered(lambda comm: "email" in comm._get_channel_codes())
        email._send_emails()
        phone = self.filtered(lambda comm: "phone" in comm._get_channel_codes())
        phone._create_phone_activities()
        self._set_letters_to_post()
        self._update_state_from_channels()
        self.filtered(lambda comm: comm.state != "failed")._log_on_partners()

    def _get_mail_template(self):
        self.ensure_one()
        return self.level_id.mail_template_id or self.env.ref(
            "l10n_fr_recouvrement.mail_template_communication"
        )

    def _get_invoice_pdf_attachments(self):
        """``{move_id: ir.attachment}``: the invoices' own PDFs, read in one query.

        Odoo stores an invoice's legal PDF once it was sent or printed; those are used as
        they are. With the policy set to render, missing ones are rendered by Odoo's
        invoice report when its PDF engine (wkhtmltopdf) works; otherwise the letter,
        which lists every invoice, goes alone.
        """
        moves = self.line_ids.move_id
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "account.move"),
                    ("res_field", "=", "invoice_pdf_report_file"),
                    ("res_id", "in", moves.ids),
                ]
            )
        )
        result = {attachment.res_id: attachment for attachment in attachments}
        missing = moves.filtered(lambda move: move.id not in result)
        render = self.policy_id.filtered(lambda policy: policy.invoice_pdf == "render")
        if missing and render and self._can_render_invoice_pdf():
            report = self.env.ref("account.account_invoices")
            for move in missing:
                content, _type = self.env["ir.actions.report"]._render_qweb_pdf(report, move.ids)
                result[move.id] = (
                    self.env["ir.attachment"]
                    .sudo()
                    .create(
                        {
                            "name": f"{tools.osutil.clean_filename(move.name)}.pdf",
                            "raw": content,
                            "mimetype": "application/pdf",
                            "res_model": "account.move",
                            "res_id": move.id,
                        }
                    )
                )
        return result

    @api.model
    def _can_render_invoice_pdf(self):
        if tools.config["test_enable"] or tools.config["test_file"]:
            return False  # Odoo renders HTML instead of PDF in tests
        return self.env["ir.actions.report"].get_wkhtmltopdf_state() == "ok"

    def _prepare_mail_values(self, rendered, invoice_pdfs):
        self.ensure_one()
        attachments = self.pdf_attachment_id
        if self.policy_id.invoice_pdf != "none":
            for move in self.line_ids.move_id:
                attachments |= invoice_pdfs.get(move.id, self.env["ir.attachment"])
        # Mailed as superuser: only files of this communication's company go out.
        attachments = attachments_of(attachments, self.company_id)
        return {
            "subject": rendered.get("subject"),
            "body_html": rendered.get("body_html"),
            "email_from": rendered.get("email_from") or self.company_id.email_formatted,
            "reply_to": rendered.get("reply_to"),
            "email_cc": rendered.get("email_cc"),
            "email_to": rendered.get("email_to"),
            "recipient_ids": [(4, pid) for pid in rendered.get("partner_ids") or []],
            "mail_server_id": rendered.get("mail_server_id"),
            "model": self._name,
            "res_id": self.id,
            "record_name": self.name,
            "auto_delete": False,
            "message_type": "email_outgoing",
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment"),
            "author_id": self.env.user.partner_id.id,
            "attachment_ids": [(4, attachment.id) for attachment in attachments],
        }

    def _send_emails(self):
        """Queue one e-mail per communication, with the letter and the invoices' PDFs."""
        no_email = self.filtered(lambda comm: not comm.partner_id.email)
        # The letter or the phone call still goes out: only the e-mail fails.
        no_email._server_write(
            {
                "email_state": "failed",
                "failure_reason": self.env._("The customer has no e-mail address."),
            }
        )
        communications = self - no_email
        if not communications:
            return
        invoice_pdfs = communications._get_invoice_pdf_attachments()
        vals_list = []
        by_template = defaultdict(lambda: self.browse())
        for communication in communications:
            by_template[communication._get_mail_template()] |= communication
        ordered = self.browse()
        for template, group in by_template.items():
            rendered = template._generate_template(
                group.ids,
                ("subject", "body_html", "email_from", "reply_to", "email_cc", "email_to",
                 "partner_to", "mail_server_id"),
            )  # fmt: skip
            for communication in group:
                vals_list.append(
                    communication._prepare_mail_values(rendered[communication.id], invoice_pdfs)
                )
                ordered |= communication
        mails = self.env["mail.mail"].sudo().create(vals_list)
        for communication, mail in zip(ordered, mails, strict=True):
            communication._server_write(
                {
                    "mail_id": mail.id,
                    "mail_message_id": mail.mail_message_id.id,
                    "email_state": "outgoing",
                }
            )

    def _get_collector(self):
        self.ensure_one()
        return (
            self.user_id
            or self.partner_id.recouvrement_collector_id
            or self.company_id.recouvrement_collector_id
            or self.env.user
        )

    def _prepare_phone_activity_values(self, activity_type, model_id):
        self.ensure_one()
        return {
            "res_model_id": model_id,
            "res_id": self.id,
            "activity_type_id": activity_type.id,
            "user_id": self._get_collector().id,
            "summary": self.env._(
                "Call %(partner)s (%(level)s)",
                partner=self.partner_id.name,
                level=self.level_id.name,
            ),
            "date_deadline": fields.Date.context_today(self),
        }

    def _create_phone_activities(self):
        activity_type = self.env.ref("mail.mail_activity_data_call")
        model_id = self.env["ir.model"]._get_id(self._name)
        activities = (
            self.env["mail.activity"]
            .with_context(mail_activity_quick_update=True)
            .create([comm._prepare_phone_activity_values(activity_type, model_id) for comm in self])
        )
        for communication, activity in zip(self, activities, strict=True):
            communication._server_write({"phone_activity_id": activity.id})

    def _get_log_body(self):
        """The note on the customer: the communication and links to its invoices."""
        self.ensure_one()
        channels = ", ".join(self.channel_ids.mapped("name"))
        invoices = Markup(", ").join(
            _record_link(move._name, move.id, move.name) for move in self.line_ids.move_id
        )
        return Markup("%s %s: %s (%s) — %s") % (
            self.env._("Collection"),
            _record_link(self._name, self.id, self.name),
            self.level_id.name,
            channels,
            invoices,
        )

    def _log_on_partners(self):
        """One note per communication, on its customer, linking its invoices.

        Notes are created in batches of at most one per customer (a customer rarely gets
        two communications at once), without notification or follower.
        """
        rounds = defaultdict(dict)
        for communication in self:
            partner_id = communication.partner_id.id
            position = sum(1 for bodies in rounds.values() if partner_id in bodies)
            rounds[position][partner_id] = communication._get_log_body()
        for bodies in rounds.values():
            self.env["res.partner"].browse(list(bodies))._message_log_batch(bodies)


def is_concurrency_error(error):
    """A serialization failure, deadlock or lock not available: retry, do not fail."""
    return isinstance(error, OperationalError) and error.pgcode in PG_CONCURRENCY_ERRORS_TO_RETRY


def _record_link(model, record_id, label):
    return Markup('<a href="#" data-oe-model="%s" data-oe-id="%s">%s</a>') % (
        model,
        record_id,
        label,
    )
