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
    recouvrement_communication_channels,
    recouvrement_communication_documents,
    recouvrement_communication_line,
    recouvrement_communication_queue_job,
    recouvrement_communication_registered,
    recouvrement_communication_sending,
    recouvrement_dashboard,
    recouvrement_dossier,
    recouvrement_dossier_case,
    recouvrement_dossier_exhibits,
    recouvrement_dossier_filing,
    recouvrement_dossier_lines,
    recouvrement_engine,
    recouvrement_invoice_state,
    recouvrement_overdue_report,
    recouvrement_policy,
    recouvrement_registered_provider,
    recouvrement_registered_sending,
    recouvrement_run,
    res_company,
    res_config_settings,
    res_partner,
    res_partner_collection_report,
)

# isort: split
# They extend models above (res.company, recouvrement.dossier): loaded after them.
from . import recouvrement_court, recouvrement_rate
