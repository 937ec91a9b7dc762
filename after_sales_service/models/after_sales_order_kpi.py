from odoo import models


class AfterSalesOrder(models.Model):
    """What the KPI dashboard needs of the orders: the history of a unit by date
    (first-time fix, repeat visits and repeat failures look for the other orders
    of the same unit within days of an order), one index probe per order."""

    _inherit = "after_sales.order"

    _kpi_unit_history_idx = models.Index("(equipment_id, date_received) WHERE state != 'cancelled'")
