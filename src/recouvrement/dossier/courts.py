"""The competent court for an injonction de payer: CPC 1406, and an editable court list.

- CPC 1406: the request goes to the court of the place where the debtor (or one of the
  debtors) lives, or has its registered office. The rule is mandatory: a clause choosing
  another court is void here.
- Which court: the tribunal de commerce for a commercial claim between traders (C. com.
  L721-3; twelve of them are *tribunaux des activités économiques* since 1 January 2025,
  loi n° 2023-1059 du 20 novembre 2023, art. 26: Paris, Auxerre, Nanterre, Versailles,
  Marseille, Lyon, Limoges, Avignon, Nancy, Le Havre, Le Mans, Saint-Brieuc); the juge des
  contentieux de la protection for consumer credit and housing leases (COJ L213-4-3 and
  L213-4-4); the tribunal judiciaire for any other civil or consumer claim.

The French judicial map is data, not code, and the engine does not ship all of it:
``data/courts.csv`` holds a sourced subset (the départements of the demo ledger and the
large cities), one row per match, and a user court file with the same columns adds or
overrides rows, as the rate tables do (``$RECOUVREMENT_COURTS``, else
``~/.config/recouvrement/courts.csv``). A row matches a full postal code, a commune
(département and name), or a whole département; the most specific match wins. When
nothing matches, :class:`CourtNotFound` names the postal code and the file to edit: the
engine never guesses a court.

>>> table = CourtTable.load(user_file=None)
>>> lyon = Address("44 rue de la République", "69002", "Lyon")
>>> table.find(CourtKind.COMMERCE, lyon).name
'Tribunal des activités économiques de Lyon'
>>> table.find(CourtKind.JUDICIAIRE, Address("1 rue de Rivoli", "75001", "Paris")).name
'Tribunal judiciaire de Paris'
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum
from importlib import resources
from pathlib import Path

from ..kinds import Regime
from ..ledger import Address, Party
from ..messages import Message
from .errors import CaseFileError, CourtFileError, CourtNotFound, UnsupportedProcedure

COLUMNS = [
    "kind",
    "departement",
    "postal_code",
    "commune",
    "court",
    "street",
    "zip",
    "city",
    "source",
]
SHIPPED = "dossier/data/courts.csv"


class CourtKind(str, Enum):
    """Which judge an injonction de payer goes to."""

    COMMERCE = "commerce"  # président du tribunal de commerce (or des activités économiques)
    JUDICIAIRE = "judiciaire"  # juge du tribunal judiciaire
    PROTECTION = "protection"  # juge des contentieux de la protection

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @property
    def form(self) -> str:
        """The Cerfa form whose content the request mirrors."""
        return _FORMS[self]


_KIND_LABELS = {
    CourtKind.COMMERCE: "tribunal de commerce",
    CourtKind.JUDICIAIRE: "tribunal judiciaire",
    CourtKind.PROTECTION: "juge des contentieux de la protection",
}
_FORMS = {
    CourtKind.COMMERCE: "cerfa 12946",
    CourtKind.JUDICIAIRE: "cerfa 12948",
    CourtKind.PROTECTION: "cerfa 16040",
}


@dataclass(frozen=True)
class Court:
    """A court, where to write to it, and how the engine found it."""

    kind: CourtKind
    name: str
    street: str = ""
    zip: str = ""
    city: str = ""
    source: str = ""
    matched: str = ""  # "postal code 69002", "commune Wissous (91)", "département 91", …

    @property
    def addressee(self) -> str:
        """Whom the request is addressed to.

        >>> Court(CourtKind.COMMERCE, "Tribunal de commerce d'Évry").addressee
        "Madame, Monsieur le Président du Tribunal de commerce d'Évry"
        """
        if self.kind is CourtKind.COMMERCE:
            return f"Madame, Monsieur le Président du {self.name}"
        if self.kind is CourtKind.PROTECTION:
            return f"Madame, Monsieur le juge des contentieux de la protection, {self.name}"
        return f"Madame, Monsieur le juge du {self.name}"

    @property
    def verified(self) -> bool:
        """Whether the court's address is complete and its source does not say it is unchecked.

        >>> Court(CourtKind.COMMERCE, "TC", "1 rue A", "91000", "Évry", "checked").verified
        True
        >>> Court(CourtKind.COMMERCE, "TAE", source="address not verified").verified
        False
        """
        complete = bool(self.street and self.zip and self.city)
        return complete and "not verified" not in self.source

    @property
    def address_line(self) -> str:
        town = " ".join(part for part in (self.zip, self.city) if part)
        return ", ".join(part for part in (self.street, town) if part)


@dataclass(frozen=True)
class CourtRow:
    kind: CourtKind
    departement: str
    postal_code: str
    commune: str
    court: Court
    origin: str  # file and line, for messages

    @property
    def level(self) -> str:
        if self.postal_code:
            return "postal_code"
        if self.commune:
            return "commune"
        return "departement"

    @property
    def key(self) -> tuple[CourtKind, str, str]:
        match = {
            "postal_code": self.postal_code,
            "commune": f"{self.departement}:{commune_key(self.commune)}",
            "departement": self.departement,
        }[self.level]
        return (self.kind, self.level, match)


def default_user_court_file() -> Path:
    """``$RECOUVREMENT_COURTS``, else ``$XDG_CONFIG_HOME/recouvrement/courts.csv``."""
    if os.environ.get("RECOUVREMENT_COURTS"):
        return Path(os.environ["RECOUVREMENT_COURTS"])
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config) / "recouvrement" / "courts.csv"


def departement(postal_code: str) -> str:
    """The département of a French postal code (Corsica: 2A or 2B; overseas: 3 digits).

    >>> departement("69002"), departement("20090"), departement("20200"), departement("97110")
    ('69', '2A', '2B', '971')
    >>> departement("6900")
    Traceback (most recent call last):
    ...
    ValueError: « 6900 » n'est pas un code postal français (5 chiffres)
    """
    code = str(postal_code).strip().replace(" ", "")
    if not re.fullmatch(r"\d{5}", code):
        raise ValueError(f"« {postal_code} » n'est pas un code postal français (5 chiffres)")
    if code.startswith("20"):
        return "2A" if code[:3] in ("200", "201") else "2B"
    if code.startswith(("97", "98")):
        return code[:3]
    return code[:2]


def commune_key(name: str) -> str:
    """A commune's name as the list compares it: no accents, case, hyphens, Cedex, district.

    >>> commune_key("Saint-Étienne"), commune_key("St-Brieuc")
    ('saint etienne', 'saint brieuc')
    >>> commune_key("LYON 3E ARRONDISSEMENT"), commune_key("Paris La Défense Cedex 04")
    ('lyon', 'paris la defense')
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = re.sub(r"[-'’.,]", " ", text.casefold())
    text = re.sub(r"\bcedex\b.*$", "", text)
    text = re.sub(r"\s\d+\s*(er|e|eme)?(\s+arrondissement)?\s*$", "", text)
    words = text.split()
    words = [{"st": "saint", "ste": "sainte"}.get(word, word) for word in words]
    return " ".join(words)


