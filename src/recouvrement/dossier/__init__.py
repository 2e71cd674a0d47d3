"""The judicial handoff: a court-ready dossier for a debtor who did not pay.

From a case (a debtor from the ledger, its invoices and reminder history, the PDFs of its
invoices and proofs), the engine proposes a route (PSRPC, injonction de payer, European
order for payment), finds the competent court, refuses what must not go to court
(time-barred claims, insolvent debtors, provisional rates, missing mentions, no mise en
demeure unless overridden), numbers the exhibits, renders the request, the décompte and
the bordereau from DOCX templates, and exports one reproducible ZIP with a manifest that
:func:`verify` checks. See docs/dossier.md.
"""

from .case import Case, CaseFlags, ExhibitFile, Signatory, case_from_dict, load_case
from .courts import Court, CourtKind, CourtTable, competent_kind
from .demo import build_demo_dossier, case_from_ledger
from .documents import MissingDossierMentions, check_dossier_mentions
from .errors import (
    CaseFileError,
    CourtFileError,
    CourtNotFound,
    DossierError,
    DossierExists,
    DossierRefused,
    UnsupportedProcedure,
)
from .exhibits import Exhibit
from .package import Dossier, build_dossier
from .procedure_choice import Procedure, ProcedureChoice, choose_procedure
from .verify import verify

__all__ = [
    "Case",
    "CaseFileError",
    "CaseFlags",
    "Court",
    "CourtFileError",
    "CourtKind",
    "CourtNotFound",
    "CourtTable",
    "Dossier",
    "DossierError",
    "DossierExists",
    "DossierRefused",
    "Exhibit",
    "ExhibitFile",
    "MissingDossierMentions",
    "Procedure",
    "ProcedureChoice",
    "Signatory",
    "UnsupportedProcedure",
    "build_demo_dossier",
    "build_dossier",
    "case_from_dict",
    "case_from_ledger",
    "check_dossier_mentions",
    "choose_procedure",
    "competent_kind",
    "load_case",
    "verify",
]
