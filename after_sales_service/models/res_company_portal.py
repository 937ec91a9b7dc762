from odoo import fields, models


class ResCompany(models.Model):
    """The company's settings of the customers' self-service on the portal."""

    _inherit = "res.company"

    after_sales_claim_reopen_days = fields.Integer(
        string="Claim Reopening Window (days)",
        default=14,
        help="A customer may reopen a claim they closed on the portal (and a service "
        "user a closed claim) until this many days after the day it was closed.",
    )
    after_sales_registration_daily_limit = fields.Integer(
        string="Unit Registrations per Day",
        default=5,
        help="How many units a customer may register on the portal in 24 hours.",
    )

    _after_sales_claim_reopen_days_check = models.Constraint(
        "CHECK(after_sales_claim_reopen_days >= 0)",
        "The claim reopening window cannot be negative.",
    )
    _after_sales_registration_daily_limit_check = models.Constraint(
        "CHECK(after_sales_registration_daily_limit >= 0)",
        "The number of unit registrations per day cannot be negative.",
    )

    def _after_sales_service_team_user(self):
        """Who is told of what a customer does on the portal when no one is
        responsible yet: the company's first Service Manager, else the administrator."""
        self.ensure_one()
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
