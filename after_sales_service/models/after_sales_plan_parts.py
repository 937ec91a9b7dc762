import logging

from odoo import fields, models

from .utils import error_message, notify_failure

_logger = logging.getLogger(__name__)


class AfterSalesPlan(models.Model):
    _inherit = "after_sales.plan"

    parts_location_id = fields.Many2one(
        "stock.location",
        string="Parts From",
        check_company=True,
        domain="[('usage', '=', 'internal'), ('company_id', 'in', (company_id, False))]",
        help="Where the parts of this plan's visits are forecast to be taken from (a "
        "technician's van or a warehouse); empty: the stock of the company's first "
        "warehouse.",
    )

    def _notify_parts_demand_error(self, error):
        """One open activity on a plan whose parts demand could not be forecast."""
        self.ensure_one()
        message = error_message(error)
        _logger.warning("Parts demand of maintenance plan %s failed: %s", self.id, message)
        notify_failure(
            self,
            self.env._("Parts demand not forecast"),
            self.env._("The parts this plan needs could not be forecast: %(error)s", error=message),
            self.contract_id.user_id or self.env.user,
        )
