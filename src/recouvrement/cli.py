"""La ligne de commande ``recouvrement`` : décomptes, taux, démonstration, lettres, dossiers.

Every command prints its result on stdout, in French. Bad input exits with status 2 and
one French line on stderr that names the problem; the JSON output gives each warning's
stable code and parameters beside its French text.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import textwrap
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from . import __version__, demo
from .claim import Claim, DayBasis, Invoice, Settlement, SettlementKind
from .decompte import compute_decompte
from .delivery.commands import add_commands as add_delivery_commands
from .documents.filters import date_fr
from .documents.pdf import ConversionError, PdfConverter
from .documents.rendering import render_docx, render_letter
from .dossier.commands import add_commands as add_dossier_commands
from .ecb import DEFAULT_URL, update_rate_file
from .errors import MissingRate, RecouvrementError
from .filing.commands import add_commands as add_filing_commands
from .kinds import CreditorKind, Regime
from .law.imputation import Imputation
from .law.rates import RateTable, default_user_rate_file
from .law.time_limits import Place
from .messages import Message
from .serialize import decompte_to_dict
from .text_report import decompte_text

USAGE_ERROR = 2
BROKEN_PIPE = 141  # what a shell reports for a command killed by SIGPIPE (128 + 13)
MAX_AMOUNT = Decimal("1000000000")  # 1 billion euros: above, a typing error, not a claim
DATE_FORMAT = "AAAA-MM-JJ"
RATES_HELP = (
    "fichier de taux de l'utilisateur, qui ajoute ou remplace des lignes (par défaut "
    "$RECOUVREMENT_RATES ou ~/.config/recouvrement/rates.csv) ; s'il est donné, il doit exister"
)
# argparse's own messages, in French (the rest of each message is ours, already French).
ARGPARSE_FRENCH = [
    (r"^the following arguments are required: ", "arguments obligatoires manquants : "),
    (r"^unrecognized arguments: ", "arguments non reconnus : "),
    (r"^argument (\S+): invalid choice: (.*) \(choose from (.*)\)$",
     r"argument \1 : choix invalide \2 (choisissez parmi \3)"),
    (r"^argument (\S+): expected one argument$", r"argument \1 : une valeur est attendue"),
    (r"^argument (\S+): ", r"argument \1 : "),
]  # fmt: skip
EXAMPLES = {
    "decompte": """exemples :
  recouvrement decompte --amount 10000 --due 2026-01-15 --as-of 2026-04-15 --regime b2b \\
      --payment 2026-02-14:4000
  recouvrement decompte --amount 1000 --due 2026-01-15 --as-of 2026-04-10 --regime b2c \\
      --notice-received 2026-02-10 --json
  recouvrement decompte --amount 10000 --due 2026-01-15 --as-of 2026-04-15 --regime b2b \\
      --order-date 2026-09-15 --service-date 2026-10-01 --court-postcode 67000""",
    "update-rates": """exemple :
  recouvrement update-rates --rates ~/.config/recouvrement/rates.csv""",
    "demo": """exemple :
  recouvrement demo --out demo-output""",
    "render": """exemple :
  recouvrement render src/recouvrement/documents/templates/relance_ferme.docx \\
      demo-output/REL-2026-0002_relance_ferme_MARTIN.json -o lettre.pdf""",
    "dossier": """exemple :
  recouvrement dossier CASE.json --out DOSSIER.zip --as-of 2026-06-30""",
    "verify": """exemple :
  recouvrement verify DOSSIER.zip""",
    "timeline": """exemple :
  recouvrement timeline CASE_EVENTS.json --as-of 2026-12-01 --json""",
}


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)

    def _fill_text(self, text, width, indent):  # descriptions wrapped, examples kept as is
        paragraphs = text.split("\n\n")
        return "\n\n".join(
            paragraph if paragraph.startswith("exemple") else textwrap.fill(paragraph, width)
            for paragraph in paragraphs
        )


class _Parser(argparse.ArgumentParser):
    """An argument parser in French, whose errors fit on one line of stderr."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")

    def error(self, message: str):
        for pattern, french in ARGPARSE_FRENCH:
            message = re.sub(pattern, french, message)
        self.exit(USAGE_ERROR, f"{self.prog} : erreur : {message}\n")


def _type_error(code: str, template: str, **params) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(str(Message.build(code, template, **params)))


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _type_error(
            "not_a_date",
            "{text} n'est pas une date ({format})",
            text=repr(text),
            format=DATE_FORMAT,
        ) from None


