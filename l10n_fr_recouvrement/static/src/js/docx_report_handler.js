/** @odoo-module **/
// Print DOCX reports ("docx": the Word file, "docx-pdf": the same as PDF) from the
// standard Print menu: the file is downloaded through /report/download.

import { download } from "@web/core/network/download";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";

const CONVERTERS = { docx: "docx", "docx-pdf": "docxpdf" };

async function docxReportHandler(action, options, env) {
    const converter = CONVERTERS[action.report_type];
    if (!converter) {
        return false;
    }
    const context = { ...user.context, ...(action.context || {}) };
    let url = `/report/${converter}/${action.report_name}`;
    if (context.active_ids) {
        url += `/${context.active_ids.join(",")}`;
    }
    env.services.ui.block();
    try {
        await download({
            url: "/report/download",
            data: {
                data: JSON.stringify([url, action.report_type]),
                context: JSON.stringify(context),
            },
        });
    } finally {
        env.services.ui.unblock();
    }
    if (action.close_on_report_download) {
        return env.services.action.doAction(
            { type: "ir.actions.act_window_close" },
            { onClose: options.onClose }
        );
    }
    if (options.onClose) {
        options.onClose();
    }
    return true;
}

registry.category("ir.actions.report handlers").add("l10n_fr_recouvrement_docx", docxReportHandler);
