"""Letters and sending on many workers and servers, through OCA ``queue_job`` when the
database has it.

The addon does not depend on queue_job and nothing here imports it: ``queue.job`` in the
registry says the module is installed in this database, and ``with_delay`` then exists on
every model. Without it the scheduled action does the work, one batch per call.

With it, each batch of the queue (the scheduled action's batches: 50 letters to render,
or 200 communications only waiting to be sent) becomes one job on the channel
``root.recouvrement``, which the job runner spreads over the HTTP workers of every server.
A communication records the identity key of the job holding it (``queue_batch_key``, a
hash of the batch's ids): it is queued again only when no job with that key is still to
run, so a batch is never queued twice, and a job processes only its own communications
still waiting, in one transaction, so a job retried after a failure produces each letter
once.

Each worker process converts with its own long-lived LibreOffice processes (the engine's
converter pool is per process, started on the first letter it converts, stopped when the
process exits): a job converts no faster than the scheduled action, but several jobs
convert at once, one per worker the channel allows.
"""

import hashlib
import logging

from psycopg2 import IntegrityError

from odoo import SUPERUSER_ID, api, fields, models

from .recouvrement_communication import RecouvrementCommunication as CommunicationBase

_logger = logging.getLogger(__name__)

QUEUE_JOB_CHANNEL = "root.recouvrement"
# queue_job's states of a job that will still run, or is running.
LIVE_JOB_STATES = ("wait_dependencies", "pending", "enqueued", "started")


class RecouvrementCommunication(models.Model):
    _inherit = "recouvrement.communication"
    _server_fields = (*CommunicationBase._server_fields, "queue_batch_key")

    queue_batch_key = fields.Char(
        string="Job identity key",
        readonly=True,
        copy=False,
        help="With queue_job: the identity key of the last job this communication was queued in.",
    )

    def _get_writable_fields_when_locked(self):
        return super()._get_writable_fields_when_locked() | {"queue_batch_key"}

    @api.model
    def _queue_job_enabled(self):
        """Whether the queue_job module is installed in this database."""
        return "queue.job" in self.env

    # ------------------------------------------------------------------
    # Queuing
    # ------------------------------------------------------------------
    @api.model
    def _queue_jobs(self, batch_size=None):
        """Queue one job per batch of what waits and no job still to run holds.

        Jobs run as superuser, like the scheduled action; the sending part runs as the
        user who asked for it. Returns the identity keys of the jobs queued.
        """
        self = self.with_env(self.env(user=SUPERUSER_ID, context={}))
        waiting = self.search_fetch(
            self._get_queue_domain(), ["documents_pending", "queue_batch_key"], order="id"
        )
        free = waiting - waiting._held_by_live_jobs()
        if not free:
            return []
        channel = self._get_queue_job_channel()
        keys = []
        for batch in free._split_queue_batches(batch_size):
            key = batch._get_queue_batch_key()
            # Marked first: a job run at once (queue_job's no-delay mode) finds its key.
            batch._server_write({"queue_batch_key": key})
            batch.with_delay(channel=channel, identity_key=key)._job_process_queue_batch(key)
            keys.append(key)
        _logger.info("Collection queue: %s jobs queued for %s communications", len(keys), len(free))
        return keys

    def _held_by_live_jobs(self):
        """The communications whose job is still to run (or running)."""
        keys = set(self.mapped("queue_batch_key")) - {False}
        if not keys:
            return self.browse()
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search_fetch(
                [("identity_key", "in", list(keys)), ("state", "in", LIVE_JOB_STATES)],
                ["identity_key"],
            )
        )
        live = set(jobs.mapped("identity_key"))
        return self.filtered(lambda comm: comm.queue_batch_key in live)

    def _split_queue_batches(self, batch_size=None):
        """The scheduled action's batches, in the same order: the letters to render by
        ``QUEUE_BATCH_SIZE``, then the communications only waiting to be sent by
        ``SEND_BATCH_SIZE`` (see ``_get_queue_batch``)."""
        to_render = self.filtered("documents_pending")
        for records, size in (
            (to_render, batch_size or self.QUEUE_BATCH_SIZE),
            (self - to_render, batch_size or self.SEND_BATCH_SIZE),
        ):
            for start in range(0, len(records), size):
                yield records[start : start + size]

    def _get_queue_batch_key(self):
        """The job's identity key: the same for the same communications."""
        ids = ",".join(str(record_id) for record_id in sorted(self.ids))
        return f"{self._name}:{hashlib.sha256(ids.encode()).hexdigest()[:32]}"

    @api.model
    def _get_queue_job_channel(self):
        """``root.recouvrement``, created the first time (queue_job's records cannot be in
        this addon's data, which does not depend on it); its capacity is set there, or
        by the job runner's ``channels`` option."""
        Channel = self.env["queue.job.channel"].sudo()
        if not Channel.search_count([("complete_name", "=", QUEUE_JOB_CHANNEL)], limit=1):
            parent_name, name = QUEUE_JOB_CHANNEL.rsplit(".", 1)
            parent = Channel.search([("complete_name", "=", parent_name)], limit=1)
            try:
                with self.env.cr.savepoint():
                    Channel.create({"name": name, "parent_id": parent.id})
            except IntegrityError:
                pass  # created meanwhile by another transaction: it exists
        return QUEUE_JOB_CHANNEL

    # ------------------------------------------------------------------
    # The job
    # ------------------------------------------------------------------
    def _job_process_queue_batch(self, key):
        """Collection: letters and sending of one batch"""
        batch = self.exists().filtered(
            lambda comm: (
                comm.queue_batch_key == key and (comm.documents_pending or comm.send_pending)
            )
        )
        batch._run_queue_batch()