def parse_amount(text: str) -> Decimal:
    """An amount in euros: positive, at most two decimals, below a billion."""
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise _type_error(
            "not_an_amount", "{text} n'est pas un montant (1234.56)", text=repr(text)
        ) from None
    if not amount.is_finite() or amount <= 0:
        raise _type_error(
            "amount_not_positive", "le montant doit être positif, pas {text}", text=text
        )
    if amount.as_tuple().exponent < -2:
        raise _type_error(
            "amount_decimals", "le montant {text} a plus de deux décimales", text=text
        )
    if amount >= MAX_AMOUNT:
        raise _type_error(
            "amount_absurd",
            "le montant {text} est invraisemblable (un milliard d'euros ou plus) : vérifiez-le",
            text=text,
        )
    return amount


def parse_rate(text: str) -> Decimal:
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise _type_error(
            "not_a_rate", "{text} n'est pas un taux en pourcentage", text=repr(text)
        ) from None
    if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(100):
        raise _type_error("rate_range", "le taux doit être entre 0 et 100 %, pas {text}", text=text)
    return rate


def parse_dated_amount(text: str) -> tuple[date, Decimal]:
    day, separator, amount = text.partition(":")
    if not separator:
        raise _type_error(
            "not_dated_amount",
            "{text} n'est pas de la forme DATE:MONTANT (2026-02-14:4000)",
            text=repr(text),
        )
    return parse_date(day), parse_amount(amount)


def parse_choice(kind):
    def parse(text: str):
        try:
            return kind.parse(text)
        except RecouvrementError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="recouvrement",
        description="Recouvrement de créances en droit français : décomptes, taux, lettres, "
        f"dossiers d'injonction de payer. Les dates s'écrivent {DATE_FORMAT}.",
        epilog="« recouvrement COMMANDE --help » détaille chaque commande, avec un exemple.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"recouvrement {__version__}",
        help="affiche la version et quitte",
    )
    parser.add_argument("--rates", type=Path, default=None, metavar="FICHIER", help=RATES_HELP)
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, title="commandes", metavar="COMMANDE"
    )
    _add_decompte(commands)
    _add_update_rates(commands)
    _add_demo(commands)
    _add_render(commands)
    add_dossier_commands(commands, _Parser)
    for name, command in commands.choices.items():
        command.epilog = EXAMPLES.get(name)
        # --rates after the command too; SUPPRESS keeps a value given before it.
        if name not in ("verify", "timeline"):
            command.add_argument(
                "--rates", type=Path, default=argparse.SUPPRESS, metavar="FICHIER", help=RATES_HELP
            )
    # The registered-letter commands take no rate file and carry their own examples.
    add_delivery_commands(commands, _Parser)
    add_filing_commands(commands, _Parser)
    return parser


