"""Benchmark on a real Odoo 18: our collection run against OCA ``account_credit_control``.

Run it on demand with Odoo's Python (never part of the tests)::

    /opt/odoo18-venv/bin/python benchmarks/odoo_scale.py [--customers 2000] [--invoices 10000]
        [--rebuild] [--only ours|oca] [--repeat K] [--letters N] [--profile] [--keep]
        [--replicate K] [--as-of DATE[,DATE…]|today] [--prefix P] [--addons-path AP]

Needs: Odoo 18 importable by that Python, with the OCA ``account_credit_control`` addon on
its addons path, the engine's dependencies installed there (the engine itself is taken
from this checkout's ``src/``, put first on ``sys.path``, whatever editable install the
venv points to), PostgreSQL reachable as Odoo's defaults say (local socket), and, for
``--letters``, LibreOffice. The addons path defaults to Odoo's own folders, the
``odoo.addons`` namespace (where pip puts the OCA wheels) and this repository.

1. Template. ``recouvrement_bench_<customers>x<invoices>`` is built once, then reused
   (``--rebuild`` builds it again): a French company (country FR, EUR, chart ``fr`` of
   ``l10n_fr_account``) with ``l10n_fr_recouvrement`` and ``account_credit_control``
   installed without demo data; the customers (88 % companies with a valid SIREN, SIRET
   and VAT number, 12 % individuals); the posted invoices (1-3 lines at 20 % VAT, due
   from 150 days before to 30 days after the run date); 15 % of them fully paid and 10 %
   partly paid by real ``account.payment`` records reconciled with them; the OCA policy
   (levels at 10, 30 and 60 days after the due date, e-mail) set on the company; then
   ``VACUUM ANALYZE``, as autovacuum would have done. See ``odoo_scale_data.py``. The build
   time is printed, and stored in the template. When the addon's files change, the
   template is upgraded (``-u``) before it is copied: the addon evolves, the data stays.

   ``--replicate K``: the measurements run on ``recouvrement_bench_<K×customers>x<K×
   invoices>`` instead, built once (then reused; ``--rebuild`` rebuilds it, not the base
   template) from the base template: a copy of it (``createdb -T`` and its filestore)
   in which the customers and everything of theirs (moves, lines, payments, reconciles,
   followers, the relation rows pointing at them) are copied K-1 more times in SQL, ids
   and foreign keys shifted, names renumbered, dates unchanged (see
   ``odoo_scale_replicate.py``); then checked through Odoo (invoice count, residuals and
   payment states recomputed by the ORM on a sample, open residual = K × the base one,
   reconciles within their copy, balanced moves: printed, and stored in the template),
   ``VACUUM ANALYZE``. Minutes instead of hours for 100 000 invoices.

   Time: the run date is FROZEN. Every date is relative to ``AS_OF`` (stored in the
   template), not to today, and both runs are dated ``AS_OF``; the clock itself is not
   faked. ``AS_OF`` lies in a half-year whose rates the engine knows, so letters can be
   produced (the engine never guesses a missing rate). ``--as-of DATE[,DATE…]`` dates
   the runs otherwise (``today``: the machine's date, when more invoices are overdue and
   the run's penalties are provisional), each date measured on both sides: every
   repetition measures every date, and the report ends with one ratio per date, side by
   side.

2. Measurements. Each side runs on its own copy of the template (``CREATE DATABASE …
   TEMPLATE`` plus a copy of the filestore), in its own process, as the admin user with
   its usual context, after the registry is loaded. Timed, from the creation of the run
   to the COMMIT included:

   ours  ``recouvrement.run`` created (company, date ``AS_OF``, mode manual) then
         ``_execute()`` (every chunk in one transaction): advisory lock, the engine's decisions
         (``_plan``), the engine's amounts (penalties, 40 €), the communications, their
         lines and the invoices' ladder fields (``_create_communications``), the run's
         summary. Letters and sending are queued for the background job (measured by
         ``--letters``). The engine's DOCX rendering and PDF conversion are replaced by
         stubs that count their calls, to show that the run itself renders nothing. The
         time of each phase is printed too.
   oca   ``credit.control.run`` created (date ``AS_OF``, the benchmark policy) then
         ``generate_credit_lines()``: one credit line per overdue receivable line, with
         OCA's chatter (creation message, follower). Its channel action (communications,
         e-mails with a QWeb PDF each) is not run, like our sending.

   Reported for each: wall time, SQL queries (``odoo.sql_db.sql_counter``) and the time
   spent in them, peak RSS of the measuring process (``ru_maxrss``; the RSS once the
   registry is loaded is shown as well) and the rows created (communications or credit
   lines, mail messages, followers, …). ``--repeat K`` measures both sides K times,
   alternately, and reports the median run of each (every run's time is shown). The
   output ends with ``ratio X.Xx`` = OCA wall time / ours.

3. ``--letters N``: on the copy of our run, N of its communications (all of them when N
   is at least their number) get a letter (``relance_ferme``; the first level prints
   none) and are queued; the background job (``_cron_process_queue``) is then called as
   the scheduler calls it, one committed batch after another, until the queue is empty:
   DOCX, PDF through the engine's long-lived LibreOffice processes (one per core),
   attachments. Timed from the first batch to the last COMMIT, the converters' start
   included. Extrapolated per communication when N is below the run's communications
   (OCA: ~1.5 s each, QWeb PDF).

4. ``--profile``: our run once more on another copy, with every query's caller recorded
   (the innermost frame of the addon, the ORM call it made, the table) and cProfile;
   printed before the summary. Its timings are inflated by the profiling.

The copies are dropped at the end (``--keep`` keeps them); the template stays.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import odoo_scale_cron

REPO = Path(__file__).resolve().parents[1]
ADDON = "l10n_fr_recouvrement"
AS_OF = date(2026, 6, 15)  # the frozen run date: rates of 2026 H1 are published
SEED = 2026
PARAM = "recouvrement_bench."  # prefix of the template's ir.config_parameter keys
COUNTED_TABLES = [
    "recouvrement_communication",
    "recouvrement_communication_line",
    "credit_control_line",
    "credit_control_communication",
    "mail_message",
    "mail_followers",
    "mail_tracking_value",
    "mail_mail",
    "mail_activity",
    "ir_attachment",
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def default_addons_path() -> str:
    """Odoo's own addons, the ``odoo.addons`` namespace (pip-installed OCA addons), us."""
    import odoo.addons

    root = Path(odoo.__file__).resolve().parents[1]
    paths = [root / "addons", root / "odoo" / "addons"]
    paths += [Path(path).resolve() for path in odoo.addons.__path__]
    paths.append(REPO)
    unique = []
    for path in paths:
        has_addon = path.is_dir() and any(
            (sub / "__manifest__.py").is_file() for sub in path.iterdir()
        )
        if has_addon and path not in unique:
            unique.append(path)
    return ",".join(str(path) for path in unique)


