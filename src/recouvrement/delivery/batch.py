"""Many letters at once: the provider calls of a batch overlap, with bounded concurrency.

Each letter goes through its own steps in one thread of a pool of ``workers``; one
letter's failure is its own (its outcome carries the error) and never stops the others.
The background job of the addon, its poll and the benchmark use these helpers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..errors import RecouvrementError
from ..postal_address import Party
from .http import RetryPolicy
from .model import Letter, Proof, ProofKind, Recipient, SendingStatus
from .providers import RegisteredLetterProvider, download_proofs

# One thread per connection the client keeps open: the calls in flight at a provider.
DEFAULT_WORKERS = RetryPolicy().pool_size


@dataclass(frozen=True)
class Outcome:
    reference: str
    status: SendingStatus | None = None
    proofs: tuple[Proof, ...] = ()  # downloaded with the status (``refresh_many``)
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


def read_sending(
    client: RegisteredLetterProvider, reference: str, stored: Iterable[ProofKind | str] = ()
) -> Outcome:
    """Re-read one sending and download its proofs of kinds not ``stored``; a failed
    read or download is the outcome's error, to be read again later."""
    try:
        status = client.status(reference)
        proofs = download_proofs(client, status, already=stored)
    except RecouvrementError as error:
        return Outcome(reference, error=error)
    return Outcome(reference, status=status, proofs=tuple(proofs))


def refresh_many(
    client: RegisteredLetterProvider,
    references: Iterable[str],
    workers: int = DEFAULT_WORKERS,
    stored: Mapping[str, Iterable[ProofKind | str]] | None = None,
) -> list[Outcome]:
    """:func:`read_sending` for each reference (the poll of the letters in flight), with
    the proof kinds already ``stored`` by reference."""
    stored = stored or {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(
            pool.map(lambda reference: read_sending(client, reference, stored.get(reference, ())),
                     references)
        )  # fmt: skip
