"""Filing by registered letter: what the registry, European and commissaire channels share.

The documents are merged in the order the court reads them (a cover letter, the signed
opening document, the décompte where it belongs, the bordereau, then every exhibit by
its number, one bookmark each) and sent as one registered letter through a
:mod:`recouvrement.delivery` provider (a paper LRAR, or an LRE for a commissaire de
justice) under the reference ``DEPOT-<dossier>-V<version>``: the provider's state store
makes a second run read the sending instead of posting it again. The deposit proof dates
the filing, the acknowledgment of receipt proves the registry received it; both are
downloaded as soon as the provider has them and become the filing's evidence."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ..delivery import Letter, Proof, ProofKind, Recipient, SendingStatus, download_proofs
from ..delivery.providers import RegisteredLetterProvider
from ..documents.filters import accord
from ..documents.mailing import merge_pdfs
from ..documents.text_pdf import text_pdf
from ..dossier.courts import Court
from ..messages import Message, french
from ..postal_address import Party
from .channel import Evidence, FiledDocument, Filing, FilingError
from .dossier_zip import DossierZip
from .tribunal_digital import upload_problems

LINE = 38  # NF Z10-011: 38 characters a line of the address block
WIDTH = 85  # characters of Helvetica 11 across text_pdf's A4 page


@dataclass(frozen=True)
class Part:
    """One document of the letter, in its place."""

    title: str
    role: str
    name: str
    data: bytes
    exhibit: int | None = None


def sending_reference(dossier: DossierZip) -> str:
    """Our reference of the filing at the provider (one per dossier version)."""
    return f"DEPOT-{dossier.reference}-V{dossier.version}"


def registry_party(court: Court | None, confirmed: Party | None = None) -> Party:
    """The registry's postal address: the caller's confirmed one, else the court list's
    when it is verified; an unverified or missing address is refused."""
    if confirmed is not None:
        return confirmed
    if court is None:
        raise FilingError(
            Message.build(
                "court_missing",
                "Le dossier ne nomme pas de juridiction : donnez l'adresse du greffe compétent.",
            )
        )
    if not court.verified:
        raise FilingError(
            Message.build(
                "court_address_unverified",
                "L'adresse du greffe du {court} n'est pas vérifiée dans la liste des tribunaux "
                "(« {address} ») : vérifiez-la dans l'Annuaire de l'administration "
                "(lannuaire.service-public.gouv.fr) et donnez-la confirmée ; rien n'a été "
                "envoyé.",
                court=court.name,
                address=court.address_line or "aucune adresse",
            )
        )
    name, attention = _two_lines(f"Greffe du {court.name}")
    return Party(
        name=name, attention=attention, street=court.street, zip=court.zip, city=court.city
    )


def _two_lines(text: str) -> tuple[str, str | None]:
    lines = textwrap.wrap(text, LINE)
    if len(lines) > 2:
        raise FilingError(
            Message.build(
                "court_name_too_long",
                "« {text} » ne tient pas sur deux lignes d'adresse de 38 caractères : "
                "donnez l'adresse du greffe.",
                text=text,
            )
        )
    return lines[0], (lines[1] if len(lines) > 1 else None)


def address_lines(party: Party) -> list[str]:
    town = f"{party.zip} {party.city}"
    lines = [party.name, party.attention, party.street2, party.street, party.locality, town]
    return [line for line in lines if line]


LRAR = "Lettre recommandée avec demande d'avis de réception"


def cover_letter(
    dossier: DossierZip, recipient: Party, day: date, body: list[str], carried: str = LRAR
) -> bytes:
    """A one-page cover letter from the creditor to ``recipient``, ``carried`` as it says;
    ``body`` is a list of paragraphs, each wrapped to the page's width."""
    creditor = dossier.creditor
    lines = [
        *address_lines(creditor),
        "",
        *address_lines(recipient),
        "",
        f"{creditor.city}, le {french(day)}",
        "",
        f"Réf. : {dossier.reference} (version {dossier.version})",
        carried,
        *(line for paragraph in body for line in ["", *textwrap.wrap(paragraph, WIDTH)]),
        "",
        f"Pour {creditor.name},",
        dossier.signatory,
    ]
    return text_pdf(lines)


