import base64
import io
import zipfile

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.safe_eval import safe_eval, time

from recouvrement.errors import RecouvrementError

DOCX_TYPES = ("docx", "docx-pdf")


class IrActionsReport(models.Model):
    """DOCX reports: letters rendered by the engine from Word templates.

    ``docx`` prints the Word document, ``docx-pdf`` the same converted to PDF. The template
    is the uploaded file, else the engine's default template for the letter kind. The
    printed records say what goes into the letter through
    ``_recouvrement_get_docx_letters(report)``.
    """

    _name = "ir.actions.report"
    _inherit = ["ir.actions.report", "recouvrement.server.fields.mixin"]

    report_type = fields.Selection(
        selection_add=[("docx", "DOCX"), ("docx-pdf", "PDF (from DOCX)")],
        ondelete={"docx": "cascade", "docx-pdf": "cascade"},
    )
    recouvrement_letter_kind = fields.Selection(
        selection=lambda self: self.env["recouvrement.policy.level"]._selection_letter_kind(),
        string="Letter kind",
        help="The kind of letter: its mandatory mentions are checked, and its default "
        "template is used when no template is uploaded.",
    )
    docx_template = fields.Binary(string="DOCX template", attachment=True)
    docx_template_filename = fields.Char()

    def _is_docx(self):
        self.ensure_one()
        return self.report_type in DOCX_TYPES

    def _get_docx_template(self, kind=None):
        """The uploaded template's bytes, else the engine kind (its default template)."""
        self.ensure_one()
        if self.docx_template:
            return base64.b64decode(self.sudo().with_context(bin_size=False).docx_template)
        return self.recouvrement_letter_kind or kind

    @api.model
    def _render_docx_documents(self, report_ref, res_ids):
        """``[(filename, docx bytes)]`` for the records printed."""
        report = self._get_report(report_ref)
        if not report._is_docx():
            raise UserError(self.env._("%s is not a DOCX report.", report.name))
        records = self.env[report.model].browse(res_ids or [])
        records.check_access("read")
        try:
            return records._recouvrement_get_docx_letters(report)
        except RecouvrementError as error:
            raise UserError(str(error)) from error

    @api.model
    def _render_docx(self, report_ref, res_ids, data=None):
        """One DOCX, or a ZIP archive of DOCX when several letters are printed."""
        documents = self._render_docx_documents(report_ref, res_ids)
        if len(documents) == 1:
            return documents[0][1], "docx"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in documents:
                archive.writestr(name, content)
        return buffer.getvalue(), "zip"

    @api.model
    def _render_docx_pdf(self, report_ref, res_ids, data=None):
        """One PDF with every letter, one bookmark per letter."""
        documents = self._render_docx_documents(report_ref, res_ids)
        engine = self.env["recouvrement.engine"]
        pdfs = [content if name.endswith(".pdf") else None for name, content in documents]
        to_convert = [
            content for (name, content), pdf in zip(documents, pdfs, strict=True) if pdf is None
        ]
        converted = iter(engine._convert_to_pdf(to_convert))
        pdfs = [pdf if pdf is not None else next(converted) for pdf in pdfs]
        if len(pdfs) == 1:
            return pdfs[0], "pdf"
        titles = [name.rsplit(".", 1)[0] for name, _content in documents]
        return engine._merge_pdfs(list(zip(titles, pdfs, strict=True))), "pdf"

    def _get_docx_filename(self, records, extension):
        self.ensure_one()
        name = self.name
        if self.print_report_name and len(records) == 1:
            name = safe_eval(self.print_report_name, {"object": records, "time": time})
        return f"{name}.{extension}"
