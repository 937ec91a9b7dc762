"""Who changes a contract's state, and how: through its buttons only, which do what
the state means (plans, invoices, credit notes); a plain write of ``state`` is
refused, whichever client sends it."""

from odoo import fields, models
from odoo.exceptions import UserError

ACCOUNTING_GROUPS = "account.group_account_invoice,account.group_account_readonly"


class AfterSalesContract(models.Model):
    _inherit = "after_sales.contract"

    # the invoices of a contract are for accounting users
    invoice_ids = fields.One2many(groups=ACCOUNTING_GROUPS)
    invoice_count = fields.Integer(groups=ACCOUNTING_GROUPS)

    def write(self, vals):
        if "state" in vals and not self.env.su:
            raise UserError(self.env._("Change the state of a contract with its buttons."))
        return super().write(vals)

    # the buttons write the state as superuser, after checking the user's access
    def action_start(self):
        self.check_access("write")
        return super().action_start()

    def action_cancel(self):
        self.check_access("write")
        return super().action_cancel()

    def action_draft(self):
        self.check_access("write")
        return super().action_draft()
