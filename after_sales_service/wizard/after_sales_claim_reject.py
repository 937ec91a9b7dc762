from odoo import fields, models


class AfterSalesClaimReject(models.TransientModel):
    """Refuse claims: a reason from the list, and a note for the customer."""

    _name = "after_sales.claim.reject"
    _description = "Reject Claims"

    claim_ids = fields.Many2many("after_sales.claim", string="Claims", required=True)
    reject_reason_id = fields.Many2one("after_sales.reject.reason", string="Reason")
    reject_note = fields.Text(string="Note", help="Sent to the customer with the reason.")

    def action_reject(self):
        self.ensure_one()
        self.claim_ids._reject(self.reject_reason_id, self.reject_note)
        return {"type": "ir.actions.act_window_close"}
