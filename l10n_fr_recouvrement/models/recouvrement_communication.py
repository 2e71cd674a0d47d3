from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

from .bulk_insert import insert_relation, insert_rows

SEQUENCE_CODE = "recouvrement.communication"
QUEUE_INDEX = "recouvrement_communication_queue_idx"


class RecouvrementCommunication(models.Model):
    """What one debtor receives at one level: one letter listing all its invoices.

    Each channel has its own state (``email_state``, ``letter_state``,
    ``registered_state``, the phone task ``phone_activity_id``). Draft and cancelled are
    set by the run and the user; once sent to its channels, the communication's state is
    derived from theirs: *to send* while a letter or a registered letter waits to be
    posted, else *delivered* once a letter's receipt is dated, else *sent* when
    one channel went out (a phone task counts), else *failed* (see
    ``recouvrement_communication_channels``). A failing e-mail changes only its own state.
    """

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
        "delivered_date", "failure_reason", "registered_provider_id", "registered_sending_id",
        "registered_channel", "registered_state", "registered_state_reason",
        "first_presented_date", "legal_counsel_needed", "registered_event_count",
        "registered_proof_kinds", "email_state", "letter_state", "penalty_provisional",
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
        "recouvrement.run",
        string="Collection run",
        readonly=True,
        index=True,
        ondelete="set null",
        check_company=True,
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
        group_expand=True,  # the kanban's columns, in the workflow's order
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
    penalty_provisional = fields.Boolean(
        string="Provisional penalties",
        readonly=True,
        help="The penalties run on the last known rate: this half-year's rate is not known yet.",
    )
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
    mail_id = fields.Many2one(
        "mail.mail", string="Outgoing e-mail", readonly=True, ondelete="set null"
    )
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
    posted_date = fields.Date(string="Posted on", readonly=True, tracking=True)
    delivered_date = fields.Date(
        string="Received on",
        readonly=True,
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

    # Batches of the background job: letters to render (LibreOffice's time), and letters
    # only waiting to be sent (the provider's waiting, overlapped: a larger batch spreads
    # its slowest letter's retries over more letters).
    QUEUE_BATCH_SIZE = 50
    SEND_BATCH_SIZE = 200

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
            "email_state",
            "letter_state",
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
        self._unlink_only_draft()  # before mail.thread deletes the messages and e-mails
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
            values = {"posted_date": posted}
            if communication.letter_state == "to_post":
                values["letter_state"] = "posted"
            if communication.registered_state == "to_post":
                values["registered_state"] = "deposited"
            communication._server_write(values)
        self._update_state_from_channels()
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
            communication._record_receipt(received)
        return True

    def _record_receipt(self, received):
        """Delivered on ``received``; a mise en demeure dates its invoices' notice from it
        (consumer interest and the deadline run from the receipt)."""
        self.ensure_one()
        values = {"delivered_date": received}
        if self.has_registered_letter:
            values["registered_state"] = "delivered"
        elif self.letter_state:
            values["letter_state"] = "received"
        self._server_write(values)
        self._update_state_from_channels()
        if self.is_formal_notice:
            moves = self.line_ids.move_id.filtered(lambda move: not move.recouvrement_notice_date)
            moves._recouvrement_write_ladder({"recouvrement_notice_date": received})

    def action_correct_receipt_date(self, day):
        """A manager corrects the date of an acknowledgment of receipt recorded by hand;
        the invoices' notice date follows when it came from this receipt."""
        if not self.env.user.has_group("l10n_fr_recouvrement.group_recouvrement_manager"):
            raise UserError(self.env._("Only a collection manager can correct a receipt date."))
        self._check_not_sent_through_provider()
        for communication in self:
            if communication.state != "delivered":
                raise UserError(self.env._("%s has no receipt to correct.", communication.name))
            previous = communication.delivered_date
            received = communication._check_letter_day(
                day, communication.posted_date or communication.date
            )
            communication._server_write({"delivered_date": received})
            if communication.is_formal_notice:
                moves = communication.line_ids.move_id.filtered(
                    lambda move, previous=previous: move.recouvrement_notice_date == previous
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
                    day=format_date(self.env, day),
                    name=self.name,
                    earliest=format_date(self.env, earliest),
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
        failed._server_write(
            {
                "state": "draft",
                "failure_reason": False,
                "documents_stale": True,
                "email_state": False,
                "letter_state": False,
            }
        )
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
                {
                    "recouvrement_level_id": level_id or False,
                    "recouvrement_last_date": last_date,
                    "recouvrement_awaiting_sending": False,  # that level's reminder went out
                }
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
