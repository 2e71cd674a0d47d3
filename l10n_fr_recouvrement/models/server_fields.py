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
from odoo.exceptions import AccessError, UserError, ValidationError

ADDON = "l10n_fr_recouvrement"

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
            self._check_selection_values(vals)
            self._prepare_server_values(vals)
        records = super().create(vals_list)
        for record, vals in zip(records, vals_list, strict=True):
            record._check_attachment_ids(vals)
            record._check_many2many_companies(record._company_checked_many2many(vals))
        return records

    def write(self, vals):
        self._check_server_fields(vals)
        self._check_selection_values(vals)
        self._check_attachment_ids(vals)
        result = super().write(vals)
        names = self._company_checked_many2many(vals)
        if names:
            for record in self:
                record._check_many2many_companies(names)
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

    def _check_selection_values(self, vals):
        """The addon's selections come from methods, which Odoo does not check on write:
        a value outside the list (a letter kind, a state…) is refused here."""
        for name, value in vals.items():
            field = self._fields.get(name)
            if not (field and field._module == ADDON):
                continue
            if invalid_selection_values(self, field, [value]):
                raise ValidationError(
                    self.env._(
                        "%(value)s is not a valid value of %(field)s.",
                        value=repr(value),
                        field=field.string,
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
    def _check_attachment_ids(self, vals):
        """The existing attachments the values link (by id): before a write, after a
        create. Attachments the values create are the user's own upload."""
        if self.env.su:
            return
        ids = []
        for name in self._attachment_fields:
            if name in vals:
                ids += _linked_ids(vals[name])
        if ids:
            attachments = self.env["ir.attachment"].browse(ids).exists()
            for record in self:
                record._check_linked_attachments(attachments)

    def _company_checked_many2many(self, vals):
        """The addon's many2many fields with ``check_company`` that ``vals`` sets."""
        return [
            name
            for name in vals
            if (field := self._fields.get(name))
            and field.type == "many2many"
            and field.check_company
            and field._module == ADDON
        ]

    def _check_many2many_companies(self, names):
        """Odoo's company check passes a many2many when one of its records matches:
        each record linked must be of the company (or shared)."""
        self.ensure_one()
        for name in names:
            field = self._fields[name]
            linked = self.sudo()[name]
            # Odoo's rule, record by record (a branch may use its parent's records).
            foreign = linked.filtered(
                lambda record: (
                    not record.filtered_domain(record._check_company_domain(self.company_id))
                )
            )
            if foreign:
                raise UserError(
                    self.env._(
                        "Incompatible companies: %(records)s (%(field)s) belong to another "
                        "company than %(record)s.",
                        records=", ".join(foreign.mapped("display_name")),
                        field=field.string,
                        record=self.display_name,
                    )
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


def invalid_selection_values(model, field, values):
    """The values that are not in ``field``'s selection (none for another type)."""
    if field.type != "selection":
        return set()
    allowed = set(field.get_values(model.env))
    return {value for value in values if value and value not in allowed}


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


def _linked_ids(value):
    """The ids a many2one value or many2many commands link."""
    if isinstance(value, int):
        return [value]
    ids = []
    for command in value if isinstance(value, list | tuple) else ():
        if isinstance(command, list | tuple) and command and command[0] == 4:
            ids.append(command[1])
        elif isinstance(command, list | tuple) and command and command[0] == 6:
            ids += list(command[2])
        elif isinstance(command, int):
            ids.append(command)
    return ids
