"""The rates the engine computes with, maintained in the interface.

The engine ships its rows (``recouvrement/law/data/rates.csv``): they are copied here,
read-only, so that a manager sees what the engine knows and where each figure comes from.
Rows fetched from the ECB and rows entered by hand (with their source) are added on top,
and :meth:`_get_engine_rows` gives them to the one place that builds the rate table,
``recouvrement.engine._get_rate_table``. Until a half-year's rates are known, the engine
flags its figures provisional: formal letters and court dossiers wait, saying where the
rates are entered.
"""

import csv
import io
import logging
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from recouvrement.dossier import DossierRefused
from recouvrement.dossier.guards import PROVISIONAL_RATES
from recouvrement.ecb import DEFAULT_URL, fetch_mro_rows
from recouvrement.errors import RateFileError, RateUpdateError
from recouvrement.law.rates import COLUMNS, MRO, SERIES_NAMES, RateRow, RateTable, read_rate_rows

_logger = logging.getLogger(__name__)

ECB_URL_PARAMETER = "l10n_fr_recouvrement.ecb_url"
# Later origins override earlier ones for the same series and date.
ORIGIN_ORDER = ("shipped", "ecb", "manual")


class RecouvrementRate(models.Model):
    _name = "recouvrement.rate"
    _description = "Collection rate"
    _inherit = ["recouvrement.server.fields.mixin"]
    _order = "series, date desc, id desc"
    _server_fields = ("origin",)

    series = fields.Selection(selection="_selection_series", required=True)
    date = fields.Date(
        string="In force from",
        required=True,
        help="The ECB rate: the day of the change (or a day it is confirmed still in force). "
        "The legal interest rate: 1 January or 1 July.",
    )
    rate = fields.Float(string="Rate (%)", digits=(16, 4), required=True)
    source = fields.Char(
        required=True,
        help='Where the figure is published: "arrêté du 15 décembre 2025 (JORF 26 décembre '
        '2025)", "décision de la BCE du …".',
    )
    origin = fields.Selection(
        selection="_selection_origin", required=True, default="manual", readonly=True
    )

    _sql_constraints = [
        (
            "series_date_origin_unique",
            "UNIQUE(series, date, origin)",
            "A rate of this series is already entered for this date.",
        )
    ]

    @api.model
    def _selection_series(self):
        return [
            (MRO, self.env._("ECB main refinancing rate")),
            ("legal_individual", self.env._("Legal interest rate, creditor an individual")),
            ("legal_other", self.env._("Legal interest rate, other cases")),
        ]

    @api.model
    def _selection_origin(self):
        return [
            ("shipped", self.env._("Shipped with the engine")),
            ("ecb", self.env._("ECB Data Portal")),
            ("manual", self.env._("Entered by hand")),
        ]

    # ------------------------------------------------------------------
    # ORM: shipped and fetched rows are the server's, not edited by hand
    # ------------------------------------------------------------------
    def write(self, vals):
        self._check_manual()
        return super().write(vals)

    def unlink(self):
        self._check_manual()
        return super().unlink()

    def _check_manual(self):
        if not self._is_server_write() and any(rate.origin != "manual" for rate in self):
            raise UserError(
                self.env._(
                    "Shipped and ECB rates cannot be changed: enter a rate by hand for the "
                    "same series and date, with its source, to replace one."
                )
            )

    @api.constrains("series", "date", "rate", "source")
    def _check_engine_row(self):
        """The engine's own checks (bounds, legal rates on 1 January or 1 July)."""
        for rate in self.filtered(lambda rate: rate.origin == "manual"):
            if not (rate.source or "").strip():
                raise ValidationError(self.env._("Give the source of the rate."))
            try:
                rate._to_engine_row()
            except RateFileError as error:
                raise ValidationError(str(error)) from None

    def _to_engine_row(self):
        """This row through the engine's rate file parser, which checks it."""
        self.ensure_one()
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerow([self.series, self.date.isoformat(), Decimal(str(self.rate)), self.source])
        return read_rate_rows(buffer.getvalue(), self.env._("rate of %s", self.date))[0]

    # ------------------------------------------------------------------
    # The engine's table
    # ------------------------------------------------------------------
    @api.model
    def _get_engine_rows(self):
        """The ECB and hand-entered rows, as engine rows, ECB first (hand rows win)."""
        records = self.sudo().search([("origin", "!=", "shipped")])
        records = records.sorted(lambda rate: (ORIGIN_ORDER.index(rate.origin), rate.id))
        return tuple(
            RateRow(rate.series, rate.date, Decimal(str(rate.rate)), rate.source)
            for rate in records
        )

    @api.model
    def _sync_shipped_rows(self):
        """Copy the engine's shipped rows, at install and update."""
        shipped = RateTable.load(user_file=None)
        rows = {
            (row.series, row.day): row for series in SERIES_NAMES for row in shipped.rows(series)
        }
        Rate = self.sudo()
        existing = Rate.search([("origin", "=", "shipped")])
        for rate in existing:
            row = rows.pop((rate.series, rate.date), None)
            if row is None:
                rate.unlink()
            elif (Decimal(str(rate.rate)), rate.source) != (row.rate, row.source):
                rate.write({"rate": float(row.rate), "source": row.source})
        Rate.create([self._get_row_values(row, "shipped") for row in rows.values()])

    @api.model
    def _get_row_values(self, row, origin):
        return {
            "series": row.series,
            "date": row.day,
            "rate": float(row.rate),
            "source": row.source,
            "origin": origin,
        }

    # ------------------------------------------------------------------
    # Update from the ECB
    # ------------------------------------------------------------------
    def action_update_from_ecb(self):
        """The button: fetch the ECB series, and say how it went in a notification."""
        if not self.env.user.has_group("l10n_fr_recouvrement.group_recouvrement_manager"):
            raise AccessError(self.env._("Only collection managers update the rates."))
        log = self.env["recouvrement.rate.update"].sudo()._run_update()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Update from the ECB"),
                "message": log.message,
                "type": "success" if log.state == "done" else "danger",
                "sticky": log.state != "done",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _cron_update_from_ecb(self):
        self.env["recouvrement.rate.update"].sudo()._run_update()

    @api.model
    def _replace_ecb_rows(self, rows):
        Rate = self.sudo()
        Rate.search([("origin", "=", "ecb")]).unlink()
        Rate.create([self._get_row_values(row, "ecb") for row in rows])

    # ------------------------------------------------------------------
    # Missing rates, explained
    # ------------------------------------------------------------------
    @api.model
    def _explain_missing_rate(self, error):
        """The French explanation of an engine ``MissingRate``, naming the rates menu."""
        return self.env._(
            "The %(series)s of the %(half_year)s is not known yet, and a letter never quotes "
            "a provisional rate: it waits. Enter the rate in Invoicing > Configuration > "
            "Collection > Rates (or click Update from the ECB there), then print the letter "
            "again, or send it again with Validate and send.",
            series=SERIES_NAMES[error.series],
            half_year=error.half_year.label_fr(),
        )


