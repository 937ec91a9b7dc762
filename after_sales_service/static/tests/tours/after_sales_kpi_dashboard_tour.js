import { registry } from "@web/core/registry";
import { screenshot } from "@after_sales_service/../tests/tours/after_sales_screenshot";

// Started on /odoo/action-after_sales_service.after_sales_kpi_dashboard_action by
// tests/test_kpi_dashboard.py: 40 units of "KPI Tour Bakery", this month 4 orders done
// (3 rated 5, 5 and 2) and 2 claims, last month 3 orders done (2 rated 5 and 1) and 1
// claim.
registry.category("web_tour.tours").add("after_sales_kpi_dashboard_tour", {
    steps: () => [
        {
            content: "The dashboard shows this month's figures by group",
            trigger: ".o_after_sales_kpi_group_quality .o_after_sales_kpi_claims_per_1000 .o_after_sales_kpi_value:contains(50.00)",
        },
        {
            content: "Satisfaction: 2 of the 3 answers are satisfied, up from 1 of 2",
            trigger: ".o_after_sales_kpi_group_satisfaction .o_after_sales_kpi_csat .o_after_sales_kpi_value:contains(66.7)",
        },
        {
            trigger: ".o_after_sales_kpi_csat .o_after_sales_kpi_trend.text-success:contains(+16.7)",
        },
        {
            content: "with a chart per group",
            trigger: ".o_after_sales_kpi_group_satisfaction .o_after_sales_kpi_chart canvas",
        },
        {
            content: "The four orders done this month are counted",
            trigger: ".o_after_sales_kpi_orders_done .o_after_sales_kpi_value:contains(4)",
        },
        screenshot("kpi_dashboard"),
        {
            content: "Switch to last month",
            trigger: ".o_after_sales_period",
            run: "select last_month",
        },
        {
            trigger: ".o_after_sales_kpi_orders_done .o_after_sales_kpi_value:contains(3)",
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
            content: "Three orders are listed",
            trigger: ".o_list_view:not(:has(.o_data_row:eq(3))) .o_data_row:eq(2):contains(KPI Tour Bakery)",
        },
    ],
});
