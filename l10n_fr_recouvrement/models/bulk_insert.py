"""Set-based inserts, for the records a collection run creates by thousands.

``create`` inserts a hundred rows per query and prepares each record in Python (defaults,
precomputes, mail.thread hooks): for a run's thousands of communications and lines that
is most of its time. These helpers insert every row in one query, with the values the
caller prepared. Nothing is defaulted, computed or tracked on the way, and only the
required columns and the selection values are checked: use them only where the caller
gives every stored value, as a run does.
"""

from odoo.tools import SQL

from .server_fields import invalid_selection_values


def insert_rows(model, rows):
    """Insert ``rows`` (dicts of column values, same keys) into ``model``'s table.

    Returns the new records in the order of ``rows`` (PostgreSQL returns the ids of an
    INSERT … SELECT in the order of its rows, as ``create`` relies on for its own INSERT).
    ``False`` means NULL except for booleans, as in ``create``; the audit columns are
    filled. The inverse one2many fields
    of the many2one columns written are invalidated in the ORM cache.
    """
    if not rows:
        return model.browse()
    names = list(rows[0])
    missing = [
        name
        for name, field in model._fields.items()
        if field.required
        and field.store
        and field.column_type
        and name not in names
        and name not in ("id", "create_uid", "write_uid", "create_date", "write_date")
    ]
    if missing:
        raise ValueError(f"{model._name}: no value for the required fields {missing}")
    model.flush_model()
    arrays = []
    for name in names:
        field = model._fields[name]
        values = [row[name] for row in rows]
        _check_selection(model, field, values)
        if field.type != "boolean":
            values = [None if value is False else value for value in values]
        arrays.append(SQL("%s::%s[]", values, SQL(field.column_type[1])))
    ids = model.env.execute_query(
        SQL(
            "INSERT INTO %s (%s, create_uid, write_uid, create_date, write_date) "
            "SELECT *, %s, %s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' "
            "FROM unnest(%s) RETURNING id",
            SQL.identifier(model._table),
            SQL(", ").join(SQL.identifier(name) for name in names),
            model.env.uid,
            model.env.uid,
            SQL(", ").join(arrays),
        )
    )
    for name in names:
        for inverse in model.pool.field_inverses[model._fields[name]]:
            model.env[inverse.model_name].invalidate_model([inverse.name])
    return model.browse([record_id for (record_id,) in ids])


def _check_selection(model, field, values):
    """What ``create`` checks of a selection: each value is one of its list."""
    wrong = invalid_selection_values(model, field, values)
    if wrong:
        raise ValueError(f"{model._name}.{field.name}: not in its selection: {sorted(wrong)}")


def insert_relation(records, field_name, pairs):
    """Link ``pairs`` of ``(record id, target id)`` through the many2many ``field_name``."""
    if not pairs:
        return
    field = records._fields[field_name]
    records.env.execute_query(
        SQL(
            "INSERT INTO %s (%s, %s) SELECT * FROM unnest(%s::int4[], %s::int4[])",
            SQL.identifier(field.relation),
            SQL.identifier(field.column1),
            SQL.identifier(field.column2),
            [record_id for record_id, _target in pairs],
            [target_id for _record_id, target_id in pairs],
        )
    )
    records.invalidate_recordset([field_name])
