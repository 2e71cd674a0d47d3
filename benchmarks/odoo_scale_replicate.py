"""A larger template for ``odoo_scale.py --replicate K``: the customers copied K-1 times, in SQL.

Building 100 000 invoices through the ORM takes hours; copying the 10 000 of the base
template nine more times takes minutes. ``replicate(connection, k)`` runs inside a copy of
the base template (``createdb -T``), in one transaction:

* the original rows: the customers (``res_partner`` with ``customer_rank > 0``, not a
  company's own partner) and everything of theirs: their moves (invoices and payment
  entries), the lines of these moves, their payments, the partial and full reconciles of
  these lines; and, found by ``res_model``/``res_id``, the followers, messages, activities
  and attachments of these records (``POLYMORPHIC``). The set must be closed: a partial
  reconcile or a full reconcile of these lines touching a line outside it is an error;
* copy ``k`` (1 … K-1) of each row: every column copied (the column lists come from
  ``information_schema.columns``, stored computed columns included), the id shifted by
  ``k × max(id)`` of its table, every foreign key into a replicated table shifted the same
  way when it points at an original row (the foreign keys come from ``pg_constraint``),
  the polymorphic ``res_id`` likewise; the relation tables (no ``id`` column) that point
  at a replicated table through a foreign key get their rows copied the same way;
* unique values made unique: the only unique index of these tables besides the primary
  keys, ``account_move_unique_name`` (name, journal) (checked against ``pg_indexes``: an
  unknown one stops the build), is kept by renumbering, as Odoo would have numbered
  them: ``INV/2026/00042`` of copy k becomes ``INV/2026/<42 + k × N>`` where N is the
  highest ``sequence_number`` of the prefix ``INV/2026/``; ``sequence_number`` follows,
  and so does every mention of these names in a text column of the copied rows (payment
  memos and move refs quote the invoice's name, ``move_name`` of the lines, messages).
  The names stay parseable by Odoo's sequence mixin, so the next invoice gets the next
  number. ``matching_number`` of the lines (a full reconcile's id, ``P`` + a partial's id)
  is shifted like the ids it names;
* dates are not touched: the data is relative to the frozen run date.

A benchmark tool, not product code: its SQL is assembled with f-strings from table and
column names read from PostgreSQL's own catalog and the integer offsets computed from its ids
(never from user input), which the dynamic column lists need; the copy number and the
name patterns go through query parameters.

Foreign-key triggers are off during the copy (``session_replication_role = replica``: the
rows of one copy reference each other in cycles, move ↔ payment); every foreign key of
every table written is then checked, the polymorphic references too, before the
transaction commits. The id sequences are moved past the new maximum.

``validate(env, info)`` checks the result through Odoo itself, in a worker process:
posted invoices = K × the base figure; on a sample of copies, the line residuals, the
invoice residuals and payment states recomputed by the ORM from the copied reconciles
equal the originals'; the open residual = K × the base one; every copied partial links
lines of its own copy; ``_check_balanced`` on a sample and debit = credit for every move.
"""

from __future__ import annotations

import re
import time

