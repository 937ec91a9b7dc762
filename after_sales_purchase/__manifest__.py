{
    "name": "After-Sales Service: Subcontracting",
    "version": "19.0.1.0.0",
    "category": "Services/After-Sales",
    "summary": "Service orders given to a provider become purchase orders; the provider's "
    "bill is the order's cost and lands where the coverage puts it",
    "description": """
A service order given to a service provider gets a purchase order for the provider:
one line per subcontracted, labour, travel and part need, priced by the provider's
agreement. The provider's bill of that purchase order is the actual cost of those
lines and is charged once, to the warranty provision, the contract, goodwill or the
customer, by the same split as the order's own cost.
""",
    "author": "after_sales_service developers",
    "website": "https://example.com/after_sales_service",
    "license": "LGPL-3",
    "depends": ["after_sales_service", "purchase"],
    "data": [
        "data/product_data.xml",
        "views/purchase_order_views.xml",
        "views/after_sales_order_views.xml",
    ],
    "demo": [
        "demo/after_sales_purchase_demo.xml",
    ],
    "auto_install": True,
}
