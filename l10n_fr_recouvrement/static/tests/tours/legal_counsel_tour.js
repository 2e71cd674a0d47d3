/** @odoo-module **/
// Legal counsel's day, in French: a dossier made ready, its exhibits, two exported
// versions. Driven by tests/test_tours.py, which prepares the dossier.

import { registry } from "@web/core/registry";
import { screenshot, stateIs } from "./tour_utils";

registry.category("web_tour.tours").add("recouvrement_legal_dossier", {
    steps: () => [
        {
            content: "the draft dossier of Dupont",
            trigger: ".o_list_view .o_data_row:contains(Dupont):contains(Brouillon) td[name=partner_id]",
            run: "click",
        },
        stateIs("Brouillon"),
        {
            content: "the principal of the two invoices",
            trigger: ".o_form_view [name=amount_principal]:contains(2 000,00 €)",
        },
        {
            content: "the indemnity of 40 € per invoice",
            trigger: ".o_form_view [name=amount_indemnity]:contains(80,00 €)",
        },
        screenshot("09-dossier-brouillon"),
        {
            content: "an injonction de payer rather than the proposed PSRPC",
            trigger: ".o_form_view [name=procedure] select",
            run: 'select "injonction_de_payer"',
        },
        {
            trigger: ".o_form_view button[name=action_gather_exhibits]",
            run: "click",
        },
        {
            trigger: ".o_notebook .nav-link[name=exhibits]",
            run: "click",
        },
        {
            trigger: ".o_form_view [name=exhibit_ids] .o_data_row:contains(Conditions générales de vente)",
        },
        {
            trigger: ".o_form_view [name=exhibit_ids] .o_data_row:contains(Mise en demeure)",
        },
        screenshot("10-pieces"),
        {
            trigger: ".o_form_view button[name=action_ready]",
            run: "click",
        },
        stateIs("Prêt"),
        {
            content: "the competent court, found from the registered office",
            trigger: ".o_form_view [name=court_name]:contains(Tribunal des activités économiques de Paris)",
        },
        {
            trigger: ".o_form_view button[name=action_export].btn-primary",
            run: "click",
        },
        stateIs("Exporté"),
        {
            trigger: ".o_form_view button[name=action_export]:not(.btn-primary)",
            run: "click",
        },
        {
            content: "two versions, both kept",
            trigger: ".o_form_view button[name=action_open_exports]:contains(2)",
        },
        {
            trigger: ".o_notebook .nav-link[name=exports]",
            run: "click",
        },
        {
            content: "the new version first, exported by counsel",
            trigger:
                ".o_form_view [name=export_ids] .o_data_row:eq(0):has(td[name=version]:contains(2)):contains(Anne Roux)",
        },
        {
            trigger: ".o_form_view [name=export_ids] .o_data_row:eq(1):has(td[name=version]:contains(1))",
        },
        stateIs("Exporté"),
        screenshot("11-deux-versions-exportees"),
    ],
});
