"""The ``recouvrement`` command line.

Every command prints its result on stdout. Bad input exits with status 2 and one line
on stderr that names the problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from . import __version__, demo
from .claim import Claim, DayBasis, Invoice, Settlement, SettlementKind
from .decompte import compute_decompte
from .documents.pdf import ConversionError, PdfConverter
from .documents.rendering import render_docx, render_letter
from .dossier.commands import add_commands as add_dossier_commands
from .ecb import DEFAULT_URL, update_rate_file
from .errors import RecouvrementError
from .kinds import CreditorKind, Regime
from .law.rates import RateTable, default_user_rate_file
from .serialize import decompte_to_dict
from .text_report import decompte_text

USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors fit on one line of stderr."""

    def error(self, message: str):
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def parse_amount(text: str) -> Decimal:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount") from None
    if not amount.is_finite() or amount <= 0:
        raise argparse.ArgumentTypeError(f"the amount must be positive, not {text}")
    return amount


def parse_rate(text: str) -> Decimal:
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a rate in percent") from None
    if not rate.is_finite() or rate < 0:
        raise argparse.ArgumentTypeError(f"the rate must be zero or more, not {text}")
    return rate


def parse_dated_amount(text: str) -> tuple[date, Decimal]:
    day, separator, amount = text.partition(":")
    if not separator:
        raise argparse.ArgumentTypeError(f"{text!r} is not DATE:AMOUNT (2026-02-14:4000)")
    return parse_date(day), parse_amount(amount)


