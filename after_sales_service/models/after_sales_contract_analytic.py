from odoo import api, fields, models
from odoo.fields import Command


class AfterSalesContract(models.Model):
    """The analytic account of a service contract: where the cost of its orders and
    the revenue of its invoices land (company setting "per contract")."""

    _name = "after_sales.contract"
    _inherit = ["after_sales.contract", "analytic.mixin"]

    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        check_company=True,
        tracking=True,
        help="Created in the After-Sales analytic plan when the contract starts (analytic "
        "accounts per contract); a renewal keeps it.",
    )

    @api.depends("analytic_account_id")
    def _compute_analytic_distribution(self):
        for contract in self:
            account = contract.analytic_account_id
            contract.analytic_distribution = {str(account.id): 100.0} if account else False

    def action_start(self):
        result = super().action_start()
        self._create_analytic_accounts()
        return result

    def _create_analytic_accounts(self):
        """Give the contracts of companies that account per contract an analytic
        account of their own, when they have no distribution yet (one batch)."""
        contracts = self.filtered(
            lambda c: (
                c.company_id.after_sales_analytic_mode == "contract"
                and not c.analytic_account_id
                and not c.analytic_distribution
            )
        )
        if not contracts:
            return
        plan = self._get_after_sales_analytic_plan()
        # a consequence of starting the contract, whoever may start it
        accounts = (
            self.env["account.analytic.account"]
            .sudo()
            .create(
                [
                    {
                        "name": f"{contract.name} - {contract.partner_id.display_name}",
                        "code": contract.name,
                        "plan_id": plan.id,
                        "company_id": contract.company_id.id,
                        "partner_id": contract.partner_id.commercial_partner_id.id,
                    }
                    for contract in contracts
                ]
            )
        )
        for contract, account in zip(contracts, accounts, strict=True):
            contract.analytic_account_id = account

    @api.model
    def _get_after_sales_analytic_plan(self):
        plan = self.env.ref(
            "after_sales_service.analytic_plan_after_sales", raise_if_not_found=False
        )
        return plan or self.env["account.analytic.plan"].sudo().create(
            {"name": self.env._("After-Sales")}
        )

    def _prepare_invoice_vals(self, period_start):
        vals = super()._prepare_invoice_vals(period_start)
        if self.analytic_distribution:
            for command in vals.get("invoice_line_ids", []):
                if command[0] == Command.CREATE:
                    command[2].setdefault("analytic_distribution", self.analytic_distribution)
        return vals
