"""The bridge between Odoo records and the ``recouvrement`` engine.

Everything French law decides (penalty rates, the 40 €, legal interest, letter mentions,
the ladder's decisions) is computed by the engine; this abstract model only converts
records to the engine's plain data, in batches, and back.
"""

import atexit
import dataclasses
import logging
import os
import threading
from collections import defaultdict, namedtuple
from decimal import Decimal
from pathlib import Path

from babel import Locale

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL

from recouvrement.claim import Invoice, Settlement, SettlementKind
from recouvrement.decompte import Decompte, compute_decompte
from recouvrement.documents.mailing import merge_pdfs
from recouvrement.documents.mentions import KINDS
from recouvrement.documents.pdf_pool import PdfConverterPool
from recouvrement.documents.rendering import render_letter
from recouvrement.errors import MissingRate, RecouvrementError
from recouvrement.kinds import Regime
from recouvrement.law.rates import SERIES_NAMES, RateTable
from recouvrement.ledger import Account, Address, Ledger, Party, Reminder, ReminderState
from recouvrement.letters import build_letter_context

_logger = logging.getLogger(__name__)

RATE_FILE_PARAMETER = "l10n_fr_recouvrement.rate_file"
RATES_DIR_OPTION = "recouvrement_rates_dir"
_RATES = {}
_CONVERTER = {}
_CONVERTER_LOCK = threading.Lock()
_COURTS = {}
# The engine reads a country as written on French letters ("Belgique"), or its code.
FRENCH_COUNTRY_NAMES = Locale("fr").territories
ANONYMOUS_PARTY = Party(name="", address=Address(street="", zip="", city=""))
# What a décompte reads of an invoice; ``InvoiceFacts`` has the same names, the
# many2ones as ids.
FACT_FIELDS = [
    "id",
    "name",
    "move_type",
    "company_id",
    "commercial_partner_id",
    "invoice_date",
    "invoice_date_due",
    "delivery_date",
    "amount_total_signed",
    "recouvrement_notice_date",
]
InvoiceFacts = namedtuple("InvoiceFacts", [*FACT_FIELDS[:4], "partner_id", *FACT_FIELDS[5:]])


def to_decimal(value):
    """An Odoo float amount as an exact two-decimal ``Decimal``."""
    return Decimal(f"{value or 0.0:.2f}")


