"""The providers' callbacks: a signal to re-read a sending, never a source of truth.

The URL's last part is the subscription secret of one provider account; the payload only
names the sending. The sending is then read again from the provider's API: a forged
payload, a replayed or reordered call changes nothing the API does not confirm.
"""

from odoo import SUPERUSER_ID, http
from odoo.http import request

from recouvrement.delivery import sending_id_of

from ..models.recouvrement_registered_provider import WEBHOOK_ROUTE


class RegisteredLetterCallback(http.Controller):
    @http.route(
        f"{WEBHOOK_ROUTE}/<string:provider>/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def registered_letter_callback(self, provider, token, **_params):
        env = request.env(user=SUPERUSER_ID)
        account = env["recouvrement.registered.provider"]._find_by_webhook_secret(provider, token)
        if not account:
            return request.make_response("forbidden", status=403)
        sending_id = sending_id_of(provider, request.httprequest.get_data())
        if not sending_id:
            return request.make_response("no sending named", status=400)
        communication = env["recouvrement.communication"].search(
            [
                ("registered_provider_id", "=", account.id),
                ("registered_sending_id", "=", sending_id),
            ],
            limit=1,
        )
        if not communication:
            return request.make_response("unknown sending", status=404)
        communication._refresh_registered_letters()
        return request.make_response("ok", status=200)
