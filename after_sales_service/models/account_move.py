from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    after_sales_contract_id = fields.Many2one(
        "after_sales.contract",
        string="Service Contract",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
        check_company=True,
    )
    after_sales_period_start = fields.Date(
        string="Contract Period Start", copy=False, readonly=True
    )
    after_sales_period_end = fields.Date(string="Contract Period End", copy=False, readonly=True)

    # One live invoice per contract period: a second worker or a re-run cannot bill twice.
    _after_sales_period_unique = models.UniqueIndex(
        "(after_sales_contract_id, after_sales_period_start) "
        "WHERE after_sales_contract_id IS NOT NULL AND state != 'cancel'",
        "This contract period is already invoiced.",
    )