_DEPARTEMENT = re.compile(r"\d{2}|2A|2B|97\d|98\d")


class CourtTable:
    """Court rows by kind and match; a later row with the same match replaces an earlier one."""

    def __init__(self, rows: Iterable[CourtRow], user_file: Path | None = None):
        self._rows = {row.key: row for row in rows}
        self.user_file = user_file

    @classmethod
    def load(cls, user_file: Path | None = None, extra_files: Iterable[Path] = ()) -> CourtTable:
        """The shipped rows, then ``user_file`` (when it exists), then ``extra_files``."""
        shipped = resources.files("recouvrement").joinpath(SHIPPED)
        rows = read_court_rows(shipped.read_text(encoding="utf-8"), "shipped courts.csv")
        if user_file is not None and Path(user_file).exists():
            rows += read_court_rows(Path(user_file).read_text(encoding="utf-8"), str(user_file))
        rows += _read_files(extra_files)
        return cls(rows, Path(user_file) if user_file is not None else None)

    def with_files(self, extra_files: Iterable[Path]) -> CourtTable:
        """This table with the rows of ``extra_files`` added on top."""
        extra = list(extra_files)
        user_file = Path(extra[-1]) if extra else self.user_file
        return CourtTable([*self.rows(), *_read_files(extra)], user_file)

    def rows(self) -> list[CourtRow]:
        return list(self._rows.values())

    def find(self, kind: CourtKind, address: Address) -> Court:
        """The court of ``kind`` for ``address``: postal code, then commune, then département."""
        try:
            dep = departement(address.zip)
        except ValueError as error:
            raise CourtNotFound(
                Message.build(
                    "court_address",
                    "aucun {kind} ne peut être choisi pour {zip} {city} : {error}",
                    kind=kind.label,
                    zip=address.zip,
                    city=address.city,
                    error=error,
                )
            ) from None
        code = address.zip.strip().replace(" ", "")
        candidates = (
            ("postal_code", code, f"code postal {code}"),
            ("commune", f"{dep}:{commune_key(address.city)}", f"commune {address.city} ({dep})"),
            ("departement", dep, f"département {dep}"),
        )
        for level, match, how in candidates:
            row = self._rows.get((kind, level, match))
            if row is not None:
                return replace(row.court, matched=f"{how}, {row.origin}")
        where = f"votre liste {self.user_file}" if self.user_file else "une liste des tribunaux"
        raise CourtNotFound(
            Message.build(
                "court_not_found",
                "aucun {kind} n'est connu pour le code postal {postal_code} ({city}, département "
                "{dep}) : ajoutez une ligne à {where} (kind={value}, postal_code={postal_code}, "
                "court=…, source=…) ou nommez le tribunal dans le dossier ; la liste fournie "
                "({shipped}) ne couvre que certains départements",
                kind=kind.label,
                postal_code=code,
                city=address.city,
                dep=dep,
                where=where,
                value=kind.value,
                shipped=f"recouvrement/{SHIPPED}",
            )
        )


