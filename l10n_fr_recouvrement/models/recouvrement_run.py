import logging
from collections import Counter, defaultdict, namedtuple

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, split_every

from recouvrement.escalation import SkipCode, plan_run

from .account_move import make_open_item
from .recouvrement_communication_sending import is_concurrency_error
from .recouvrement_engine import FACT_FIELDS, InvoiceFacts

_logger = logging.getLogger(__name__)

# Key of the PostgreSQL advisory lock that serialises runs (second key: the company).
RUN_LOCK_KEY = 7405202
# What the invoices without a collection policy are counted under, beside the engine's skips.
NO_POLICY = "no_policy"
# What planning reads of each candidate (the invoice's fields, in ``PlanRow``'s order).
PLAN_FIELDS = [
    "id",
    "commercial_partner_id",
    "recouvrement_policy_id",
    "invoice_date_due",
    "amount_residual_signed",
    "recouvrement_level_id",
    "recouvrement_last_date",
    "recouvrement_awaiting_sending",
    "recouvrement_notice_date",
]
# What the décomptes and the communication lines read of each raised invoice, in one
# query (``LineRow``: the engine's ``InvoiceFacts`` and the line's own columns).
LINE_FIELDS = [
    *FACT_FIELDS,
    "amount_residual_signed",
    "recouvrement_level_id",
    "recouvrement_last_date",
]
LineRow = namedtuple("LineRow", [*InvoiceFacts._fields, "amount_residual", "level_id", "last_date"])
PlanRow = namedtuple(
    "PlanRow",
    "id partner_id policy_id due_date residual level_id last_date awaiting_sending notice_date",
)