# ----------------------------------------------------------------------------------------
# Databases (orchestrator side): plain PostgreSQL, no Odoo registry
# ----------------------------------------------------------------------------------------
def pg_admin(query, *params) -> list[tuple]:
    """Run one statement on the ``postgres`` database, in autocommit."""
    import psycopg2

    connection = psycopg2.connect(dbname="postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


def db_exists(name: str) -> bool:
    return bool(pg_admin("SELECT 1 FROM pg_database WHERE datname = %s", name))


def filestore(name: str) -> Path:
    from odoo.tools import config

    return Path(config.filestore(name))


def drop_db(name: str) -> None:
    from psycopg2 import sql

    if db_exists(name):
        pg_admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", name)
        pg_admin(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
    shutil.rmtree(filestore(name), ignore_errors=True)


def copy_db(template: str, name: str) -> float:
    """``createdb -T template name`` and a copy of the filestore; returns the seconds."""
    from psycopg2 import sql

    started = time.perf_counter()
    drop_db(name)
    pg_admin(
        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template)
        )
    )
    if filestore(template).is_dir():
        shutil.copytree(filestore(template), filestore(name))
    return time.perf_counter() - started


def rename_db(old: str, new: str) -> None:
    from psycopg2 import sql

    pg_admin(
        sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(old), sql.Identifier(new))
    )
    if filestore(old).is_dir():
        filestore(old).rename(filestore(new))


def analyze_db(name: str) -> None:
    """VACUUM ANALYZE, as autovacuum would have done on a live database: realistic plans."""
    import psycopg2

    connection = psycopg2.connect(dbname=name)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    finally:
        connection.close()


def template_info(name: str) -> dict:
    import psycopg2

    connection = psycopg2.connect(dbname=name)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT key, value FROM ir_config_parameter WHERE key LIKE %s", (PARAM + "%",)
            )
            return {key[len(PARAM) :]: json.loads(value) for key, value in cursor.fetchall()}
    finally:
        connection.close()


