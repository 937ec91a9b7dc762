from odoo import api, fields, models

from odoo.addons.after_sales_service.models.after_sales_order_line import COST_GROUPS


class AfterSalesOrderLine(models.Model):
    """An order line bought from the order's provider: its actual cost is what the
    provider's posted bills of it say."""

    _inherit = "after_sales.order.line"

    purchase_line_ids = fields.One2many(
        "purchase.order.line",
        "after_sales_order_line_id",
        string="Purchase Order Lines",
        groups="purchase.group_purchase_user",
    )
    purchase_bill_cost = fields.Monetary(
        string="Provider's Bill",
        compute="_compute_purchase_bill_cost",
        store=True,
        groups=COST_GROUPS,
        help="What the provider's posted bills (less its credit notes) of this line amount "
        "to, before taxes: the actual cost of a line bought from the provider.",
    )

    @api.depends(
        "purchase_line_ids.invoice_lines.parent_state",
        "purchase_line_ids.invoice_lines.balance",
    )
    def _compute_purchase_bill_cost(self):
        # sudo: the cost of the work is every reader's, the bills are the buyer's
        for line in self:
            bill_lines = line.sudo().purchase_line_ids.invoice_lines.filtered(
                lambda aml: aml.parent_state == "posted"
            )
            line.purchase_bill_cost = line.company_id.currency_id.round(
                sum(bill_lines.mapped("balance"))
            )

    def _live_purchase_lines(self):
        self.ensure_one()
        return self.sudo().purchase_line_ids.filtered(lambda pol: pol.state != "cancel")

    def _is_charged_by_purchase(self):
        return super()._is_charged_by_purchase() or bool(self._live_purchase_lines())

    @api.depends("purchase_bill_cost", "purchase_line_ids.state")
    def _compute_cost(self):
        return super()._compute_cost()

    def _actual_cost(self):
        """A line bought from the provider costs what the provider billed for it
        (nothing until the bill is posted), whatever our own cost of it would be."""
        if self._is_charged_by_purchase():
            return self.purchase_bill_cost
        return super()._actual_cost()

    def _own_stock_lines(self):
        """The lines whose parts come from our stock: not those the provider supplies."""
        return self.filtered(lambda line: not line._is_charged_by_purchase())

    def _sync_stock_moves(self):
        own = self._own_stock_lines()
        return super(AfterSalesOrderLine, own)._sync_stock_moves()

    def _consume_stock(self):
        own = self._own_stock_lines()
        return super(AfterSalesOrderLine, own)._consume_stock()
