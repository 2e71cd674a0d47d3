"""Which registered letter a debtor may be sent: paper (LRAR) or electronic (LRE).

Code des postes et des communications électroniques, art. L100 : an electronic registered
letter is worth a paper one when it is qualified (eIDAS), but « lorsque le destinataire
n'est pas un professionnel, celui-ci doit avoir exprimé à l'expéditeur son consentement
à recevoir des envois recommandés électroniques ». A professional need not agree. Without
a consumer's recorded consent the letter goes on paper, with acknowledgment of receipt.

>>> from datetime import date
>>> channel_for(is_consumer=True, lre_consent_date=None, preferred=Channel.LRE)
<Channel.LRAR: 'lrar'>
>>> channel_for(is_consumer=True, lre_consent_date=date(2026, 1, 5), preferred=Channel.LRE)
<Channel.LRE: 'lre'>
>>> channel_for(is_consumer=False, lre_consent_date=None, preferred=Channel.LRE)
<Channel.LRE: 'lre'>
"""

from __future__ import annotations

import enum
from datetime import date

from ..errors import RecouvrementError

ARTICLE = "art. L100 du code des postes et des communications électroniques"


class ConsentRequired(RecouvrementError):
    """An LRE to a recipient who is, or may be, a consumer without recorded consent."""


class Channel(str, enum.Enum):
    LRAR = "lrar"  # lettre recommandée avec avis de réception, on paper
    LRE = "lre"  # lettre recommandée électronique (qualified, eIDAS)


def lre_allowed(is_consumer: bool | None, lre_consent_date: date | None) -> bool:
    """Whether an LRE may be sent: to a professional, or to a consumer who agreed."""
    if is_consumer is None:
        return False  # unknown kind: only the paper letter is safe
    return not is_consumer or lre_consent_date is not None


def channel_for(
    is_consumer: bool | None, lre_consent_date: date | None, preferred: Channel
) -> Channel:
    """The channel to use: the preferred one, unless an LRE is not allowed (then LRAR)."""
    if preferred is Channel.LRE and not lre_allowed(is_consumer, lre_consent_date):
        return Channel.LRAR
    return preferred


def check_lre_allowed(name: str, is_consumer: bool | None, lre_consent_date: date | None):
    """Raise :class:`ConsentRequired` unless an LRE may be sent to this recipient."""
    if is_consumer is None:
        raise ConsentRequired(
            f"Destinataire « {name} » : précisez « kind » (consumer ou professional) ; "
            f"une LRE à un consommateur exige son consentement ({ARTICLE})."
        )
    if not lre_allowed(is_consumer, lre_consent_date):
        raise ConsentRequired(
            f"Destinataire « {name} » : consommateur sans consentement enregistré à la LRE "
            f"({ARTICLE}) ; envoyez la lettre en recommandé papier (LRAR)."
        )
