from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command

from ..models.after_sales_provision_report import REPORT_GROUPS


class AfterSalesProvisionRemeasure(models.TransientModel):
    """Month-end re-measurement of the warranty provision: the cohorts at the end
    of a month, their expected remaining cost and book value, and the draft entry
    of the true-ups and expiry releases for the accountant to check and post."""

    _name = "after_sales.provision.remeasure"
    _description = "Warranty Provision Re-measurement"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date = fields.Date(
        string="Month End",
        required=True,
        default=lambda self: self.env["after_sales.provision.measure"]._last_month_end(
            self.env.company
        ),
        help="The provision is measured at the end of this date's month.",
    )
    line_ids = fields.One2many(
        "after_sales.provision.remeasure.line",
        "wizard_id",
        string="Cohorts",
        compute="_compute_line_ids",
        store=True,
        readonly=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.depends("company_id", "date")
    def _compute_line_ids(self):
        Measure = self.env["after_sales.provision.measure"]
        for wizard in self:
            commands = [Command.clear()]
            if wizard.company_id and wizard.date:
                wizard._check_remeasure_access()
                measure = Measure._measure(wizard.company_id, wizard.date)
                commands += [
                    Command.create(
                        {
                            "categ_id": cohort["categ"].id,
                            "month": cohort["month"],
                            "warranty_months": cohort["warranty_months"],
                            "units": cohort["units"],
                            "remaining": cohort["remaining"],
                            "cost_per_unit_month": measure["rates"].get(cohort["categ"]) or 0.0,
                            "book": cohort["book"],
                            "expected": cohort["expected"] or 0.0,
                            "is_measured": cohort["expected"] is not None,
                            "has_ended": cohort["has_ended"],
                        }
                    )
                    for cohort in measure["cohorts"]
                ]
            wizard.line_ids = commands

    def _check_remeasure_access(self):
        if not any(self.env.user.has_group(group) for group in REPORT_GROUPS):
            raise AccessError(self.env._("Only accountants re-measure the warranty provision."))
        if self.company_id not in self.env.user.company_ids:
            raise AccessError(self.env._("You are not allowed to see this company's figures."))

    def action_propose(self):
        """Create the draft entry of the true-ups and expiry releases of the month
        (replacing a draft proposed before) and open it."""
        self.ensure_one()
        self._check_remeasure_access()
        if not self.company_id.after_sales_provision_account_id:
            raise ValidationError(
                self.env._(
                    "Set the warranty provision account of %(company)s first.",
                    company=self.company_id.name,
                )
            )
        entry = self.env["after_sales.provision.measure"]._propose(self.company_id, self.date)
        if not entry:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": self.env._(
                        "The provision is at its expected remaining cost: nothing to propose."
                    ),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return entry._get_records_action(name=self.env._("Warranty Provision Re-measurement"))


class AfterSalesProvisionRemeasureLine(models.TransientModel):
    _name = "after_sales.provision.remeasure.line"
    _description = "Warranty Cohort"
    _order = "categ_id, month"

    wizard_id = fields.Many2one(
        "after_sales.provision.remeasure", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    categ_id = fields.Many2one("product.category", string="Category", readonly=True)
    month = fields.Date(string="Month of Sale", readonly=True)
    warranty_months = fields.Integer(string="Warranty (Months)", readonly=True)
    units = fields.Float(readonly=True)
    remaining = fields.Float(string="Unit-Months Left", readonly=True)
    cost_per_unit_month = fields.Monetary(
        string="Cost per Unit-Month", readonly=True, help="Measured from the category's usage."
    )
    book = fields.Monetary(string="Book Value", readonly=True)
    expected = fields.Monetary(string="Expected Remaining Cost", readonly=True)
    is_measured = fields.Boolean(
        readonly=True,
        help="The category has enough usage history (6 months) to measure its cost.",
    )
    has_ended = fields.Boolean(string="Warranties Ended", readonly=True)
