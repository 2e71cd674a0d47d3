"""The judicial handoff: a court dossier for a debtor who did not pay after the mise en demeure.

The engine decides everything French law decides (the décompte, the proposed route, the
competent court, the guards, the mandatory mentions, the order and numbering of the
exhibits, the ZIP); this model gathers the records, freezes what was exported and tracks
the procedure's deadlines (CPC 1411, 1416).
"""

import hashlib
import io
import re
from collections import defaultdict
from datetime import timedelta

from PIL import Image, ImageSequence

from odoo import Command, api, fields, models, tools
from odoo.exceptions import AccessError, UserError

from recouvrement.decompte import compute_decompte
from recouvrement.documents.filters import date_fr
from recouvrement.dossier import (
    CaseFlags,
    Court,
    CourtKind,
    ExhibitFile,
    MissingDossierMentions,
    Procedure,
    choose_procedure,
    competent_kind,
)
from recouvrement.dossier import DossierRefused as EngineDossierRefused
from recouvrement.dossier.case import check_pdf
from recouvrement.dossier.exhibits import RANKS as EXHIBIT_RANKS  # the bordereau's order
from recouvrement.errors import RecouvrementError
from recouvrement.law.procedure import objection_deadline, service_deadline

SEQUENCE_CODE = "recouvrement.dossier"
LOCKED_STATES = ("exported", "filed", "order_granted", "served", "objection", "closed")
# Reminders ahead of the deadlines: days before the last day.
SERVICE_REMINDER_DAYS = 30
OBJECTION_REMINDER_DAYS = 7
# A word of a file name: "BL_0042.pdf", "scan POD.pdf" (``\b`` would not split on "_").
_WORD = r"(?<![a-z0-9])(?:{})(?![a-z0-9])"
# A delivery proof, by its file name: on an invoice or a sale order, the PDFs named so are
# delivery notes, signed or not ("Bon de livraison", "BL 0042", "delivery slip", "POD",
# "proof of delivery", a signed CMR consignment note, "émargement"). "Signé"/"signed" alone
# is not enough: on a sale order it is most often the signed quotation.
DELIVERY_NAME = re.compile(
    r"livraison|deliver|[eé]margement|" + _WORD.format("BL|POD|CMR"), re.IGNORECASE
)
# A registered-letter proof posted in a communication's chatter before the communication
# had its "Registered letter proofs" field (the fallback of _get_registered_proofs).
PROOF_NAME = re.compile(
    r"preuve|proof|accus[eé]|d[eé]p[oô]t|recommand|avis[ _-]de[ _-]r[eé]ception|"
    + _WORD.format("AR|LRAR|LRE"),
    re.IGNORECASE,
)
# Which proof a file is, for its title in the bordereau.
RECEIPT_NAME = re.compile(
    r"accus[eé]|r[eé]ception|receipt|" + _WORD.format("AR|AVR"), re.IGNORECASE
)
DEPOSIT_NAME = re.compile(r"d[eé]p[oô]t|posting|deposit|envoi", re.IGNORECASE)


