"""What the engine and the exports write for a dossier: the décompte's lines and the ZIP
versions."""

from odoo import fields, models


class RecouvrementDossierLine(models.Model):
    _name = "recouvrement.dossier.line"
    _description = "Court dossier: décompte line"
    _inherit = ["recouvrement.server.fields.mixin"]
    _order = "due_date, id"
    _check_company_auto = True
    # The engine's décompte, line by line.
    _server_fields = (
        "dossier_id", "move_id", "invoice_number", "due_date", "amount_balance",
        "amount_interest", "amount_indemnity", "days_late",
    )  # fmt: skip

    dossier_id = fields.Many2one(
        "recouvrement.dossier", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="dossier_id.company_id", store=True)
    currency_id = fields.Many2one(related="dossier_id.currency_id")
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True, check_company=True)
    invoice_number = fields.Char(readonly=True)
    due_date = fields.Date(readonly=True)
    amount_balance = fields.Monetary(string="Balance", readonly=True)
    amount_interest = fields.Monetary(string="Interest", readonly=True)
    amount_indemnity = fields.Monetary(string="Indemnity", readonly=True)
    days_late = fields.Integer(readonly=True)


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
