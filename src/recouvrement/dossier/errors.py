"""What can stop a dossier: bad case files, unknown courts, guards, unsupported routes.

Every error derives from :class:`recouvrement.errors.RecouvrementError`, so the command
line prints it on one line and exits with status 2.
"""

from __future__ import annotations

from ..errors import RecouvrementError


class DossierError(RecouvrementError):
    """Base class of the dossier's errors."""


class CaseFileError(DossierError):
    """The case file is unreadable or inconsistent; the message names the file and the key."""


class CourtFileError(DossierError):
    """A court list is malformed; the message names the file and the line."""


class CourtNotFound(DossierError):
    """No court of the list matches the debtor's address; the message says what to add where."""


class UnsupportedProcedure(DossierError):
    """The claim cannot go the requested way (public buyer, PSRPC above 5 000 €, …)."""


class DossierRefused(DossierError):
    """A guard refuses the dossier: time-barred claim, insolvency, provisional rates, …

    ``problems`` lists ``(guard, message)`` pairs, every refusal at once; ``guards`` the
    codes alone. The message names the ones an override may lift.
    """

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = list(problems)
        self.guards = [guard for guard, _ in self.problems]
        count = len(self.problems)
        noun = "motif" if count == 1 else "motifs"
        super().__init__(
            f"le dossier est refusé ({count} {noun}) : "
            + " ; ".join(f"[{guard}] {message}" for guard, message in self.problems)
        )
        self.code = "dossier_refused"
        self.params = {"guards": self.guards}


class DossierExists(DossierError):
    """The output file already holds another dossier: an export is never modified."""


class TimelineError(DossierError):
    """The case's events contradict each other or the law; the message names the problem."""


class CaseEventsFileError(DossierError):
    """A case events file is unreadable or malformed; the message names the file and the key."""
