"""Each channel of a communication keeps its own state; the communication's follows them.

- ``email_state``: queued in Odoo's outgoing mail, sent (the mail server took it), or
  failed (with ``failure_reason``);
- ``letter_state``: the letter to post by hand, then posted (``posted_date``), then
  received when its receipt is recorded (``delivered_date``);
- ``registered_state``: to post by hand, then the provider's states (``deposited`` …
  ``delivered``); a registered letter posted by hand is ``deposited`` on its posting day
  and ``delivered`` on the date of its acknowledgment of receipt;
- the phone channel is the collector's task (``phone_activity_id``): once created it
  counts as gone out, and it never holds up the communication.

The overall ``state`` of a communication that went to its channels is derived from them
(``_get_state_from_channels``): *to send* while a letter waits to be posted, else
*delivered* once a letter's receipt is dated, else *sent* as soon as one
channel went out (a phone task counts), else *failed* (every channel failed).
Draft and cancelled are the run's and the user's, never derived. So an e-mail that fails
after its letter was posted leaves the letter, and the communication, as they were.

What counts as sent for the reminder history and the court dossier is what went out,
channel by channel (``_get_sent_channel``): a registered letter deposited, a letter
posted, an e-mail the mail server took; a queued or failed e-mail is not.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

# The registered letter went out: deposited, and whatever followed.
REGISTERED_SENT_STATES = (
    "deposited",
    "first_presentation",
    "delivered",
    "refused",
    "not_claimed",
    "undeliverable",
)
# What a channel's state says of the communication.
TO_POST, OUT, RECEIVED, FAILED = "to_post", "out", "received", "failed"
LETTER_OUTCOMES = {"to_post": TO_POST, "posted": OUT, "received": RECEIVED}


class RecouvrementCommunication(models.Model):
    _inherit = "recouvrement.communication"

    email_state = fields.Selection(
        selection="_selection_email_state",
        string="E-mail",
        readonly=True,
        copy=False,
        tracking=True,
    )
    letter_state = fields.Selection(
        selection="_selection_letter_state",
        string="Letter",
        readonly=True,
        copy=False,
        tracking=True,
    )

    @api.model
    def _selection_email_state(self):
        return [
            ("outgoing", self.env._("Queued")),
            ("sent", self.env._("Sent")),
            ("failed", self.env._("Failed")),
        ]

    @api.model
    def _selection_letter_state(self):
        return [
            ("to_post", self.env._("To post")),
            ("posted", self.env._("Posted")),
            ("received", self.env._("Received")),
        ]

    @api.model
    def _get_sent_domain(self):
        """Communications of which at least one channel reached the debtor's side."""
        return [
            "|",
            "|",
            ("email_state", "=", "sent"),
            ("letter_state", "in", ("posted", "received")),
            ("registered_state", "in", REGISTERED_SENT_STATES),
        ]

    def _get_sent_channel(self):
        """The strongest channel that went out: ``registered_letter``, ``letter``,
        ``email``, or None when nothing did."""
        self.ensure_one()
        codes = self._get_channel_codes()
        if "registered_letter" in codes and self.registered_state in REGISTERED_SENT_STATES:
            return "registered_letter"
        if "letter" in codes and self.letter_state in ("posted", "received"):
            return "letter"
        if "email" in codes and self.email_state == "sent":
            return "email"
        return None

    # ------------------------------------------------------------------
    # The overall state, from the channels
    # ------------------------------------------------------------------
    def _get_channel_outcomes(self):
        """What each channel says: to post, out, received, failed."""
        self.ensure_one()
        codes = self._get_channel_codes()
        outcomes = []
        if "email" in codes and self.email_state:
            outcomes.append(FAILED if self.email_state == "failed" else OUT)
        if "letter" in codes and self.letter_state:
            outcomes.append(LETTER_OUTCOMES[self.letter_state])
        if "phone" in codes and self.phone_activity_id:
            outcomes.append(OUT)  # the collector's call: the debtor is contacted
        if "registered_letter" in codes and self.registered_state:
            if self.registered_state == "to_post":
                outcomes.append(TO_POST)
            elif self.registered_state == "delivered" and self.delivered_date:
                outcomes.append(RECEIVED)
            else:
                outcomes.append(OUT)
        return outcomes

    def _get_state_from_channels(self):
        outcomes = self._get_channel_outcomes()
        if TO_POST in outcomes:
            return "to_send"
        if RECEIVED in outcomes:
            return "delivered"
        if OUT in outcomes or not outcomes:
            return "sent"
        return "failed"

    def _update_state_from_channels(self):
        """Set each communication's state from its channels; the invoices of those that
        changed follow."""
        by_state = defaultdict(self.browse)
        for communication in self:
            state = communication._get_state_from_channels()
            if state != communication.state:
                by_state[state] |= communication
        for state, communications in by_state.items():
            communications._server_write({"state": state})
        self.concat(*by_state.values())._update_invoice_ladder()

    def _has_gone_out(self):
        """Whether the ladder may count this reminder as sent: a mise en demeure once its
        letter is posted (or it went out, without letter); any other once it left for
        its channels, its letters possibly still to post."""
        self.ensure_one()
        if self.state in ("sent", "delivered"):
            return True
        return self.state == "to_send" and not self.is_formal_notice

    def _update_invoice_ladder(self):
        """The invoices at this level count the reminder as sent from its sending day
        (the posting's, for a letter); a reminder whose every channel failed holds them.
        One write per level and day."""
        today = fields.Date.context_today(self)
        Move = self.env["account.move"]
        sent, failed = defaultdict(Move.browse), defaultdict(Move.browse)
        for communication in self:
            moves = communication.line_ids.move_id
            if communication._has_gone_out():
                sent[(communication.level_id, communication.posted_date or today)] |= moves
            elif communication.state == "failed":
                failed[communication.level_id] |= moves
        for (level, day), moves in sent.items():
            moves._recouvrement_mark_sent(level, day)
        for level, moves in failed.items():
            moves._recouvrement_mark_not_sent(level)

    # ------------------------------------------------------------------
    # Channel events
    # ------------------------------------------------------------------
    def _set_letters_to_post(self):
        """After sending: the letters and the registered letters no provider carries wait
        to be posted by hand."""
        self.filtered(lambda comm: "letter" in comm._get_channel_codes())._server_write(
            {"letter_state": "to_post"}
        )
        self.filtered(
            lambda comm: comm.has_registered_letter and not comm.registered_sending_id
        )._server_write({"registered_state": "to_post"})

    def _record_email_outcome(self, failure_reason=False):
        """The mail server took the e-mail, or it failed (``failure_reason``): only the
        e-mail channel changes, then the overall state follows."""
        if failure_reason:
            self._server_write({"email_state": "failed", "failure_reason": failure_reason})
        else:
            self._server_write({"email_state": "sent"})
        self._update_state_from_channels()

    def action_resend_email(self):
        """Queue again the e-mail that failed (once the mail server is fixed, say); the
        letters stay as they are."""
        failed = self.filtered(lambda comm: comm.email_state == "failed" and comm.mail_id)
        if not failed:
            raise UserError(self.env._("No failed e-mail to send again."))
        failed.mail_id.sudo().action_retry()
        failed._server_write({"email_state": "outgoing", "failure_reason": False})
        failed._update_state_from_channels()
        self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger()
        return True
