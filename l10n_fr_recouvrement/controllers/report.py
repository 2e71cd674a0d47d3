import json
import logging

import werkzeug.exceptions

from odoo import http
from odoo.http import content_disposition, request
from odoo.tools.misc import html_escape

from odoo.addons.web.controllers.report import ReportController

_logger = logging.getLogger(__name__)

CONVERTERS = {"docx": "docx", "docxpdf": "docx-pdf"}
MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
    "pdf": "application/pdf",
}


class DocxReportController(ReportController):
    """``/report/docx/…`` and ``/report/docxpdf/…``: the DOCX report types."""

    @http.route()
    def report_routes(self, reportname, docids=None, converter=None, **data):
        if converter not in CONVERTERS:
            return super().report_routes(reportname, docids=docids, converter=converter, **data)
        context = dict(request.env.context)
        if data.get("context"):
            context.update(json.loads(data["context"]))
        ids = [int(i) for i in docids.split(",") if i.isdigit()] if docids else []
        reports = request.env["ir.actions.report"].with_context(context)
        report = reports._get_report_from_name(reportname)
        content, extension = reports._render(report, ids)
        records = request.env[report.model].browse(ids)
        filename = report._get_docx_filename(records, extension)
        return request.make_response(
            content,
            headers=[
                ("Content-Type", MIMETYPES.get(extension, "application/octet-stream")),
                ("Content-Length", len(content)),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )

    @http.route()
    def report_download(self, data, context=None, token=None, readonly=True):
        url, report_type = json.loads(data)[:2]
        if report_type not in CONVERTERS.values():
            return super().report_download(data, context=context, token=token, readonly=readonly)
        converter = "docx" if report_type == "docx" else "docxpdf"
        path = url.split(f"/report/{converter}/")[1].split("?")[0]
        reportname, _sep, docids = path.partition("/")
        try:
            return self.report_routes(
                reportname, docids=docids or None, converter=converter, context=context
            )
        except Exception as error:
            # As the standard route does: the web client shows the message in a dialog.
            _logger.warning("Error while generating report %s", reportname, exc_info=True)
            payload = {
                "code": 200,
                "message": "Odoo Server Error",
                "data": http.serialize_exception(error),
            }
            response = request.make_response(html_escape(json.dumps(payload)))
            raise werkzeug.exceptions.InternalServerError(response=response) from error
