"""What only the server sets, and the attachments a record may link.

Collection records are evidence a court relies on (the letters sent, their dates, their
amounts, the proofs of posting): a client must not be able to write them over RPC, where
the views' ``readonly`` does not apply. Models inheriting the mixin list those fields in
``_server_fields``: ``create`` and ``write`` refuse them, unless the call runs as
superuser (``sudo()``) or through ``_server_write`` / ``_server_create``, which are
private (not callable over RPC) and mark their environment with an object no JSON
context can carry. The acting user's access rights and record rules still apply there.

``_attachment_fields`` lists the fields that link attachments: on create and write, each
linked attachment must be readable by the acting user and belong to the record's
company (see ``_check_linked_attachments``).
"""

from odoo import api, models
from odoo.exceptions import AccessError, UserError

# Marks the environment of the code's own writes. A client's context is JSON: it can hold
# the key, never this object.
SERVER_WRITE_KEY = "recouvrement_server_write"
SERVER_WRITE = object()


class RecouvrementServerFieldsMixin(models.AbstractModel):
    _name = "recouvrement.server.fields.mixin"
    _description = "Collection: fields only the server sets"

    # Field names only the code may set (states, dates, amounts, produced documents…).
    _server_fields = ()
    # Many2one / many2many fields to ir.attachment that users may fill.
    _attachment_fields = ()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_server_fields(vals)
            self._prepare_server_values(vals)
        records = super().create(vals_list)
        for record, vals in zip(records, vals_list, strict=True):
            record._check_attachment_values(vals)
        return records

    def write(self, vals):
        self._check_server_fields(vals)
        result = super().write(vals)
        self._check_attachment_values(vals)
        return result

    # ------------------------------------------------------------------
    # Server-only fields
    # ------------------------------------------------------------------
    def _is_server_write(self):
        return self.env.su or self.env.context.get(SERVER_WRITE_KEY) is SERVER_WRITE

    def _check_server_fields(self, vals):
        if self._is_server_write():
            return
        forbidden = sorted(set(vals) & set(self._server_fields))
        if forbidden:
            labels = ", ".join(self._fields[name].string for name in forbidden)
            raise AccessError(
                self.env._(
                    "%(fields)s of %(model)s are set by the application only: use the "
                    "actions meant for it.",
                    fields=labels,
                    model=self._description,
                )
            )

    @api.model
    def _prepare_server_values(self, vals):
        """Hook: fill in, in place, what the server sets on a new record (a reference)."""

    def _as_server(self):
        """These records, in an environment whose writes may set the server fields."""
        return self.with_context(**{SERVER_WRITE_KEY: SERVER_WRITE})

    def _server_write(self, vals):
        """The code's own write: server fields allowed, as the acting user."""
        return self._as_server().write(vals)

    @api.model
    def _server_create(self, vals_list):
        return self._as_server().create(vals_list)

    # ------------------------------------------------------------------
    # Attachments
    # ------------------------------------------------------------------
    def _check_attachment_values(self, vals):
        names = [name for name in self._attachment_fields if name in vals]
        if not names or self.env.su:
            return
        for record in self:
            record._check_linked_attachments(
                self.env["ir.attachment"].union(*(record[name] for name in names))
            )

    def _get_attachment_company(self):
        """The company the linked attachments must belong to."""
        self.ensure_one()
        return self.company_id

    def _check_linked_attachments(self, attachments):
        """Each attachment is readable by the acting user and of this record's company."""
        self.ensure_one()
        company = self._get_attachment_company()
        for attachment in attachments:
            try:
                # ``check`` also checks the record the attachment belongs to.
                attachment.check("read")
            except AccessError:
                raise UserError(self._foreign_attachment_message(attachment)) from None
            if not attachment_belongs_to(attachment, company):
                raise UserError(self._foreign_attachment_message(attachment))

    def _foreign_attachment_message(self, attachment):
        return self.env._(
            "The attachment “%(name)s” belongs to another company, or you may not read it: "
            "it cannot be linked to %(record)s.",
            name=attachment.sudo().name,
            record=self.display_name,
        )


def attachment_belongs_to(attachment, company):
    """Whether ``attachment`` (read as superuser) belongs to ``company``.

    The record it is attached to decides when it has a company; otherwise the
    attachment's own company (empty: shared).
    """
    attachment = attachment.sudo()
    if attachment.res_model in attachment.env and attachment.res_id:
        owner = attachment.env[attachment.res_model].browse(attachment.res_id).exists()
        field = owner._fields.get("company_id")
        if owner and field and field.type == "many2one" and owner.company_id:
            return owner.company_id == company
    return attachment.company_id in (company, company.browse())


def attachments_of(attachments, company):
    """The attachments of ``attachments`` that belong to ``company``: what code running
    as superuser may use."""
    return attachments.filtered(lambda attachment: attachment_belongs_to(attachment, company))
