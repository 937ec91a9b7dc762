import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

registry.category("web_tour.tours").add("after_sales_order_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the After-Sales app",
            trigger: ".o_app[data-menu-xmlid='after_sales_service.after_sales_menu_root']",
            run: "click",
        },
        {
            trigger: "[data-menu-xmlid='after_sales_service.after_sales_menu_orders']",
            run: "click",
        },
        {
            content: "Open my orders",
            trigger: "[data-menu-xmlid='after_sales_service.after_sales_order_menu_my']",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb:contains(My Orders)",
        },
        {
            content: "Open the repair at the tour customer",
            trigger: ".o_data_row:contains(Tour Repair Customer) .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "Start the work",
            trigger: ".o_form_view button[name=action_start]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button[data-value=in_progress].o_arrow_button_current",
        },
        {
            content: "Tick the first task",
            trigger: "div[name=task_ids] .o_data_row:nth-child(1) div[name=is_done] input",
            run: "click",
        },
        {
            content: "Tick the second task",
            trigger: "div[name=task_ids] .o_data_row:nth-child(2) div[name=is_done] input",
            run: "click",
        },
        ...stepUtils.saveForm(),
        {
            content: "Complete the order",
            trigger: ".o_form_view button[name=action_done]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button[data-value=done].o_arrow_button_current",
        },
    ],
});