class RecouvrementEngine(models.AbstractModel):
    _name = "recouvrement.engine"
    _description = "Collection engine bridge"

    # ------------------------------------------------------------------
    # Rates
    # ------------------------------------------------------------------
    @api.model
    def _get_rate_table(self):
        """The engine's rate table: the one place the addon builds it.

        The shipped rates, overridden by the CSV file named in the system parameter
        ``l10n_fr_recouvrement.rate_file`` (the engine's format: series,date,rate,source),
        then by the rows of Configuration > Collection > Rates (fetched from the ECB or
        entered by hand). Cached per process, per file version and per rows. A missing
        rate is never guessed. A file outside the rate directory, missing, unreadable or
        malformed raises a ``UserError`` saying so, wherever rates are used.
        """
        path = self.env["ir.config_parameter"].sudo().get_param(RATE_FILE_PARAMETER) or None
        if path:
            path = self._check_rate_file(path)
        rows = self.env["recouvrement.rate"]._get_engine_rows()
        key = (path, os.path.getmtime(path) if path else None, rows)
        if key not in _RATES:
            _RATES.clear()
            try:
                table = RateTable.load(user_file=Path(path) if path else None)
                known = [row for series in SERIES_NAMES for row in table.rows(series)]
                _RATES[key] = RateTable([*known, *rows], table.user_file)
            except (OSError, UnicodeDecodeError, RecouvrementError) as error:
                _RATES[key] = error
        table = _RATES[key]
        if isinstance(table, Exception):
            raise UserError(
                self.env._(
                    "The rate file %(path)s cannot be used: %(error)s", path=path, error=table
                )
            )
        return table

    @api.model
    def _get_rate_directory(self):
        """Where rate files may be: the server option ``recouvrement_rates_dir``, else the
        ``recouvrement_rates`` folder of Odoo's data directory."""
        directory = tools.config.get(RATES_DIR_OPTION) or os.path.join(
            tools.config["data_dir"], "recouvrement_rates"
        )
        return os.path.realpath(directory)

    @api.model
    def _check_rate_file(self, path):
        """The real path of the rate file, which must be a file in the rate directory."""
        directory = self._get_rate_directory()
        real = os.path.realpath(path)
        if os.path.commonpath([directory, real]) != directory:
            raise UserError(
                self.env._(
                    "The rate file %(path)s is outside the directory of rate files "
                    "(%(directory)s, server option recouvrement_rates_dir).",
                    path=path,
                    directory=directory,
                )
            )
        if not os.path.isfile(real):
            raise UserError(self.env._("The rate file %s does not exist.", path))
        return real

    # ------------------------------------------------------------------
    # Settlements: payments and credit notes, in one query
    # ------------------------------------------------------------------
    @api.model
    def _get_settlements(self, moves):
        """``{move_id: (Settlement, …)}``: what paid or credited each customer invoice."""
        result = defaultdict(list)
        if not moves:
            return result
        self.env["account.partial.reconcile"].flush_model()
        self.env["account.move.line"].flush_model(["move_id", "account_id"])
        self.env["account.move"].flush_model(["move_type", "name"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT invoice_line.move_id, partial.max_date, partial.amount,
                       counterpart.move_type, counterpart.name
                  FROM account_partial_reconcile partial
                  JOIN account_move_line invoice_line ON invoice_line.id = partial.debit_move_id
                  JOIN account_move_line credit_line ON credit_line.id = partial.credit_move_id
                  JOIN account_move counterpart ON counterpart.id = credit_line.move_id
                 WHERE invoice_line.move_id = ANY(%s)
                   AND partial.amount > 0
              ORDER BY partial.max_date, partial.id
                """,
                list(moves.ids),
            )
        )
        for move_id, day, amount, move_type, name in rows:
            kind = (
                SettlementKind.CREDIT_NOTE if move_type == "out_refund" else SettlementKind.PAYMENT
            )
            result[move_id].append(Settlement(day, to_decimal(amount), kind, name or ""))
        return {move_id: tuple(items) for move_id, items in result.items()}

    # ------------------------------------------------------------------
    # Parties, invoices, claims
    # ------------------------------------------------------------------
    @api.model
    def _get_address(self, partner):
        return Address(
            street=partner.street or "",
            zip=partner.zip or "",
            city=partner.city or "",
            street2=partner.street2 or "",
            country=FRENCH_COUNTRY_NAMES.get(
                partner.country_id.code or "FR", partner.country_id.code
            ),
        )

    @api.model
    def _get_party(self, partner):
        """A partner (debtor or creditor) as an engine ``Party``."""
        bank = partner.bank_ids[:1]
        return Party(
            name=partner.name or "",
            address=self._get_address(partner),
            legal_form=partner.recouvrement_legal_form or "",
            siren=partner.recouvrement_siren or "",
            is_company=partner.is_company or partner._recouvrement_get_regime() != "b2c",
            email=partner.email or "",
            phone=partner.phone or partner.mobile or "",
            iban=(bank.acc_number and bank.acc_number.replace(" ", "")) or "",
            bic=bank.bank_id.bic or "",
        )

    @api.model
    def _get_creditor(self, company):
        """The company as the creditor: its party, RCS city, share capital (R123-237,
        R123-238 C. com.) and legal representative."""
        party = self._get_party(company.partner_id)
        capital = company.recouvrement_share_capital
        return dataclasses.replace(
            party,
            is_company=True,
            rcs_city=company.recouvrement_rcs_city or "",
            share_capital=to_decimal(capital) if capital else None,
            representative=company.recouvrement_legal_representative or party.representative,
        )

    @api.model
    def _get_signatory(self, company):
        if not company.recouvrement_signatory_name:
            return {}
        return {
            "name": company.recouvrement_signatory_name,
            "title": company.recouvrement_signatory_title or "",
        }

    @api.model
    def _get_engine_invoice(self, move, settlements):
        """An invoice (a record or its ``InvoiceFacts``) as an engine ``Invoice``."""
        return Invoice(
            number=move.name,
            amount=to_decimal(abs(move.amount_total_signed)),
            due_date=move.invoice_date_due or move.invoice_date,
            invoice_date=move.invoice_date,
            delivery_date=move.delivery_date or None,
            settlements=settlements.get(move.id, ()),
        )

    @api.model
    def _get_contractual_rate(self, company, regime):
        if regime is Regime.B2B and company.recouvrement_penalty_rate:
            return to_decimal(company.recouvrement_penalty_rate)
        return None

    @api.model
    def _get_account(self, partner, moves, settlements, notice_received=None, identity=True):
        """The engine ``Account`` of one debtor for ``moves`` (same company).

        Without ``identity`` the debtor's party is left empty: enough for penalties,
        which depend on the invoices and the regime only, and cheaper for thousands.
        """
        return self._make_account(
            partner,
            moves[:1].company_id or self.env.company,
            [self._get_engine_invoice(move, settlements) for move in moves],
            notice_received,
            identity,
        )

    @api.model
    def _make_account(self, partner, company, invoices, notice_received=None, identity=True):
        """The engine ``Account`` of one debtor for engine ``invoices`` of ``company``."""
        debtor = partner.commercial_partner_id
        regime = Regime(debtor._recouvrement_get_regime())
        return Account(
            key=str(debtor.id),
            party=self._get_party(debtor) if identity else ANONYMOUS_PARTY,
            regime=regime,
            invoices=tuple(invoices),
            contractual_rate=self._get_contractual_rate(company, regime),
            notice_received=notice_received or None,
        )

    @api.model
    def _get_ledger(self, company, account, as_of):
        return Ledger(
            as_of=as_of,
            creditor=self._get_creditor(company),
            accounts=(account,),
            signatory=self._get_signatory(company),
            gdpr=company._recouvrement_get_gdpr(),
            terms_on_invoices=company.recouvrement_terms_on_invoices,
            registered_channel=company.recouvrement_registered_channel or "lrar",
        )

    @api.model
    def _compute_decomptes(
        self, moves, as_of, allow_provisional=True, settlements=None, facts=None
    ):
        """``{move_id: InvoiceDecompte}`` for customer invoices, on ``as_of``.

        Invoices are grouped into one claim per company, debtor and date of receipt of the
        mise en demeure (which starts legal interest for a consumer); a claim the engine
        refuses (missing rate, inconsistent data) leaves its invoices out and is logged.
        The invoices' fields are read in one query, as plain ``InvoiceFacts``, unless
        the caller read them already (``facts``: tuples with the same names): a run
        computes thousands.
        """
        if facts is None:
            facts = moves._recouvrement_select(FACT_FIELDS, InvoiceFacts)
        facts = [fact for fact in facts if fact.move_type == "out_invoice" and fact.name]
        if settlements is None:
            settlements = self._get_settlements(moves.browse([fact.id for fact in facts]))
        groups = defaultdict(list)
        for fact in facts:
            if fact.amount_total_signed <= 0 or not (fact.invoice_date_due or fact.invoice_date):
                continue
            key = (fact.company_id, fact.partner_id, fact.recouvrement_notice_date)
            groups[key].append(fact)
        Partner = self.env["res.partner"].with_prefetch([key[1] for key in groups])
        Company = self.env["res.company"]
        result = {}
        rates = self._get_rate_table()
        for (company_id, partner_id, notice), group in groups.items():
            invoices = [self._get_engine_invoice(fact, settlements) for fact in group]
            account = self._make_account(
                Partner.browse(partner_id), Company.browse(company_id), invoices, notice, False
            )
            try:
                decompte = compute_decompte(
                    account.claim(), as_of, rates, allow_provisional=allow_provisional
                )
            except Exception as error:  # the engine names what is wrong
                names = [fact.name for fact in group]
                _logger.warning("Cannot compute penalties of %s: %s", names, error)
                continue
            by_number = {line.number: line for line in decompte.invoices}
            for fact in group:
                result[fact.id] = by_number[fact.name]
        return result

    @api.model
    def _combine_decomptes(self, lines, as_of, regime):
        """One ``Decompte`` of invoice lines computed by `_compute_decomptes`."""
        return Decompte(
            as_of=as_of,
            regime=Regime(regime),
            invoices=tuple(lines),
            warnings=(),
            provisional=any(line.provisional for line in lines),
        )

    # ------------------------------------------------------------------
    # Court dossiers
    # ------------------------------------------------------------------
    @api.model
    def _get_reminder_history(self, communications):
        """Communications with a letter, as the engine's reminder history: each by the
        channel it actually went out on (a failed or queued e-mail is not a reminder)."""
        reminders = []
        for communication in communications.sorted(lambda c: (c.date, c.id)):
            channel = communication._get_sent_channel()
            if not channel or not communication.letter_kind:
                continue
            reminders.append(
                Reminder(
                    reference=communication.name,
                    kind=communication.letter_kind,
                    day=communication.date,
                    invoices=tuple(communication.line_ids.move_id.mapped("name")),
                    channel=channel,
                    tracking_number=communication.registered_number or "",
                    received_on=communication.delivered_date or None,
                )
            )
        return tuple(reminders)

    @api.model
    def _build_dossier_case(
        self,
        partner,
        moves,
        communications,
        exhibits,
        *,
        as_of,
        reference="",
        nature="",
        procedure=None,
        court=None,
        flags=None,
    ):
        """The engine ``Case`` of a court dossier, from records.

        ``exhibits`` are engine ``ExhibitFile``; ``court`` an engine ``Court`` chosen by the
        user (None: the engine's court list decides); ``flags`` a ``CaseFlags``.
        """
        from recouvrement.dossier import Case, CaseFlags, Signatory

        company = moves[:1].company_id or self.env.company
        moves = moves.sorted(lambda move: (move.invoice_date_due or move.invoice_date, move.id))
        settlements = self._get_settlements(moves)
        notices = set(moves.mapped("recouvrement_notice_date")) - {False}
        notice = min(notices) if notices else None
        account = self._get_account(partner, moves, settlements, notice)
        pauses = self.env["recouvrement.run"].new({"company_id": company.id})._get_pauses(moves)
        states = {
            move.name: ReminderState(pauses=pauses[move.id])
            for move in moves
            if pauses.get(move.id)
        }
        account = dataclasses.replace(
            account, states=states, reminders=self._get_reminder_history(communications)
        )
        creditor = self._get_creditor(company)
        signatory = None
        if company.recouvrement_signatory_name:
            representative = ", ".join(
                part
                for part in (
                    company.recouvrement_signatory_name,
                    company.recouvrement_signatory_title,
                )
                if part
            )
            if not company.recouvrement_legal_representative:
                creditor = dataclasses.replace(creditor, representative=representative)
            signatory = Signatory(
                company.recouvrement_signatory_name,
                company.recouvrement_signatory_title or "",
                company.partner_id.city or "",
            )
        return Case(
            creditor=creditor,
            account=account,
            as_of=as_of,
            reference=reference or "",
            signatory=signatory,
            nature=nature or "",
            invoices=tuple(moves.mapped("name")),
            exhibits=tuple(exhibits),
            court=court,
            procedure=procedure,
            flags=flags or CaseFlags(),
            gdpr=company._recouvrement_get_gdpr(),
            terms_on_invoices=company.recouvrement_terms_on_invoices,
            origin=reference or f"dossier of {partner.display_name}",
        )

    @api.model
    def _get_court_table(self):
        from recouvrement.dossier import CourtTable

        if "courts" not in _COURTS:
            _COURTS["courts"] = CourtTable.load(user_file=None)
        return _COURTS["courts"]

    @api.model
    def _build_dossier(self, case, **options):
        """Run the engine's ``build_dossier`` with the process's LibreOffice."""
        from recouvrement.dossier import build_dossier

        options.setdefault("rates", self._get_rate_table())
        options.setdefault("courts", self._get_court_table())
        return build_dossier(case, _get_converter(), **options)

    @api.model
    def _check_dossier(self, case, **options):
        """Every check of ``build_dossier`` (guards, court, mentions), nothing converted."""
        from recouvrement.dossier import build_dossier

        options.setdefault("rates", self._get_rate_table())
        options.setdefault("courts", self._get_court_table())
        try:
            build_dossier(case, _DryRunConverter(), **options)
        except _DryRun:
            return True
        return True

    # ------------------------------------------------------------------
    # Letters
    # ------------------------------------------------------------------
    @api.model
    def _build_letter_context(
        self, kind, partner, moves, letter_date, reference, first_letter=None, settlements=None
    ):
        """The template context of one letter, and its décompte, from the engine.

        Letters never use provisional rates: a missing rate raises ``MissingRate``, with
        the addon's explanation (the letter waits; where to enter the rate).
        """
        moves = moves.sorted(lambda move: (move.invoice_date_due or move.invoice_date, move.id))
        if settlements is None:
            settlements = self._get_settlements(moves)
        notices = set(moves.mapped("recouvrement_notice_date"))
        notice = notices.pop() if len(notices) == 1 else None
        account = self._get_account(partner, moves, settlements, notice)
        ledger = self._get_ledger(moves[:1].company_id or self.env.company, account, letter_date)
        try:
            return build_letter_context(
                kind,
                ledger,
                account,
                [move.name for move in moves],
                letter_date=letter_date,
                reference=reference,
                rates=self._get_rate_table(),
                first_letter=first_letter,
            )
        except MissingRate as error:
            explanation = self.env["recouvrement.rate"]._explain_missing_rate(error)
            raise MissingRate(explanation, error.series, error.half_year) from error

    @api.model
    def _render_letter(self, template, context):
        """Check the mentions and render: ``template`` is a kind or the DOCX bytes.

        The engine reads any other string as a file path: a kind from the records is
        checked against the engine's list first, so it never names a server file.
        """
        if not isinstance(template, bytes) and template not in KINDS:
            raise UserError(self.env._("Unknown letter kind: %s", template))
        return render_letter(template, context)

    @api.model
    def _render_adhoc_letter(self, report, partner, moves, kind, reference):
        """Render one letter now, not stored, for the Print menu: ``(filename, docx)``."""
        today = fields.Date.context_today(self)
        context, _decompte = self._build_letter_context(kind, partner, moves, today, reference)
        docx = self._render_letter(report._get_docx_template(kind), context)
        name = f"{reference} {partner.name or ''}".strip()
        return (f"{tools.osutil.clean_filename(name)}.docx", docx)

    # ------------------------------------------------------------------
    # PDF
    # ------------------------------------------------------------------
    @api.model
    def _convert_to_pdf(self, documents, return_exceptions=False):
        """Convert DOCX documents (any iterable, consumed as it comes) to PDF.

        The process keeps one long-lived LibreOffice per core (``$RECOUVREMENT_CONVERTERS``
        to change), which convert in parallel while the next documents are rendered. With
        ``return_exceptions``, a document that cannot be converted gets its
        ``ConversionError`` in its place and the others are converted.
        """
        return _get_converter().convert_many(documents, return_exceptions=return_exceptions)

    @api.model
    def _merge_pdfs(self, titled_pdfs):
        """One PDF from ``[(title, pdf bytes)]``, one bookmark per document."""
        return merge_pdfs(list(titled_pdfs)).pdf


def _get_converter():
    with _CONVERTER_LOCK:
        if "converter" not in _CONVERTER:
            _CONVERTER["converter"] = PdfConverterPool()
            # The offices outlive their Python process unless stopped: stop them at exit
            # (server shutdown, worker recycling, end of a test run).
            atexit.register(_close_converter)
        return _CONVERTER["converter"]


def _close_converter():
    converter = _CONVERTER.pop("converter", None)
    if converter is not None:
        converter.close()


class _DryRun(Exception):
    """Raised by :class:`_DryRunConverter`: every check passed, nothing to convert."""


class _DryRunConverter:
    def convert_many(self, documents):
        raise _DryRun()

    def convert(self, document):
        raise _DryRun()
