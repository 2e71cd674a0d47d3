"""The company's court list, edited in the interface as rows.

Each row is one row of the engine's court file (``recouvrement.dossier.courts``: kind,
département, postal code or commune, the court and its address, the source), read by the
engine's own parser, so the interface accepts exactly what a court file accepts. The rows
go on top of the shipped list and of the company's uploaded court file.
"""

import csv
import io

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from recouvrement.dossier.courts import COLUMNS, read_court_rows
from recouvrement.dossier.errors import CourtFileError, CourtNotFound


class RecouvrementCourt(models.Model):
    _name = "recouvrement.court"
    _description = "Court of the company's court list"
    _order = "departement, postal_code, commune, kind, id"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    kind = fields.Selection(selection="_selection_kind", required=True)
    departement = fields.Char(
        string="Département",
        help="69, 2A, 971… With a commune, the commune of this département; alone, the whole "
        "département. Empty with a postal code.",
    )
    postal_code = fields.Char(help="A postal code covered by the court (5 digits).")
    commune = fields.Char(help="A commune covered by the court, with its département.")
    name = fields.Char(string="Court", required=True)
    street = fields.Char()
    zip = fields.Char(string="ZIP")
    city = fields.Char()
    source = fields.Char(
        help="Where the court and its address come from (the court's site, the Ministry of "
        "Justice's directory), and when it was checked."
    )

    @api.model
    def _selection_kind(self):
        return self.env["recouvrement.dossier"]._selection_court_kind()

    @api.constrains(*COLUMNS[:4], "name", "street", "zip", "city", "source", "company_id")
    def _check_engine_rows(self):
        """The engine's checks: a valid match, one row per match and kind."""
        for company in self.company_id:
            try:
                self.search([("company_id", "=", company.id)])._get_engine_rows()
            except CourtFileError as error:
                raise ValidationError(str(error)) from None

    def _get_engine_rows(self):
        """These rows as the engine's ``CourtRow``, through its court file parser."""
        if not self:
            return []
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        for court in self:
            writer.writerow(
                [
                    court.kind,
                    court.departement or "",
                    court.postal_code or "",
                    court.commune or "",
                    court.name,
                    court.street or "",
                    court.zip or "",
                    court.city or "",
                    court.source or self.env._("entered in Odoo"),
                ]
            )
        return read_court_rows(buffer.getvalue(), self.env._("Courts of %s", self.company_id.name))


class ResCompany(models.Model):
    _inherit = "res.company"

    recouvrement_court_ids = fields.One2many("recouvrement.court", "company_id", string="Courts")

    def _recouvrement_get_court_rows(self):
        """The court file's rows, then the rows entered in Configuration > Courts."""
        rows = super()._recouvrement_get_court_rows()
        courts = self.env["recouvrement.court"].sudo().search([("company_id", "=", self.id)])
        return [*rows, *courts._get_engine_rows()]


class RecouvrementDossier(models.Model):
    _inherit = "recouvrement.dossier"

    def _find_court(self, kind, address):
        """``(court, warnings)``: the court of the list, or none and a warning saying where
        courts are set, so that the dossier opens and the court is filled in later."""
        self.ensure_one()
        try:
            return self._get_court_table().find(kind, address), ()
        except CourtNotFound:
            warning = self.env._(
                "No %(kind)s is known for %(zip)s %(city)s: add it in Invoicing > "
                "Configuration > Collection > Courts (then click Compute), or name the court "
                "under Route and court in this dossier (Other court).",
                kind=dict(self._selection_court_kind())[kind.value],
                zip=address.zip,
                city=address.city,
            )
            return None, (warning,)
