"""``odoo_scale.py --cron``: our run as the scheduler does it, chunk by chunk, then killed.

Two copies of the template, each driven by real Odoo cron machinery in worker processes
(``ir.cron._acquire_one_job`` and ``_process_job``: a transaction per call of
``recouvrement.run._cron_run``, the progress API, up to ten calls per job, then again
as soon as possible), the run date frozen at the template's (freezegun, ticking):

1. Uninterrupted: one worker until the job is done. Wall time, the longest single cron
   call, peak RSS, queries.
2. Killed: a worker is killed (SIGKILL) in the middle of a chunk, once some chunks are
   committed; a new worker resumes until the job is done.

Then both copies' communications are compared (customer, level, invoices, amounts: a
digest computed in SQL) and the killed run checked for duplicates.
"""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

CRON_XMLID = "l10n_fr_recouvrement.ir_cron_recouvrement_run"

# What the two runs must agree on, whatever the chunks and the kill.
DIGEST_QUERY = """
    SELECT count(DISTINCT comm.id), count(line.id), count(DISTINCT line.move_id),
           md5(string_agg(
               concat_ws(':', comm.partner_id, comm.level_id, line.move_id,
                         comm.amount_total, line.penalty_amount, line.amount_residual),
               ',' ORDER BY comm.partner_id, comm.level_id, line.move_id))
      FROM recouvrement_communication comm
      JOIN recouvrement_communication_line line ON line.communication_id = comm.id
"""
RUNS_QUERY = """
    SELECT state, count(*), sum(invoice_count), sum(raised_count), sum(chunk_count)
      FROM recouvrement_run GROUP BY state
"""


def worker_cron(db: str, addons_path: str, calls_path: str) -> dict:
    """Process the daily run's job until it is done; each call's seconds are appended to
    ``calls_path`` as they end, so that a killed worker's calls are known too."""
    from freezegun import freeze_time
    from odoo_scale import admin_env, get_param, open_registry, peak_rss_mib

    from odoo import sql_db

    registry = open_registry(db, addons_path)
    with registry.cursor() as cr:
        env = admin_env(cr)
        as_of = date.fromisoformat(get_param(env, "as_of"))
        cron_id = env.ref(CRON_XMLID).id
    Run = registry["recouvrement.run"]
    original = Run._cron_run

    def timed_cron_run(self):
        started = time.perf_counter()
        try:
            return original(self)
        finally:
            with open(calls_path, "a", encoding="utf-8") as calls:
                calls.write(f"{time.perf_counter() - started:.3f}\n")

    Run._cron_run = timed_cron_run
    IrCron = registry["ir.cron"]
    database = sql_db.db_connect(db)
    queries = sql_db.sql_counter
    started = time.perf_counter()
    with freeze_time(as_of, tick=True):
        # The frozen clock reschedules the job to the day after the run date, which the
        # database's clock finds due: the job is done when its run is.
        while not run_done(database):
            with database.cursor() as cron_cr:
                job = IrCron._acquire_one_job(cron_cr, cron_id)
                if not job:
                    sys.exit("the daily job is not due")
                IrCron._process_job(database, cron_cr, job)
    return {
        "wall": time.perf_counter() - started,
        "queries": sql_db.sql_counter - queries,
        "rss_peak": peak_rss_mib(),
    }


def run_done(database) -> bool:
    with database.cursor() as cr:
        cr.execute(
            "SELECT count(*) FILTER (WHERE state = 'running'), count(*) FROM recouvrement_run"
        )
        running, runs = cr.fetchone()
    return runs and not running


def make_job_due(db: str) -> None:
    """The daily job due now, as it is each morning."""
    import psycopg2

    connection = psycopg2.connect(dbname=db)
    with connection, connection.cursor() as cursor:
        module, name = CRON_XMLID.split(".")
        cursor.execute(
            """
            UPDATE ir_cron SET nextcall = (now() AT TIME ZONE 'UTC') - interval '1 minute'
             WHERE id = (SELECT res_id FROM ir_model_data
                          WHERE model = 'ir.cron' AND module = %s AND name = %s)
            """,
            (module, name),
        )
    connection.close()


def read_outcome(db: str) -> dict:
    import psycopg2

    connection = psycopg2.connect(dbname=db)
    try:
        with connection.cursor() as cursor:
            cursor.execute(DIGEST_QUERY)
            communications, lines, invoices, digest = cursor.fetchone()
            cursor.execute(RUNS_QUERY)
            runs = {
                state: {"runs": count, "examined": examined, "raised": raised, "chunks": chunks}
                for state, count, examined, raised, chunks in cursor.fetchall()
            }
    finally:
        connection.close()
    return {
        "communications": communications,
        "lines": lines,
        "invoices": invoices,
        "digest": digest,
        "runs": runs,
    }


