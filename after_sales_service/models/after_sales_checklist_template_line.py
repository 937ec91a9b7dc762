from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AfterSalesChecklistTemplateLine(models.Model):
    _name = "after_sales.checklist.template.line"
    _description = "Service Checklist Task"
    _order = "template_id, sequence, id"

    template_id = fields.Many2one(
        "after_sales.checklist.template", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Task", required=True, translate=True)
    expected_minutes = fields.Integer(help="Standard time for this task (service standard).")
    is_mandatory = fields.Boolean(string="Mandatory", default=True)

    @api.constrains("expected_minutes")
    def _check_expected_minutes(self):
        for line in self:
            if line.expected_minutes < 0:
                raise ValidationError(self.env._("Expected minutes cannot be negative."))
