from odoo import fields, models


class AfterSalesPartsKitLine(models.Model):
    _name = "after_sales.parts.kit.line"
    _description = "Parts Kit Line"
    _order = "kit_id, sequence, id"
    _check_company_auto = True

    kit_id = fields.Many2one("after_sales.parts.kit", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="kit_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product",
        string="Part",
        required=True,
        check_company=True,
        domain="[('type', '=', 'consu')]",
    )
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    quantity = fields.Float(default=1.0, digits="Product Unit", required=True)

    _quantity_positive = models.Constraint(
        "CHECK(quantity > 0)", "The quantity of a part in a kit must be positive."
    )
