"""Benchmark on a real Odoo 18: registered letters sent through the background job to the
Maileva stand-in, calls overlapped (our way) against one after another.

Run it on demand with Odoo's Python (never part of the tests)::

    /opt/odoo18-venv/bin/python benchmarks/registered.py [--letters 1000] [--baseline 100]
        [--workers 8] [--fail-rate 0.1] [--latency 0.05] [--rebuild] [--keep]

Needs: Odoo 18 importable by that Python with the engine's dependencies and freezegun (the
engine itself is taken from this checkout's ``src/``), PostgreSQL (local socket) and
LibreOffice. Helpers are shared with ``odoo_scale.py``.

1. Template ``recouvrement_bench_registered_<N>``, built once (``--rebuild`` builds it
   again; upgraded when the addon's files change): a French company (chart ``fr``, EUR,
   SIRET, RCS, share capital, signatory) with ``l10n_fr_recouvrement`` only, N customers
   (88 % companies, 12 % individuals, French addresses) with one posted invoice each, due
   60 days before ``AS_OF``, and a one-level policy: the mise en demeure by registered
   letter.

2. Each measurement runs on its own copy of the template, in its own process, against
   its own stand-in (``recouvrement standin maileva``, another process): ``--latency``
   seconds added to every call, ``--fail-rate`` of the calls failing at random with the
   stand-in's faults (time-outs that hang ``--hang-seconds`` then drop, dropped
   connections, answers lost after the work was done, late answers, 500, 503, 429).
   With the clock frozen at ``AS_OF`` (ticking), as the admin:

   a. a collection run (manual mode) creates one mise en demeure per customer; the
      background job renders their letters (DOCX, PDF through LibreOffice): not timed;
   b. TIMED: the letters are validated (``action_send``), then the background job
      (``_cron_process_queue``) is called as the scheduler calls it, one committed batch
      of 50 after another, until the queue is empty: each batch sends its letters through
      the provider (token, create, upload, recipient, submit, read), their calls
      overlapped by ``send_many`` in ``--workers`` threads for ours, in one thread for the
      baseline. Reported: wall time, HTTP calls per letter (the stand-in's count), faults
      fired, letters sent and failed (a letter whose provider stayed down after the
      retries fails alone, to be sent again);
   c. the failed ones are validated again and the job run once more, as a user would;
   d. the stand-in moves every letter to its outcome, then the scheduled poll
      (``_cron_poll_registered_letters``) reads them all back, a day later: states,
      proofs downloaded and stored (timed too).

   Checked at the end, from the stand-in's own count: one submitted sending per letter,
   none twice. The baseline (``--baseline K`` letters, 0 to skip) measures the same steps
   with one thread; the report compares the time per letter, ``ratio X.Xx``.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import odoo_scale as scale  # noqa: E402  (the benchmarks' shared helpers)

REPO = HERE.parent
ADDON = scale.ADDON
AS_OF = date(2026, 6, 15)  # the frozen run date: rates of 2026 H1 are published
SEED = 2026


# ----------------------------------------------------------------------------------------
# Orchestrator
# ----------------------------------------------------------------------------------------
def run_worker(kind: str, db: str, args, *extra: str) -> dict:
    command = [sys.executable, __file__, "--worker", kind, "--db", db,
               "--addons-path", args.addons_path, *extra]  # fmt: skip
    process = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
    if process.returncode or not lines:
        sys.exit(f"worker {kind} on {db} failed (exit code {process.returncode})")
    return json.loads(lines[-1][len("RESULT ") :])


def build_template(args, template: str) -> None:
    building = template + "_building"
    scale.drop_db(building)
    started = time.perf_counter()
    scale.log(f"building template {template} …")
    created = run_worker("create", building, args)
    if (created["chart"], created["currency"]) != ("fr", "EUR"):
        sys.exit("the template company did not get the French chart in EUR")
    scale.set_template_params(building, {"addon_fingerprint": scale.addon_fingerprint()})
    run_worker("populate", building, args, "--letters", str(args.letters))
    scale.analyze_db(building)
    scale.rename_db(building, template)
    scale.log(f"  built in {time.perf_counter() - started:.0f} s")


def start_standin(args, folder: Path) -> tuple[subprocess.Popen, Path]:
    """The Maileva stand-in in its own process; its CONFIG.json in ``folder``."""
    config = folder / "maileva.json"
    command = [
        sys.executable, "-m", "recouvrement.cli", "standin", "maileva", "--port", "0",
        "--latency", str(args.latency), "--step-seconds", "0",
        "--fail-rate", str(args.fail_rate), "--seed", str(SEED),
        "--hang-seconds", str(args.hang_seconds),
    ]  # fmt: skip
    environment = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=environment
    )
    text = ""
    while not text.rstrip().endswith("}"):  # the stand-in prints its CONFIG.json first
        line = process.stdout.readline()
        if not line:
            sys.exit("the stand-in did not start")
        text += line
    config.write_text(text)
    return process, config


def measure(args, template: str, letters: int, workers: int) -> dict:
    copy = f"{template}_w{workers}"
    scale.copy_db(template, copy)
    with tempfile.TemporaryDirectory(prefix="recouvrement-bench-") as folder:
        standin, config = start_standin(args, Path(folder))
        try:
            return run_worker(
                "send", copy, args, "--letters", str(letters), "--workers", str(workers),
                "--standin-config", str(config),
            )  # fmt: skip
        finally:
            standin.terminate()
            standin.wait()
            if not args.keep:
                scale.drop_db(copy)


def report(args, ours: dict, baseline: dict | None) -> None:
    rows = [("", "ours", "baseline")]

    def row(label, key, fmt="{}"):
        def value(result):
            return fmt.format(result[key]) if result else "—"

        rows.append((label, value(ours), value(baseline)))

    row("letters", "letters")
    row("provider threads", "workers")
    row("letters rendered first (s, not timed)", "letters_seconds", "{:.1f}")
    row("sending through the job (s)", "send_seconds", "{:.1f}")
    row("  per letter (s)", "send_per_letter", "{:.3f}")
    row("  batches", "batches")
    row("  sent / failed after the job", "sent_failed")
    row("  sent after re-sending the failed ones", "sent_after_retry")
    row("HTTP calls per letter (sending)", "calls_per_letter", "{:.2f}")
    row("faults fired (sending)", "faults")
    row("sendings at the stand-in / submitted", "sendings_submitted")
    row("any reference submitted twice", "duplicates")
    row("poll back to the outcome (s)", "poll_seconds", "{:.1f}")
    row("  states after the poll", "states")
    row("  proofs stored", "proofs")
    row("peak RSS (MiB)", "rss_peak", "{:.0f}")
    widths = [max(len(str(line[column])) for line in rows) for column in range(3)]
    for line in rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)))
    print(
        f"latency {args.latency * 1000:.0f} ms per call, {args.fail_rate:.0%} of calls failing, "
        f"time-outs hang {args.hang_seconds:g} s"
    )
    if baseline:
        ratio = baseline["send_per_letter"] / ours["send_per_letter"]
        print(f"ratio {ratio:.1f}x (time per letter sent, one thread / {ours['workers']})")


# ----------------------------------------------------------------------------------------
# Workers: one process each, talking back with one "RESULT {json}" line on stdout
# ----------------------------------------------------------------------------------------
def worker_create(db: str, addons_path: str) -> dict:
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.tools import config

    config.parse_config(
        ["--addons-path", addons_path, "--log-level", "warn", "--without-demo", "all"]
    )
    odoo.service.db.exp_create_database(db, False, "en_US", country_code="fr")
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["ir.module.module"].search([("name", "=", ADDON)]).button_immediate_install()
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env.company
        if company.chart_template != "fr":
            env["account.chart.template"].try_loading("fr", company, install_demo=False)
        return {"chart": company.chart_template, "currency": company.currency_id.name}


def worker_populate(db: str, addons_path: str, count: int) -> dict:
    """The creditor, ``count`` customers with one overdue invoice each, the policy."""
    import odoo_scale_data

    from odoo import SUPERUSER_ID, Command, api

    registry = scale.open_registry(db, addons_path)
    rng = random.Random(SEED)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tz": "Europe/Paris"})
        company = setup_company(env)
        customers = odoo_scale_data.create_customers(env, count, rng)
        journal = env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
        )
        invoices = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "journal_id": journal.id,
                    "invoice_date": AS_OF - timedelta(days=90),
                    "invoice_date_due": AS_OF - timedelta(days=60),
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Prestations", "price_unit": rng.randint(200, 5000)}
                        )
                    ],
                }
                for customer in customers
            ]
        )
        invoices.action_post()
        company.recouvrement_policy_id = formal_notice_policy(env).id
        return {"customers": len(customers), "invoices": len(invoices)}


def setup_company(env):
    company = env.company
    company.write(
        {
            "name": "Société Créancière",
            "street": "12 quai Perrache",
            "zip": "69002",
            "city": "Lyon",
            "email": "compta@creanciere.example",
            "siret": "40483304800022",
            "recouvrement_legal_form": "SAS",
            "recouvrement_signatory_name": "Claire Martin",
            "recouvrement_signatory_title": "Directrice financière",
            "recouvrement_rcs_city": "Lyon",
            "recouvrement_share_capital": 50000.0,
        }
    )
    env["res.partner.bank"].create(
        {"acc_number": "FR7630006000011234567890189", "partner_id": company.partner_id.id}
    )
    env.ref("base.user_admin").groups_id |= env.ref(
        "l10n_fr_recouvrement.group_recouvrement_manager"
    )
    return company


def formal_notice_policy(env):
    """One level: the default ladder's mise en demeure, on the registered letter only."""
    notice = env.ref("l10n_fr_recouvrement.level_mise_en_demeure")
    policy = env["recouvrement.policy"].create({"name": "Banc d'essai : mise en demeure"})
    notice.copy(
        {
            "policy_id": policy.id,
            "channel_ids": [(6, 0, env.ref("l10n_fr_recouvrement.channel_registered_letter").ids)],
        }
    )
    return policy