# The replicated tables, in an order where each one's original rows depend on the earlier
# ones'; ``{src}`` is the prefix of the temporary tables holding those original ids.
REPLICATED = [
    (
        "res_partner",
        "SELECT id FROM res_partner WHERE customer_rank > 0"
        " AND id NOT IN (SELECT partner_id FROM res_company)",
    ),
    (
        "account_move",
        "SELECT id FROM account_move"
        " WHERE commercial_partner_id IN (SELECT id FROM {src}res_partner)"
        " OR partner_id IN (SELECT id FROM {src}res_partner)",
    ),
    (
        "account_move_line",
        "SELECT id FROM account_move_line WHERE move_id IN (SELECT id FROM {src}account_move)",
    ),
    (
        "account_payment",
        "SELECT id FROM account_payment WHERE move_id IN (SELECT id FROM {src}account_move)"
        " OR partner_id IN (SELECT id FROM {src}res_partner)",
    ),
    (
        "account_partial_reconcile",
        "SELECT id FROM account_partial_reconcile"
        " WHERE debit_move_id IN (SELECT id FROM {src}account_move_line)"
        " OR credit_move_id IN (SELECT id FROM {src}account_move_line)",
    ),
    (
        "account_full_reconcile",
        "SELECT full_reconcile_id FROM account_move_line"
        " WHERE id IN (SELECT id FROM {src}account_move_line) AND full_reconcile_id IS NOT NULL"
        " UNION SELECT full_reconcile_id FROM account_partial_reconcile"
        " WHERE id IN (SELECT id FROM {src}account_partial_reconcile)"
        " AND full_reconcile_id IS NOT NULL",
    ),
]
MODELS = {
    "res.partner": "res_partner",
    "account.move": "account_move",
    "account.move.line": "account_move_line",
    "account.payment": "account_payment",
    "account.partial.reconcile": "account_partial_reconcile",
    "account.full.reconcile": "account_full_reconcile",
}
# Tables pointing at any record through (model column, res_id), without a foreign key.
POLYMORPHIC = [
    ("mail_followers", "res_model"),
    ("mail_message", "model"),
    ("mail_activity", "res_model"),
    ("ir_attachment", "res_model"),
]
# Unique indexes of the replicated tables (primary keys aside) and how each is kept unique.
KNOWN_UNIQUE = {
    "account_move_unique_name": "names renumbered per sequence prefix",
    "mail_followers_mail_followers_res_partner_res_model_id_uniq": "res_id shifted",
}
SRC = "bench_src_"  # temporary tables of the original ids


def _fetch(cursor, query, params=()):
    cursor.execute(query, params)
    return cursor.fetchall()


def _columns(cursor, table: str) -> list[tuple[str, str]]:
    """Every insertable column of ``table``, in order, with its data type."""
    return _fetch(
        cursor,
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name = %s AND is_generated = 'NEVER'"
        " ORDER BY ordinal_position",
        (table,),
    )


def _foreign_keys(cursor) -> list[tuple[str, str, str]]:
    """(table, column, referenced table) of every foreign key of the public schema."""
    rows = _fetch(
        cursor,
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text, array_length(c.conkey, 1),"
        "       (SELECT attname FROM pg_attribute"
        "         WHERE attrelid = c.conrelid AND attnum = c.conkey[1])"
        "  FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
        " WHERE c.contype = 'f' AND n.nspname = 'public'",
    )
    multi = [row for row in rows if row[2] != 1]
    if multi:
        raise RuntimeError(f"multi-column foreign keys are not handled: {multi}")
    return [(table, column, referenced) for table, referenced, _n, column in rows]


def _in_src(table: str, expression: str) -> str:
    return f"EXISTS (SELECT 1 FROM {SRC}{table} s WHERE s.id = {expression})"


def _check_unique_indexes(cursor, tables) -> None:
    rows = _fetch(
        cursor,
        "SELECT tablename, indexname, indexdef FROM pg_indexes"
        " WHERE schemaname = 'public' AND tablename = ANY(%s) AND indexdef LIKE 'CREATE UNIQUE%%'",
        (list(tables),),
    )
    unknown = []
    for table, index, definition in rows:
        primary = re.search(r"USING btree \(id\)$", definition)
        relation_pkey = index.endswith("_pkey")  # relation tables: (a, b) pairs, both shifted
        if not (primary or relation_pkey or index in KNOWN_UNIQUE):
            unknown.append((table, index, definition))
    if unknown:
        raise RuntimeError(f"unique indexes not handled by the replication: {unknown}")


