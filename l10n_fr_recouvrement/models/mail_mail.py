from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        if failure_type:
            communications = (
                self.env["recouvrement.communication"]
                .sudo()
                .search([("mail_id", "in", self.ids), ("state", "in", ("to_send", "sent"))])
            )
            communications.write(
                {"state": "failed", "failure_reason": failure_reason or failure_type}
            )
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