def worker_send(db: str, addons_path: str, count: int, workers: int, config_path: str) -> dict:
    from freezegun import freeze_time

    from recouvrement.delivery import batch

    registry = scale.open_registry(db, addons_path)
    # Each retried call would log a warning: the report counts them instead.
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    logging.getLogger("odoo.addons.l10n_fr_recouvrement").setLevel(logging.ERROR)
    from odoo.addons.l10n_fr_recouvrement.models import (
        recouvrement_communication_registered as registered,
    )
    from odoo.addons.l10n_fr_recouvrement.models import (
        recouvrement_engine,
    )

    # The number of threads overlapping the provider calls of a batch.
    registered.send_many = functools.partial(batch.send_many, workers=workers)
    registered.refresh_many = functools.partial(batch.refresh_many, workers=workers)
    config = json.loads(Path(config_path).read_text())
    result = {"letters": count, "workers": workers}
    with registry.cursor() as cr, freeze_time(AS_OF, tick=True):
        env = scale.admin_env(cr)
        Communication = env["recouvrement.communication"]
        env["recouvrement.registered.provider"].create(
            {"company_id": env.company.id, "provider": "maileva", "environment": "sandbox",
             **{key: config[key] for key in ("api_url", "auth_url", "api_version", "client_id",
                                            "client_secret", "username", "password")}}
        )  # fmt: skip
        run = env["recouvrement.run"].create({"company_id": env.company.id, "mode": "manual"})
        run._execute()
        communications = run.communication_ids.sorted("id")
        (communications[count:])._server_write({"documents_pending": False})
        communications = communications[:count]
        cr.commit()

        started = time.perf_counter()
        drain(cr, Communication._cron_process_queue)
        result["letters_seconds"] = time.perf_counter() - started
        without_pdf = communications.filtered(lambda comm: not comm.pdf_attachment_id)
        if without_pdf:
            sys.exit(f"{len(without_pdf)} letters not produced: {without_pdf[0].failure_reason}")

        before = standin_stats(config)
        started = time.perf_counter()
        communications.action_send()
        result["batches"] = drain(cr, Communication._cron_process_queue)
        result["send_seconds"] = time.perf_counter() - started
        after = standin_stats(config)
        result["send_per_letter"] = result["send_seconds"] / count
        calls = sum(after["calls"].values()) - sum(before["calls"].values())
        result["calls_per_letter"] = (calls - 1) / count  # the stats call itself
        result["faults"] = sum(after["faults_fired"].values())
        communications.invalidate_recordset()
        failed = communications.filtered(lambda comm: comm.state == "failed")
        result["sent_failed"] = f"{count - len(failed)} / {len(failed)}"
        result["failures"] = sorted(set(failed.mapped("failure_reason")))[:3]
        failed.action_send()
        drain(cr, Communication._cron_process_queue)
        communications.invalidate_recordset()
        result["sent_after_retry"] = len(communications.filtered("registered_sending_id"))
    with registry.cursor() as cr, freeze_time(AS_OF + timedelta(days=3), tick=True):
        env = scale.admin_env(cr)
        Communication = env["recouvrement.communication"]
        communications = Communication.browse(communications.ids)
        post(config, "/_standin/advance", {})
        started = time.perf_counter()
        drain(cr, Communication._cron_poll_registered_letters)
        result["poll_seconds"] = time.perf_counter() - started
        states = Counter(communications.mapped("registered_state"))
        result["states"] = ", ".join(f"{state} {n}" for state, n in sorted(states.items()))
        result["proofs"] = len(communications.registered_proof_ids)
        final = standin_stats(config)
        result["sendings_submitted"] = f"{final['sendings']} / {final['submitted']}"
        result["duplicates"] = max(final["submitted_per_reference"].values()) > 1
        result["rss_peak"] = scale.peak_rss_mib()
        recouvrement_engine._close_converter()
    return result


