from odoo import models


class AfterSalesOrderDispatch(models.TransientModel):
    _inherit = "after_sales.order.dispatch"

    def _orders_to_plan(self):
        """Orders given to a service provider are not planned for own technicians."""
        return super()._orders_to_plan().filtered(lambda order: not order.provider_id)
