import { registry } from "@web/core/registry";

// A customer closes their resolved claim, then reopens it (test_portal_selfservice.py).
registry.category("web_tour.tours").add("after_sales_portal_close_claim_tour", {
    steps: () => [
        {
            content: "The claim is resolved: close it",
            trigger: "button.o_as_claim_close_button",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Closed, with the reopening window shown",
            trigger: ".o_as_claim_reopen:contains(You can reopen the claim until)",
        },
        {
            content: "Not solved after all: reopen it",
            trigger: "button.o_as_claim_reopen_button",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back to accepted, no more buttons",
            trigger: "h4:contains(Accepted):not(:has(.o_as_claim_close_button))",
        },
    ],
});
