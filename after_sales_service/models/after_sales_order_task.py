from odoo import api, fields, models


class AfterSalesOrderTask(models.Model):
    """One line of a service order's work checklist, ticked by the technician."""

    _name = "after_sales.order.task"
    _description = "Service Order Task"
    _order = "order_id, sequence, id"

    order_id = fields.Many2one("after_sales.order", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Task", required=True)
    expected_minutes = fields.Integer()
    is_mandatory = fields.Boolean(string="Mandatory", default=True)
    is_done = fields.Boolean(string="Done")
    done_by_id = fields.Many2one("res.users", readonly=True)
    date_done = fields.Datetime(string="Done On", readonly=True)
    note = fields.Char()

    @api.model_create_multi
    def create(self, vals_list):
        self.env["after_sales.order"].browse(
            {vals["order_id"] for vals in vals_list if vals.get("order_id")}
        )._check_tasks_editable()
        return super().create(vals_list)

    def write(self, vals):
        self.order_id._check_tasks_editable()
        if "is_done" in vals:
            vals = dict(vals)
            if vals["is_done"]:
                vals.update({"done_by_id": self.env.uid, "date_done": fields.Datetime.now()})
            else:
                vals.update({"done_by_id": False, "date_done": False})
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done_order(self):
        self.order_id._check_tasks_editable()