def start_worker(db: str, args, calls_path: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        str(Path(__file__).with_name("odoo_scale.py")),
        "--worker",
        "cron",
        "--db",
        db,
        "--addons-path",
        args.addons_path,
        "--calls-file",
        str(calls_path),
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def finish_worker(process: subprocess.Popen) -> dict:
    stdout, _stderr = process.communicate()
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    if process.returncode or not lines:
        sys.exit(f"cron worker failed (exit code {process.returncode})")
    return json.loads(lines[-1][len("RESULT ") :])


def read_calls(path: Path) -> list[float]:
    if not path.exists():
        return []
    return [float(line) for line in path.read_text(encoding="utf-8").split()]


def run_uninterrupted(db: str, args, calls_path: Path) -> dict:
    make_job_due(db)
    result = finish_worker(start_worker(db, args, calls_path))
    result["calls"] = read_calls(calls_path)
    return result


def run_killed(db: str, args, calls_path: Path, kill_after_calls: int, call_seconds: float):
    """Kill the worker half-way through the call after ``kill_after_calls`` calls, then
    resume with a new worker."""
    from odoo_scale import log

    make_job_due(db)
    process = start_worker(db, args, calls_path)
    started = time.perf_counter()
    while len(read_calls(calls_path)) < kill_after_calls:
        if process.poll() is not None:
            sys.exit("the cron worker ended before it could be killed")
        time.sleep(0.05)
    time.sleep(call_seconds / 2)  # in the middle of the next chunk
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = time.perf_counter() - started
    committed_calls = len(read_calls(calls_path))
    log(f"  killed after {killed_at:.1f} s and {committed_calls} calls; resuming …")
    resumed = finish_worker(start_worker(db, args, calls_path))
    return {
        "killed_at": killed_at,
        "calls_before_kill": committed_calls,
        "wall_resumed": resumed["wall"],
        "rss_peak": resumed["rss_peak"],
        "calls": read_calls(calls_path),
    }


def measure_cron(args, template: str) -> dict:
    """Both copies, one after the other; the copies are dropped unless ``--keep``."""
    from odoo_scale import copy_db, drop_db, ensure_addon_current, log

    ensure_addon_current(template, args)
    result = {}
    copies = []
    work = Path(os.environ.get("TMPDIR", "/tmp"))
    try:
        for kind in ("uninterrupted", "killed"):
            copy = f"{template}_cron_{kind}_{os.getpid()}"
            copies.append(copy)
            seconds = copy_db(template, copy)
            log(f"cron, {kind}: copied the template to {copy} in {seconds:.0f} s; running …")
            calls_path = work / f"{copy}.calls"
            calls_path.unlink(missing_ok=True)
            if kind == "uninterrupted":
                side = run_uninterrupted(copy, args, calls_path)
                log(
                    f"  {side['wall']:.1f} s in {len(side['calls'])} calls, longest "
                    f"{max(side['calls']):.1f} s, peak RSS {side['rss_peak']:.0f} MiB"
                )
            else:
                calls = result["uninterrupted"]["calls"]
                side = run_killed(
                    copy, args, calls_path, max(len(calls) // 2, 1), max(calls[1:] or calls)
                )
            calls_path.unlink(missing_ok=True)
            side["outcome"] = read_outcome(copy)
            result[kind] = side
    finally:
        for copy in copies:
            if args.keep:
                log(f"  kept {copy}")
            else:
                drop_db(copy)
    return result


def report_cron(result: dict) -> None:
    whole, killed = result["uninterrupted"], result["killed"]
    calls = whole["calls"]
    print(
        f"scheduled run, uninterrupted: {whole['wall']:.1f} s in {len(calls)} cron calls "
        f"(longest {max(calls):.1f} s, median {sorted(calls)[len(calls) // 2]:.1f} s), "
        f"{whole['queries']} queries, peak RSS {whole['rss_peak']:.0f} MiB"
    )
    print(f"  outcome {json.dumps(whole['outcome'])}")
    print(
        f"scheduled run, killed after {killed['killed_at']:.1f} s "
        f"({killed['calls_before_kill']} calls committed), resumed in "
        f"{killed['wall_resumed']:.1f} s; {len(killed['calls'])} calls in all, longest "
        f"{max(killed['calls']):.1f} s, peak RSS {killed['rss_peak']:.0f} MiB"
    )
    print(f"  outcome {json.dumps(killed['outcome'])}")
    same = whole["outcome"] == killed["outcome"]
    once = killed["outcome"]["lines"] == killed["outcome"]["invoices"]
    print(
        f"killed and resumed = uninterrupted: {'yes' if same else 'NO'}; "
        f"each invoice in one communication: {'yes' if once else 'NO'}"
    )
