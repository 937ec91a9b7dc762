from odoo import fields, models


class ResCompany(models.Model):
    """The company's settings of the quality loop (failure rates, repeat failures)."""

    _inherit = "res.company"

    after_sales_repeat_days = fields.Integer(
        string="Repeat Failure Window (days)",
        default=30,
        help="A corrective order of a unit within this many days after another one of the "
        "same unit is a repeat failure.",
    )
    after_sales_failure_threshold = fields.Float(
        string="Failure Rate Threshold",
        default=50.0,
        help="Claims and corrective orders of the last 12 months per 1,000 installed units "
        "above which a product or lot is flagged to the quality manager.",
    )
    after_sales_quality_user_id = fields.Many2one(
        "res.users",
        string="Quality Manager",
        domain="[('share', '=', False), ('company_ids', 'in', id)]",
        help="Gets an activity on each product above the failure rate threshold. Empty: "
        "the company's first Service Manager, else the administrator.",
    )

    _after_sales_repeat_days_check = models.Constraint(
        "CHECK(after_sales_repeat_days > 0)",
        "The repeat failure window must be at least one day.",
    )
    _after_sales_failure_threshold_check = models.Constraint(
        "CHECK(after_sales_failure_threshold >= 0)",
        "The failure rate threshold cannot be negative.",
    )

    def write(self, vals):
        result = super().write(vals)
        if "after_sales_repeat_days" in vals:
            # the repeat failures of every unit of these companies change
            self.env["after_sales.order"]._kpi_refresh_facts(company_ids=self.ids)
        return result

    def _after_sales_quality_user(self):
        """Who is told about the products above the threshold: the quality manager,
        else the company's first Service Manager, else the administrator."""
        self.ensure_one()
        if self.after_sales_quality_user_id:
            return self.after_sales_quality_user_id
        manager = self.env["res.users"].search(
            [
                ("all_group_ids", "in", self.env.ref("after_sales_service.group_manager").id),
                ("company_ids", "in", self.id),
                ("share", "=", False),
            ],
            order="id",
            limit=1,
        )
        return manager or self.env.ref("base.user_admin")