def addon_fingerprint() -> str:
    """A hash of the addon's files: the template is upgraded when it changes."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((REPO / ADDON).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def set_template_params(name: str, values: dict) -> None:
    import psycopg2

    connection = psycopg2.connect(dbname=name)
    with connection, connection.cursor() as cursor:
        for key, value in values.items():
            cursor.execute(
                "INSERT INTO ir_config_parameter (key, value, create_date, write_date)"
                " VALUES (%s, %s, now() at time zone 'UTC', now() at time zone 'UTC')"
                " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                (PARAM + key, json.dumps(value)),
            )
    connection.close()


def ensure_addon_current(name: str, args) -> None:
    """Upgrade the addon in ``name`` when its code changed since it was installed there."""
    fingerprint = addon_fingerprint()
    if template_info(name).get("addon_fingerprint") == fingerprint:
        return
    log(f"{ADDON} changed since {name} was built: upgrading it there …")
    result = run_worker("upgrade", name, args)
    set_template_params(name, {"addon_fingerprint": fingerprint})
    analyze_db(name)  # the upgrade's rows and dead tuples, as autovacuum would leave them
    log(f"  upgraded in {result['seconds']:.0f} s, then VACUUM ANALYZE")


# ----------------------------------------------------------------------------------------
# Workers: one process each, talking back with one "RESULT {json}" line on stdout
# ----------------------------------------------------------------------------------------
def run_worker(kind: str, db: str, args, *extra: str) -> dict:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        kind,
        "--db",
        db,
        "--addons-path",
        args.addons_path,
        *extra,
    ]
    process = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
    if process.returncode or not lines:
        sys.exit(f"worker {kind} on {db} failed (exit code {process.returncode})")
    return json.loads(lines[-1][len("RESULT ") :])


def open_registry(db: str, addons_path: str):
    import odoo
    from odoo.tools import config

    config.parse_config(
        ["--addons-path", addons_path, "--log-level", "warn", "--without-demo", "all"]
    )
    return odoo.modules.registry.Registry(db)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def count_rows(cr) -> dict:
    counts = {}
    for table in COUNTED_TABLES:
        cr.execute("SELECT to_regclass(%s)", (table,))
        if cr.fetchone()[0]:
            cr.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cr.fetchone()[0]
    return counts


def admin_env(cr):
    from odoo import SUPERUSER_ID, api

    admin = api.Environment(cr, SUPERUSER_ID, {}).ref("base.user_admin")
    env = api.Environment(cr, admin.id, {})
    return env(context=env["res.users"].context_get())


def get_param(env, key):
    return json.loads(env["ir.config_parameter"].sudo().get_param(PARAM + key))


def worker_create(db: str, addons_path: str) -> dict:
    """A new database with base, a French main company, then the two addons installed."""
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.tools import config

    config.parse_config(
        ["--addons-path", addons_path, "--log-level", "warn", "--without-demo", "all"]
    )
    started = time.perf_counter()
    odoo.service.db.exp_create_database(db, False, "en_US", country_code="fr")
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        modules = env["ir.module.module"].search(
            [("name", "in", (ADDON, "account_credit_control"))]
        )
        if len(modules) != 2:
            raise RuntimeError(f"{ADDON} or account_credit_control not on the addons path")
        modules.button_immediate_install()
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env.company
        if company.chart_template != "fr":  # the chart follows the country (pitfall 7)
            env["account.chart.template"].try_loading("fr", company, install_demo=False)
        chart = company.chart_template
        currency = company.currency_id.name
    return {"seconds": time.perf_counter() - started, "chart": chart, "currency": currency}


def worker_upgrade(db: str, addons_path: str) -> dict:
    import odoo
    from odoo.tools import config

    config.parse_config(
        [
            "--addons-path",
            addons_path,
            "--log-level",
            "warn",
            "--without-demo",
            "all",
            "-d",
            db,
            "-u",
            ADDON,
        ]
    )
    started = time.perf_counter()
    odoo.modules.registry.Registry.new(db, update_module=True)
    return {"seconds": time.perf_counter() - started}


def worker_validate(db: str, addons_path: str) -> dict:
    """The replicated database checked through Odoo (``odoo_scale_replicate.validate``)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import odoo_scale_replicate

    registry = open_registry(db, addons_path)
    info = template_info(db)
    with registry.cursor() as cr:
        result = odoo_scale_replicate.validate(admin_env(cr), info)
        cr.rollback()
    return result


def worker_populate(db: str, addons_path: str, customers: int, invoices: int) -> dict:
    from odoo import SUPERUSER_ID, api

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import odoo_scale_data

    registry = open_registry(db, addons_path)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tz": "Europe/Paris"})
        result = odoo_scale_data.populate(env, customers, invoices, AS_OF, SEED, log)
        params = env["ir.config_parameter"].sudo()
        for key, value in {
            "as_of": AS_OF.isoformat(),
            "seed": SEED,
            "customers": customers,
            "invoices": invoices,
            "oca_policy_id": result["oca_policy_id"],
            "populate_seconds": result["durations"],
        }.items():
            params.set_param(PARAM + key, json.dumps(value))
    return result


class PhaseTimer:
    """Wrap model methods to time them and count their queries (nested calls included)."""

    def __init__(self):
        self.phases = {}

    def wrap(self, cls, name, label=None):
        from odoo import sql_db

        original = getattr(cls, name)
        label = label or name
        phases = self.phases

        def wrapper(self, *args, **kwargs):
            started, queries = time.perf_counter(), sql_db.sql_counter
            try:
                return original(self, *args, **kwargs)
            finally:
                seconds, count = phases.get(label, (0.0, 0))
                phases[label] = (
                    seconds + time.perf_counter() - started,
                    count + sql_db.sql_counter - queries,
                )

        setattr(cls, name, wrapper)


def stub_documents(env) -> dict:
    """Keep DOCX rendering and PDF conversion out of the run; count what they were asked."""
    calls = {"docx rendered (stub)": 0, "pdf converted (stub)": 0}
    engine = type(env["recouvrement.engine"])
    fake_pdf = b"%PDF-1.4\n%%EOF\n"

    def render(self, template, context):
        calls["docx rendered (stub)"] += 1
        return b""

    def convert(self, documents, return_exceptions=False):
        documents = list(documents)
        calls["pdf converted (stub)"] += len(documents)
        return [fake_pdf for _document in documents]

    engine._render_letter = render
    engine._convert_to_pdf = convert
    return calls


