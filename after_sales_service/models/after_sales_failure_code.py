from odoo import fields, models

FAILURE_CODE_KINDS = [
    ("symptom", "Symptom"),
    ("cause", "Cause"),
    ("remedy", "Remedy"),
]


class AfterSalesFailureCode(models.Model):
    """The configurable catalogue of symptoms, causes and remedies of claims."""

    _name = "after_sales.failure.code"
    _description = "Failure Code"
    _order = "kind, code, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(index=True)
    kind = fields.Selection(FAILURE_CODE_KINDS, required=True, default="symptom", index=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to share the code between companies."
    )

    _code_kind_unique = models.UniqueIndex(
        "(kind, code, COALESCE(company_id, 0)) WHERE code IS NOT NULL",
        "A failure code must be unique per kind and company.",
    )

    def _compute_display_name(self):
        for failure in self:
            failure.display_name = (
                f"[{failure.code}] {failure.name}" if failure.code else failure.name or ""
            )
