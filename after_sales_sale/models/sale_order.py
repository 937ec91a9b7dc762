from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    after_sales_equipment_ids = fields.Many2many(
        "after_sales.equipment",
        string="Replaced Units",
        compute="_compute_after_sales_equipment_ids",
        groups="after_sales_service.group_technician",
        help="The obsolete units of the customer that this quotation replaces.",
    )
    after_sales_equipment_count = fields.Integer(
        compute="_compute_after_sales_equipment_ids",
        groups="after_sales_service.group_technician",
    )

    @api.depends("order_line.after_sales_equipment_ids")
    def _compute_after_sales_equipment_ids(self):
        for order in self:
            order.after_sales_equipment_ids = order.order_line.after_sales_equipment_ids
            order.after_sales_equipment_count = len(order.after_sales_equipment_ids)

    def action_view_after_sales_equipment(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Replaced Units"),
            "res_model": "after_sales.equipment",
            "view_mode": "list,form",
            "domain": [("id", "in", self.after_sales_equipment_ids.ids)],
            "context": {"active_test": False, "create": False},
        }
