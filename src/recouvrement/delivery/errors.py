"""The errors of the registered-letter layer, each with a French message a user can act on.

:class:`ProviderRejected` carries the provider's own ``code`` and ``message`` so that the
addon can show them and store them; :class:`ProviderUnavailable` means the retries were
spent on timeouts, server errors or rate limits: nothing was lost, the same call later
resumes where it stopped.
"""

from __future__ import annotations

from ..errors import RecouvrementError
from ..law.registered_letter import ConsentRequired  # noqa: F401 (the CPCE L100 rule raises it)


class DeliveryError(RecouvrementError):
    """Base class of the registered-letter errors."""


class DeliveryInputError(DeliveryError):
    """The letter, the recipient or the configuration is wrong (exit status 2)."""


class ConfigurationError(DeliveryInputError):
    """The provider configuration lacks a key or has a wrong one."""


class ProviderRejected(DeliveryError):
    """The provider answered with a 4xx: the request itself is wrong and is not retried.

    ``code`` is the engine's stable code, as for every error; the provider's own code and
    message are ``provider_code`` and ``provider_message`` (also in ``params``).
    """

    code = "provider_rejected"

    def __init__(self, provider: str, step: str, status: int, code: str, message: str):
        super().__init__(
            f"{provider} a refusé l'étape « {step} » (HTTP {status}) : {code} — {message}"
        )
        self.provider = provider
        self.step = step
        self.status = status
        self.provider_code = code
        self.provider_message = message
        self.params = {
            "provider": provider,
            "step": step,
            "status": status,
            "provider_code": code,
            "provider_message": message,
        }


class ProviderUnavailable(DeliveryError):
    """The provider could not be reached or kept failing; retry later, nothing is lost."""

    code = "provider_unavailable"

    exit_status = 1  # the input was fine; the outside world failed


class UnknownSending(DeliveryInputError):
    """No sending is known under this reference."""
