from odoo import fields, models


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    after_sales_order_line_id = fields.Many2one(
        "after_sales.order.line",
        string="Service Order Line",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
        help="The need of the service order this line buys from the provider.",
    )

    def _prepare_account_move_line(self, move=False):
        """The provider's bill line says which service order line it charges."""
        vals = super()._prepare_account_move_line(move=move)
        # sudo: whoever bills the purchase order links the bill to the service order
        order_line = self.sudo().after_sales_order_line_id
        if order_line:
            vals.update(
                after_sales_order_id=order_line.order_id.id,
                after_sales_order_line_id=order_line.id,
            )
        return vals
