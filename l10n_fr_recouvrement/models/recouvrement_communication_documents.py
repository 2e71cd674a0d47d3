"""A communication's letter: the engine's figures, the DOCX and its PDF, with their SHA-256."""

import hashlib
import logging

from odoo import api, models, tools

from recouvrement.errors import RecouvrementError

_logger = logging.getLogger(__name__)


class RecouvrementCommunication(models.Model):
    _inherit = "recouvrement.communication"

    # ------------------------------------------------------------------
    # Documents
    # ------------------------------------------------------------------
    def _get_letter_template(self):
        """The DOCX template: the level's report, else the engine's default for the kind."""
        self.ensure_one()
        report = self.level_id.report_id
        if report:
            return report._get_docx_template(self.letter_kind)
        return self.letter_kind

    def _get_first_letters(self):
        """``{communication_id: {"reference", "date"}}``: the first letter about its invoices."""
        lines = self.env["recouvrement.communication.line"].search(
            [
                ("move_id", "in", self.line_ids.move_id.ids),
                ("communication_id", "not in", self.ids),
                ("state", "in", ("to_send", "sent", "delivered")),
                ("letter_kind", "!=", False),
            ],
            order="date, id",
        )
        first_by_move = {}
        for line in lines:
            first_by_move.setdefault(line.move_id.id, line.communication_id)
        result = {}
        for communication in self:
            firsts = [
                first_by_move[m.id] for m in communication.line_ids.move_id if m.id in first_by_move
            ]
            if firsts:
                first = min(firsts, key=lambda comm: (comm.date, comm.id))
                result[communication.id] = {"reference": first.name, "date": first.date}
        return result

    def _generate_documents(self):
        """Compute the amounts with the engine and render every letter, in one batch.

        Letters are rendered one by one while the engine's converters turn the previous
        ones into PDF on the other cores. A letter the engine refuses (a mandatory
        mention missing, a rate not published) marks its communication as failed with
        the engine's message.
        """
        engine = self.env["recouvrement.engine"]
        settlements = engine._get_settlements(self.line_ids.move_id)
        with_letter = self.filtered("letter_kind")
        first_letters = with_letter._get_first_letters() if with_letter else {}
        without_letter = self - with_letter
        decomptes = {}
        for day in set(without_letter.mapped("date")):
            moves = without_letter.filtered(lambda comm, day=day: comm.date == day).line_ids.move_id
            decomptes[day] = engine._compute_decomptes(moves, day, settlements=settlements)
        for communication in without_letter:
            communication._store_amounts(
                communication._sum_decomptes(decomptes[communication.date])
            )
        rendered = []

        def letters():
            for communication in with_letter:
                try:
                    docx, decompte = communication._render_letter(
                        engine, settlements, first_letters
                    )
                except RecouvrementError as error:
                    communication._mark_failed(str(error))
                    continue
                except Exception as error:  # a broken custom template, say
                    _logger.exception("Letter of %s not rendered", communication.name)
                    communication._mark_failed(self.env._("Letter: %s", error))
                    continue
                communication._store_amounts(decompte)
                rendered.append((communication, docx))
                yield docx

        try:
            pdfs = engine._convert_to_pdf(letters(), return_exceptions=True)
        except Exception as error:  # LibreOffice missing or unable to start
            _logger.exception("PDF conversion failed")
            with_letter.filtered(lambda comm: comm.state != "failed")._mark_failed(
                self.env._("PDF conversion: %s", error)
            )
            return
        documents = []
        for (communication, docx), pdf in zip(rendered, pdfs, strict=True):
            if isinstance(pdf, Exception):
                communication._mark_failed(self.env._("PDF conversion: %s", pdf))
            else:
                documents.append((communication, docx, pdf))
        self._store_documents(documents)

    def _mark_failed(self, reason):
        self._server_write({"state": "failed", "failure_reason": reason})

    def _render_letter(self, engine, settlements, first_letters):
        """``(docx, decompte)``: the letter of this communication and its figures."""
        self.ensure_one()
        context, decompte = engine._build_letter_context(
            self.letter_kind,
            self.partner_id,
            self.line_ids.move_id,
            self.date,
            self.name,
            first_letter=first_letters.get(self.id),
            settlements=settlements,
        )
        if context.get("registered_channel"):
            # The mise en demeure names the channel it will really go through.
            context["registered_channel"] = self._get_registered_letter_channel()
        return engine._render_letter(self._get_letter_template(), context), decompte

    def _sum_decomptes(self, results):
        """The engine's figures of this communication's invoices, as one décompte."""
        self.ensure_one()
        lines = [results[move.id] for move in self.line_ids.move_id if move.id in results]
        return self.env["recouvrement.engine"]._combine_decomptes(lines, self.date, self.regime)

    @api.model
    def _get_amount_values(self, decompte):
        return {
            "amount_principal": float(decompte.principal),
            "amount_penalty": float(decompte.interest),
            "amount_indemnity": float(decompte.indemnity),
            "amount_total": float(decompte.total),
            "amount_daily": float(decompte.daily_amount),
            "penalty_provisional": decompte.provisional,
        }

    @api.model
    def _get_line_amount_values(self, figures):
        return {
            "amount_residual": float(figures.balance),
            "penalty_amount": float(figures.interest),
            "indemnity_amount": float(figures.indemnity),
            "days_late": figures.days_late,
        }

    def _store_amounts(self, decompte):
        """Write the engine's figures where they changed (they rarely do after a run)."""
        self.ensure_one()
        by_number = {line.number: line for line in decompte.invoices}
        for line in self.line_ids:
            figures = by_number.get(line.move_id.name)
            if not figures:
                continue
            values = self._get_line_amount_values(figures)
            changed = {name: value for name, value in values.items() if line[name] != value}
            if changed:
                line._server_write(changed)
        values = {
            **self._get_amount_values(decompte),
            "documents_stale": False,
            "failure_reason": False,
        }
        changed = {name: value for name, value in values.items() if self[name] != value}
        if changed:
            self._server_write(changed)

    def _get_document_filename(self, extension):
        self.ensure_one()
        name = f"{self.name} {self.partner_id.name or ''}".strip()
        return f"{tools.osutil.clean_filename(name)}.{extension}"

    def _store_documents(self, documents):
        """Attach the DOCX and PDF of each letter, with their SHA-256, in one batch."""
        old = (self.docx_attachment_id | self.pdf_attachment_id).sudo()
        vals_list = []
        for communication, docx, pdf in documents:
            for payload, extension, mimetype in (
                (
                    docx,
                    "docx",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ),
                (pdf, "pdf", "application/pdf"),
            ):
                vals_list.append(
                    {
                        "name": communication._get_document_filename(extension),
                        "raw": payload,
                        "mimetype": mimetype,
                        "res_model": self._name,
                        "res_id": communication.id,
                        "company_id": communication.company_id.id,
                    }
                )
        attachments = self.env["ir.attachment"].sudo().create(vals_list)
        for index, (communication, docx, pdf) in enumerate(documents):
            communication._server_write(
                {
                    "docx_attachment_id": attachments[2 * index].id,
                    "pdf_attachment_id": attachments[2 * index + 1].id,
                    "docx_sha256": hashlib.sha256(docx).hexdigest(),
                    "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
                }
            )
        old.unlink()
