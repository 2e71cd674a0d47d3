"""Local stand-ins for the registered-letter providers, to try and test without an account.

``recouvrement standin maileva --port 8765`` (or ``ar24``) serves one on 127.0.0.1 and
prints the CONFIG.json that points the product at it.
"""

from __future__ import annotations

from .ar24 import Ar24Standin
from .common import FaultPlan, FaultRule, StandinServer, proof_pdf
from .maileva import MailevaStandin

STANDINS = {"maileva": MailevaStandin, "ar24": Ar24Standin}


def start_standin(
    provider: str, port: int = 0, fail_rate: float = 0.0, seed=None, **options
) -> StandinServer:
    """Start the stand-in of ``provider`` in background threads; ``stop()`` ends it."""
    server = STANDINS[provider](port, **options)
    server.faults = FaultPlan(random_rate=fail_rate, seed=seed)
    return server.start()
