"""What the provider holds of each registered letter, saved the moment it is known.

The engine's client saves a ``SendingRecord`` before every step the provider cannot undo
and as soon as the provider names the sending. Each save is committed at once, in its own
cursor: the batch of the background job may still roll back, the provider's sending id
is never forgotten, so a second run reads the sending instead of sending it again.
"""

import json

from odoo import SUPERUSER_ID, api, fields, models

from recouvrement.delivery import SendingRecord


class RecouvrementRegisteredSending(models.Model):
    _name = "recouvrement.registered.sending"
    _description = "Registered letter at the provider (progress record)"
    _order = "id"

    provider_id = fields.Many2one(
        "recouvrement.registered.provider", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="provider_id.company_id", store=True)
    reference = fields.Char(required=True, index=True)
    step = fields.Char(required=True)
    sending_id = fields.Char(index=True)
    details = fields.Text()

    _sql_constraints = [
        (
            "reference_provider_unique",
            "unique(provider_id, reference)",
            "One progress record per reference and provider.",
        ),
    ]

    @api.model
    def _state_store(self, provider):
        return CommittedStateStore(self.env.registry, provider.id)

    @api.model
    def _load_record(self, provider_id, reference):
        row = self.search(
            [("provider_id", "=", provider_id), ("reference", "=", reference)], limit=1
        )
        if not row:
            return None
        return SendingRecord.from_dict(
            {
                "reference": row.reference,
                "provider": row.provider_id.provider,
                "step": row.step,
                "sending_id": row.sending_id,
                "details": json.loads(row.details or "{}"),
            }
        )

    @api.model
    def _save_record(self, provider_id, record):
        values = {
            "step": record.step.value,
            "sending_id": record.sending_id,
            "details": json.dumps(record.details, sort_keys=True),
        }
        row = self.search(
            [("provider_id", "=", provider_id), ("reference", "=", record.reference)], limit=1
        )
        if row:
            row.write(values)
        else:
            self.create({"provider_id": provider_id, "reference": record.reference, **values})


class CommittedStateStore:
    """The engine's ``StateStore``: each load and save in a cursor of its own (the
    client calls it from the threads of a batch), each save committed before returning."""

    def __init__(self, registry, provider_id):
        self.registry = registry
        self.provider_id = provider_id

    def load(self, reference):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["recouvrement.registered.sending"]._load_record(self.provider_id, reference)

    def save(self, record):
        with self.registry.cursor() as cr:  # commits on leaving the block
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["recouvrement.registered.sending"]._save_record(self.provider_id, record)