def parse_choice(kind):
    def parse(text: str):
        try:
            return kind.parse(text)
        except RecouvrementError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="recouvrement", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"recouvrement {__version__}")
    parser.add_argument(
        "--rates",
        type=Path,
        default=None,
        help="user rate file that adds or overrides rows (default: $RECOUVREMENT_RATES "
        "or ~/.config/recouvrement/rates.csv)",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_decompte(commands)
    _add_update_rates(commands)
    _add_demo(commands)
    _add_render(commands)
    add_dossier_commands(commands, _Parser)
    return parser


def _add_decompte(commands) -> None:
    command = commands.add_parser("decompte", help="compute penalties on an unpaid invoice")
    command.add_argument("--amount", type=parse_amount, required=True, help="invoice total")
    command.add_argument("--due", type=parse_date, required=True, help="due date")
    command.add_argument("--as-of", type=parse_date, default=date.today(), help="default today")
    command.add_argument(
        "--regime", type=parse_choice(Regime), required=True, help="b2b, b2c, public"
    )
    command.add_argument("--number", default="1", help="invoice number")
    command.add_argument("--invoice-date", type=parse_date, help="checks the L441-10 term")
    command.add_argument("--delivery", type=parse_date, help="delivery or completion date")
    command.add_argument(
        "--payment", type=parse_dated_amount, action="append", default=[], metavar="DATE:AMOUNT"
    )
    command.add_argument(
        "--credit-note", type=parse_dated_amount, action="append", default=[], metavar="DATE:AMOUNT"
    )
    command.add_argument("--rate", type=parse_rate, help="contractual penalty rate (B2B), in %%")
    command.add_argument(
        "--creditor",
        type=parse_choice(CreditorKind),
        default=CreditorKind.COMPANY,
        help="company or individual (chooses the legal rate for B2C)",
    )
    command.add_argument("--notice-received", type=parse_date, help="mise en demeure received")
    command.add_argument(
        "--acknowledgment",
        type=parse_date,
        action="append",
        default=[],
        help="a debt acknowledgment that restarts prescription",
    )
    command.add_argument("--order-date", type=parse_date, help="injonction de payer order date")
    command.add_argument("--service-date", type=parse_date, help="date the order was served")
    command.add_argument(
        "--day-basis", choices=[basis.value for basis in DayBasis], default=DayBasis.FIXED_365.value
    )
    command.add_argument(
        "--provisional",
        action="store_true",
        help="carry the last known rate into a half-year with no published rate",
    )
    command.add_argument("--json", action="store_true", help="print one JSON object")
    command.set_defaults(run=run_decompte)


def _add_update_rates(commands) -> None:
    command = commands.add_parser("update-rates", help="fetch the ECB rate series")
    command.add_argument("--url", default=DEFAULT_URL, help="ECB data API address of the series")
    command.add_argument("--timeout", type=float, default=15.0, help="seconds per request")
    command.set_defaults(run=run_update_rates)


def _add_demo(commands) -> None:
    command = commands.add_parser("demo", help="run the main job on the bundled demo ledger")
    command.add_argument("--out", type=Path, required=True, help="folder for the documents")
    command.set_defaults(run=run_demo)


def _add_render(commands) -> None:
    command = commands.add_parser("render", help="render a DOCX template with JSON data")
    command.add_argument("template", type=Path, help="a .docx template")
    command.add_argument("data", type=Path, help="a JSON file with the template's variables")
    command.add_argument("-o", "--output", type=Path, required=True, help="OUT.docx or OUT.pdf")
    command.set_defaults(run=run_render)


def _settlements(args) -> tuple[Settlement, ...]:
    payments = [Settlement(day, amount) for day, amount in args.payment]
    credit_notes = [
        Settlement(day, amount, SettlementKind.CREDIT_NOTE) for day, amount in args.credit_note
    ]
    return (*payments, *credit_notes)


def run_decompte(args) -> int:
    invoice = Invoice(
        number=args.number,
        amount=args.amount,
        due_date=args.due,
        invoice_date=args.invoice_date,
        delivery_date=args.delivery,
        settlements=_settlements(args),
    )
    claim = Claim(
        invoices=(invoice,),
        regime=args.regime,
        contractual_rate=args.rate,
        creditor=args.creditor,
        notice_received=args.notice_received,
        day_basis=DayBasis(args.day_basis),
        acknowledgments=tuple(args.acknowledgment),
        order_date=args.order_date,
        service_date=args.service_date,
    )
    rates = RateTable.load(args.rates or default_user_rate_file())
    decompte = compute_decompte(claim, args.as_of, rates, allow_provisional=args.provisional)
    if args.json:
        print(json.dumps(decompte_to_dict(decompte), ensure_ascii=False, indent=2))
    else:
        print(decompte_text(decompte))
    return 0


def run_update_rates(args) -> int:
    path = args.rates or default_user_rate_file()
    summary = update_rate_file(path, args.url, timeout=args.timeout)
    in_force = summary.in_force
    print(
        f"{summary.rows_written} ECB rows written to {summary.path}; "
        f"{in_force.rate} % in force on {in_force.day.isoformat()}"
    )
    return 0


def run_demo(args) -> int:
    result = demo.run_demo(args.out)
    print(demo.summary_text(result, args.out))
    return 0


def run_render(args) -> int:
    """Render with the same sandbox; a context with a ``kind`` is checked as a letter."""
    suffix = args.output.suffix.lower()
    if suffix not in (".docx", ".pdf"):
        raise RecouvrementError(f"{args.output}: the output must end in .docx or .pdf")
    try:
        context = json.loads(args.data.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RecouvrementError(f"{args.data}: cannot read JSON data: {error}") from None
    if not isinstance(context, dict):
        raise RecouvrementError(f"{args.data}: the JSON data must be an object")
    if context.get("kind"):
        document = render_letter(args.template, context)
    else:
        document = render_docx(args.template, context)
    if suffix == ".pdf":
        with PdfConverter() as converter:
            document = converter.convert(document)
    args.output.write_bytes(document)
    print(f"{args.output} written")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except RecouvrementError as error:
        print(f"recouvrement {args.command}: error: {error}", file=sys.stderr)
        return error.exit_status
    except ConversionError as error:
        print(f"recouvrement {args.command}: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
