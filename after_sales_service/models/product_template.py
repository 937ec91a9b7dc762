from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .coverage import check_percentages

WARRANTY_TRIGGERS = [
    ("delivery", "Delivery"),
    ("installation", "Installation"),
]
# The warranty terms of a product, captured on each unit when it is sold.
WARRANTY_TERM_FIELDS = (
    "warranty_months",
    "warranty_trigger",
    "warranty_install_cap_months",
    "warranty_parts_pct",
    "warranty_labour_pct",
    "warranty_travel_pct",
)
WARRANTY_PCT_FIELDS = ("warranty_parts_pct", "warranty_labour_pct", "warranty_travel_pct")
# SQL checks shared by the product and the unit (same column names).
WARRANTY_TERMS_CHECK = (
    "CHECK(warranty_months >= 0 AND warranty_install_cap_months >= 0"
    " AND warranty_parts_pct BETWEEN 0 AND 100"
    " AND warranty_labour_pct BETWEEN 0 AND 100"
    " AND warranty_travel_pct BETWEEN 0 AND 100)"
)


def check_warranty_terms(records):
    """Raise a ValidationError for negative durations or percentages outside 0..100."""
    for record in records:
        if record.warranty_months < 0 or record.warranty_install_cap_months < 0:
            raise ValidationError(record.env._("The warranty duration cannot be negative."))
    check_percentages(records, WARRANTY_PCT_FIELDS)


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
    warranty_install_cap_months = fields.Integer(
        string="Starts No Later Than Delivery + (months)",
        help="For a warranty starting at installation: it starts at the latest this many "
        "months after delivery, even if the unit was not installed by then. 0 means no limit.",
    )
    warranty_parts_pct = fields.Float(string="Warranty Parts %", default=100.0)
    warranty_labour_pct = fields.Float(string="Warranty Labour %", default=100.0)
    warranty_travel_pct = fields.Float(string="Warranty Travel %", default=100.0)
    warranty_exclusions = fields.Text(
        translate=True,
        help="What the warranty does not cover (wear parts, misuse, ...).",
    )

    _warranty_terms_check = models.Constraint(
        WARRANTY_TERMS_CHECK,
        "Warranty durations cannot be negative and percentages must be between 0 and 100.",
    )

    @api.constrains(*WARRANTY_TERM_FIELDS)
    def _check_warranty_terms(self):
        check_warranty_terms(self)