def measure(env, action) -> dict:
    """Time ``action`` and its COMMIT; count its queries and the rows it created."""
    import threading

    from odoo import sql_db

    cr = env.cr
    before = count_rows(cr)
    env.invalidate_all()
    thread = threading.current_thread()
    thread.query_count, thread.query_time = 0, 0.0
    queries = sql_db.sql_counter
    started = time.perf_counter()
    details = action()
    cr.commit()
    wall = time.perf_counter() - started
    query_count = sql_db.sql_counter - queries
    sql_seconds = thread.query_time
    after = count_rows(cr)
    return {
        "wall": wall,
        "queries": query_count,
        "sql_seconds": sql_seconds,
        "created": {table: after[table] - before[table] for table in after},
        **details,
    }


def run_date(env, as_of: str | None) -> date:
    """The run date: ``--as-of``'s, else the template's frozen one."""
    return date.fromisoformat(as_of or get_param(env, "as_of"))


def worker_ours(db: str, addons_path: str, profile: bool, as_of: str | None) -> dict:
    registry = open_registry(db, addons_path)
    rss_loaded = peak_rss_mib()
    with registry.cursor() as cr:
        env = admin_env(cr)
        as_of = run_date(env, as_of)
        stubs = stub_documents(env)
        timer = PhaseTimer()
        Run = type(env["recouvrement.run"])
        for name in ("_start", "_get_chunk_end", "_plan", "_create_communications"):
            timer.wrap(Run, name)
        # Inside _create_communications:
        timer.wrap(type(env["recouvrement.engine"]), "_compute_decomptes")
        timer.wrap(Run, "_prepare_communication_values", "communication values")
        timer.wrap(
            type(env["recouvrement.communication"]), "_create_for_run", "INSERT communications"
        )
        timer.wrap(type(env["recouvrement.communication.line"]), "_insert_for_run", "INSERT lines")
        timer.wrap(type(env["recouvrement.invoice.state"]), "_raise_levels", "UPSERT states")
        timer.wrap(type(env["recouvrement.communication"]), "_generate_documents")

        def action():
            # The run's date is the application's to set (server field): frozen here.
            run = env["recouvrement.run"]._server_create(
                {"company_id": env.company.id, "date": as_of.isoformat(), "mode": "manual"}
            )
            run._execute()
            return {"run_id": run.id}

        result = profile_ours(env, action) if profile else measure(env, action)
        run = env["recouvrement.run"].browse(result["run_id"])
        result.update(
            rss_loaded=rss_loaded,
            rss_peak=peak_rss_mib(),
            phases=timer.phases,
            stubs=stubs,
            examined=run.invoice_count,
            raised=run.raised_count,
            waiting=run.skipped_count,
            log=run.log,
            communications=len(run.communication_ids),
            levels={
                level.name: count
                for level, count in env["recouvrement.communication"]._read_group(
                    [("run_id", "=", run.id)], ["level_id"], ["__count"]
                )
            },
        )
    return result


def worker_oca(db: str, addons_path: str, as_of: str | None) -> dict:
    registry = open_registry(db, addons_path)
    rss_loaded = peak_rss_mib()
    with registry.cursor() as cr:
        env = admin_env(cr)
        as_of = run_date(env, as_of)
        policy = env["credit.control.policy"].browse(get_param(env, "oca_policy_id"))

        def action():
            run = env["credit.control.run"].create(
                {
                    "date": as_of.isoformat(),
                    "company_id": env.company.id,
                    "policy_ids": [(6, 0, policy.ids)],
                }
            )
            run.generate_credit_lines()
            return {"run_id": run.id}

        result = measure(env, action)
        run = env["credit.control.run"].browse(result["run_id"])
        cr.execute(
            "SELECT count(*), count(DISTINCT move_id), count(DISTINCT partner_id)"
            "  FROM account_move_line line JOIN account_account account"
            "    ON account.id = line.account_id"
            " WHERE account.account_type = 'asset_receivable' AND line.parent_state = 'posted'"
            "   AND NOT line.reconciled AND line.date_maturity <= %s",
            (as_of,),
        )
        due_lines, _moves, due_partners = cr.fetchone()
        result.update(
            rss_loaded=rss_loaded,
            rss_peak=peak_rss_mib(),
            lines=len(run.line_ids),
            line_partners=len(run.line_ids.commercial_partner_id),
            due_lines=due_lines,
            due_partners=due_partners,
            levels={
                level.name: count
                for level, count in env["credit.control.line"]._read_group(
                    [("run_id", "=", run.id)], ["policy_level_id"], ["__count"]
                )
            },
        )
    return result


