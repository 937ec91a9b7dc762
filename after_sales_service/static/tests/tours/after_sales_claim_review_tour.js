import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import { screenshot } from "@after_sales_service/../tests/tours/after_sales_screenshot";

// A service user takes up the claim a customer filed on the portal: opens it from the
// Claims menu, reviews and accepts it and resolves it by a repair, which opens the new
// corrective service order. Run by tests/test_tours.py after the portal claim tour.
registry.category("web_tour.tours").add("after_sales_claim_review_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the After-Sales app",
            trigger: ".o_app[data-menu-xmlid='after_sales_service.after_sales_menu_root']",
            run: "click",
        },
        {
            trigger: "[data-menu-xmlid='after_sales_service.after_sales_menu_claims']",
            run: "click",
        },
        {
            content: "Open the claims",
            trigger: "[data-menu-xmlid='after_sales_service.after_sales_claim_menu']",
            run: "click",
        },
        {
            content: "Open the claim filed on the portal",
            trigger: ".o_data_row:contains(Brasserie De Gouden Leeuw) .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "It came in through the portal, for the customer's unit",
            trigger: ".o_form_view .o_field_widget[name=channel]:contains(Portal)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=equipment_id] input:value(PORTAL-TOUR-1)",
        },
        screenshot("claim_form"),
        {
            content: "Review it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_review]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button[data-value=review].o_arrow_button_current",
        },
        {
            content: "Accept it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_accept]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button[data-value=accepted].o_arrow_button_current",
        },
        {
            content: "Resolve it by a repair",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_resolve_repair]",
            run: "click",
        },
        {
            content: "The new corrective order opens, for the claim's unit",
            trigger: ".o_breadcrumb .active:contains(SRV/)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=claim_id]:not(:empty)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=equipment_id] input:value(PORTAL-TOUR-1)",
        },
    ],
});
