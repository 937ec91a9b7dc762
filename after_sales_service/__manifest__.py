{
    "name": "After-Sales Service",
    "version": "19.0.1.0.0",
    "category": "Services/After-Sales",
    "summary": "Installed base, warranties, service contracts, maintenance plans and service orders",
    "description": """
Service subsystem for manufacturers and dealers: the installed base of customer
equipment (created from validated deliveries), product warranty terms, one coverage
rule (warranty, contract or none) for every later feature, and service contracts with
coverage, SLA in a working calendar, periodic invoicing, reminders and renewal.
""",
    "author": "after_sales_service developers",
    "website": "https://example.com/after_sales_service",
    "license": "LGPL-3",
    "depends": [
        "stock",
        "stock_account",
        "account",
        "hr",
        "hr_hourly_cost",
        "mail",
        "portal",
        "rating",
        "resource",
    ],
    "data": [
        "security/after_sales_service_groups.xml",
        "security/ir.model.access.csv",
        "security/after_sales_service_security.xml",
        "data/ir_sequence_data.xml",
        "data/after_sales_service_type_data.xml",
        "data/product_data.xml",
        "data/ir_cron_data.xml",
        "data/after_sales_meter_data.xml",
        "report/after_sales_order_reports.xml",
        "report/after_sales_order_templates.xml",
        "views/after_sales_service_type_views.xml",
        "views/after_sales_checklist_template_views.xml",
        "views/after_sales_order_views.xml",
        "views/after_sales_plan_views.xml",
        "views/after_sales_loan_views.xml",
        "views/after_sales_equipment_views.xml",
        "views/after_sales_contract_views.xml",
        "views/product_template_views.xml",
        "views/stock_lot_views.xml",
        "views/res_partner_views.xml",
        "views/account_move_views.xml",
        "views/after_sales_service_menus.xml",
    ],
    "demo": [
        "demo/after_sales_service_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "after_sales_service/static/tests/tours/**/*",
        ],
    },
    "post_init_hook": "post_init_hook",
    "application": True,
}
