from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    after_sales_equipment_ids = fields.Many2many(
        "after_sales.equipment",
        "after_sales_equipment_sale_order_line_rel",
        "order_line_id",
        "equipment_id",
        string="Replaced Units",
        copy=False,
        check_company=True,
        groups="after_sales_service.group_technician",
        context={"active_test": False},
        help="The obsolete units of the customer that this line replaces.",
    )
