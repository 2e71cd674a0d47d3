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

registry.category("web_tour.tours").add("recouvrement_legal_unknown_court", {
    steps: () => [
        {
            content: "the dossier of a debtor in Saint-Étienne",
            trigger: ".o_list_view .o_data_row:contains(Forges Stéphanoises):contains(Brouillon) td[name=partner_id]",
            run: "click",
        },
        {
            content: "no court in the list: the warning says where courts are set",
            trigger:
                ".o_form_view .alert-warning [name=warnings]:contains(connu pour 42000 Saint-Étienne):contains(Recouvrement > Tribunaux):contains(Autre tribunal)",
            run() {
                this.anchor.scrollIntoView({ block: "center" });
            },
        },
        screenshot("14-tribunal-inconnu"),
        {
            content: "counsel names a commercial court on the dossier",
            trigger: ".o_form_view [name=court_override_kind] select",
            run: 'select "commerce"',
        },
        {
            content: "leaving the name shows the address fields",
            trigger: ".o_form_view [name=court_override_name] input",
            run: "edit Tribunal de commerce de Saint-Étienne && click .o_form_view .o_horizontal_separator:contains(Voie et tribunal)",
        },
        {
            trigger: ".o_form_view [name=court_override_street] input",
            run: "edit Place Chavanelle",
        },
        {
            trigger: ".o_form_view [name=court_override_zip] input",
            run: "edit 42000",
        },
        {
            trigger: ".o_form_view [name=court_override_city] input",
            run: "edit Saint-Étienne",
        },
        {
            trigger: ".o_form_view button[name=action_refresh]",
            run: "click",
        },
        {
            content: "the dossier shows the court, and the warning is gone",
            trigger:
                ".o_form_view:not(:has(.alert-warning [name=warnings])) [name=court_name]:contains(Tribunal de commerce de Saint-Étienne)",
        },
        {
            trigger: ".o_form_view [name=court_address]:contains(Place Chavanelle, 42000 Saint-Étienne)",
        },
        stateIs("Brouillon"),
        screenshot("15-tribunal-renseigne"),
    ],
});
