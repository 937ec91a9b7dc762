from odoo import fields, models


class AfterSalesChecklistTemplate(models.Model):
    """The standard tasks of a type of service, copied onto each new order."""

    _name = "after_sales.checklist.template"
    _description = "Service Checklist Template"
    _order = "service_type_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    service_type_id = fields.Many2one(
        "after_sales.service.type",
        index=True,
        help="Orders of this type get this checklist by default.",
    )
    line_ids = fields.One2many(
        "after_sales.checklist.template.line", "template_id", string="Tasks", copy=True
    )
    required_skill_ids = fields.One2many(
        "after_sales.service.type.skill",
        "checklist_template_id",
        string="Required Skills",
        help="Skills needed on top of those of the service type.",
    )
    expected_minutes = fields.Integer(compute="_compute_expected_minutes")

    def _compute_expected_minutes(self):
        for template in self:
            template.expected_minutes = sum(template.line_ids.mapped("expected_minutes"))
