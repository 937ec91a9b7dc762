import { registry } from "@web/core/registry";

// A service user disposes of a unit taken back from its customer: Dispose opens the
// disposal, recycling is the default, the certificate number is noted, and the unit
// leaves the installed base (archived).
registry.category("web_tour.tours").add("after_sales_end_of_life_tour", {
    steps: () => [
        {
            content: "The unit is back in our stock",
            trigger: ".o_form_view .o_statusbar_status button[data-value=taken_back].o_arrow_button_current",
        },
        {
            content: "Dispose of it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_dispose]",
            run: "click",
        },
        {
            content: "Scrap it",
            trigger: ".modal div[name=kind] input[data-value=scrap]",
            run: "click",
        },
        {
            content: "Note the certificate number",
            trigger: ".modal div[name=certificate_reference] input",
            run: "edit CERT-TOUR-42",
        },
        {
            content: "Confirm the disposal",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The unit is archived: out of the installed base",
            trigger: ".o_form_view .o_statusbar_status button[data-value=disposed].o_arrow_button_current",
        },
    ],
});
