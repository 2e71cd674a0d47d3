"""Exceptions raised by the engine.

Every error names what is wrong in terms a user can act on, in French; the command line
prints the message on one line and exits with status 2. An error built from a
:class:`recouvrement.messages.Message` carries its ``code`` and ``params`` too, for the
JSON output and the Odoo addon.
"""


class RecouvrementError(Exception):
    """Base class for every error the engine raises on bad input or missing data."""

    exit_status = 2  # the command line's status for bad input
    code = "error"

    def __init__(self, message="", *args):
        super().__init__(message, *args)
        self.code = getattr(message, "code", type(self).code)
        self.params = dict(getattr(message, "params", {}))

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class InvalidClaim(RecouvrementError):
    """The claim's data is inconsistent (negative amount, unknown regime, …)."""

    code = "invalid_claim"


class MissingRate(RecouvrementError):
    """No rate is known for a half-year the computation needs; the message says what to do."""

    code = "missing_rate"

    def __init__(self, message, series: str, half_year):
        super().__init__(message)
        self.series = series
        self.half_year = half_year


class RateFileError(RecouvrementError):
    """A rate file is malformed or missing; the message names the file and the line."""

    code = "rate_file"


class RateUpdateError(RecouvrementError):
    """Fetching or validating the ECB series failed; the existing rate file is untouched."""

    exit_status = 1  # the input was fine; the outside world failed
    code = "rate_update"
