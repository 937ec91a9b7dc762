import { registry } from "@web/core/registry";
import { screenshot } from "@after_sales_service/../tests/tours/after_sales_screenshot";

// Started on /odoo/action-after_sales_service.after_sales_kpi_dashboard_action by
// tests/test_kpi_dashboard.py, with two orders of "KPI Tour Bakery" done today.
registry.category("web_tour.tours").add("after_sales_kpi_dashboard_tour", {
    steps: () => [
        {
            content: "The dashboard shows this month's figures by group",
            trigger: ".o_after_sales_kpi_group_satisfaction .o_after_sales_kpi_csat:contains(No data)",
        },
        {
            content: "with a chart per group",
            trigger: ".o_after_sales_kpi_group_satisfaction .o_after_sales_kpi_chart canvas",
        },
        {
            content: "The two orders done this month are counted",
            trigger: ".o_after_sales_kpi_orders_done .o_after_sales_kpi_value:contains(2)",
        },
        screenshot("kpi_dashboard"),
        {
            content: "Switch to this year: still counted",
            trigger: ".o_after_sales_kpi_period",
            run: "select this_year",
        },
        {
            trigger: ".o_after_sales_kpi_orders_done .o_after_sales_kpi_value:contains(2)",
        },
        {
            content: "Open the orders behind the figure",
            trigger: ".o_after_sales_kpi_orders_done",
            run: "click",
        },
        {
            content: "The list of the done orders opens",
            trigger: ".o_list_view .o_data_row:contains(KPI Tour Bakery)",
        },
        {
            trigger: ".o_breadcrumb .breadcrumb-item:contains(KPI Dashboard)",
        },
        {
            content: "Two orders are listed",
            trigger: ".o_list_view:not(:has(.o_data_row:eq(2))) .o_data_row:eq(1):contains(KPI Tour Bakery)",
        },
    ],
});