def drain(cr, job) -> int:
    """Call a scheduled job as the scheduler does, committing after each call."""
    calls = 0
    while True:
        remaining = job()
        cr.commit()
        calls += 1
        if not remaining:
            return calls


def standin_stats(config) -> dict:
    with urllib.request.urlopen(config["api_url"] + "/_standin/stats", timeout=30) as reply:
        return json.load(reply)


def post(config, path: str, payload: dict) -> None:
    request = urllib.request.Request(
        config["api_url"] + path, data=json.dumps(payload).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    urllib.request.urlopen(request, timeout=60).close()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--baseline", type=int, default=100, metavar="K",
                        help="letters sent with one thread for comparison (0: none)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=batch_workers())
    parser.add_argument("--fail-rate", type=float, default=0.1)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--hang-seconds", type=float, default=3.0)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the measured copies")
    parser.add_argument("--addons-path")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--standin-config", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.addons_path = (
        args.addons_path or os.environ.get("ODOO_ADDONS_PATH") or scale.default_addons_path()
    )
    if args.worker:
        sys.path.insert(0, str(REPO / "src"))
        workers = {
            "create": lambda: worker_create(args.db, args.addons_path),
            "populate": lambda: worker_populate(args.db, args.addons_path, args.letters),
            "send": lambda: worker_send(
                args.db, args.addons_path, args.letters, args.workers, args.standin_config
            ),
        }
        print("RESULT " + json.dumps(workers[args.worker](), default=str), flush=True)
        return

    from odoo.tools import config

    config.parse_config(["--addons-path", args.addons_path])
    template = f"recouvrement_bench_registered_{args.letters}"
    if args.rebuild:
        scale.drop_db(template)
    if not scale.db_exists(template):
        build_template(args, template)
    scale.ensure_addon_current(template, args)
    ours = measure(args, template, args.letters, args.workers)
    baseline = measure(args, template, args.baseline, 1) if args.baseline else None
    report(args, ours, baseline)


def batch_workers() -> int:
    sys.path.insert(0, str(REPO / "src"))
    from recouvrement.delivery.batch import DEFAULT_WORKERS

    return DEFAULT_WORKERS


if __name__ == "__main__":
    main()
