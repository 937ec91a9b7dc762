from odoo import fields, models

from .utils import window_action


class StockLot(models.Model):
    _inherit = "stock.lot"

    after_sales_equipment_ids = fields.One2many(
        "after_sales.equipment", "lot_id", string="Installed Base"
    )

    def action_view_after_sales_equipment(self):
        self.ensure_one()
        equipment = self.after_sales_equipment_ids
        action = window_action(
            self.env,
            "after_sales_service.after_sales_equipment_action",
            [("lot_id", "=", self.id)],
            {
                "default_lot_id": self.id,
                "default_product_id": self.product_id.id,
                "active_test": False,
            },
        )
        if len(equipment) == 1:
            action.update({"view_mode": "form", "views": [(False, "form")], "res_id": equipment.id})
        return action