def replicate(connection, k_total: int, log) -> dict:
    """Copy the customers and everything of theirs ``k_total - 1`` times (one transaction)."""
    started = time.perf_counter()
    fks = _foreign_keys(connection.cursor())
    stats = {"rows": {}, "fk_checked": 0}
    with connection, connection.cursor() as cr:
        cr.execute("SET LOCAL session_replication_role = replica")
        # 1. The original rows, and the offsets.
        offsets = {}
        for table, query in REPLICATED:
            cr.execute(f"CREATE TEMP TABLE {SRC}{table} (id integer PRIMARY KEY) ON COMMIT DROP")
            cr.execute(f"INSERT INTO {SRC}{table} {query.format(src=SRC)}")
            offsets[table] = _fetch(cr, f"SELECT coalesce(max(id), 0) FROM {table}")[0][0]
        for table, model_column in POLYMORPHIC:
            cr.execute(f"CREATE TEMP TABLE {SRC}{table} (id integer PRIMARY KEY) ON COMMIT DROP")
            cr.execute(
                f"INSERT INTO {SRC}{table} SELECT id FROM {table} WHERE "
                + " OR ".join(
                    f"({model_column} = %s AND {_in_src(target, 'res_id')})"
                    for target in MODELS.values()
                ),
                list(MODELS),
            )
            offsets[table] = _fetch(cr, f"SELECT coalesce(max(id), 0) FROM {table}")[0][0]
        originals = {
            table: _fetch(cr, f"SELECT count(*) FROM {SRC}{table}")[0][0] for table in offsets
        }
        stats["originals"] = originals
        log(f"  original rows: {originals}")
        # The set is closed: no reconcile joins one of these lines to another line.
        open_ends = _fetch(
            cr,
            f"SELECT count(*) FROM account_partial_reconcile p"
            f" WHERE p.id IN (SELECT id FROM {SRC}account_partial_reconcile)"
            f"   AND NOT ({_in_src('account_move_line', 'p.debit_move_id')}"
            f"        AND {_in_src('account_move_line', 'p.credit_move_id')})",
        )[0][0]
        open_ends += _fetch(
            cr,
            f"SELECT count(*) FROM account_move_line l"
            f" WHERE {_in_src('account_full_reconcile', 'l.full_reconcile_id')}"
            f"   AND NOT {_in_src('account_move_line', 'l.id')}",
        )[0][0]
        if open_ends:
            raise RuntimeError(f"{open_ends} reconciles reach lines outside the customers' moves")
        copied_tables = list(offsets)
        relations = sorted(
            {
                table
                for table, _column, referenced in fks
                if referenced in copied_tables
                and table not in copied_tables
                and not any(name == "id" for name, _type in _columns(cr, table))
            }
        )
        _check_unique_indexes(cr, copied_tables + relations)
        # 2. The names: prefix -> highest number; a function renaming every mention.
        cr.execute(
            "CREATE TEMP TABLE bench_prefix (prefix varchar PRIMARY KEY, top integer)"
            " ON COMMIT DROP"
        )
        cr.execute(
            "INSERT INTO bench_prefix"
            " SELECT sequence_prefix, max(sequence_number) FROM account_move"
            " WHERE sequence_prefix IN (SELECT sequence_prefix FROM account_move"
            f"   WHERE id IN (SELECT id FROM {SRC}account_move) AND name <> '/')"
            " GROUP BY sequence_prefix"
        )
        misnamed = _fetch(
            cr,
            "SELECT count(*) FROM account_move WHERE id IN"
            f" (SELECT id FROM {SRC}account_move) AND name <> '/' AND name <>"
            " sequence_prefix || lpad(sequence_number::text,"
            "   greatest(length(name) - length(sequence_prefix), 1), '0')",
        )[0][0]
        if misnamed:
            raise RuntimeError(f"{misnamed} moves named otherwise than prefix + number")
        prefixes = [prefix for (prefix,) in _fetch(cr, "SELECT prefix FROM bench_prefix")]
        stats["prefixes"] = dict(_fetch(cr, "SELECT prefix, top FROM bench_prefix"))
        pattern = "(" + "|".join(re.sub(r"(\W)", r"\\\1", p) for p in prefixes) + r")(\d+)"
        cr.execute(
            """
            CREATE FUNCTION pg_temp.bench_rename(value text, k integer) RETURNS text
            LANGUAGE plpgsql STABLE AS $$
            DECLARE
                found text[]; head integer; done text := ''; rest text := value;
                number bigint;
            BEGIN
                LOOP
                    found := regexp_match(rest, %(pattern)s);
                    EXIT WHEN found IS NULL;
                    head := position(found[1] || found[2] IN rest);
                    SELECT found[2]::bigint + k * top INTO number
                      FROM bench_prefix WHERE prefix = found[1];
                    done := done || substr(rest, 1, head - 1) || found[1]
                        || lpad(number::text, greatest(length(found[2]),
                                                       length(number::text)), '0');
                    rest := substr(rest, head + length(found[1]) + length(found[2]));
                END LOOP;
                RETURN done || rest;
            END $$
            """,
            {"pattern": pattern},
        )
        has_names = bool(prefixes)

        # 3. The select list of one copy of a table, ``%(k)s`` being the copy's number.
        fk_of = {(table, column): referenced for table, column, referenced in fks}
        polymorphic = dict(POLYMORPHIC)

        def expression(table, column, data_type):
            quoted = f't."{column}"'
            referenced = fk_of.get((table, column))
            if column == "id" and table in offsets:
                return f"t.id + %(k)s * {offsets[table]}"
            if referenced in offsets:
                return (
                    f"CASE WHEN {_in_src(referenced, quoted)}"
                    f" THEN {quoted} + %(k)s * {offsets[referenced]} ELSE {quoted} END"
                )
            if column == "res_id" and table in polymorphic:
                cases = " ".join(
                    f"WHEN t.{polymorphic[table]} = '{model}' AND {_in_src(target, quoted)}"
                    f" THEN {quoted} + %(k)s * {offsets[target]}"
                    for model, target in MODELS.items()
                )
                return f"CASE {cases} ELSE {quoted} END"
            if (table, column) == ("account_move", "sequence_number"):
                return (
                    f"{quoted} + %(k)s * coalesce((SELECT top FROM bench_prefix b"
                    f" WHERE b.prefix = t.sequence_prefix AND t.name <> '/'), 0)"
                )
            if (table, column) == ("account_move_line", "matching_number"):
                return (
                    f"CASE WHEN {quoted} ~ '^\\d+$' THEN ({quoted}::bigint + %(k)s * "
                    f"{offsets['account_full_reconcile']})::text"
                    f" WHEN {quoted} ~ '^P\\d+$' THEN 'P' || (substr({quoted}, 2)::bigint"
                    f" + %(k)s * {offsets['account_partial_reconcile']})::text"
                    f" ELSE {quoted} END"
                )
            if (
                has_names
                and data_type in ("text", "character varying")
                and column
                not in (
                    "sequence_prefix",
                    "res_model",
                    "model",
                )
            ):
                return (
                    f"CASE WHEN {quoted} ~ %(pattern)s THEN pg_temp.bench_rename({quoted},"
                    f" %(k)s) ELSE {quoted} END"
                )
            return quoted

        def copy_sql(table, where):
            columns = _columns(cr, table)
            names = ", ".join(f'"{name}"' for name, _type in columns)
            select = ", ".join(expression(table, name, kind) for name, kind in columns)
            return f"INSERT INTO {table} ({names}) SELECT {select} FROM {table} t WHERE {where}"

        # 4. The copies.
        plans = [
            (table, copy_sql(table, f"t.id IN (SELECT id FROM {SRC}{table})")) for table in offsets
        ]
        for relation in relations:
            pointers = [
                (column, referenced)
                for table, column, referenced in fks
                if table == relation and referenced in offsets
            ]
            where = " OR ".join(
                _in_src(referenced, f't."{column}"') for column, referenced in pointers
            )
            plans.append((relation, copy_sql(relation, where)))
        for k in range(1, k_total):
            step = time.perf_counter()
            for table, sql in plans:
                cr.execute(sql, {"k": k, "pattern": pattern})
                stats["rows"][table] = stats["rows"].get(table, 0) + cr.rowcount
            log(f"  copy {k}/{k_total - 1} in {time.perf_counter() - step:.1f} s")
        stats["rows"] = {table: rows for table, rows in stats["rows"].items() if rows}
        log(f"  rows added: {stats['rows']}")
        # 5. Every foreign key of every table written, and the polymorphic references.
        written = set(stats["rows"])
        for table, column, referenced in fks:
            if table not in written:
                continue
            dangling = _fetch(
                cr,
                f'SELECT count(*) FROM {table} t WHERE t."{column}" IS NOT NULL AND NOT EXISTS'
                f' (SELECT 1 FROM {referenced} r WHERE r.id = t."{column}")',
            )[0][0]
            stats["fk_checked"] += 1
            if dangling:
                raise RuntimeError(f"{dangling} dangling {table}.{column} -> {referenced}")
        for table, model_column in POLYMORPHIC:
            for model, target in MODELS.items():
                dangling = _fetch(
                    cr,
                    f"SELECT count(*) FROM {table} t WHERE t.{model_column} = %s AND NOT EXISTS"
                    f" (SELECT 1 FROM {target} r WHERE r.id = t.res_id)",
                    (model,),
                )[0][0]
                if dangling:
                    raise RuntimeError(f"{dangling} dangling {table}.res_id -> {target}")
        # 6. The id sequences past the new maximum.
        for table in offsets:
            cr.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))"
                f" WHERE pg_get_serial_sequence(%s, 'id') IS NOT NULL",
                (table, table),
            )
        stats["offsets"] = offsets
        stats["relations"] = relations
        # Tables with an id pointing at the replicated rows but not copied: shown, not copied.
        left = {}
        for table, column, referenced in fks:
            if table in written or referenced not in offsets or table in offsets:
                continue
            count = _fetch(
                cr,
                f"SELECT count(*) FROM {table} t WHERE {_in_src(referenced, f't.{column}')}",
            )[0][0]
            if count:
                left[f"{table}.{column}"] = count
        stats["not_copied"] = left
        if left:
            log(f"  rows pointing at the originals, not copied: {left}")
    stats["seconds"] = time.perf_counter() - started
    return stats


