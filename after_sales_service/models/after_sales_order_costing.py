from odoo import api, fields, models

from .after_sales_order_line import COST_GROUPS, SPLIT_FIELDS

# order total field: line field it sums
COST_TOTALS = {
    "cost_planned": "cost_planned",
    "cost_actual": "cost_actual",
    "amount_total": "price_total",
    **{f"amount_{part}": f"{part}_amount" for part in SPLIT_FIELDS},
    **{f"cost_{part}": f"{part}_cost" for part in SPLIT_FIELDS},
}


class AfterSalesOrder(models.Model):
    """Costing of a service order: its lines, what they cost, what they are worth
    and who pays them."""

    _inherit = "after_sales.order"

    line_ids = fields.One2many("after_sales.order.line", "order_id", string="Lines", copy=True)
    part_ids = fields.One2many(
        "after_sales.order.line",
        "order_id",
        string="Parts",
        domain=[("line_type", "=", "part")],
        context={"default_line_type": "part"},
    )
    work_hours = fields.Float(
        string="Time Spent (hours)",
        compute="_compute_work_hours",
        store=True,
        help="The hours of the labour lines: time is entered once, on the labour lines.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    # what the work costs us is read by those who may read its costs (COST_GROUPS)
    cost_planned = fields.Monetary(
        string="Planned Cost", compute="_compute_costing", store=True, groups=COST_GROUPS
    )
    cost_actual = fields.Monetary(
        string="Actual Cost", compute="_compute_costing", store=True, groups=COST_GROUPS
    )
    amount_total = fields.Monetary(
        string="Value of the Work",
        compute="_compute_costing",
        store=True,
        help="Used quantities x unit prices of all lines, before anyone's share.",
    )
    amount_warranty = fields.Monetary(
        string="Paid by Warranty", compute="_compute_costing", store=True
    )
    amount_contract = fields.Monetary(
        string="Paid by Contract", compute="_compute_costing", store=True
    )
    amount_goodwill = fields.Monetary(string="Goodwill", compute="_compute_costing", store=True)
    amount_billable = fields.Monetary(
        string="Revenue",
        compute="_compute_costing",
        store=True,
        help="What the customer is invoiced for this order (before taxes).",
    )
    cost_warranty = fields.Monetary(
        string="Warranty Cost", compute="_compute_costing", store=True, groups=COST_GROUPS
    )
    cost_contract = fields.Monetary(
        string="Contract Cost", compute="_compute_costing", store=True, groups=COST_GROUPS
    )
    cost_goodwill = fields.Monetary(
        string="Goodwill Cost", compute="_compute_costing", store=True, groups=COST_GROUPS
    )
    cost_billable = fields.Monetary(
        string="Customer Cost", compute="_compute_costing", store=True, groups=COST_GROUPS
    )
    margin = fields.Monetary(
        compute="_compute_costing",
        store=True,
        groups=COST_GROUPS,
        help="Revenue minus the actual cost of the whole order (a warranty repair has a "
        "negative margin: its cost is charged to the warranty provision).",
    )

    @api.depends("line_ids.quantity_done", "line_ids.line_type")
    def _compute_work_hours(self):
        for order in self:
            order.work_hours = sum(
                line.quantity_done for line in order.line_ids if line.line_type == "labour"
            )

    @api.depends(*(f"line_ids.{fname}" for fname in COST_TOTALS.values()))
    def _compute_costing(self):
        for order in self:
            currency = order.currency_id or order.company_id.currency_id
            lines = order.line_ids
            for total, fname in COST_TOTALS.items():
                order[total] = currency.round(sum(lines.mapped(fname)))
            order.margin = currency.round(order.amount_billable - order.cost_actual)
