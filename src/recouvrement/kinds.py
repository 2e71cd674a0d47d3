"""The kinds of claims and creditors that French law treats differently."""

from __future__ import annotations

from enum import Enum

from .errors import InvalidClaim
from .messages import Message


class Regime(str, Enum):
    """Who owes: a business (B2B), a consumer (B2C) or a public buyer (public)."""

    B2B = "b2b"
    B2C = "b2c"
    PUBLIC = "public"

    @classmethod
    def parse(cls, value: str) -> Regime:
        try:
            return cls(value.lower())
        except ValueError:
            raise _unknown("unknown_regime", "régime", value, cls) from None


class CreditorKind(str, Enum):
    """L313-2 C. mon. fin.: the legal interest rate depends on who the creditor is."""

    COMPANY = "company"  # "all other cases"
    INDIVIDUAL = "individual"  # a private person not acting for professional needs

    @classmethod
    def parse(cls, value: str) -> CreditorKind:
        try:
            return cls(value.lower())
        except ValueError:
            raise _unknown("unknown_creditor", "type de créancier", value, cls) from None


def _unknown(code: str, what: str, value: str, kinds) -> InvalidClaim:
    return InvalidClaim(
        Message.build(
            code,
            "{what} inconnu {value} : choisissez parmi {known}",
            what=what,
            value=repr(value),
            known=[kind.value for kind in kinds],
        )
    )
