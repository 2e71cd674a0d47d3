"""The court case once the dossier is filed: order, service, objection, payment, costs.

The engine's timeline (``recouvrement.dossier.timeline``) reads the dated events and
says where the case stands and when each limit ends (CPC 1411, 1416, 1422, décret
n° 2026-96, counted per CPC 640-644); this extension records the events through small
wizards, stores the deadlines, and keeps the legal counsel's activities in step with
them.

The order is void when its service deadline passed unserved: ``order_void`` is computed
from the stored deadline and today's date, and searched the same way, rather than set by
a daily cron. It is then right at any moment (a cron's flag is stale until its next run,
and after a date is corrected), and the "order void" filter still works.
"""

from datetime import timedelta
from decimal import Decimal

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date

from recouvrement.dossier.errors import TimelineError
from recouvrement.dossier.timeline import (
    CaseEvents,
    CaseState,
    Cost,
    Decision,
    build_timeline,
)
from recouvrement.law.time_limits import Place

from .recouvrement_dossier import RecouvrementDossier as BaseDossier

CASE_GROUP = "l10n_fr_recouvrement.group_recouvrement_legal"  # managers imply it
# The counsel's reminders: (activity type, days before the deadline).
SERVICE_FIRST_REMINDER = ("l10n_fr_recouvrement.mail_activity_type_case_service_first", 30)
SERVICE_LAST_REMINDER = ("l10n_fr_recouvrement.mail_activity_type_case_service_last", 7)
OBJECTION_END = ("l10n_fr_recouvrement.mail_activity_type_case_objection_end", 0)
CASE_ACTIVITY_TYPES = (SERVICE_FIRST_REMINDER[0], SERVICE_LAST_REMINDER[0], OBJECTION_END[0])
SERVICE_DUE_SOON_DAYS = 30
# What the events of the case are: a change of any reschedules the counsel's activities.
CASE_EVENT_FIELDS = (
    "filed_date", "order_date", "order_decision", "service_date", "objection_start_date",
    "objection_date", "paid_date", "closed_date",
)  # fmt: skip
CASE_FIELDS = (
    *CASE_EVENT_FIELDS[1:], "order_attachment_id", "commissaire_id", "registry_fees",
    "commissaire_fees",
)  # fmt: skip


