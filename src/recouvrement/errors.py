"""Exceptions raised by the engine.

Every error names what is wrong in terms a user can act on; the command line prints the
message on one line and exits with status 2.
"""


class RecouvrementError(Exception):
    """Base class for every error the engine raises on bad input or missing data."""

    exit_status = 2  # the command line's status for bad input


class InvalidClaim(RecouvrementError):
    """The claim's data is inconsistent (negative amount, unknown regime, …)."""


class MissingRate(RecouvrementError):
    """No rate is known for a half-year the computation needs."""

    def __init__(self, series: str, half_year, hint: str = ""):
        self.series = series
        self.half_year = half_year
        message = f"no {series} rate is known for {half_year.label_en()} ({half_year})"
        super().__init__(f"{message}; {hint}" if hint else message)


class RateFileError(RecouvrementError):
    """A rate file is malformed; the message names the file and the line."""


class RateUpdateError(RecouvrementError):
    """Fetching or validating the ECB series failed; the existing rate file is untouched."""

    exit_status = 1  # the input was fine; the outside world failed