def _add_decompte(commands) -> None:
    command = commands.add_parser(
        "decompte",
        help="calcule pénalités, intérêts et indemnité d'une facture impayée",
        description="Le décompte d'une facture : pénalités ou intérêts période par période, "
        f"indemnité forfaitaire, prescription, délais de procédure. Dates : {DATE_FORMAT} ; "
        "montants en euros, deux décimales au plus (1234.56).",
    )
    dated = {"type": parse_date, "metavar": DATE_FORMAT}
    command.add_argument(
        "--amount", type=parse_amount, required=True, metavar="MONTANT", help="montant TTC"
    )
    command.add_argument("--due", required=True, help="date d'échéance", **dated)
    command.add_argument(
        "--as-of", default=None, help="date du décompte (par défaut : aujourd'hui)", **dated
    )
    command.add_argument(
        "--regime",
        type=parse_choice(Regime),
        required=True,
        metavar="{" + ",".join(kind.value for kind in Regime) + "}",
        help="b2b : entre professionnels (L441-10 C. com.) ; b2c : consommateur (taux légal) ; "
        "public : acheteur public (R2192-31 C. commande publique)",
    )
    command.add_argument("--number", default="1", metavar="NUMÉRO", help="numéro de facture")
    command.add_argument(
        "--invoice-date", help="date de facture (vérifie le délai de L441-10 I)", **dated
    )
    command.add_argument(
        "--periodic",
        action="store_true",
        help="facture périodique (art. 289 CGI) : 45 jours au plus après son émission",
    )
    command.add_argument(
        "--delivery", help="date de livraison ou d'achèvement (départ de la prescription)", **dated
    )
    dated_amounts = {
        "type": parse_dated_amount,
        "action": "append",
        "default": [],
        "metavar": "DATE:MONTANT",
    }
    command.add_argument("--payment", help="paiement partiel (répétable)", **dated_amounts)
    command.add_argument("--credit-note", help="avoir (répétable)", **dated_amounts)
    command.add_argument(
        "--rate",
        type=parse_rate,
        metavar="TAUX",
        help="taux contractuel des pénalités (b2b), en %%",
    )
    command.add_argument(
        "--creditor",
        type=parse_choice(CreditorKind),
        default=CreditorKind.COMPANY,
        metavar="{" + ",".join(kind.value for kind in CreditorKind) + "}",
        help="company (défaut) ou individual, créancier personne physique (choisit le taux "
        "légal en b2c)",
    )
    command.add_argument("--notice-received", help="réception de la mise en demeure", **dated)
    command.add_argument(
        "--method",
        choices=[method.value for method in Imputation],
        default=Imputation.SIMPLE.value,
        help="imputation des paiements : simple (défaut) ou 1343-1 (sur les intérêts d'abord, "
        "art. 1343-1 C. civ.)",
    )
    command.add_argument(
        "--acknowledgment",
        action="append",
        default=[],
        help="reconnaissance de dette du débiteur (échéancier signé, promesse), qui "
        "interrompt la prescription (répétable)",
        **dated,
    )
    command.add_argument(
        "--demand",
        action="append",
        default=[],
        help="demande écrite de paiement ; interrompt la prescription contre un acheteur "
        "public seulement (loi 68-1250, art. 2) (répétable)",
        **dated,
    )
    command.add_argument(
        "--insolvency-judgment",
        help="jugement d'ouverture d'une procédure collective : arrête les intérêts (L622-28)",
        **dated,
    )
    command.add_argument(
        "--enforceable-on",
        help="décision de condamnation exécutoire : taux légal + 5 points deux mois après "
        "(L313-3 C. mon. fin.)",
        **dated,
    )
    command.add_argument("--order-date", help="date de l'ordonnance d'injonction de payer", **dated)
    command.add_argument("--service-date", help="date de signification de l'ordonnance", **dated)
    command.add_argument(
        "--objection-start",
        help="premier acte signifié à personne ou première saisie, quand la signification "
        "n'a pas été faite à personne (CPC 1416 al. 2)",
        **dated,
    )
    command.add_argument(
        "--court-postcode",
        default="",
        metavar="CODE_POSTAL",
        help="code postal du tribunal (jours fériés locaux : Alsace-Moselle, outre-mer)",
    )
    command.add_argument(
        "--debtor-country",
        default="FR",
        metavar="PAYS",
        help="pays du débiteur, code ISO (défaut FR)",
    )
    command.add_argument(
        "--debtor-postcode",
        default="",
        metavar="CODE_POSTAL",
        help="code postal du débiteur (97x, 98x : outre-mer)",
    )
    command.add_argument(
        "--day-basis",
        choices=[basis.value for basis in DayBasis],
        default=DayBasis.FIXED_365.value,
        help="jours par an : 365 (défaut) ou actual (366 les années bissextiles)",
    )
    command.add_argument(
        "--provisional",
        action="store_true",
        help="reporte le dernier taux connu sur un semestre sans taux publié (résultat "
        "marqué provisoire)",
    )
    command.add_argument("--json", action="store_true", help="affiche un objet JSON")
    command.set_defaults(run=run_decompte)


def _add_update_rates(commands) -> None:
    command = commands.add_parser(
        "update-rates",
        help="télécharge la série du taux de refinancement de la BCE dans le fichier de taux",
        description="Lit la série FM.B.U2.EUR.4F.KR.MRR_FR.LEV du portail de données de la BCE, "
        "la valide, puis réécrit le fichier de taux d'un coup (--rates, ou le fichier par "
        "défaut). Les taux de l'intérêt légal s'ajoutent à la main, une ligne par semestre.",
    )
    command.add_argument(
        "--url", default=DEFAULT_URL, metavar="URL", help="adresse de la série (API de la BCE)"
    )
    command.add_argument(
        "--timeout",
        type=float,
        default=15.0,
        metavar="SECONDES",
        help="secondes par requête (défaut 15)",
    )
    command.set_defaults(run=run_update_rates)


