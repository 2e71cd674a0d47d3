"""Registered letters sent through the company's provider, and their updates.

The background letters job sends them (never the user's request), in batches whose
provider calls overlap; the scheduled poll and the provider's callbacks re-read each
sending from the provider's API, download the proofs not stored yet and date the letter
from them. Without a provider account the letter is posted by hand, as before.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from recouvrement.delivery import (
    DeliveryState,
    Letter,
    Recipient,
    read_sending,
    refresh_many,
    send_many,
)
from recouvrement.errors import RecouvrementError
from recouvrement.law.registered_letter import Channel, channel_for
from recouvrement.postal_address import Party, provider_lines

_logger = logging.getLogger(__name__)

IN_FLIGHT_STATES = ("submitted", "deposited", "first_presentation")
# A letter refused or left unclaimed is not received: counsel decides what follows.
COUNSEL_STATES = (DeliveryState.REFUSED, DeliveryState.NOT_CLAIMED)
POLL_BATCH_SIZE = 200
# A letter read this recently (by a poll or a callback) waits for the next poll.
POLL_INTERVAL = timedelta(hours=1)
REGISTERED_FIELDS = (
    "registered_provider_id", "registered_sending_id", "registered_channel",
    "registered_state", "registered_state_reason", "first_presented_date",
    "legal_counsel_needed", "registered_event_count", "registered_proof_kinds",
    "registered_read_at",
)  # fmt: skip


class RecouvrementCommunication(models.Model):
    _inherit = "recouvrement.communication"

    registered_provider_id = fields.Many2one(
        "recouvrement.registered.provider", string="Provider", readonly=True, copy=False
    )
    registered_sending_id = fields.Char(
        string="Provider sending ID", readonly=True, copy=False, index="btree_not_null"
    )
    registered_channel = fields.Selection(
        [(Channel.LRAR.value, "Paper (LRAR)"), (Channel.LRE.value, "Electronic (LRE)")],
        string="Registered letter type",
        readonly=True,
        copy=False,
    )
    registered_state = fields.Selection(
        selection="_selection_registered_state",
        string="Delivery",
        readonly=True,
        copy=False,
        tracking=True,
    )
    registered_state_reason = fields.Char(string="Delivery failure reason", readonly=True)
    first_presented_date = fields.Date(string="First presented on", readonly=True, copy=False)
    legal_counsel_needed = fields.Boolean(
        string="For legal counsel",
        readonly=True,
        copy=False,
        help="The registered letter was refused or not claimed: the letter is not received, "
        "its first presentation date is kept for counsel to decide what follows.",
    )
    registered_event_count = fields.Integer(readonly=True, copy=False)
    registered_read_at = fields.Datetime(
        string="Last read from the provider", readonly=True, copy=False
    )
    registered_proof_kinds = fields.Char(readonly=True, copy=False)

    @api.model
    def _selection_registered_state(self):
        return [
            ("to_post", self.env._("To post")),
            ("submitted", self.env._("Submitted")),
            ("deposited", self.env._("Deposited")),
            ("first_presentation", self.env._("First presentation")),
            ("delivered", self.env._("Delivered")),
            ("refused", self.env._("Refused")),
            ("not_claimed", self.env._("Not claimed")),
            ("undeliverable", self.env._("Undeliverable")),
        ]

    @api.model
    def _get_writable_fields_when_locked(self):
        writable = super()._get_writable_fields_when_locked()
        if self._is_server_write():  # the provider's updates, after sending
            writable |= {*REGISTERED_FIELDS, "registered_number", "posted_date"}
        return writable

    def action_mark_posted(self, day=None):
        self._check_not_sent_through_provider()
        return super().action_mark_posted(day)

    def action_mark_delivered(self, day=None):
        self._check_not_sent_through_provider()
        return super().action_mark_delivered(day)

    def _check_not_sent_through_provider(self):
        """A letter the provider carries is dated by the provider's proofs, not by hand."""
        carried = self.filtered("registered_sending_id")
        if carried:
            raise UserError(
                self.env._(
                    "%(name)s was sent through %(provider)s: its posting and receipt dates "
                    "come from the provider's proofs.",
                    name=carried[0].name,
                    provider=carried[0].registered_provider_id.sudo().display_name,
                )
            )

    # ------------------------------------------------------------------
    # Sending, from the background job
    # ------------------------------------------------------------------
    def _get_registered_account(self):
        """The company's provider account for this debtor's registered letter, or an
        empty recordset (the letter is then posted by hand)."""
        return self._get_registered_route()[1]

    def _get_registered_letter_channel(self):
        """``"lrar"`` or ``"lre"``: how this registered letter goes, as the letter says."""
        return self._get_registered_route()[0]

    def _get_registered_route(self):
        """``(channel, account)`` of this registered letter; no account: posted by hand.

        The provider it was first sent through, if any. Otherwise electronic when the
        company can send LRE (an LRE account, or its usual channel when it posts by hand)
        and the debtor may get one: a consumer only with recorded consent (CPCE L100)."""
        self.ensure_one()
        if self.registered_provider_id.active:
            return self.registered_provider_id.channel, self.registered_provider_id
        accounts = self.env["recouvrement.registered.provider"]._for_company(self.company_id)
        if accounts:
            preferred = Channel.LRE if Channel.LRE.value in accounts else Channel.LRAR
        else:
            preferred = Channel(self.company_id.recouvrement_registered_channel or "lrar")
        channel = channel_for(
            is_consumer=self._is_consumer_recipient(),
            lre_consent_date=self._get_lre_consent_date(),
            preferred=preferred,
        ).value
        return channel, accounts.get(channel, self.env["recouvrement.registered.provider"])

    def _is_consumer_recipient(self):
        return self.regime == "b2c"

    def _get_lre_consent_date(self):
        """The date the debtor agreed to electronic registered letters, if recorded."""
        debtor = self.partner_id.commercial_partner_id
        return (debtor.recouvrement_lre_consent and debtor.recouvrement_lre_consent_date) or None

    def _send_registered_letters(self):
        """Send the registered letters of the communications whose company has a provider.

        The provider calls of each account's letters overlap (``send_many``); a letter
        that cannot go (its address, the provider's refusal) fails alone."""
        by_account = defaultdict(lambda: self.browse())
        for communication in self:
            account = communication._get_registered_account()
            if account:
                by_account[account] |= communication
        for account, communications in by_account.items():
            communications._send_through(account)

    def _send_through(self, account):
        company = account.company_id
        try:
            sender = _party_of(company.partner_id, name=company.name)
        except RecouvrementError as error:
            self._mark_failed(_engine_message(error))  # the company's own address
            return
        jobs, ready = [], self.browse()
        for communication in self:
            try:
                jobs.append(communication._prepare_registered_job(sender))
            except RecouvrementError as error:
                communication._mark_failed(_engine_message(error))
                continue
            ready |= communication
        if not jobs:
            return
        ready._server_write({"registered_provider_id": account.id})
        client = account._get_client()
        for communication, outcome in zip(ready, send_many(client, jobs), strict=True):
            if outcome.error:
                communication._mark_failed(_engine_message(outcome.error))
                continue
            communication._server_write(
                {
                    "registered_channel": account.channel,
                    "registered_sending_id": outcome.status.sending_id,
                }
            )
            communication._apply_registered_status(outcome.status)

    def _prepare_registered_job(self, sender):
        """``(letter, recipient, sender)`` for the engine; an address that does not fit
        raises the engine's French error naming the line."""
        self.ensure_one()
        pdf = self._get_own_letter_pdf()
        letter = Letter(
            reference=self.name,
            pdf=pdf.raw,
            filename=pdf.name or "lettre.pdf",
            subject=self.level_id.name or "Lettre recommandée",
        )
        return letter, self._get_registered_recipient(), sender

    def _get_registered_recipient(self):
        """The debtor, addressed as NF Z10-011 orders it: the company, then the contact."""
        self.ensure_one()
        partner = self.partner_id
        debtor = partner.commercial_partner_id
        attention = partner.name if partner != debtor else None
        party = _party_of(partner, name=debtor.name, attention=attention)
        provider_lines(party)  # each line fits, or the error names it
        individual = not debtor.is_company
        return Recipient(
            party=party,
            email=partner.email or None,
            last_name=debtor.name if individual else None,
            is_consumer=self._is_consumer_recipient(),
            lre_consent_date=self._get_lre_consent_date(),
        )

    # ------------------------------------------------------------------
    # Updates: the poll and the callbacks
    # ------------------------------------------------------------------
    @api.model
    def _get_in_flight_domain(self):
        return [
            ("registered_sending_id", "!=", False),
            ("registered_state", "in", IN_FLIGHT_STATES),
        ]

    @api.model
    def _get_due_for_poll_domain(self):
        """Letters in flight not read from the provider within the last POLL_INTERVAL."""
        read_before = fields.Datetime.now() - POLL_INTERVAL
        return [
            *self._get_in_flight_domain(),
            "|",
            ("registered_read_at", "=", False),
            ("registered_read_at", "<", read_before),
        ]

    @api.model
    def _cron_poll_registered_letters(self):
        """Re-read the registered letters still in flight (for servers that no callback
        reaches), least recently read first: one batch, then the scheduler is told what
        remains. Each letter read leaves the due ones, so the runs always end."""
        due = self._get_due_for_poll_domain()
        batch = self.search(
            due, order="registered_read_at asc nulls first, id", limit=POLL_BATCH_SIZE
        )
        batch._refresh_registered_letters()
        remaining = self.search_count(due) if batch else 0
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining)
        return remaining

    def _refresh_registered_letters(self):
        """Re-read each sending from its provider's API and record what changed."""
        self = self._as_server()
        for account, communications in self.grouped("registered_provider_id").items():
            if not account:
                continue
            communications._server_write({"registered_read_at": fields.Datetime.now()})
            stored = {comm.name: comm._get_stored_proof_kinds() for comm in communications}
            outcomes = _read_sendings(account._get_client(), stored)
            for communication, outcome in zip(communications, outcomes, strict=True):
                if outcome.error:
                    # Nothing changes: the next poll or callback reads it again.
                    _logger.warning(
                        "Registered letter %s: %s", communication.name, outcome.error.code
                    )
                    continue
                communication._apply_registered_status(outcome.status, outcome.proofs)

    def _apply_registered_status(self, status, proofs=()):
        """Record the provider's view: state, number, dates, new proofs, new events."""
        self.ensure_one()
        values = {
            "registered_state": _local_state(status.state),
            "registered_state_reason": status.reason or False,
        }
        if status.registered_number:
            values["registered_number"] = status.registered_number
        deposited = status.date_of(DeliveryState.DEPOSITED)
        if deposited and not self.posted_date:
            values["posted_date"] = deposited.date()
        presented = status.first_presentation_date
        if presented and not self.first_presented_date:
            values["first_presented_date"] = presented.date()
        if status.state in COUNSEL_STATES:
            values["legal_counsel_needed"] = True
        values.update(self._store_registered_proofs(proofs))
        new_events = status.events[self.registered_event_count :]
        values["registered_event_count"] = len(status.events)
        self._server_write(values)
        received = status.receipt_date
        if self.state not in ("draft", "cancelled"):  # a draft is still being sent
            if status.state is DeliveryState.DELIVERED and received and not self.delivered_date:
                self._record_receipt(received.date())
            else:
                self._update_state_from_channels()
        self._log_registered_events(new_events)

    def _get_stored_proof_kinds(self):
        self.ensure_one()
        return set(filter(None, (self.registered_proof_kinds or "").split(",")))

    def _store_registered_proofs(self, proofs):
        """New proofs (downloaded with the status), as attachments of this communication
        with their SHA-256 (the attachment's own checksum is SHA-1)."""
        if not proofs:
            return {}
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": proof.filename,
                        "raw": proof.content,
                        "mimetype": "application/pdf",
                        "res_model": self._name,
                        "res_id": self.id,
                        "company_id": self.company_id.id,
                        "description": f"SHA-256: {proof.sha256}",
                    }
                    for proof in proofs
                ]
            )
        )
        known = self._get_stored_proof_kinds() | {proof.kind.value for proof in proofs}
        return {
            "registered_proof_ids": [
                fields.Command.link(attachment.id) for attachment in attachments
            ],
            "registered_proof_kinds": ",".join(sorted(known)),
        }

    def _log_registered_events(self, events):
        """One note per new tracking event on the customer, dated in the user's language."""
        states = dict(self._selection_registered_state())
        for event in events:
            if event.state is None or event.state is DeliveryState.DRAFT:
                continue
            body = Markup("%s") % self.env._(
                "Registered letter %(name)s: %(state)s on %(date)s (%(label)s).",
                name=self.name,
                state=states[_local_state(event.state)],
                date=format_date(self.env, event.at),
                label=event.label,
            )
            self.partner_id._message_log(body=body)


def _read_sendings(client, stored):
    """The provider's view of each sending, with its proofs of kinds not ``stored``
    (``{reference: kinds}``). One (a callback) is read in this thread: the request's own
    cursor stays the only one it waits on."""
    if len(stored) > 1:
        return refresh_many(client, list(stored), stored=stored)
    return [read_sending(client, reference, kinds) for reference, kinds in stored.items()]


def _local_state(state):
    """The communication's delivery state for the engine's (a draft is not submitted)."""
    return "submitted" if state is DeliveryState.DRAFT else state.value


def _party_of(partner, name, attention=None):
    return Party.from_mapping(
        {
            "name": name,
            "attention": attention,
            "street": partner.street or None,
            "street2": partner.street2 or None,
            "zip": partner.zip or None,
            "city": partner.city or None,
            "country": partner.country_id.code or "FR",
        }
    )


def _engine_message(error):
    """The engine's French message for the user; its stable code goes to the log."""
    _logger.info("Registered letter refused by the engine: %s", error.code)
    return str(error)
