"""Filing a dossier with the court: one channel per way in, one :class:`Filing` record out.

- :mod:`.tribunal_digital`: the upload set for the commercial courts' portal;
- :mod:`.registered_letter`: the signed request, bordereau and exhibits by registered
  letter to the registry (tribunal judiciaire, or any court filed by post);
- :mod:`.commissaire`: the dossier to a commissaire de justice by LRE, or as the ZIP;
- :mod:`.european_order`: form A and its annexes by registered letter to the court.

Each channel reads the dossier through :func:`read_dossier` (verified against its
manifest) and follows :class:`FilingChannel`. See docs/dossier.md, « Filing ».
"""

from .channel import Evidence, FiledDocument, Filing, FilingChannel, FilingError
from .commissaire import Commissaire, CommissaireChannel
from .dossier_zip import DossierUnreadable, DossierZip, read_dossier
from .european_order import EuropeanOrderChannel
from .postal import refresh, registry_party, sending_reference
from .registered_letter import RegistryLetterChannel
from .signature import signed_request, stamp_signature
from .tribunal_digital import MAX_FILE_SIZE, TribunalDigitalChannel, compress_pdf

__all__ = [
    "MAX_FILE_SIZE",
    "Commissaire",
    "CommissaireChannel",
    "DossierUnreadable",
    "DossierZip",
    "EuropeanOrderChannel",
    "Evidence",
    "FiledDocument",
    "Filing",
    "FilingChannel",
    "FilingError",
    "RegistryLetterChannel",
    "TribunalDigitalChannel",
    "compress_pdf",
    "read_dossier",
    "refresh",
    "registry_party",
    "sending_reference",
    "signed_request",
    "stamp_signature",
]
