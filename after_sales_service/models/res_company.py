from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# company field: (start code, account type, reconcile) of the default account created
# with the chart of accounts (names: ResCompany._after_sales_account_names)
AFTER_SALES_ACCOUNTS = {
    "after_sales_warranty_expense_account_id": ("611100", "expense", False),
    "after_sales_provision_account_id": ("218100", "liability_current", False),
    "after_sales_cost_absorbed_account_id": ("611200", "expense", False),
    "after_sales_parts_account_id": ("611300", "expense", False),
    "after_sales_service_cost_account_id": ("611400", "expense_direct_cost", False),
    "after_sales_contract_cost_account_id": ("611500", "expense_direct_cost", False),
    "after_sales_goodwill_account_id": ("611600", "expense", False),
    "after_sales_recovery_account_id": ("131100", "asset_current", True),
    "after_sales_deferred_revenue_account_id": ("218200", "liability_current", False),
}
ACCOUNT_DOMAIN = "[('account_type', 'not in', ('asset_receivable', 'liability_payable'))]"


class ResCompany(models.Model):
    _inherit = "res.company"

    after_sales_warranty_expense_account_id = fields.Many2one(
        "account.account",
        string="Warranty Expense Account",
        domain=ACCOUNT_DOMAIN,
        help="Debited by the warranty provision accrued on sales; credited by supplier recoveries.",
    )
    after_sales_provision_account_id = fields.Many2one(
        "account.account",
        string="Warranty Provision Account",
        domain=ACCOUNT_DOMAIN,
        help="Credited by the accrual on sales with warranty, debited by the warranty cost "
        "of service orders.",
    )
    after_sales_cost_absorbed_account_id = fields.Many2one(
        "account.account",
        string="Labour and Travel Absorbed Account",
        domain=ACCOUNT_DOMAIN,
        help="Credited by the cost of the labour, travel and expenses of service orders "
        "(the wages themselves are booked by payroll).",
    )
    after_sales_parts_account_id = fields.Many2one(
        "account.account",
        string="Parts Consumed Account",
        domain=ACCOUNT_DOMAIN,
        help="Clearing account of the parts used on service orders: debited when they leave "
        "stock (perpetual valuation), credited when their cost is charged.",
    )
    after_sales_service_cost_account_id = fields.Many2one(
        "account.account",
        string="Billable Service Cost Account",
        domain=ACCOUNT_DOMAIN,
        help="Debited by the cost of the work the customer pays for.",
    )
    after_sales_contract_cost_account_id = fields.Many2one(
        "account.account",
        string="Contract Service Cost Account",
        domain=ACCOUNT_DOMAIN,
        help="Debited by the cost of the work a service contract covers (on the contract's "
        "analytic account).",
    )
    after_sales_goodwill_account_id = fields.Many2one(
        "account.account",
        string="Goodwill Expense Account",
        domain=ACCOUNT_DOMAIN,
        help="Debited by the cost of goodwill: never charged to the warranty provision.",
    )
    after_sales_recovery_account_id = fields.Many2one(
        "account.account",
        string="Warranty Recovery Account",
        domain=ACCOUNT_DOMAIN,
        help="What suppliers owe for accepted warranty claims, cleared by their credit notes.",
    )
    after_sales_deferred_revenue_account_id = fields.Many2one(
        "account.account",
        string="Deferred Service Revenue Account",
        domain=ACCOUNT_DOMAIN,
        help="Holds the part of prepaid contract invoices that is not earned yet.",
    )
    after_sales_journal_id = fields.Many2one(
        "account.journal",
        string="After-Sales Journal",
        domain="[('type', '=', 'general'), ('company_id', '=', id)]",
        help="Journal of the warranty provision, service cost and deferral entries.",
    )
    after_sales_speed_kmh = fields.Float(
        string="Average Travel Speed (km/h)",
        default=50.0,
        help="Travel time between two customers is their straight-line distance at this "
        "speed (planning checks, the dispatcher).",
    )
    after_sales_plan_days = fields.Integer(
        string="Automatic Planning Days",
        default=0,
        help="Every night, the unassigned service orders of this many days ahead (from "
        "tomorrow) are planned automatically (0: no automatic planning).",
    )
    after_sales_analytic_mode = fields.Selection(
        [("contract", "Per Contract"), ("service_type", "Per Service Type")],
        string="Analytic Accounts",
        default="contract",
        required=True,
        help="Where the cost and revenue of service orders land: on an analytic account per "
        "service contract (orders without a contract: their service type's), or always "
        "on the service type's.",
    )
    after_sales_consumption_location_id = fields.Many2one(
        "stock.location",
        string="Service Consumption Location",
        help="Where the parts used on service orders go when the order is done.",
    )
    after_sales_defective_location_id = fields.Many2one(
        "stock.location",
        string="Defective Returns Location",
        help="Where defective parts taken back from customers are kept (not valued).",
    )

    @api.constrains(*AFTER_SALES_ACCOUNTS, "after_sales_journal_id")
    def _check_after_sales_accounts_company(self):
        """The after-sales accounts and journal of a company are its own (or its
        parent company's), whoever writes them (settings, form or RPC)."""
        for company in self:
            foreign = company._after_sales_foreign_accounts(AFTER_SALES_ACCOUNTS)
            if foreign:
                raise ValidationError(
                    self.env._(
                        "%(accounts)s belong to another company: the after-sales accounting "
                        "of %(company)s uses its own accounts and journal.",
                        accounts=", ".join(foreign),
                        company=company.name,
                    )
                )

    def _after_sales_foreign_accounts(self, account_fnames):
        """The names of the after-sales accounts (``account_fnames`` of the company)
        and journal that belong to another company than this one (or its parents)."""
        self.ensure_one()
        allowed = self.sudo().parent_ids
        foreign = [
            self[fname].display_name
            for fname in account_fnames
            if self[fname] and not (self[fname].sudo().company_ids & allowed)
        ]
        journal = self.after_sales_journal_id
        if journal and journal.sudo().company_id not in allowed:
            foreign.append(journal.display_name)
        return foreign

    def _after_sales_setup(self):
        """Create what the after-sales accounting and stock of each company needs and
        is missing: accounts (once the company has a chart of accounts), the journal,
        the consumption and defective-returns locations. Safe to call again."""
        for company in self:
            company._after_sales_setup_locations()
            if company.chart_template:
                company._after_sales_setup_accounts()

    def _after_sales_setup_accounts(self):
        self.ensure_one()
        if self.parent_id:
            self._after_sales_setup_branch_accounts()
            return
        Account = self.env["account.account"].sudo().with_company(self)
        vals = {}
        names = self._after_sales_account_names()
        for fname, (code, account_type, reconcile) in AFTER_SALES_ACCOUNTS.items():
            if self[fname]:
                continue
            if Account.search_count([("code", "=", code), ("company_ids", "in", self.id)]):
                code = Account._search_new_account_code(code)
            vals[fname] = Account.create(
                {
                    "name": names[fname],
                    "code": code,
                    "account_type": account_type,
                    "reconcile": reconcile,
                    "company_ids": [self.id],
                }
            ).id
        if not self.after_sales_journal_id:
            vals["after_sales_journal_id"] = (
                self.env["account.journal"]
                .sudo()
                .search([("type", "=", "general"), ("company_id", "=", self.id)], limit=1)
                .id
            )
        if vals:
            self.sudo().write(vals)
        location = self.after_sales_consumption_location_id
        if location and not location.valuation_account_id:
            location.sudo().valuation_account_id = self.after_sales_parts_account_id

    def _after_sales_setup_branch_accounts(self):
        """A branch uses the after-sales accounts and journal of its root company, as
        Odoo's branches use its accounts (``_setup_utility_bank_accounts``): those it
        does not have yet are its root's (set up first when missing)."""
        root = self.sudo().parent_ids[0]
        fnames = (*AFTER_SALES_ACCOUNTS, "after_sales_journal_id")
        if root.chart_template and not all(root[fname] for fname in fnames):
            root._after_sales_setup_accounts()
        vals = {fname: root[fname].id for fname in fnames if not self[fname] and root[fname]}
        if vals:
            self.sudo().write(vals)
        location = self.after_sales_consumption_location_id
        if location and not location.valuation_account_id:
            location.sudo().valuation_account_id = self.after_sales_parts_account_id

    def _after_sales_account_names(self):
        return {
            "after_sales_warranty_expense_account_id": self.env._("Warranty Expense"),
            "after_sales_provision_account_id": self.env._("Warranty Provision"),
            "after_sales_cost_absorbed_account_id": self.env._(
                "Service Labour and Travel Absorbed"
            ),
            "after_sales_parts_account_id": self.env._("Service Parts Consumed"),
            "after_sales_service_cost_account_id": self.env._("Cost of Billable Service"),
            "after_sales_contract_cost_account_id": self.env._("Cost of Contract Service"),
            "after_sales_goodwill_account_id": self.env._("Service Goodwill"),
            "after_sales_recovery_account_id": self.env._("Warranty Recovery Receivable"),
            "after_sales_deferred_revenue_account_id": self.env._("Deferred Service Revenue"),
        }

    def _after_sales_setup_locations(self):
        self.ensure_one()
        Location = self.env["stock.location"].sudo()
        vals = {}
        if not self.after_sales_consumption_location_id:
            vals["after_sales_consumption_location_id"] = Location.create(
                {
                    "name": self.env._("Service Consumption"),
                    "usage": "inventory",
                    "company_id": self.id,
                    "valuation_account_id": self.after_sales_parts_account_id.id,
                }
            ).id
        if not self.after_sales_defective_location_id:
            vals["after_sales_defective_location_id"] = Location.create(
                {
                    "name": self.env._("Defective Returns"),
                    "usage": "inventory",
                    "company_id": self.id,
                }
            ).id
        if vals:
            self.sudo().write(vals)

    def _after_sales_check_accounting(self):
        """Raise a clear error when the after-sales accounts of the company are missing."""
        for company in self:
            missing = [
                company._fields[fname].get_description(self.env)["string"]
                for fname in (*AFTER_SALES_ACCOUNTS, "after_sales_journal_id")
                if not company[fname]
            ]
            if missing:
                raise UserError(
                    self.env._(
                        "Set the after-sales accounts of %(company)s first (Accounting "
                        "settings): %(missing)s.",
                        company=company.name,
                        missing=", ".join(missing),
                    )
                )
