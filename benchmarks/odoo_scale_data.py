"""Data of the Odoo scale benchmark: a French company, its customers, invoices and payments.

Used by ``benchmarks/odoo_scale.py`` inside an Odoo 18 process, on the template database
only (the measurements copy it). Everything goes through the ORM, in batches: partners in
one ``create``; invoices ``create``-d and ``action_post``-ed by batches, oldest first;
payments as real ``account.payment`` records (created and posted by batches), each
reconciled with its invoice's receivable line by ``_reconcile_plan`` (one call per batch).

The dates are fixed, relative to ``as_of`` (the frozen run date), never to today: due
dates from ``as_of - 150`` to ``as_of + 30`` days, invoice date = due date - 30 days,
payments between the invoice date and ``as_of``. The random generator is seeded: the same
sizes and seed give the same data.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

from stdnum import luhn
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret
from stdnum.fr import tva as stdnum_tva

BATCH = 500  # moves per create/post and payments per batch
PAID_SHARE = 0.15
PARTIAL_SHARE = 0.10
INDIVIDUAL_SHARE = 0.12
OCA_DELAYS = (10, 30, 60)  # the OCA policy's levels, days after the due date, e-mail

FIRST_NAMES = ["Jeanne", "Louis", "Camille", "Hugo", "Léa", "Arthur", "Chloé", "Jules", "Inès"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"]
WORDS = [
    "Atelier",
    "Boulangerie",
    "Garage",
    "Cabinet",
    "Imprimerie",
    "Transports",
    "Menuiserie",
    "Pharmacie",
    "Librairie",
    "Brasserie",
    "Agence",
    "Studio",
    "Laboratoire",
    "Ferme",
]
PLACES = [
    "du Rhône",
    "des Alpes",
    "Dupont & Fils",
    "Saint-Éloi",
    "de la Gare",
    "du Port",
    "Lefèvre",
    "Martin",
    "l'Étoile",
    "des Quais",
    "Bellecour",
    "du Marais",
]
FORMS = ["SAS", "SARL", "SA", "EURL", "SASU"]
CITIES = [
    ("75011", "Paris"),
    ("69002", "Lyon"),
    ("13001", "Marseille"),
    ("31000", "Toulouse"),
    ("33000", "Bordeaux"),
    ("59000", "Lille"),
    ("44000", "Nantes"),
    ("67000", "Strasbourg"),
]


def valid_siren(rng: random.Random) -> str:
    """A random SIREN that passes the Luhn check (python-stdnum)."""
    base = str(rng.randint(10_000_000, 99_999_999))
    siren = base + luhn.calc_check_digit(base)
    assert stdnum_siren.is_valid(siren)
    return siren


def valid_siret(rng: random.Random, siren: str) -> str:
    base = f"{siren}{rng.randint(1, 9999):04d}"
    siret = base + luhn.calc_check_digit(base)
    assert stdnum_siret.is_valid(siret)
    return siret


def french_vat(siren: str) -> str:
    vat = f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"
    assert stdnum_tva.is_valid(vat)
    return vat


def setup_company(env):
    """The creditor: address, SIRET, VAT, bank account, signatory (letters need them)."""
    company = env.company
    siren = "404833048"
    company.write(
        {
            "name": "Société Créancière",
            "street": "12 quai Perrache",
            "zip": "69002",
            "city": "Lyon",
            "email": "compta@creanciere.example",
            "phone": "+33 4 72 00 00 00",
            "siret": "40483304800022",
            "vat": french_vat(siren),
            "recouvrement_legal_form": "SAS",
            "recouvrement_signatory_name": "Claire Martin",
            "recouvrement_signatory_title": "Directrice financière",
        }
    )
    env["res.partner.bank"].create(
        {"acc_number": "FR7630006000011234567890189", "partner_id": company.partner_id.id}
    )
    # The admin runs the benchmarks: give it the OCA manager group (ours: granted on install).
    admin = env.ref("base.user_admin")
    admin.write(
        {
            "groups_id": [
                (4, env.ref("account.group_account_manager").id),
                (4, env.ref("account_credit_control.group_account_credit_control_manager").id),
                (4, env.ref("l10n_fr_recouvrement.group_recouvrement_manager").id),
            ]
        }
    )
    return company


def create_customers(env, count: int, rng: random.Random):
    """``count`` customers: mostly companies with a valid SIREN/SIRET/VAT, some individuals."""
    country = env.ref("base.fr")
    vals_list = []
    for index in range(count):
        zip_code, city = rng.choice(CITIES)
        vals = {
            "customer_rank": 1,
            "email": f"compta{index}@client{index}.example",
            "street": f"{rng.randint(1, 120)} rue {rng.choice(LAST_NAMES)}",
            "zip": zip_code,
            "city": city,
            "country_id": country.id,
            "ref": f"C{index:05d}",
        }
        if rng.random() < INDIVIDUAL_SHARE:
            vals.update(
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {index}",
                is_company=False,
            )
        else:
            siren = valid_siren(rng)
            vals.update(
                name=f"{rng.choice(WORDS)} {rng.choice(PLACES)} {index}",
                is_company=True,
                siret=valid_siret(rng, siren),
                vat=french_vat(siren),
                recouvrement_legal_form=rng.choice(FORMS),
            )
        vals_list.append(vals)
    return env["res.partner"].create(vals_list)


def plan_invoices(partner_ids: list[int], count: int, as_of: date, rng: random.Random):
    """The invoices to create, oldest first: ``(partner_id, invoice_date, due, lines)``."""
    specs = []
    for _index in range(count):
        due = as_of + timedelta(days=rng.randint(-150, 30))
        lines = [
            (rng.randint(1, 5), round(rng.uniform(40.0, 1500.0), 2))
            for _line in range(rng.randint(1, 3))
        ]
        specs.append((rng.choice(partner_ids), due - timedelta(days=30), due, lines))
    specs.sort(key=lambda spec: spec[1])
    return specs


def create_invoices(env, specs, log):
    """Create and post the invoices by batches; commit after each batch."""
    company = env.company
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    tax = company.account_sale_tax_id
    Move = env["account.move"]
    ids = []
    started = time.perf_counter()
    for start in range(0, len(specs), BATCH):
        vals_list = [
            {
                "move_type": "out_invoice",
                "journal_id": journal.id,
                "partner_id": partner_id,
                "invoice_date": invoice_date,
                "invoice_date_due": due,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Prestation de services",
                            "quantity": quantity,
                            "price_unit": price,
                            "tax_ids": [(6, 0, tax.ids)],
                        },
                    )
                    for quantity, price in lines
                ],
            }
            for partner_id, invoice_date, due, lines in specs[start : start + BATCH]
        ]
        moves = Move.create(vals_list)
        moves.action_post()
        ids.extend(moves.ids)
        env.cr.commit()
        env.invalidate_all()
        done = start + len(vals_list)
        elapsed = time.perf_counter() - started
        each = 1000 * elapsed / done
        log(f"  invoices {done}/{len(specs)} ({elapsed:.0f} s, {each:.0f} ms each)")
    return Move.browse(ids)


def pay_invoices(env, invoice_ids: list[int], as_of: date, rng: random.Random, log):
    """15 % of the invoices fully paid, 10 % partly, by real reconciled payments."""
    chosen = rng.sample(invoice_ids, int(len(invoice_ids) * (PAID_SHARE + PARTIAL_SHARE)))
    full_count = int(len(invoice_ids) * PAID_SHARE)
    full = set(chosen[:full_count])
    company = env.company
    bank = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )
    Move = env["account.move"]
    plans = []  # (payment date, invoice id, amount or None for the balance)
    for move in Move.browse(sorted(chosen)):
        latest = min(as_of, move.invoice_date_due + timedelta(days=20))
        span = max((latest - move.invoice_date).days, 0)
        day = move.invoice_date + timedelta(days=rng.randint(0, span))
        if move.id in full:
            amount = move.amount_residual
        else:
            amount = round(move.amount_total * rng.uniform(0.2, 0.8), 2)
        plans.append((day, move.id, amount))
    plans.sort()
    env.invalidate_all()
    started = time.perf_counter()
    for start in range(0, len(plans), BATCH):
        batch = plans[start : start + BATCH]
        moves = Move.browse([move_id for _day, move_id, _amount in batch])
        payments = env["account.payment"].create(
            [
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": move.commercial_partner_id.id,
                    "amount": amount,
                    "date": day,
                    "journal_id": bank.id,
                    "memo": move.name,
                    "invoice_ids": [(6, 0, move.ids)],
                }
                for (day, _move_id, amount), move in zip(batch, moves, strict=True)
            ]
        )
        payments.action_post()
        plan = []
        for payment, move in zip(payments, moves, strict=True):
            receivable = move.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            counterpart = payment.move_id.line_ids.filtered(
                lambda line, account=receivable.account_id: line.account_id == account
            )
            plan.append(receivable | counterpart)
        env["account.move.line"]._reconcile_plan(plan)
        env.cr.commit()
        env.invalidate_all()
        done = start + len(batch)
        elapsed = time.perf_counter() - started
        log(f"  payments {done}/{len(plans)} ({elapsed:.0f} s)")
    return len(full), len(plans) - len(full)


def setup_oca_policy(env):
    """An OCA policy at 10/30/60 days after the due date, e-mail, set on the company."""
    company = env.company
    template = env.ref("account_credit_control.email_template_credit_control_base")
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)]
    )
    text = "Our records indicate that we have not received the payment of these invoices."
    policy = env["credit.control.policy"].create(
        {
            "name": "Benchmark 10/30/60 days (e-mail)",
            "company_id": company.id,
            "account_ids": [(6, 0, receivable.ids)],
            "level_ids": [
                (
                    0,
                    0,
                    {
                        "name": f"{delay} days net",
                        "level": level,
                        "delay_days": delay,
                        "computation_mode": "net_days",
                        "channel": "email",
                        "email_template_id": template.id,
                        "custom_text": text,
                        "custom_mail_text": f"<p>{text}</p>",
                    },
                )
                for level, delay in enumerate(OCA_DELAYS, 1)
            ],
        }
    )
    company.credit_policy_id = policy
    return policy


def populate(env, customers: int, invoices: int, as_of: date, seed: int, log) -> dict:
    """Fill the template; return the duration of each step in seconds.

    The records are created without chatter (no creation message, no tracking: a fifth of
    the build time); the followers Odoo adds when posting are kept. The runs measured
    never read the invoices' messages.
    """
    rng = random.Random(seed)
    env = env(
        context=dict(env.context, tracking_disable=True, mail_create_nolog=True, mail_notrack=True)
    )
    durations = {}
    mark = time.perf_counter()
    setup_company(env)
    partners = create_customers(env, customers, rng)
    policy = setup_oca_policy(env)
    env.cr.commit()
    durations["company, customers, OCA policy"] = time.perf_counter() - mark
    log(f"  {len(partners)} customers ({durations['company, customers, OCA policy']:.0f} s)")

    mark = time.perf_counter()
    specs = plan_invoices(partners.ids, invoices, as_of, rng)
    moves = create_invoices(env, specs, log)
    durations["invoices (create + post)"] = time.perf_counter() - mark

    mark = time.perf_counter()
    paid, partial = pay_invoices(env, moves.ids, as_of, rng, log)
    durations["payments (create + post + reconcile)"] = time.perf_counter() - mark
    log(f"  {paid} invoices paid, {partial} partly paid")
    return {"durations": durations, "oca_policy_id": policy.id}
