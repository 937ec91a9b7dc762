from odoo import api, models


class AfterSalesOrderLineMixin(models.AbstractModel):
    """Lines of a service order's work (tasks, parts): history once it is closed."""

    _name = "after_sales.order.line.mixin"
    _description = "Service Order Work Line"

    @api.model_create_multi
    def create(self, vals_list):
        self.env["after_sales.order"].browse(
            {vals["order_id"] for vals in vals_list if vals.get("order_id")}
        )._check_tasks_editable()
        return super().create(vals_list)

    def write(self, vals):
        self.order_id._check_tasks_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_closed_order(self):
        self.order_id._check_tasks_editable()
