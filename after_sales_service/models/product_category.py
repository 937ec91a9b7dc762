from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    after_sales_provision_rate = fields.Float(
        string="Warranty Provision %",
        help="Share of the revenue of products of this category with a warranty that is "
        "set aside for the warranty cost to come (accrued when their invoice is posted).",
    )

    _after_sales_provision_rate_range = models.Constraint(
        "CHECK(after_sales_provision_rate >= 0 AND after_sales_provision_rate <= 100)",
        "The warranty provision must be between 0 and 100 %.",
    )
