/** @odoo-module **/
// The accountant's day, in French: settings, a run with its preview, sending, printing,
// disputes and promises. Driven by tests/test_tours.py, which prepares the data.

import { download } from "@web/core/network/download";
import { registry } from "@web/core/registry";
import { collectionMenu, screenshot, stateIs } from "./tour_utils";

const tours = registry.category("web_tour.tours");
const { DateTime } = luxon;

tours.add("recouvrement_accountant_settings", {
    steps: () => [
        {
            content: "the collection section of the Invoicing settings, in French",
            trigger: ".app_settings_block[data-key=account] h2:contains(Recouvrement (France))",
            run() {
                this.anchor.scrollIntoView();
            },
        },
        ...[
            ["recouvrement_policy_id", "Politique de relance"],
            ["recouvrement_signatory_name", "Lettres signées par"],
            ["recouvrement_rcs_city", "Ville du greffe (RCS)"],
            ["recouvrement_gdpr_controller", "Responsable du traitement"],
            ["recouvrement_court_file", "Fichier des tribunaux"],
        ].map(([field, label]) => ({
            content: `the field ${field} has its French label`,
            trigger: `.o_setting_box:has([name=${field}]) .o_form_label:contains(${label})`,
        })),
        {
            content: "the legal rate unless a contractual rate is ticked: no rate shown",
            trigger:
                ".o_setting_box:has([name=recouvrement_use_contractual_rate]):contains(Appliquer un taux contractuel de pénalités):contains(Décoché : le taux légal):not(:has([name=recouvrement_use_contractual_rate] input:checked))",
        },
        {
            trigger: ".o_settings_container:not(:has([name=recouvrement_penalty_rate]))",
        },
        screenshot("01-reglages-recouvrement"),
        {
            trigger: "[name=recouvrement_use_contractual_rate] input",
            run: "click",
        },
        {
            content: "ticked: the contractual rate, labelled",
            trigger:
                ".o_setting_box:has([name=recouvrement_penalty_rate]) .o_form_label:contains(Taux contractuel des pénalités (%))",
        },
        {
            content: "left to the legal rate",
            trigger: "[name=recouvrement_use_contractual_rate] input:checked",
            run: "click",
        },
        {
            trigger: ".o_settings_container:not(:has([name=recouvrement_penalty_rate]))",
        },
        {
            trigger: "[name=recouvrement_signatory_name] input",
            run: "edit Claire Lefèvre",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "saved: the page reloads with the new signatory, nothing left to save",
            trigger:
                "body:not(:has(.o_form_dirty)) .o_settings_container [name=recouvrement_signatory_name] input:value(Claire Lefèvre)",
        },
    ],
});

tours.add("recouvrement_accountant_run", {
    steps: () => [
        ...collectionMenu("menu_recouvrement_run_wizard"),
        {
            trigger: ".modal .modal-title:contains(Lancer une campagne de relance)",
        },
        {
            content: "preview what the run will send",
            trigger: ".modal button[name=action_preview]",
            run: "click",
        },
        {
            trigger:
                ".modal [name=line_ids] .o_data_row:contains(Dupont):contains(Relance ferme):contains(1 234,56 €)",
        },
        {
            trigger:
                ".modal [name=line_ids] .o_data_row:contains(Atelier Martin):contains(Relance courtoise):contains(2 500,00 €)",
        },
        {
            content: "the preview's total",
            trigger: ".modal [name=line_ids] tfoot:contains(3 734,56 €)",
        },
        screenshot("02-apercu-campagne"),
        {
            trigger: ".modal button[name=action_run]",
            run: "click",
        },
        stateIs("Terminée"),
        {
            content: "two communications, as previewed",
            trigger: ".o_form_view button[name=action_open_communications]:contains(2)",
        },
        screenshot("03-campagne-terminee"),
    ],
});

tours.add("recouvrement_accountant_send", {
    steps: () => [
        {
            content: "the run's drafts, to review",
            trigger: ".o_list_view .o_data_row:contains(Dupont):contains(Relance ferme):contains(Brouillon)",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Atelier Martin):contains(Relance courtoise):contains(Brouillon)",
        },
        screenshot("04-communications-a-valider"),
        {
            content: "review Dupont's letter",
            trigger: ".o_list_view .o_data_row:contains(Dupont):contains(Relance ferme) td[name=partner_id]",
            run: "click",
        },
        stateIs("Brouillon"),
        {
            content: "the invoice, its balance, 50 days of penalties at 12,15 % and the indemnity",
            trigger:
                ".o_form_view [name=line_ids] .o_data_row:contains(1 234,56 €):contains(20,55 €):contains(40,00 €)",
        },
        screenshot("05-relance-ferme"),
        {
            content: "back to the list",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "select every communication",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "send them",
            trigger: ".o_control_panel button[name=action_send]",
            run: "click",
        },
        {
            content: "queued for the background job",
            trigger: ".o_list_view .o_data_row:contains(Atelier Martin) td[name=partner_id]",
            run: "click",
        },
        {
            trigger: ".o_form_view .alert-info:contains(tâche de fond)",
        },
    ],
});