def worker_letters(db: str, addons_path: str, count: int) -> dict:
    """Letters of ``count`` communications of our run, through the background job.

    They are queued as a run queues them; then the job is called as the scheduler calls
    it, one committed batch at a time, until the queue is empty: DOCX, PDF (one
    LibreOffice per core), attachments, COMMIT after each batch.
    """
    registry = open_registry(db, addons_path)
    from odoo.addons.l10n_fr_recouvrement.models import recouvrement_engine

    with registry.cursor() as cr:
        env = admin_env(cr)
        Communication = env["recouvrement.communication"]
        total = Communication.search_count([])
        communications = Communication.search([], order="id", limit=count)
        # The first level prints no letter: give these communications the next level's.
        communications.write({"letter_kind": "relance_ferme", "documents_pending": True})
        cr.commit()
        timer = PhaseTimer()
        engine = type(env["recouvrement.engine"])
        for name in ("_build_letter_context", "_render_letter", "_convert_to_pdf"):
            timer.wrap(engine, name)
        timer.wrap(type(Communication), "_store_documents")

        def run_queue():
            batches = 0
            while True:
                remaining = Communication._cron_process_queue()
                batches += 1
                if not remaining:
                    return {"batches": batches}
                cr.commit()

        result = measure(env, run_queue)
        communications.invalidate_recordset()
        result.update(
            letters=len(communications),
            with_pdf=len(communications.filtered("pdf_attachment_id")),
            failed=len(communications.filtered(lambda comm: comm.state == "failed")),
            failures=sorted(set(communications.mapped("failure_reason")) - {False})[:3],
            total_communications=total,
            converters=recouvrement_engine._get_converter().size,
            phases=timer.phases,
            rss_peak=peak_rss_mib(),
        )
        recouvrement_engine._close_converter()
    return result


# ----------------------------------------------------------------------------------------
# Profiling of our run: queries by caller, cProfile
# ----------------------------------------------------------------------------------------
def query_signature(query: str) -> str:
    """``UPDATE table (columns)``, ``INSERT table``, ``SELECT table``…: what a query does."""
    import re

    query = " ".join(query.split())
    match = re.match(r'UPDATE "?(\w+)"? SET (.*?)(?: FROM | WHERE |$)', query, re.IGNORECASE)
    if match:
        columns = sorted(
            set(re.findall(r'"(\w+)" =', match.group(2))) - {"write_date", "write_uid"}
        )
        return f"UPDATE {match.group(1)} ({', '.join(columns)})"
    for pattern, kind in (
        (r'INSERT INTO "?(\w+)"?', "INSERT"),
        (r'DELETE FROM "?(\w+)"?', "DELETE"),
        (r'SELECT .*? FROM "?(\w+)"?', "SELECT"),
    ):
        match = re.match(pattern, query, re.IGNORECASE)
        if match:
            return f"{kind} {match.group(1)}"
    return query[:60]


def profile_ours(env, action) -> dict:
    import cProfile
    import io
    import pstats
    import threading
    from collections import Counter

    addon_dir = str(REPO / ADDON) + os.sep
    engine_dir = str(REPO / "src" / "recouvrement") + os.sep
    by_caller = Counter()
    time_by_caller = Counter()
    by_chain = Counter()

    def hook(cr, query, params, start, delay):
        frame = sys._getframe(1)
        callee = None
        chain = []
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith(addon_dir):
                location = f"{filename[len(addon_dir) :]}:{frame.f_lineno} {frame.f_code.co_name}"
                chain.append(location)
                if len(chain) == 1:
                    first, first_callee = location, callee
            else:
                callee = frame.f_code.co_name
            frame = frame.f_back
        signature = query_signature(query if isinstance(query, str) else query.decode())
        if not chain:
            key = ("(outside the addon: flush, commit)", "", signature)
        else:
            key = (first, first_callee or "", signature)
        by_caller[key] += 1
        time_by_caller[key] += delay
        by_chain[" < ".join(chain[:4]) or "(outside the addon)"] += 1

    profiler = cProfile.Profile()

    def profiled_action():
        thread = threading.current_thread()
        thread.query_hooks = [hook]
        profiler.enable()
        try:
            details = action()
            env.flush_all()  # what the COMMIT would write, profiled too
            return details
        finally:
            profiler.disable()
            thread.query_hooks = []

    result = measure(env, profiled_action)
    lines = [
        f"queries by caller (innermost addon frame, ORM call it made, query): "
        f"{sum(by_caller.values())} queries"
    ]
    for (location, callee, query), count in by_caller.most_common(25):
        lines.append(
            f"  {count:6d}  {1000 * time_by_caller[(location, callee, query)]:8.0f} ms  "
            f"{location}  -> {callee}  [{query}]"
        )
    lines.append("slowest callers (total time in SQL):")
    for (location, callee, query), seconds in time_by_caller.most_common(12):
        count = by_caller[(location, callee, query)]
        lines.append(f"  {count:6d}  {1000 * seconds:8.0f} ms  {location}  -> {callee}  [{query}]")
    lines.append("queries by addon call chain (innermost first, 4 frames):")
    for chain, count in by_chain.most_common(15):
        lines.append(f"  {count:6d}  {chain}")
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("cumulative").print_stats(addon_dir.replace(os.sep, "/"), 30)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(engine_dir.replace(os.sep, "/"), 10)
    lines.append(stream.getvalue())
    result["profile"] = "\n".join(lines)
    return result


