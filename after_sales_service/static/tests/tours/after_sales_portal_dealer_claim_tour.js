import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("after_sales_portal_dealer_claim_tour", {
    url: "/my/dealer_claims",
    steps: () => [
        {
            content: "Start a new warranty claim",
            trigger: "a.o_as_new_dealer_claim[href='/my/dealer_claims/new']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Pick a unit sold by my dealership",
            trigger: "select[name=equipment_id]",
            run: "selectByLabel Espresso Machine X200 (DEALER-A-1)",
        },
        {
            content: "Give the repair date",
            trigger: "input[name=repair_date]",
            run() {
                this.anchor.value = "2026-02-10";
            },
        },
        {
            content: "Describe the work",
            trigger: "textarea[name=work_done]",
            run: "edit Replaced the pump.",
        },
        {
            content: "Hours of labour",
            trigger: "input[name=labour_hours]",
            // typed key by key, "2." is no number yet: set the value as a browser's picker does
            run() {
                this.anchor.value = "2.5";
            },
        },
        {
            content: "Km of travel",
            trigger: "input[name=travel_km]",
            run: "edit 80",
        },
        {
            content: "The part used",
            trigger: "input[name=part_ref_1]",
            run: "edit P-100",
        },
        {
            content: "How many",
            trigger: "input[name=part_qty_1]",
            run: "edit 2",
        },
        {
            content: "What one cost us",
            trigger: "input[name=part_cost_1]",
            run: "edit 45",
        },
        {
            content: "Submit the claim",
            trigger: "button.o_as_dealer_claim_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The claim page shows its number",
            trigger: ".o_as_dealer_claim_name:contains(DWC/)",
        },
    ],
});