def _read_files(paths: Iterable[Path]) -> list[CourtRow]:
    rows: list[CourtRow] = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise CourtFileError(
                Message.build(
                    "court_file_unreadable",
                    "{path} : impossible de lire la liste des tribunaux : {error}",
                    path=path,
                    error=error,
                )
            ) from None
        rows += read_court_rows(text, str(path))
    return rows


def read_court_rows(text: str, origin: str) -> list[CourtRow]:
    """Parse a court file, naming ``origin`` and the line in any error."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != COLUMNS:
        raise CourtFileError(
            Message.build(
                "court_file_header",
                "{origin} : l'en-tête doit être {header}",
                origin=origin,
                header=",".join(COLUMNS),
            )
        )
    rows: list[CourtRow] = []
    seen: dict[tuple, str] = {}
    for record in reader:
        where = f"{origin}, ligne {reader.line_num}"
        row = _parse_row(record, where)
        if row.key in seen:
            raise _row_error(
                "court_file_duplicate",
                "{where} : même critère que {first}",
                where,
                first=seen[row.key],
            )
        seen[row.key] = where
        rows.append(row)
    return rows


def _parse_row(record: dict, where: str) -> CourtRow:
    values = {key: (record.get(key) or "").strip() for key in COLUMNS}
    try:
        kind = CourtKind(values["kind"])
    except ValueError:
        known = ", ".join(kind.value for kind in CourtKind)
        raise _row_error(
            "court_file_kind",
            "{where} : type de tribunal « {kind} » inconnu (utilisez {known})",
            where,
            kind=values["kind"],
            known=known,
        ) from None
    dep, code, commune = values["departement"].upper(), values["postal_code"], values["commune"]
    if code:
        try:
            code_dep = departement(code)
        except ValueError as error:
            raise _row_error(
                "court_file_postal_code", "{where} : {error}", where, error=error
            ) from None
        if dep and dep != code_dep:
            raise _row_error(
                "court_file_departement_mismatch",
                "{where} : le code postal {postal_code} n'est pas dans le département {dep}",
                where,
                postal_code=code,
                dep=dep,
            )
        if commune:
            raise _row_error(
                "court_file_both",
                "{where} : indiquez un code postal ou une commune, pas les deux",
                where,
            )
        dep = code_dep
    elif not dep:
        raise _row_error(
            "court_file_no_match",
            "{where} : indiquez un code postal, ou un département (et une commune)",
            where,
        )
    if not _DEPARTEMENT.fullmatch(dep):
        raise _row_error(
            "court_file_departement",
            "{where} : « {dep} » n'est pas un département (69, 2A, 971, …)",
            where,
            dep=dep,
        )
    if not values["court"]:
        raise _row_error("court_file_no_court", "{where} : le nom du tribunal manque", where)
    court = Court(
        kind, values["court"], values["street"], values["zip"], values["city"], values["source"]
    )
    return CourtRow(kind, dep, code, commune, court, where)


def _row_error(code: str, template: str, where: str, **params) -> CourtFileError:
    """A court file's row refused: the file and the line (``where``), then the problem."""
    return CourtFileError(Message.build(code, template, where=where, **params))


