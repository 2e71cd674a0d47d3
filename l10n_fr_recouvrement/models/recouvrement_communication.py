import hashlib
import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL

from recouvrement.errors import RecouvrementError

from .bulk_insert import insert_relation, insert_rows
from .server_fields import attachments_of

_logger = logging.getLogger(__name__)

SEQUENCE_CODE = "recouvrement.communication"
QUEUE_INDEX = "recouvrement_communication_queue_idx"


class RecouvrementCommunication(models.Model):
    """What one debtor receives at one level: one letter listing all its invoices."""

    _name = "recouvrement.communication"
    _description = "Collection communication"
    _inherit = ["recouvrement.server.fields.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    # What the run, the background job and the actions set: the reminder history a court
    # dossier relies on. Users fill in the registered letter's number and its proofs.
    _server_fields = (
        "name", "company_id", "run_id", "partner_id", "policy_id", "level_id", "letter_kind",
        "is_formal_notice", "channel_ids", "state", "date", "regime", "user_id", "line_ids",
        "amount_principal", "amount_penalty", "amount_indemnity", "amount_total",
        "amount_daily", "docx_attachment_id", "pdf_attachment_id", "docx_sha256",
        "pdf_sha256", "documents_stale", "documents_pending", "send_pending", "send_user_id",
        "first_letter_id", "mail_id", "mail_message_id", "phone_activity_id", "posted_date",
        "delivered_date", "failure_reason",
    )  # fmt: skip
    _attachment_fields = ("registered_proof_ids",)

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
        index=True,
    )
    run_id = fields.Many2one(
        "recouvrement.run", readonly=True, index=True, ondelete="set null", check_company=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    policy_id = fields.Many2one(
        "recouvrement.policy", required=True, readonly=True, check_company=True
    )
    level_id = fields.Many2one(
        "recouvrement.policy.level",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    letter_kind = fields.Selection(
        selection=lambda self: self.env["recouvrement.policy.level"]._selection_letter_kind(),
        readonly=True,
    )
    is_formal_notice = fields.Boolean(string="Mise en demeure", readonly=True)
    channel_ids = fields.Many2many("recouvrement.channel", string="Channels", readonly=True)
    state = fields.Selection(
        selection="_selection_state",
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    date = fields.Date(
        string="Letter date", required=True, readonly=True, default=fields.Date.context_today
    )
    regime = fields.Selection(
        selection=lambda self: self.env["res.partner"]._selection_recouvrement_regime(),
        readonly=True,
    )
    user_id = fields.Many2one("res.users", string="Collector", readonly=True)
    line_ids = fields.One2many(
        "recouvrement.communication.line", "communication_id", string="Invoices", readonly=True
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    currency_id = fields.Many2one(related="company_id.currency_id", store=True, precompute=True)
    amount_principal = fields.Monetary(string="Principal", readonly=True)
    amount_penalty = fields.Monetary(string="Penalties", readonly=True)
    amount_indemnity = fields.Monetary(string="Recovery indemnity", readonly=True)
    amount_total = fields.Monetary(string="Total", readonly=True)
    amount_daily = fields.Monetary(string="Per day of delay", readonly=True)
    docx_attachment_id = fields.Many2one("ir.attachment", string="Letter (DOCX)", readonly=True)
    pdf_attachment_id = fields.Many2one("ir.attachment", string="Letter (PDF)", readonly=True)
    docx_sha256 = fields.Char(string="DOCX SHA-256", readonly=True, copy=False)
    pdf_sha256 = fields.Char(string="PDF SHA-256", readonly=True, copy=False)
    documents_stale = fields.Boolean(readonly=True, copy=False)
    documents_pending = fields.Boolean(
        readonly=True,
        copy=False,
        help="The letter is waiting for the background job that renders letters in batches.",
    )
    send_pending = fields.Boolean(
        readonly=True,
        copy=False,
        help="Queued for sending by the background job, once its letter is ready.",
    )
    send_user_id = fields.Many2one(
        "res.users",
        string="Sent by",
        readonly=True,
        copy=False,
        help="Who validated the sending; empty for a run in automatic mode.",
    )
    first_letter_id = fields.Many2one(
        "recouvrement.communication", readonly=True, check_company=True
    )
    mail_id = fields.Many2one("mail.mail", string="E-mail", readonly=True, ondelete="set null")
    mail_message_id = fields.Many2one(
        "mail.message", string="E-mail message", readonly=True, ondelete="set null"
    )
    phone_activity_id = fields.Many2one(
        "mail.activity", string="Phone task", readonly=True, ondelete="set null"
    )
    registered_number = fields.Char(
        string="Registered letter number",
        tracking=True,
        help="The tracking number of the registered letter, as printed on the receipt.",
    )
    posted_date = fields.Date(string="Posted on", tracking=True)
    delivered_date = fields.Date(
        string="Received on",
        tracking=True,
        help="The date on the acknowledgment of receipt. For a mise en demeure to a consumer, "
        "legal interest runs from then.",
    )
    registered_proof_ids = fields.Many2many(
        "ir.attachment",
        "recouvrement_communication_proof_rel",
        "communication_id",
        "attachment_id",
        string="Registered letter proofs",
        copy=False,
        help="The proof of posting and the acknowledgment of receipt (scans or the "
        "provider's PDFs): they join a judicial dossier as exhibits.",
    )
    failure_reason = fields.Text(readonly=True, copy=False)
    has_letter = fields.Boolean(compute="_compute_channels")
    has_registered_letter = fields.Boolean(compute="_compute_channels")
    is_handoff = fields.Boolean(related="level_id.is_handoff")
    dossier_ids = fields.One2many("recouvrement.dossier", "communication_id", string="Dossiers")

    _sql_constraints = [
        ("name_company_unique", "unique(name, company_id)", "The reference must be unique."),
    ]

    QUEUE_BATCH_SIZE = 50

    def init(self):
        # What the background job looks for: a handful of rows among many.
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS %s ON %s (id) WHERE documents_pending OR send_pending",
                SQL.identifier(QUEUE_INDEX),
                SQL.identifier(self._table),
            )
        )

    @api.model
    def _selection_state(self):
        return [
            ("draft", self.env._("Draft")),
            ("to_send", self.env._("To send")),
            ("sent", self.env._("Sent")),
            ("delivered", self.env._("Delivered")),
            ("failed", self.env._("Failed")),
            ("cancelled", self.env._("Cancelled")),
        ]

    @api.model
    def _get_locked_states(self):
        """States in which a communication has gone out: no deletion, no edition."""
        return ("sent", "delivered")

    @api.model
    def _get_writable_fields_when_locked(self):
        return {
            "state",
            "delivered_date",
            "failure_reason",
            "mail_id",
            "mail_message_id",
            "phone_activity_id",
            "message_main_attachment_id",
            "registered_proof_ids",
            "send_pending",
            "documents_pending",
        }

    @api.depends("line_ids")
    def _compute_invoice_count(self):
        for communication in self:
            communication.invoice_count = len(communication.line_ids)

    @api.depends("channel_ids")
    def _compute_channels(self):
        for communication in self:
            codes = set(communication.channel_ids.mapped("code"))
            communication.has_letter = bool(codes & {"letter", "registered_letter"})
            communication.has_registered_letter = "registered_letter" in codes

    def _get_channel_codes(self):
        self.ensure_one()
        return set(self.channel_ids.mapped("code"))

    def _get_own_letter_pdf(self):
        """The letter's PDF, only if it is this communication's own file."""
        self.ensure_one()
        pdf = self.sudo().pdf_attachment_id
        if pdf.res_model == self._name and pdf.res_id == self.id:
            return pdf
        return pdf.browse()

    # ------------------------------------------------------------------
    # Integrity
    # ------------------------------------------------------------------
    def write(self, vals):
        locked = self.filtered(lambda comm: comm.state in self._get_locked_states())
        if locked:
            allowed = self._get_writable_fields_when_locked()
            forbidden = [
                name
                for name in vals
                if name not in allowed
                and not name.startswith(("message_", "activity_", "website_message"))
            ]
            if forbidden:
                raise UserError(
                    self.env._(
                        "Communication %(name)s was sent: it cannot be changed (%(fields)s).",
                        name=locked[0].name,
                        fields=", ".join(forbidden),
                    )
                )
            if vals.get("state") and vals["state"] not in (*self._get_locked_states(), "failed"):
                raise UserError(
                    self.env._("Communication %s was sent: it cannot go back.", locked[0].name)
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        for communication in self:
            if communication.state not in ("draft", "cancelled"):
                raise UserError(
                    self.env._(
                        "Only draft communications can be deleted; cancel %s instead.",
                        communication.name,
                    )
                )

    def unlink(self):
        self.filtered(lambda comm: comm.state == "draft")._restore_invoice_levels()
        return super().unlink()

    # ------------------------------------------------------------------
    # Creation helpers used by runs
    # ------------------------------------------------------------------
    @api.model
    def _create_for_run(self, vals_list, channels):
        """The run's communications, in two queries: ``vals_list`` gives every stored
        value (see ``recouvrement.run._prepare_communication_values``), ``channels`` the
        channels of each. No creation message, no follower: the run logs nothing here."""
        communications = insert_rows(self, vals_list)
        insert_relation(
            communications,
            "channel_ids",
            [
                (communication.id, channel.id)
                for communication, level_channels in zip(communications, channels, strict=True)
                for channel in level_channels
            ],
        )
        return communications

    @api.model
    def _reserve_names(self, count):
        """``count`` references from the communication sequence, in one query."""
        if not count:
            return []
        sequence = self.env.ref("l10n_fr_recouvrement.seq_recouvrement_communication").sudo()
        if sequence.implementation != "standard":
            return [sequence.next_by_id() for _index in range(count)]
        numbers = self.env.execute_query(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        # What ``get_next_char`` does for each number, with the prefix interpolated once.
        prefix, suffix = sequence._get_prefix_suffix()
        return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for (number,) in numbers]

    # ------------------------------------------------------------------
    # Documents
    # ------------------------------------------------------------------
    def _get_letter_template(self):
        """The DOCX template: the level's report, else the engine's default for the kind."""
        self.ensure_one()
        report = self.level_id.report_id
        if report:
            return report._get_docx_template(self.letter_kind)
        return self.letter_kind

    def _get_first_letters(self):
        """``{communication_id: {"reference", "date"}}``: the first letter about its invoices."""
        lines = self.env["recouvrement.communication.line"].search(
            [
                ("move_id", "in", self.line_ids.move_id.ids),
                ("communication_id", "not in", self.ids),
                ("state", "in", ("to_send", "sent", "delivered")),
                ("letter_kind", "!=", False),
            ],
            order="date, id",
        )
        first_by_move = {}
        for line in lines:
            first_by_move.setdefault(line.move_id.id, line.communication_id)
        result = {}
        for communication in self:
            firsts = [
                first_by_move[m.id] for m in communication.line_ids.move_id if m.id in first_by_move
            ]
            if firsts:
                first = min(firsts, key=lambda comm: (comm.date, comm.id))
                result[communication.id] = {"reference": first.name, "date": first.date}
        return result

    def _generate_documents(self):
        """Compute the amounts with the engine and render every letter, in one batch.

        Letters are rendered one by one while the engine's converters turn the previous
        ones into PDF on the other cores. A letter the engine refuses (a mandatory
        mention missing, a rate not published) marks its communication as failed with
        the engine's message.
        """
        engine = self.env["recouvrement.engine"]
        settlements = engine._get_settlements(self.line_ids.move_id)
        with_letter = self.filtered("letter_kind")
        first_letters = with_letter._get_first_letters() if with_letter else {}
        without_letter = self - with_letter
        decomptes = {}
        for day in set(without_letter.mapped("date")):
            moves = without_letter.filtered(lambda comm, day=day: comm.date == day).line_ids.move_id
            decomptes[day] = engine._compute_decomptes(moves, day, settlements=settlements)
        for communication in without_letter:
            communication._store_amounts(
                communication._sum_decomptes(decomptes[communication.date])
            )
        rendered = []

        def letters():
            for communication in with_letter:
                try:
                    docx, decompte = communication._render_letter(
                        engine, settlements, first_letters
                    )
                except RecouvrementError as error:
                    communication._mark_failed(str(error))
                    continue
                except Exception as error:  # a broken custom template, say
                    _logger.exception("Letter of %s not rendered", communication.name)
                    communication._mark_failed(self.env._("Letter: %s", error))
                    continue
                communication._store_amounts(decompte)
                rendered.append((communication, docx))
                yield docx

        try:
            pdfs = engine._convert_to_pdf(letters(), return_exceptions=True)
        except Exception as error:  # LibreOffice missing or unable to start
            _logger.exception("PDF conversion failed")
            with_letter.filtered(lambda comm: comm.state != "failed")._mark_failed(
                self.env._("PDF conversion: %s", error)
            )
            return
        documents = []
        for (communication, docx), pdf in zip(rendered, pdfs, strict=True):
            if isinstance(pdf, Exception):
                communication._mark_failed(self.env._("PDF conversion: %s", pdf))
            else:
                documents.append((communication, docx, pdf))
        self._store_documents(documents)

    def _mark_failed(self, reason):
        self._server_write({"state": "failed", "failure_reason": reason})

    def _render_letter(self, engine, settlements, first_letters):
        """``(docx, decompte)``: the letter of this communication and its figures."""
        self.ensure_one()
        context, decompte = engine._build_letter_context(
            self.letter_kind,
            self.partner_id,
            self.line_ids.move_id,
            self.date,
            self.name,
            first_letter=first_letters.get(self.id),
            settlements=settlements,
        )
        return engine._render_letter(self._get_letter_template(), context), decompte

    def _sum_decomptes(self, results):
        """The engine's figures of this communication's invoices, as one décompte."""
        self.ensure_one()
        lines = [results[move.id] for move in self.line_ids.move_id if move.id in results]
        return self.env["recouvrement.engine"]._combine_decomptes(lines, self.date, self.regime)

    @api.model
    def _get_amount_values(self, decompte):
        return {
            "amount_principal": float(decompte.principal),
            "amount_penalty": float(decompte.interest),
            "amount_indemnity": float(decompte.indemnity),
            "amount_total": float(decompte.total),
            "amount_daily": float(decompte.daily_amount),
        }

    @api.model
    def _get_line_amount_values(self, figures):
        return {
            "amount_residual": float(figures.balance),
            "penalty_amount": float(figures.interest),
            "indemnity_amount": float(figures.indemnity),
            "days_late": figures.days_late,
        }

    def _store_amounts(self, decompte):
        """Write the engine's figures where they changed (they rarely do after a run)."""
        self.ensure_one()
        by_number = {line.number: line for line in decompte.invoices}
        for line in self.line_ids:
            figures = by_number.get(line.move_id.name)
            if not figures:
                continue
            values = self._get_line_amount_values(figures)
            changed = {name: value for name, value in values.items() if line[name] != value}
            if changed:
                line._server_write(changed)
        values = {
            **self._get_amount_values(decompte),
            "documents_stale": False,
            "failure_reason": False,
        }
        changed = {name: value for name, value in values.items() if self[name] != value}
        if changed:
            self._server_write(changed)

    def _get_document_filename(self, extension):
        self.ensure_one()
        name = f"{self.name} {self.partner_id.name or ''}".strip()
        return f"{tools.osutil.clean_filename(name)}.{extension}"

    def _store_documents(self, documents):
        """Attach the DOCX and PDF of each letter, with their SHA-256, in one batch."""
        old = (self.docx_attachment_id | self.pdf_attachment_id).sudo()
        vals_list = []
        for communication, docx, pdf in documents:
            for payload, extension, mimetype in (
                (
                    docx,
                    "docx",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ),
                (pdf, "pdf", "application/pdf"),
            ):
                vals_list.append(
                    {
                        "name": communication._get_document_filename(extension),
                        "raw": payload,
                        "mimetype": mimetype,
                        "res_model": self._name,
                        "res_id": communication.id,
                        "company_id": communication.company_id.id,
                    }
                )
        attachments = self.env["ir.attachment"].sudo().create(vals_list)
        for index, (communication, docx, pdf) in enumerate(documents):
            communication._server_write(
                {
                    "docx_attachment_id": attachments[2 * index].id,
                    "pdf_attachment_id": attachments[2 * index + 1].id,
                    "docx_sha256": hashlib.sha256(docx).hexdigest(),
                    "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
                }
            )
        old.unlink()

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
        """Wake the background job up."""
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
        """
        batch = self.search(
            self._get_queue_domain(), order="id", limit=batch_size or self.QUEUE_BATCH_SIZE
        )
        try:
            with self.env.cr.savepoint():
                batch._process_queue_batch()
        except Exception:
            # One communication must not hold the queue up: redo the batch one by one,
            # and take the ones that still fail out of the queue, marked failed.
            _logger.exception("Collection queue: batch %s failed, retrying one by one", batch.ids)
            for communication in batch:
                try:
                    with self.env.cr.savepoint():
                        communication._process_queue_batch()
                except Exception as error:
                    _logger.exception("Collection queue: %s failed", communication.name)
                    communication._take_out_of_queue(error)
        remaining = self.search_count(self._get_queue_domain())
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining)
        return remaining

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
        """Send drafts on their channels: e-mail, letters to post, phone tasks.

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
        email = self.filtered(lambda comm: "email" in comm._get_channel_codes())
        email._send_emails()
        phone = self.filtered(lambda comm: "phone" in comm._get_channel_codes())
        phone._create_phone_activities()
        done = self.filtered(lambda comm: comm.state == "draft")
        to_post = done.filtered("has_letter")
        to_post._server_write({"state": "to_send"})
        (done - to_post)._server_write({"state": "sent"})
        done._log_on_partners()

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
        for communication in no_email:
            if communication._get_channel_codes() - {"email"}:
                continue  # the letter or the phone call still goes out
            communication._server_write(
                {
                    "state": "failed",
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
                {"mail_id": mail.id, "mail_message_id": mail.mail_message_id.id}
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

    # ------------------------------------------------------------------
    # Letters: posting and receipt
    # ------------------------------------------------------------------
    def action_mark_posted(self, day=None):
        """To send → sent, posted on ``day`` (default: today)."""
        for communication in self:
            if communication.state != "to_send":
                raise UserError(self.env._("Only communications to send can be marked as posted."))
            if communication.has_registered_letter and not communication.registered_number:
                raise UserError(
                    self.env._(
                        "Enter the registered letter number of %s first.", communication.name
                    )
                )
        for communication in self:
            posted = communication._check_letter_day(day, communication.date)
            communication._server_write({"state": "sent", "posted_date": posted})
        return True

    def action_mark_delivered(self, day=None):
        """Sent → delivered on ``day``, the date of the acknowledgment of receipt."""
        for communication in self:
            if communication.state not in ("sent", "to_send"):
                raise UserError(self.env._("Only sent communications can be delivered."))
        for communication in self:
            if communication.state == "to_send":
                communication.action_mark_posted(day)
            received = communication._check_letter_day(
                day or communication.delivered_date,
                communication.posted_date or communication.date,
            )
            communication._server_write({"state": "delivered", "delivered_date": received})
            if communication.is_formal_notice:
                moves = communication.line_ids.move_id.filtered(
                    lambda move: not move.recouvrement_notice_date
                )
                moves._recouvrement_write_ladder({"recouvrement_notice_date": received})
        return True

    def _check_letter_day(self, day, earliest):
        """``day`` (today when empty) as a date between ``earliest`` and today."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        day = fields.Date.to_date(day) if day else today
        if not earliest <= day <= today:
            raise UserError(
                self.env._(
                    "The date %(day)s of %(name)s must be between %(earliest)s and today.",
                    day=fields.Date.to_string(day),
                    name=self.name,
                    earliest=fields.Date.to_string(earliest),
                )
            )
        return day

    def action_print_letters(self):
        """One PDF with every selected letter, one bookmark each, ready to post."""
        letters = self.filtered("pdf_attachment_id")
        if not letters:
            raise UserError(self.env._("No letter to print."))
        if len(letters.company_id) > 1:
            # The merged file is stored on one letter: it would show the others' letters
            # to the users of that letter's company.
            raise UserError(self.env._("Print the letters of one company at a time."))
        pdf = self.env["recouvrement.engine"]._merge_pdfs(
            [
                (f"{comm.name} {comm.partner_id.name}", comm.pdf_attachment_id.raw)
                for comm in letters
            ]
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._("Letters to post.pdf"),
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": letters[0].id,
                "company_id": letters.company_id.id,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    # ------------------------------------------------------------------
    # Cancellation and refresh
    # ------------------------------------------------------------------
    def action_cancel(self):
        for communication in self:
            if communication.state in self._get_locked_states():
                raise UserError(self.env._("Communication %s was sent.", communication.name))
        pending = self.filtered(lambda comm: comm.state != "cancelled")
        pending._restore_invoice_levels()
        pending._server_write(
            {"state": "cancelled", "documents_pending": False, "send_pending": False}
        )
        return True

    def action_retry(self):
        failed = self.filtered(lambda comm: comm.state == "failed")
        failed._server_write({"state": "draft", "failure_reason": False, "documents_stale": True})
        return True

    def _restore_invoice_levels(self):
        """Put the invoices back where they were before this communication."""
        groups = defaultdict(lambda: self.env["account.move"])
        for line in self.line_ids:
            move = line.move_id
            if move.recouvrement_level_id == line.communication_id.level_id:
                groups[(line.previous_level_id.id, line.previous_last_date)] |= move
        for (level_id, last_date), moves in groups.items():
            moves._recouvrement_write_ladder(
                {"recouvrement_level_id": level_id or False, "recouvrement_last_date": last_date}
            )

    def _recouvrement_refresh_pending(self):
        """After a payment or a credit note: drop paid invoices, regenerate on sending."""
        drafts = self.filtered(lambda comm: comm.state in ("draft", "failed"))
        paid_lines = drafts.line_ids.filtered(lambda line: not line.move_id._recouvrement_is_open())
        if paid_lines:
            paid_lines.sudo().unlink()
        empty = drafts.filtered(lambda comm: not comm.line_ids)
        empty._server_write(
            {"state": "cancelled", "documents_pending": False, "send_pending": False}
        )
        stale = drafts - empty
        stale._server_write({"documents_stale": True})
        # Queued letters are produced again before they go out.
        stale.filtered(lambda comm: comm.letter_kind and comm.send_pending)._server_write(
            {"documents_pending": True}
        )

    def action_open_dossier(self):
        """A court dossier for the debtor of this handoff communication."""
        self.ensure_one()
        dossier = self.dossier_ids[:1] or self.env["recouvrement.dossier"]._create_from_partner(
            self.partner_id, communication=self
        )
        return dossier._get_form_action()

    def action_open_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.line_ids.move_id.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Printing (DOCX reports)
    # ------------------------------------------------------------------
    def _recouvrement_get_docx_letters(self, report):
        """The stored letters when the report just prints them, else a fresh rendering."""
        documents = []
        custom = bool(report.recouvrement_letter_kind or report.docx_template)
        want_pdf = report.report_type == "docx-pdf"
        engine = self.env["recouvrement.engine"]
        for communication in self:
            kind = report.recouvrement_letter_kind or communication.letter_kind
            if not kind:
                raise UserError(self.env._("%s has no letter.", communication.name))
            stored = (
                communication.pdf_attachment_id if want_pdf else communication.docx_attachment_id
            )
            if stored and not custom and not communication.documents_stale:
                documents.append((stored.name, stored.raw))
                continue
            template = (
                report._get_docx_template(kind) if custom else communication._get_letter_template()
            )
            context, _decompte = engine._build_letter_context(
                kind,
                communication.partner_id,
                communication.line_ids.move_id,
                communication.date,
                communication.name,
                first_letter=communication._get_first_letters().get(communication.id),
            )
            documents.append(
                (
                    communication._get_document_filename("docx"),
                    engine._render_letter(template, context),
                )
            )
        return documents


def _record_link(model, record_id, label):
    return Markup('<a href="#" data-oe-model="%s" data-oe-id="%s">%s</a>') % (
        model,
        record_id,
        label,
    )


class RecouvrementCommunicationLine(models.Model):
    _name = "recouvrement.communication.line"
    _description = "Invoice in a collection communication"
    _inherit = ["recouvrement.server.fields.mixin"]
    _order = "communication_id, due_date, id"
    _check_company_auto = True
    # Written by runs and the engine only: a line names the invoice a letter claims.
    _server_fields = (
        "communication_id", "move_id", "level_id", "state", "date", "letter_kind",
        "partner_id", "company_id", "currency_id", "previous_level_id",
        "previous_last_date", "due_date", "amount_total", "amount_residual",
        "penalty_amount", "indemnity_amount", "days_late",
    )  # fmt: skip

    communication_id = fields.Many2one(
        "recouvrement.communication",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    # Stored for searching and the unique index; precomputed, so a run inserts each line
    # once instead of inserting then updating it.
    level_id = fields.Many2one(related="communication_id.level_id", store=True, precompute=True)
    state = fields.Selection(related="communication_id.state", store=True, precompute=True)
    date = fields.Date(related="communication_id.date", store=True, precompute=True)
    letter_kind = fields.Selection(
        related="communication_id.letter_kind", store=True, precompute=True
    )
    partner_id = fields.Many2one(related="communication_id.partner_id", store=True, precompute=True)
    company_id = fields.Many2one(
        related="communication_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(
        related="communication_id.currency_id", store=True, precompute=True
    )
    previous_level_id = fields.Many2one("recouvrement.policy.level", readonly=True)
    previous_last_date = fields.Date(readonly=True)
    due_date = fields.Date(readonly=True)
    amount_total = fields.Monetary(string="Invoice total", readonly=True)
    amount_residual = fields.Monetary(string="Balance", readonly=True)
    penalty_amount = fields.Monetary(string="Penalties", readonly=True)
    indemnity_amount = fields.Monetary(string="Indemnity", readonly=True)
    days_late = fields.Integer(readonly=True)

    @api.model
    def _get_copied_related_fields(self):
        """The stored fields related to the communication (``communication_id.<same>``)."""
        return [
            name
            for name, field in self._fields.items()
            if field.store and field.related == f"communication_id.{name}"
        ]

    @api.model
    def _insert_for_run(self, rows):
        """Insert the run's lines in one query (a run writes thousands).

        ``rows`` give every stored value, the related ones copied from their
        communication's values (see ``recouvrement.run._create_communications``). The
        unique (invoice, level) index still guards against a second run.
        """
        return insert_rows(self, rows)

    def init(self):
        # An invoice reaches a level once: two runs cannot both produce it (cancelled
        # communications give the level back).
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (move_id, level_id) "
                "WHERE state != 'cancelled'",
                SQL.identifier("recouvrement_communication_line_move_level_uniq"),
                SQL.identifier(self._table),
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_pending(self):
        for line in self:
            if line.communication_id.state in self.communication_id._get_locked_states():
                raise UserError(self.env._("A sent communication cannot be changed."))
