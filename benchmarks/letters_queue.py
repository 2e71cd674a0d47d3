"""Benchmark on a real Odoo 18: the letters of a run through the scheduled action, and
through OCA ``queue_job`` with 1 then 2 job workers, side by side.

Run it on demand with Odoo's Python (never part of the tests)::

    /opt/odoo18-venv/bin/python benchmarks/letters_queue.py [--letters N] [--prefix P]
        [--customers 2000] [--invoices 10000] [--converters K] [--keep]

Needs what ``odoo_scale.py`` needs (its template, built by ``odoo_scale.py --only ours``,
is reused: ``<prefix>_<customers>x<invoices>``), LibreOffice, and queue_job next to Odoo
(``pip install --no-deps odoo-addon-queue-job==18.0.*``, plus ``requests``; on an Odoo
18.0 tree earlier than 2025, ``==18.0.1.7.0``).

1. Base: a copy of the template, our collection run on it (``odoo_scale.py``'s ``ours``
   worker: 1 939 communications on the 10 000-invoice data), then N of its communications
   (all by default) given a letter (``relance_ferme``; the first level prints none) and
   queued, as a run queues them; every scheduled action's next call is put off, so that
   only the trigger below starts the letters' one.
2. The ways (``--ways``, by default cron,qj1,qj2), each on its own copy of the base, each
   in a real ``odoo-bin`` server (prefork, ``limit_time_real`` 600 s so no batch is cut):

   cron  the addon alone: 2 HTTP workers, 1 cron worker; the letters-and-sending
         scheduled action, triggered as a run triggers it, processes one committed batch
         of 50 after the other (Odoo calls it again while it reports work left).
   qj1   queue_job installed in the database, the server started with
         ``--load=web,queue_job`` and ``[queue_job] channels = root:1,root.recouvrement:1``
         (2 HTTP workers, one job at a time), no cron worker; the trigger queues one job per
         batch of 50 and queue_job's job runner sends them to the workers.
   qj2   the same with ``root:2,root.recouvrement:2`` and 3 HTTP workers: 2 jobs at once.
   cron_notify  the cron with ``ODOO_NOTIFY_CRON_CHANGES=1`` in the server's
         environment: Odoo's cron worker runs at most 10 batches per call, and takes the
         rest up at once only when told to, else at its next wake-up (within a minute).

   Timed from the trigger (``_trigger_queue()`` in a process of its own, its transaction
   committed) until no communication waits for its letter (polled every 0.2 s), the
   LibreOffice start-up of the workers included. The LibreOffice processes
   (``soffice.bin``) under the server are counted by the worker that started them: alive
   at the end, and in brackets all those seen during the run (a converter's start runs a
   short-lived one to create its profile). Each worker has its own.
   ``--converters K`` sets ``RECOUVREMENT_CONVERTERS`` (LibreOffice processes per worker;
   default: one per core, up to 4).

It prints, for each way, the wall time, letters per second, the jobs, the LibreOffice
processes per worker, the letters produced and failed, the load average, and the cron's
time / each way's time. The copies are dropped at the end
(``--keep`` keeps them); the template stays.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import odoo_scale  # the template, the copies, the workers' plumbing

REPO = odoo_scale.REPO
WAYS = {
    # name: (queue_job capacity or 0 for the scheduled action, HTTP workers, environment)
    "cron": (0, 2, {}),
    # Odoo's cron worker takes a job up again at once after its 10 batches of a call only
    # when told to (else at its next wake-up, within a minute).
    "cron_notify": (0, 2, {"ODOO_NOTIFY_CRON_CHANGES": "1"}),
    "qj1": (1, 2, {}),
    "qj2": (2, 3, {}),
}
POLL_SECONDS = 0.2
TIMEOUT_SECONDS = 3600
log = odoo_scale.log


# ----------------------------------------------------------------------------------------
# Workers: one process each (odoo_scale's protocol: one "RESULT {json}" line)
# ----------------------------------------------------------------------------------------
def worker_prepare(db: str, addons_path: str, count: int) -> dict:
    """N communications of the run given a letter and queued; the scheduled actions put off."""
    registry = odoo_scale.open_registry(db, addons_path)
    with registry.cursor() as cr:
        env = odoo_scale.admin_env(cr)
        # Mentions a letter of a company must carry, which the template's data lacks.
        env.company.write({"recouvrement_rcs_city": "Lyon", "recouvrement_share_capital": 50000.0})
        Communication = env["recouvrement.communication"]
        communications = Communication.search([], order="id", limit=count)
        communications._server_write({"letter_kind": "relance_ferme", "documents_pending": True})
        # Every scheduled action put off: in the timed part, the cron worker runs only the
        # letters' one, when the trigger wakes it up.
        env["ir.cron"].sudo().search([]).write({"nextcall": "2099-01-01 00:00:00"})
        cr.commit()
        return {"letters": len(communications), "total": Communication.search_count([])}


def worker_trigger(db: str, addons_path: str) -> dict:
    """What a run does once its communications are created: wake the background job up."""
    registry = odoo_scale.open_registry(db, addons_path)
    with registry.cursor() as cr:
        env = odoo_scale.admin_env(cr)
        started = time.time()
        env["recouvrement.communication"]._trigger_queue()
        cr.commit()
        jobs = 0
        if "queue.job" in env:
            jobs = env["queue.job"].sudo().search_count([("channel", "=", "root.recouvrement")])
        return {"started": started, "committed": time.time(), "jobs": jobs}


def run_worker(kind: str, db: str, args, *extra: str) -> dict:
    """One of the workers above in a process of its own (``odoo_scale.run_worker``'s
    protocol, this script's workers)."""
    command = [sys.executable, __file__, "--worker", kind, "--db", db]
    command += ["--addons-path", args.addons_path, *extra]
    process = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
    if process.returncode or not lines:
        sys.exit(f"worker {kind} on {db} failed (exit code {process.returncode})")
    return json.loads(lines[-1][len("RESULT ") :])


# ----------------------------------------------------------------------------------------
# The server of one way
# ----------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_config(path: Path, db: str, args, capacity: int, http_workers: int) -> int:
    port = free_port()
    lines = [
        "[options]",
        f"addons_path = {args.addons_path}",
        f"db_name = {db}",
        f"dbfilter = ^{db}$",
        "http_interface = 127.0.0.1",
        f"http_port = {port}",
        f"workers = {http_workers}",
        f"max_cron_threads = {0 if capacity else 1}",
        f"server_wide_modules = {'base,web,queue_job' if capacity else 'base,web'}",
        "limit_time_real = 600",
        "limit_time_cpu = 600",
        "limit_time_real_cron = 0",
        "limit_memory_soft = 4294967296",
        "limit_memory_hard = 6442450944",
        "log_level = info",
        "without_demo = all",
    ]
    if capacity:
        lines += ["[queue_job]", f"channels = root:{capacity},root.recouvrement:{capacity}"]
    path.write_text("\n".join(lines) + "\n")
    return port


def odoo_bin() -> Path:
    import odoo

    return Path(odoo.__file__).resolve().parents[1] / "odoo-bin"


def start_server(config: Path, logfile: Path, args, environment: dict) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), **environment)  # our engine
    if args.converters:
        env["RECOUVREMENT_CONVERTERS"] = str(args.converters)
    with logfile.open("w") as out:
        return subprocess.Popen(
            [sys.executable, str(odoo_bin()), "-c", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


def wait_for_log(logfile: Path, text: str, server: subprocess.Popen, timeout=120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text in logfile.read_text(errors="replace"):
            return
        if server.poll() is not None:
            sys.exit(f"the server stopped (see {logfile})")
        time.sleep(0.2)
    sys.exit(f"{text!r} not in {logfile} after {timeout} s")


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM to the server we started (its workers stop their LibreOffice at exit)."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def offices_by_worker(server_pid: int) -> dict[int, set[int]]:
    """``{worker pid: {LibreOffice pids}}`` among the server's descendants."""
    import psutil

    try:
        master = psutil.Process(server_pid)
        workers = master.children()
    except psutil.NoSuchProcess:
        return {}
    result = {}
    for worker in workers:
        try:
            offices = {
                child.pid
                for child in worker.children(recursive=True)
                if child.name() == "soffice.bin"
            }
        except psutil.NoSuchProcess:
            continue
        if offices:
            result[worker.pid] = offices
    return result


def pending_letters(db: str) -> int:
    import psycopg2

    connection = psycopg2.connect(dbname=db)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM recouvrement_communication WHERE documents_pending"
            )
            return cursor.fetchone()[0]
    finally:
        connection.close()


def outcome(db: str) -> dict:
    import psycopg2

    connection = psycopg2.connect(dbname=db)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FILTER (WHERE pdf_attachment_id IS NOT NULL),"
                "       count(*) FILTER (WHERE state = 'failed')"
                "  FROM recouvrement_communication WHERE letter_kind = 'relance_ferme'"
            )
            with_pdf, failed = cursor.fetchone()
            cursor.execute(
                "SELECT count(*) FROM ir_attachment WHERE res_model = 'recouvrement.communication'"
                "   AND mimetype = 'application/pdf'"
            )
            pdfs = cursor.fetchone()[0]
            jobs = {}
            cursor.execute("SELECT to_regclass('queue_job')")
            if cursor.fetchone()[0]:
                cursor.execute(
                    "SELECT state, count(*) FROM queue_job WHERE channel = 'root.recouvrement'"
                    " GROUP BY state"
                )
                jobs = dict(cursor.fetchall())
            cursor.execute(
                "SELECT DISTINCT left(failure_reason, 200) FROM recouvrement_communication"
                " WHERE state = 'failed' LIMIT 3"
            )
            reasons = [reason for (reason,) in cursor.fetchall()]
            return {
                "with_pdf": with_pdf,
                "failed": failed,
                "failures": reasons,
                "pdfs": pdfs,
                "jobs": jobs,
            }
    finally:
        connection.close()


def install_queue_job(db: str, args) -> None:
    command = [sys.executable, str(odoo_bin()), "--addons-path", args.addons_path, "-d", db]
    command += ["-i", "queue_job", "--stop-after-init", "--no-http", "--log-level=warn"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def measure_way(args, base: str, name: str, workdir: Path) -> dict:
    capacity, http_workers, environment = WAYS[name]
    db = f"{base}_{name}"
    odoo_scale.copy_db(base, db)
    try:
        if capacity:
            install_queue_job(db, args)
        config, logfile = workdir / f"{name}.conf", workdir / f"{name}.log"
        write_config(config, db, args, capacity, http_workers)
        load_before = os.getloadavg()[0]
        server = start_server(config, logfile, args, environment)
        try:
            wait_for_log(logfile, "HTTP service (werkzeug) running", server)
            if capacity:
                wait_for_log(logfile, "database connections ready", server)
            time.sleep(5)  # the workers settle: nothing else runs in the timed part
            trigger = run_worker("trigger", db, args)
            offices: dict[int, set[int]] = {}
            while pending_letters(db):
                if time.time() - trigger["started"] > TIMEOUT_SECONDS:
                    sys.exit(f"{name}: letters still pending after {TIMEOUT_SECONDS} s")
                for worker, pids in offices_by_worker(server.pid).items():
                    offices.setdefault(worker, set()).update(pids)
                time.sleep(POLL_SECONDS)
            wall = time.time() - trigger["started"]
            load_after = os.getloadavg()[0]
            alive = offices_by_worker(server.pid)  # the long-lived ones, at the end
        finally:
            stop_server(server)
        return {
            "way": name,
            "wall": wall,
            "queued_jobs": trigger["jobs"],
            "offices": {str(worker): len(pids) for worker, pids in alive.items()},
            "offices_started": {str(worker): len(pids) for worker, pids in offices.items()},
            "load": (load_before, load_after),
            **outcome(db),
        }
    finally:
        if args.keep:
            log(f"  kept {db}")
        else:
            odoo_scale.drop_db(db)


def report(args, letters: int, results: list[dict]) -> None:
    by_way = {result["way"]: result for result in results}
    cron = by_way.get("cron") or by_way.get("cron_notify") or results[0]  # the reference
    converters = args.converters or "one per core (default)"
    print(f"letters_queue: {letters} letters on {args.template}, converters: {converters}")
    print(
        "way         wall (s)  letters/s  s/letter  jobs (done)  "
        "LibreOffice per worker (started)  with PDF  failed  load (before/after)  "
        f"against {cron['way']}"
    )
    for result in results:
        done = result["jobs"].get("done", 0) if result["jobs"] else "-"
        jobs = f"{result['queued_jobs']} ({done})" if result["jobs"] else "-"
        offices = ", ".join(
            f"{alive} ({result['offices_started'].get(worker, alive)})"
            for worker, alive in result["offices"].items()
        )
        print(
            f"{result['way']:<11} {result['wall']:8.1f}  {letters / result['wall']:9.2f}  "
            f"{result['wall'] / letters:8.3f}  {jobs:>11}  {offices or '-':>32}  "
            f"{result['with_pdf']:8}  {result['failed']:6}  "
            f"{result['load'][0]:.2f} / {result['load'][1]:.2f}{'':9}"
            f"{cron['wall'] / result['wall']:.2f}x"
        )
    print("RESULTS " + json.dumps(results))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--invoices", type=int, default=10000)
    parser.add_argument("--prefix", default="recouvrement_bench")
    parser.add_argument("--letters", type=int, default=100000, metavar="N")
    parser.add_argument("--converters", type=int, metavar="K")
    parser.add_argument(
        "--ways", default="cron,qj1,qj2", help=f"among {','.join(WAYS)} (default: %(default)s)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the measured copies")
    parser.add_argument("--addons-path")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.addons_path = (
        args.addons_path or os.environ.get("ODOO_ADDONS_PATH") or odoo_scale.default_addons_path()
    )
    if args.worker:
        sys.path.insert(0, str(REPO / "src"))
        workers = {
            "prepare": lambda: worker_prepare(args.db, args.addons_path, args.letters),
            "trigger": lambda: worker_trigger(args.db, args.addons_path),
        }
        print("RESULT " + json.dumps(workers[args.worker](), default=str), flush=True)
        return

    from odoo.tools import config

    config.parse_config(["--addons-path", args.addons_path])  # for the filestore's place
    args.template = f"{args.prefix}_{args.customers}x{args.invoices}"
    if not odoo_scale.db_exists(args.template):
        sys.exit(f"no template {args.template}: build it with odoo_scale.py --only ours")
    odoo_scale.ensure_addon_current(args.template, args)
    base = f"{args.template}_lq{os.getpid()}"
    workdir = Path(f"/tmp/letters_queue_{os.getpid()}")
    workdir.mkdir()
    odoo_scale.copy_db(args.template, base)
    try:
        run = odoo_scale.run_worker("ours", base, args)
        log(f"our run: {run['communications']} communications in {run['wall']:.2f} s")
        prepared = run_worker("prepare", base, args, "--letters", str(args.letters))
        log(f"{prepared['letters']} letters queued; measuring {args.ways} …")
        results = []
        for name in args.ways.split(","):
            result = measure_way(args, base, name, workdir)
            log(f"  {name}: {result['wall']:.1f} s, {result['with_pdf']} letters")
            if result["failures"]:
                log(f"  failures: {result['failures']}")
            results.append(result)
        report(args, prepared["letters"], results)
    finally:
        odoo_scale.drop_db(base)
        log(f"server logs in {workdir}")


if __name__ == "__main__":
    main()
