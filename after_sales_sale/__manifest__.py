{
    "name": "After-Sales Service: Sales",
    "version": "19.0.1.0.0",
    "category": "Services/After-Sales",
    "summary": "Replacement offers for obsolete equipment as quotations",
    "description": """
Bridge between the after-sales service and Sales: the replacement offer for the
units of an obsolete product is a draft quotation per customer and company with
the successor product (one line per successor, quantity = the customer's units),
linked to the units it replaces. Without Sales, the after-sales module creates an
activity per unit instead.
""",
    "author": "after_sales_service developers",
    "website": "https://example.com/after_sales_service",
    "license": "LGPL-3",
    "depends": ["after_sales_service", "sale"],
    "data": [
        "views/sale_order_views.xml",
        "views/after_sales_equipment_views.xml",
    ],
    "demo": [
        "demo/after_sales_sale_demo.xml",
    ],
    "auto_install": True,
}
