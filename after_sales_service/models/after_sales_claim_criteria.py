from odoo import fields, models


class AfterSalesClaim(models.Model):
    """Claims as service requests counted by the service criteria (refusal rate)."""

    _inherit = "after_sales.claim"

    # filtered on by the refusal rate (requests received in a period)
    date_received = fields.Datetime(index=True)