# Legal forms that make a company a trader (C. com. L210-1: commercial by their form), and
# forms that are civil. Anything else (EI, SEL…, a person) is asked, never guessed.
COMMERCIAL_FORMS = frozenset(
    {"SA", "SAS", "SASU", "SARL", "SARLU", "EURL", "SNC", "SCS", "SCA", "SE"}
)
CIVIL_FORMS = frozenset(
    {"SCI", "SCP", "SCM", "SCEA", "GAEC", "EARL", "GFA", "ASSOCIATION", "FONDATION", "SDC"}
)


def legal_form_code(legal_form: str) -> str:
    """The first word of a legal form, upper case, without dots.

    >>> legal_form_code("S.A.S. au capital de 10 000 €"), legal_form_code("association loi 1901")
    ('SAS', 'ASSOCIATION')
    """
    words = str(legal_form or "").replace(".", "").upper().split()
    return words[0] if words else ""


def is_trader(party: Party, declared: bool | None = None) -> bool:
    """Whether a business debtor is a trader (commerçant), from the case's flag or its form."""
    if declared is not None:
        return declared
    code = legal_form_code(party.legal_form) if party.is_company else ""
    if code in COMMERCIAL_FORMS:
        return True
    if code in CIVIL_FORMS:
        return False
    what = f"forme juridique « {party.legal_form} »" if party.legal_form else "sans forme juridique"
    raise CaseFileError(
        Message.build(
            "debtor_trader_unknown",
            "impossible de savoir si le débiteur {debtor} ({what}) est commerçant : indiquez "
            '"flags": {{"debtor_is_trader": true}} (tribunal de commerce) ou false (tribunal '
            "judiciaire) dans le dossier",
            debtor=party.name,
            what=what,
        )
    )


def competent_kind(
    regime: Regime,
    debtor: Party,
    *,
    debtor_is_trader: bool | None = None,
    consumer_credit: bool = False,
    housing_lease: bool = False,
) -> CourtKind:
    """Which judge hears the request, from the claim's regime, the debtor and the case flags.

    >>> girard = Party("Transports Girard", Address("4 rue Henri Farman", "91320", "Wissous"),
    ...                legal_form="SAS")
    >>> competent_kind(Regime.B2B, girard).value
    'commerce'
    >>> competent_kind(Regime.B2C, girard, housing_lease=True).value
    'protection'
    """
    if regime is Regime.PUBLIC:
        raise UnsupportedProcedure(
            Message.build(
                "public_buyer",
                "une créance sur un acheteur public ne va pas en injonction de payer : "
                "demandez un référé-provision au tribunal administratif (art. R541-1 CJA)",
            )
        )
    if consumer_credit or housing_lease:
        return CourtKind.PROTECTION
    if regime is Regime.B2C:
        return CourtKind.JUDICIAIRE
    return CourtKind.COMMERCE if is_trader(debtor, debtor_is_trader) else CourtKind.JUDICIAIRE
