from odoo import api, fields, models
from odoo.exceptions import ValidationError

from recouvrement.documents.mentions import KINDS
from recouvrement.escalation import DEFAULT_MIN_INTERVAL_DAYS, Channel, Level

ENGINE_CHANNELS = {channel.value: channel for channel in Channel}


class RecouvrementPolicy(models.Model):
    """A reminder ladder: the ordered levels an overdue invoice climbs.

    The company's policy is the default; a partner's or an invoice's policy overrides it.
    """

    _name = "recouvrement.policy"
    _inherit = ["recouvrement.server.fields.mixin"]
    _description = "Collection policy"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to share the policy between companies.",
    )
    level_ids = fields.One2many(
        "recouvrement.policy.level", "policy_id", string="Levels", copy=True
    )
    invoice_pdf = fields.Selection(
        selection="_selection_invoice_pdf",
        string="Invoice PDFs in e-mails",
        required=True,
        default="render",
        help="Stored: attach the invoice PDF Odoo keeps once an invoice was sent or printed.\n"
        "Stored, else render: also render the missing ones with Odoo's invoice report when "
        "its PDF engine is available.",
    )
    note = fields.Text()

    @api.model
    def _selection_invoice_pdf(self):
        return [
            ("none", self.env._("None")),
            ("stored", self.env._("Stored")),
            ("render", self.env._("Stored, else render")),
        ]

    def _get_levels(self):
        """The levels in ladder order."""
        self.ensure_one()
        return self.level_ids.sorted(lambda level: (level.sequence, level.id))

    def _get_ladder(self):
        """The engine ladder and, for each engine sequence, the level record."""
        self.ensure_one()
        levels = self._get_levels()
        ladder = tuple(level._to_engine(position) for position, level in enumerate(levels, 1))
        return ladder, dict(enumerate(levels, 1))

    def _get_position_function(self):
        """``level → position`` on this ladder (0 = none), for many invoices.

        The levels are read once; a level of another policy maps to the ground it covers.
        """
        self.ensure_one()
        levels = self._get_levels()
        positions = {level.id: position for position, level in enumerate(levels, 1)}
        offsets = levels.mapped("days_after_due")

        def position(level):
            if not level:
                return 0
            if level.id not in positions:
                # A level of another policy: the invoice keeps the ground it has covered.
                positions[level.id] = sum(1 for days in offsets if days <= level.days_after_due)
            return positions[level.id]

        return position


class RecouvrementPolicyLevel(models.Model):
    _name = "recouvrement.policy.level"
    _inherit = ["recouvrement.server.fields.mixin"]
    _description = "Collection level"
    _order = "policy_id, sequence, id"

    policy_id = fields.Many2one(
        "recouvrement.policy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Technical name, e.g. relance_ferme.")
    days_after_due = fields.Integer(
        string="Days after due date",
        required=True,
        help="Days after the due date when the level is reached; negative: before it.",
    )
    min_days_since_previous = fields.Integer(
        string="Minimum days since previous reminder",
        required=True,
        default=DEFAULT_MIN_INTERVAL_DAYS,
    )
    channel_ids = fields.Many2many(
        "recouvrement.channel",
        string="Channels",
        required=True,
    )
    letter_kind = fields.Selection(
        selection="_selection_letter_kind",
        help="The kind of letter the level produces; its mandatory mentions are checked "
        "before anything is printed.",
    )
    report_id = fields.Many2one(
        "ir.actions.report",
        string="DOCX template",
        domain="[('model', '=', 'recouvrement.communication'), "
        "('report_type', 'in', ('docx', 'docx-pdf'))]",
        help="The letter template. Empty: the engine's default template for the kind.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail template",
        domain="[('model', '=', 'recouvrement.communication')]",
    )
    is_formal_notice = fields.Boolean(
        string="Mise en demeure",
        help="The formal notice of C. civ. 1344: its receipt starts legal interest for a consumer.",
    )
    is_handoff = fields.Boolean(
        string="Ends the amicable phase",
        help="Reaching this level hands the claim over to the judicial phase.",
    )

    _sql_constraints = [
        (
            "min_days_positive",
            "CHECK(min_days_since_previous >= 0)",
            "The minimum number of days since the previous reminder cannot be negative.",
        ),
    ]

    @api.model
    def _selection_letter_kind(self):
        labels = {
            "relance_courtoise": self.env._("Courteous reminder"),
            "relance_ferme": self.env._("Firm reminder"),
            "derniere_relance": self.env._("Last reminder"),
            "mise_en_demeure": self.env._("Formal notice (mise en demeure)"),
            "releve_de_compte": self.env._("Statement of account"),
            "relance_mandataire": self.env._("Third-party collection letter"),
        }
        return [(kind, labels.get(kind, kind)) for kind in KINDS]

    @api.constrains("channel_ids", "letter_kind", "is_formal_notice")
    def _check_letter(self):
        for level in self:
            codes = set(level.channel_ids.mapped("code"))
            if codes & {"letter", "registered_letter"} and not level.letter_kind:
                raise ValidationError(
                    self.env._("Level %s sends a letter: choose its kind.", level.name)
                )
            if level.is_formal_notice and level.letter_kind != "mise_en_demeure":
                raise ValidationError(
                    self.env._(
                        "The mise en demeure level %s must print a mise en demeure.", level.name
                    )
                )

    @api.constrains("report_id")
    def _check_report(self):
        for level in self.filtered("report_id"):
            report = level.report_id
            if report.model != "recouvrement.communication" or not report._is_docx():
                raise ValidationError(
                    self.env._(
                        "The template of level %s must be a DOCX report on communications.",
                        level.name,
                    )
                )

    def _to_engine(self, position):
        """This level as an engine ``Level`` at ``position`` on its ladder."""
        self.ensure_one()
        channels = tuple(
            ENGINE_CHANNELS[code]
            for code in self.channel_ids.mapped("code")
            if code in ENGINE_CHANNELS
        )
        return Level(
            sequence=position,
            code=self.code or f"level_{self.id}",
            name=self.name,
            days_after_due=self.days_after_due,
            channels=channels,
            document=self.letter_kind or None,
            min_days_since_previous=self.min_days_since_previous,
            formal_notice=self.is_formal_notice,
            ends_amicable=self.is_handoff,
        )

    def _get_channel_codes(self):
        self.ensure_one()
        return set(self.channel_ids.mapped("code"))
