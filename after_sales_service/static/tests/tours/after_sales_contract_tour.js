import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

registry.category("web_tour.tours").add("after_sales_contract_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the After-Sales app",
            trigger: ".o_app[data-menu-xmlid='after_sales_service.after_sales_menu_root']",
            run: "click",
        },
        {
            content: "Open the installed base menu",
            trigger: "[data-menu-xmlid='after_sales_service.after_sales_menu_base']",
            run: "click",
        },
        {
            content: "Open service contracts",
            trigger: "[data-menu-xmlid='after_sales_service.after_sales_contract_menu']",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb:contains(Service Contracts)",
        },
        {
            content: "Create a contract",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Choose the customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Bakery",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Bakery)",
            run: "click",
        },
        {
            content: "The customer is set (its onchange is done)",
            trigger: ".o_field_widget[name=partner_id] input:value(Tour Bakery)",
        },
        {
            content: "Add the customer's espresso machine",
            trigger: "div[name=equipment_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".modal .o_data_row:contains(TOUR-001) .o_list_record_selector input",
            run: "click",
        },
        {
            trigger: ".modal .o_select_button",
            run: "click",
        },
        {
            trigger: "div[name=equipment_ids] .o_data_row:contains(TOUR-001)",
        },
        {
            content: "Open the invoicing tab",
            trigger: ".o_notebook a[name=invoicing]",
            run: "click",
        },
        {
            content: "Set the price per period",
            trigger: ".o_field_widget[name=price] input",
            run: "edit 75",
        },
        ...stepUtils.saveForm(),
        {
            content: "Start the contract",
            trigger: ".o_form_view button[name=action_start]",
            run: "click",
        },
        {
            content: "A running contract can be invoiced",
            trigger: ".o_form_view button[name=action_create_invoice]",
        },
    ],
});
