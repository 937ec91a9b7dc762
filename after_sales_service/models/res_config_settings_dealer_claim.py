from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    after_sales_dealer_claim_days = fields.Integer(
        related="company_id.after_sales_dealer_claim_days", readonly=False
    )
