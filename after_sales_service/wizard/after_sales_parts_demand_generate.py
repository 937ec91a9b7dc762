from odoo import fields, models

from ..models.after_sales_parts_demand import DEFAULT_WEEKS


class AfterSalesPartsDemandGenerate(models.TransientModel):
    _name = "after_sales.parts.demand.generate"
    _description = "Forecast Parts Demand"

    weeks = fields.Integer(string="Horizon (weeks)", default=DEFAULT_WEEKS, required=True)
    update_orderpoints = fields.Boolean(
        string="Update Reordering Rules",
        help="Then make the reordering rules of the parts cover the new forecast.",
    )

    def action_generate(self):
        self.ensure_one()
        Demand = self.env["after_sales.parts.demand"]
        action = Demand.action_regenerate(self.weeks)
        if self.update_orderpoints:
            Demand.browse().action_update_orderpoints()
        return action
