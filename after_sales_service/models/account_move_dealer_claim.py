from odoo import fields, models


class AccountMove(models.Model):
    """The vendor bill of a dealer's warranty claim: its posting pays the claim,
    its reset or cancellation undoes that."""

    _inherit = "account.move"

    after_sales_dealer_claim_id = fields.Many2one(
        "after_sales.dealer.claim",
        string="Dealer Claim",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
    )

    # One live bill per dealer claim: a double click, a second user or a bill back
    # from cancelled cannot pay the same claim twice.
    _after_sales_dealer_claim_unique = models.UniqueIndex(
        "(after_sales_dealer_claim_id) WHERE after_sales_dealer_claim_id IS NOT NULL "
        "AND state != 'cancel'",
        "This dealer claim already has its vendor bill.",
    )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted.filtered(
            "after_sales_dealer_claim_id"
        ).sudo().after_sales_dealer_claim_id._on_bill_posted()
        return posted

    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        unposted = self.filtered(
            lambda move: (
                move.after_sales_dealer_claim_id
                and move.state == "posted"
                and vals["state"] != "posted"
            )
        )
        result = super().write(vals)
        unposted.sudo().after_sales_dealer_claim_id._on_bill_unposted()
        return result
