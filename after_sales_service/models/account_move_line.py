from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # The service period a contract invoice line bills (Odoo Enterprise has
    # deferred_start_date/deferred_end_date for this; Community has not).
    after_sales_period_start = fields.Date(string="Service Period Start", copy=False)
    after_sales_period_end = fields.Date(string="Service Period End", copy=False)
