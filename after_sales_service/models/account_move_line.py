from odoo import fields, models

PROVISION_KINDS = [
    ("accrual", "Accrual"),
    ("release", "Release"),
    ("usage_parts", "Usage: Parts"),
    ("usage_labour", "Usage: Labour"),
    ("usage_other", "Usage: Other"),
]


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # The service period a contract invoice line bills (Odoo Enterprise has
    # deferred_start_date/deferred_end_date for this; Community has not).
    after_sales_period_start = fields.Date(string="Service Period Start", copy=False)
    after_sales_period_end = fields.Date(string="Service Period End", copy=False)

    # Service orders: the invoice line that bills an order, the cost line it posts
    after_sales_order_id = fields.Many2one(
        "after_sales.order",
        string="Service Order",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
    )
    after_sales_order_line_id = fields.Many2one(
        "after_sales.order.line",
        string="Service Order Line",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
    )
    # Warranty provision: what moved it, for which product category (the report)
    after_sales_provision_kind = fields.Selection(
        PROVISION_KINDS, string="Provision Movement", copy=False, readonly=True, index=True
    )
    after_sales_categ_id = fields.Many2one(
        "product.category",
        string="Warranty Category",
        copy=False,
        readonly=True,
        index="btree_not_null",
    )
