import { registry } from "@web/core/registry";
import { screenshot } from "@after_sales_service/../tests/tours/after_sales_screenshot";

registry.category("web_tour.tours").add("after_sales_portal_claim_tour", {
    url: "/my/home",
    steps: () => [
        {
            content: "Open the claims from the portal home",
            trigger: ".o_portal_my_home a[href='/my/claims']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "File a new claim",
            trigger: "a.o_as_new_claim[href='/my/claims/new']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Pick my unit",
            trigger: "select[name=equipment_id]",
            run: "selectByLabel Espresso Machine X200 (PORTAL-TOUR-1)",
        },
        {
            content: "Say what is wrong",
            trigger: "select[name=category]",
            run: "selectByLabel Product Defect",
        },
        {
            content: "Describe the problem",
            trigger: "textarea[name=description]",
            run: "edit The pump makes a loud noise since Monday.",
        },
        {
            content: "Submit the claim",
            trigger: "button.o_as_claim_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The claim page shows its number",
            trigger: ".o_as_claim_name:contains(/)",
        },
        {
            content: "The description is on the claim",
            trigger: "div:contains(The pump makes a loud noise since Monday.)",
        },
        screenshot("portal_claim"),
    ],
});
