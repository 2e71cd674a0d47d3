"""Letters and sending through OCA queue_job, when the database has it.

Skipped without queue_job; scripts/run-odoo-tests installs it (the OCA wheel) for a second
pass over this file. The jobs are real ``queue.job`` records, loaded and performed by
queue_job's ``Job``; only the job runner's HTTP call is replaced by ``run_job`` below, which
does what the runner and its controller do, the job's transaction being a savepoint of the
test's.
"""

import unittest

from psycopg2 import OperationalError

from odoo.modules.registry import Registry
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tests import tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from .common import QueueCommon

CHANNEL = "root.recouvrement"
JOB_METHOD = "_job_process_queue_batch"


@tagged("post_install", "-at_install")
class TestQueueJob(QueueCommon):
    """One job per batch on root.recouvrement, each letter produced once, retries included."""

    letter_batch_size = 2

    @classmethod
    def setUpClass(cls):
        if "queue.job" not in Registry(get_db_name()):
            raise unittest.SkipTest(
                "queue_job is not installed in this database: the scheduled action does the "
                "work (tests/test_queue.py); scripts/run-odoo-tests runs this file again on a "
                "database with queue_job"
            )
        super().setUpClass()

    def setUp(self):
        super().setUp()
        # The first reminders (e-mails, no letter), sent by their jobs.
        with self.freeze("2026-02-11"):
            self.env["recouvrement.run"].create(
                {"company_id": self.company.id, "mode": "auto", "partner_ids": self.customers.ids}
            )._execute()
            self.run_jobs()
        self.existing_jobs = self.env["queue.job"].sudo().search([])

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def new_jobs(self):
        return (
            self.env["queue.job"]
            .sudo()
            .search([("id", "not in", self.existing_jobs.ids)], order="id")
        )

    def run_job(self, job_record):
        """Run one job as queue_job's runner and its ``/queue_job/runjob`` controller do.

        The runner marks it enqueued, the controller started, performs it and marks it
        done in one transaction; on a concurrency error that transaction is rolled back
        and the job goes back to pending, postponed, for its retry. Returns its state.
        """
        from odoo.addons.queue_job.controllers.main import PG_RETRY
        from odoo.addons.queue_job.job import Job

        job = Job.load(self.env, job_record.uuid)
        job.set_enqueued()
        job.set_started()
        job.store()
        try:
            with self.env.cr.savepoint():
                job.perform()
                self.env.flush_all()
                job.set_done()
                job.store()
        except OperationalError as error:
            if error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY:
                raise
            self.env.invalidate_all()
            job.postpone(result=str(error), seconds=PG_RETRY)
            job.set_pending(reset_retry=False)
            job.store()
        job_record.invalidate_recordset()
        return job_record.state

    def run_jobs(self):
        """Every pending job of the channel, until none is left."""
        for _round in range(10):
            jobs = (
                self.env["queue.job"]
                .sudo()
                .search([("channel", "=", CHANNEL), ("state", "=", "pending")], order="id")
            )
            if not jobs:
                return
            for job in jobs:
                self.run_job(job)
        self.fail("the jobs do not end")

    def assert_each_letter_once(self, communications):
        self.assertEqual(set(communications.mapped("state")), {"to_send"})
        self.assertFalse(communications.filtered("documents_pending"))
        self.assertFalse(communications.filtered("send_pending"))
        for communication in communications:
            attachments = self.attachments_of(communication)
            self.assertEqual(
                sorted(attachments.mapped("mimetype")),
                [
                    "application/pdf",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ],
                communication.name,
            )
            self.assertEqual(
                communication.pdf_attachment_id,
                attachments.filtered(lambda att: att.mimetype == "application/pdf"),
            )
            self.assertIn(
                communication.partner_id.name, self.pdf_text(communication.pdf_attachment_id.raw)
            )
            self.assertEqual(len(self.mails_of(communication)), 1, communication.name)

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------
    def test_one_job_per_batch_never_queued_twice(self):
        communications = self.queue_letters()
        jobs = self.new_jobs()
        # 5 letters in batches of 2: 3 jobs, on the collection's channel, one key each.
        self.assertEqual(len(jobs), 3)
        self.assertEqual(set(jobs.mapped("channel")), {CHANNEL})
        self.assertEqual(set(jobs.mapped("method_name")), {JOB_METHOD})
        self.assertEqual(set(jobs.mapped("state")), {"pending"})
        self.assertEqual(sorted(len(job.records) for job in jobs), [1, 2, 2])
        held = [record_id for job in jobs for record_id in job.records.ids]
        self.assertEqual(sorted(held), sorted(communications.ids))  # each in one job
        self.assertEqual(len(set(jobs.mapped("identity_key"))), 3)
        for job in jobs:
            self.assertEqual(set(job.records.mapped("queue_batch_key")), {job.identity_key})
        self.assertTrue(
            self.env["queue.job.channel"].sudo().search([("complete_name", "=", CHANNEL)])
        )
        # Triggered again, and the scheduled action's call (the safety net): nothing new.
        self.Communication._trigger_queue()
        self.assertEqual(self.Communication._cron_process_queue(), 0)
        self.assertEqual(self.new_jobs(), jobs)
        self.assertFalse(self.attachments_of(communications))

    def test_jobs_produce_each_letter_once(self):
        communications = self.queue_letters()
        jobs = self.new_jobs()
        with self.freeze("2026-02-25"):
            self.assertEqual([self.run_job(job) for job in jobs], ["done"] * 3)
        self.assertEqual(len(self.attachments_of(communications)), 10)
        self.assert_each_letter_once(communications)
        # A done job run again (requeued by hand, say) finds nothing left to do.
        self.env.cr.execute("UPDATE queue_job SET state = 'pending' WHERE id = %s", [jobs[0].id])
        with self.freeze("2026-02-25"):
            self.assertEqual(self.run_job(jobs[0]), "done")
        self.assertEqual(len(self.attachments_of(communications)), 10)
        self.assertEqual(len(self.mails_of(communications)), 5)

    @mute_logger("odoo.sql_db")
    def test_job_retried_after_a_failure_produces_each_letter_once(self):
        communications = self.queue_letters()
        jobs = self.new_jobs()
        first = jobs[0]
        with (
            self.losing_first_concurrent_update(
                type(self.Communication), "_store_documents"
            ) as calls,
            self.freeze("2026-02-25"),
        ):
            # The first try stores its two letters, then loses a concurrent update: its
            # transaction is rolled back, nothing of it remains, the job waits for a retry.
            self.assertEqual(self.run_job(first), "pending")
            self.assertEqual(first.retry, 1)
            self.assertIn("could not serialize", first.result)
            batch = first.records
            self.assertEqual(len(batch), 2)
            self.assertFalse(self.attachments_of(batch))
            self.assertFalse(self.mails_of(batch))
            self.assertEqual(set(batch.mapped("state")), {"draft"})
            self.assertTrue(all(batch.mapped("documents_pending")))
            # Still held by its job: the safety net queues nothing for it.
            self.Communication._cron_process_queue()
            self.assertEqual(self.new_jobs(), jobs)
            # The retry, and the other jobs.
            self.run_jobs()
        self.assertEqual(len(calls), 4)  # the first batch twice, then the two others
        self.assertEqual(set(self.new_jobs().mapped("state")), {"done"})
        self.assertEqual(len(self.attachments_of(communications)), 10)
        self.assert_each_letter_once(communications)

    def test_communications_of_a_failed_job_are_queued_again(self):
        from odoo.addons.queue_job.job import Job

        communications = self.queue_letters()
        jobs = self.new_jobs()
        lost = Job.load(self.env, jobs[0].uuid)
        lost.set_failed(exc_info="worker lost", exc_name="RuntimeError")
        lost.store()
        self.assertEqual(jobs[0].state, "failed")
        # The scheduled action queues its two communications in a new job, nothing else.
        self.Communication._cron_process_queue()
        new = self.new_jobs() - jobs
        self.assertEqual(len(new), 1)
        self.assertEqual(new.records, jobs[0].records)
        self.assertEqual(new.identity_key, jobs[0].identity_key)  # the same batch
        with self.freeze("2026-02-25"):
            self.run_jobs()
        self.assert_each_letter_once(communications)

    def test_a_broken_letter_fails_alone_in_its_job(self):
        communications = self.queue_letters()
        broken = communications[2]
        with self.broken_letter(broken), self.freeze("2026-02-25"):
            self.run_jobs()
        self.assertEqual(set(self.new_jobs().mapped("state")), {"done"})
        self.assertEqual(broken.state, "failed")
        self.assertIn("the custom template is broken", broken.failure_reason)
        self.assertFalse(self.mails_of(broken))
        self.assert_each_letter_once(communications - broken)
