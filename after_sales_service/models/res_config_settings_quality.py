from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    """The quality loop settings of the current company."""

    _inherit = "res.config.settings"

    after_sales_repeat_days = fields.Integer(
        related="company_id.after_sales_repeat_days", readonly=False
    )
    after_sales_failure_threshold = fields.Float(
        related="company_id.after_sales_failure_threshold", readonly=False
    )
    after_sales_quality_user_id = fields.Many2one(
        related="company_id.after_sales_quality_user_id", readonly=False
    )
