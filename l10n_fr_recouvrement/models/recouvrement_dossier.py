"""The judicial handoff: a court dossier for a debtor who did not pay after the mise en demeure.

The engine decides everything French law decides (the décompte, the proposed route, the
competent court, the guards, the mandatory mentions, the order and numbering of the
exhibits, the ZIP); this model gathers the records, freezes what was exported and tracks
the procedure's deadlines (CPC 1411, 1416).
"""

import hashlib

from odoo import Command, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError

from recouvrement.decompte import compute_decompte
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
from recouvrement.errors import RecouvrementError
from recouvrement.law.procedure import objection_deadline, service_deadline

from .server_fields import attachment_belongs_to

SEQUENCE_CODE = "recouvrement.dossier"
LOCKED_STATES = ("exported", "filed", "order_granted", "served", "objection", "closed")


class RecouvrementDossier(models.Model):
    """A court dossier: the claim, its exhibits, its exports and the procedure's deadlines."""

    _name = "recouvrement.dossier"
    _description = "Court dossier (injonction de payer, PSRPC)"
    _inherit = ["recouvrement.server.fields.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    # The engine's results and the workflow's state: set by the actions only.
    _server_fields = (
        "name", "state", "procedure_proposed", "procedure_explanation", "court_name",
        "court_kind", "court_address", "court_matched", "amount_principal",
        "amount_interest", "amount_indemnity", "amount_total", "line_ids", "export_ids",
        "warnings",
    )  # fmt: skip

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
    @api.model
    def _prepare_server_values(self, vals):
        if vals.get("name", "/") == "/":
            vals["name"] = self.env["ir.sequence"].next_by_code(SEQUENCE_CODE) or "/"

    def write(self, vals):
        frozen = set(vals) - self._get_writable_fields_when_locked()
        if frozen and any(dossier.state in LOCKED_STATES for dossier in self):
            raise UserError(
                self.env._(
                    "An exported dossier is frozen: its invoices, amounts and exhibits no "
                    "longer change. Export again for a new version, or create a new dossier."
                )
            )
        return super().write(vals)

    @api.constrains("partner_id", "move_ids")
    def _check_invoices_of_debtor(self):
        for dossier in self:
            if dossier.move_ids.commercial_partner_id - dossier.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._("The invoices of dossier %s must be the debtor's.", dossier.name)
                )

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
            if not attachment_belongs_to(exhibit.attachment_id, self.company_id):
                raise UserError(exhibit._foreign_attachment_message(exhibit.attachment_id))
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
            problems = "\n".join(f"• {message}" for _guard, message in error.problems)
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
                court, warnings = case.court, ()
                if court is None and procedure is Procedure.INJONCTION:
                    kind = competent_kind(case.account.regime, case.debtor)
                    court, warnings = dossier._find_court(kind, case.debtor.address)
            except RecouvrementError as error:
                dossier._raise_engine_error(error)
            dossier._store_engine_result(decompte, choice, court, warnings)

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
        self._server_write(
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
        self._server_write({"state": "ready"})
        return True

    def action_draft(self):
        self._check_state(("ready",), self.env._("set back to draft"))
        self._server_write({"state": "draft"})
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
                exhibit._server_write(
                    {
                        "number": numbered.number if numbered else 0,
                        "engine_title": numbered.title if numbered else False,
                    }
                )
            values = {"state": "exported"} if dossier.state == "ready" else {}
            dossier._server_write(values)
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
            dossier._server_write({"state": "filed", "filed_date": dossier.filed_date or today})
        return True

    def action_order_granted(self):
        self._check_state(("filed",), self.env._("marked as granted"))
        today = fields.Date.context_today(self)
        for dossier in self:
            dossier._server_write(
                {"state": "order_granted", "order_date": dossier.order_date or today}
            )
        return True

    def action_served(self):
        self._check_state(("order_granted",), self.env._("marked as served"))
        today = fields.Date.context_today(self)
        for dossier in self:
            dossier._server_write(
                {"state": "served", "service_date": dossier.service_date or today}
            )
        return True

    def action_objection(self):
        self._check_state(("served",), self.env._("marked as opposed"))
        today = fields.Date.context_today(self)
        for dossier in self:
            dossier._server_write(
                {"state": "objection", "objection_date": dossier.objection_date or today}
            )
        return True

    def action_close(self):
        self._check_state(
            ("exported", "filed", "order_granted", "served", "objection"), self.env._("closed")
        )
        self._server_write({"state": "closed"})
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
