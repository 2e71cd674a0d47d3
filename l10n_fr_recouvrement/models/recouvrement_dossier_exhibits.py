"""A dossier's exhibits: gathered from the invoices, the letters and their proofs, the
delivery notes and the terms and conditions; added by hand; checked as PDFs."""

import io
import re
from collections import defaultdict

from PIL import Image, ImageSequence

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from recouvrement.documents.filters import date_fr
from recouvrement.dossier.case import check_pdf
from recouvrement.dossier.exhibits import DEFAULT_TITLES as EXHIBIT_TITLES
from recouvrement.dossier.exhibits import RANKS as EXHIBIT_RANKS  # the bordereau's order
from recouvrement.errors import RecouvrementError

from .server_fields import attachments_of

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
    _inherit = "recouvrement.dossier"

    # ------------------------------------------------------------------
    # Exhibits
    # ------------------------------------------------------------------
    def _get_communications(self):
        self.ensure_one()
        return self.env["recouvrement.communication"].search(
            [
                ("partner_id", "=", self.partner_id.commercial_partner_id.id),
                ("company_id", "=", self.company_id.id),
                *self.env["recouvrement.communication"]._get_sent_domain(),
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
                    "company_id": self.company_id.id,
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
                        "power_of_attorney",
                        EXHIBIT_TITLES["power_of_attorney"],
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
                if communication._get_own_letter_pdf():
                    values.append(
                        dossier._prepare_exhibit(
                            communication._get_own_letter_pdf(),
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
            self.env["recouvrement.dossier.exhibit"]._server_create(readable)
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
            proofs = attachments_of(
                communication.sudo().registered_proof_ids, self.company_id
            ).sorted("id")
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


class RecouvrementDossierExhibit(models.Model):
    _name = "recouvrement.dossier.exhibit"
    _description = "Court dossier: exhibit"
    _inherit = ["recouvrement.server.fields.mixin"]
    _order = "sequence, id"
    _check_company_auto = True
    # Numbers and titles come from the last export; "gathered" from the gathering.
    _server_fields = ("number", "engine_title", "auto")
    _attachment_fields = ("attachment_id",)

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
    move_id = fields.Many2one("account.move", string="Invoice", check_company=True)
    communication_id = fields.Many2one(
        "recouvrement.communication", string="Letter", check_company=True
    )
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
            ("power_of_attorney", self.env._("Power of attorney")),
            ("mandate", self.env._("Representative's mandate")),
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
        for dossier in dossiers:
            dossier._check_editable()

    @api.constrains("move_id", "communication_id", "dossier_id")
    def _check_dossier_records(self):
        for exhibit in self:
            dossier = exhibit.dossier_id
            if exhibit.move_id and exhibit.move_id not in dossier.move_ids:
                raise ValidationError(
                    self.env._("The invoice of an exhibit must be one the dossier claims.")
                )
            partner = exhibit.communication_id.partner_id.commercial_partner_id
            if exhibit.communication_id and partner != dossier.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._("The letter of an exhibit must be one sent to the debtor.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        exhibits = super().create(vals_list)
        exhibits._check_dossier_editable(exhibits.dossier_id)
        for exhibit in exhibits:
            exhibit._check_pdf()
        return exhibits

    def write(self, vals):
        # An export numbers the exhibits of a frozen dossier: nothing else changes there.
        numbering = self._is_server_write() and set(vals) <= {"number", "engine_title"}
        if not numbering:
            self._check_dossier_editable(self.dossier_id)
        return super().write(vals)

    def unlink(self):
        self._check_dossier_editable(self.dossier_id)
        return super().unlink()
