"""Messages for users: French text, with a stable code and its parameters beside it.

The engine's warnings and errors read in French on the command line and in documents;
the JSON output and the Odoo addon also get the code and the parameters, so that they can
show or translate a message without parsing its text. A :class:`Message` is a ``str``
(its French text), so it prints, joins and compares like one.

>>> message = Message.build(
...     "prescription_soon", "facture {invoice} : prescrite le {day}",
...     invoice="F1", day=date(2026, 5, 1),
... )
>>> str(message)
'facture F1 : prescrite le 1er mai 2026'
>>> message.code, message.params
('prescription_soon', {'invoice': 'F1', 'day': '2026-05-01'})
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel import Locale
from babel.numbers import format_decimal

from .documents.filters import date_fr

FRENCH_LOCALE = Locale.parse("fr_FR")  # parsed once: formatting a number parses it else


class Message(str):
    """French text for a user, carrying ``code`` and ``params`` (plain JSON values)."""

    code: str
    params: dict

    def __new__(cls, code: str, text: str, params: dict | None = None):
        message = super().__new__(cls, text)
        message.code = code
        message.params = dict(params or {})
        return message

    @classmethod
    def build(cls, code: str, template: str, **params) -> Message:
        """Fill ``template`` with the parameters written the French way."""
        text = template.format(**{name: french(value) for name, value in params.items()})
        return cls(code, text, {name: plain(value) for name, value in params.items()})

    def to_dict(self) -> dict:
        return {"code": self.code, "params": dict(self.params), "text": str(self)}

    def __reduce__(self):  # keeps code and params through copy and pickle
        return (Message, (self.code, str(self), self.params))


def french(value) -> str:
    """A parameter as a French reader expects it: "1er mai 2026", "7,86", "F1, F2"."""
    if isinstance(value, date):
        return date_fr(value)
    if isinstance(value, Decimal):
        return format_decimal(value, format="#,##0.00##", locale=FRENCH_LOCALE)
    if hasattr(value, "label_fr"):
        return value.label_fr()
    if isinstance(value, (list, tuple)):
        return ", ".join(french(item) for item in value)
    return str(value)


def plain(value):
    """A parameter as JSON: ISO dates, decimal strings, lists."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, (bool, int)):
        return value
    return str(value)


def message_dict(message: str) -> dict:
    """Any message as JSON; a plain string gets the generic code ``message``."""
    if isinstance(message, Message):
        return message.to_dict()
    return {"code": "message", "params": {}, "text": str(message)}