class RecouvrementRateUpdate(models.Model):
    """One update of the rates from the ECB, and how it went: the log on the rates screen."""

    _name = "recouvrement.rate.update"
    _description = "Update of the rates from the ECB"
    _order = "id desc"

    state = fields.Selection(
        selection="_selection_state", string="Status", required=True, readonly=True
    )
    message = fields.Text(readonly=True)
    url = fields.Char(string="URL", readonly=True)

    @api.model
    def _selection_state(self):
        return [("done", self.env._("Done")), ("failed", self.env._("Failed"))]

    @api.model
    def _run_update(self):
        """Fetch the ECB series and replace the ECB rows; a failure is logged, never raised."""
        url = self.env["ir.config_parameter"].sudo().get_param(ECB_URL_PARAMETER) or DEFAULT_URL
        today = fields.Date.context_today(self)
        try:
            rows = fetch_mro_rows(url, today=today)
        except RateUpdateError as error:
            _logger.warning("Rates not updated from %s: %s", url, error)
            message = self.env._("The rates are not updated: %s", error)
            return self.create({"state": "failed", "message": message, "url": url})
        self.env["recouvrement.rate"]._replace_ecb_rows(rows)
        message = self.env._(
            "%(count)s ECB rows fetched; rate of %(rate)s %% in force on %(day)s.",
            count=len(rows),
            rate=rows[-1].rate,
            day=rows[-1].day.strftime("%d/%m/%Y"),
        )
        return self.create({"state": "done", "message": message, "url": url})


class RecouvrementDossier(models.Model):
    """A dossier on provisional rates says so, and waits for them, naming the rates menu."""

    _inherit = "recouvrement.dossier"

    def _store_engine_result(self, decompte, choice, court, warnings=()):
        if decompte.provisional:
            warnings = (*warnings, self._get_provisional_rates_text())
        return super()._store_engine_result(decompte, choice, court, warnings)

    def _raise_engine_error(self, error):
        if isinstance(error, DossierRefused) and PROVISIONAL_RATES in error.guards:
            error = DossierRefused(
                [
                    (guard, self._get_provisional_rates_text())
                    if guard == PROVISIONAL_RATES
                    else (guard, message)
                    for guard, message in error.problems
                ]
            )
        return super()._raise_engine_error(error)

    def _get_provisional_rates_text(self):
        return self.env._(
            "The interest runs on provisional rates: a half-year's rate is not known yet, and "
            "a court request needs published rates. Enter it in Invoicing > Configuration > "
            "Collection > Rates (or click Update from the ECB there), then click Compute."
        )
