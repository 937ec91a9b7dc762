from odoo import api, models
from odoo.exceptions import UserError

from .utils import moved_off


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
        self._check_order_kept(vals)
        self.order_id._check_tasks_editable()
        return super().write(vals)

    def _check_order_kept(self, vals):
        """The order of a line is fixed once it is created, for everyone: moving the
        work of one order onto another would change the other's costs and its
        customer's invoice behind the rules checked on that order."""
        moved = moved_off(self, vals, "order_id")
        if moved:
            raise UserError(
                self.env._(
                    "A line of service order %(order)s cannot be moved to another order: "
                    "remove it and add it to the other order.",
                    order=moved[0].order_id.name,
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_closed_order(self):
        self.order_id._check_tasks_editable()
