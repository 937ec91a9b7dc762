from odoo import api, fields, models

# Actual time above this multiple of the standard is an outlier.
OUTLIER_FACTOR = 1.5


class AfterSalesOrderTask(models.Model):
    """Service standards: the time the technician actually spent on a task against
    its standard (the checklist's expected minutes)."""

    _inherit = "after_sales.order.task"

    # grouped and filtered on by the service standards report
    done_by_id = fields.Many2one(index="btree_not_null")
    date_done = fields.Datetime(index=True)
    actual_minutes = fields.Integer(help="The minutes the technician actually spent on the task.")
    is_outlier = fields.Boolean(
        string="Outlier",
        compute="_compute_is_outlier",
        store=True,
        index=True,
        help="The actual time is more than 1.5 x the standard time.",
    )

    @api.depends("actual_minutes", "expected_minutes")
    def _compute_is_outlier(self):
        for task in self:
            task.is_outlier = bool(
                task.expected_minutes
                and task.actual_minutes > OUTLIER_FACTOR * task.expected_minutes
            )

    def _technician_writable_fields(self):
        return super()._technician_writable_fields() | {"actual_minutes"}
