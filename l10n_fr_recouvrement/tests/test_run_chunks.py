from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import RecouvrementCommon

RUN_LOGGER = "odoo.addons.l10n_fr_recouvrement.models.recouvrement_run"


class Killed(BaseException):
    """The server process killed in the middle of a chunk: not an error the run catches."""


@tagged("post_install", "-at_install")
class TestRunChunks(RecouvrementCommon):
    """Runs proceed in chunks of whole customers; the scheduler commits after each one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        customers = cls.b2b | cls.b2b_other | cls.b2c
        customers |= cls._create_customer("Bâtiment Leroy", True, siret="44306184100047")
        customers |= cls._create_customer("Paul Mercier", False)
        cls.customers = customers.sorted("id")
        cls.invoices = cls.env["account.move"]
        for index, customer in enumerate(cls.customers):
            for amount in range(index % 2 + 1):  # one or two invoices each: 7 in all
                cls.invoices |= cls.create_invoice(customer, 100.0 + 10 * index + amount)
        cls.Run = cls.env["recouvrement.run"]

    def _produced(self):
        """What the runs produced, whatever the chunks: each communication's customer,
        level, invoices and amounts."""
        communications = self.env["recouvrement.communication"].search([])
        return sorted(
            (
                comm.partner_id.id,
                comm.level_id.id,
                tuple(comm.line_ids.move_id.sorted("id").ids),
                comm.amount_principal,
                comm.amount_penalty,
                comm.amount_indemnity,
            )
            for comm in communications
        )

    def _reference_outcome(self):
        """An uninterrupted run in one chunk, rolled back after it is read."""
        outcome = None
        try:
            with self.env.cr.savepoint(), self.freeze("2026-02-11"):
                self.Run.create({"company_id": self.company.id})._execute()
                outcome = self._produced()
                raise Killed
        except Killed:
            self.env.invalidate_all()
        self.assertFalse(self.env["recouvrement.communication"].search([]))
        self.assertEqual(len(outcome), 5)
        return outcome

    def test_manual_run_in_chunks_as_in_one(self):
        reference = self._reference_outcome()
        self.patch(type(self.Run), "CHUNK_SIZE", 2)
        with self.freeze("2026-02-11"):
            run = self.Run.create({"company_id": self.company.id})
            run._execute()
        self.assertEqual(self._produced(), reference)
        self.assertEqual(run.state, "done")
        # Whole customers: two invoices of one customer fill a chunk; 1 + 2, 1 + 2, 1.
        self.assertEqual(run.chunk_count, 3)
        self.assertEqual((run.candidate_count, run.invoice_count, run.raised_count), (7, 7, 7))
        self.assertEqual(run.resume_partner_id, self.customers[-1].id)
        self.assertEqual(
            self.invoices.mapped("recouvrement_level_id"), self.level_1, "every invoice raised"
        )

    def test_killed_run_resumes_without_duplicates(self):
        reference = self._reference_outcome()
        self.patch(type(self.Run), "CHUNK_SIZE", 2)
        cron = self.env.ref("l10n_fr_recouvrement.ir_cron_recouvrement_run")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        Run = self.Run.with_context(ir_cron_progress_id=progress.id)
        with self.freeze("2026-02-11"):
            (run,) = Run._cron_run().filtered(lambda run: run.company_id == self.company)
            self.assertEqual(run.state, "running")
            self.assertEqual(run.chunk_count, 1)
            self.assertEqual((progress.done, progress.remaining), (3, 4))
            first_chunk = run.communication_ids
            self.assertEqual(first_chunk.partner_id, self.customers[:2])

            # The second chunk's server is killed after its writes, before the commit.
            create = type(self.Run)._create_communications

            def create_then_die(run_self, groups):
                create(run_self, groups)
                raise Killed

            with patch.object(type(self.Run), "_create_communications", create_then_die):
                try:
                    with self.env.cr.savepoint():
                        Run._cron_run()
                except Killed:
                    self.env.invalidate_all()
            self.assertEqual(run.chunk_count, 1)
            self.assertEqual(run.communication_ids, first_chunk)

            # The scheduler calls again: the run resumes with the chunk that was lost.
            runs = self.run_scheduled()
        self.assertEqual(runs.filtered(lambda other: other.company_id == self.company), run)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.chunk_count, 3)
        self.assertEqual(self._produced(), reference)
        lines = run.communication_ids.line_ids
        self.assertEqual(len(lines), 7)
        self.assertEqual(lines.move_id, self.invoices, "each invoice once, none lost")
        self.assertEqual(run.invoice_count, 7)

    def test_scheduled_run_not_started_twice_a_day(self):
        with self.freeze("2026-02-11"):
            (run,) = self.run_scheduled().filtered(lambda run: run.company_id == self.company)
            self.assertFalse(self.run_scheduled().filtered(lambda r: r.company_id == self.company))
        self.assertEqual(self.Run.search([("company_id", "=", self.company.id)]), run)

    def test_no_second_run_while_one_is_in_progress(self):
        self.patch(type(self.Run), "CHUNK_SIZE", 2)
        with self.freeze("2026-02-11"):
            (running,) = self.Run._cron_run().filtered(lambda run: run.company_id == self.company)
            self.assertEqual(running.state, "running")
            manual = self.Run.create({"company_id": self.company.id})
            with self.assertRaisesRegex(UserError, running.name):
                manual._execute()
        self.assertEqual(manual.state, "draft")

    def test_failed_chunk_fails_its_run_only(self):
        self.patch(type(self.Run), "CHUNK_SIZE", 2)
        create = type(self.Run)._create_communications
        calls = []

        def fail_second_chunk(run_self, groups):
            calls.append(run_self)
            if len(calls) == 2:
                raise ValueError("disque plein")
            return create(run_self, groups)

        self.patch(type(self.Run), "_create_communications", fail_second_chunk)
        with self.freeze("2026-02-11"), self.assertLogs(RUN_LOGGER, level="ERROR"):
            (run,) = self.run_scheduled().filtered(lambda run: run.company_id == self.company)
        self.assertEqual(run.state, "failed")
        self.assertIn("disque plein", run.log)
        # The first chunk's communications stay: they were committed and are real.
        self.assertEqual(run.communication_ids.partner_id, self.customers[:2])
        self.assertEqual(run.chunk_count, 1)

    def test_large_manual_run_handed_over_to_the_scheduler(self):
        reference = self._reference_outcome()
        self.patch(type(self.Run), "CHUNK_SIZE", 2)
        cron = self.env.ref("l10n_fr_recouvrement.ir_cron_recouvrement_run")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        with self.freeze("2026-02-11"):
            run = self.Run.create({"company_id": self.company.id})
            run.action_run()
            # The request does the first chunk, and wakes the scheduled action up.
            self.assertEqual((run.state, run.chunk_count), ("running", 1))
            self.assertEqual(
                self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
                triggers + 1,
            )
            self.run_scheduled()
        self.assertEqual((run.state, run.chunk_count), ("done", 3))
        self.assertEqual(self._produced(), reference)
        self.assertFalse(self.Run.search([("id", "!=", run.id)]), "no scheduled run on top")

    @mute_logger(RUN_LOGGER, "odoo.sql_db")
    def test_chunk_losing_a_concurrent_update_is_done_again(self):
        reference = self._reference_outcome()
        self.patch(type(self.Run), "CHUNK_SIZE", 2)
        with (
            self.losing_first_concurrent_update(type(self.Run), "_create_communications"),
            self.freeze("2026-02-11"),
        ):
            (run,) = self.Run._cron_run().filtered(lambda run: run.company_id == self.company)
            # Not a failure: the chunk is rolled back, the run waits for the next call.
            self.assertEqual((run.state, run.chunk_count), ("running", 0))
            self.assertFalse(run.communication_ids)
            self.run_scheduled()
        self.assertEqual((run.state, run.chunk_count), ("done", 3))
        self.assertEqual(self._produced(), reference)
