from odoo import api, fields, models
from odoo.exceptions import ValidationError

PRIORITIES = [
    ("0", "Low"),
    ("1", "Normal"),
    ("2", "High"),
    ("3", "Urgent"),
]


class AfterSalesContractSla(models.Model):
    """Response and resolution times promised by a contract for one priority.

    Hours are working hours of the contract's calendar: weekends and public
    holidays do not count.
    """

    _name = "after_sales.contract.sla"
    _description = "Service Contract SLA"
    _order = "contract_id, priority desc"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "after_sales.contract",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    priority = fields.Selection(PRIORITIES, required=True, default="1")
    response_hours = fields.Float(
        help="Working hours within which a technician must respond.",
    )
    resolution_hours = fields.Float(
        help="Working hours within which the problem must be solved.",
    )

    _priority_unique = models.Constraint(
        "UNIQUE (contract_id, priority)",
        "A contract has one SLA line per priority.",
    )

    @api.constrains("response_hours", "resolution_hours")
    def _check_hours(self):
        for sla in self:
            if sla.response_hours < 0 or sla.resolution_hours < 0:
                raise ValidationError(self.env._("SLA hours cannot be negative."))
            if sla.resolution_hours and sla.resolution_hours < sla.response_hours:
                raise ValidationError(
                    self.env._("The resolution time cannot be shorter than the response time.")
                )
