"""Many letters at once: the provider calls of a batch overlap, with bounded concurrency.

Each letter goes through its own steps in one thread of a pool of ``workers``; one
letter's failure is its own (its outcome carries the error) and never stops the others.
The background job of the addon and the benchmark use these two helpers.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..errors import RecouvrementError
from ..postal_address import Party
from .model import Letter, Recipient, SendingStatus
from .providers import RegisteredLetterProvider

DEFAULT_WORKERS = 8


@dataclass(frozen=True)
class Outcome:
    reference: str
    status: SendingStatus | None = None
    error: RecouvrementError | None = None  # bad input, a 4xx, or the provider down


def send_many(
    client: RegisteredLetterProvider,
    jobs: Iterable[tuple[Letter, Recipient, Party | None]],
    workers: int = DEFAULT_WORKERS,
) -> list[Outcome]:
    """Send each (letter, recipient, sender); the outcomes in the order of ``jobs``."""

    def one(job) -> Outcome:
        letter, recipient, sender = job
        try:
            return Outcome(letter.reference, status=client.send(letter, recipient, sender))
        except RecouvrementError as error:
            return Outcome(letter.reference, error=error)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, jobs))


def refresh_many(
    client: RegisteredLetterProvider, references: Iterable[str], workers: int = DEFAULT_WORKERS
) -> list[Outcome]:
    """Re-read each sending from the provider (the poll of the letters in flight)."""

    def one(reference: str) -> Outcome:
        try:
            return Outcome(reference, status=client.status(reference))
        except RecouvrementError as error:
            return Outcome(reference, error=error)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, references))
