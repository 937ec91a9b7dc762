from odoo import fields, models


class AfterSalesOrderRefuse(models.TransientModel):
    """Refuse service requests: a reason from the list, and a note."""

    _name = "after_sales.order.refuse"
    _description = "Refuse Service Requests"

    order_ids = fields.Many2many("after_sales.order", string="Orders", required=True)
    reject_reason_id = fields.Many2one("after_sales.reject.reason", string="Reason")
    reject_note = fields.Text(string="Note")

    def action_refuse(self):
        self.ensure_one()
        self.order_ids._refuse(self.reject_reason_id, self.reject_note)
        return {"type": "ir.actions.act_window_close"}
