from odoo import api, fields, models


class RecouvrementChannel(models.Model):
    """How a level reaches the debtor: e-mail, letter, registered letter, phone task.

    A level may use several channels at once. The codes match the engine's
    ``recouvrement.escalation.Channel``; other modules add codes by extending
    :meth:`_selection_code` (SMS, electronic registered letter…).
    """

    _name = "recouvrement.channel"
    _inherit = ["recouvrement.server.fields.mixin"]
    _description = "Collection channel"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(selection="_selection_code", required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "unique(code)", "A channel with this code already exists."),
    ]

    @api.model
    def _selection_code(self):
        return [
            ("email", self.env._("E-mail")),
            ("letter", self.env._("Letter")),
            ("registered_letter", self.env._("Registered letter")),
            ("phone", self.env._("Phone task")),
        ]