# ----------------------------------------------------------------------------------------
# Orchestration and report
# ----------------------------------------------------------------------------------------
def build_template(args, template: str) -> float:
    building = template + "_building"
    drop_db(building)
    started = time.perf_counter()
    log(f"building template {template}: database, {ADDON} and account_credit_control …")
    fingerprint = addon_fingerprint()
    created = run_worker("create", building, args)
    set_template_params(building, {"addon_fingerprint": fingerprint})
    log(
        f"  installed in {created['seconds']:.0f} s (chart {created['chart']}, "
        f"{created['currency']})"
    )
    if created["chart"] != "fr" or created["currency"] != "EUR":
        sys.exit("the template company did not get the French chart in EUR")
    ensure_addon_current(building, args)
    populated = run_worker(
        "populate",
        building,
        args,
        "--customers",
        str(args.customers),
        "--invoices",
        str(args.invoices),
    )
    analyze_db(building)
    total = time.perf_counter() - started
    set_template_params(building, {"install_seconds": created["seconds"], "build_seconds": total})
    rename_db(building, template)
    log(
        f"template {template} built in {total:.0f} s: install {created['seconds']:.0f} s, "
        + ", ".join(f"{step} {seconds:.0f} s" for step, seconds in populated["durations"].items())
    )
    return total


def build_replica(args, base: str, template: str) -> float:
    """``template``: ``base`` with its customers and their data copied K-1 more times."""
    import psycopg2

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import odoo_scale_replicate

    building = template + "_building"
    started = time.perf_counter()
    log(
        f"building template {template}: {base} with its customers copied {args.replicate - 1}"
        " more times, in SQL …"
    )
    copy_db(base, building)
    connection = psycopg2.connect(dbname=building)
    try:
        stats = odoo_scale_replicate.replicate(connection, args.replicate, log)
    finally:
        connection.close()
    base_info = template_info(building)
    set_template_params(
        building,
        {
            "customers": base_info["customers"] * args.replicate,
            "invoices": base_info["invoices"] * args.replicate,
            "replicated_from": base,
            "replicate_k": args.replicate,
            "replicate_offsets": stats["offsets"],
            "replicate_rows": stats["rows"],
            "replicate_sql_seconds": stats["seconds"],
            "base_build_seconds": base_info["build_seconds"],
        },
    )
    log(
        f"  replicated in {stats['seconds']:.0f} s ({stats['fk_checked']} foreign keys checked);"
        " VACUUM ANALYZE …"
    )
    analyze_db(building)
    log("  checking it through Odoo …")
    checks = run_worker("validate", building, args)
    for name, outcome in checks["checks"].items():
        log(f"  check {name}: {outcome}")
    if checks["failures"]:
        sys.exit(
            f"the replicated template failed its checks {checks['failures']}; kept as {building}"
        )
    total = time.perf_counter() - started
    set_template_params(building, {"build_seconds": total, "replicate_checks": checks["checks"]})
    rename_db(building, template)
    log(f"template {template} built in {total:.0f} s (SQL copies {stats['seconds']:.0f} s)")
    return total


def measure_side(args, template: str, kind: str, *extra: str, letters: bool = False) -> dict:
    ensure_addon_current(template, args)  # the addon is edited while we measure
    copy = f"{template}_{kind}_{os.getpid()}"
    seconds = copy_db(template, copy)
    # Dropping the previous copy and writing this one leave dirty buffers: flush them
    # now, or the checkpoint lands in this side's run (the run after OCA's paid for it).
    pg_admin("CHECKPOINT")
    log(f"{kind}: copied the template to {copy} in {seconds:.2f} s; measuring …")
    try:
        result = run_worker(kind, copy, args, *extra)
        log(f"  {result['wall']:.2f} s, {result['queries']} queries")
        if letters:
            log(f"letters: documents of {args.letters} communications …")
            result["letters"] = run_worker("letters", copy, args, "--letters", str(args.letters))
    finally:
        if args.keep:
            log(f"  kept {copy}")
        else:
            drop_db(copy)
    return result


