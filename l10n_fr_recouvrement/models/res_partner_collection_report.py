"""The per-customer collection report (the follow-up report): open items with their
penalties, the communications sent and the next step, in the customer's language."""

from odoo import api, models
from odoo.tools import format_amount, format_date

from recouvrement.escalation import OpenItem, next_level

REPORT_XMLID = "l10n_fr_recouvrement.action_report_collection_customer"
SENT_STATES = ("sent", "delivered", "failed")


class ResPartner(models.Model):
    _inherit = "res.partner"

    def action_recouvrement_collection_report(self):
        return self.env.ref(REPORT_XMLID).report_action(self.commercial_partner_id)


class ReportCollectionCustomer(models.AbstractModel):
    _name = "report.l10n_fr_recouvrement.report_collection_customer"
    _description = "Customer collection report"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids).commercial_partner_id
        as_of = self.env["recouvrement.overdue.report"]._get_as_of()
        rows = self.env["recouvrement.overdue.report"].search(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", self.env.company.id),
            ],
            order="invoice_date_due, id",
        )
        # The engine's penalties of every open invoice, in one pass.
        rows.move_id.with_context(recouvrement_as_of=as_of).mapped("recouvrement_penalty_amount")
        communications = self.env["recouvrement.communication"].search(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", self.env.company.id),
                ("state", "in", SENT_STATES),
            ],
            order="date desc, id desc",
        )
        rows_by_partner = rows.grouped("partner_id")
        communications_by_partner = communications.grouped("partner_id")
        Row, Communication = rows.browse(), communications.browse()
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "company": self.env.company,
            "collections": {
                partner.id: self._get_collection(
                    partner,
                    rows_by_partner.get(partner, Row),
                    communications_by_partner.get(partner, Communication),
                    as_of,
                )
                for partner in partners
            },
        }

    def _get_collection(self, partner, rows, communications, as_of):
        """What the report prints for ``partner``, formatted in the partner's language."""
        lang = partner.lang or self.env.lang
        env = self.with_context(lang=lang, recouvrement_as_of=as_of).env
        currency = self.env.company.currency_id

        def money(amount):
            return format_amount(env, amount, currency, lang_code=lang)

        def day(value):
            return format_date(env, value, lang_code=lang) if value else ""

        moves = rows.move_id.with_env(env)
        penalties = sum(moves.mapped("recouvrement_penalty_amount"))
        indemnities = sum(moves.mapped("recouvrement_indemnity_amount"))
        due = sum(rows.mapped("amount_residual"))
        states = dict(env["recouvrement.communication"]._selection_state())
        return {
            "lang": lang,
            "as_of": day(as_of),
            "items": [
                {
                    "invoice": row.move_id.name,
                    "date": day(row.move_id.invoice_date),
                    "due_date": day(row.invoice_date_due),
                    "days_late": row.age_days,
                    "amount_due": money(row.amount_residual),
                    "penalties": money(move.recouvrement_penalty_amount),
                    "indemnity": money(move.recouvrement_indemnity_amount),
                }
                for row, move in zip(rows, moves, strict=True)
            ],
            "total_due": money(due),
            "total_penalties": money(penalties),
            "total_indemnity": money(indemnities),
            "total_claimed": money(due + penalties + indemnities),
            "rate_warning": moves[:1].recouvrement_rate_warning,
            "communications": [
                {
                    "date": day(communication.date),
                    "reference": communication.name,
                    "level": communication.level_id.with_env(env).name,
                    "channels": ", ".join(communication.channel_ids.with_env(env).mapped("name")),
                    "state": states.get(communication.state, communication.state),
                }
                for communication in communications
            ],
            "next_step": self._get_next_step(rows, env, day),
        }

    def _get_next_step(self, rows, env, day):
        """The next step, in words: the level the earliest unblocked invoice reaches next,
        and when; or why nothing is coming."""
        if not rows:
            return env._("None: nothing is open.")
        waiting = rows.filtered(lambda row: row.next_date and not row.blocked)
        if not waiting:
            blocked = rows.filtered("blocked")[:1]
            if not blocked:
                return env._("None: the last level of the ladder is reached.")
            reasons = dict(env["recouvrement.block"]._selection_reason())
            return env._("None: collection is blocked (%s).", reasons[blocked.block_reason])
        row = waiting.sorted(lambda row: (row.next_date, row.id))[0]
        move = row.move_id
        policy = move._recouvrement_get_policy()
        ladder, levels = policy._get_ladder()
        item = OpenItem(
            invoice=str(move.id),
            debtor=str(move.commercial_partner_id.id),
            due_date=move.invoice_date_due,
            balance=1,
            level=policy._get_position_function()(move.recouvrement_level_id),
            last_reminder=move.recouvrement_last_date or None,
        )
        level = levels[next_level(item, ladder).sequence]
        return env._(
            "%(level)s from %(date)s (invoice %(invoice)s).",
            level=level.with_env(env).name,
            date=day(row.next_date),
            invoice=move.name,
        )
