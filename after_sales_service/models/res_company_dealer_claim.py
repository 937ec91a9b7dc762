from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    after_sales_dealer_claim_days = fields.Integer(
        string="Dealer Claim Window (days)",
        default=30,
        help="A dealer claim is refused when another claim for the same unit has a repair "
        "date less than this many days apart (the same work claimed twice).",
    )

    @api.constrains("after_sales_dealer_claim_days")
    def _check_after_sales_dealer_claim_days(self):
        for company in self:
            if not 0 <= company.after_sales_dealer_claim_days <= 3650:
                raise ValidationError(
                    self.env._("The dealer claim window is between 0 and 3650 days.")
                )
