from odoo import api, fields, models


class RecouvrementLetterDateWizard(models.TransientModel):
    """The date a letter was posted, or received (the acknowledgment of receipt), or a
    manager's correction of that receipt date; today by default.

    The communications' dates are written by their actions only, which check the date:
    this wizard asks for it and calls them.
    """

    _name = "recouvrement.letter.date.wizard"
    _description = "Posting or receipt date of a letter"

    communication_ids = fields.Many2many("recouvrement.communication", required=True)
    step = fields.Selection(
        selection="_selection_step", required=True, default="posted", readonly=True
    )
    day = fields.Date(string="Date", required=True, default=fields.Date.context_today)

    @api.model
    def _selection_step(self):
        return [
            ("posted", self.env._("Posted on")),
            ("delivered", self.env._("Received on")),
            ("correct_receipt", self.env._("Corrected receipt date")),
        ]

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "recouvrement.communication":
            values["communication_ids"] = [(6, 0, self.env.context.get("active_ids") or [])]
        return values

    def action_confirm(self):
        self.ensure_one()
        if self.step == "posted":
            self.communication_ids.action_mark_posted(self.day)
        elif self.step == "delivered":
            self.communication_ids.action_mark_delivered(self.day)
        else:
            self.communication_ids.action_correct_receipt_date(self.day)
        return {"type": "ir.actions.act_window_close"}
