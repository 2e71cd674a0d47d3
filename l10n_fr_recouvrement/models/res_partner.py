import re

from odoo import api, fields, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "recouvrement.server.fields.mixin"]

    recouvrement_policy_id = fields.Many2one(
        "recouvrement.policy",
        string="Collection policy",
        company_dependent=True,
        help="Overrides the company's reminder ladder for this customer's invoices.",
    )
    recouvrement_regime = fields.Selection(
        selection="_selection_recouvrement_regime",
        string="Collection regime",
        compute="_compute_recouvrement_regime",
        store=True,
        readonly=False,
        recursive=True,
        help="Derived from the company flag and the SIREN; change it when it is wrong. "
        "B2C: no 40 € indemnity, legal interest from the receipt of the mise en demeure.",
    )
    recouvrement_siren = fields.Char(
        string="SIREN", compute="_compute_recouvrement_siren", help="From the SIRET or the VAT."
    )
    recouvrement_legal_form = fields.Char(string="Legal form", help="SAS, SARL, SA…")
    recouvrement_lre_consent = fields.Boolean(
        string="Consents to electronic registered letters",
        help="A consumer must agree beforehand to receive a registered letter by e-mail "
        "(CPCE L100).",
    )
    recouvrement_lre_consent_date = fields.Date(string="Consent date")
    recouvrement_collector_id = fields.Many2one("res.users", string="Collector")
    recouvrement_block_ids = fields.One2many(
        "recouvrement.block", "partner_id", string="Collection blocks"
    )
    recouvrement_communication_ids = fields.One2many(
        "recouvrement.communication", "partner_id", string="Collection communications"
    )
    recouvrement_communication_count = fields.Integer(
        compute="_compute_recouvrement_overdue", string="Communications"
    )
    recouvrement_due_amount = fields.Monetary(
        compute="_compute_recouvrement_overdue",
        string="Open amount",
        currency_field="recouvrement_currency_id",
    )
    recouvrement_overdue_amount = fields.Monetary(
        compute="_compute_recouvrement_overdue",
        string="Overdue amount",
        currency_field="recouvrement_currency_id",
    )
    recouvrement_overdue_count = fields.Integer(
        compute="_compute_recouvrement_overdue", string="Overdue invoices"
    )
    recouvrement_currency_id = fields.Many2one(
        "res.currency", compute="_compute_recouvrement_overdue"
    )

    @api.model
    def _selection_recouvrement_regime(self):
        return [
            ("b2b", self.env._("Business (B2B)")),
            ("b2c", self.env._("Consumer (B2C)")),
            ("public", self.env._("Public buyer")),
        ]

    @api.depends("siret", "vat", "company_registry")
    def _compute_recouvrement_siren(self):
        for partner in self:
            partner.recouvrement_siren = partner._recouvrement_find_siren()

    def _recouvrement_find_siren(self):
        digits = re.sub(r"\D", "", self.siret or "")
        if len(digits) == 14:
            return digits[:9]
        vat = re.sub(r"\s", "", self.vat or "").upper()
        if vat.startswith("FR") and len(vat) == 13 and vat[-9:].isdigit():
            return vat[-9:]
        registry = re.sub(r"\D", "", self.company_registry or "")
        return registry[:9] if len(registry) in (9, 14) else ""

    @api.depends("is_company", "siret", "vat", "company_registry", "parent_id.recouvrement_regime")
    def _compute_recouvrement_regime(self):
        for partner in self:
            if partner.parent_id and partner.parent_id.recouvrement_regime:
                partner.recouvrement_regime = partner.parent_id.recouvrement_regime
            elif partner.is_company or partner._recouvrement_find_siren():
                partner.recouvrement_regime = "b2b"
            else:
                partner.recouvrement_regime = "b2c"

    def _recouvrement_get_regime(self):
        self.ensure_one()
        commercial = self.commercial_partner_id
        return commercial.recouvrement_regime or ("b2b" if commercial.is_company else "b2c")

    def _recouvrement_get_overdue_domain(self):
        return [
            ("commercial_partner_id", "in", self.commercial_partner_id._origin.ids),
            ("company_id", "in", self.env.companies.ids),
            *self.env["account.move"]._recouvrement_get_open_domain(),
        ]

    @api.depends_context("company", "allowed_company_ids")
    def _compute_recouvrement_overdue(self):
        today = fields.Date.context_today(self)
        moves = self.env["account.move"]
        groups = moves._read_group(
            self._recouvrement_get_overdue_domain(),
            groupby=["commercial_partner_id"],
            aggregates=["amount_residual_signed:sum"],
        )
        due = {partner.id: amount for partner, amount in groups}
        groups = moves._read_group(
            [*self._recouvrement_get_overdue_domain(), ("invoice_date_due", "<", today)],
            groupby=["commercial_partner_id"],
            aggregates=["amount_residual_signed:sum", "__count"],
        )
        overdue = {partner.id: (amount, count) for partner, amount, count in groups}
        communications = dict(
            self.env["recouvrement.communication"]._read_group(
                [("partner_id", "in", self.commercial_partner_id._origin.ids)],
                groupby=["partner_id"],
                aggregates=["__count"],
            )
        )
        for partner in self:
            commercial = partner.commercial_partner_id._origin
            partner.recouvrement_currency_id = self.env.company.currency_id
            partner.recouvrement_due_amount = due.get(commercial.id, 0.0)
            amount, count = overdue.get(commercial.id, (0.0, 0))
            partner.recouvrement_overdue_amount = amount
            partner.recouvrement_overdue_count = count
            partner.recouvrement_communication_count = communications.get(commercial, 0)

    def action_recouvrement_open_communications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_fr_recouvrement.action_recouvrement_communication"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_recouvrement_open_dossier(self):
        """A court dossier of this debtor's open invoices (the judicial handoff)."""
        self.ensure_one()
        dossier = self.env["recouvrement.dossier"]._create_from_partner(self)
        return dossier._get_form_action()

    def action_recouvrement_open_overdue(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = self._recouvrement_get_overdue_domain()
        action["context"] = {"default_move_type": "out_invoice"}
        return action

    # ------------------------------------------------------------------
    # Printing (DOCX reports)
    # ------------------------------------------------------------------
    def _recouvrement_get_docx_letters(self, report):
        """A statement of account (or the report's kind) of each customer's open invoices."""
        engine = self.env["recouvrement.engine"]
        Move = self.env["account.move"]
        documents = []
        today = fields.Date.context_today(self)
        moves = Move.search(self._recouvrement_get_overdue_domain())
        for partner in self.commercial_partner_id:
            partner_moves = moves.filtered(
                lambda move, partner=partner: move.commercial_partner_id == partner
            )
            if not partner_moves:
                raise UserError(self.env._("%s owes nothing.", partner.display_name))
            kind = report.recouvrement_letter_kind or "releve_de_compte"
            reference = f"{partner.ref or partner.id}-{today.isoformat()}"
            documents.append(
                engine._render_adhoc_letter(report, partner, partner_moves, kind, reference)
            )
        return documents
