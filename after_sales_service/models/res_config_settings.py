from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    """The after-sales accounting of the current company, in the Accounting settings."""

    _inherit = "res.config.settings"

    after_sales_warranty_expense_account_id = fields.Many2one(
        related="company_id.after_sales_warranty_expense_account_id",
        readonly=False,
        check_company=True,
    )
    after_sales_provision_account_id = fields.Many2one(
        related="company_id.after_sales_provision_account_id",
        readonly=False,
        check_company=True,
    )
    after_sales_cost_absorbed_account_id = fields.Many2one(
        related="company_id.after_sales_cost_absorbed_account_id",
        readonly=False,
        check_company=True,
    )
    after_sales_parts_account_id = fields.Many2one(
        related="company_id.after_sales_parts_account_id",
        readonly=False,
        check_company=True,
    )
    after_sales_service_cost_account_id = fields.Many2one(
        related="company_id.after_sales_service_cost_account_id",
        readonly=False,
        check_company=True,
    )
    after_sales_contract_cost_account_id = fields.Many2one(
        related="company_id.after_sales_contract_cost_account_id",
        readonly=False,
        check_company=True,
    )
    after_sales_goodwill_account_id = fields.Many2one(
        related="company_id.after_sales_goodwill_account_id",
        readonly=False,
        check_company=True,
    )
    after_sales_recovery_account_id = fields.Many2one(
        related="company_id.after_sales_recovery_account_id",
        readonly=False,
        check_company=True,
    )
    after_sales_deferred_revenue_account_id = fields.Many2one(
        related="company_id.after_sales_deferred_revenue_account_id",
        readonly=False,
        check_company=True,
    )
    after_sales_journal_id = fields.Many2one(
        related="company_id.after_sales_journal_id",
        readonly=False,
        check_company=True,
    )
    after_sales_analytic_mode = fields.Selection(
        related="company_id.after_sales_analytic_mode", readonly=False
    )
    after_sales_speed_kmh = fields.Float(related="company_id.after_sales_speed_kmh", readonly=False)
    after_sales_plan_days = fields.Integer(
        related="company_id.after_sales_plan_days", readonly=False
    )
