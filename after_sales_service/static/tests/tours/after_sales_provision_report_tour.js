import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import { screenshot } from "@after_sales_service/../tests/tours/after_sales_screenshot";

// An accountant (no After-Sales rights) reconciles the warranty provision of this
// month from Invoicing > Reporting, opens the journal items behind the parts used and
// comes back to the report.
// Figures from tests/test_tours.py: 150.00 accrued last month, 100.00 this month, a
// warranty repair that used 20.00 of parts and 60.00 of labour.
registry.category("web_tour.tours").add("after_sales_provision_report_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Invoicing",
            trigger: ".o_app[data-menu-xmlid='account.menu_finance']",
            run: "click",
        },
        {
            trigger: "[data-menu-xmlid='account.menu_finance_reports']",
            run: "click",
        },
        {
            content: "Open the warranty provision reconciliation",
            trigger: "[data-menu-xmlid='after_sales_service.account_provision_report_menu']",
            run: "click",
        },
        {
            content: "This month is proposed: the espresso machines' line",
            trigger:
                ".o_after_sales_provision_line[data-categ='Tour Espresso Machines']:contains(150.00):contains(170.00)",
        },
        {
            content: "The ledger agrees: no difference",
            trigger: ".o_after_sales_provision_ledger_balance:contains(170.00)",
        },
        {
            trigger: ".o_after_sales_provision_difference.text-success:contains(0.00)",
        },
        screenshot("reconciliation_report"),
        {
            content: "Open the journal items of the parts used",
            trigger:
                ".o_after_sales_provision_line[data-categ='Tour Espresso Machines'] .o_after_sales_provision_cell[data-column=usage_parts] a",
            run: "click",
        },
        {
            content: "The repair's cost entry is behind the figure",
            trigger: ".o_list_view .o_data_row:contains(SRV/):contains(20.00)",
        },
        {
            trigger: ".o_list_view:not(:has(.o_data_row:eq(1)))",
        },
        {
            content: "Back to the report, as it was",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Warranty Provision)",
            run: "click",
        },
        {
            trigger: ".o_after_sales_provision_difference:contains(0.00)",
        },
    ],
});
