# The mixin first: the models below inherit it, and Odoo loads them in this order.
from . import server_fields

# isort: split
from . import (
    account_move,
    account_partial_reconcile,
    ir_actions_report,
    mail_mail,
    recouvrement_block,
    recouvrement_channel,
    recouvrement_communication,
    recouvrement_dossier,
    recouvrement_engine,
    recouvrement_overdue_report,
    recouvrement_policy,
    recouvrement_run,
    res_company,
    res_config_settings,
    res_partner,
)
