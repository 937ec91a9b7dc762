import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import { screenshot } from "@after_sales_service/../tests/tours/after_sales_screenshot";

// A service user completes a started repair: records the part really used and the
// hours worked on the planned lines, has the customer sign off, closes the order and
// invoices what the customer pays.
registry.category("web_tour.tours").add("after_sales_costing_tour", {
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
            trigger: ".o_data_row:contains(Tour Costing Customer) .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "Open the costing",
            trigger: ".o_notebook a[name=costing]",
            run: "click",
        },
        {
            content: "The part line from stock",
            trigger: "div[name=line_ids] .o_data_row:nth-child(1):contains(Tour Gasket) td[name=quantity_done]",
            run: "click",
        },
        {
            content: "One gasket was used",
            trigger:
                "div[name=line_ids] .o_data_row:nth-child(1).o_selected_row div[name=quantity_done] input",
            run: "edit 1",
        },
        {
            content: "The planned labour",
            trigger:
                "div[name=line_ids] .o_data_row:nth-child(2):contains(Tour Mechanic) td[name=quantity_done]",
            run: "click",
        },
        {
            content: "Two hours worked",
            trigger:
                "div[name=line_ids] .o_data_row:nth-child(2).o_selected_row div[name=quantity_done] input",
            run: "edit 2",
        },
        ...stepUtils.saveForm(),
        screenshot(
            "service_order",
            "div[name=line_ids] .o_data_row:nth-child(2) td[name=quantity_done]:contains(2)"
        ),
        {
            content: "The customer signs off",
            trigger: ".o_notebook a[name=signoff]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=signed_by] input",
            run: "edit Jan Bakker",
        },
        {
            content: "Open the signature pad",
            trigger: ".o_field_widget[name=signature] .o_signature",
            run: "click",
        },
        {
            content: "The customer's name is drawn as signature",
            trigger: ".modal canvas.o_web_sign_signature",
            run: "canvasNotEmpty",
        },
        {
            content: "Adopt it",
            trigger: ".modal .modal-footer button.btn-primary:enabled",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=signature] img.o_signature",
        },
        {
            content: "Confirm the sign-off",
            trigger: ".o_form_view button[name=action_sign]",
            run: "click",
        },
        {
            content: "The sign-off is dated",
            trigger: ".o_form_view .o_field_widget[name=signed_on]",
        },
        {
            content: "Complete the order",
            trigger: ".o_form_view button[name=action_done]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button[data-value=done].o_arrow_button_current",
        },
        {
            content: "Invoice what the customer pays",
            trigger: ".o_form_view button[name=action_create_invoice]",
            run: "click",
        },
        {
            content: "The customer invoice opens with the part on it",
            trigger: ".o_form_view div[name=invoice_line_ids] .o_data_row:contains(Tour Gasket)",
        },
    ],
});