class RecouvrementDossier(models.Model):
    """A court dossier: the claim, its exhibits, its exports and the procedure's deadlines."""

    _name = "recouvrement.dossier"
    _description = "Court dossier (injonction de payer, PSRPC)"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
    )
    user_id = fields.Many2one(
        "res.users", string="Responsible", default=lambda self: self.env.user, tracking=True
    )
    communication_id = fields.Many2one(
        "recouvrement.communication",
        string="Handoff communication",
        check_company=True,
        ondelete="set null",
    )
    state = fields.Selection(
        selection="_selection_state",
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    as_of = fields.Date(
        string="Dossier date",
        required=True,
        default=fields.Date.context_today,
        help="The date of the request and of the décompte.",
    )
    move_ids = fields.Many2many(
        "account.move",
        "recouvrement_dossier_account_move_rel",
        "dossier_id",
        "move_id",
        string="Invoices",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('commercial_partner_id', '=', partner_id), ('company_id', '=', company_id)]",
    )
    nature = fields.Char(
        string="Nature of the claim",
        help="What the invoices were for, printed in the request. Empty: the engine's default.",
    )
    procedure = fields.Selection(
        selection="_selection_procedure",
        string="Requested route",
        help="Empty: the route the engine proposes. An injonction de payer may be chosen for "
        "a small claim; a PSRPC above 5 000 € is refused.",
    )
    procedure_proposed = fields.Selection(
        selection="_selection_procedure", string="Proposed route", readonly=True
    )
    procedure_explanation = fields.Text(string="Why this route", readonly=True)
    court_name = fields.Char(string="Court", readonly=True)
    court_kind = fields.Selection(selection="_selection_court_kind", readonly=True)
    court_address = fields.Char(readonly=True)
    court_matched = fields.Char(string="Court found by", readonly=True)
    court_override_kind = fields.Selection(
        selection="_selection_court_kind", string="Other court kind"
    )
    court_override_name = fields.Char(
        string="Other court", help="Names the court instead of the engine's court list."
    )
    court_override_street = fields.Char(string="Court street")
    court_override_zip = fields.Char(string="Court ZIP")
    court_override_city = fields.Char(string="Court city")
    trial_if_opposed = fields.Boolean(
        string="Trial if the debtor objects",
        default=True,
        help="CPC 1408: ask for the case to go straight to trial if the debtor objects.",
    )
    override_no_notice_reason = fields.Text(
        string="Reason to go without a mise en demeure",
        tracking=True,
        help="Lifts the engine's guard when no mise en demeure covers an invoice; the reason "
        "is recorded in the dossier's manifest.",
    )
    override_dispute_reason = fields.Text(
        string="Reason to go despite an open dispute", tracking=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_principal = fields.Monetary(string="Principal", readonly=True)
    amount_interest = fields.Monetary(string="Interest and penalties", readonly=True)
    amount_indemnity = fields.Monetary(string="Recovery indemnity", readonly=True)
    amount_total = fields.Monetary(string="Total", readonly=True)
    line_ids = fields.One2many(
        "recouvrement.dossier.line", "dossier_id", string="Décompte", readonly=True
    )
    exhibit_ids = fields.One2many("recouvrement.dossier.exhibit", "dossier_id", string="Exhibits")
    export_ids = fields.One2many(
        "recouvrement.dossier.export", "dossier_id", string="Exports", readonly=True
    )
    export_count = fields.Integer(compute="_compute_export_count")
    warnings = fields.Text(readonly=True)
    filed_date = fields.Date(string="Filed on", tracking=True)
    order_date = fields.Date(string="Order date", tracking=True)
    service_date = fields.Date(string="Served on", tracking=True)
    objection_date = fields.Date(string="Objection on", tracking=True)
    service_deadline = fields.Date(
        compute="_compute_deadlines",
        store=True,
        help="CPC 1411: the order lapses unless served within six months of its date.",
    )
    objection_deadline = fields.Date(
        compute="_compute_deadlines",
        store=True,
        help="CPC 1416: the debtor may object within one month of service.",
    )
    next_deadline = fields.Date(compute="_compute_deadlines", store=True, index=True)

    _sql_constraints = [
        ("name_company_unique", "unique(name, company_id)", "The reference must be unique."),
    ]

    @api.model
    def _selection_state(self):
        return [
            ("draft", self.env._("Draft")),
            ("ready", self.env._("Ready")),
            ("exported", self.env._("Exported")),
            ("filed", self.env._("Filed")),
            ("order_granted", self.env._("Order granted")),
            ("served", self.env._("Served")),
            ("objection", self.env._("Objection")),
            ("closed", self.env._("Closed")),
        ]

    @api.model
    def _selection_procedure(self):
        return [
            (Procedure.INJONCTION.value, self.env._("Injonction de payer")),
            (Procedure.PSRPC.value, self.env._("Small claims (PSRPC)")),
            (Procedure.EUROPEAN.value, self.env._("European order for payment")),
        ]

    @api.model
    def _selection_court_kind(self):
        return [
            (CourtKind.COMMERCE.value, self.env._("Commercial court")),
            (CourtKind.JUDICIAIRE.value, self.env._("Judicial court")),
            (CourtKind.PROTECTION.value, self.env._("Protection judge")),
        ]

    @api.model
    def _get_writable_fields_when_locked(self):
        """What may change once exported: the procedure's progress, not the documents."""
        return {
            "state",
            "user_id",
            "filed_date",
            "order_date",
            "service_date",
            "objection_date",
            "export_ids",
            "message_main_attachment_id",
        }

    @api.depends("export_ids")
    def _compute_export_count(self):
        for dossier in self:
            dossier.export_count = len(dossier.export_ids)

    @api.depends("state", "order_date", "service_date")
    def _compute_deadlines(self):
        for dossier in self:
            dossier.service_deadline = (
                service_deadline(dossier.order_date) if dossier.order_date else False
            )
            dossier.objection_deadline = (
                objection_deadline(dossier.service_date) if dossier.service_date else False
            )
            if dossier.state == "order_granted":
                dossier.next_deadline = dossier.service_deadline
            elif dossier.state == "served":
                dossier.next_deadline = dossier.objection_deadline
            else:
                dossier.next_deadline = False

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(SEQUENCE_CODE) or "/"
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.context.get("recouvrement_dossier_engine"):
            frozen = set(vals) - self._get_writable_fields_when_locked()
            if frozen and any(dossier.state in LOCKED_STATES for dossier in self):
                raise UserError(
                    self.env._(
                        "An exported dossier is frozen: its invoices, amounts and exhibits no "
                        "longer change. Export again for a new version, or create a new dossier."
                    )
                )
        result = super().write(vals)
        if "order_date" in vals or "service_date" in vals:
            self._schedule_deadline_activities()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if any(dossier.state not in ("draft", "ready") for dossier in self):
            raise UserError(self.env._("An exported dossier cannot be deleted."))

    # ------------------------------------------------------------------
    # Creation from a debtor
    # ------------------------------------------------------------------
    @api.model
    def _get_open_invoices(self, partner, company):
        return self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", partner.commercial_partner_id.id),
                ("company_id", "=", company.id),
                *self.env["account.move"]._recouvrement_get_open_domain(),
            ]
        )

    @api.model
    def _create_from_partner(self, partner, communication=None):
        """A draft dossier of ``partner``'s open invoices, exhibits gathered."""
        partner = partner.commercial_partner_id
        company = communication.company_id if communication else self.env.company
        moves = self._get_open_invoices(partner, company)
        if communication:
            moves = moves & communication.line_ids.move_id or moves
        if not moves:
            raise UserError(self.env._("%s owes nothing.", partner.display_name))
        dossier = self.create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "move_ids": [Command.set(moves.ids)],
                "communication_id": communication.id if communication else False,
            }
        )
        dossier.action_gather_exhibits()
        dossier._refresh_from_engine()
        return dossier

    def _get_form_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    # ------------------------------------------------------------------
    # Exhibits
    # ------------------------------------------------------------------
    def _get_communications(self):
        self.ensure_one()
        return self.env["recouvrement.communication"].search(
            [
                ("partner_id", "=", self.partner_id.commercial_partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("state", "in", ("sent", "delivered")),
                ("line_ids.move_id", "in", self.move_ids.ids),
            ],
            order="date, id",
        )

    @api.model
    def _is_readable_pdf(self, attachment):
        try:
            check_pdf(attachment.sudo().raw or b"", attachment.name or "")
        except RecouvrementError:
            return False
        return True

    def _prepare_exhibit(self, attachment, kind, title="", **values):
        rank = EXHIBIT_RANKS[values.pop("rank", kind)]
        return {
            "dossier_id": self.id,
            "kind": kind,
            "title": title or attachment.name,
            "sequence": rank * 1000 + values.pop("position", 0),
            "auto": True,
            "attachment_id": self._copy_attachment(attachment, values.pop("name", None)).id,
            **values,
        }

    def _copy_attachment(self, attachment, name=None):
        """A copy owned by the dossier: the exported documents never change afterwards.

        A photo or a scan saved as an image (a registered-letter proof, typically) is
        copied as a one-page PDF: the court gets PDFs only.
        """
        attachment = attachment.sudo()
        name, raw, mimetype = name or attachment.name, attachment.raw, attachment.mimetype
        if (mimetype or "").startswith("image/"):
            pdf = self._image_to_pdf(raw)
            if pdf:
                stem = name.rsplit(".", 1)[0] if "." in name else name
                name, raw, mimetype = f"{stem}.pdf", pdf, "application/pdf"
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name,
                    "raw": raw,
                    "mimetype": mimetype,
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )

    @api.model
    def _image_to_pdf(self, raw):
        """A PDF of an image (PNG, JPEG, TIFF…), one page per frame (a two-sided scan
        keeps both sides), or None when it cannot be read."""
        try:
            with Image.open(io.BytesIO(raw or b"")) as image:
                pages = [frame.convert("RGB") for frame in ImageSequence.Iterator(image)]
                out = io.BytesIO()
                pages[0].save(out, "PDF", resolution=150.0, save_all=True, append_images=pages[1:])
        except (OSError, ValueError, Image.DecompressionBombError):
            return None
        return out.getvalue()

    def _find_invoice_pdf(self, move):
        Attachment = self.env["ir.attachment"].sudo()
        pdf = move.sudo().invoice_pdf_report_id
        if pdf:
            return pdf, Attachment
        attachments = Attachment.search(
            [
                ("res_model", "=", "account.move"),
                ("res_id", "=", move.id),
                ("mimetype", "=", "application/pdf"),
            ],
            order="id desc",
        )
        delivery = attachments.filtered(lambda att: DELIVERY_NAME.search(att.name or ""))
        return (attachments - delivery)[:1], delivery

    def action_gather_exhibits(self):
        """Gather the exhibits from the records again (the ones added by hand stay)."""
        for dossier in self:
            dossier._check_editable()
            dossier.exhibit_ids.filtered("auto").unlink()
            values = []
            cgv = dossier.company_id.sudo()._recouvrement_get_cgv_attachment()
            if cgv:
                values.append(
                    dossier._prepare_exhibit(
                        cgv,
                        "cgv",
                        "Conditions générales de vente",
                        name=dossier.company_id.recouvrement_cgv_filename or "cgv.pdf",
                    )
                )
            power = dossier.company_id.sudo()._recouvrement_get_power_of_attorney_attachment()
            if power:
                values.append(
                    dossier._prepare_exhibit(
                        power,
                        "other",
                        "Pouvoir donné au signataire par le représentant légal",
                        name=dossier.company_id.recouvrement_power_of_attorney_filename
                        or "pouvoir.pdf",
                    )
                )
            moves = dossier.move_ids.sorted(
                lambda move: (move.invoice_date_due or move.invoice_date, move.id)
            )
            sale_proofs = dossier._get_sale_delivery_proofs(moves)
            delivered = set()  # the same PDF on the invoice and on its order counts once
            for position, move in enumerate(moves):
                pdf, deliveries = dossier._find_invoice_pdf(move)
                if pdf:
                    values.append(
                        dossier._prepare_exhibit(
                            pdf, "invoice", "", move_id=move.id, position=position
                        )
                    )
                proofs = [(delivery, "") for delivery in deliveries]
                proofs += sale_proofs.get(move.id, [])
                for delivery, title in proofs:
                    checksum = delivery.sudo().checksum
                    if checksum in delivered:
                        continue
                    delivered.add(checksum)
                    values.append(
                        dossier._prepare_exhibit(
                            delivery, "delivery", title, move_id=move.id, position=position
                        )
                    )
            communications = dossier._get_communications()
            registered_proofs = dossier._get_registered_proofs(communications)
            for position, communication in enumerate(communications):
                if not communication.letter_kind:
                    continue
                kind = "formal_notice" if communication.is_formal_notice else "reminder"
                if communication.pdf_attachment_id:
                    values.append(
                        dossier._prepare_exhibit(
                            communication.pdf_attachment_id,
                            kind,
                            "",
                            communication_id=communication.id,
                            position=position,
                        )
                    )
                proofs = registered_proofs.get(communication.id, [])
                for proof, title in proofs:
                    values.append(
                        dossier._prepare_exhibit(
                            proof,
                            "registered_proof",
                            title,
                            communication_id=communication.id,
                            position=position,
                            rank=kind,  # right after the letter it proves
                        )
                    )
            for vals in values:
                if vals["kind"] in ("invoice", "formal_notice", "reminder"):
                    vals["title"] = False  # the engine's title (number, date, amount)
            readable = [
                vals
                for vals in values
                if self._is_readable_pdf(self.env["ir.attachment"].browse(vals["attachment_id"]))
            ]
            self.env["recouvrement.dossier.exhibit"].create(readable)
        return True

    # ------------------------------------------------------------------
    # Exhibits: delivery proofs from the sale orders (soft dependency)
    # ------------------------------------------------------------------
    @api.model
    def _get_sale_delivery_proofs(self, moves):
        """``{move id: [(attachment, title)]}``: the delivery proofs behind ``moves``' orders.

        Without a hard dependency on ``sale``: only when ``sale.order.line`` is in the
        registry and the invoice lines come from sale order lines (``sale_line_ids``).

        - on a **delivery order** (``stock.picking`` of the sale order, when ``stock`` is
          installed; outgoing and not cancelled): every PDF attached is a delivery slip;
        - on the **sale order** itself: only the PDFs whose name says they are a delivery
          proof (``DELIVERY_NAME``), since its other PDFs are quotations and orders.

        A proof joins the first invoice of the dossier that the order was invoiced in;
        one attachment search per model, whatever the number of invoices.
        """
        result = defaultdict(list)
        if "sale.order.line" not in self.env:
            return result
        if "sale_line_ids" not in self.env["account.move.line"]._fields:
            return result
        moves = moves.sudo()
        first_move = {}  # order id: the first claimed invoice of that order
        for move in moves:
            for order in move.invoice_line_ids.sale_line_ids.order_id:
                first_move.setdefault(order.id, move.id)
        if not first_move:
            return result
        orders = self.env["sale.order"].sudo().browse(list(first_move))
        Attachment = self.env["ir.attachment"].sudo()
        order_pdfs = Attachment.search(
            [
                ("res_model", "=", "sale.order"),
                ("res_id", "in", orders.ids),
                ("mimetype", "=", "application/pdf"),
            ],
            order="id",
        )
        by_order = defaultdict(list)
        for attachment in order_pdfs:
            if DELIVERY_NAME.search(attachment.name or ""):
                by_order[attachment.res_id].append(attachment)
        pickings_of = self._get_sale_delivery_orders(orders)
        picking_ids = [picking.id for pickings in pickings_of.values() for picking in pickings]
        by_picking = defaultdict(list)
        if picking_ids:
            picking_pdfs = Attachment.search(
                [
                    ("res_model", "=", "stock.picking"),
                    ("res_id", "in", picking_ids),
                    ("mimetype", "=", "application/pdf"),
                ],
                order="id",
            )
            for attachment in picking_pdfs:
                by_picking[attachment.res_id].append(attachment)
        for order in orders:
            proofs = result[first_move[order.id]]
            for picking in pickings_of.get(order.id, ()):
                for attachment in by_picking[picking.id]:
                    title = f"Bon de livraison {picking.name} (commande {order.name})"
                    proofs.append((attachment, title))
            for attachment in by_order[order.id]:
                stem = re.sub(r"\.pdf$", "", attachment.name or "", flags=re.IGNORECASE)
                title = f"Preuve de livraison de la commande {order.name} ({stem})"
                proofs.append((attachment, title))
        return result

    @api.model
    def _get_sale_delivery_orders(self, orders):
        """``{order id: pickings}``: the delivery orders of each sale order, when ``stock``
        is installed (``sale_stock``): outgoing ones, not cancelled (returns are not
        deliveries)."""
        if "picking_ids" not in orders._fields:
            return {}
        return {
            order.id: order.picking_ids.filtered(
                lambda picking: (
                    picking.picking_type_code == "outgoing" and picking.state != "cancel"
                )
            ).sorted("id")
            for order in orders
        }

    # ------------------------------------------------------------------
    # Exhibits: registered-letter proofs
    # ------------------------------------------------------------------
    def _get_registered_proofs(self, communications):
        """``{communication id: [(attachment, title)]}``: the proofs of each letter's posting.

        The communication's *Registered letter proofs* field (proof of posting, then
        acknowledgment of receipt, in the order they were added). When that field is empty
        (letters sent before it existed), the fallback: PDFs of the communication's chatter
        whose name says they are a proof (``PROOF_NAME``), neither the letter itself nor an
        attachment of an outgoing e-mail.
        """
        result = {}
        empty = communications.browse()
        for communication in communications:
            proofs = communication.sudo().registered_proof_ids.sorted("id")
            if proofs:
                result[communication.id] = proofs
            elif communication.letter_kind:
                empty |= communication
        if empty:
            for communication_id, proofs in self._find_chatter_proofs(empty).items():
                result[communication_id] = proofs
        by_id = communications.grouped("id")
        return {
            communication_id: self._title_registered_proofs(by_id[communication_id], proofs)
            for communication_id, proofs in result.items()
            if proofs
        }

    @api.model
    def _find_chatter_proofs(self, communications):
        """``{communication id: attachments}``: the fallback of ``_get_registered_proofs``."""
        Attachment = self.env["ir.attachment"].sudo()
        letters = communications.pdf_attachment_id | communications.docx_attachment_id
        attachments = Attachment.search(
            [
                ("res_model", "=", "recouvrement.communication"),
                ("res_id", "in", communications.ids),
                ("mimetype", "=", "application/pdf"),
                ("id", "not in", letters.ids),
            ],
            order="id",
        )
        if not attachments:
            return {}
        sent = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", "recouvrement.communication"),
                    ("res_id", "in", communications.ids),
                    ("message_type", "in", ("email_outgoing", "auto_comment")),
                    ("attachment_ids", "in", attachments.ids),
                ]
            )
            .attachment_ids
        )
        result = defaultdict(lambda: Attachment)
        for attachment in attachments - sent:
            if PROOF_NAME.search(attachment.name or ""):
                result[attachment.res_id] |= attachment
        return result

    @api.model
    def _title_registered_proofs(self, communication, proofs):
        """``[(attachment, title)]``: "Accusé de réception de la mise en demeure du …"."""
        letter = "mise en demeure" if communication.is_formal_notice else "lettre"
        tracking = (
            f", lettre recommandée n° {communication.registered_number}"
            if communication.registered_number
            else ""
        )
        titles = []
        for proof in proofs:
            name = proof.name or ""
            receipt, deposit = RECEIPT_NAME.search(name), DEPOSIT_NAME.search(name)
            if receipt and not deposit:
                label = "Accusé de réception"
            elif deposit and not receipt:
                label = "Preuve de dépôt"
            else:
                label = "Preuve de dépôt / accusé de réception"
            titles.append(
                f"{label} de la {letter} du {date_fr(communication.date)} "
                f"(réf. {communication.name}){tracking}"
            )
        if len(set(titles)) < len(titles):
            count = len(titles)
            titles = [f"{title} ({index}/{count})" for index, title in enumerate(titles, 1)]
        return list(zip(proofs, titles, strict=True))

    # ------------------------------------------------------------------
    # The engine
    # ------------------------------------------------------------------
    def _get_engine_court(self):
        if not self.court_override_name:
            return None
        return Court(
            CourtKind(self.court_override_kind or CourtKind.COMMERCE.value),
            self.court_override_name,
            self.court_override_street or "",
            self.court_override_zip or "",
            self.court_override_city or "",
            "chosen by the user in Odoo",
            matched=f"Odoo dossier {self.name}",
        )

    def _get_court_table(self):
        """The engine's court list with the company's own court file on top."""
        self.ensure_one()
        return self.company_id.sudo()._recouvrement_get_court_table()

    def _get_engine_overrides(self):
        overrides = {}
        if (self.override_no_notice_reason or "").strip():
            overrides["no_formal_notice"] = self.override_no_notice_reason.strip()
        if (self.override_dispute_reason or "").strip():
            overrides["open_dispute"] = self.override_dispute_reason.strip()
        return overrides

    def _get_engine_exhibits(self):
        exhibits = []
        for exhibit in self.exhibit_ids.sorted(lambda e: (e.sequence, e.id)):
            exhibits.append(
                ExhibitFile(
                    kind=exhibit.kind,
                    pdf=exhibit.attachment_id.sudo().raw,
                    origin=exhibit._get_origin(),
                    title=exhibit.title or "",
                    invoice=exhibit.move_id.name or "",
                    reference=exhibit.communication_id.name or "",
                )
            )
        return exhibits

    def _get_case(self, with_exhibits=True):
        self.ensure_one()
        if not self.move_ids:
            raise UserError(self.env._("Choose the invoices the dossier claims."))
        insolvency = self.env["recouvrement.block"].search_count(
            [
                ("partner_id", "=", self.partner_id.commercial_partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("reason", "=", "insolvency"),
                ("state", "=", "active"),
            ]
        )
        return self.env["recouvrement.engine"]._build_dossier_case(
            self.partner_id,
            self.move_ids,
            self._get_communications(),
            self._get_engine_exhibits() if with_exhibits else (),
            as_of=self.as_of,
            reference=self.name,
            nature=self.nature or "",
            procedure=Procedure(self.procedure) if self.procedure else None,
            court=self._get_engine_court(),
            flags=CaseFlags(insolvency=bool(insolvency), trial_if_opposed=self.trial_if_opposed),
        )

    def _raise_engine_error(self, error):
        if isinstance(error, EngineDossierRefused):
            problems = "\n".join(f"• [{guard}] {message}" for guard, message in error.problems)
            raise UserError(
                self.env._("The engine refuses the dossier %(name)s:\n%(problems)s")
                % {"name": self.name, "problems": problems}
            ) from error
        if isinstance(error, MissingDossierMentions):
            missing = "\n".join(f"• {item}" for item in error.missing)
            raise UserError(
                self.env._("The dossier %(name)s lacks mandatory mentions:\n%(missing)s")
                % {"name": self.name, "missing": missing}
            ) from error
        raise UserError(
            self.env._("The engine refuses the dossier %(name)s: %(error)s")
            % {"name": self.name, "error": error}
        ) from error

    def _refresh_from_engine(self):
        """The décompte, the proposed route and the court, as the engine sees them now."""
        engine = self.env["recouvrement.engine"]
        for dossier in self:
            try:
                case = dossier._get_case(with_exhibits=False)
                claim = case.account.claim()
                decompte = compute_decompte(
                    claim, dossier.as_of, engine._get_rate_table(), allow_provisional=True
                )
                choice = choose_procedure(
                    decompte.principal + decompte.interest, case.debtor.address
                )
                procedure = case.procedure or choice.procedure
                court = case.court
                if court is None and procedure is Procedure.INJONCTION:
                    kind = competent_kind(case.account.regime, case.debtor)
                    court = dossier._get_court_table().find(kind, case.debtor.address)
            except RecouvrementError as error:
                dossier._raise_engine_error(error)
            dossier._store_engine_result(decompte, choice, court)

    def _store_engine_result(self, decompte, choice, court, warnings=()):
        self.ensure_one()
        by_name = {move.name: move for move in self.move_ids}
        lines = [Command.clear()]
        for line in decompte.invoices:
            move = by_name.get(line.number)
            lines.append(
                Command.create(
                    {
                        "move_id": move.id if move else False,
                        "invoice_number": line.number,
                        "due_date": line.due_date,
                        "amount_balance": float(line.balance),
                        "amount_interest": float(line.interest),
                        "amount_indemnity": float(line.indemnity),
                        "days_late": line.days_late,
                    }
                )
            )
        self.with_context(recouvrement_dossier_engine=True).write(
            {
                "amount_principal": float(decompte.principal),
                "amount_interest": float(decompte.interest),
                "amount_indemnity": float(decompte.indemnity),
                "amount_total": float(decompte.total),
                "procedure_proposed": choice.procedure.value,
                "procedure_explanation": choice.explanation,
                "court_name": court.name if court else False,
                "court_kind": court.kind.value if court else False,
                "court_address": court.address_line if court else False,
                "court_matched": court.matched if court else False,
                "warnings": "\n".join(warnings) or False,
                "line_ids": lines,
            }
        )

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    def _check_editable(self):
        if self.state in LOCKED_STATES:
            raise UserError(
                self.env._("The dossier %s is exported: its documents are frozen.", self.name)
            )

    def _check_state(self, states, action):
        for dossier in self:
            if dossier.state not in states:
                raise UserError(
                    self.env._(
                        "The dossier %(name)s cannot be %(action)s in its state.",
                        name=dossier.name,
                        action=action,
                    )
                )

    def action_refresh(self):
        for dossier in self:
            dossier._check_editable()
        self._refresh_from_engine()
        return True

    def action_ready(self):
        """Draft → ready: every check of the engine passes (nothing converted yet)."""
        self._check_state(("draft",), self.env._("made ready"))
        engine = self.env["recouvrement.engine"]
        for dossier in self:
            dossier._refresh_from_engine()
            try:
                engine._check_dossier(
                    dossier._get_case(),
                    as_of=dossier.as_of,
                    overrides=dossier._get_engine_overrides(),
                    courts=dossier._get_court_table(),
                )
            except RecouvrementError as error:
                dossier._raise_engine_error(error)
        self.write({"state": "ready"})
        return True

    def action_draft(self):
        self._check_state(("ready",), self.env._("set back to draft"))
        self.write({"state": "draft"})
        return True

    def _check_export_access(self):
        user = self.env.user
        if not (
            self.env.su
            or user.has_group("l10n_fr_recouvrement.group_recouvrement_user")
            or user.has_group("l10n_fr_recouvrement.group_recouvrement_legal")
        ):
            raise AccessError(
                self.env._("Only collection users and legal counsel export dossiers.")
            )
        self.check_access("read")

    def action_export(self):
        """Build the ZIP through the engine and store it as a new version."""
        self._check_export_access()
        self._check_state(("ready", *LOCKED_STATES[:-1]), self.env._("exported"))
        engine = self.env["recouvrement.engine"]
        for dossier in self.sudo():
            env = dossier.env
            version = len(dossier.export_ids) + 1
            try:
                built = engine._build_dossier(
                    dossier._get_case(),
                    as_of=dossier.as_of,
                    version=version,
                    overrides=dossier._get_engine_overrides(),
                    courts=dossier._get_court_table(),
                )
            except RecouvrementError as error:
                dossier._raise_engine_error(error)
            data = built.zip_bytes()
            filename = tools.osutil.clean_filename(
                f"{dossier.name} {dossier.partner_id.name or ''} v{version}"
            )
            attachment = env["ir.attachment"].create(
                {
                    "name": f"{filename}.zip",
                    "raw": data,
                    "mimetype": "application/zip",
                    "res_model": self._name,
                    "res_id": dossier.id,
                }
            )
            env["recouvrement.dossier.export"].create(
                {
                    "dossier_id": dossier.id,
                    "version": version,
                    "attachment_id": attachment.id,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "user_id": self.env.uid,
                    "procedure": built.procedure.value,
                    "court_name": built.court.name if built.court else False,
                    "amount_total": float(built.decompte.total),
                    "overrides": "\n".join(
                        f"{item.guard}: {item.reason}" for item in built.overrides
                    )
                    or False,
                }
            )
            if dossier.state == "ready":
                dossier._store_engine_result(
                    built.decompte, built.choice, built.court, built.warnings
                )
            numbers = {exhibit.origin: exhibit for exhibit in built.exhibits}
            for exhibit in dossier.exhibit_ids:
                numbered = numbers.get(exhibit._get_origin())
                exhibit.with_context(recouvrement_dossier_engine=True).write(
                    {
                        "number": numbered.number if numbered else 0,
                        "engine_title": numbered.title if numbered else False,
                    }
                )
            values = {"state": "exported"} if dossier.state == "ready" else {}
            dossier.write(values)
            dossier.message_post(
                body=self.env._(
                    "Dossier exported, version %(version)s (SHA-256 %(sha)s).",
                    version=version,
                    sha=hashlib.sha256(data).hexdigest(),
                ),
                attachment_ids=attachment.ids,
            )
        return True

    def action_filed(self):
        self._check_state(("exported",), self.env._("filed"))
        today = fields.Date.context_today(self)
        for dossier in self:
            dossier.write({"state": "filed", "filed_date": dossier.filed_date or today})
        return True

    def action_order_granted(self):
        self._check_state(("filed",), self.env._("marked as granted"))
        today = fields.Date.context_today(self)
        for dossier in self:
            dossier.write({"state": "order_granted", "order_date": dossier.order_date or today})
        return True

    def action_served(self):
        self._check_state(("order_granted",), self.env._("marked as served"))
        today = fields.Date.context_today(self)
        for dossier in self:
            dossier.write({"state": "served", "service_date": dossier.service_date or today})
        return True

    def action_objection(self):
        self._check_state(("served",), self.env._("marked as opposed"))
        today = fields.Date.context_today(self)
        for dossier in self:
            dossier.write({"state": "objection", "objection_date": dossier.objection_date or today})
        return True

    def action_close(self):
        self._check_state(
            ("exported", "filed", "order_granted", "served", "objection"), self.env._("closed")
        )
        self.write({"state": "closed"})
        self.activity_unlink(["l10n_fr_recouvrement.mail_activity_type_dossier_deadline"])
        return True

    def action_open_exports(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Exports"),
            "res_model": "recouvrement.dossier.export",
            "view_mode": "list,form",
            "domain": [("dossier_id", "=", self.id)],
        }

    # ------------------------------------------------------------------
    # Deadlines
    # ------------------------------------------------------------------
    def _schedule_deadline_activities(self):
        """One activity for the responsible user ahead of each deadline (CPC 1411, 1416)."""
        activity_type = self.env.ref(
            "l10n_fr_recouvrement.mail_activity_type_dossier_deadline", raise_if_not_found=False
        )
        if not activity_type:
            return
        today = fields.Date.context_today(self)
        for dossier in self:
            deadlines = []
            if dossier.service_deadline and not dossier.service_date:
                deadlines.append(
                    (
                        dossier.service_deadline,
                        SERVICE_REMINDER_DAYS,
                        self.env._("Serve the order before %s (CPC 1411)"),
                    )
                )
            if dossier.objection_deadline:
                deadlines.append(
                    (
                        dossier.objection_deadline,
                        OBJECTION_REMINDER_DAYS,
                        self.env._("Objection period ends on %s (CPC 1416)"),
                    )
                )
            dossier.activity_unlink(["l10n_fr_recouvrement.mail_activity_type_dossier_deadline"])
            for deadline, days, summary in deadlines:
                dossier.sudo().activity_schedule(
                    "l10n_fr_recouvrement.mail_activity_type_dossier_deadline",
                    date_deadline=max(deadline - timedelta(days=days), today),
                    summary=summary % fields.Date.to_string(deadline),
                    user_id=(dossier.user_id or self.env.user).id,
                )


class RecouvrementDossierLine(models.Model):
    _name = "recouvrement.dossier.line"
    _description = "Court dossier: décompte line"
    _order = "due_date, id"

    dossier_id = fields.Many2one(
        "recouvrement.dossier", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="dossier_id.company_id", store=True)
    currency_id = fields.Many2one(related="dossier_id.currency_id")
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    invoice_number = fields.Char(readonly=True)
    due_date = fields.Date(readonly=True)
    amount_balance = fields.Monetary(string="Balance", readonly=True)
    amount_interest = fields.Monetary(string="Interest", readonly=True)
    amount_indemnity = fields.Monetary(string="Indemnity", readonly=True)
    days_late = fields.Integer(readonly=True)


class RecouvrementDossierExhibit(models.Model):
    _name = "recouvrement.dossier.exhibit"
    _description = "Court dossier: exhibit"
    _order = "sequence, id"

    dossier_id = fields.Many2one(
        "recouvrement.dossier", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="dossier_id.company_id", store=True)
    sequence = fields.Integer(default=8000)
    number = fields.Integer(
        readonly=True, help="The exhibit's number in the bordereau, given by the last export."
    )
    kind = fields.Selection(selection="_selection_kind", required=True, default="other")
    title = fields.Char(help="Empty for an invoice or a letter: the engine writes the title.")
    engine_title = fields.Char(string="Title in the dossier", readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="Document", required=True)
    move_id = fields.Many2one("account.move", string="Invoice")
    communication_id = fields.Many2one("recouvrement.communication", string="Letter")
    auto = fields.Boolean(string="Gathered", readonly=True)

    @api.model
    def _selection_kind(self):
        return [
            ("cgv", self.env._("Terms and conditions")),
            ("contract", self.env._("Contract")),
            ("quote", self.env._("Signed quote")),
            ("order", self.env._("Purchase order")),
            ("delivery", self.env._("Delivery proof")),
            ("invoice", self.env._("Invoice")),
            ("reminder", self.env._("Reminder")),
            ("formal_notice", self.env._("Mise en demeure")),
            ("registered_proof", self.env._("Registered letter proof")),
            ("statement", self.env._("Statement of account")),
            ("other", self.env._("Other")),
        ]

    def _check_pdf(self):
        """An exhibit is a readable PDF with at least one page (the engine's check)."""
        self.ensure_one()
        try:
            check_pdf(self.attachment_id.sudo().raw or b"", self.attachment_id.name or "")
        except RecouvrementError as error:
            raise UserError(
                self.env._("An exhibit must be a readable PDF: %(error)s", error=error)
            ) from error

    def _get_origin(self):
        self.ensure_one()
        return f"odoo exhibit {self.id}: {self.attachment_id.name or ''}"

    def _check_dossier_editable(self, dossiers):
        if self.env.context.get("recouvrement_dossier_engine"):
            return
        for dossier in dossiers:
            dossier._check_editable()

    @api.model_create_multi
    def create(self, vals_list):
        exhibits = super().create(vals_list)
        exhibits._check_dossier_editable(exhibits.dossier_id)
        for exhibit in exhibits:
            exhibit._check_pdf()
        return exhibits

    def write(self, vals):
        self._check_dossier_editable(self.dossier_id)
        return super().write(vals)

    def unlink(self):
        self._check_dossier_editable(self.dossier_id)
        return super().unlink()


class RecouvrementDossierExport(models.Model):
    _name = "recouvrement.dossier.export"
    _description = "Court dossier: export (one ZIP version)"
    _order = "version desc, id desc"

    dossier_id = fields.Many2one(
        "recouvrement.dossier", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="dossier_id.company_id", store=True)
    currency_id = fields.Many2one(related="dossier_id.currency_id")
    version = fields.Integer(required=True, readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="ZIP", readonly=True)
    datas = fields.Binary(related="attachment_id.datas", string="File")
    filename = fields.Char(related="attachment_id.name")
    sha256 = fields.Char(string="SHA-256", readonly=True)
    user_id = fields.Many2one("res.users", string="Exported by", readonly=True)
    procedure = fields.Selection(
        selection=lambda self: self.env["recouvrement.dossier"]._selection_procedure(),
        readonly=True,
    )
    court_name = fields.Char(string="Court", readonly=True)
    amount_total = fields.Monetary(string="Total", readonly=True)
    overrides = fields.Text(string="Guards overridden", readonly=True)

    _sql_constraints = [
        ("version_unique", "unique(dossier_id, version)", "A dossier version is unique."),
    ]
