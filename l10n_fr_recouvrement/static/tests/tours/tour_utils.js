/** @odoo-module **/
// Shared steps of the collection tours.

/** Ask the test for a screenshot of the screen as it is (RECOUVREMENT_SCREENSHOTS). */
export function screenshot(name) {
    return {
        content: `screenshot ${name}`,
        trigger: "body:not(:has(.o_blockUI))",
        async run() {
            console.log(`recouvrement-screenshot:${name}`);
            await new Promise((resolve) => setTimeout(resolve, 500));
        },
    };
}

/** Open a menu of the Collection menu, by its xmlid. */
export function collectionMenu(xmlid) {
    return [
        {
            content: "open the Collection menu",
            trigger: ".o_menu_sections [data-menu-xmlid='l10n_fr_recouvrement.menu_recouvrement_root']",
            run: "click",
        },
        {
            content: `open ${xmlid}`,
            trigger: `.dropdown-menu [data-menu-xmlid='l10n_fr_recouvrement.${xmlid}']`,
            run: "click",
        },
    ];
}

/** The status bar shows ``label`` as the record's state. */
export function stateIs(label) {
    return {
        content: `the state is ${label}`,
        trigger: `.o_statusbar_status button.o_arrow_button_current:contains(${label})`,
    };
}