class RecouvrementRun(models.Model):
    """One pass of the reminder ladder over a company's open customer invoices."""

    _name = "recouvrement.run"
    _description = "Collection run"
    _inherit = ["recouvrement.server.fields.mixin", "mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True
    # A run happens today, for its user; what it found is its own result.
    _server_fields = (
        "name", "date", "trigger", "state", "user_id", "communication_ids", "invoice_count",
        "raised_count", "skipped_count", "log", "candidate_count", "resume_partner_id",
        "chunk_count", "skip_counts",
    )  # fmt: skip

    BATCH_SIZE = 1000
    # Invoices per chunk: a chunk is planned, written and committed at once.
    CHUNK_SIZE = 20000

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
        index=True,
    )
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today, index=True)
    mode = fields.Selection(
        selection=lambda self: self.env["res.company"]._selection_recouvrement_send_mode(),
        required=True,
        default="manual",
        readonly=True,
    )
    trigger = fields.Selection(
        selection="_selection_trigger", required=True, default="manual", readonly=True
    )
    state = fields.Selection(
        selection="_selection_state", required=True, default="draft", readonly=True, tracking=True
    )
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)
    partner_ids = fields.Many2many(
        "res.partner", string="Customers", readonly=True, help="Empty: every customer."
    )
    communication_ids = fields.One2many("recouvrement.communication", "run_id", readonly=True)
    communication_count = fields.Integer(compute="_compute_communication_count")
    invoice_count = fields.Integer(string="Invoices examined", readonly=True)
    raised_count = fields.Integer(string="Invoices raised", readonly=True)
    skipped_count = fields.Integer(string="Invoices waiting", readonly=True)
    log = fields.Text(readonly=True, help="Why the invoices that did not move are waiting.")
    candidate_count = fields.Integer(
        string="Invoices to examine", readonly=True, help="Counted when the run started."
    )
    resume_partner_id = fields.Integer(
        string="Resume after customer",
        readonly=True,
        help="The run has examined the customers up to this id: a run interrupted resumes "
        "after it.",
    )
    chunk_count = fields.Integer(string="Chunks", readonly=True)
    skip_counts = fields.Json(string="Waiting invoices by reason", readonly=True)

    @api.model
    def _selection_trigger(self):
        return [("cron", self.env._("Scheduled")), ("manual", self.env._("Manual"))]

    @api.model
    def _selection_state(self):
        return [
            ("draft", self.env._("Draft")),
            ("running", self.env._("In progress")),
            ("done", self.env._("Done")),
            ("failed", self.env._("Failed")),
        ]

    @api.depends("communication_ids")
    def _compute_communication_count(self):
        groups = dict(
            self.env["recouvrement.communication"]._read_group(
                [("run_id", "in", self.ids)], groupby=["run_id"], aggregates=["__count"]
            )
        )
        for run in self:
            run.communication_count = groups.get(run, 0)

    def _creation_message(self):
        return self.env._("Collection run created")

    @api.model
    def _prepare_server_values(self, vals):
        if vals.get("name", "/") == "/":
            vals["name"] = self.env["ir.sequence"].next_by_code("recouvrement.run") or "/"

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if any(run.state != "draft" for run in self):
            raise UserError(self.env._("Only draft runs can be deleted."))

    # ------------------------------------------------------------------
    # Selection
    # ------------------------------------------------------------------
    def _get_candidate_domain(self):
        """Open customer invoices of the run's company (and customers, when chosen)."""
        self.ensure_one()
        domain = [
            ("company_id", "=", self.company_id.id),
            *self.env["account.move"]._recouvrement_get_open_domain(),
            ("invoice_date_due", "!=", False),
        ]
        earliest = self._get_earliest_offset()
        if earliest is not None:
            # No level can be reached before due date + the smallest offset of any ladder.
            domain.append(
                ("invoice_date_due", "<=", fields.Date.subtract(self.date, days=earliest))
            )
        if self.partner_ids:
            domain.append(
                ("commercial_partner_id", "in", self.partner_ids.commercial_partner_id.ids)
            )
        return domain

    def _get_earliest_offset(self):
        groups = self.env["recouvrement.policy.level"]._read_group(
            [("company_id", "in", (self.company_id.id, False))], aggregates=["days_after_due:min"]
        )
        return groups[0][0] if groups and groups[0][0] is not None else None

    def _acquire_lock(self):
        """Serialise runs of a company: a concurrent run fails instead of duplicating."""
        self.ensure_one()
        locked = self.env.execute_query(
            SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", RUN_LOCK_KEY, self.company_id.id)
        )[0][0]
        if not locked:
            raise UserError(
                self.env._(
                    "Another collection run is in progress for %s; try again later.",
                    self.company_id.name,
                )
            )

    # ------------------------------------------------------------------
    # Planning: the engine decides
    # ------------------------------------------------------------------
    def _get_pauses(self, moves):
        """``{move_id: (Pause, …)}`` from the active blocks, in two queries."""
        return self._get_pauses_by_id({move.id: move.commercial_partner_id.id for move in moves})

    def _get_pauses_by_id(self, partner_by_move):
        """``{move_id: (Pause, …)}`` for ``{move_id: commercial partner id}``."""
        blocks = self.env["recouvrement.block"].search(
            [
                ("state", "=", "active"),
                ("company_id", "=", self.company_id.id),
                "|",
                ("move_ids", "in", list(partner_by_move)),
                "&",
                ("scope", "=", "partner"),
                ("partner_id", "in", list(set(partner_by_move.values()))),
            ]
        )
        if not blocks:
            return {}
        payments = blocks._get_plan_payments()
        engine_pauses = {block.id: block._to_engine(payments) for block in blocks}
        by_partner = defaultdict(list)
        by_move = defaultdict(list)
        for block in blocks:
            if block.scope == "partner":
                by_partner[block.partner_id.id].append(engine_pauses[block.id])
            else:
                for move_id in block.move_ids.ids:
                    by_move[move_id].append(engine_pauses[block.id])
        return {
            move_id: tuple(by_move.get(move_id, []) + by_partner.get(partner_id, []))
            for move_id, partner_id in partner_by_move.items()
        }

    def _read_candidates(self, extra_domain=()):
        """The candidate invoices as plain tuples (``PlanRow``), in one query: the run reads
        thousands, and the ORM's records cost more than the engine's decisions
        (``extra_domain``: a chunk's customers)."""
        Move = self.env["account.move"].with_company(self.company_id)
        query = Move._search([*self._get_candidate_domain(), *extra_domain], order="id")
        return Move._recouvrement_select(PLAN_FIELDS, PlanRow, query)

    def _prepare_open_item(self, row, positions, pauses):
        level = self.env["recouvrement.policy.level"].browse(row.level_id or ())
        return make_open_item(
            row.id,
            row.partner_id,
            row.due_date,
            row.residual,
            positions(level),
            row.last_date,
            row.awaiting_sending,
            row.notice_date,
            pauses.get(row.id, ()),
        )

    def _plan(self, extra_domain=()):
        """What the run would do, without writing anything (``extra_domain``: a chunk's
        customers).

        Returns ``(groups, skipped, examined)`` where ``groups`` maps
        ``(partner, level)`` to the invoices that reach that level, ``skipped`` counts the
        engine's reasons for the others, ``examined`` the number of invoices read.
        """
        self.ensure_one()
        Move = self.env["account.move"].with_company(self.company_id)
        rows = self._read_candidates(extra_domain)
        partner_policies = Move._recouvrement_get_partner_policies(
            self.company_id, list({row.partner_id for row in rows})
        )
        policies = self.env["recouvrement.policy"].browse(
            list({row.policy_id for row in rows} - {None})
        )
        groups = defaultdict(list)
        skipped = Counter()
        ladders = {}
        for batch in split_every(self.BATCH_SIZE, rows):
            pauses = self._get_pauses_by_id({row.id: row.partner_id for row in batch})
            by_policy = defaultdict(list)
            for row in batch:
                policy = (
                    policies.browse(row.policy_id).with_prefetch(policies._prefetch_ids)
                    if row.policy_id
                    else partner_policies[row.partner_id]
                )
                if policy:
                    by_policy[policy].append(row)
                else:
                    skipped[NO_POLICY, None] += 1
            for policy, policy_rows in by_policy.items():
                if policy not in ladders:
                    ladders[policy] = (*policy._get_ladder(), policy._get_position_function())
                ladder, levels, positions = ladders[policy]
                items = [self._prepare_open_item(row, positions, pauses) for row in policy_rows]
                plan = plan_run(items, ladder, self.date)
                for (debtor, sequence), decisions in plan.groups.items():
                    groups[(int(debtor), levels[sequence])].extend(
                        int(decision.item.invoice) for decision in decisions
                    )
                for skip in plan.skipped:
                    skipped[_skip_key(skip, levels)] += 1
        # Share the prefetch, so that reading the groups takes one query per field.
        Partner = self.env["res.partner"]
        partner_ids = [debtor for debtor, _level in groups]
        move_ids = [move_id for ids in groups.values() for move_id in ids]
        groups = {
            (Partner.browse(debtor).with_prefetch(partner_ids), level): Move.browse(
                ids
            ).with_prefetch(move_ids)
            for (debtor, level), ids in groups.items()
        }
        return groups, skipped, len(rows)

    def _get_skip_summary(self, skipped):
        """One sentence per reason the invoices wait, with its count, in the user's language
        (``skipped``: the counts of :meth:`_plan`)."""
        lines = (
            self._get_skip_text(code, detail, count) for (code, detail), count in skipped.items()
        )
        return "\n".join(sorted(lines))

    def _get_skip_text(self, code, detail, count):
        _ = self.env._
        if code == SkipCode.PAUSED:
            pauses = dict(self.env["recouvrement.block"]._selection_reason())
            return _("Paused (%(pause)s): %(count)s", pause=pauses.get(detail, detail), count=count)
        if code == SkipCode.NOT_YET_DUE:
            level = self.env["recouvrement.policy.level"].browse(detail)
            return _("Not yet due for « %(level)s »: %(count)s", level=level.name, count=count)
        if code == SkipCode.TOO_SOON:
            return _("Reminded less than %(days)s days ago: %(count)s", days=detail, count=count)
        if code == SkipCode.NOT_SENT and detail:
            return _("Formal notice not sent yet: %(count)s", count=count)
        if code == SkipCode.NOT_SENT:
            return _("Reminder not sent yet: %(count)s", count=count)
        if code == SkipCode.PAID:
            return _("Paid: %(count)s", count=count)
        if code == SkipCode.LAST_LEVEL:
            return _("Last level reached: %(count)s", count=count)
        return _("No collection policy: %(count)s", count=count)

    # ------------------------------------------------------------------
    # Execution, chunk by chunk
    # ------------------------------------------------------------------
    def action_run(self):
        for run in self:
            run._execute_or_hand_off()
        return True

    def _execute_or_hand_off(self):
        """A run asked for in the interface: its first chunk now, the others (a large
        company's) by the scheduled action, so that no request outlasts its time limit."""
        self.ensure_one()
        self._start()
        communications = self._execute_chunk()
        if self.state == "running":
            self.env.ref("l10n_fr_recouvrement.ir_cron_recouvrement_run").sudo()._trigger()
        return communications

    def _execute(self):
        """Decide, then create the communications with their amounts, every chunk in this
        transaction (a manual run); returns the communications.

        Letters and sending are queued for the background job (`_cron_process_queue` of
        ``recouvrement.communication``), which works in committed batches.
        """
        self.ensure_one()
        self._start()
        communications = self.env["recouvrement.communication"]
        while self.state == "running":
            communications |= self._execute_chunk()
        return communications

    def _start(self):
        """Draft → running: the checks a run needs before it writes anything, and the
        number of invoices it is going to examine (its progress)."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("Run %s is already done.", self.name))
        running = self.search(
            [("company_id", "=", self.company_id.id), ("state", "=", "running")], limit=1
        )
        if running:
            raise UserError(
                self.env._(
                    "Collection run %(run)s is in progress for %(company)s; try again when it "
                    "is done.",
                    run=running.name,
                    company=self.company_id.name,
                )
            )
        self._acquire_lock()
        # The run inserts communications and lines in SQL: check what create would.
        self.env["recouvrement.communication"].check_access("create")
        self.env["recouvrement.communication.line"].check_access("create")
        self.env["recouvrement.communication"]._get_queue_cron()  # before anything is written
        candidates = self.env["account.move"].search_count(self._get_candidate_domain())
        self._server_write({"state": "running", "candidate_count": candidates})

    def _execute_chunk(self):
        """The next customers' invoices, up to about CHUNK_SIZE of them: decided, written,
        the run's counters and resume point moved on; the last chunk ends the run.

        Everything a chunk writes is in the caller's transaction: the scheduler commits
        after each chunk, so a run killed in the middle of one resumes with that chunk,
        and no communication is created twice or lost.
        """
        self.ensure_one()
        self._acquire_lock()
        last_partner_id, is_last = self._get_chunk_end()
        if last_partner_id is None:
            self._finish()
            return self.env["recouvrement.communication"]
        chunk_domain = [
            *self._get_resume_domain(),
            ("commercial_partner_id", "<=", last_partner_id),
        ]
        groups, skipped, examined = self._plan(chunk_domain)
        communications = self._create_communications(groups)
        self._add_progress(groups, skipped, examined, last_partner_id)
        if is_last:
            self._finish()
        # What the chunk read stays out of the next one's memory.
        self.env.flush_all()
        self.env.invalidate_all()
        return communications

    def _get_chunk_end(self):
        """``(last customer id, is the last chunk)`` of the next chunk: whole customers
        after the resume point, in id order, until they hold CHUNK_SIZE invoices (a single
        customer with more is a chunk of its own); ``(None, True)`` when none is left.

        The customer of the CHUNK_SIZE-th invoice ends the chunk: PostgreSQL walks the
        open invoices' index by customer and stops there, so a chunk reads its own
        invoices only, however many customers are left after it.
        """
        candidates = self._get_candidate_domain()
        remaining = [*candidates, *self._get_resume_domain()]
        end = self._get_nth_partner(remaining, self.CHUNK_SIZE)
        if end is None:  # what is left fits in one chunk
            return self._get_nth_partner(remaining, None), True
        after = [*candidates, ("commercial_partner_id", ">", end)]
        return end, self._get_nth_partner(after, 1) is None

    def _get_nth_partner(self, domain, position):
        """The customer of the ``position``-th invoice (1-based) of ``domain``, in customer
        order; of the last one when ``position`` is None; None when there are fewer."""
        Move = self.env["account.move"].with_company(self.company_id)
        query = Move._search(domain)
        partner = SQL.identifier(query.table, "commercial_partner_id")
        if position is None:
            order, offset = SQL("%s DESC", partner), 0
        else:
            order, offset = partner, position - 1
        rows = self.env.execute_query(
            SQL(
                "SELECT %s FROM %s WHERE %s ORDER BY %s OFFSET %s LIMIT 1",
                partner,
                query.from_clause,
                query.where_clause or SQL("TRUE"),
                order,
                offset,
            )
        )
        return rows[0][0] if rows else None

    def _get_resume_domain(self):
        """The customers after the resume point (a many2one compares 0 as NULL: none)."""
        if not self.resume_partner_id:
            return []
        return [("commercial_partner_id", ">", self.resume_partner_id)]

    def _add_progress(self, groups, skipped, examined, last_partner_id):
        """Add a chunk's counts to the run's, and move its resume point past the chunk."""
        counts = Counter(_decode_skips(self.skip_counts))
        counts.update(skipped)
        self._server_write(
            {
                "resume_partner_id": last_partner_id,
                "chunk_count": self.chunk_count + 1,
                "invoice_count": self.invoice_count + examined,
                "raised_count": self.raised_count + sum(len(moves) for moves in groups.values()),
                "skipped_count": sum(counts.values()),
                "skip_counts": _encode_skips(counts),
                "log": self._get_skip_summary(counts),
            }
        )

    def _finish(self):
        self._server_write({"state": "done"})

    def _get_remaining_count(self):
        """The invoices the running runs still have to examine, as estimated at their
        start (the scheduler's progress)."""
        return sum(max(run.candidate_count - run.invoice_count, 0) for run in self)

    def _get_shared_communication_values(self):
        """What every communication of the run has in common."""
        return {
            "state": "draft",
            "run_id": self.id,
            "company_id": self.company_id.id,
            "currency_id": self.company_id.currency_id.id,
            "date": self.date,
            "send_pending": self.mode == "auto",
        }

    @api.model
    def _get_level_communication_values(self, level):
        """What every communication of ``level`` has in common."""
        return {
            "policy_id": level.policy_id.id,
            "level_id": level.id,
            "letter_kind": level.letter_kind,
            "is_formal_notice": level.is_formal_notice,
            "documents_pending": bool(level.letter_kind),
        }

    def _prepare_communication_values(self, shared, by_level, partner, move_ids, name, figures):
        """A communication from the run's and its level's values (read once for all)."""
        regime = partner._recouvrement_get_regime()
        decompte = self.env["recouvrement.engine"]._combine_decomptes(
            [figures[move_id] for move_id in move_ids if move_id in figures], shared["date"], regime
        )
        collector = partner.recouvrement_collector_id or self.company_id.recouvrement_collector_id
        return {
            **shared,
            **by_level,
            "name": name,
            "partner_id": partner.id,
            "regime": regime,
            "user_id": collector.id,
            **self.env["recouvrement.communication"]._get_amount_values(decompte),
        }

    def _prepare_communication_line_values(self, row, figures):
        """An invoice line (``row``: its ``LineRow``); without the engine's figures
        (refused claim), the balance only."""
        values = {
            "move_id": row.id,
            "previous_level_id": row.level_id or False,
            "previous_last_date": row.last_date or False,
            "due_date": row.invoice_date_due,
            "amount_total": row.amount_total_signed,
            "amount_residual": row.amount_residual,
            "penalty_amount": 0.0,
            "indemnity_amount": 0.0,
            "days_late": 0,
        }
        if figures:
            values.update(self.env["recouvrement.communication"]._get_line_amount_values(figures))
        return values

    def _create_communications(self, groups):
        """One communication per debtor and level, its lines, and the invoices' new levels.

        A constant number of queries: the invoices' fields in one SELECT, the
        communications, their channels and their lines in one INSERT each, the invoices'
        ladder state in one INSERT … ON CONFLICT. The background job is woken up when
        letters or sendings are queued.
        """
        Communication = self.env["recouvrement.communication"]
        if not groups:
            return Communication
        keys = sorted(groups, key=lambda key: (key[0].name or "", key[1].sequence, key[0].id))
        all_moves = self.env["account.move"].concat(*groups.values())
        rows = {row.id: row for row in all_moves._recouvrement_select(LINE_FIELDS, LineRow)}
        figures = self.env["recouvrement.engine"]._compute_decomptes(
            all_moves, self.date, facts=rows.values()
        )
        names = Communication._reserve_names(len(keys))
        run_values = self._get_shared_communication_values()
        by_level = {level: self._get_level_communication_values(level) for _p, level in keys}
        vals_list = [
            self._prepare_communication_values(
                run_values, by_level[level], partner, groups[(partner, level)].ids, name, figures
            )
            for (partner, level), name in zip(keys, names, strict=True)
        ]
        communications = Communication._create_for_run(
            vals_list, [level.channel_ids for _partner, level in keys]
        )
        related = self.env["recouvrement.communication.line"]._get_copied_related_fields()
        lines = []
        levels = {}
        for communication, vals, key in zip(communications, vals_list, keys, strict=True):
            # The line's stored related fields, as the ORM would copy them.
            shared = {name: vals[name] for name in related}
            group = sorted(
                (rows[move_id] for move_id in groups[key].ids),
                key=lambda row: (row.invoice_date_due, row.id),
            )
            for row in group:
                values = self._prepare_communication_line_values(row, figures.get(row.id))
                lines.append({**values, **shared, "communication_id": communication.id})
                levels[row.id] = key[1].id
        self.env["recouvrement.communication.line"]._insert_for_run(lines)
        self.env["recouvrement.invoice.state"]._raise_levels(self.company_id, levels)
        if any(vals["documents_pending"] or vals["send_pending"] for vals in vals_list):
            communications._trigger_queue()
        return communications

    # ------------------------------------------------------------------
    # Scheduled action: one chunk per call, through the cron progress API
    # ------------------------------------------------------------------
    @api.model
    def _cron_run(self):
        """Daily: refresh blocks, start one run per company in the company's mode, then one
        chunk of a running run per call.

        The scheduler commits after each call and calls again while the progress says
        invoices remain, so a call stays short and a killed run resumes at its last
        committed chunk. A company's failure is its own: its chunk is rolled back, logged,
        and its run marked failed; the other companies' runs go on.
        """
        self = self.sudo()
        running = self._get_running_runs()
        started = self.browse()
        if not running:
            started = self._start_cron_runs()
            running = started.filtered(lambda run: run.state == "running")
        run = running[:1]
        done = 0
        if run:
            before = run.invoice_count
            run.with_company(run.company_id)._execute_cron_chunk()
            done = run.invoice_count - before
        still_running = self._get_running_runs()
        remaining = still_running._get_remaining_count() or len(still_running)
        self.env["ir.cron"]._notify_progress(done=max(done, 1 if run else 0), remaining=remaining)
        return started | run

    @api.model
    def _get_running_runs(self):
        """The runs the scheduled action goes on with: its own, and the large manual ones
        handed over to it."""
        return self.search([("state", "=", "running")], order="id")

    @api.model
    def _start_cron_runs(self):
        """The day's start: each company's blocks refreshed, and its run started, unless
        the company's scheduled run of the day is done already (a scheduler killed right
        after its last chunk calls again)."""
        runs = self.browse()
        done_today = self.search(
            [
                ("trigger", "=", "cron"),
                ("state", "=", "done"),
                ("date", "=", fields.Date.context_today(self)),
            ]
        ).company_id
        for company in self.env["res.company"].search([]) - done_today:
            try:
                with self.env.cr.savepoint():
                    self.env["recouvrement.block"]._cron_refresh(company)
            except Exception:
                _logger.exception("Collection blocks of %s not refreshed", company.name)
            if not company._recouvrement_get_policy():
                continue
            try:
                with self.env.cr.savepoint():
                    runs |= self._start_company_run(company)
            except UserError as error:
                _logger.warning("Collection run of %s skipped: %s", company.name, error)
            except Exception as error:
                _logger.exception("Collection run of %s failed", company.name)
                runs |= self._record_failed_run(company, error)
        return runs

    @api.model
    def _start_company_run(self, company):
        run = self.with_company(company).create(
            {"company_id": company.id, "trigger": "cron", "mode": company.recouvrement_send_mode}
        )
        run._start()
        return run

    def _execute_cron_chunk(self):
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._execute_chunk()
        except Exception as error:
            self.env.invalidate_all()
            if is_concurrency_error(error):
                # Another transaction changed what the chunk read: the next call, in a new
                # transaction, does the chunk again.
                _logger.warning("Collection run %s: chunk retried (%s)", self.name, error)
                return
            _logger.exception("Collection run %s failed", self.name)
            failure = self.env._("The run failed: %s", error)
            self._server_write(
                {"state": "failed", "log": "\n".join(filter(None, [failure, self.log]))}
            )

    @api.model
    def _record_failed_run(self, company, error):
        return self.with_company(company).create(
            {
                "company_id": company.id,
                "trigger": "cron",
                "mode": company.recouvrement_send_mode,
                "state": "failed",
                "log": self.env._("The run failed: %s", error),
            }
        )

    def action_open_communications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_fr_recouvrement.action_recouvrement_communication"
        )
        action["domain"] = [("run_id", "=", self.id)]
        return action

    def action_send_drafts(self):
        self.communication_ids.filtered(lambda comm: comm.state == "draft").action_send()
        return True


def _encode_skips(counts):
    """The skip counts as JSON: ``[[code, detail, count], …]``."""
    return [[code, detail, count] for (code, detail), count in counts.items()]


def _decode_skips(rows):
    return {(code, detail): count for code, detail, count in rows or ()}


def _skip_key(skip, levels):
    """What a skip is counted under: its code and what it names (the pause, the level
    record not yet due, the interval in days, whether a formal notice is not sent)."""
    params = skip.params
    if skip.code == SkipCode.NOT_YET_DUE:
        return skip.code, levels[params["level"]].id
    detail = params.get("pause", params.get("days", params.get("formal_notice")))
    return skip.code, detail
