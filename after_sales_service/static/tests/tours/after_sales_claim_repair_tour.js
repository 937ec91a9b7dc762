import { registry } from "@web/core/registry";

// A service user resolves an accepted claim by a repair: the button creates the
// corrective service order and opens it.
registry.category("web_tour.tours").add("after_sales_claim_repair_tour", {
    steps: () => [
        {
            content: "The accepted claim of the tour customer",
            trigger: ".o_form_view .o_statusbar_status button[data-value=accepted].o_arrow_button_current",
        },
        {
            trigger: ".o_form_view div[name=partner_id]:contains(Tour Claim Customer)",
        },
        {
            content: "Resolve it by a repair",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_resolve_repair]",
            run: "click",
        },
        {
            content: "The new corrective order opens, linked to the claim",
            trigger: ".o_breadcrumb .active:contains(SRV/)",
        },
        {
            content: "The order shows its claim",
            trigger: ".o_form_view .o_field_widget[name=claim_id]:not(:empty)",
        },
        {
            trigger: ".o_form_view div[name=service_type_id] input:value(Corrective Repair)",
        },
    ],
});
