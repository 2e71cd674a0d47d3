"""Benchmark: the collection dashboard and the invoice list on the scale benchmark's data.

Run it on demand with Odoo's Python, after ``odoo_scale.py`` built its template::

    /opt/odoo18-venv/bin/python benchmarks/odoo_dashboard.py [--customers 2000] \
        [--invoices 10000] [--repeat 5] [--prefix recouvrement_bench]

It copies the template ``recouvrement_bench_<customers>x<invoices>``, runs our collection
run on the copy (so that invoices carry levels and next dates), then times what collectors
open, each ``--repeat`` times (median), with its SQL query count:

- the dashboard (``recouvrement.overdue.report``): amounts due by level, by age bucket,
  and by level and age bucket (``read_group``, computed by PostgreSQL), and the summary
  form (``recouvrement.dashboard``: every figure, the top debtors and DSO);
- the invoice list as the collection menu filters it (open invoices that reached a level,
  by due date, first page of 80, the list's columns) and its total count;
- the invoices whose next collection action is due (``recouvrement_next_date``).

Side by side, the same dashboard totals computed the per-record way (every open invoice
read through the ORM and summed in Python), as a module without a set-based report would;
the output ends with ``ratio X.Xx`` = per-record time / set-based time. The plans chosen by
PostgreSQL for the list queries are printed, to show which index serves them. The copy is
dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import odoo_scale  # the template, the copies and the registry helpers

LIST_FIELDS = [
    "name",
    "invoice_partner_display_name",
    "invoice_date_due",
    "amount_residual_signed",
    "recouvrement_level_id",
    "recouvrement_next_date",
    "recouvrement_blocked",
]


def timed(env, action, repeat: int) -> tuple[float, int, object]:
    """Median seconds and queries of ``action()`` over ``repeat`` cold runs."""
    from odoo import sql_db

    seconds, queries, result = [], [], None
    for _ in range(repeat):
        env.invalidate_all()
        before, started = sql_db.sql_counter, time.perf_counter()
        result = action()
        seconds.append(time.perf_counter() - started)
        queries.append(sql_db.sql_counter - before)
    return statistics.median(seconds), int(statistics.median(queries)), result


def per_record_totals(env) -> dict:
    """The dashboard's totals the slow way: every open invoice read and summed in Python."""
    from odoo import fields

    today = fields.Date.context_today(env["account.move"])
    moves = env["account.move"].search(env["account.move"]._recouvrement_get_open_domain())
    totals = defaultdict(float)
    for move in moves:
        age = (today - move.invoice_date_due).days if move.invoice_date_due else 0
        bucket = "0" if age <= 0 else "1" if age <= 30 else "2" if age <= 60 else "3"
        totals[(move.recouvrement_level_id.id, bucket)] += move.amount_residual_signed
    return totals


def explain(env, records_query) -> str:
    """The first line of PostgreSQL's plan that names an index or a sequential scan."""
    env.cr.execute(f"EXPLAIN {records_query.code}", records_query.params)
    for (line,) in env.cr.fetchall():
        if "Index" in line or "Seq Scan" in line or "Bitmap" in line:
            return line.strip()
    return "?"


def measure(db: str, addons_path: str, repeat: int) -> None:
    registry = odoo_scale.open_registry(db, addons_path)
    with registry.cursor() as cr:
        env = odoo_scale.admin_env(cr)
        run = env["recouvrement.run"]._server_create(
            {"company_id": env.company.id, "date": odoo_scale.AS_OF.isoformat(), "mode": "manual"}
        )
        run.action_run()
        cr.commit()
        print(f"our run on the copy: {run.raised_count} invoices raised")
        Report = env["recouvrement.overdue.report"]
        Move = env["account.move"]
        listed = [
            *Move._recouvrement_get_open_domain(),
            ("recouvrement_level_id", "!=", False),
        ]
        due = [*Move._recouvrement_get_open_domain(), ("recouvrement_next_date", "<=", "today")]
        cases = {
            "dashboard by level": lambda: Report.read_group(
                [], ["amount_residual:sum"], ["level_id"]
            ),
            "dashboard by age": lambda: Report.read_group(
                [], ["amount_residual:sum"], ["age_bucket"]
            ),
            "dashboard by level and age": lambda: Report.read_group(
                [], ["amount_residual:sum"], ["level_id", "age_bucket"], lazy=False
            ),
            "dashboard summary": lambda: env["recouvrement.dashboard"].create({}).summary_html,
            "invoice list, first 80": lambda: Move.search_fetch(
                listed, LIST_FIELDS, order="invoice_date_due, id", limit=80
            ),
            "invoice list, count": lambda: Move.search_count(listed),
            "next action due, first 80": lambda: Move.search_fetch(
                due, LIST_FIELDS, order="recouvrement_next_date, id", limit=80
            ),
        }
        print(f"{'what':32} {'median (ms)':>12} {'queries':>8}")
        set_based = 0.0
        for name, action in cases.items():
            seconds, queries, _result = timed(env, action, repeat)
            if name.startswith("dashboard by level and age"):
                set_based = seconds
            print(f"{name:32} {seconds * 1000:12.1f} {queries:8d}")
        slow, slow_queries, _totals = timed(env, lambda: per_record_totals(env), repeat)
        print(f"{'per-record totals (reference)':32} {slow * 1000:12.1f} {slow_queries:8d}")
        for name, domain, order in (
            ("invoice list", listed, "invoice_date_due, id"),
            ("next action due", due, "recouvrement_next_date, id"),
        ):
            query = Move._search(domain, order=order, limit=80)
            print(f"plan, {name}: {explain(env, query.select())}")
        print(f"ratio {slow / set_based:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--invoices", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--addons-path", default=None)
    parser.add_argument(
        "--prefix",
        default="recouvrement_bench",
        help="the templates' name prefix (odoo_scale.py --prefix)",
    )
    args = parser.parse_args()
    addons_path = args.addons_path or odoo_scale.default_addons_path()
    template = f"{args.prefix}_{args.customers}x{args.invoices}"
    if not odoo_scale.db_exists(template):
        sys.exit(f"{template} does not exist: build it with benchmarks/odoo_scale.py first")
    args.addons_path = addons_path
    odoo_scale.ensure_addon_current(template, args)
    copy = f"{template}_dashboard_{os.getpid()}"
    odoo_scale.copy_db(template, copy)
    try:
        measure(copy, addons_path, args.repeat)
    finally:
        odoo_scale.drop_db(copy)


if __name__ == "__main__":
    main()
