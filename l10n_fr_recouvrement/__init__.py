from odoo.tools import SQL

from . import controllers, models, wizards
from .models.account_move import OPEN_INVOICE_INDEX


def uninstall_hook(env):
    """Drop what the ORM does not track: the index on the open customer invoices."""
    env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(OPEN_INVOICE_INDEX)))
