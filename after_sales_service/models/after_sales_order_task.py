from odoo import fields, models
from odoo.exceptions import AccessError

from .utils import technician_forbidden_fields

# What a technician (who is not a service user) may change on a task of their order.
TECHNICIAN_WRITABLE_FIELDS = {"is_done", "note"}


class AfterSalesOrderTask(models.Model):
    """One line of a service order's work checklist, ticked by the technician."""

    _name = "after_sales.order.task"
    _description = "Service Order Task"
    _order = "order_id, sequence, id"
    _inherit = ["after_sales.order.line.mixin"]

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

    def _technician_writable_fields(self):
        """The fields a technician may write on a task of their order (the
        record rules decide which orders are theirs); extended by other files."""
        return TECHNICIAN_WRITABLE_FIELDS

    def write(self, vals):
        forbidden = technician_forbidden_fields(self, vals, self._technician_writable_fields())
        if forbidden:
            raise AccessError(
                self.env._(
                    "As a technician you can tick tasks and add notes, not change %(fields)s.",
                    fields=forbidden,
                )
            )
        if "is_done" in vals:
            vals = dict(vals)
            if vals["is_done"]:
                vals.update({"done_by_id": self.env.uid, "date_done": fields.Datetime.now()})
            else:
                vals.update({"done_by_id": False, "date_done": False})
        return super().write(vals)
