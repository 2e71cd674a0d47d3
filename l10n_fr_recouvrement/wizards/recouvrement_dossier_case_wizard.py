import base64

from odoo import api, fields, models
from odoo.exceptions import UserError

# What each step records, and the dossier states it starts from.
STEP_STATES = {
    "order": ("filed", "order_granted"),
    "service": ("order_granted", "served"),
    "objection": ("served",),
    "payment": ("filed", "order_granted", "served", "objection"),
}
STEP_FIELDS = {
    "order": ("order_date", "order_decision", "registry_fees"),
    "service": ("service_date", "commissaire_id", "commissaire_fees", "objection_start_date"),
    "objection": ("objection_date",),
    "payment": ("paid_date",),
}


class RecouvrementDossierCaseWizard(models.TransientModel):
    """One event of the court case: the order, its service, an objection, the payment.

    The engine's timeline checks the dates against the others and the law (no service
    before the order or after its deadline, no objection after the month, nothing in the
    future) before the dossier records them.
    """

    _name = "recouvrement.dossier.case.wizard"
    _description = "Court case event"

    dossier_id = fields.Many2one("recouvrement.dossier", required=True, readonly=True)
    kind = fields.Selection(selection="_selection_kind", required=True, readonly=True)
    currency_id = fields.Many2one(related="dossier_id.currency_id")
    filed_date = fields.Date(related="dossier_id.filed_date")
    order_date = fields.Date(string="Order date")
    order_decision = fields.Selection(selection="_selection_order_decision", string="Decision")
    order_file = fields.Binary(string="Order (PDF)", attachment=False)
    order_filename = fields.Char(string="Order file name")
    has_order_attachment = fields.Boolean(
        string="Order attached", compute="_compute_has_order_attachment"
    )
    registry_fees = fields.Monetary(string="Registry fees")
    service_date = fields.Date(string="Served on")
    commissaire_id = fields.Many2one("res.partner", string="Commissaire de justice")
    commissaire_fees = fields.Monetary(string="Commissaire de justice fees")
    objection_start_date = fields.Date(
        string="First act in person",
        help="CPC 1416 al. 2: only when the order was not served to the debtor in person.",
    )
    objection_date = fields.Date(string="Objection on")
    paid_date = fields.Date(string="Paid on")

    @api.model
    def _selection_kind(self):
        return [
            ("order", self.env._("Record the order")),
            ("service", self.env._("Record the service")),
            ("objection", self.env._("Record an objection")),
            ("payment", self.env._("Record the payment")),
        ]

    @api.model
    def _selection_order_decision(self):
        return self.env["recouvrement.dossier"]._selection_order_decision()

    @api.model
    def default_get(self, fields_list):
        """The dossier's current values: recording again corrects them."""
        values = super().default_get(fields_list)
        dossier = self.env["recouvrement.dossier"].browse(values.get("dossier_id"))
        for name in STEP_FIELDS.get(values.get("kind"), ()):
            if name in fields_list and dossier[name]:
                value = dossier[name]
                values[name] = value.id if isinstance(value, models.BaseModel) else value
        return values

    @api.depends("dossier_id.order_attachment_id")
    def _compute_has_order_attachment(self):
        for wizard in self:
            wizard.has_order_attachment = bool(wizard.dossier_id.order_attachment_id)

    def action_confirm(self):
        self.ensure_one()
        dossier = self.dossier_id
        dossier._check_case_access()
        if dossier.state not in STEP_STATES[self.kind]:
            raise UserError(
                self.env._(
                    "%(step)s: the dossier %(name)s is not at that stage.",
                    step=dict(self._selection_kind())[self.kind],
                    name=dossier.name,
                )
            )
        if not dossier.filed_date:
            raise UserError(self.env._("Record the filing of dossier %s first.", dossier.name))
        values, state = getattr(self, f"_prepare_{self.kind}")()
        dossier._record_case_event(values, state)
        return {"type": "ir.actions.act_window_close"}

    def _require(self, *names):
        missing = [self._fields[name].string for name in names if not self[name]]
        if missing:
            raise UserError(self.env._("Fill in: %s.", ", ".join(missing)))

    def _prepare_order(self):
        self._require("order_date", "order_decision")
        values = {
            "order_date": self.order_date,
            "order_decision": self.order_decision,
            "registry_fees": self.registry_fees,
        }
        granted = self.order_decision == "granted"
        if self.order_file:
            values["order_attachment_id"] = self.dossier_id._attach_order(
                self._get_order_pdf(), self.order_filename
            ).id
        elif granted and not self.dossier_id.order_attachment_id:
            raise UserError(self.env._("Attach the order's PDF: a granted order is served."))
        if not granted:
            return values, "closed"
        return values, None if self.dossier_id.service_date else "order_granted"

    def _get_order_pdf(self):
        data = base64.b64decode(self.order_file)
        if not data.startswith(b"%PDF-"):
            raise UserError(self.env._("The order must be a PDF file."))
        return data

    def _prepare_service(self):
        self._require("service_date", "commissaire_id")
        values = {name: self[name] for name in STEP_FIELDS["service"]}
        values["commissaire_id"] = self.commissaire_id.id
        return values, None if self.dossier_id.objection_date else "served"

    def _prepare_objection(self):
        self._require("objection_date")
        return {"objection_date": self.objection_date}, "objection"

    def _prepare_payment(self):
        self._require("paid_date")
        return {"paid_date": self.paid_date}, "closed"
