from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        """The e-mail channel of the collection communications follows its mail; their
        letters and registered letters never do."""
        communications = (
            self.env["recouvrement.communication"]
            .sudo()
            .search([("mail_id", "in", self.ids), ("state", "not in", ("draft", "cancelled"))])
        )
        for communication in communications:
            reason = False
            if failure_type:  # the server's own words when it gave any
                reason = failure_reason or communication.mail_id.failure_reason or failure_type
            communication._record_email_outcome(reason)
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