class RecouvrementDossierCase(models.Model):
    _inherit = "recouvrement.dossier"

    # The case's events are recorded through the wizards only, by legal counsel.
    _server_fields = (*BaseDossier._server_fields, *CASE_FIELDS)

    counsel_id = fields.Many2one(
        "res.users",
        string="Legal counsel",
        tracking=True,
        domain=lambda self: [("groups_id", "in", self.env.ref(CASE_GROUP).ids)],
        help="Gets the activities ahead of the case's deadlines (the responsible user when empty).",
    )
    order_decision = fields.Selection(
        selection="_selection_order_decision",
        string="Decision",
        tracking=True,
        readonly=True,
        copy=False,
    )
    order_attachment_id = fields.Many2one(
        "ir.attachment", string="Order (PDF)", readonly=True, copy=False
    )
    commissaire_id = fields.Many2one(
        "res.partner", string="Commissaire de justice", readonly=True, copy=False
    )
    objection_start_date = fields.Date(
        string="First act in person",
        readonly=True,
        copy=False,
        help="CPC 1416 al. 2: when the order was not served to the debtor in person, the "
        "objection month runs from the first act served in person, or the first seizure.",
    )
    paid_date = fields.Date(string="Paid on", tracking=True, readonly=True, copy=False)
    closed_date = fields.Date(string="Closed on", tracking=True, readonly=True, copy=False)
    registry_fees = fields.Monetary(string="Registry fees", readonly=True, copy=False)
    commissaire_fees = fields.Monetary(
        string="Commissaire de justice fees", readonly=True, copy=False
    )
    total_costs = fields.Monetary(string="Costs advanced", compute="_compute_total_costs")
    service_deadline = fields.Date(
        help="CPC 1411: the order lapses unless served within three months of its date "
        "(six months for an order issued before 1 September 2026)."
    )
    objection_deadline = fields.Date(
        help="CPC 1416: the debtor may object within one month of service (of the first "
        "act in person), more for a debtor overseas or abroad (CPC 643-644)."
    )
    enforcement_date = fields.Date(
        string="Enforcement from",
        compute="_compute_deadlines",
        store=True,
        help="The first day enforcement may proceed without an objection: the day after two "
        "months of service (décret n° 2026-96), or after the objection month for an older "
        "order (CPC 1422).",
    )
    case_state = fields.Selection(
        selection="_selection_case_state", compute="_compute_timeline", string="Case"
    )
    order_void = fields.Boolean(
        string="Order void",
        compute="_compute_timeline",
        search="_search_order_void",
        help="The service deadline passed and the order was not served (CPC 1411).",
    )
    timeline_html = fields.Html(string="Timeline", compute="_compute_timeline", sanitize=False)

    @api.model
    def _selection_order_decision(self):
        return [
            (Decision.GRANTED.value, self.env._("Granted")),
            (Decision.REFUSED.value, self.env._("Refused")),
        ]

    @api.model
    def _selection_case_state(self):
        return [
            (CaseState.FILED.value, self.env._("Filed")),
            (CaseState.ORDER_GRANTED.value, self.env._("Order granted, to serve")),
            (CaseState.ORDER_REFUSED.value, self.env._("Order refused")),
            (CaseState.VOID.value, self.env._("Order void")),
            (CaseState.SERVED.value, self.env._("Served")),
            (CaseState.OBJECTION.value, self.env._("Objection")),
            (CaseState.ENFORCEABLE.value, self.env._("Enforceable")),
            (CaseState.PAID.value, self.env._("Paid")),
            (CaseState.CLOSED.value, self.env._("Closed")),
        ]

    @api.model
    def _get_writable_fields_when_locked(self):
        return super()._get_writable_fields_when_locked() | {
            "counsel_id",
            "objection_start_date",
            *CASE_FIELDS,
        }

    # ------------------------------------------------------------------
    # The engine's timeline
    # ------------------------------------------------------------------
    def _get_case_places(self):
        """(court, debtor) for the limits: the court's own ZIP when named, else the debtor's
        (CPC 1406: the court of the debtor's domicile)."""
        partner = self.partner_id.commercial_partner_id
        debtor = Place(partner.country_id.code or "FR", partner.zip or "")
        if self.court_override_zip:
            return Place("FR", self.court_override_zip), debtor
        return (None if debtor.abroad else Place("FR", debtor.postcode)), debtor

    def _get_case_events(self, **changes):
        """The engine's events of this case, with ``changes`` (field: value) applied."""
        self.ensure_one()
        values = {name: self[name] for name in (*CASE_EVENT_FIELDS, "commissaire_id")}
        values.update(registry_fees=self.registry_fees, commissaire_fees=self.commissaire_fees)
        values.update(changes)
        if not values["filed_date"]:
            return None
        court, debtor = self._get_case_places()
        costs = [
            Cost(kind, Decimal(str(values[name])).quantize(Decimal("0.01")))
            for kind, name in (("registry", "registry_fees"), ("commissaire", "commissaire_fees"))
            if values[name]
        ]
        return CaseEvents(
            filed=values["filed_date"],
            order_date=values["order_date"] or None,
            decision=Decision(values["order_decision"]) if values["order_decision"] else None,
            service_date=values["service_date"] or None,
            commissaire=values["commissaire_id"].display_name or "",
            objection_start=values["objection_start_date"] or None,
            objection_date=values["objection_date"] or None,
            paid_date=values["paid_date"] or None,
            closed_date=values["closed_date"] or None,
            costs=tuple(costs),
            court=court,
            debtor=debtor,
        )

    def _get_timeline(self, as_of=None, **changes):
        """The engine's timeline on ``as_of`` (today), or None before the filing.

        Raises UserError with the engine's French message when the events contradict
        each other or the law.
        """
        events = self._get_case_events(**changes)
        if events is None:
            return None
        try:
            return build_timeline(events, as_of or fields.Date.context_today(self))
        except TimelineError as error:
            raise UserError(
                self.env._("The case of dossier %(name)s: %(error)s", name=self.name, error=error)
            ) from error

    @api.depends(
        "state", "order_date", "order_decision", "service_date", "objection_start_date",
        "objection_date", "court_override_zip", "partner_id.zip", "partner_id.country_id",
    )  # fmt: skip
    def _compute_deadlines(self):
        """The deadlines do not depend on today: stored, from the engine's rules."""
        for dossier in self:
            deadlines = {}
            events = dossier._get_case_events()
            if events is not None:
                try:
                    latest = max(day for day in _event_days(events))
                    timeline = build_timeline(events, latest)
                    deadlines = {item.code: item.day for item in timeline.deadlines}
                except TimelineError:
                    deadlines = {}  # shown on the form by _compute_timeline
            dossier.service_deadline = deadlines.get("service", False)
            dossier.objection_deadline = deadlines.get("objection", False)
            dossier.enforcement_date = deadlines.get("enforcement", False)
            if dossier.state == "order_granted":
                dossier.next_deadline = dossier.service_deadline
            elif dossier.state == "served":
                dossier.next_deadline = dossier.objection_deadline
            else:
                dossier.next_deadline = False

    @api.depends("registry_fees", "commissaire_fees")
    def _compute_total_costs(self):
        for dossier in self:
            dossier.total_costs = dossier.registry_fees + dossier.commissaire_fees

    @api.depends(*CASE_FIELDS, "filed_date", "service_deadline")
    def _compute_timeline(self):
        for dossier in self:
            dossier.case_state = False
            dossier.order_void = False
            dossier.timeline_html = False
            try:
                timeline = dossier._get_timeline()
            except UserError as error:
                dossier.timeline_html = Markup(
                    '<div class="alert alert-danger" role="alert">%s</div>'
                ) % (error.args[0],)
                continue
            if timeline is not None:
                dossier.case_state = timeline.state.value
                dossier.order_void = timeline.order_void
                dossier.timeline_html = dossier._render_timeline(timeline)

    def _search_order_void(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search the void orders with = True or = False."))
        today = fields.Date.context_today(self)
        void = [
            ("order_decision", "=", Decision.GRANTED.value),
            ("service_date", "=", False),
            ("service_deadline", "<", today),
            ("paid_date", "=", False),
            ("closed_date", "=", False),
        ]
        if (operator == "=") == value:
            return void
        return [
            "|", "|", "|", "|",
            ("order_decision", "!=", Decision.GRANTED.value),
            ("service_date", "!=", False),
            ("service_deadline", ">=", today),
            ("paid_date", "!=", False),
            ("closed_date", "!=", False),
        ]  # fmt: skip

    def _render_timeline(self, timeline):
        """The events and the deadlines, each with its rule, as the engine words them."""

        def day(value):
            return escape(format_date(self.env, value))

        rows = [
            Markup("<tr><td>%s</td><td>%s</td></tr>") % (day(event.day), event.text)
            for event in timeline.events
        ]
        html = Markup('<table class="table table-sm o_recouvrement_timeline"><tbody>%s</tbody>'
                      "</table>") % Markup().join(rows)  # fmt: skip
        if timeline.deadlines:
            rows = [
                Markup("<tr><td>%s</td><td><b>%s</b> (%s)<br/><small>%s</small></td></tr>")
                % (day(item.day), item.label, item.status.label_fr(), item.rule)
                for item in timeline.deadlines
            ]
            html += Markup('<h5>%s</h5><table class="table table-sm"><tbody>%s</tbody></table>') % (
                self.env._("Deadlines"),
                Markup().join(rows),
            )
        return html

    # ------------------------------------------------------------------
    # Recording the events (the wizards call these)
    # ------------------------------------------------------------------
    def _check_case_access(self):
        if not (self.env.su or self.env.user.has_group(CASE_GROUP)):
            raise AccessError(
                self.env._("Only legal counsel and collection managers record the court case.")
            )
        self.check_access("read")

    def _record_case_event(self, values, state=None):
        """Check ``values`` against the engine's timeline, then write them (and ``state``).

        Legal counsel reads dossiers only: once its group is checked, the write runs as
        superuser, as the export does.
        """
        self.ensure_one()
        self._check_case_access()
        changes = {name: value for name, value in values.items() if name in CASE_EVENT_FIELDS}
        self._get_timeline(**changes)
        if state:
            values = {**values, "state": state}
        self.sudo()._server_write(values)  # reschedules the activities (write)
        return True

    def _attach_order(self, data, filename):
        self.ensure_one()
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": filename or f"{self.name} ordonnance.pdf",
                    "raw": data,
                    "mimetype": "application/pdf",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )

    def _open_case_wizard(self, kind):
        self.ensure_one()
        self._check_case_access()
        return {
            "type": "ir.actions.act_window",
            "name": dict(self.env["recouvrement.dossier.case.wizard"]._selection_kind())[kind],
            "res_model": "recouvrement.dossier.case.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_dossier_id": self.id, "default_kind": kind},
        }

    def action_record_order(self):
        return self._open_case_wizard("order")

    def action_record_service(self):
        return self._open_case_wizard("service")

    def action_record_objection(self):
        return self._open_case_wizard("objection")

    def action_record_payment(self):
        return self._open_case_wizard("payment")

    # The dossier's own buttons record the same events, through the same wizards.
    def action_order_granted(self):
        return self.action_record_order()

    def action_served(self):
        return self.action_record_service()

    def action_objection(self):
        return self.action_record_objection()

    def action_close(self):
        today = fields.Date.context_today(self)
        for dossier in self.filtered(lambda record: not record.closed_date):
            dossier._server_write({"closed_date": today})
        result = super().action_close()
        self._schedule_deadline_activities()
        return result

    # ------------------------------------------------------------------
    # The counsel's activities
    # ------------------------------------------------------------------
    def write(self, vals):
        result = super().write(vals)
        # Every case event and the counsel reschedule the counsel's activities.
        if set(vals) & {*CASE_EVENT_FIELDS, "counsel_id", "user_id"}:
            self._schedule_deadline_activities()
        return result

    def _get_case_activity_plan(self):
        """{activity type xmlid: (deadline, summary)} of the activities the case needs now."""
        self.ensure_one()
        if self.paid_date or self.closed_date or self.state == "closed":
            return {}
        plan = {}
        if self.order_decision == Decision.GRANTED.value and not self.service_date:
            for xmlid, days in (SERVICE_FIRST_REMINDER, SERVICE_LAST_REMINDER):
                plan[xmlid] = (
                    self.service_deadline - timedelta(days=days),
                    self.env._(
                        "Serve the order before %(day)s (CPC 1411)",
                        day=format_date(self.env, self.service_deadline),
                    ),
                )
        if self.service_date and not self.objection_date and self.objection_deadline:
            plan[OBJECTION_END[0]] = (
                self.objection_deadline,
                self.env._(
                    "Objection month ends on %(day)s (CPC 1416): enforcement from %(start)s",
                    day=format_date(self.env, self.objection_deadline),
                    start=format_date(self.env, self.enforcement_date),
                ),
            )
        return plan

    def _schedule_deadline_activities(self):
        """Each needed activity exists once, at its date: moved when a date changes; marked
        done when its event happened (service, objection), cancelled otherwise."""
        today = fields.Date.context_today(self)
        for dossier in self.sudo():
            plan = dossier._get_case_activity_plan()
            user = dossier.counsel_id or dossier.user_id or self.env.user
            for xmlid in CASE_ACTIVITY_TYPES:
                activity_type = self.env.ref(xmlid)
                existing = dossier.activity_ids.filtered(
                    lambda activity, kind=activity_type: activity.activity_type_id == kind
                )
                if xmlid not in plan:
                    dossier._end_case_activities(xmlid, existing)
                    continue
                deadline, summary = plan[xmlid]
                values = {
                    "date_deadline": max(deadline, today),
                    "summary": summary,
                    "user_id": user.id,
                }
                if existing:
                    existing[1:].unlink()
                    existing[:1].write(values)
                else:
                    dossier.activity_schedule(xmlid, **values)

    def _end_case_activities(self, xmlid, activities):
        if not activities:
            return
        met = (xmlid == OBJECTION_END[0] and self.objection_date) or (
            xmlid != OBJECTION_END[0] and self.service_date
        )
        if met and not (self.paid_date or self.closed_date):
            activities.action_feedback(feedback=self.env._("Done: the event is recorded."))
        else:
            activities.unlink()


def _event_days(events):
    dated = (
        events.filed, events.order_date, events.service_date, events.objection_start,
        events.objection_date, events.paid_date, events.closed_date,
    )  # fmt: skip
    return [day for day in dated if day]
