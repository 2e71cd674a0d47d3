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
        if communications:
            reason = (failure_reason or failure_type) if failure_type else False
            communications._record_email_outcome(reason)
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
