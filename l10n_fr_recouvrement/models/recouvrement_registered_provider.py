"""The registered-letter provider of a company: which one, where, and its credentials."""

import secrets

from odoo import api, fields, models

from recouvrement.delivery import client_for, secret_matches
from recouvrement.law.registered_letter import Channel

MANAGER_GROUP = "l10n_fr_recouvrement.group_recouvrement_manager"
WEBHOOK_ROUTE = "/recouvrement/registered"
# The registered letter each provider carries.
PROVIDER_CHANNELS = {"maileva": Channel.LRAR.value, "ar24": Channel.LRE.value}


def new_webhook_secret():
    return secrets.token_urlsafe(32)


class RecouvrementRegisteredProvider(models.Model):
    """One provider account of a company. Readable by collection managers only (access
    rights); its secrets are moreover restricted field by field and never logged."""

    _name = "recouvrement.registered.provider"
    _description = "Registered letter provider"
    _order = "company_id, provider"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    provider = fields.Selection(
        [("maileva", "Maileva (paper registered letter, LRAR)"),
         ("ar24", "AR24 (electronic registered letter, LRE)")],
        required=True,
        default="maileva",
    )  # fmt: skip
    environment = fields.Selection(
        [("sandbox", "Sandbox"), ("production", "Production")],
        required=True,
        default="sandbox",
        help="The provider's test platform or the real one: set the URLs accordingly.",
    )
    api_url = fields.Char(string="API URL", required=True)
    auth_url = fields.Char(string="Token URL", help="Maileva: the OAuth2 token endpoint.")
    api_version = fields.Char(string="API version", default="v2", help="Maileva only.")
    client_id = fields.Char(string="Client ID", groups=MANAGER_GROUP)
    client_secret = fields.Char(groups=MANAGER_GROUP)
    username = fields.Char(groups=MANAGER_GROUP)
    password = fields.Char(groups=MANAGER_GROUP)
    api_token = fields.Char(string="API token", groups=MANAGER_GROUP, help="AR24 only.")
    private_key = fields.Char(groups=MANAGER_GROUP, help="AR24 only.")
    account_user_id = fields.Char(string="Account user ID", help="AR24: the sender's user id.")
    webhook_secret = fields.Char(
        groups=MANAGER_GROUP,
        copy=False,
        default=lambda self: new_webhook_secret(),
        readonly=True,
        help="Authenticates the provider's callbacks; generated for each subscription.",
    )
    webhook_url = fields.Char(
        string="Callback URL",
        compute="_compute_webhook_url",
        groups=MANAGER_GROUP,
        help="Give this address to the provider as the subscription's callback.",
    )

    _sql_constraints = [
        (
            "provider_company_unique",
            "unique(company_id, provider)",
            "A company has one account per provider.",
        ),
    ]

    @api.depends("provider", "environment", "company_id")
    def _compute_name(self):
        labels = dict(self._fields["provider"]._description_selection(self.env))
        for config in self:
            config.name = f"{labels.get(config.provider, '')} — {config.company_id.name or ''}"

    @api.depends("provider", "webhook_secret")
    def _compute_webhook_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for config in self:
            config.webhook_url = (
                f"{base}{WEBHOOK_ROUTE}/{config.provider}/{config.webhook_secret}"
                if config.webhook_secret
                else False
            )

    def action_new_webhook_secret(self):
        """A new subscription secret: the old callback URL stops working."""
        for config in self:
            config.webhook_secret = new_webhook_secret()
        return True

    @property
    def channel(self):
        return PROVIDER_CHANNELS[self.provider]

    def _get_engine_config(self):
        """The engine's CONFIG mapping (read as superuser: the job and the webhook run
        without the manager's rights)."""
        self.ensure_one()
        config = self.sudo()
        if config.provider == "maileva":
            values = {
                "api_url": config.api_url,
                "auth_url": config.auth_url,
                "api_version": config.api_version or "v2",
                "client_id": config.client_id,
                "client_secret": config.client_secret,
                "username": config.username,
                "password": config.password,
            }
        else:
            values = {
                "api_url": config.api_url,
                "token": config.api_token,
                "private_key": config.private_key,
                "user_id": config.account_user_id,
            }
        return {key: value for key, value in values.items() if value}

    def _get_client(self):
        """The engine's client, keeping its progress in ``recouvrement.registered.sending``."""
        self.ensure_one()
        store = self.env["recouvrement.registered.sending"]._state_store(self)
        return client_for(self.provider, self._get_engine_config(), store)

    @api.model
    def _find_by_webhook_secret(self, provider, token):
        """The active account of ``provider`` whose subscription secret is ``token``."""
        candidates = self.sudo().search([("provider", "=", provider)])
        return candidates.filtered(
            lambda config: secret_matches(config.webhook_secret or "", token)
        )[:1]

    @api.model
    def _for_company(self, company):
        """``{channel: account}`` of the company's active accounts."""
        accounts = self.sudo().search([("company_id", "=", company.id)])
        return {account.channel: account for account in accounts}
