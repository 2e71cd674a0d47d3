"""Where the progress of each sending is kept, so that nothing is ever sent twice.

A client saves a :class:`SendingRecord` before each step that the provider cannot undo
and the moment the provider names the sending: a crash, a time-out or a second run then
resumes from the record instead of starting again. The command line keeps the records in
a JSON file (:class:`JsonStateStore`); the Odoo addon implements :class:`StateStore` on
its communications, committing each save at once (a rollback must not forget an id the
provider already holds).
"""

from __future__ import annotations

import contextlib
import enum
import fcntl
import json
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .errors import DeliveryInputError


class Step(str, enum.Enum):
    """The last step the provider is known to have done for a sending."""

    CREATING = "creating"  # asked to create it; the answer may have been lost
    CREATED = "created"  # the provider's sending id is known
    DOCUMENT_ADDED = "document_added"
    RECIPIENT_ADDED = "recipient_added"
    SUBMITTING = "submitting"  # asked to submit; the answer may have been lost
    SUBMITTED = "submitted"  # the provider has it: from here on, only reads


@dataclass
class SendingRecord:
    """What is known of one sending at the provider, under our reference."""

    reference: str
    provider: str
    step: Step = Step.CREATING
    sending_id: str | None = None
    details: dict = field(default_factory=dict)  # provider ids: recipient, attachment, …

    def to_dict(self) -> dict:
        return {
            "reference": self.reference,
            "provider": self.provider,
            "step": self.step.value,
            "sending_id": self.sending_id,
            "details": self.details,
        }

    @classmethod
    def from_dict(cls, data: dict) -> SendingRecord:
        return cls(
            reference=data["reference"],
            provider=data["provider"],
            step=Step(data["step"]),
            sending_id=data.get("sending_id"),
            details=dict(data.get("details") or {}),
        )


class StateStore(Protocol):
    """The persistence a client needs: read and write one record by reference."""

    def load(self, reference: str) -> SendingRecord | None: ...

    def save(self, record: SendingRecord) -> None:
        """Persist the record durably before returning (commit, fsync)."""


class MemoryStateStore:
    """Records kept in memory, for one process (tests, benchmarks, batch helpers)."""

    def __init__(self):
        self._records: dict[str, dict] = {}
        self._lock = threading.Lock()

    def load(self, reference: str) -> SendingRecord | None:
        with self._lock:
            data = self._records.get(reference)
        return SendingRecord.from_dict(data) if data else None

    def save(self, record: SendingRecord) -> None:
        with self._lock:
            self._records[record.reference] = record.to_dict()


class JsonStateStore:
    """Records in one JSON file keyed by reference, rewritten atomically on each save.

    A lock file next to it serialises the processes that share it; threads of one
    process share a lock too.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def load(self, reference: str) -> SendingRecord | None:
        with self._locked():
            data = self._read().get(reference)
        return SendingRecord.from_dict(data) if data else None

    def save(self, record: SendingRecord) -> None:
        with self._locked():
            records = self._read()
            records[record.reference] = record.to_dict()
            self._write(records)

    @contextlib.contextmanager
    def _locked(self):
        lock_path = self.path.with_name(self.path.name + ".lock")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(lock_path, "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def _read(self) -> dict:
        if not self.path.exists():
            return {}
        try:
            records = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise DeliveryInputError(
                f"Fichier d'état « {self.path} » illisible : {error}"
            ) from None
        if not isinstance(records, dict):
            raise DeliveryInputError(f"Fichier d'état « {self.path} » : objet JSON attendu.")
        return records

    def _write(self, records: dict) -> None:
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(records, file, ensure_ascii=False, indent=2, sort_keys=True)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)
