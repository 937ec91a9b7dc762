import { registry } from "@web/core/registry";

// Started on /odoo/action-after_sales_dispatch_board?date_start=<a Monday> by
// tests/test_dispatch_board.py, with one technician and two unassigned orders.
registry.category("web_tour.tours").add("after_sales_dispatch_board_tour", {
    steps: () => [
        {
            content: "The unassigned bakery order is in the list",
            trigger: ".o_after_sales_board_unassigned .o_after_sales_board_card:contains(Board Bakery)",
        },
        {
            content: "Drag it onto the technician's Monday",
            trigger: ".o_after_sales_board_card:contains(Board Bakery)",
            run: "drag_and_drop .o_after_sales_board_row:contains(Board Technician) .o_after_sales_board_cell:first",
        },
        {
            content: "It is planned in the grid",
            trigger:
                ".o_after_sales_board_row:contains(Board Technician) .o_after_sales_board_cell:first .o_after_sales_board_block:contains(Board Bakery)",
        },
        {
            content: "and no longer unassigned",
            trigger: ".o_after_sales_board_unassigned:not(:has(.o_after_sales_board_card:contains(Board Bakery)))",
        },
        {
            content: "Plan the rest automatically",
            trigger: ".o_after_sales_board_plan",
            run: "click",
        },
        {
            trigger: ".modal button[name=action_compute]",
            run: "click",
        },
        {
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The planned orders are shown; back to the board",
            trigger: ".o_breadcrumb .breadcrumb-item:contains(Dispatch Board)",
            run: "click",
        },
        {
            content: "The hotel order is planned for the technician too",
            trigger:
                ".o_after_sales_board_row:contains(Board Technician) .o_after_sales_board_block:contains(Board Hotel)",
        },
        {
            trigger: ".o_after_sales_board_unassigned:not(:has(.o_after_sales_board_card))",
        },
    ],
});
