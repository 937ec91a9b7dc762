from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    """The self-service settings of the current company."""

    _inherit = "res.config.settings"

    after_sales_claim_reopen_days = fields.Integer(
        related="company_id.after_sales_claim_reopen_days", readonly=False
    )
    after_sales_registration_daily_limit = fields.Integer(
        related="company_id.after_sales_registration_daily_limit", readonly=False
    )