# ----------------------------------------------------------------------------------------
# Validation through Odoo (worker process)
# ----------------------------------------------------------------------------------------
def validate(env, info: dict, sample: int = 300) -> dict:
    """Checks of the replicated database through the ORM; raises on failure."""
    import random

    k_total = info["replicate_k"]
    offsets = info["replicate_offsets"]
    move_off = offsets["account_move"]
    Move, Line = env["account.move"], env["account.move.line"]
    checks = {}
    failures = []

    def check(name, ok, detail):
        checks[name] = f"{'OK' if ok else 'FAILED'}: {detail}"
        if not ok:
            failures.append(name)

    posted = [("move_type", "=", "out_invoice"), ("state", "=", "posted")]
    base_invoices = Move.search_count([*posted, ("id", "<=", move_off)])
    invoices = Move.search_count(posted)
    check(
        "posted out_invoice",
        invoices == base_invoices * k_total == info["invoices"],
        f"{invoices} = {k_total} x {base_invoices}",
    )
    names = Move.search_count([*posted, ("name", "!=", "/")])
    env.cr.execute(
        "SELECT count(DISTINCT (name, journal_id)) FROM account_move WHERE state = 'posted'"
        " AND move_type = 'out_invoice'"
    )
    check("distinct names", env.cr.fetchone()[0] == names, f"{names} invoices, names unique")

    # Recompute, through the ORM, the residuals and payment states of a sample of copies
    # from their copied lines and reconciles; compare with the originals' stored values.
    rng = random.Random(2026)
    copies = Move.search([*posted, ("id", ">", move_off)])
    sampled = Move.browse(rng.sample(copies.ids, min(sample, len(copies))))
    originals = Move.browse([(move.id - 1) % move_off + 1 for move in sampled])
    stored = {
        move.id: (move.amount_total, move.amount_residual, move.payment_state, move.partner_id.name)
        for move in originals
    }
    lines = sampled.line_ids
    env.invalidate_all()
    env.add_to_compute(Line._fields["amount_residual"], lines)
    env.add_to_compute(Line._fields["reconciled"], lines)
    for field in ("amount_total", "amount_residual", "amount_residual_signed", "payment_state"):
        env.add_to_compute(Move._fields[field], sampled)
    mismatches = []
    states = {}
    for move, original in zip(sampled, originals, strict=True):
        got = (move.amount_total, move.amount_residual, move.payment_state, move.partner_id.name)
        states[got[2]] = states.get(got[2], 0) + 1
        if got != stored[original.id] or move.name == original.name:
            mismatches.append((move.name, got, original.name, stored[original.id]))
    check(
        "sample recomputed",
        not mismatches,
        f"{len(sampled)} copied invoices (payment states {states}): amount_total,"
        f" amount_residual and payment_state recomputed by the ORM = the original's"
        + (f"; mismatches {mismatches[:3]}" if mismatches else ""),
    )
    env.cr.rollback()  # nothing recomputed is kept
    env.invalidate_all()

    open_domain = [*posted, ("payment_state", "in", ("not_paid", "partial", "in_payment"))]
    [[total]] = Move._read_group(open_domain, [], ["amount_residual_signed:sum"])
    [[base]] = Move._read_group(
        [*open_domain, ("id", "<=", move_off)], [], ["amount_residual_signed:sum"]
    )
    check(
        "open residual",
        abs(total - k_total * base) < 0.01,
        f"{total:.2f} = {k_total} x {base:.2f}",
    )
    by_state = dict(Move._read_group(posted, ["payment_state"], ["__count"]))
    base_state = dict(
        Move._read_group([*posted, ("id", "<=", move_off)], ["payment_state"], ["__count"])
    )
    check(
        "payment states",
        by_state == {state: k_total * count for state, count in base_state.items()},
        f"{by_state} = {k_total} x {base_state}",
    )

    partial_off, line_off = offsets["account_partial_reconcile"], offsets["account_move_line"]
    partials = env["account.partial.reconcile"].search([("id", ">", partial_off)])
    wrong = [
        partial.id
        for partial in partials
        if not (
            (partial.id - 1) // partial_off
            == (partial.debit_move_id.id - 1) // line_off
            == (partial.credit_move_id.id - 1) // line_off
        )
        or partial.debit_move_id.partner_id != partial.credit_move_id.partner_id
    ]
    check(
        "partials in their copy",
        bool(partials) and not wrong,
        f"{len(partials)} copied partial reconciles, each linking two lines of its own copy"
        f" and one customer{f'; wrong {wrong[:5]}' if wrong else ''}",
    )

    moves = Move.browse(rng.sample(Move.search([("id", ">", move_off)]).ids, sample))
    with moves._check_balanced({"records": moves}):
        pass  # raises UserError when a move is unbalanced
    unbalanced = Line._read_group(
        [], ["move_id"], ["debit:sum", "credit:sum"], having=[("balance:sum", "!=", 0)]
    )
    check(
        "balanced",
        not unbalanced,
        f"_check_balanced passes on {len(moves)} copied moves; moves with debit != credit"
        f" (all {Move.search_count([])}): {len(unbalanced)}",
    )
    followers = env["mail.followers"].search_count([("res_model", "=", "account.move")])
    base_followers = env["mail.followers"].search_count(
        [("res_model", "=", "account.move"), ("res_id", "<=", move_off)]
    )
    check(
        "followers",
        followers == k_total * base_followers,
        f"{followers} followers of moves = {k_total} x {base_followers}",
    )
    return {"checks": checks, "failures": failures}
