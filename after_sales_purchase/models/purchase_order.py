from odoo import fields, models


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    after_sales_order_id = fields.Many2one(
        "after_sales.order",
        string="Service Order",
        index="btree_not_null",
        copy=False,
        readonly=True,
        check_company=True,
        groups="after_sales_service.group_technician",
        help="The service order whose work this purchase order buys from its provider.",
    )

    # One live purchase order per service order: a double click or a second user
    # cannot order the same work twice (a cancelled purchase order frees the order).
    _after_sales_order_unique = models.UniqueIndex(
        "(after_sales_order_id) WHERE after_sales_order_id IS NOT NULL AND state != 'cancel'",
        "This service order already has a purchase order.",
    )

    def action_view_after_sales_order(self):
        self.ensure_one()
        return self.after_sales_order_id._get_records_action(name=self.env._("Service Order"))
