"""The ``file`` command, for the command line to register.

    recouvrement file DOSSIER.zip --channel tribunal-digital --out DIR|SET.zip
    recouvrement file DOSSIER.zip --channel registered-letter --provider maileva
        --provider-config CONFIG.json [--signature IMAGE] [--signed-request PDF]
        [--court-address ADRESSE.json] [--state-file FILE]
    recouvrement file DOSSIER.zip --channel commissaire --commissaire COMMISSAIRE.json
        (--provider ar24 --provider-config CONFIG.json [--order ORDONNANCE.pdf] | --out FILE.zip)
    recouvrement file DOSSIER.zip --channel european-order --court-address ADRESSE.json
        --provider maileva --provider-config CONFIG.json (--signature IMAGE | --signed-request PDF)

It prints one JSON object: the channel, the court, the date, the provider's sending id,
the registered number, every document filed with its SHA-256, the evidence and the
messages. Bad input exits 2 with one French line; the same command run again sends
nothing twice (the provider's state file keeps the sending).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from ..delivery import JsonStateStore, client_for
from ..delivery.commands import _read_json, default_state_file
from ..messages import Message
from ..postal_address import Party
from .channel import FilingError
from .commissaire import Commissaire, CommissaireChannel
from .dossier_zip import read_dossier
from .european_order import EuropeanOrderChannel
from .registered_letter import RegistryLetterChannel
from .tribunal_digital import TribunalDigitalChannel

CHANNELS = ("tribunal-digital", "registered-letter", "commissaire", "european-order")
EXAMPLE = """exemples :
  recouvrement file dossier-GIRARD.zip --channel tribunal-digital --out depot-GIRARD
  recouvrement file dossier-MOREAU.zip --channel registered-letter --provider maileva \\
      --provider-config maileva.json --signature signature.png"""


def add_commands(commands, parser_class) -> None:
    """Register ``file``."""
    from ..cli import parse_date  # the command line's French date errors (cli imports us)

    command = commands.add_parser(
        "file",
        help="dépose un dossier : Tribunal Digital, lettre recommandée au greffe, "
        "commissaire de justice, injonction européenne",
        epilog=EXAMPLE,
    )
    command.add_argument("dossier", type=Path, metavar="DOSSIER.zip")
    command.add_argument("--channel", required=True, choices=CHANNELS, help="voie de dépôt")
    command.add_argument(
        "--out",
        type=Path,
        default=None,
        help="dossier ou .zip du jeu à téléverser, ou du ZIP remis",
    )
    command.add_argument("--provider", default=None, help="prestataire : maileva ou ar24")
    command.add_argument("--provider-config", type=Path, default=None, metavar="CONFIG.json")
    command.add_argument("--state-file", type=Path, default=None, metavar="FICHIER")
    command.add_argument("--signature", type=Path, default=None, metavar="IMAGE")
    command.add_argument("--signed-request", type=Path, default=None, metavar="PDF")
    command.add_argument(
        "--court-address",
        type=Path,
        default=None,
        metavar="ADRESSE.json",
        help="adresse confirmée du greffe ou de la juridiction (name, street, zip, city)",
    )
    command.add_argument("--commissaire", type=Path, default=None, metavar="COMMISSAIRE.json")
    command.add_argument("--order", type=Path, default=None, metavar="ORDONNANCE.pdf")
    command.add_argument(
        "--date", type=parse_date, default=None, metavar="AAAA-MM-JJ",
        help="date du dépôt (défaut : aujourd'hui)",
    )  # fmt: skip
    command.set_defaults(run=run_file)


def run_file(args) -> int:
    dossier = read_dossier(args.dossier)
    channel = _channel(args)
    filing = channel.file(dossier, args.date or date.today())
    print(json.dumps(filing.to_dict(), ensure_ascii=False, indent=2))
    return 0


def _channel(args):
    if args.channel == "tribunal-digital":
        return TribunalDigitalChannel(_required(args.out, "--out"))
    if args.channel == "commissaire":
        commissaire = Commissaire.from_mapping(
            _read_json(_required(args.commissaire, "--commissaire"), "commissaire")
        )
        return CommissaireChannel(
            commissaire,
            client=_client(args) if args.provider else None,
            out=args.out,
            order_pdf=_read(args.order, "ordonnance"),
            **_signature(args),
        )
    court = (
        Party.from_mapping(_read_json(args.court_address, "adresse"))
        if args.court_address
        else None
    )
    if args.channel == "european-order":
        return EuropeanOrderChannel(_client(args), court, **_signature(args))
    return RegistryLetterChannel(_client(args), court_address=court, **_signature(args))


def _client(args):
    provider = _required(args.provider, "--provider")
    config = _read_json(_required(args.provider_config, "--provider-config"), "configuration")
    return client_for(provider, config, JsonStateStore(args.state_file or default_state_file()))


def _signature(args) -> dict:
    return {
        "signature_image": _read(args.signature, "image de signature"),
        "signed_scan": _read(args.signed_request, "requête signée"),
    }


def _required(value, option: str):
    if value is None:
        raise FilingError(
            Message.build(
                "option_missing", "Option {option} manquante pour cette voie.", option=option
            )
        )
    return value


def _read(path: Path | None, what: str) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as error:
        raise FilingError(
            Message.build(
                "file_unreadable", "Fichier {what} « {path} » illisible : {error}.",
                what=what, path=str(path), error=error.strerror,
            )
        ) from None  # fmt: skip