def _add_demo(commands) -> None:
    command = commands.add_parser(
        "demo", help="lance le traitement principal sur le grand livre de démonstration"
    )
    command.add_argument(
        "--out", type=Path, required=True, metavar="DOSSIER", help="dossier des documents produits"
    )
    command.set_defaults(run=run_demo)


def _add_render(commands) -> None:
    command = commands.add_parser(
        "render", help="remplit un modèle DOCX avec des données JSON (DOCX ou PDF)"
    )
    command.add_argument("template", type=Path, metavar="MODÈLE", help="un modèle .docx")
    command.add_argument(
        "data", type=Path, metavar="DONNÉES", help="un fichier JSON des variables du modèle"
    )
    command.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="SORTIE",
        help="SORTIE.docx ou SORTIE.pdf",
    )
    command.set_defaults(run=run_render)


def _settlements(args) -> tuple[Settlement, ...]:
    payments = [Settlement(day, amount) for day, amount in args.payment]
    credit_notes = [
        Settlement(day, amount, SettlementKind.CREDIT_NOTE) for day, amount in args.credit_note
    ]
    return (*payments, *credit_notes)


def _check_settlement_dates(settlements, as_of: date) -> None:
    later = sorted(item.day for item in settlements if item.day > as_of)
    if later:
        raise RecouvrementError(
            Message.build(
                "settlement_after_as_of",
                "le règlement du {day} est postérieur à la date du décompte ({as_of}) : "
                "retirez-le, ou donnez une date --as-of plus tardive",
                day=later[0],
                as_of=as_of,
            )
        )


def run_decompte(args) -> int:
    as_of = args.as_of or date.today()
    settlements = _settlements(args)
    _check_settlement_dates(settlements, as_of)
    invoice = Invoice(
        number=args.number,
        amount=args.amount,
        due_date=args.due,
        invoice_date=args.invoice_date,
        delivery_date=args.delivery,
        settlements=settlements,
        periodic=args.periodic,
    )
    claim = Claim(
        invoices=(invoice,),
        regime=args.regime,
        contractual_rate=args.rate,
        creditor=args.creditor,
        notice_received=args.notice_received,
        day_basis=DayBasis(args.day_basis),
        acknowledgments=tuple(args.acknowledgment),
        demands=tuple(args.demand),
        method=Imputation(args.method),
        insolvency_judgment=args.insolvency_judgment,
        enforceable_on=args.enforceable_on,
        order_date=args.order_date,
        service_date=args.service_date,
        objection_start=args.objection_start,
        court=Place("FR", args.court_postcode),
        debtor_place=Place(args.debtor_country, args.debtor_postcode),
    )
    rates = RateTable.for_user(args.rates)
    try:
        decompte = compute_decompte(claim, as_of, rates, allow_provisional=args.provisional)
    except MissingRate as error:
        if args.as_of:
            raise
        raise MissingRate(
            Message(
                error.code,
                f"sans --as-of, le décompte est arrêté à aujourd'hui ({date_fr(as_of)}) : "
                f"{error} ; ou donnez une date --as-of dans un semestre dont les taux sont "
                "connus",
                {**error.params, "as_of": as_of.isoformat()},
            ),
            error.series,
            error.half_year,
        ) from None
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
        f"{summary.rows_written} lignes BCE écrites dans {summary.path} ; taux de "
        f"{in_force.rate} % en vigueur le {date_fr(in_force.day)}"
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
        raise RecouvrementError(f"{args.output} : la sortie doit se terminer par .docx ou .pdf")
    try:
        context = json.loads(args.data.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RecouvrementError(f"{args.data} : données JSON illisibles : {error}") from None
    if not isinstance(context, dict):
        raise RecouvrementError(f"{args.data} : les données JSON doivent être un objet")
    if context.get("kind"):
        document = render_letter(args.template, context)
    else:
        document = render_docx(args.template, context)
    if suffix == ".pdf":
        with PdfConverter() as converter:
            document = converter.convert(document)
    args.output.write_bytes(document)
    print(f"{args.output} écrit")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = args.run(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below
        return status
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python from complaining
        # again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return BROKEN_PIPE
    except RecouvrementError as error:
        print(f"recouvrement {args.command} : erreur : {error}", file=sys.stderr)
        return error.exit_status
    except ConversionError as error:
        print(f"recouvrement {args.command} : erreur : {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
