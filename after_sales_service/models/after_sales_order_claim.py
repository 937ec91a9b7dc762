from odoo import fields, models


class AfterSalesOrder(models.Model):
    _inherit = "after_sales.order"

    claim_id = fields.Many2one(
        "after_sales.claim",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
        help="The customer claim this repair resolves.",
    )

    def action_view_claim(self):
        self.ensure_one()
        return self.claim_id._get_records_action(name=self.env._("Claim"))
