"""The registered-letter commands, for the command line to register.

    recouvrement send-registered LETTER.pdf --recipient RECIPIENT.json --reference REF
        --provider maileva|ar24 --provider-config CONFIG.json [--sender SENDER.json]
        [--state-file FILE] [--subject TEXT]
    recouvrement registered-status REF --provider maileva|ar24 --provider-config CONFIG.json
        [--state-file FILE] [--proofs-dir DIR]
    recouvrement standin maileva|ar24 [--port 8765] [--latency S] [--step-seconds S]
        [--fail-rate R] [--seed N] [--hang-seconds S]

Each prints one JSON object. Bad input exits 2 with one French line; a provider that
stays down exits 1, and the same command later resumes where it stopped. The state file
(default ``$XDG_STATE_HOME/recouvrement/registered-letters.json``) keeps each sending's
provider id from the moment it exists: the same reference sent twice sends nothing.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ..postal_address import Party
from .errors import ConfigurationError, DeliveryInputError
from .model import Letter, Recipient, SendingStatus
from .providers import CLIENTS, client_for, download_proofs
from .store import JsonStateStore

SEND_EXAMPLE = """exemple :
  recouvrement send-registered MED-2026-0001.pdf --recipient destinataire.json \\
      --reference MED-2026-0001 --provider maileva --provider-config maileva.json"""
STATUS_EXAMPLE = """exemple :
  recouvrement registered-status MED-2026-0001 --provider maileva \\
      --provider-config maileva.json --proofs-dir preuves"""
STANDIN_EXAMPLE = """exemple :
  recouvrement standin maileva --port 8765 --latency 0.05"""


def add_commands(commands, parser_class) -> None:
    """Register ``send-registered``, ``registered-status`` and ``standin``."""
    _add_send(commands)
    _add_status(commands)
    _add_standin(commands)


def default_state_file() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "recouvrement" / "registered-letters.json"


def _provider_options(command) -> None:
    command.add_argument("--provider", required=True, help="prestataire : maileva ou ar24")
    command.add_argument(
        "--provider-config",
        type=Path,
        required=True,
        metavar="CONFIG.json",
        help="URL et identifiants du prestataire (voir le README)",
    )
    command.add_argument(
        "--state-file",
        type=Path,
        default=None,
        metavar="FICHIER",
        help="état des envois, gardé entre deux appels (défaut : "
        "~/.local/state/recouvrement/registered-letters.json)",
    )


def _add_send(commands) -> None:
    command = commands.add_parser(
        "send-registered",
        help="envoie un PDF en lettre recommandée (LRAR Maileva ou LRE AR24)",
        epilog=SEND_EXAMPLE,
    )
    command.add_argument("letter", type=Path, metavar="LETTRE.pdf")
    command.add_argument(
        "--recipient",
        type=Path,
        required=True,
        metavar="DESTINATAIRE.json",
        help="name, attention, street, street2, zip, city, country (FR par défaut)",
    )
    command.add_argument(
        "--reference", required=True, metavar="REF", help="notre référence (38 caractères au plus)"
    )
    command.add_argument(
        "--sender", type=Path, default=None, metavar="EXPEDITEUR.json", help="mêmes clés"
    )
    command.add_argument("--subject", default=None, help="nom de l'envoi chez le prestataire")
    _provider_options(command)
    command.set_defaults(run=run_send)


def _add_status(commands) -> None:
    command = commands.add_parser(
        "registered-status",
        help="état, numéro de recommandé, événements et preuves d'un envoi",
        epilog=STATUS_EXAMPLE,
    )
    command.add_argument("reference", metavar="REF")
    command.add_argument(
        "--proofs-dir",
        type=Path,
        default=None,
        metavar="DOSSIER",
        help="télécharge les preuves dans ce dossier",
    )
    _provider_options(command)
    command.set_defaults(run=run_status)


def _add_standin(commands) -> None:
    command = commands.add_parser(
        "standin",
        help="lance un prestataire simulé sur 127.0.0.1, pour essayer sans compte",
        epilog=STANDIN_EXAMPLE,
    )
    command.add_argument("provider", choices=sorted(CLIENTS))
    command.add_argument("--port", type=int, default=8765, help="port local (défaut : 8765)")
    command.add_argument(
        "--latency", type=float, default=0.0, help="secondes ajoutées à chaque appel"
    )
    command.add_argument(
        "--step-seconds",
        type=float,
        default=5.0,
        help="secondes entre deux étapes de la lettre (0 : seulement sur POST /_standin/advance)",
    )
    command.add_argument(
        "--fail-rate", type=float, default=0.0, help="part des appels en échec (0 à 1)"
    )
    command.add_argument("--seed", type=int, default=None, help="graine des échecs aléatoires")
    command.add_argument(
        "--hang-seconds",
        type=float,
        default=3.0,
        help="durée d'un appel qui ne répond pas (panne « timeout ») avant la coupure",
    )
    command.set_defaults(run=run_standin)


def run_send(args) -> int:
    pdf = _read_pdf(args.letter)
    recipient = Recipient.from_mapping(_read_json(args.recipient, "destinataire"))
    sender = Party.from_mapping(_read_json(args.sender, "expéditeur")) if args.sender else None
    subject = args.subject or f"Lettre recommandée {args.reference}"
    letter = Letter(args.reference, pdf, filename=args.letter.name, subject=subject)
    client = _client(args)
    _print(client.send(letter, recipient, sender).to_dict())
    return 0


def run_status(args) -> int:
    """The sending's state; its proofs downloaded into ``--proofs-dir`` when given,
    otherwise only listed (kind and date) without fetching them."""
    client = _client(args)
    status = client.status(args.reference)
    if args.proofs_dir:
        proofs = _download_proofs(client, status, args.proofs_dir, args.reference)
    else:
        proofs = [_proof_entry(link) for link in status.proof_links]
    _print({**_dated(status), "proofs": proofs})
    return 0


def _download_proofs(client, status, folder: Path, reference: str) -> list[dict]:
    folder.mkdir(parents=True, exist_ok=True)
    proofs = []
    for proof in download_proofs(client, status):
        path = folder / f"{reference}-{proof.filename}"
        path.write_bytes(proof.content)
        proofs.append(
            {**_proof_entry(proof), "path": str(path), "sha256": proof.sha256,
             "size": len(proof.content)}
        )  # fmt: skip
    return proofs


def _proof_entry(proof) -> dict:
    """Kind and date of a proof, downloaded (:class:`Proof`) or not (:class:`ProofLink`)."""
    return {"kind": proof.kind.value, "date": proof.at.isoformat() if proof.at else None}


def run_standin(args) -> int:
    from .standins import start_standin

    server = start_standin(
        args.provider,
        port=args.port,
        latency=args.latency,
        step_seconds=args.step_seconds,
        fail_rate=args.fail_rate,
        seed=args.seed,
        hang_seconds=args.hang_seconds,
    )
    print(json.dumps(server.sample_config(), indent=2), flush=True)
    print(f"stand-in {args.provider} sur {server.url} ; Ctrl-C pour l'arrêter", file=sys.stderr)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _client(args):
    config = _read_json(args.provider_config, "configuration du prestataire")
    if not isinstance(config, dict):
        raise ConfigurationError(f"« {args.provider_config} » : objet JSON attendu.")
    store = JsonStateStore(args.state_file or default_state_file())
    return client_for(args.provider, config, store)


def _dated(status: SendingStatus) -> dict:
    data = status.to_dict()
    receipt = status.receipt_date
    first = status.first_presentation_date
    data["first_presentation_date"] = first.isoformat() if first else None
    data["receipt_date"] = receipt.isoformat() if receipt else None
    return data


def _read_pdf(path: Path) -> bytes:
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise DeliveryInputError(f"Lettre « {path} » introuvable.") from None
    except OSError as error:
        raise DeliveryInputError(f"Lettre « {path} » illisible : {error.strerror}.") from None
    if not content.startswith(b"%PDF-"):
        raise DeliveryInputError(f"Lettre « {path} » : ce fichier n'est pas un PDF.")
    return content


def _read_json(path: Path, what: str):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeliveryInputError(f"Fichier {what} « {path} » introuvable.") from None
    except OSError as error:
        raise DeliveryInputError(
            f"Fichier {what} « {path} » illisible : {error.strerror}."
        ) from None
    except ValueError as error:
        raise DeliveryInputError(f"Fichier {what} « {path} » : JSON invalide ({error}).") from None


def _print(data: dict) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))