def median_run(results: list[dict]) -> dict | None:
    """The run of median wall time, with every run's wall time in ``walls``."""
    if not results:
        return None
    ordered = sorted(results, key=lambda result: result["wall"])
    median = dict(ordered[(len(ordered) - 1) // 2])
    median["walls"] = [result["wall"] for result in results]
    return median


def mib(value: float) -> str:
    return f"{value:.0f} MiB"


def report(
    args, template: str, info: dict, as_of: str, ours: dict | None, oca: dict | None
) -> None:
    frozen = "frozen" if as_of == info["as_of"] else f"data frozen on {info['as_of']}"
    print(
        f"Odoo scale benchmark, template {template}: {info['customers']} customers, "
        f"{info['invoices']} posted invoices (15 % paid, 10 % part paid), run date "
        f"{as_of} ({frozen}); {ADDON} files {info.get('addon_fingerprint')}"
    )
    replicated = bool(info.get("replicated_from"))
    print(
        f"{'base template' if replicated else 'template'} build: "
        f"{info['base_build_seconds' if replicated else 'build_seconds']:.0f} s (install "
        f"{info['install_seconds']:.0f} s, "
        + ", ".join(f"{step} {seconds:.0f} s" for step, seconds in info["populate_seconds"].items())
        + ")"
    )
    if replicated:
        print(
            f"replicated template: {info['replicated_from']} (built in "
            f"{info['base_build_seconds']:.0f} s) with its customers copied "
            f"{info['replicate_k'] - 1} more times in SQL, built in {info['build_seconds']:.0f} s "
            f"(SQL copies {info['replicate_sql_seconds']:.0f} s); rows added: "
            f"{info['replicate_rows']}"
        )
        for name, outcome in info["replicate_checks"].items():
            print(f"  check {name}: {outcome}")
    if ours:
        print(
            f"ours: {ours['examined']} open invoices examined, {ours['raised']} raised, "
            f"{ours['waiting']} waiting ({(ours['log'] or '').replace(chr(10), '; ')}); "
            f"communications by level: {ours['levels']}"
        )
        print(
            "ours, phases (s, queries): "
            + ", ".join(
                f"{name} {seconds:.2f} s / {count} q"
                for name, (seconds, count) in ours["phases"].items()
            )
            + f"; document stubs called: {ours['stubs']}"
        )
    if oca:
        print(
            f"oca: {oca['due_lines']} receivable lines due on the run date "
            f"({oca['due_partners']} customers); {oca['lines']} credit lines at 10+ days "
            f"for {oca['line_partners']} customers; by level: {oca['levels']}"
        )
    rows = [
        ("wall time (s, commit included)", lambda r: f"{r['wall']:.2f}"),
        ("  every run (s)", lambda r: " ".join(f"{wall:.1f}" for wall in r["walls"])),
        ("SQL queries", lambda r: str(r["queries"])),
        ("time in SQL (s)", lambda r: f"{r['sql_seconds']:.2f}"),
        ("peak RSS (process)", lambda r: mib(r["rss_peak"])),
        ("RSS once the registry is loaded", lambda r: mib(r["rss_loaded"])),
    ]
    tables = [t for t in COUNTED_TABLES if any(r and r["created"].get(t) for r in (ours, oca))]
    rows += [
        (f"rows created: {table}", lambda r, t=table: str(r["created"].get(t, 0)))
        for table in tables
    ]
    width = max(len(label) for label, _ in rows)
    print(f"{'':{width}}  {'ours':>12}  {'OCA':>12}")
    for label, cell in rows:
        print(
            f"{label:{width}}  {cell(ours) if ours else '-':>12}  {cell(oca) if oca else '-':>12}"
        )
    letters = ours and ours.get("letters")
    if letters:
        done = letters["letters"]
        per = letters["wall"] / done if done else float("nan")
        total = letters["total_communications"]
        print(
            f"letters: {done} communications -> {letters['with_pdf']} DOCX+PDF stored, "
            f"{letters['failed']} failed {letters['failures'] or ''}; background job in "
            f"{letters['batches']} committed batches on {letters['converters']} LibreOffice "
            f"processes: {letters['wall']:.1f} s, converters' start included ({per:.3f} s per "
            f"communication, {letters['queries']} queries, peak RSS "
            f"{mib(letters['rss_peak'])})"
        )
        print(
            "letters, phases (s, queries): "
            + ", ".join(
                f"{name} {seconds:.2f} s / {count} q"
                for name, (seconds, count) in letters["phases"].items()
            )
        )
        print(
            f"letters, for the run's {total} communications: {per * total:.0f} s"
            f"{' (extrapolated)' if done < total else ''}; OCA at ~1.5 s each: "
            f"{1.5 * total:.0f} s"
        )
    print(f"load average during the measurements: {args.load}")
    if ours and oca:
        print(f"ratio {oca['wall'] / ours['wall']:.1f}x")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--invoices", type=int, default=10000)
    parser.add_argument("--rebuild", action="store_true", help="build the template again")
    parser.add_argument(
        "--only",
        choices=("ours", "oca", "cron"),
        help="cron: only the scheduled run, uninterrupted then killed (see --cron)",
    )
    parser.add_argument(
        "--cron",
        action="store_true",
        help="also run ours as the scheduler does, chunk by chunk, then killed and resumed",
    )
    parser.add_argument("--calls-file", help=argparse.SUPPRESS)
    parser.add_argument("--letters", type=int, default=0, metavar="N")
    parser.add_argument(
        "--repeat", type=int, default=1, metavar="K", help="measure each side K times (median)"
    )
    parser.add_argument("--profile", action="store_true", help="profile our run (extra copy)")
    parser.add_argument("--keep", action="store_true", help="keep the measured copies")
    parser.add_argument(
        "--replicate",
        type=int,
        default=1,
        metavar="K",
        help="measure on the template with its customers copied K-1 more times (in SQL)",
    )
    parser.add_argument(
        "--prefix",
        default="recouvrement_bench",
        help="the templates' name prefix: a separate set of templates for another checkout",
    )
    parser.add_argument(
        "--as-of",
        metavar="DATE[,DATE…]",
        help="run dates (YYYY-MM-DD or today, comma-separated, measured one after the other); "
        "default: the template's frozen date",
    )
    parser.add_argument("--addons-path")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.addons_path = (
        args.addons_path or os.environ.get("ODOO_ADDONS_PATH") or (default_addons_path())
    )

    if args.worker:
        # The engine of this checkout, whatever editable install Odoo's venv points to.
        sys.path.insert(0, str(REPO / "src"))
        workers = {
            "create": lambda: worker_create(args.db, args.addons_path),
            "upgrade": lambda: worker_upgrade(args.db, args.addons_path),
            "validate": lambda: worker_validate(args.db, args.addons_path),
            "populate": lambda: worker_populate(
                args.db, args.addons_path, args.customers, args.invoices
            ),
            "ours": lambda: worker_ours(args.db, args.addons_path, args.profile, args.as_of),
            "oca": lambda: worker_oca(args.db, args.addons_path, args.as_of),
            "letters": lambda: worker_letters(args.db, args.addons_path, args.letters),
            "cron": lambda: odoo_scale_cron.worker_cron(args.db, args.addons_path, args.calls_file),
        }
        result = workers[args.worker]()
        print("RESULT " + json.dumps(result, default=str), flush=True)
        return

    from odoo.tools import config

    config.parse_config(["--addons-path", args.addons_path])  # for the filestore's place
    template = f"{args.prefix}_{args.customers}x{args.invoices}"
    if args.replicate > 1:  # --rebuild rebuilds the replicated template, not the base one
        base = template
        template = (
            f"{args.prefix}_{args.customers * args.replicate}x{args.invoices * args.replicate}"
        )
        if db_exists(template) and template_info(template).get("replicated_from") != base:
            sys.exit(f"{template} exists but was not replicated from {base}")
        if not db_exists(template) or args.rebuild:
            if not db_exists(base):
                build_template(args, base)
            ensure_addon_current(base, args)  # the copies inherit an up-to-date addon
    if args.rebuild:
        drop_db(template)
    if db_exists(template):
        log(f"reusing template {template} (--rebuild to build it again)")
    elif args.replicate > 1:
        build_replica(args, base, template)
    else:
        build_template(args, template)
    ensure_addon_current(template, args)
    info = template_info(template)

    dates = parse_dates(args.as_of, info["as_of"])
    measured = measure_dates(args, template, dates)
    ratios = []
    for as_of in dates:
        ours, oca = measured[as_of]
        report(args, template, info, as_of, ours, oca)
        if ours and oca:
            ratios.append((as_of, ours["wall"], oca["wall"]))
    if len(dates) > 1:
        print("side by side:")
        for as_of, ours_wall, oca_wall in ratios:
            print(
                f"  run date {as_of}: ours {ours_wall:.2f} s, OCA {oca_wall:.2f} s, "
                f"ratio {oca_wall / ours_wall:.1f}x"
            )
    if args.cron or args.only == "cron":
        odoo_scale_cron.report_cron(odoo_scale_cron.measure_cron(args, template))


def parse_dates(option: str | None, frozen: str) -> list[str]:
    """``--as-of``'s dates in ISO form (``today``: the machine's date); default: frozen."""
    if not option:
        return [frozen]
    return [
        date.today().isoformat()
        if part.strip() == "today"
        else date.fromisoformat(part.strip()).isoformat()
        for part in option.split(",")
    ]


def measure_dates(args, template: str, dates: list[str]) -> dict:
    """``{date: (ours, oca)}``, the median run of each side on each run date.

    Each repetition measures every date, both sides on fresh copies one after the other,
    so that a busy machine (or the first, colder runs) weighs on all of them alike.
    """
    runs = {(as_of, kind): [] for as_of in dates for kind in ("ours", "oca")}
    loads = [os.getloadavg()[0]]
    for repetition in range(args.repeat):
        for as_of in dates:
            for kind in ("ours", "oca"):
                if args.only in (None, kind):
                    letters = kind == "ours" and bool(args.letters) and not repetition
                    runs[as_of, kind].append(
                        measure_side(args, template, kind, "--as-of", as_of, letters=letters)
                    )
                    loads.append(os.getloadavg()[0])
    args.load = " / ".join(f"{load:.2f}" for load in loads) + " (1 min; before, after each run)"
    result = {}
    for as_of in dates:
        ours, oca = (median_run(runs[as_of, kind]) for kind in ("ours", "oca"))
        if ours and runs[as_of, "ours"][0].get("letters"):
            ours["letters"] = runs[as_of, "ours"][0]["letters"]
        if args.profile:
            profiled = measure_side(args, template, "ours", "--profile", "--as-of", as_of)
            print(
                f"PROFILE of our run on {as_of} (timings inflated by profiling: "
                f"{profiled['wall']:.2f} s, {profiled['queries']} queries)"
            )
            print(profiled["profile"])
        result[as_of] = (ours, oca)
    return result


if __name__ == "__main__":
    main()
