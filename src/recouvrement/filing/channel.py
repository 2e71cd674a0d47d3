"""The filing channels' interface: a built dossier in, a :class:`Filing` record out.

A channel takes a dossier ZIP (read and verified by :func:`.dossier_zip.read_dossier`)
and files it: it writes the upload set of a portal, or sends the documents by registered
letter, and returns what happened as a :class:`Filing`: the channel, the court (or the
commissaire de justice), the date, the reference the court or the provider gives, the
sending id, every document filed with its SHA-256, and the evidence of the filing (the
provider's proofs, once they come back).

The interface is one method, ``file(dossier, day) -> Filing``, so that a machine channel
can be added as one more module: Infogreffe announced in May 2026 a bulk filing API for
collection professionals (french-law.md §5), whose specification is not public yet; it
will be a channel that uploads the same documents as :mod:`.tribunal_digital` and fills
``reference`` from the portal's answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from ..errors import RecouvrementError
from ..messages import Message
from .dossier_zip import DossierZip


class FilingError(RecouvrementError):
    """The dossier cannot be filed through this channel as given; the message says why."""

    code = "filing_error"


@dataclass(frozen=True)
class FiledDocument:
    """One document as it was filed: its name, what it is, and its SHA-256."""

    name: str
    role: str  # request, bordereau, exhibit, cover_letter, merged, checklist, dossier_zip, …
    sha256: str
    size: int
    title: str = ""
    exhibit: int | None = None
    path: str | None = None  # where the channel wrote it, when it wrote files

    @classmethod
    def of(cls, name: str, role: str, data: bytes, **details) -> FiledDocument:
        return cls(name, role, hashlib.sha256(data).hexdigest(), len(data), **details)

    def to_dict(self) -> dict:
        data = {
            "name": self.name,
            "role": self.role,
            "title": self.title,
            "sha256": self.sha256,
            "size": self.size,
        }
        if self.exhibit is not None:
            data["exhibit"] = self.exhibit
        if self.path is not None:
            data["path"] = self.path
        return data


@dataclass(frozen=True)
class Evidence:
    """A proof of the filing: the deposit proof, the acknowledgment of receipt, …"""

    kind: str
    filename: str
    sha256: str
    size: int
    at: str | None = None  # ISO date or datetime the proof attests
    content: bytes = field(default=b"", repr=False)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "filename": self.filename,
            "sha256": self.sha256,
            "size": self.size,
            "date": self.at,
        }


@dataclass(frozen=True)
class Filing:
    """What a channel did with a dossier."""

    channel: str
    dossier_reference: str
    court: str  # the court, or the commissaire de justice, the dossier went to
    day: date
    documents: tuple[FiledDocument, ...]
    recipient_address: str = ""
    reference: str | None = None  # the portal's reference, or the registered number
    sending_id: str | None = None  # the provider's sending id
    sending_reference: str | None = None  # our reference of the sending at the provider
    provider: str | None = None
    state: str = "prepared"  # prepared (a set to upload), sent, or the letter's state
    evidence: tuple[Evidence, ...] = ()
    messages: tuple[Message, ...] = ()

    def to_dict(self) -> dict:
        return {
            "channel": self.channel,
            "dossier": self.dossier_reference,
            "court": self.court,
            "recipient_address": self.recipient_address,
            "date": self.day.isoformat(),
            "reference": self.reference,
            "provider": self.provider,
            "sending_reference": self.sending_reference,
            "sending_id": self.sending_id,
            "state": self.state,
            "documents": [document.to_dict() for document in self.documents],
            "evidence": [proof.to_dict() for proof in self.evidence],
            "messages": [message.to_dict() for message in self.messages],
        }


class FilingChannel(Protocol):
    """One way to file a dossier with a court or a commissaire de justice."""

    name: str

    def file(self, dossier: DossierZip, day: date) -> Filing: ...
