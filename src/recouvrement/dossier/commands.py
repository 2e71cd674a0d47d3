"""The ``dossier`` and ``verify`` commands, for the command line to register.

    recouvrement dossier CASE.json --out DOSSIER.zip [--as-of DATE] [--version N]
                         [--override-no-notice REASON] [--override-dispute REASON]
                         [--courts FILE]
    recouvrement verify DOSSIER.zip
    recouvrement timeline CASE_EVENTS.json [--as-of DATE] [--json]

``cli.build_parser`` calls ``add_commands(commands, _Parser)``. Errors are
:class:`~recouvrement.errors.RecouvrementError` subclasses, which the command line prints
on one line (exit status 2); ``verify`` prints each problem on its own line and exits 1
when it finds any.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from ..documents.filters import euros
from ..documents.pdf import PdfConverter
from ..law.rates import RateTable
from .case import load_case
from .courts import CourtTable, default_user_court_file
from .errors import DossierExists
from .guards import NO_FORMAL_NOTICE, OPEN_DISPUTE
from .package import build_dossier
from .timeline import build_timeline
from .timeline_file import load_case_events, timeline_text, timeline_to_dict
from .verify import verify

VERIFY_FAILED = 1


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} n'est pas une date (AAAA-MM-JJ)") from None


def _version(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            f"la version est un nombre entier à partir de 1, pas {text!r}"
        )
    return int(text)


def _reason(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("lever un garde-fou demande un motif")
    return text.strip()


def add_commands(subparsers, parser_class=None) -> None:
    """Register ``dossier``, ``verify`` and ``timeline`` on the command line's subparsers.

    ``parser_class`` is the command line's parser class; argparse already builds each
    subcommand with the class given to ``add_subparsers``, so it is accepted for symmetry.
    """
    del parser_class
    command = subparsers.add_parser(
        "dossier", help="constitue le dossier d'injonction de payer (ZIP) d'un fichier d'affaire"
    )
    command.add_argument(
        "case",
        type=Path,
        metavar="AFFAIRE",
        help="le fichier d'affaire (JSON, voir docs/dossier.md)",
    )
    command.add_argument(
        "--out", type=Path, required=True, metavar="ZIP", help="le dossier à écrire (.zip)"
    )
    command.add_argument(
        "--as-of",
        type=_date,
        metavar="AAAA-MM-JJ",
        help="date de la requête (par défaut : celle du fichier d'affaire)",
    )
    command.add_argument(
        "--version", type=_version, default=1, metavar="N", help="numéro d'export (défaut 1)"
    )
    command.add_argument(
        "--override-no-notice",
        type=_reason,
        metavar="MOTIF",
        help="constitue le dossier sans mise en demeure ; le motif figure au manifeste",
    )
    command.add_argument(
        "--override-dispute",
        type=_reason,
        metavar="MOTIF",
        help="constitue le dossier malgré une contestation ouverte ; le motif figure au manifeste",
    )
    command.add_argument(
        "--courts",
        type=Path,
        metavar="FICHIER",
        help="fichier des juridictions qui ajoute ou remplace des lignes (par défaut "
        "$RECOUVREMENT_COURTS ou ~/.config/recouvrement/courts.csv)",
    )
    command.set_defaults(run=run_dossier)

    command = subparsers.add_parser("verify", help="vérifie un dossier ZIP d'après son manifeste")
    command.add_argument("dossier", type=Path, metavar="ZIP", help="le dossier (.zip)")
    command.set_defaults(run=run_verify)

    command = subparsers.add_parser(
        "timeline",
        help="état, événements et délais d'une injonction de payer déposée",
        description="Le calendrier d'une affaire : état, événements, délais de signification, "
        "d'opposition et d'exécution (CPC 1411, 1416, 1422, décret n° 2026-96, CPC 640-644), "
        "frais avancés.",
    )
    command.add_argument(
        "events",
        type=Path,
        metavar="CASE_EVENTS",
        help="le fichier des événements de l'affaire (JSON, voir docs/dossier.md)",
    )
    command.add_argument(
        "--as-of",
        type=_date,
        metavar="AAAA-MM-JJ",
        help="date du calendrier (par défaut : celle du fichier, sinon aujourd'hui)",
    )
    command.add_argument("--json", action="store_true", help="affiche un objet JSON")
    command.set_defaults(run=run_timeline)


def run_dossier(args, converter: PdfConverter | None = None) -> int:
    if args.out.exists():
        raise DossierExists(
            f"{args.out} existe déjà, et un export de dossier n'est jamais modifié : écrivez "
            f"dans un nouveau fichier (un nouvel export de l'affaire prend la --version suivante)"
        )
    case = load_case(args.case)
    overrides = {}
    if args.override_no_notice:
        overrides[NO_FORMAL_NOTICE] = args.override_no_notice
    if args.override_dispute:
        overrides[OPEN_DISPUTE] = args.override_dispute
    rates = RateTable.for_user(getattr(args, "rates", None))
    courts = CourtTable.load(args.courts or default_user_court_file())
    options = {
        "as_of": args.as_of,
        "version": args.version,
        "overrides": overrides,
        "rates": rates,
        "courts": courts,
    }
    if converter is None:
        with PdfConverter() as own:
            dossier = build_dossier(case, own, **options)
    else:
        dossier = build_dossier(case, converter, **options)
    path = dossier.write(args.out)
    court = f", {dossier.court.name}" if dossier.court else ""
    print(
        f"{path} écrit : {dossier.procedure.label}{court}, {dossier.reference} version "
        f"{dossier.version}, total {euros(dossier.decompte.total)}, "
        f"{len(dossier.exhibits)} pièces, {len(dossier.files) + 1} fichiers"
    )
    for override in dossier.overrides:
        print(f"garde-fou levé {override.guard} : {override.reason}")
    for warning in dossier.warnings:
        print(f"attention : {warning}")
    return 0


def run_verify(args) -> int:
    problems = verify(args.dossier)
    for problem in problems:
        print(problem)
    if problems:
        return VERIFY_FAILED
    print(f"{args.dossier} : conforme, chaque fichier correspond à son manifeste")
    return 0


def run_timeline(args) -> int:
    events, header = load_case_events(args.events)
    as_of = args.as_of or header["as_of"] or date.today()
    timeline = build_timeline(events, as_of)
    if args.json:
        data = timeline_to_dict(timeline, header["reference"])
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(timeline_text(timeline, header["reference"]))
    return 0
