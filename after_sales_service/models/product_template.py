from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .coverage import check_percentages

WARRANTY_TRIGGERS = [
    ("delivery", "Delivery"),
    ("installation", "Installation"),
]


class ProductTemplate(models.Model):
    _inherit = "product.template"

    warranty_months = fields.Integer(
        string="Warranty (months)",
        help="Length of the manufacturer's warranty; 0 means no warranty.",
    )
    warranty_trigger = fields.Selection(
        WARRANTY_TRIGGERS,
        string="Warranty Starts On",
        default="delivery",
        required=True,
        help="The warranty of a unit starts on its delivery date or on its installation date.",
    )
    warranty_parts_pct = fields.Float(string="Warranty Parts %", default=100.0)
    warranty_labour_pct = fields.Float(string="Warranty Labour %", default=100.0)
    warranty_travel_pct = fields.Float(string="Warranty Travel %", default=100.0)
    warranty_exclusions = fields.Text(
        translate=True,
        help="What the warranty does not cover (wear parts, misuse, ...).",
    )

    @api.constrains(
        "warranty_months", "warranty_parts_pct", "warranty_labour_pct", "warranty_travel_pct"
    )
    def _check_warranty_terms(self):
        for template in self:
            if template.warranty_months < 0:
                raise ValidationError(self.env._("The warranty duration cannot be negative."))
        check_percentages(
            self, ("warranty_parts_pct", "warranty_labour_pct", "warranty_travel_pct")
        )
