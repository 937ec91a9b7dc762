import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import { screenshot } from "@after_sales_service/../tests/tours/after_sales_screenshot";

// A service user opens a customer's unit in the installed base, goes to its draft
// contract and starts it, adds a quarterly maintenance plan for the unit and
// generates its first order. Data from tests/test_tours.py.
registry.category("web_tour.tours").add("after_sales_contract_plan_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the After-Sales app",
            trigger: ".o_app[data-menu-xmlid='after_sales_service.after_sales_menu_root']",
            run: "click",
        },
        {
            trigger: "[data-menu-xmlid='after_sales_service.after_sales_menu_base']",
            run: "click",
        },
        {
            content: "Open the installed base",
            trigger: "[data-menu-xmlid='after_sales_service.after_sales_equipment_menu']",
            run: "click",
        },
        {
            content: "Open the customer's espresso machine",
            trigger: ".o_data_row:contains(PLAN-TOUR-1) .o_data_cell[name=name]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=name]:contains(PLAN-TOUR-1)",
        },
        screenshot("equipment_form", ".o_form_view button[name=action_view_contracts]"),
        {
            content: "Open its contracts",
            trigger: ".o_form_view button[name=action_view_contracts]",
            run: "click",
        },
        {
            content: "Open the draft contract",
            trigger: ".o_data_row:contains(Tour Plan Bakery) .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "Start it",
            trigger: ".o_form_view button[name=action_start]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button[data-value=running].o_arrow_button_current",
        },
        screenshot("contract_form", ".o_form_view div[name=equipment_ids] .o_data_row:contains(PLAN-TOUR-1)"),
        {
            content: "Open the contract's maintenance plans",
            trigger: ".o_form_view button[name=action_view_plans]",
            run: "click",
        },
        {
            content: "Add a plan",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "edit Quarterly descaling",
        },
        {
            content: "The plan belongs to the contract",
            trigger: ".o_form_view .o_field_widget[name=contract_id] input:value(SC/)",
        },
        {
            content: "for the unit",
            trigger: ".o_form_view .o_field_widget[name=equipment_id] input",
            run: "edit PLAN-TOUR-1",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(PLAN-TOUR-1)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=equipment_id] input:value(PLAN-TOUR-1)",
        },
        {
            content: "every 3 months",
            trigger: ".o_form_view .o_field_widget[name=interval_number] input",
            run: "edit 3",
        },
        ...stepUtils.saveForm(),
        screenshot("maintenance_plan", ".o_form_view .o_field_widget[name=next_due_date]:not(:empty)"),
        {
            content: "Generate its first order",
            trigger: ".o_form_view button[name=action_generate_now]",
            run: "click",
        },
        {
            content: "The generated order opens",
            trigger: ".o_breadcrumb .active:contains(SRV/)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=plan_id]:contains(Quarterly descaling)",
        },
    ],
});
