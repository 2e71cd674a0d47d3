"""HTTP calls to a provider: time-outs, retries with backoff, and the check before a retry.

Reads (GET) are retried by urllib3's ``Retry`` on connection errors, time-outs, 5xx and
429, honouring ``Retry-After``. Writes (POST) are never retried blindly: a write that
timed out may have been done, so :func:`call_with_retries` first asks the provider (the
``check``) whether it was, and only redoes the write when it was not. A 4xx is the
caller's mistake and is raised at once as :class:`ProviderRejected`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .errors import ProviderUnavailable

RETRIED_STATUSES = (429, 500, 502, 503, 504)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait for one call and how often to try again."""

    timeout: float = 30.0  # seconds for connecting and for each read
    attempts: int = 5  # tries of one step, the first included
    backoff: float = 0.5  # first wait in seconds, doubled at each retry
    max_backoff: float = 30.0
    pool_size: int = 24  # connections kept open, one per thread of a batch (batch.py)

    @classmethod
    def from_mapping(cls, config) -> RetryPolicy:
        defaults = cls()
        return cls(
            timeout=float(config.get("timeout", defaults.timeout)),
            attempts=int(config.get("attempts", defaults.attempts)),
            backoff=float(config.get("backoff", defaults.backoff)),
            max_backoff=float(config.get("max_backoff", defaults.max_backoff)),
            pool_size=int(config.get("pool_size", defaults.pool_size)),
        )

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        wait = min(self.max_backoff, self.backoff * 2 ** (retry - 1))
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_backoff))
        return wait


class Transient(Exception):
    """A failure worth trying again: time-out, dropped connection, 5xx, 429, expired token."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def new_session(policy: RetryPolicy) -> requests.Session:
    """A session whose GETs urllib3 retries; POSTs are left to :func:`call_with_retries`."""
    retry = Retry(
        total=policy.attempts - 1,
        allowed_methods=frozenset({"GET"}),
        status_forcelist=RETRIED_STATUSES,
        backoff_factor=policy.backoff,  # capped by urllib3 (120 s; 1.26 has no backoff_max)
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    adapter = HTTPAdapter(
        max_retries=retry, pool_connections=policy.pool_size, pool_maxsize=policy.pool_size
    )
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def send(session: requests.Session, policy: RetryPolicy, method: str, url: str, **kwargs):
    """One HTTP exchange; network failures and retryable statuses become :class:`Transient`."""
    try:
        response = session.request(method, url, timeout=policy.timeout, **kwargs)
    except requests.Timeout:
        raise Transient(f"pas de réponse en {policy.timeout:g} s") from None
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
        raise Transient(f"connexion interrompue ({type(error).__name__})") from None
    except requests.exceptions.RetryError as error:
        raise Transient(f"échecs répétés ({error})") from None
    if response.status_code in RETRIED_STATUSES:
        raise Transient(f"HTTP {response.status_code}", _retry_after(response))
    return response


def call_with_retries(
    provider: str,
    step: str,
    policy: RetryPolicy,
    action: Callable[[], T],
    check: Callable[[], T | None] | None = None,
    check_first: bool = False,
) -> T:
    """Run ``action`` until it succeeds; after a transient failure, ``check`` says whether
    the provider did it anyway (it returns the result then, None otherwise)."""
    needs_check = check_first
    last_error = None
    for attempt in range(policy.attempts):
        if attempt:
            time.sleep(policy.delay(attempt, last_error.retry_after))
        try:
            if needs_check and check is not None:
                done = check()
                if done is not None:
                    return done
            return action()
        except Transient as error:
            last_error, needs_check = error, True
    raise ProviderUnavailable(
        f"{provider} injoignable à l'étape « {step} » après {policy.attempts} essais "
        f"({last_error.reason}) ; rien n'est perdu : relancez la même commande plus tard."
    )


def _retry_after(response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
