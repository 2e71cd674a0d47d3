import json
import logging

import werkzeug.exceptions

from odoo import http
from odoo.http import content_disposition, request
from odoo.tools.misc import html_escape

from odoo.addons.web.controllers.report import ReportController

_logger = logging.getLogger(__name__)

CONVERTERS = {"docx": "docx", "docxpdf": "docx-pdf"}
# What a client's context may change in a DOCX report: its language, time zone and
# companies (which Odoo checks against the user's). Other keys (``bin_size``, defaults,
# the module's own switches) never reach the rendering.
CLIENT_CONTEXT_KEYS = ("lang", "tz", "allowed_company_ids")
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
        context.update(_client_context(data.get("context")))
        ids = [int(i) for i in docids.split(",") if i.isdigit()] if docids else []
        reports = request.env["ir.actions.report"].with_context(context)
        report = reports._get_report_from_name(reportname)
        if not report or report.report_type != CONVERTERS[converter]:
            raise werkzeug.exceptions.NotFound()
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
        url, report_type = _parse_download_data(data)
        if report_type not in CONVERTERS.values():
            return super().report_download(data, context=context, token=token, readonly=readonly)
        converter = "docx" if report_type == "docx" else "docxpdf"
        prefix = f"/report/{converter}/"
        if prefix not in url:
            raise werkzeug.exceptions.BadRequest("the URL does not match the report type")
        path = url.split(prefix)[1].split("?")[0]
        reportname, _sep, docids = path.partition("/")
        try:
            return self.report_routes(
                reportname, docids=docids or None, converter=converter, context=context
            )
        except werkzeug.exceptions.HTTPException:
            raise  # a bad request or an unknown report: its own status, not a 500
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


def _client_context(raw):
    """The keys of the client's JSON ``context`` a report may use; 400 unless an object."""
    if not raw:
        return {}
    try:
        context = json.loads(raw)
    except ValueError:
        context = None
    if not isinstance(context, dict):
        raise werkzeug.exceptions.BadRequest("context must be a JSON object")
    return {key: context[key] for key in CLIENT_CONTEXT_KEYS if key in context}


def _parse_download_data(raw):
    """``(url, report type)`` of the download route's ``data``; 400 when malformed."""
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not (
        isinstance(data, list) and len(data) >= 2 and all(isinstance(v, str) for v in data[:2])
    ):
        raise werkzeug.exceptions.BadRequest("data must be a JSON list [url, report type]")
    return data[0], data[1]
