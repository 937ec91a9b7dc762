from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AfterSalesOrderPart(models.Model):
    """A spare part used (or to be used) on a service order."""

    _name = "after_sales.order.part"
    _description = "Service Order Part"
    _order = "order_id, sequence, id"
    _inherit = ["after_sales.order.line.mixin"]
    _check_company_auto = True

    order_id = fields.Many2one("after_sales.order", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product",
        required=True,
        check_company=True,
        domain="[('type', '=', 'consu')]",
    )
    product_uom_id = fields.Many2one(
        "uom.uom",
        string="Unit",
        compute="_compute_product_uom_id",
        store=True,
        readonly=False,
    )
    quantity = fields.Float(default=1.0, digits="Product Unit")
    note = fields.Char()

    @api.depends("product_id")
    def _compute_product_uom_id(self):
        for part in self:
            part.product_uom_id = part.product_id.uom_id

    @api.constrains("quantity")
    def _check_quantity(self):
        for part in self:
            if part.quantity <= 0:
                raise ValidationError(self.env._("The quantity of a part must be positive."))
