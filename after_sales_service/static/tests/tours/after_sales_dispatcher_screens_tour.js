import { registry } from "@web/core/registry";
import { screenshot } from "@after_sales_service/../tests/tours/after_sales_screenshot";

// Started on /odoo/action-after_sales_dispatch_board?date_start=<a Monday> by
// tests/test_dispatch_board.py: one technician with an order on Monday morning, two
// unassigned orders. Shows the board and the dispatcher's proposal, then cancels it.
registry.category("web_tour.tours").add("after_sales_dispatcher_screens_tour", {
    steps: () => [
        {
            content: "The planned order is on the technician's Monday",
            trigger:
                ".o_after_sales_board_row:contains(Board Technician) .o_after_sales_board_cell:first .o_after_sales_board_block:contains(Board Cafe)",
        },
        {
            content: "Two orders wait to be planned",
            trigger:
                ".o_after_sales_board_unassigned:has(.o_after_sales_board_card:contains(Board Bakery)):has(.o_after_sales_board_card:contains(Board Hotel))",
        },
        screenshot("dispatch_board"),
        {
            content: "Plan automatically",
            trigger: ".o_after_sales_board_plan",
            run: "click",
        },
        {
            trigger: ".modal button[name=action_compute]",
            run: "click",
        },
        {
            content: "The proposal: both orders for the technician",
            trigger:
                ".modal .o_notebook:has(.o_data_row:contains(Board Bakery)):has(.o_data_row:contains(Board Hotel))",
        },
        {
            trigger: ".modal button[name=action_confirm]",
        },
        screenshot("dispatcher"),
        {
            content: "Cancel: nothing is planned",
            trigger: ".modal .modal-footer button.btn-secondary:contains(Cancel)",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            trigger: ".o_after_sales_board_unassigned .o_after_sales_board_card:contains(Board Hotel)",
        },
    ],
});
