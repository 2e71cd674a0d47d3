"""Which court route the engine proposes once the amicable phase has failed.

- A debtor whose address is in another EU Member State: the European order for payment
  (Regulation (EC) No 1896/2006), which every Member State but Denmark applies (art. 2(3)).
- Otherwise, a claim of at most 5 000 € in principal and interest, against a debtor who
  can be reached at a known address: the PSRPC, procédure simplifiée de recouvrement des
  petites créances (CPCE L125-1, R125-1): a commissaire de justice asks the debtor to
  agree; an agreement is an enforceable title, a refusal still leaves the injonction.
- Anything else: the injonction de payer (CPC 1405 to 1425).

The proposal is advice with its reasons in French; a case may ask for another route, which
:func:`check_requested` accepts or refuses.

>>> from decimal import Decimal
>>> paris = Address("1 rue de Rivoli", "75001", "Paris")
>>> choose_procedure(Decimal("3200"), paris).procedure.value
'psrpc'
>>> choose_procedure(Decimal("9077.40"), paris).procedure.value
'injonction_de_payer'
>>> brussels = Address("Rue Neuve 1", "1000", "Bruxelles", country="Belgique")
>>> choose_procedure(Decimal("3200"), brussels).procedure.value
'injonction_europeenne'
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from ..documents.filters import euros
from ..law.procedure import PSRPC_LIMIT, psrpc_eligible
from ..ledger import Address
from ..messages import Message
from .errors import UnsupportedProcedure


class Procedure(str, Enum):
    PSRPC = "psrpc"
    INJONCTION = "injonction_de_payer"
    EUROPEAN = "injonction_europeenne"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, value: str) -> Procedure:
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            known = ", ".join(item.value for item in cls)
            raise UnsupportedProcedure(
                Message.build(
                    "unknown_procedure",
                    "procédure « {value} » inconnue : utilisez {known}",
                    value=value,
                    known=known,
                )
            ) from None


_LABELS = {
    Procedure.PSRPC: "procédure simplifiée de recouvrement des petites créances",
    Procedure.INJONCTION: "injonction de payer",
    Procedure.EUROPEAN: "injonction de payer européenne",
}

# ISO 3166-1 alpha-2 codes of the EU Member States, and the names a ledger may use.
EU_COUNTRIES = {
    "AT": ("autriche", "austria", "osterreich"),
    "BE": ("belgique", "belgium", "belgie"),
    "BG": ("bulgarie", "bulgaria"),
    "CY": ("chypre", "cyprus"),
    "CZ": ("republique tcheque", "tchequie", "czech republic", "czechia"),
    "DE": ("allemagne", "germany", "deutschland"),
    "DK": ("danemark", "denmark"),
    "EE": ("estonie", "estonia"),
    "ES": ("espagne", "spain", "espana"),
    "FI": ("finlande", "finland"),
    "FR": (
        "france",
        "fra",
        "guadeloupe",
        "martinique",
        "guyane",
        "la reunion",
        "reunion",
        "mayotte",
    ),
    "GR": ("grece", "greece"),
    "HR": ("croatie", "croatia"),
    "HU": ("hongrie", "hungary"),
    "IE": ("irlande", "ireland"),
    "IT": ("italie", "italy", "italia"),
    "LT": ("lituanie", "lithuania"),
    "LU": ("luxembourg",),
    "LV": ("lettonie", "latvia"),
    "MT": ("malte", "malta"),
    "NL": ("pays bas", "netherlands", "nederland"),
    "PL": ("pologne", "poland", "polska"),
    "PT": ("portugal",),
    "RO": ("roumanie", "romania"),
    "SE": ("suede", "sweden", "sverige"),
    "SI": ("slovenie", "slovenia"),
    "SK": ("slovaquie", "slovakia"),
}
NOT_BOUND_BY_1896_2006 = frozenset({"DK"})  # Regulation 1896/2006, art. 2(3)


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.replace("-", " ").casefold().split())


def country_code(country: str) -> str | None:
    """The ISO code of an EU Member State named in an address, ``None`` outside the EU.

    >>> country_code("France"), country_code(""), country_code("Pays-Bas"), country_code("DE")
    ('FR', 'FR', 'NL', 'DE')
    >>> country_code("Suisse") is None
    True
    """
    plain = _plain(country or "France")
    for code, names in EU_COUNTRIES.items():
        if plain == code.casefold() or plain in names:
            return code
    return None


@dataclass(frozen=True)
class ProcedureChoice:
    """The proposed route, why (in French, for the user and the manifest), and the country."""

    procedure: Procedure
    explanation: str
    country: str  # ISO code of the debtor's country


def reachable(address: Address) -> bool:
    """Whether the debtor has a postal address a commissaire de justice can use."""
    return all(str(part or "").strip() for part in (address.street, address.zip, address.city))


def choose_procedure(principal_and_interest: Decimal, address: Address) -> ProcedureChoice:
    """The route the engine proposes for a claim of ``principal_and_interest``."""
    code = country_code(address.country)
    amount = euros(principal_and_interest)
    if code is None:
        raise UnsupportedProcedure(
            Message.build(
                "country_outside_eu",
                "le pays du débiteur, « {country} », n'est pas un État membre de l'UE connu du "
                "moteur : aucune injonction de payer, française ou européenne, n'est proposée ; "
                "consultez un avocat (ou écrivez le pays en français, en anglais ou en code ISO)",
                country=address.country,
            )
        )
    if code in NOT_BOUND_BY_1896_2006:
        raise UnsupportedProcedure(
            Message.build(
                "country_denmark",
                "le débiteur est au Danemark, qui n'applique pas l'injonction de payer européenne "
                "(règlement (CE) n° 1896/2006, art. 2.3) : la créance relève des juridictions "
                "danoises",
            )
        )
    if code != "FR":
        return ProcedureChoice(
            Procedure.EUROPEAN,
            f"Injonction de payer européenne (règlement (CE) n° 1896/2006) : le débiteur est "
            f"établi dans un autre État membre ({address.country}). La demande se fait sur le "
            "formulaire A du règlement, devant la juridiction compétente selon le règlement "
            "(UE) n° 1215/2012 ; le présent dossier en réunit le décompte et les pièces.",
            code,
        )
    if psrpc_eligible(principal_and_interest) and reachable(address):
        return ProcedureChoice(
            Procedure.PSRPC,
            f"Procédure simplifiée de recouvrement des petites créances (articles L125-1 et "
            f"R125-1 et suivants du code des procédures civiles d'exécution) : la créance, "
            f"{amount} en principal et intérêts, ne dépasse pas {euros(PSRPC_LIMIT)} et le "
            "débiteur a une adresse connue. Un commissaire de justice du ressort de la cour "
            "d'appel du débiteur l'invite à accepter un accord ; à défaut d'accord dans le "
            "mois, l'injonction de payer reste ouverte.",
            code,
        )
    reason = (
        f"la créance, {amount} en principal et intérêts, dépasse le plafond de "
        f"{euros(PSRPC_LIMIT)} de la procédure simplifiée"
        if not psrpc_eligible(principal_and_interest)
        else "le débiteur n'a pas d'adresse complète connue pour la procédure simplifiée"
    )
    return ProcedureChoice(
        Procedure.INJONCTION,
        f"Injonction de payer (articles 1405 à 1425 du code de procédure civile) : {reason}. "
        "La créance a une cause contractuelle et un montant déterminé ; la requête est "
        "présentée au juge du domicile ou du siège du débiteur (article 1406).",
        code,
    )


def check_requested(
    requested: Procedure,
    proposal: ProcedureChoice,
    principal_and_interest: Decimal,
    *,
    court_given: bool,
) -> None:
    """Refuse a route the claim cannot take; any other choice of the user is accepted."""
    if requested is Procedure.PSRPC and not psrpc_eligible(principal_and_interest):
        raise UnsupportedProcedure(
            Message.build(
                "psrpc_limit",
                "la procédure simplifiée est limitée à {limit} en principal et intérêts "
                "(art. R125-1 CPCE) ; cette créance est de {amount}",
                limit=euros(PSRPC_LIMIT),
                amount=euros(principal_and_interest),
            )
        )
    abroad = proposal.country != "FR"
    french_route_without_court = requested is Procedure.PSRPC or (
        requested is Procedure.INJONCTION and not court_given
    )
    if abroad and french_route_without_court:
        raise UnsupportedProcedure(
            Message.build(
                "no_french_court",
                "le débiteur est établi dans un autre État membre ({country}) : l'article 1406 "
                "CPC ne désigne aucun tribunal français ; utilisez l'injonction de payer "
                "européenne, ou nommez le tribunal compétent dans le dossier (« court »)",
                country=proposal.country,
            )
        )
    if requested is Procedure.EUROPEAN and proposal.country == "FR":
        raise UnsupportedProcedure(
            Message.build(
                "european_order_in_france",
                "l'injonction de payer européenne est réservée aux litiges transfrontaliers "
                "(règlement (CE) n° 1896/2006, art. 3) : le débiteur est en France",
            )
        )