def exhibits_phrase(dossier: DossierZip) -> str:
    """« les 7 pièces qu'il énumère », or the singular.

    The bordereau is « il »: the phrase follows « le bordereau des pièces ».
    """
    count = len(dossier.exhibits)
    return accord(count, "la pièce qu'il énumère", f"les {count} pièces qu'il énumère")


def dossier_parts(dossier: DossierZip, opening: bytes, with_decompte: bool) -> list[Part]:
    """The opening document (signed), the décompte when asked, the bordereau, the exhibits."""
    first = dossier.opening
    parts = [Part(first.title, first.role, first.name, opening)]
    roles = ("decompte", "bordereau") if with_decompte else ("bordereau",)
    for role in roles:
        item = dossier.pdf(role)
        parts.append(Part(item.title, role, item.name, item.data))
    parts += [
        Part(f"Pièce n° {e.exhibit} – {e.title}", "exhibit", e.name, e.data, e.exhibit)
        for e in dossier.exhibits
    ]
    return parts


def post_to_court(
    client: RegisteredLetterProvider,
    dossier: DossierZip,
    court: Party,
    day: date,
    *,
    court_name: str,
    signed_opening: bytes,
    cover_body: list[str],
    cover_name: str,
    with_decompte: bool,
    channel: str,
) -> Filing:
    """The cover letter, then the signed opening document and the dossier's parts, as one
    registered letter to ``court``'s address (the registry, or the European order's court)."""
    cover = cover_letter(dossier, court, day, cover_body)
    parts = [
        Part("Lettre d'accompagnement", "cover_letter", cover_name, cover),
        *dossier_parts(dossier, signed_opening, with_decompte=with_decompte),
    ]
    return send_registered(
        client, dossier, Recipient(party=court), parts, channel=channel, court=court_name, day=day
    )


def send_registered(
    client: RegisteredLetterProvider,
    dossier: DossierZip,
    recipient: Recipient,
    parts: list[Part],
    *,
    channel: str,
    court: str,
    day: date,
    subject: str = "Dépôt au greffe",
    messages: Iterable[Message] = (),
) -> Filing:
    """Merge ``parts`` in order, send them once as one registered letter (paper or LRE,
    as the provider carries it), and fetch the proofs it already has."""
    try:
        merged = merge_pdfs([(part.title, part.data) for part in parts])
    except ValueError:  # a part the user gave (the order to serve) is not a PDF
        unreadable = next(part for part in parts if upload_problems(part.name, part.data))
        raise FilingError(
            Message.build(
                "part_not_pdf", "« {title} » n'est pas un PDF lisible.", title=unreadable.title
            )
        ) from None
    reference = sending_reference(dossier)
    letter = Letter(
        reference,
        merged.pdf,
        filename=f"depot-{dossier.reference}.pdf",
        subject=f"{subject} {dossier.reference}",
    )
    status = client.send(letter, recipient, dossier.creditor)
    proofs = download_proofs(client, status)
    documents = [
        FiledDocument.of(part.name, part.role, part.data, title=part.title, exhibit=part.exhibit)
        for part in parts
    ]
    documents.append(FiledDocument.of(letter.filename, "merged", merged.pdf, title="Pli envoyé"))
    return Filing(
        channel=channel,
        dossier_reference=dossier.reference,
        court=court,
        recipient_address=" – ".join(address_lines(recipient.party)),
        day=day,
        documents=tuple(documents),
        reference=status.registered_number,
        sending_id=status.sending_id,
        sending_reference=reference,
        provider=status.provider,
        state=status.state.value,
        evidence=tuple(evidence_of(proofs)),
        messages=tuple(messages),
    )


def evidence_of(proofs: Iterable[Proof]) -> list[Evidence]:
    """The provider's proofs as the filing's evidence."""
    return [
        Evidence(
            kind=proof.kind.value,
            filename=proof.filename,
            sha256=proof.sha256,
            size=len(proof.content),
            at=proof.at.isoformat() if proof.at else None,
            content=proof.content,
        )
        for proof in proofs
    ]


def refresh(
    client: RegisteredLetterProvider, reference: str, known: Iterable[str] = ()
) -> tuple[SendingStatus, list[Evidence]]:
    """The sending's state re-read from the provider, and the proofs not known yet."""
    status = client.status(reference)
    proofs = download_proofs(client, status, {ProofKind(kind) for kind in known})
    return status, evidence_of(proofs)