tours.add("recouvrement_accountant_print", {
    steps: () => [
        {
            content: "the e-mail went out, the letter is to post",
            trigger: ".o_list_view .o_data_row:contains(Atelier Martin):contains(Envoyée)",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Dupont):contains(À envoyer) td[name=partner_id]",
            run: "click",
        },
        stateIs("À envoyer"),
        {
            content: "note each download the Print menu makes",
            trigger: ".o_form_view",
            run() {
                const send = download._download;
                download._download = async (options) => {
                    const result = await send(options);
                    const marker = document.createElement("div");
                    marker.className = "o_recouvrement_downloaded d-none";
                    marker.dataset.url = JSON.parse(options.data.data)[0];
                    document.body.appendChild(marker);
                    return result;
                };
            },
        },
        {
            trigger: ".o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "the Print menu offers the letter",
            trigger: ".o-dropdown--menu button:has(.fa-print)",
            run: "click",
        },
        screenshot("06-imprimer-la-lettre"),
        {
            trigger: ".o-dropdown--menu .o_menu_item:contains(Lettre de relance):contains(PDF)",
            run: "click",
        },
        {
            content: "the letter's report URL was downloaded",
            trigger:
                ".o_recouvrement_downloaded[data-url^='/report/docxpdf/l10n_fr_recouvrement.communication_letter_pdf/']:not(:visible)",
        },
        {
            content: "and no error",
            trigger: "body:not(:has(.o_error_dialog)):not(:has(.o_blockUI))",
        },
    ],
});

/** A new block of ``customer`` for ``reason`` (the selection's value). */
function newBlock(customer) {
    return [
        {
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_form_view [name=partner_id] input",
            run: `edit ${customer}`,
        },
        {
            trigger: `.o-autocomplete--dropdown-item a:contains(${customer})`,
            run: "click",
        },
    ];
}

tours.add("recouvrement_accountant_blocks", {
    steps: () => [
        ...newBlock("Atelier Martin"),
        {
            content: "a dispute by default",
            trigger: ".o_form_view [name=reason] select:has(option:selected:contains(Litige))",
        },
        {
            content: "on the disputed invoice, the only one of this customer",
            trigger: ".o_form_view [name=move_ids] input",
            run: "click",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:first-child a",
            run: "click",
        },
        {
            trigger: ".o_form_view [name=move_ids] .o_tag",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        ...newBlock("Dupont"),
        {
            trigger: ".o_form_view [name=reason] select",
            run: 'select "promise"',
        },
        {
            trigger: ".o_form_view [name=move_ids] input",
            run: "click",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:first-child a",
            run: "click",
        },
        {
            content: "the promised date, in two weeks",
            trigger: ".o_form_view [name=date_end] input",
            run: `edit ${DateTime.now().setZone("Europe/Paris").plus({ days: 14 }).toFormat("dd/MM/yyyy")}`,
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        screenshot("07-promesse-de-paiement"),
        {
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "both block the ladder today",
            trigger: ".o_list_view .o_data_row:contains(Atelier Martin):contains(Litige)",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Dupont):contains(Promesse de paiement)",
        },
        screenshot("08-litiges-et-promesses"),
    ],
});

tours.add("recouvrement_accountant_rates", {
    steps: () => [
        {
            content: "open Invoicing > Configuration",
            trigger: ".o_menu_sections [data-menu-xmlid='account.menu_finance_configuration']",
            run: "click",
        },
        {
            trigger: ".dropdown-menu [data-menu-xmlid='l10n_fr_recouvrement.menu_recouvrement_rate']",
            run: "click",
        },
        {
            content: "the shipped rows, grouped by series: ungroup to enter a row",
            trigger: ".o_searchview_facet:contains(Série) .o_facet_remove",
            run: "click",
        },
        {
            trigger: ".o_list_view:not(:has(.o_group_header)) .o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_selected_row [name=series] select",
            run: 'select "mro"',
        },
        {
            trigger: ".o_selected_row [name=date] input",
            run: "edit 01/07/2026",
        },
        {
            trigger: ".o_selected_row [name=rate] input",
            run: "edit 3,15",
        },
        {
            trigger: ".o_selected_row [name=source] input",
            run: "edit décision de la BCE du 5 juin 2026",
        },
        {
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "listed with its source, entered by hand",
            trigger:
                ".o_list_view .o_data_row:not(.o_selected_row):contains(01/07/2026):contains(3,1500):contains(décision de la BCE du 5 juin 2026):contains(Saisi à la main)",
        },
        screenshot("12-taux-saisi-a-la-main"),
        ...collectionMenu("menu_recouvrement_run_wizard"),
        {
            trigger: ".modal button[name=action_run]",
            run: "click",
        },
        stateIs("Terminée"),
        {
            trigger: ".o_form_view button[name=action_open_communications]",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Dupont):contains(Relance ferme) td[name=partner_id]",
            run: "click",
        },
        {
            content: "50 days of penalties at 13,15 % (the ECB rate of 1 July + 10 points)",
            trigger:
                ".o_form_view [name=line_ids] .o_data_row:contains(1 234,56 €):contains(22,24 €):contains(40,00 €)",
        },
        {
            content: "not provisional",
            trigger: ".o_form_view:not(:has(.alert-warning:contains(provisoires)))",
        },
        screenshot("13-penalites-au-taux-saisi"),
    ],
});
