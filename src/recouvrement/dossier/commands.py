"""The ``dossier`` and ``verify`` commands, for the command line to register.

    recouvrement dossier CASE.json --out DOSSIER.zip [--as-of DATE] [--version N]
                         [--override-no-notice REASON] [--override-dispute REASON]
                         [--courts FILE]
    recouvrement verify DOSSIER.zip

``cli.build_parser`` calls ``add_commands(commands, _Parser)``. Errors are
:class:`~recouvrement.errors.RecouvrementError` subclasses, which the command line prints
on one line (exit status 2); ``verify`` prints each problem on its own line and exits 1
when it finds any.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from ..documents.filters import euros
from ..documents.pdf import PdfConverter
from ..law.rates import RateTable, default_user_rate_file
from .case import load_case
from .courts import CourtTable, default_user_court_file
from .errors import DossierExists
from .guards import NO_FORMAL_NOTICE, OPEN_DISPUTE
from .package import build_dossier
from .verify import verify

VERIFY_FAILED = 1


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _version(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"the version is a whole number from 1, not {text!r}")
    return int(text)


def _reason(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("an override needs a reason")
    return text.strip()


def add_commands(subparsers, parser_class=None) -> None:
    """Register ``dossier`` and ``verify`` on the command line's subparsers.

    ``parser_class`` is the command line's parser class; argparse already builds each
    subcommand with the class given to ``add_subparsers``, so it is accepted for symmetry.
    """
    del parser_class
    command = subparsers.add_parser(
        "dossier", help="build the injonction de payer dossier (ZIP) of a case file"
    )
    command.add_argument("case", type=Path, help="the case file (JSON, see docs/dossier.md)")
    command.add_argument("--out", type=Path, required=True, help="the dossier to write (.zip)")
    command.add_argument("--as-of", type=_date, help="date of the request (default: the case's)")
    command.add_argument("--version", type=_version, default=1, help="export number (default 1)")
    command.add_argument(
        "--override-no-notice",
        type=_reason,
        metavar="REASON",
        help="build without a mise en demeure; the reason goes into the manifest",
    )
    command.add_argument(
        "--override-dispute",
        type=_reason,
        metavar="REASON",
        help="build although a dispute is open; the reason goes into the manifest",
    )
    command.add_argument(
        "--courts",
        type=Path,
        help="court file that adds or overrides rows (default: $RECOUVREMENT_COURTS or "
        "~/.config/recouvrement/courts.csv)",
    )
    command.set_defaults(run=run_dossier)

    command = subparsers.add_parser("verify", help="check a dossier ZIP against its manifest")
    command.add_argument("dossier", type=Path, help="the dossier (.zip)")
    command.set_defaults(run=run_verify)


def run_dossier(args, converter: PdfConverter | None = None) -> int:
    if args.out.exists():
        raise DossierExists(
            f"{args.out} already exists, and a dossier export is never modified: write to a "
            f"new file (a new export of the case takes the next --version)"
        )
    case = load_case(args.case)
    overrides = {}
    if args.override_no_notice:
        overrides[NO_FORMAL_NOTICE] = args.override_no_notice
    if args.override_dispute:
        overrides[OPEN_DISPUTE] = args.override_dispute
    rates = RateTable.load(getattr(args, "rates", None) or default_user_rate_file())
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
        f"{path} written: {dossier.procedure.label}{court}, {dossier.reference} version "
        f"{dossier.version}, total {euros(dossier.decompte.total)}, "
        f"{len(dossier.exhibits)} pièces, {len(dossier.files) + 1} fichiers"
    )
    for override in dossier.overrides:
        print(f"override {override.guard}: {override.reason}")
    for warning in dossier.warnings:
        print(f"warning: {warning}")
    return 0


def run_verify(args) -> int:
    problems = verify(args.dossier)
    for problem in problems:
        print(problem)
    if problems:
        return VERIFY_FAILED
    print(f"{args.dossier}: OK, every file matches its manifest")
    return 0
